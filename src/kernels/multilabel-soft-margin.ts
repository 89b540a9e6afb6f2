/**
 * MultiLabelSoftMarginLoss' fused pass in plain JS (float32 below the WebAssembly threshold, or
 * on the JS backend; float64 always): each element's term −(y·log σ(x) + (1 − y)·log σ(−x)) is
 * BCEWithLogits' term, so its loops give the sum and the input's gradient.
 */
import type { Flat } from "./cpu.js";
import { type Round, bceLogitsForward, bceLogitsInputGrad } from "./pointwise-losses.js";

type Data = Flat<number>;

/** Terms up to this many elements go through one reused buffer; longer ones allocate. */
const SCRATCH_MAX = 4096;
const scratch = new Float64Array(SCRATCH_MAX);

/**
 * Σ of the terms (accumulated in double; each term rounded by `r` as the dtype's ops do) and,
 * when `grad` is given, ∂/∂x = (σ(x) − y)·scale / divisor.
 */
export function mlsmSum(x: Data, y: Data, r: Round, scale: number, divisor: number,
  grad: Data | null): number {
  const n = x.length;
  const terms = n <= SCRATCH_MAX ? scratch : new Float64Array(n);
  bceLogitsForward(x, y, null, null, { input: r, out: r, posWeight: r, logWeight: r }, terms);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += terms[i];
  if (grad) bceLogitsInputGrad(x, y, null, null, [scale], divisor, r, r, grad);
  return sum;
}
