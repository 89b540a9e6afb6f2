/**
 * Fused PoissonNLLLoss / GaussianNLLLoss loops: the forward sum of PyTorch's composite with the
 * input's gradient in the same pass, and the other operands' gradients its autograd graph would
 * produce. Every intermediate is rounded (`r`) to the dtype PyTorch's composite stores it in, in
 * the same order, so float32 results match its ops. float32 above the WebAssembly threshold runs
 * assembly/likelihood.ts (same operations; its log is within ≈ 1 ulp and enters the loss only).
 */
import type { Round } from "./pointwise-losses.js";
import { driveFloat32, reads, writes } from "./wasm/drive64.js";

type Data = Float32Array | Float64Array;

/**
 * Σ exp(x) − y·x (logInput); `gx` (if given) receives the input's gradient for the scale
 * s = upstream/divisor: s·exp(x) + (−s)·y (ExpBackward0 plus MulBackward0).
 */
export function poissonLogForward(x: Data, y: Data, r: Round, gx: Data | null, s: number): number {
  const fast = driveFloat32("poisson_fwd", [reads(x), reads(y), writes(gx)], [s]);
  if (fast !== null) return fast;
  let sum = 0;
  const negS = -s;
  for (let i = 0; i < x.length; i++) {
    const e = r(Math.exp(x[i]));
    sum += r(e - r(y[i] * x[i]));
    if (gx !== null) gx[i] = r(r(s * e) + r(negS * y[i]));
  }
  return sum;
}

/**
 * Σ x − y·log(x + eps) (logInput false, eps already rounded to the dtype); `gx` (if given)
 * = s + ((−s)·y)/(x + eps) (SubBackward0 plus LogBackward0).
 */
export function poissonLinearForward(x: Data, y: Data, eps: number, r: Round, gx: Data | null,
  s: number): number {
  const fast = driveFloat32("poisson_lin_fwd", [reads(x), reads(y), writes(gx)], [s, eps]);
  if (fast !== null) return fast;
  let sum = 0;
  const negS = -s;
  for (let i = 0; i < x.length; i++) {
    const a = r(x[i] + eps);
    sum += r(x[i] - r(y[i] * r(Math.log(a))));
    if (gx !== null) gx[i] = r(s + r(r(negS * y[i]) / a));
  }
  return sum;
}

/** The target's gradient (MulBackward0): (−s)·x, or (−s)·log(x + eps) when not logInput. */
export function poissonTargetGrad(x: Data, logInput: boolean, eps: number, s: number, r: Round,
  out: Data): void {
  const negS = -s;
  if (logInput) {
    for (let i = 0; i < x.length; i++) out[i] = r(negS * x[i]);
  } else {
    for (let i = 0; i < x.length; i++) out[i] = r(negS * r(Math.log(r(x[i] + eps))));
  }
}

/** The clamp_(min = floor) of GaussianNLLLoss's variance copy (NaN stays NaN). */
function clamped(v: number, floor: number): number {
  return v < floor ? floor : v;
}

/**
 * Σ ½·(log c + (x − y)²/c) (+ k when `full`), c = max(v, floor) as clamp_ gives it; `gx` (if
 * given) = (t/c)·2(x − y) for t = s·½ (MulBackward0, DivBackward0, PowBackward0). A negative v
 * makes the sum NaN, so that a finite sum proves `var` has no negative entry (NaN: check it).
 */
export function gaussianForward(x: Data, y: Data, v: Data, floor: number, k: number | null,
  r: Round, gx: Data | null, s: number): number {
  const t = r(s * 0.5);
  const fast = driveFloat32("gaussian_fwd", [reads(x), reads(y), reads(v), writes(gx)],
    [t, floor, k === null ? 0 : 1, k ?? 0]);
  if (fast !== null) return fast;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const c = clamped(v[i], floor);
    const d = r(x[i] - y[i]);
    const loss = r(r(r(Math.log(c)) + r(r(d * d) / c)) * 0.5);
    sum += v[i] < 0 ? NaN : k === null ? loss : r(loss + k);
    if (gx !== null) gx[i] = r(r(t / c) * r(2 * d));
  }
  return sum;
}

/**
 * The variance's gradient as the composite's graph sums it at the clamped value c:
 * LogBackward0's t/c plus DivBackward0's (−t)·(((x − y)²/c)/c), t = s·½.
 */
export function gaussianVarGrad(x: Data, y: Data, v: Data, floor: number, s: number, r: Round,
  out: Data): void {
  const t = r(s * 0.5);
  for (let i = 0; i < x.length; i++) {
    const c = clamped(v[i], floor);
    const d = r(x[i] - y[i]);
    const ratio = r(r(d * d) / c);
    out[i] = r(r(t / c) + r(-t * r(ratio / c)));
  }
}

/** Whether any value is below 0 (NaN is not): GaussianNLLLoss's `torch.any(var < 0)`. */
export function anyNegative(v: Data): boolean {
  const fast = driveFloat32("negative_count", [reads(v)], []);
  if (fast !== null) return fast > 0;
  for (let i = 0; i < v.length; i++) if (v[i] < 0) return true;
  return false;
}
