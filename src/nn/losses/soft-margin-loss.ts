/**
 * SoftMarginLoss: two-class logistic loss for targets ±1.
 *
 * ```text
 * lₙ = log(1 + exp(−yₙ · xₙ))
 * ```
 * Mirrors `torch.nn.functional.soft_margin_loss` (torch 1.13): one fused op
 * (`SoftMarginLossBackward0` for every reduction) computed naively, as PyTorch does: the loss is
 * inf once −y·x passes the overflow point of exp (≈ 88.7 in float32, ≈ 709.8 in float64) and
 * the gradient ∂/∂x = −y·e^(−y·x) / (1 + e^(−y·x))·g·s is then inf/inf = NaN (s = 1/n for
 * 'mean'). The target is not differentiable (an error if it requires grad); any real target
 * value is used as it is. The result keeps the input's dtype. No known deviations.
 *
 * Shape: input `(*)`; target broadcastable to the input's shape (the result keeps the input's
 * shape); output scalar, or `(*)` with `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([0.5, -2, 1], { dtype: torch.float32 });
 * const y = torch.tensor([1, 1, -1], { dtype: torch.float32 });
 * String(F.softMarginLoss(x, y))    // 'tensor(1.3048)'
 */
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, check } from "../../errors.js";
import { type Lease, lease, spend } from "../../kernels/buffers.js";
import {
  reducedValue, softMarginForward, softMarginInputGrad, softMarginSumFast,
} from "../../kernels/pointwise-losses.js";
import { broadcastData, dtypeTitle } from "../../ops/binary.js";
import { asTensorOf, resultType } from "../../ops/promote.js";
import { allocStorage, bool, float32 } from "../../tensor/dtype.js";
import { broadcastShapes } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import {
  type Reduction, type ReductionOptions, checkReduction, resolveReduction,
} from "../reduction.js";
import {
  REDUCTION_KEYS, checkInPlaceShape, checkNoGrad, reducedLoss, roundingOf,
} from "./common.js";

export type SoftMarginLossOptions = ReductionOptions;

type FloatData = Float32Array | Float64Array;

const BOOL_NEGATION = "Negation, the `-` operator, on a bool tensor is not supported. If you " +
  "are trying to invert a mask, use the `~` or `logical_not()` operator instead.";

const SOFT_MARGIN_ARGS = signature("soft_margin_loss", "soft_margin_loss()", ["input", "target"],
  REDUCTION_KEYS, {}, "SoftMarginLoss");

export function softMarginLoss(input: Tensor, target: Tensor,
  options: SoftMarginLossOptions = {}): Tensor {
  checkArguments(SOFT_MARGIN_ARGS, [input, target], options);
  const reduction = checkReduction(resolveReduction(options, "mean"));
  checkNoGrad(target, "soft_margin_loss", "target");
  check(input.dtype !== bool, () => BOOL_NEGATION);
  // PyTorch computes in place in an input-shaped buffer: neg(input).mul_(target).exp_()…
  checkInPlaceShape(input.shape, broadcastShapes(input.shape, target.shape));
  if (!input.dtype.isFloatingPoint) {
    const product = resultType(input, target);
    const computed = product.isFloatingPoint ? product : float32;
    throw new RuntimeError(`result type ${dtypeTitle(computed)} can't be cast to the desired ` +
      `output type ${dtypeTitle(input.dtype)}`);
  }
  return softMarginOp(input, target, reduction);
}

function softMarginOp(input: Tensor, target: Tensor, reduction: Reduction): Tensor {
  const computed = resultType(input, target);
  const x = input.data as FloatData;
  const y = broadcastData(asTensorOf(target, computed), input.shape) as FloatData;
  const ro = roundingOf(input.dtype);
  if (reduction !== "none" && input.dtype === float32 && computed === float32) {
    const fast = softMarginFast(input, target, x, y, reduction);
    if (fast) return fast;
  }
  const losses = allocStorage(input.dtype, x.length) as FloatData;
  softMarginForward(x, y, ro, losses);
  const out = reducedLoss(losses, input.shape, reduction);
  const norm = reduction === "mean" ? 1 / x.length : 1;
  return record("SoftMarginLossBackward0", out, [input, null], (grad) => {
    // the backward negates the target
    check(target.dtype !== bool, () => BOOL_NEGATION);
    const g = asTensorOf(grad, input.dtype).data as FloatData;
    const o = allocStorage(input.dtype, x.length) as FloatData;
    softMarginInputGrad(x, y, g, norm, ro, roundingOf(computed), o);
    return [new Tensor(o, input.shape), null];
  });
}

/**
 * float32 'mean'/'sum' on the WebAssembly kernel: the sum and the input's gradient (upstream 1,
 * pooled buffer) in one pass; null when the kernel does not apply.
 */
function softMarginFast(input: Tensor, target: Tensor, x: FloatData, y: FloatData,
  reduction: Reduction): Tensor | null {
  const n = x.length;
  const norm = reduction === "mean" ? 1 / n : 1;
  const held = isGradEnabled() && input.requiresGrad ? lease("float32", n) : null;
  const sum = softMarginSumFast(x, y, norm, held?.data ?? null);
  if (sum === null) {
    if (held) spend(held);
    return null;
  }
  const out = new Tensor(Float32Array.of(reducedValue(sum, n, reduction === "mean", true)), []);
  return record("SoftMarginLossBackward0", out, [input, null], (grad) => {
    check(target.dtype !== bool, () => BOOL_NEGATION);
    const g = asTensorOf(grad, float32).data as FloatData;
    const reuse = held !== null && held.valid && g[0] === 1;
    const o = reuse ? (held as Lease).data : new Float32Array(n);
    if (held) spend(held);
    if (!reuse) softMarginInputGrad(x, y, g, norm, Math.fround, Math.fround, o);
    return [new Tensor(o, input.shape), null];
  });
}

/** Module form of {@link softMarginLoss}. */
export const SoftMarginLoss = lossModule<[Tensor, Tensor], SoftMarginLossOptions>(
  "SoftMarginLoss", softMarginLoss, REDUCTION_KEYS);
export type SoftMarginLoss = InstanceType<typeof SoftMarginLoss>;
