/**
 * BCEWithLogitsLoss: binary cross-entropy on logits (a sigmoid and BCELoss in one stable op).
 *
 * ```text
 * lₙ = −wₙ · [pₙ · yₙ · log σ(xₙ) + (1 − yₙ) · log(1 − σ(xₙ))]
 *    = wₙ · [(1 − yₙ) · xₙ + (1 + (pₙ − 1) · yₙ) · softplus(−xₙ)]
 * ```
 * Mirrors `torch.nn.functional.binary_cross_entropy_with_logits` (torch 1.13): one op
 * (`BinaryCrossEntropyWithLogitsBackward0` for every reduction) computed as PyTorch does,
 * softplus(−x) = m + log(e^−m + e^(−x−m)) with m = max(−x, 0), so logits of any finite size give
 * finite losses and gradients (±inf logits give inf or NaN, as in PyTorch). Gradients:
 * ∂/∂x = w·((p·y + 1 − y)·σ(x) − p·y)·g·s, ∂/∂y = w·(log(1 − σ(x)) − p·log σ(x))·g·s (without
 * `posWeight`: w·(σ(x) − y)·g·s and −w·x·g·s), s = 1/n for 'mean'. `weight` and `posWeight`
 * broadcast against the input (a `(C)` posWeight weighs the positives of each class, along the
 * last dim) and are not differentiable. The result has the target's dtype. With every operand
 * float32, 'mean' and 'sum' compute the loss and ∂/∂x in one fused pass (WebAssembly SIMD, on
 * worker threads when large). No known deviations.
 *
 * Shape: input `(*)`; target the same shape; `weight`, `posWeight` broadcastable to it; output
 * scalar, or `(*)` with `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([0.8, -1.2, 2.5], { dtype: torch.float32 });
 * const y = torch.tensor([0, 1, 1], { dtype: torch.float32 });
 * String(F.binaryCrossEntropyWithLogits(x, y))    // 'tensor(0.9044)'
 */
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, ValueError, check } from "../../errors.js";
import { type Lease, lease, spend } from "../../kernels/buffers.js";
import {
  bceLogitsFastApplies, bceLogitsForward, bceLogitsInputGrad, bceLogitsSumFast,
  bceLogitsTargetGrad, reducedValue,
} from "../../kernels/pointwise-losses.js";
import { dtypeTitle } from "../../ops/binary.js";
import { asTensorOf, resultType } from "../../ops/promote.js";
import { allocStorage, bool, float32 } from "../../tensor/dtype.js";
import { broadcastShapes, sameShape, sizeString } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import {
  type Reduction, type ReductionOptions, checkReduction, resolveReduction,
} from "../reduction.js";
import {
  REDUCTION_KEYS, checkInPlaceShape, checkNoGrad, reducedLoss, roundingOf, weightData,
} from "./common.js";

export interface BCEWithLogitsLossOptions extends ReductionOptions {
  /** A manual rescaling weight, broadcastable to the input. Not differentiable. */
  weight?: Tensor | null;
  /** The weight of the positive term, broadcastable to the input: `(C)` per class. */
  posWeight?: Tensor | null;
}

const LOGITS_KEYS = [...REDUCTION_KEYS, "weight", "posWeight"] as const;
const FN = "binary_cross_entropy_with_logits";

type FloatData = Float32Array | Float64Array;

interface Weights {
  weight: Tensor | null;
  posWeight: Tensor | null;
}

const LOGITS_ARGS = signature("binary_cross_entropy_with_logits", `${FN}()`, ["input", "target"],
  LOGITS_KEYS, { weight: ["Tensor?", 3], posWeight: ["Tensor?", 4] }, "BCEWithLogitsLoss");

export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor,
  options: BCEWithLogitsLossOptions = {}): Tensor {
  checkArguments(LOGITS_ARGS, [input, target], options);
  const reduction = checkReduction(resolveReduction(options, "mean"));
  check(sameShape(target.shape, input.shape), () => `Target size (${sizeString(target.shape)}) ` +
    `must be the same as input size (${sizeString(input.shape)})`, ValueError);
  const weights = { weight: options.weight ?? null, posWeight: options.posWeight ?? null };
  checkNoGrad(weights.weight, FN, "weight");
  checkNoGrad(weights.posWeight, FN, "pos_weight");
  checkOperands(input, target, weights);
  return logitsOp(input, target, weights, reduction);
}

/** The failures of PyTorch's composite, in the order its steps meet them. */
function checkOperands(input: Tensor, target: Tensor, { weight, posWeight }: Weights): void {
  check(input.dtype !== bool, () => "Negation, the `-` operator, on a bool tensor is not " +
    "supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator " +
    "instead.");
  check(posWeight?.dtype !== bool, () => "Subtraction, the `-` operator, with a bool tensor " +
    "is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` " +
    "operator instead.");
  // (pos_weight − 1)·target is computed first, out of place, so it may broadcast
  const logWeightShape = posWeight ? broadcastShapes(posWeight.shape, target.shape) : null;
  check(target.dtype !== bool || (posWeight !== null && !input.dtype.isFloatingPoint), () =>
    "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or " +
    "`logical_xor()` operator instead.");
  if (!input.dtype.isFloatingPoint || !target.dtype.isFloatingPoint) {
    // an integral input fails at exp(−max(−x, 0)) (float32), an integral target at (1 − y)·x
    const computed = input.dtype.isFloatingPoint ? input.dtype : float32;
    throw new RuntimeError(`result type ${dtypeTitle(computed)} can't be cast to the desired ` +
      `output type ${dtypeTitle(input.dtype.isFloatingPoint ? target.dtype : input.dtype)}`);
  }
  // the losses accumulate in place in a target-shaped buffer: `(1 − target)·input + …`
  if (logWeightShape) checkInPlaceShape(target.shape, logWeightShape);
  if (weight) checkInPlaceShape(target.shape, broadcastShapes(target.shape, weight.shape));
}

function logitsOp(input: Tensor, target: Tensor, { weight, posWeight }: Weights,
  reduction: Reduction): Tensor {
  const logWeightDtype = posWeight ? resultType(posWeight, target) : target.dtype;
  const operands: Operands = {
    input, target, x: input.data as FloatData, y: target.data as FloatData,
    p: posWeight && weightData(posWeight, input.shape, logWeightDtype),
    w: weight && weightData(weight, input.shape, target.dtype),
    divisor: reduction === "mean" ? input.numel() : 1,
  };
  if (reduction !== "none") {
    const fast = logitsFast(operands, posWeight, reduction);
    if (fast) return fast;
  }
  const losses = allocStorage(target.dtype, input.numel()) as FloatData;
  bceLogitsForward(operands.x, operands.y, operands.p, operands.w, {
    input: roundingOf(input.dtype), out: roundingOf(target.dtype),
    posWeight: roundingOf(posWeight?.dtype ?? target.dtype), logWeight: roundingOf(logWeightDtype),
  }, losses);
  const out = reducedLoss(losses, input.shape, reduction);
  return record("BinaryCrossEntropyWithLogitsBackward0", out, [input, target], (grad) => [
    input.requiresGrad ? inputGradient(operands, posWeight, grad) : null,
    target.requiresGrad ? targetGradient(operands, posWeight, grad) : null,
  ]);
}

/**
 * 'mean'/'sum' with every operand float32, on the WebAssembly kernel: the sum and the input's
 * gradient (upstream 1, into a pooled buffer) in one pass; backward hands that buffer over when
 * the upstream is 1. Null when the kernel does not apply.
 */
function logitsFast(o: Operands, posWeight: Tensor | null, reduction: Reduction): Tensor | null {
  if (!bceLogitsFastApplies(o.x, o.y, o.p, o.w)) return null;
  const n = o.x.length;
  const held = isGradEnabled() && o.input.requiresGrad ? lease("float32", n) : null;
  const sum = bceLogitsSumFast(o.x, o.y, o.p, o.w, o.divisor, held?.data ?? null) as number;
  const out = new Tensor(Float32Array.of(reducedValue(sum, n, reduction === "mean", true)), []);
  return record("BinaryCrossEntropyWithLogitsBackward0", out, [o.input, o.target], (grad) => {
    const reuse = held !== null && held.valid && grad.item() === 1;
    if (held) spend(held);
    const inputGrad = reuse ? new Tensor((held as Lease).data, o.input.shape)
      : held ? inputGradient(o, posWeight, grad) : null;
    return [inputGrad, o.target.requiresGrad ? targetGradient(o, posWeight, grad) : null];
  });
}

/** The operands of one call: tensors, their data, weights at the input's shape, divisor. */
interface Operands {
  input: Tensor;
  target: Tensor;
  x: FloatData;
  y: FloatData;
  p: FloatData | null;
  w: FloatData | null;
  divisor: number;
}

/** PyTorch's backward computes in (pos_weight ⊕ target) or (input ⊕ target). */
function inputGradient(o: Operands, posWeight: Tensor | null, grad: Tensor): Tensor {
  const dtype = posWeight ? resultType(posWeight, o.target) : resultType(o.input, o.target);
  const g = asTensorOf(grad, o.target.dtype).data as FloatData;
  const out = allocStorage(dtype, o.x.length) as FloatData;
  bceLogitsInputGrad(o.x, o.y, o.p, o.w, g, o.divisor, roundingOf(o.input.dtype),
    roundingOf(dtype), out);
  return new Tensor(out, o.input.shape);
}

/** −x·g promotes with g (0-dim for 'mean'); the pos_weight path stays in the input's dtype. */
function targetGradient(o: Operands, posWeight: Tensor | null, grad: Tensor): Tensor {
  const dtype = posWeight ? o.input.dtype : resultType(o.input, grad);
  const g = asTensorOf(grad, o.target.dtype).data as FloatData;
  const out = allocStorage(dtype, o.x.length) as FloatData;
  bceLogitsTargetGrad(o.x, o.p, o.w, g, o.divisor, roundingOf(dtype), out);
  return new Tensor(out, o.input.shape);
}

/** Module form of {@link binaryCrossEntropyWithLogits}. */
export const BCEWithLogitsLoss = lossModule<[Tensor, Tensor], BCEWithLogitsLossOptions>(
  "BCEWithLogitsLoss", binaryCrossEntropyWithLogits, LOGITS_KEYS,
  { defaults: { weight: null, posWeight: null } });
export type BCEWithLogitsLoss = InstanceType<typeof BCEWithLogitsLoss>;
