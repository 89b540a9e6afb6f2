/**
 * Fused loops of the pointwise losses PyTorch runs as single ops: binary cross-entropy (on
 * probabilities and on logits), Huber, smooth L1 and soft margin; forward and backward.
 *
 * Each loop follows the operation order of PyTorch's CPU kernel and rounds every intermediate
 * to the dtype PyTorch computes it in (`Round`: `Math.fround` for float32, identity for
 * float64). That keeps float32 overflow (SoftMargin's naive `exp`), the −100/1e-12 clamps of
 * BCE and signed zeros where PyTorch has them. Upstream gradients `g` and weights `w` hold one
 * value per element, or a single value broadcast to all (stride 0).
 */
import { wasmFor } from "./backend.js";
import type { Flat } from "./cpu.js";
import { input, output, pointwise } from "./wasm/drive.js";

type Data = Flat<number>;

/** Rounds a double to the precision an intermediate is stored in. */
export type Round = (v: number) => number;

const exact: Round = (v) => v;

export function rounding(float32: boolean): Round {
  return float32 ? Math.fround : exact;
}

/** 0 for a single broadcast value, 1 for one value per element. */
function strideOf(a: Data): number {
  return a.length === 1 ? 0 : 1;
}

/** Σ losses (accumulated in double), divided by their count for 'mean' (NaN when empty). */
export function reduceLosses(losses: Data, mean: boolean): number {
  let sum = 0;
  for (let i = 0; i < losses.length; i++) sum += losses[i];
  return reducedValue(sum, losses.length, mean, losses instanceof Float32Array);
}

/**
 * 'mean' (sum / n) or 'sum' from a total accumulated in double. PyTorch accumulates float32 in
 * float32, so a float32 total past the float32 range is inf, and so is its mean.
 */
export function reducedValue(sum: number, n: number, mean: boolean, float32: boolean): number {
  const total = float32 ? Math.fround(sum) : sum;
  return mean ? total / n : total;
}

// ---- BCELoss --------------------------------------------------------------------------------

/** PyTorch's `constexpr float EPSILON = 1e-12` (a float, also in double kernels). */
const BCE_EPSILON = Math.fround(1e-12);
const LOG_FLOOR = -100;

/** PyTorch's check inside the BCE kernel: 0 ≤ x ≤ 1 (NaN fails). */
export function allProbabilities(x: Data): boolean {
  const rt = x instanceof Float32Array ? wasmFor(x) : null;
  if (rt) return pointwise(rt, "bce_check", [input(x as Float32Array)], [], x.length) === 0;
  for (let i = 0; i < x.length; i++) if (!(x[i] >= 0 && x[i] <= 1)) return false;
  return true;
}

/** l = (y − 1)·max(log(1 − x), −100) − y·max(log x, −100), then l·w. */
export function bceForward(x: Data, y: Data, w: Data | null, r: Round, out: Data): void {
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = y[i];
    const log1m = Math.max(r(Math.log(r(1 - xi))), LOG_FLOOR);
    const logx = Math.max(r(Math.log(xi)), LOG_FLOOR);
    const v = r(r(r(yi - 1) * log1m) - r(yi * logx));
    out[i] = w ? r(v * w[i]) : v;
  }
}

/**
 * float32 on the WebAssembly kernel, unweighted: Σ losses (as {@link bceForward}, with a SIMD
 * log of ≈ 1 ulp) and, when `grad` is given, ∂/∂x for upstream 1 as {@link bceInputGrad}.
 * Null when the kernel does not apply (float64, JS backend, small problems).
 */
export function bceSumFast(x: Data, y: Data, divisor: number, grad: Data | null): number | null {
  const rt = x instanceof Float32Array ? wasmFor(x) : null;
  if (!rt || !(x instanceof Float32Array) || !(y instanceof Float32Array) ||
    !(grad === null || grad instanceof Float32Array)) return null;
  return pointwise(rt, "bce_fwd", [input(x), input(y), output(grad)], [Math.fround(divisor)],
    x.length);
}

/** ∂/∂x = g·(x − y) / max((1 − x)·x, 1e-12), then ·w, then / divisor (n for 'mean'). */
export function bceInputGrad(x: Data, y: Data, w: Data | null, g: Data, divisor: number,
  r: Round, out: Data): void {
  const gs = strideOf(g);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const denominator = Math.max(r(r(1 - xi) * xi), BCE_EPSILON);
    let v = r(r(g[i * gs] * r(xi - y[i])) / denominator);
    if (w) v = r(v * w[i]);
    out[i] = r(v / divisor);
  }
}

/** ∂/∂y = (log(1 − x) − log x)·g·w / divisor, unclamped (±inf at x = 0 or 1). */
export function bceTargetGrad(x: Data, w: Data | null, g: Data, divisor: number, r: Round,
  out: Data): void {
  const gs = strideOf(g);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    let v = r(r(r(Math.log(r(1 - xi))) - r(Math.log(xi))) * g[i * gs]);
    if (w) v = r(v * w[i]);
    out[i] = r(v / divisor);
  }
}

// ---- BCEWithLogitsLoss ----------------------------------------------------------------------

/**
 * The dtypes PyTorch's composite computes in: `input` (its own ops), `out` (the result, which
 * accumulates in a buffer of the target's dtype), `posWeight` (`pos_weight − 1`) and
 * `logWeight` (`(pos_weight − 1)·target + 1`).
 */
export interface LogitsRounding {
  input: Round;
  out: Round;
  posWeight: Round;
  logWeight: Round;
}

/**
 * l = (1 − y)·x + (1 + (p − 1)·y)·(m + log(e^−m + e^(−x−m))), m = max(−x, 0), then l·w:
 * stable for any finite x (log(1 + e^−x) never overflows).
 */
export function bceLogitsForward(x: Data, y: Data, p: Data | null, w: Data | null,
  r: LogitsRounding, out: Data): void {
  const ri = r.input;
  const ro = r.out;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = y[i];
    const m = Math.max(-xi, 0);
    const lse = ri(Math.log(ri(ri(Math.exp(-m)) + ri(Math.exp(ri(-xi - m))))));
    const linear = ro(ro(1 - yi) * xi);
    let v: number;
    if (p) {
      const logWeight = r.logWeight(r.logWeight(r.posWeight(p[i] - 1) * yi) + 1);
      v = ro(linear + r.logWeight(logWeight * ri(lse + m)));
    } else {
      v = ro(ro(linear + m) + lse);
    }
    out[i] = w ? ro(v * w[i]) : v;
  }
}

/**
 * float32 on the WebAssembly kernel, every operand float32 (`p`, `w` one value per element, or
 * null): Σ losses (as {@link bceLogitsForward}; SIMD exp and log of ≈ 1 ulp) and, when `grad`
 * is given, ∂/∂x for upstream 1 (as {@link bceLogitsInputGrad}, σ within a few ulp). Null when
 * the kernel does not apply (float64, JS backend, small problems).
 */
export function bceLogitsSumFast(x: Data, y: Data, p: Data | null, w: Data | null,
  divisor: number, grad: Data | null): number | null {
  const rt = x instanceof Float32Array ? wasmFor(x) : null;
  if (!rt || !bceLogitsFastApplies(x, y, p, w) || !allFloat32(grad)) return null;
  const optional = (a: Data | null) => (a ? input(a as Float32Array) : output(null));
  return pointwise(rt, "bce_logits_fwd", [input(x as Float32Array), input(y as Float32Array),
    optional(p), optional(w), output(grad as Float32Array | null)], [Math.fround(divisor)],
  x.length);
}

/** Whether {@link bceLogitsSumFast} takes these operands (all float32, kernels selected). */
export function bceLogitsFastApplies(x: Data, y: Data, p: Data | null, w: Data | null): boolean {
  return x instanceof Float32Array && wasmFor(x) !== null && allFloat32(y, p, w);
}

function allFloat32(...arrays: (Data | null)[]): boolean {
  return arrays.every((a) => a === null || a instanceof Float32Array);
}

function sigmoid(v: number, r: Round): number {
  return r(1 / r(1 + r(Math.exp(-v))));
}

/** log σ(v) as PyTorch's kernel: min(v, 0) − log1p(e^(−|v|)) (−inf at v = −inf). */
function logSigmoid(v: number, r: Round): number {
  return r(Math.min(v, 0) - r(Math.log1p(r(Math.exp(-Math.abs(v))))));
}

/**
 * ∂/∂x = (σ(x) − y)·g, or with pos_weight ((p·y + 1 − y)·σ(x) − p·y)·g; then ·w / divisor.
 * `r` is the gradient's dtype (input ⊕ target, ⊕ pos_weight), `ri` the input's (σ).
 */
export function bceLogitsInputGrad(x: Data, y: Data, p: Data | null, w: Data | null, g: Data,
  divisor: number, ri: Round, r: Round, out: Data): void {
  const gs = strideOf(g);
  for (let i = 0; i < x.length; i++) {
    const s = sigmoid(x[i], ri);
    const yi = y[i];
    let v: number;
    if (p) {
      const t = r(p[i] * yi);
      v = r(r(r(r(r(t + 1) - yi) * s) - t) * g[i * gs]);
    } else {
      v = r(r(s - yi) * g[i * gs]);
    }
    if (w) v = r(v * w[i]);
    out[i] = r(v / divisor);
  }
}

/**
 * ∂/∂y = −x·g, or with pos_weight (log σ(−x) − p·log σ(x))·g; then ·w / divisor. `r` is the
 * gradient's dtype: input ⊕ output without pos_weight, the input's with it.
 */
export function bceLogitsTargetGrad(x: Data, p: Data | null, w: Data | null, g: Data,
  divisor: number, r: Round, out: Data): void {
  const gs = strideOf(g);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    let v: number;
    if (p) {
      v = r(r(logSigmoid(-xi, r) - r(logSigmoid(xi, r) * p[i])) * g[i * gs]);
    } else {
      v = r(-xi * g[i * gs]);
    }
    if (w) v = r(v * w[i]);
    out[i] = r(v / divisor);
  }
}

// ---- HuberLoss and SmoothL1Loss -------------------------------------------------------------

/** z = |x − y|: 0.5·z² if z < δ, else δ·(z − 0.5·δ); δ in the computing precision. */
export function huberForward(x: Data, y: Data, delta: number, r: Round, out: Data): void {
  const d = r(delta);
  const half = r(0.5 * d);
  for (let i = 0; i < x.length; i++) {
    const z = Math.abs(r(x[i] - y[i]));
    out[i] = z < d ? r(r(0.5 * z) * z) : r(d * r(z - half));
  }
}

/**
 * ∂/∂a of huber(a − b): −δ·norm·g if a − b ≤ −δ, δ·norm·g if ≥ δ, else (a − b)·norm·g
 * (PyTorch's target gradient is this with a and b swapped).
 */
export function huberBackward(a: Data, b: Data, g: Data, norm: number, delta: number,
  r: Round, out: Data): void {
  const d = r(delta);
  const n = r(norm);
  const gs = strideOf(g);
  for (let i = 0; i < a.length; i++) {
    const v = r(a[i] - b[i]);
    const gi = g[i * gs];
    out[i] = v <= -d ? r(r(-n * gi) * d) : v >= d ? r(r(n * gi) * d) : r(r(n * v) * gi);
  }
}

/** z = |x − y|: 0.5·z²/β if z < β, else z − 0.5·β (β = 0 gives |x − y|). */
export function smoothL1Forward(x: Data, y: Data, beta: number, r: Round, out: Data): void {
  const b = r(beta);
  const half = r(0.5 * b);
  for (let i = 0; i < x.length; i++) {
    const z = Math.abs(r(x[i] - y[i]));
    out[i] = z < b ? r(r(r(0.5 * z) * z) / b) : r(z - half);
  }
}

/**
 * ∂/∂a of smoothL1(a − b): −norm·g if a − b ≤ −β, norm·g if ≥ β, else (a − b)/β·norm·g.
 * With β = 0 a tie takes the first branch: −norm·g for both operands, as in PyTorch.
 */
export function smoothL1Backward(a: Data, b: Data, g: Data, norm: number, beta: number,
  r: Round, out: Data): void {
  const be = r(beta);
  const n = r(norm);
  const gs = strideOf(g);
  for (let i = 0; i < a.length; i++) {
    const v = r(a[i] - b[i]);
    const gi = g[i * gs];
    out[i] = v <= -be ? r(-n * gi) : v >= be ? r(n * gi) : r(r(r(n * v) * gi) / be);
  }
}

/**
 * Σ losses of Huber (`smooth` false, δ = `param`) or smooth L1 (β = `param`) in one pass; when
 * `grad` is given it also receives ∂/∂x for upstream 1 and norm `norm`, bit-identical to
 * {@link huberBackward} / {@link smoothL1Backward}. float32 runs on the WebAssembly kernels when
 * selected.
 */
export function huberLikeSum(x: Data, y: Data, param: number, smooth: boolean, norm: number,
  r: Round, grad: Data | null): number {
  const rt = x instanceof Float32Array ? wasmFor(x) : null;
  if (rt && x instanceof Float32Array && y instanceof Float32Array &&
    (grad === null || grad instanceof Float32Array)) {
    return pointwise(rt, smooth ? "smooth_l1_fwd" : "huber_fwd", [input(x), input(y),
      output(grad)], [Math.fround(param), Math.fround(norm)], x.length);
  }
  return smooth ? smoothL1Sum(x, y, param, norm, r, grad) : huberSum(x, y, param, norm, r, grad);
}

function huberSum(x: Data, y: Data, delta: number, norm: number, r: Round,
  grad: Data | null): number {
  const d = r(delta);
  const half = r(0.5 * d);
  const n = r(norm);
  const nd = r(n * d);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = r(x[i] - y[i]);
    const z = Math.abs(v);
    sum += z < d ? r(r(0.5 * z) * z) : r(d * r(z - half));
    if (grad !== null) grad[i] = v <= -d ? -nd : v >= d ? nd : r(n * v);
  }
  return sum;
}

function smoothL1Sum(x: Data, y: Data, beta: number, norm: number, r: Round,
  grad: Data | null): number {
  const b = r(beta);
  const half = r(0.5 * b);
  const n = r(norm);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = r(x[i] - y[i]);
    const z = Math.abs(v);
    sum += z < b ? r(r(r(0.5 * z) * z) / b) : r(z - half);
    if (grad !== null) grad[i] = v <= -b ? -n : v >= b ? n : r(r(n * v) / b);
  }
  return sum;
}

// ---- SoftMarginLoss -------------------------------------------------------------------------

/**
 * l = log(1 + exp(−x·y)), computed naively as PyTorch does (overflows to inf once −x·y passes
 * ≈ 88.7 in float32). `ro` is the input's (output's) dtype; y is already in the product's.
 */
export function softMarginForward(x: Data, y: Data, ro: Round, out: Data): void {
  for (let i = 0; i < x.length; i++) {
    out[i] = ro(Math.log(ro(1 + ro(Math.exp(ro(-x[i] * y[i]))))));
  }
}

/**
 * float32 on the WebAssembly kernel: Σ losses (as {@link softMarginForward}) and, when `grad` is
 * given, ∂/∂x for upstream 1 (as {@link softMarginInputGrad}); SIMD exp and log of a few ulp.
 * Null when the kernel does not apply.
 */
export function softMarginSumFast(x: Data, y: Data, norm: number,
  grad: Data | null): number | null {
  const rt = x instanceof Float32Array ? wasmFor(x) : null;
  if (!rt || !(x instanceof Float32Array) || !(y instanceof Float32Array) ||
    !(grad === null || grad instanceof Float32Array)) return null;
  return pointwise(rt, "soft_margin_fwd", [input(x), input(y), output(grad)],
    [Math.fround(-norm)], x.length);
}

/**
 * ∂/∂x = −norm·y·z/(1 + z)·g with z = exp(−y·x) in the promoted dtype (`rz`), the rest in the
 * input's (`ro`); an overflowing z gives inf/inf = NaN, as in PyTorch.
 */
export function softMarginInputGrad(x: Data, y: Data, g: Data, norm: number, ro: Round,
  rz: Round, out: Data): void {
  const negNorm = ro(-norm);
  const gs = strideOf(g);
  for (let i = 0; i < x.length; i++) {
    const yi = y[i];
    const z = rz(Math.exp(rz(-yi * x[i])));
    const v = ro(ro(yi * z) * negNorm);
    out[i] = ro(ro(v / rz(z + 1)) * g[i * gs]);
  }
}
