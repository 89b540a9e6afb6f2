/**
 * Fused cross-entropy with class-index targets in plain JS: one pass per row computes the
 * max, then exp(x − max) (stored in the gradient row, one exp per element), then the loss and
 * the finished gradient coef·(softmax − onehot). float32 uses the table exp, float64 `Math.exp`.
 * Also the dispatcher that sends float32 `(N, C)` problems to the WebAssembly kernel.
 */
import { wasmFor } from "./backend.js";
import { expNeg } from "./exp.js";
import type { NllLayout } from "./nll.js";
import { f32View, f64View, i32View, offsetOf, reusableBlock } from "./wasm/heap.js";
import { inout, input, output, rowwise } from "./wasm/drive.js";
import { wasm64For } from "./wasm/drive64.js";
import { parallelFor } from "./wasm/threads.js";
import { scaleInto } from "./pointwise.js";
import type { WasmRuntime } from "./wasm/runtime.js";

type FloatArray = Float32Array | Float64Array;

/** Per position (n, s): target class (−1 if ignored), its class weight, gradient coefficient. */
export interface CrossEntropyTargets {
  readonly target: Int32Array;
  readonly weight: Float64Array;
  readonly coef: Float64Array;
}

/**
 * The per-position arrays for targets `t` (ignoreIndex marks ignored ones) and the 'mean'
 * divisor Σ w[t]. coef is the gradient scale for an upstream gradient of 1: w[t]/Σw for 'mean'
 * (rounded as PyTorch's float32 `w · (1 / total_weight)`), else w[t].
 */
export function crossEntropyTargets(t: Float64Array, classWeight: FloatArray | null,
  ignoreIndex: number, mean: boolean, float32: boolean) {
  const n = t.length;
  const target = new Int32Array(n);
  const weight = new Float64Array(n);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const c = t[i];
    if (c === ignoreIndex) {
      target[i] = -1;
      continue;
    }
    target[i] = c;
    weight[i] = classWeight ? classWeight[c] : 1;
    totalWeight += weight[i];
  }
  const coef = new Float64Array(n);
  const inv = float32 ? Math.fround(1 / totalWeight) : 1 / totalWeight;
  for (let i = 0; i < n; i++) {
    if (target[i] < 0) continue;
    const c = mean ? weight[i] * inv : weight[i];
    coef[i] = float32 ? Math.fround(c) : c;
  }
  return { targets: { target, weight, coef } as CrossEntropyTargets, totalWeight };
}

/**
 * Per-position losses into `losses` and, when `grad` is given, dL/dx for an upstream gradient
 * of 1. Returns Σ losses. `x` and `grad` are laid out `[batch, classes, spatial]`.
 */
export function crossEntropyForward(x: FloatArray, grad: FloatArray | null,
  targets: CrossEntropyTargets, layout: NllLayout, losses: Float64Array): number {
  const total = wasmForward(x, grad, targets, layout, losses) ?? (layout.spatial === 1
    ? jsRows(x, grad, targets, layout.classes, losses)
    : jsSlabs(x, grad, targets, layout, losses));
  if (grad) signZeroWeightTargets(grad, targets, layout, null);
  return total;
}

/** {@link crossEntropyForward} on the WebAssembly kernels, or null when they do not apply. */
function wasmForward(x: FloatArray, grad: FloatArray | null, targets: CrossEntropyTargets,
  layout: NllLayout, losses: Float64Array): number | null {
  if (layout.spatial !== 1) return null;
  if (x instanceof Float32Array && (grad === null || grad instanceof Float32Array)) {
    const rt = wasmFor(x);
    return rt ? wasmRows(rt, x, grad, targets, layout, losses) : null;
  }
  if (x instanceof Float64Array && (grad === null || grad instanceof Float64Array)) {
    const rt = wasm64For(x);
    return rt ? wasmRows64(rt, x, grad, targets, layout, losses) : null;
  }
  return null;
}

/**
 * PyTorch's gradient at the target of a zero-weight class is `a − p·a` with a = w·(−u) = ±0,
 * which keeps a's sign; the fused c·(p − 1)·u gives +0. Restores the sign (NaN stays).
 */
function signZeroWeightTargets(grad: FloatArray, { target, coef }: CrossEntropyTargets,
  { classes, spatial }: NllLayout, up: FloatArray | null): void {
  for (let p = 0; p < target.length; p++) {
    if (target[p] < 0 || coef[p] !== 0) continue;
    const n = Math.floor(p / spatial);
    const i = (n * classes + target[p]) * spatial + (p - n * spatial);
    const u = up === null ? 1 : up.length === 1 ? up[0] : up[p];
    if (grad[i] === 0) grad[i] = coef[p] * -u;
  }
}

function wasmRows(rt: WasmRuntime, x: Float32Array, grad: Float32Array | null,
  targets: CrossEntropyTargets, { batch, classes }: NllLayout, losses: Float64Array): number {
  // Per-row arrays in the shared memory: i32 target, f32 weight, f32 coef, f64 loss.
  const base = reusableBlock("ce-rows", batch * 20 + 64);
  const tgt = base, w = base + batch * 4, coef = base + batch * 8;
  const loss = Math.ceil((base + batch * 12) / 8) * 8;
  i32View(tgt, batch).set(targets.target);
  f32View(w, batch).set(targets.weight);
  f32View(coef, batch).set(targets.coef);
  const total = rowwise(rt, "ce_rows", [input(x), output(grad)],
    [tgt, w, coef, loss, classes], batch, classes);
  losses.set(f64View(loss, batch));
  return total;
}

/** Rows of float64 logits per staged chunk: enough for the thread pool to split it. */
const CHUNK64_ELEMENTS = 1 << 20;

/**
 * {@link wasmRows} for float64 (`ce64_rows`, f64x2). Operands in the shared memory are used in
 * place; logits elsewhere are staged through it a chunk of rows at a time (the kernel then writes
 * a gradient that lives elsewhere over the staged logits, which are copied out). Null when the
 * shared memory has no room.
 */
function wasmRows64(rt: WasmRuntime, x: Float64Array, grad: Float64Array | null,
  targets: CrossEntropyTargets, { batch, classes }: NllLayout, losses: Float64Array): number | null {
  const xOff = offsetOf(x);
  const gOff = grad ? offsetOf(grad) : 0;
  const resident = xOff >= 0 && gOff >= 0;
  const perChunk = resident ? batch : Math.max(1, Math.floor(CHUNK64_ELEMENTS / classes));
  const stage = resident ? 0 : reusableBlock("ce64-stage", Math.min(perChunk, batch) * classes * 8);
  const base = reusableBlock("ce64-rows", batch * 28 + 64);
  if (stage < 0 || base < 0) return null;
  // Per-row arrays: i32 target, f64 weight, f64 coef, f64 loss.
  const tgt = base;
  const w = Math.ceil((base + batch * 4) / 8) * 8, coef = w + batch * 8, loss = coef + batch * 8;
  i32View(tgt, batch).set(targets.target);
  f64View(w, batch).set(targets.weight);
  f64View(coef, batch).set(targets.coef);
  let total = 0;
  for (let r0 = 0; r0 < batch; r0 += perChunk) {
    const r1 = Math.min(batch, r0 + perChunk);
    const lo = r0 * classes, hi = r1 * classes;
    if (xOff < 0) f64View(stage, hi - lo).set(x.subarray(lo, hi));
    const xp = xOff >= 0 ? xOff + lo * 8 : stage;
    const gp = grad === null ? 0 : gOff >= 0 ? gOff + lo * 8 : stage;
    total += parallelFor(rt, "ce64_rows", [xp, gp, tgt + r0 * 4, w + r0 * 8, coef + r0 * 8,
      loss + r0 * 8, classes], r1 - r0, classes, 1);
    if (grad && gOff < 0) grad.set(f64View(stage, hi - lo), lo);
  }
  losses.set(f64View(loss, batch));
  return total;
}

/** Max over [o, e) that propagates NaN (PyTorch's max does). */
function rowMax(x: FloatArray, o: number, e: number): number {
  let m = -Infinity;
  for (let i = o; i < e; i++) {
    const v = x[i];
    if (v > m || v !== v) m = v;
  }
  return m;
}

function expStore32(x: FloatArray, g: FloatArray, o: number, e: number, m: number): number {
  let s = 0;
  for (let i = o; i < e; i++) {
    const v = expNeg(x[i] - m);
    g[i] = v;
    s += v;
  }
  return s;
}

function expSum32(x: FloatArray, o: number, e: number, m: number): number {
  let s = 0;
  for (let i = o; i < e; i++) s += expNeg(x[i] - m);
  return s;
}

function expStore64(x: FloatArray, g: FloatArray, o: number, e: number, m: number): number {
  let s = 0;
  for (let i = o; i < e; i++) {
    const v = Math.exp(x[i] - m);
    g[i] = v;
    s += v;
  }
  return s;
}

function expSum64(x: FloatArray, o: number, e: number, m: number): number {
  let s = 0;
  for (let i = o; i < e; i++) s += Math.exp(x[i] - m);
  return s;
}

/** g·k over [o, e), zeros as +0 (PyTorch's `g − p·Σg` never gives −0). */
function scaleRange(g: FloatArray, o: number, e: number, k: number): void {
  for (let i = o; i < e; i++) g[i] = g[i] * k + 0;
}

/**
 * −w·log softmax(x)[t] from the row's max and Σ exp(x − max); 0 for an ignored row. `round`
 * is Math.fround for float32: PyTorch's x − max is float32, so 3e38 − (−3e38) is inf.
 */
function rowLoss(xt: number, m: number, s: number, t: number, w: number,
  round: (v: number) => number): number {
  return t < 0 ? 0 : -(w * (round(xt - m) - Math.log(s)));
}

function identity(v: number): number {
  return v;
}

function jsRows(x: FloatArray, grad: FloatArray | null, targets: CrossEntropyTargets, C: number,
  losses: Float64Array): number {
  const f32 = x instanceof Float32Array;
  const { target, weight, coef } = targets;
  let total = 0;
  for (let r = 0; r < target.length; r++) {
    const o = r * C;
    const e = o + C;
    const t = target[r];
    const xt = t >= 0 ? x[o + t] : 0;
    const m = rowMax(x, o, e);
    let s: number;
    if (grad) {
      s = f32 ? expStore32(x, grad, o, e, m) : expStore64(x, grad, o, e, m);
      scaleRange(grad, o, e, coef[r] / s);
      if (t >= 0) grad[o + t] -= coef[r];
    } else {
      s = f32 ? expSum32(x, o, e, m) : expSum64(x, o, e, m);
    }
    losses[r] = rowLoss(xt, m, s, t, weight[r], f32 ? Math.fround : identity);
    total += losses[r];
  }
  return total;
}

/**
 * K-dimensional input: per batch entry a `classes × spatial` slab, reduced over classes for all
 * spatial positions at once so every pass reads memory in order.
 */
function jsSlabs(x: FloatArray, grad: FloatArray | null, targets: CrossEntropyTargets,
  { batch, classes, spatial }: NllLayout, losses: Float64Array): number {
  const exp = x instanceof Float32Array ? expNeg : Math.exp;
  const round = x instanceof Float32Array ? Math.fround : identity;
  const { target, weight } = targets;
  const max = new Float64Array(spatial);
  const sum = new Float64Array(spatial);
  let total = 0;
  for (let n = 0; n < batch; n++) {
    const base = n * classes * spatial;
    max.fill(-Infinity);
    sum.fill(0);
    for (let c = 0; c < classes; c++) {
      const row = base + c * spatial;
      for (let s = 0; s < spatial; s++) {
        const v = x[row + s];
        if (v > max[s] || v !== v) max[s] = v;
      }
    }
    for (let c = 0; c < classes; c++) {
      const row = base + c * spatial;
      for (let s = 0; s < spatial; s++) {
        const v = exp(x[row + s] - max[s]);
        if (grad) grad[row + s] = v;
        sum[s] += v;
      }
    }
    for (let s = 0; s < spatial; s++) {
      const p = n * spatial + s;
      const t = target[p];
      losses[p] = rowLoss(t >= 0 ? x[base + t * spatial + s] : 0, max[s], sum[s], t, weight[p],
        round);
      total += losses[p];
    }
    if (grad) slabGradient(grad, targets, n, classes, spatial, sum);
  }
  return total;
}

function slabGradient(grad: FloatArray, { target, coef }: CrossEntropyTargets, n: number,
  classes: number, spatial: number, sum: Float64Array): void {
  const base = n * classes * spatial;
  const k = new Float64Array(spatial);
  for (let s = 0; s < spatial; s++) k[s] = coef[n * spatial + s] / sum[s];
  for (let c = 0; c < classes; c++) {
    const row = base + c * spatial;
    for (let s = 0; s < spatial; s++) grad[row + s] = grad[row + s] * k[s] + 0;
  }
  for (let s = 0; s < spatial; s++) {
    const t = target[n * spatial + s];
    if (t >= 0) grad[base + t * spatial + s] -= coef[n * spatial + s];
  }
}

/**
 * Scales a `[batch, classes, spatial]` cross-entropy gradient by one upstream value per
 * position ('none'), or by one value for all (`up.length === 1`).
 */
export function scaleByUpstream(grad: FloatArray, up: FloatArray, targets: CrossEntropyTargets,
  layout: NllLayout): void {
  if (up.length === 1 && up[0] === 1) return;
  scaleRows(grad, up, layout);
  signZeroWeightTargets(grad, targets, layout, up);
}

function scaleRows(grad: FloatArray, up: FloatArray, layout: NllLayout): void {
  if (up.length === 1) {
    scaleInto(grad, up[0], grad, 0);
    return;
  }
  const rt = wasmFor(grad);
  const { batch, classes, spatial } = layout;
  if (rt && spatial === 1 && up instanceof Float32Array) {
    const p = reusableBlock("rows-up", batch * 4);
    f32View(p, batch).set(up);
    rowwise(rt, "scale_rows", [inout(grad as Float32Array)], [p, classes, 0],
      batch, classes);
    return;
  }
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < classes; c++) {
      const row = (n * classes + c) * spatial;
      for (let s = 0; s < spatial; s++) grad[row + s] = grad[row + s] * up[n * spatial + s] + 0;
    }
  }
}
