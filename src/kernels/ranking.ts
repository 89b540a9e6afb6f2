/**
 * Fused HingeEmbeddingLoss / MarginRankingLoss loops: the forward sum of PyTorch's composite with
 * the input's gradient in the same pass, and the other operands' gradients its autograd graph
 * would produce. Every intermediate is rounded (`r`) to the dtype PyTorch's composite stores it
 * in, in the same order, so the results match its ops. float32 above the WebAssembly threshold
 * runs assembly/ranking.ts (the same f32 operations, so the same gradients).
 */
import type { Round } from "./pointwise-losses.js";
import { driveFloat32, reads, writes } from "./wasm/drive64.js";

type Data = Float32Array | Float64Array;

/** clamp_min(v, 0): NaN stays NaN. */
function clampMin0(v: number): number {
  return v !== v ? v : Math.max(v, 0);
}

/**
 * Σ where(y ≠ 1, max(m − x, 0), 0) + where(y ≠ −1, x, 0), m the margin rounded to the dtype;
 * `gx` (if given) receives the input's gradient for the scale s: the margin branch's
 * −(where(m − x ≥ 0, where(y ≠ 1, s, 0), 0)) (−0 where masked, as negation gives) plus the
 * input branch's where(y ≠ −1, s, 0), as the engine adds them.
 */
export function hingeForward(x: Data, y: Data, m: number, r: Round, gx: Data | null,
  s: number): number {
  const fast = driveFloat32("hinge_fwd", [reads(x), reads(y), writes(gx)], [m, s]);
  if (fast !== null) return fast;
  let sum = 0;
  const negS = -s;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = y[i];
    const marginClamp = r(m - xi);
    sum += r((yi !== 1 ? clampMin0(marginClamp) : 0) + (yi !== -1 ? xi : 0));
    if (gx !== null) {
      gx[i] = (yi !== 1 && marginClamp >= 0 ? negS : -0) + (yi !== -1 ? s : 0);
    }
  }
  return sum;
}

/** z = −y·(x1 − x2) + m as the composite rounds it (m the margin rounded to the dtype). */
function rankingShifted(x1: number, x2: number, y: number, m: number, r: Round): number {
  return r(r(-y * r(x1 - x2)) + m);
}

/**
 * Σ max(−y·(x1 − x2) + m, 0); `g1` (if given) receives input1's gradient for the scale s:
 * (z ≥ 0 ? s : 0)·(−y) (ClampMinBackward0, then MulBackward0 times −y).
 */
export function rankingForward(x1: Data, x2: Data, y: Data, m: number, r: Round,
  g1: Data | null, s: number): number {
  const fast = driveFloat32("ranking_fwd", [reads(x1), reads(x2), reads(y), writes(g1)], [m, s]);
  if (fast !== null) return fast;
  let sum = 0;
  for (let i = 0; i < x1.length; i++) {
    const z = rankingShifted(x1[i], x2[i], y[i], m, r);
    sum += clampMin0(z);
    if (g1 !== null) g1[i] = r((z >= 0 ? s : 0) * -y[i]);
  }
  return sum;
}

/** input2's gradient: SubBackward0 negates input1's. */
export function rankingInput2Grad(x1: Data, x2: Data, y: Data, m: number, r: Round, s: number,
  out: Data): void {
  for (let i = 0; i < x1.length; i++) {
    const z = rankingShifted(x1[i], x2[i], y[i], m, r);
    out[i] = -r((z >= 0 ? s : 0) * -y[i]);
  }
}

/** The target's gradient: NegBackward0 of (z ≥ 0 ? s : 0)·(x1 − x2). */
export function rankingTargetGrad(x1: Data, x2: Data, y: Data, m: number, r: Round, s: number,
  out: Data): void {
  for (let i = 0; i < x1.length; i++) {
    const difference = r(x1[i] - x2[i]);
    const z = r(r(-y[i] * difference) + m);
    out[i] = -r((z >= 0 ? s : 0) * difference);
  }
}
