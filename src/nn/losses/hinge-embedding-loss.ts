/**
 * HingeEmbeddingLoss: for targets ±1, the input itself (y = 1) or its hinge against the margin
 * (y = −1), as used to learn embeddings from distances.
 *
 * ```text
 * lₙ = [yₙ ≠ 1]·max(0, margin − xₙ) + [yₙ ≠ −1]·xₙ
 * ```
 * Mirrors `torch.nn.functional.hinge_embedding_loss` (torch 1.13): a composite
 * `where(y ≠ 1, clampMin(margin − x, 0), 0) + where(y ≠ −1, x, 0)`, so `grad_fn` is
 * `AddBackward0` for 'none', then `MeanBackward0` / `SumBackward0`. Targets other than ±1 take
 * both terms. The gradient passes at the kink margin − x = 0 (clampMin's convention); the
 * target gets none. The result keeps the input's dtype: an int64 input gives an int64 result
 * (the margin truncated) for 'none'/'sum', and 'mean' fails as in PyTorch.
 *
 * A same-shape float input and target of one dtype with 'mean' or 'sum' run as one fused node
 * carrying the composite's top name: forward and the input's gradient in one pass
 * (kernels/ranking.ts). Broadcasting, mixed or integral dtypes and 'none' take the composite.
 *
 * Shape: input `(*)`; target broadcastable to it (silently); output scalar, or the broadcast
 * shape with `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([0.3, 2, -0.5, 0.3, 0.3], { dtype: torch.float32 });
 * const y = torch.tensor([1, -1, -1, 0, 2], { dtype: torch.float32 });
 * String(F.hingeEmbeddingLoss(x, y))    // 'tensor(0.7600)'
 */
import { hingeForward } from "../../kernels/ranking.js";
import { inScratch, reusing, sub, where } from "../../ops/binary.js";
import { filled } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import {
  type ReductionOptions, applyReduction, checkReduction, resolveReduction,
} from "../reduction.js";
import { REDUCTION_KEYS, roundingOf } from "./common.js";
import { fusedLoss, sameFloatOperands } from "./fused-node.js";

export interface HingeEmbeddingLossOptions extends ReductionOptions {
  /** Default 1. */
  margin?: number;
}

const HINGE_KEYS = [...REDUCTION_KEYS, "margin"] as const;

const HINGE_ARGS = signature("hinge_embedding_loss", "hinge_embedding_loss()", ["input", "target"],
  HINGE_KEYS, { margin: ["float", 3] }, "HingeEmbeddingLoss");

export function hingeEmbeddingLoss(input: Tensor, target: Tensor,
  options: HingeEmbeddingLossOptions = {}): Tensor {
  checkArguments(HINGE_ARGS, [input, target], options);
  const reduction = checkReduction(resolveReduction(options, "mean"));
  const margin = options.margin ?? 1;
  if (reduction !== "none" && sameFloatOperands(input, target)) {
    return fusedHinge(input, target, margin, reduction as "mean" | "sum");
  }
  // A float scalar 0 (or margin) gives the same values and dtype as a filled float tensor,
  // without a full-size temporary; integral inputs keep PyTorch's filled tensors.
  const floating = input.dtype.isFloatingPoint;
  const zeros = floating ? 0 : input.zerosLike();
  // PyTorch's `margin - self` fills a tensor of the input's dtype with the margin first
  const marginClamp = sub(floating ? margin : filled(input.shape, input.dtype, margin), input)
    .clampMin(0);
  // Each `reusing` result takes over its dead operand's storage (no backward saved it).
  const notPositive = target.ne(1);
  const outputMargin = reusing(marginClamp, () => where(notPositive, marginClamp, zeros));
  const notNegative = target.ne(-1);
  // Read once, by the sum below: a scratch block.
  const outputSelf = inScratch("hinge", () => where(notNegative, input, zeros));
  return applyReduction(reusing(outputMargin, () => outputMargin.add(outputSelf)), reduction);
}

type FloatData = Float32Array | Float64Array;

/** The fused 'mean'/'sum' node (see the doc comment above); the target gets no gradient. */
function fusedHinge(input: Tensor, target: Tensor, margin: number,
  reduction: "mean" | "sum"): Tensor {
  const r = roundingOf(input.dtype);
  const x = input.data as FloatData;
  const y = target.data as FloatData;
  // `margin - input` takes the margin as a scalar of the input's dtype.
  const m = r(margin);
  return fusedLoss({
    reduction, input, others: [],
    forward(gx, s) {
      return hingeForward(x, y, m, r, gx, s);
    },
  })!;
}

/** Module form of {@link hingeEmbeddingLoss}. */
export const HingeEmbeddingLoss = lossModule<[Tensor, Tensor], HingeEmbeddingLossOptions>(
  "HingeEmbeddingLoss", hingeEmbeddingLoss, HINGE_KEYS, { defaults: { margin: 1 } });
export type HingeEmbeddingLoss = InstanceType<typeof HingeEmbeddingLoss>;
