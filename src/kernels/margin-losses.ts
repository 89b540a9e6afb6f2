/**
 * Fused loops of MultiMarginLoss and MultiLabelMarginLoss, after PyTorch's CPU kernels
 * (`LossMultiMargin.cpp`, `LossMultiLabelMargin.cpp`). Each frame is one row of `classes`
 * inputs. `round` is `Math.fround` for float32 (the kernels compute in the input's scalar type,
 * so the strict `z > 0` test sees float32 values) and the identity for float64.
 */
import { wasmFor } from "./backend.js";
import type { Flat } from "./cpu.js";
import { input, output, rowwise } from "./wasm/drive.js";
import { f32View, i32View, offsetOf, reusableBlock } from "./wasm/heap.js";
import { type WasmRuntime, wasmRuntime } from "./wasm/runtime.js";

export type Round = (v: number) => number;

/** The common arguments of the MultiMargin loops. */
export interface MultiMarginArgs {
  readonly x: Flat<number>;
  /** One class index in [0, classes) per frame. */
  readonly target: Int32Array;
  /** The class weight, or null. */
  readonly weight: Flat<number> | null;
  readonly p: 1 | 2;
  /** The margin, already rounded to the input's dtype. */
  readonly margin: number;
  readonly classes: number;
  readonly round: Round;
}

/**
 * Per-frame losses `Σ_{i≠y, z>0} zᵖ·w[y] / C` with z = margin − x[y] + x[i]: the weight
 * multiplies after the power, and NaN terms fail `z > 0` and drop out.
 */
export function multiMarginForward(a: MultiMarginArgs, out: Flat<number>): void {
  const { x, target, weight, p, margin, classes: c, round } = a;
  for (let n = 0; n < target.length; n++) {
    const base = n * c;
    const y = target[n];
    const marginMinusTarget = round(margin - x[base + y]);
    let sum = 0;
    for (let i = 0; i < c; i++) {
      if (i === y) continue;
      const z = round(marginMinusTarget + x[base + i]);
      if (!(z > 0)) continue;
      let h = p === 1 ? z : round(z * z);
      if (weight) h = round(h * weight[y]);
      sum = round(sum + h);
    }
    out[n] = round(sum / c);
  }
}

/**
 * ∂/∂x[i] = g·w[y]·p·z^(p−1) for the active terms, ∂/∂x[y] = −Σ of them, then times the
 * upstream gradient: `gradOut` holds one value, or one per frame. `g` is 1/(N·C) for 'mean',
 * else 1/C, in the input's dtype.
 */
export function multiMarginBackward(a: MultiMarginArgs, g: number, gradOut: Flat<number>,
  grad: Flat<number>): void {
  const { x, target, weight, p, margin, classes: c, round } = a;
  const twoG = round(2 * g);
  for (let n = 0; n < target.length; n++) {
    const base = n * c;
    const y = target[n];
    const marginMinusTarget = round(margin - x[base + y]);
    let gradTarget = 0;
    for (let i = 0; i < c; i++) {
      if (i === y) continue;
      const z = round(marginMinusTarget + x[base + i]);
      let h = 0;
      if (z > 0) {
        h = p === 1 ? g : round(twoG * z);
        if (weight) h = round(h * weight[y]);
        gradTarget = round(gradTarget - h);
      }
      grad[base + i] = h;
    }
    grad[base + y] = gradTarget;
  }
  scaleRows(grad, c, gradOut, round);
}

/**
 * The forward with the gradient for upstream 1 (`g` as in {@link multiMarginBackward}) written
 * in the same pass: per-frame losses into `out`, ∂/∂x into `grad`. Float32 problems above the
 * WebAssembly threshold take the SIMD kernel (split across threads when large).
 */
export function multiMarginFused(a: MultiMarginArgs, g: number, out: Flat<number>,
  grad: Flat<number>): void {
  const rt = wasmFor(a.x as Float32Array);
  if (rt && grad instanceof Float32Array && multiMarginWasm(rt, a, g, out, grad)) return;
  const { x, target, weight, p, margin, classes: c, round } = a;
  const twoG = round(2 * g);
  for (let n = 0; n < target.length; n++) {
    const base = n * c;
    const y = target[n];
    const wy = weight ? weight[y] : 1;
    const marginMinusTarget = round(margin - x[base + y]);
    let sum = 0;
    let gradTarget = 0;
    for (let i = 0; i < c; i++) {
      if (i === y) continue;
      const z = round(marginMinusTarget + x[base + i]);
      let d = 0;
      if (z > 0) {
        let h = p === 1 ? z : round(z * z);
        d = p === 1 ? g : round(twoG * z);
        if (weight) {
          h = round(h * wy);
          d = round(d * wy);
        }
        sum = round(sum + h);
        gradTarget = round(gradTarget - d);
      }
      grad[base + i] = d;
    }
    grad[base + y] = gradTarget;
    out[n] = round(sum / c);
  }
}

function multiMarginWasm(rt: WasmRuntime, a: MultiMarginArgs, g: number, out: Flat<number>,
  grad: Float32Array): boolean {
  const frames = a.target.length;
  const c = a.classes;
  const base = reusableBlock("multimargin-rows", frames * 8 + c * 4 + 64);
  if (base < 0) return false;
  const tgt = base, loss = base + frames * 4, w = base + frames * 8;
  i32View(tgt, frames).set(a.target);
  if (a.weight) f32View(w, c).set(a.weight);
  rowwise(rt, "multimargin_rows", [input(a.x as Float32Array), output(grad)],
    [tgt, a.weight ? w : 0, loss, c, a.p, a.margin, g], frames, c);
  const losses = f32View(loss, frames);
  for (let n = 0; n < frames; n++) out[n] = losses[n];
  return true;
}

/** The common arguments of the MultiLabelMargin loops. */
export interface MultilabelMarginArgs {
  readonly x: Flat<number>;
  /** Per frame, `classes` entries: class indices up to the first −1. */
  readonly target: Int32Array;
  readonly frames: number;
  readonly classes: number;
  readonly round: Round;
}

/** Marks the classes listed before the row's first −1. */
function markTargets(target: Int32Array, base: number, classes: number, isTarget: Uint8Array) {
  isTarget.fill(0);
  for (let k = 0; k < classes; k++) {
    const j = target[base + k];
    if (j < 0) break;
    isTarget[j] = 1;
  }
}

/**
 * Per-frame sums `Σ_{j listed} Σ_{i not listed, z>0} z` with z = 1 − x[j] + x[i], accumulated
 * in double as PyTorch does, then rounded to the input's dtype (not yet divided by C).
 */
export function multilabelMarginForward(a: MultilabelMarginArgs, out: Flat<number>): void {
  multilabelMarginLoop(a, 0, out, null);
}

/**
 * For each active term (j, i): ∂/∂x[i] += g, ∂/∂x[j] −= g, accumulated in the input's dtype,
 * then times the upstream gradient (one value, or one per frame).
 */
export function multilabelMarginBackward(a: MultilabelMarginArgs, g: number,
  gradOut: Flat<number>, grad: Flat<number>): void {
  multilabelMarginLoop(a, g, null, grad);
  scaleRows(grad, a.classes, gradOut, a.round);
}

/**
 * {@link multilabelMarginForward} with the gradient for upstream 1 written in the same pass
 * (into `grad`, which need not start at zero): on the SIMD kernel for float32 problems above the
 * WebAssembly threshold, else in one JS loop.
 */
export function multilabelMarginFused(a: MultilabelMarginArgs, g: number, out: Flat<number>,
  grad: Flat<number>): void {
  const rt = wasmFor(a.x as Float32Array);
  if (rt && grad instanceof Float32Array && multilabelMarginWasm(rt, a, g, out, grad)) return;
  multilabelMarginLoop(a, g, out, grad);
}

/** The JS loop over the active terms: their per-frame sums into `out`, ±g into `grad` (zeroed). */
function multilabelMarginLoop(a: MultilabelMarginArgs, g: number, out: Flat<number> | null,
  grad: Flat<number> | null): void {
  const { x, target, frames, classes: c, round } = a;
  const isTarget = new Uint8Array(c);
  if (grad) for (let i = 0; i < grad.length; i++) grad[i] = 0;
  for (let n = 0; n < frames; n++) {
    const base = n * c;
    markTargets(target, base, c, isTarget);
    let sum = 0;
    for (let k = 0; k < c; k++) {
      const j = target[base + k];
      if (j < 0) break;
      const oneMinusTarget = round(1 - x[base + j]);
      for (let i = 0; i < c; i++) {
        if (isTarget[i]) continue;
        const z = round(oneMinusTarget + x[base + i]);
        if (!(z > 0)) continue;
        sum += z;
        if (grad) {
          grad[base + j] = round(grad[base + j] - g);
          grad[base + i] = round(grad[base + i] + g);
        }
      }
    }
    if (out) out[n] = round(sum);
  }
}

function multilabelMarginWasm(rt: WasmRuntime, a: MultilabelMarginArgs, g: number,
  out: Flat<number>, grad: Float32Array): boolean {
  const { frames, classes: c } = a;
  const resident = offsetOf(a.target) >= 0;
  const base = reusableBlock("mlm-rows", (resident ? 0 : frames * c * 4) + frames * 4 +
    (c + 1) * 4 + 64);
  if (base < 0) return false;
  const loss = base, seq = loss + frames * 4, copy = seq + (c + 1) * 4;
  const tgt = resident ? offsetOf(a.target) : copy;
  if (!resident) i32View(copy, frames * c).set(a.target);
  // PyTorch adds g to a class's gradient once per active term, in float32: seq[k] = k such adds
  const table = f32View(seq, c + 1);
  table[0] = 0;
  for (let k = 1; k <= c; k++) table[k] = table[k - 1] + g;
  rowwise(rt, "mlm_rows", [input(a.x as Float32Array), output(grad)], [tgt, loss, seq, c, g],
    frames, c);
  const sums = f32View(loss, frames);
  for (let n = 0; n < frames; n++) out[n] = sums[n];
  return true;
}

/** Whether float32 `x` takes the SIMD kernels (the WebAssembly backend, above its threshold). */
export function onMarginKernel(x: Flat<number>): boolean {
  return x instanceof Float32Array && wasmFor(x) !== null;
}

/**
 * int64 class lists as int32, or null if an entry lies outside [−1, C). Reads (low, high) 32-bit
 * word pairs (little-endian) instead of a BigInt per element. `scratch` places the result in a
 * reusable block of the WebAssembly memory, valid until the next call (none: a new array).
 */
export function int64Labels(data: BigInt64Array, classes: number,
  scratch: boolean): Int32Array | null {
  const n = data.length;
  const rt = scratch ? wasmRuntime() : null;
  const block = rt ? reusableBlock("mlm-targets", n * 4) : -1;
  const words = new Int32Array(data.buffer, data.byteOffset, n * 2);
  if (rt && block >= 0) return wasmLabels(rt, words, classes, block);
  const out = new Int32Array(n);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i];
    // the high word must extend the low one's sign, and −1 ≤ lo < C
    bad |= (words[2 * i + 1] ^ (lo >> 31)) | +(lo < -1) | +(lo >= classes);
    out[i] = lo;
  }
  return bad === 0 ? out : null;
}

/** Entries per staged chunk of {@link wasmLabels}: 512 KiB of int64, in L2 with its output. */
const LABEL_CHUNK = 1 << 16;

/** The kernel's narrowing, staged through a small block (the int64 data is not in its memory). */
function wasmLabels(rt: WasmRuntime, words: Int32Array, classes: number,
  block: number): Int32Array | null {
  const n = words.length / 2;
  const stage = reusableBlock("mlm-targets-stage", LABEL_CHUNK * 8);
  if (stage < 0) return null;
  let bad = 0;
  for (let i0 = 0; i0 < n; i0 += LABEL_CHUNK) {
    const i1 = Math.min(n, i0 + LABEL_CHUNK);
    i32View(stage, 2 * (i1 - i0)).set(words.subarray(2 * i0, 2 * i1));
    bad += rt.exports.labels_i64(stage - i0 * 8, block, classes, i0, i1);
  }
  return bad === 0 ? i32View(block, n) : null;
}

/** grad[n, ·] *= gradOut[n] (or gradOut[0] when it holds a single value). */
export function scaleRows(grad: Flat<number>, classes: number, gradOut: Flat<number>, round: Round) {
  if (gradOut.length === 1) {
    const d = gradOut[0];
    for (let k = 0; k < grad.length; k++) grad[k] = round(grad[k] * d);
    return;
  }
  for (let n = 0, k = 0; n < gradOut.length; n++) {
    const d = gradOut[n];
    for (let i = 0; i < classes; i++, k++) grad[k] = round(grad[k] * d);
  }
}
