/**
 * The fused CTC loops in log space: the forward variable α (loss) and the backward variable β
 * (gradient), step for step as ATen's `LossCTC.cpp` computes them on the CPU.
 *
 * All arrays are Float64Array (one element kind keeps the loops monomorphic). A float32 loss is
 * computed as PyTorch computes it, in single precision: every subtraction, sum, `exp` and `log`
 * result is rounded to float32 (`Math.fround`) in ATen's order of operations, so that long
 * sequences do not drift from PyTorch's float32 numbers. Float64 needs no rounding.
 *
 * The inner loops only index typed arrays; the extended labels l' = [blank, y₁, blank, …, y_L,
 * blank] of every sample and the "may skip from s − 2" flags are precomputed by {@link ctcPlan}.
 *
 * On the WebAssembly backend {@link ctcFused} runs the same steps in assembly/ctc.ts instead
 * (float32 with musl's expf/logf, which are glibc's, four cells at a time; float64 scalar),
 * forward and gradient in one call, samples split across threads when the work is large.
 */

import { getBackend, wasmFor } from "./backend.js";
import { inout, rowwise } from "./wasm/drive.js";
import { f32View, f64View, i32View, offsetOf, reusableBlock } from "./wasm/heap.js";
import { type WasmRuntime, wasmRuntime } from "./wasm/runtime.js";
import { getNumThreads, parallelFor } from "./wasm/threads.js";

type Data = Float64Array;

const NEG_INF = -Infinity;

/** x rounded as float32 arithmetic would round it, when `single`. */
function rnd(x: number, single: boolean): number {
  return single ? Math.fround(x) : x;
}

/** Everything the loops need to know about one batch, with the label index arrays. */
export interface CtcPlan {
  /** T, the time steps of `logProbs` `(T, N, C)`. */
  readonly maxTime: number;
  readonly batch: number;
  readonly classes: number;
  readonly blank: number;
  readonly inputLengths: Int32Array;
  readonly targetLengths: Int32Array;
  /** The extended labels of sample b at `ext[extStart[b] .. extStart[b + 1])` (2L + 1 each). */
  readonly ext: Int32Array;
  /** 1 where α may come from s − 2 (l'_s ≠ l'_{s−2}, s > 1), aligned with `ext`. */
  readonly skip: Uint8Array;
  readonly extStart: Int32Array;
  /** Sample b's α rows, `inputLength × (2L + 1)`, start at `alphaStart[b]`. */
  readonly alphaStart: Int32Array;
}

/**
 * Builds the plan. `labels` holds the (already validated) target labels of all samples back to
 * back, sample b's at `labels[labelStart[b] .. labelStart[b] + targetLengths[b])`.
 */
export function ctcPlan(maxTime: number, classes: number, blank: number,
  inputLengths: Int32Array, targetLengths: Int32Array, labels: Int32Array,
  labelStart: Int32Array): CtcPlan {
  const batch = inputLengths.length;
  const extStart = new Int32Array(batch + 1);
  const alphaStart = new Int32Array(batch + 1);
  for (let b = 0; b < batch; b++) {
    const width = 2 * targetLengths[b] + 1;
    extStart[b + 1] = extStart[b] + width;
    alphaStart[b + 1] = alphaStart[b] + inputLengths[b] * width;
  }
  const ext = new Int32Array(extStart[batch]).fill(blank);
  const skip = new Uint8Array(extStart[batch]);
  for (let b = 0; b < batch; b++) {
    const e0 = extStart[b];
    for (let k = 0; k < targetLengths[b]; k++) ext[e0 + 2 * k + 1] = labels[labelStart[b] + k];
    for (let s = e0 + 2; s < extStart[b + 1]; s++) skip[s] = +(ext[s] !== ext[s - 2]);
  }
  return { maxTime, batch, classes, blank, inputLengths, targetLengths, ext, skip, extStart,
    alphaStart };
}

/** The α storage `ctcForward` fills and `ctcBackward` reads. */
export function alphaSize(plan: CtcPlan): number {
  return plan.alphaStart[plan.batch];
}

/** exp(x) rounded; exp(−inf) = 0 and exp(0) = 1 (the max term) without the call. */
function expOf(x: number, single: boolean): number {
  return x === NEG_INF ? 0 : x === 0 ? 1 : rnd(Math.exp(x), single);
}

/** log(x) rounded; log(1) = 0 and log(0) = −inf without the call. */
function logOf(x: number, single: boolean): number {
  return x === 1 ? 0 : x === 0 ? NEG_INF : rnd(Math.log(x), single);
}

/**
 * ATen's three-term log-sum-exp: m = the largest of a, b, c (0 if all are −inf), then
 * log(exp(a − m) + exp(b − m) + exp(c − m)) + m, each step rounded.
 */
function logSumExp3(a: number, b: number, c: number, single: boolean): number {
  let m = a;
  if (b > m) m = b;
  if (c > m) m = c;
  if (m === NEG_INF) m = 0;
  const ab = rnd(expOf(rnd(a - m, single), single) + expOf(rnd(b - m, single), single), single);
  const sum = rnd(ab + expOf(rnd(c - m, single), single), single);
  return rnd(logOf(sum, single) + m, single);
}

/** log(exp(a) + exp(b)) with m = std::max(a, b) as ATen writes it (`a < b ? b : a`). */
function logAddExp(a: number, b: number, zeroNegInf: boolean, single: boolean): number {
  let m = a < b ? b : a;
  if (zeroNegInf && m === NEG_INF) m = 0;
  const sum = rnd(expOf(rnd(a - m, single), single) + expOf(rnd(b - m, single), single), single);
  return rnd(logOf(sum, single) + m, single);
}

/**
 * Fills α and the per-sample negative log-likelihood `nll` (N) from `logProbs` (T, N, C);
 * `single` computes in float32 arithmetic.
 */
export function ctcForward(plan: CtcPlan, logProbs: Data, single: boolean, alpha: Data,
  nll: Data): void {
  for (let b = 0; b < plan.batch; b++) nll[b] = forwardSample(plan, b, logProbs, alpha, single);
}

function forwardSample(plan: CtcPlan, b: number, lp: Data, alpha: Data,
  single: boolean): number {
  const inputLength = plan.inputLengths[b];
  const targetLength = plan.targetLengths[b];
  // torch 2.x: an empty input aligns only with an empty target (1.13 read out of bounds).
  if (inputLength === 0) return targetLength === 0 ? 0 : Infinity;
  const width = 2 * targetLength + 1;
  const a0 = plan.alphaStart[b];
  const e0 = plan.extStart[b];
  const row0 = b * plan.classes;
  alpha.fill(NEG_INF, a0, a0 + width);
  alpha[a0] = lp[row0 + plan.blank];
  if (targetLength > 0) alpha[a0 + 1] = lp[row0 + plan.ext[e0 + 1]];
  for (let t = 1; t < inputLength; t++) alphaRow(plan, b, t, lp, alpha, single);
  const last = a0 + (inputLength - 1) * width;
  if (targetLength === 0) return -alpha[last];
  return -logAddExp(alpha[last + width - 1], alpha[last + width - 2], true, single);
}

/** α_t(s) = lp[t, l'_s] + logsumexp(α_{t−1}(s), α_{t−1}(s − 1), α_{t−1}(s − 2) if allowed). */
function alphaRow(plan: CtcPlan, b: number, t: number, lp: Data, alpha: Data,
  single: boolean): void {
  const { ext, skip } = plan;
  const width = 2 * plan.targetLengths[b] + 1;
  const e0 = plan.extStart[b];
  const prev = plan.alphaStart[b] + (t - 1) * width;
  const cur = prev + width;
  const row = (t * plan.batch + b) * plan.classes;
  for (let s = 0; s < width; s++) {
    const la2 = s > 0 ? alpha[prev + s - 1] : NEG_INF;
    const la3 = skip[e0 + s] === 1 ? alpha[prev + s - 2] : NEG_INF;
    const sum = logSumExp3(alpha[prev + s], la2, la3, single);
    alpha[cur + s] = rnd(sum + lp[row + ext[e0 + s]], single);
  }
}

/** Scratch rows for β (two rows of the widest sample), reused across samples. */
interface BetaRows {
  next: Data;
  cur: Data;
}

/**
 * The gradient w.r.t. `logProbs` (T, N, C), as ATen returns it: for t < inputLength
 * `grad[t, b, c] = (exp(lp) − exp(log Σ_{s: l'_s = c} α_t(s)β_t(s) + nll_b − lp)) · gradOut[b]`,
 * 0 elsewhere (and for the whole sample when `zeroInfinity` and its loss is +inf). `gradOut`
 * holds one upstream value per sample.
 */
export function ctcBackward(plan: CtcPlan, logProbs: Data, single: boolean, alpha: Data,
  nll: Data, gradOut: Data, zeroInfinity: boolean, grad: Data): void {
  let widest = 1;
  for (let b = 0; b < plan.batch; b++) widest = Math.max(widest, 2 * plan.targetLengths[b] + 1);
  const rows: BetaRows = { next: new Float64Array(widest), cur: new Float64Array(widest) };
  for (let b = 0; b < plan.batch; b++) {
    const inputLength = plan.inputLengths[b];
    if (zeroInfinity && nll[b] === Infinity) {
      fillRows(plan, b, grad, 0, plan.maxTime, 0);
      continue;
    }
    fillRows(plan, b, grad, 0, inputLength, NEG_INF);
    if (inputLength > 0) {
      betaLastRow(plan, b, logProbs, alpha, grad, rows, single);
      for (let t = inputLength - 2; t >= 0; t--) {
        betaRow(plan, b, t, logProbs, alpha, grad, rows, single);
      }
    }
    finishGradient(plan, b, logProbs, nll[b], gradOut[b], grad, single);
  }
}

/** Sets `grad[t, b, :]` to `value` for t in [from, to). */
function fillRows(plan: CtcPlan, b: number, grad: Data, from: number, to: number,
  value: number): void {
  const { batch, classes } = plan;
  for (let t = from; t < to; t++) {
    const row = (t * batch + b) * classes;
    grad.fill(value, row, row + classes);
  }
}

/** β at t = T_b − 1: only the last blank and the last label; their α + β are assigned. */
function betaLastRow(plan: CtcPlan, b: number, lp: Data, alpha: Data, grad: Data,
  rows: BetaRows, single: boolean): void {
  const targetLength = plan.targetLengths[b];
  const width = 2 * targetLength + 1;
  const t = plan.inputLengths[b] - 1;
  const a = plan.alphaStart[b] + t * width;
  const row = (t * plan.batch + b) * plan.classes;
  const beta = rows.cur;
  beta.fill(NEG_INF, 0, width);
  beta[width - 1] = lp[row + plan.blank];
  grad[row + plan.blank] = rnd(alpha[a + width - 1] + beta[width - 1], single);
  if (targetLength > 0) {
    const label = plan.ext[plan.extStart[b] + width - 2];
    beta[width - 2] = lp[row + label];
    grad[row + label] = rnd(alpha[a + width - 2] + beta[width - 2], single);
  }
}

/**
 * β_t(s) = lp[t, l'_s] + logsumexp(β_{t+1}(s), β_{t+1}(s + 1), β_{t+1}(s + 2) if allowed), and
 * the running log Σ α_t(s)β_t(s) per class, kept in `grad[t, b, l'_s]`.
 */
function betaRow(plan: CtcPlan, b: number, t: number, lp: Data, alpha: Data, grad: Data,
  rows: BetaRows, single: boolean): void {
  const { ext, skip } = plan;
  const width = 2 * plan.targetLengths[b] + 1;
  const e0 = plan.extStart[b];
  const a = plan.alphaStart[b] + t * width;
  const row = (t * plan.batch + b) * plan.classes;
  const next = rows.cur;
  const beta = rows.next;
  rows.cur = beta;
  rows.next = next;
  for (let s = width - 1; s >= 0; s--) {
    const lb2 = s < width - 1 ? next[s + 1] : NEG_INF;
    const lb3 = s < width - 2 && skip[e0 + s + 2] === 1 ? next[s + 2] : NEG_INF;
    const label = ext[e0 + s];
    beta[s] = rnd(logSumExp3(next[s], lb2, lb3, single) + lp[row + label], single);
    const logAlphaBeta = rnd(alpha[a + s] + beta[s], single);
    const at = row + label;
    const collected = grad[at];
    grad[at] = collected === NEG_INF ? logAlphaBeta
      : logAddExp(collected, logAlphaBeta, false, single);
  }
}

/** grad = (exp(lp) − exp(collected + nll − lp)) · g for t < T_b; zero for the later rows. */
function finishGradient(plan: CtcPlan, b: number, lp: Data, nll: number, g: number, grad: Data,
  single: boolean): void {
  const { batch, classes } = plan;
  const inputLength = plan.inputLengths[b];
  for (let t = 0; t < inputLength; t++) {
    const row = (t * batch + b) * classes;
    for (let i = row; i < row + classes; i++) {
      const x = lp[i];
      const posterior = expOf(rnd(rnd(grad[i] + nll, single) - x, single), single);
      grad[i] = rnd(rnd(rnd(Math.exp(x), single) - posterior, single) * g, single);
    }
  }
  fillRows(plan, b, grad, inputLength, plan.maxTime, 0);
}

// ---- the WebAssembly kernel ------------------------------------------------------------------

type FloatArray = Float32Array | Float64Array;

/** Each sample's α recursion costs about this many element-wise kernel steps per cell. */
const CELL_COST = 8;

/** The widest extended label sequence, 2L + 1. */
function widestOf(plan: CtcPlan): number {
  let widest = 1;
  for (let b = 0; b < plan.batch; b++) widest = Math.max(widest, 2 * plan.targetLengths[b] + 1);
  return widest;
}

/**
 * The kernels on the WebAssembly backend, at every size: each cell costs several exp and log, so
 * even the smallest problem runs faster there than in the JS loops.
 */
export function ctcRuntime(): WasmRuntime | null {
  return getBackend() === "wasm" ? wasmRuntime() : null;
}

/** Byte offsets of the kernel's arrays in one reusable block (8-byte aligned). */
function ctcLayout(plan: CtcPlan, bytesPer: number, lpInside: boolean, gradInside: boolean) {
  const cells = plan.maxTime * plan.batch * plan.classes;
  const sizes = [plan.batch * 20, plan.ext.length * 4, plan.ext.length * 4, plan.batch * 8,
    plan.ext.length * 2 * bytesPer, plan.batch * plan.classes * 16, alphaSize(plan) * bytesPer,
    lpInside ? 0 : cells * bytesPer,
    gradInside ? 0 : cells * bytesPer];
  const offsets: number[] = [];
  let end = 0;
  for (const size of sizes) {
    offsets.push(end);
    end += Math.ceil(size / 8) * 8;
  }
  return { offsets, bytes: end + 8 };
}

/**
 * The samples in an order whose `parts` contiguous runs (of the lengths parallelFor cuts) carry
 * about equal work, T_b·(2·L_b + 1) cells each: longest first, each into the lightest run that
 * has room.
 */
function balancedOrder(plan: CtcPlan, parts: number): number[] {
  const n = plan.batch;
  const samples = Array.from({ length: n }, (_, b) => b);
  if (parts <= 1 || n <= 1) return samples;
  const work = (b: number) => plan.inputLengths[b] * (2 * plan.targetLengths[b] + 1);
  const sizes = Array.from({ length: parts }, (_, k) =>
    Math.round((n * (k + 1)) / parts) - Math.round((n * k) / parts));
  const runs = sizes.map(() => ({ samples: [] as number[], work: 0 }));
  for (const b of samples.sort((p, q) => work(q) - work(p) || p - q)) {
    const open = runs.filter((run, k) => run.samples.length < sizes[k]);
    const lightest = open.reduce((a, c) => (c.work < a.work ? c : a));
    lightest.samples.push(b);
    lightest.work += work(b);
  }
  return runs.flatMap((run) => run.samples);
}

/**
 * Runs the forward on the WebAssembly kernel (samples split across threads when the work is
 * large): the per-sample losses into `nll` and, when `grad` is given, the gradient for an
 * upstream gradient of 1 (scale it with {@link ctcScaleGradient}). False when the kernel does
 * not apply (the JS backend, small problems, no memory); nothing is written then.
 */
export function ctcFused(plan: CtcPlan, lp: FloatArray, zeroInfinity: boolean, nll: Float64Array,
  grad: FloatArray | null): boolean {
  const rt = ctcRuntime();
  if (!rt) return false;
  const single = lp instanceof Float32Array;
  const bytesPer = single ? 4 : 8;
  const lpAt = offsetOf(lp);
  const gradAt = grad ? offsetOf(grad) : -1;
  const { offsets, bytes } = ctcLayout(plan, bytesPer, lpAt >= 0, gradAt >= 0 || !grad);
  const base = reusableBlock("ctc", bytes);
  if (base < 0) return false;
  const [meta, ext, skip, nllAt, beta, acc, alpha, lpCopy, gradCopy] =
    offsets.map((o) => base + o);
  const { batch, maxTime, classes } = plan;
  const metaView = i32View(meta, batch * 5);
  balancedOrder(plan, getNumThreads()).forEach((b, k) => {
    metaView.set([plan.inputLengths[b], plan.targetLengths[b], plan.extStart[b],
      plan.alphaStart[b], b], 5 * k);
  });
  i32View(ext, plan.ext.length).set(plan.ext);
  i32View(skip, plan.ext.length).set(plan.skip);
  const view = (off: number) => single ? f32View(off, lp.length) : f64View(off, lp.length);
  if (lpAt < 0) view(lpCopy).set(lp);
  const gradPtr = !grad ? 0 : gradAt >= 0 ? gradAt : gradCopy;
  parallelFor(rt, single ? "ctc_f32" : "ctc_f64", [lpAt >= 0 ? lpAt : lpCopy, gradPtr, meta, ext,
    skip, alpha, beta, acc, nllAt, maxTime, batch, classes, plan.blank, +zeroInfinity], batch,
  maxTime * widestOf(plan) * CELL_COST, 1);
  nll.set(f64View(nllAt, batch));
  if (grad && gradAt < 0) grad.set(view(gradCopy));
  return true;
}

/**
 * Multiplies the gradient {@link ctcFused} wrote (upstream 1) by the upstream gradient `up`
 * (one value per sample), as ATen's last step multiplies by it: only the rows t < T_b, and not
 * the samples `zeroInfinity` zeroed. Float32 runs on the WebAssembly rows kernel.
 */
export function ctcScaleGradient(plan: CtcPlan, grad: FloatArray, up: ArrayLike<number>,
  zeroInfinity: boolean, nll: Float64Array): void {
  const { batch, classes, maxTime } = plan;
  const rows = maxTime * batch;
  // row (t, b) is multiplied by up[b] while t < T_b, unless zeroInfinity zeroed sample b
  const factor = (r: number) => {
    const b = r % batch;
    const scaled = r < plan.inputLengths[b] * batch && !(zeroInfinity && nll[b] === Infinity);
    return scaled ? up[b] : 1;
  };
  const rt = grad instanceof Float32Array ? wasmFor(grad) : null;
  const p = rt ? reusableBlock("ctc-up", rows * 4) : -1;
  if (rt && p >= 0) {
    const perRow = f32View(p, rows);
    for (let r = 0; r < rows; r++) perRow[r] = factor(r);
    rowwise(rt, "scale_rows", [inout(grad as Float32Array)], [p, classes, -0], rows, classes);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const u = factor(r);
    if (u === 1) continue;
    for (let i = r * classes; i < (r + 1) * classes; i++) grad[i] = grad[i] * u;
  }
}
