/**
 * BCELoss: binary cross-entropy between predicted probabilities and targets.
 *
 * ```text
 * lₙ = −wₙ · [yₙ · max(log xₙ, −100) + (1 − yₙ) · max(log(1 − xₙ), −100)]
 * ```
 * Mirrors `torch.nn.functional.binary_cross_entropy` (torch 1.13): one fused op
 * (`BinaryCrossEntropyBackward0` for every reduction) with PyTorch's hand-written gradients
 * ∂/∂x = w·(x − y) / max(x·(1 − x), 1e-12)·g·s and ∂/∂y = w·(log(1 − x) − log x)·g·s (the
 * target's is unclamped: ±inf at x = 0 or 1), s = 1/n for 'mean'. Every input element must lie
 * in [0, 1]; targets are used as they are. `weight` is broadcast to the target's shape and is
 * not differentiable. 'mean' divides by the number of elements, not by Σw. No known deviations.
 *
 * Shape: input `(*)`; target the same shape (of the input's dtype); `weight` broadcastable to
 * it; output scalar, or `(*)` with `reduction: 'none'`.
 *
 * @example
 * const p = torch.tensor([0.2, 0.7, 0.9], { dtype: torch.float32 });
 * const y = torch.tensor([0, 1, 1], { dtype: torch.float32 });
 * String(F.binaryCrossEntropy(p, y))    // 'tensor(0.2284)'
 */
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, ValueError, check } from "../../errors.js";
import {
  allProbabilities, bceForward, bceInputGrad, bceSumFast, bceTargetGrad,
} from "../../kernels/pointwise-losses.js";
import { lease, spend } from "../../kernels/buffers.js";
import { dtypeTitle } from "../../ops/binary.js";
import { asTensorOf } from "../../ops/promote.js";
import { allocStorage, float32 } from "../../tensor/dtype.js";
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

export interface BCELossOptions extends ReductionOptions {
  /** A manual rescaling weight, broadcast to the target's shape. Not differentiable. */
  weight?: Tensor | null;
}

const BCE_KEYS = [...REDUCTION_KEYS, "weight"] as const;

type FloatData = Float32Array | Float64Array;

const BCE_ARGS = signature("binary_cross_entropy", "binary_cross_entropy()", ["input", "target"],
  BCE_KEYS, { weight: ["Tensor?", 3] }, "BCELoss");

export function binaryCrossEntropy(input: Tensor, target: Tensor,
  options: BCELossOptions = {}): Tensor {
  checkArguments(BCE_ARGS, [input, target], options);
  const reduction = checkReduction(resolveReduction(options, "mean"));
  check(sameShape(target.shape, input.shape), () => `Using a target size ` +
    `(${sizeString(target.shape)}) that is different to the input size ` +
    `(${sizeString(input.shape)}) is deprecated. Please ensure they have the same size.`,
  ValueError);
  const weight = options.weight ?? null;
  // F.binary_cross_entropy expands the weight to _infer_size(target, weight) first.
  const weightShape = weight ? broadcastShapes(target.shape, weight.shape) : input.shape;
  checkNoGrad(weight, "binary_cross_entropy", "weight");
  check(target.dtype === input.dtype, () =>
    `Found dtype ${dtypeTitle(target.dtype)} but expected ${dtypeTitle(input.dtype)}`);
  if (!input.dtype.isFloatingPoint) {
    throw new RuntimeError(`"binary_cross_entropy" not implemented for ` +
      `'${dtypeTitle(input.dtype)}'`);
  }
  const checkProbabilities = () => check(allProbabilities(input.data as FloatData), () =>
    "all elements of input should be between 0 and 1");
  if (!weight && reduction !== "none" && input.dtype === float32) {
    const fast = bceFast(input, target, reduction, checkProbabilities);
    if (fast) return fast;
  }
  checkProbabilities();
  checkInPlaceShape(input.shape, weightShape);
  return bceOp(input, target, weight && weightData(weight, input.shape, input.dtype), reduction);
}

/** The fused op on checked operands; `w` is the weight materialised at the input's shape. */
function bceOp(input: Tensor, target: Tensor, w: FloatData | null, reduction: Reduction) {
  const r = roundingOf(input.dtype);
  const x = input.data as FloatData;
  const y = target.data as FloatData;
  const losses = allocStorage(input.dtype, x.length) as FloatData;
  bceForward(x, y, w, r, losses);
  const out = reducedLoss(losses, input.shape, reduction);
  const divisor = reduction === "mean" ? x.length : 1;
  return record("BinaryCrossEntropyBackward0", out, [input, target], (grad) => {
    const g = asTensorOf(grad, input.dtype).data as FloatData;
    const gradient = (fill: (o: FloatData) => void) => {
      const o = allocStorage(input.dtype, x.length) as FloatData;
      fill(o);
      return new Tensor(o, input.shape);
    };
    return [
      input.requiresGrad ? gradient((o) => bceInputGrad(x, y, w, g, divisor, r, o)) : null,
      target.requiresGrad ? gradient((o) => bceTargetGrad(x, w, g, divisor, r, o)) : null,
    ];
  });
}

/**
 * Unweighted float32 'mean'/'sum' on the WebAssembly kernel: the sum and the input's gradient
 * (upstream 1, pooled buffer) in one pass; null when the kernel does not apply. The input is
 * checked to hold probabilities only when the sum is NaN (any x outside [0, 1], NaN included,
 * makes a log NaN), saving a pass; nothing was handed out before the check.
 */
function bceFast(input: Tensor, target: Tensor, reduction: Reduction,
  checkProbabilities: () => void): Tensor | null {
  const x = input.data as FloatData;
  const y = target.data as FloatData;
  const n = x.length;
  const divisor = reduction === "mean" ? n : 1;
  const held = isGradEnabled() && input.requiresGrad ? lease("float32", n) : null;
  const sum = bceSumFast(x, y, divisor, held?.data ?? null);
  if (sum === null || Number.isNaN(sum)) {
    if (held) spend(held);
    if (sum === null) return null;
    checkProbabilities();
    return null;
  }
  const out = new Tensor(Float32Array.of(reduction === "mean" ? sum / n : sum), []);
  const r = roundingOf(float32);
  return record("BinaryCrossEntropyBackward0", out, [input, target], (grad) => {
    const g = asTensorOf(grad, float32).data as FloatData;
    const inputGrad = () => {
      const reuse = held !== null && held.valid && g[0] === 1;
      const o = reuse ? held.data : new Float32Array(n);
      if (held) spend(held);
      if (!reuse) bceInputGrad(x, y, null, g, divisor, r, o);
      return new Tensor(o, input.shape);
    };
    const targetGrad = () => {
      const o = new Float32Array(n);
      bceTargetGrad(x, null, g, divisor, r, o);
      return new Tensor(o, input.shape);
    };
    return [held ? inputGrad() : null, target.requiresGrad ? targetGrad() : null];
  });
}

/** Module form of {@link binaryCrossEntropy}. */
export const BCELoss = lossModule<[Tensor, Tensor], BCELossOptions>("BCELoss",
  binaryCrossEntropy, BCE_KEYS, { defaults: { weight: null } });
export type BCELoss = InstanceType<typeof BCELoss>;
