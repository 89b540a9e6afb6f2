/**
 * MarginRankingLoss: ranks two inputs; target 1 means input1 should be the larger, −1 input2.
 *
 * ```text
 * lₙ = max(0, −yₙ·(x1ₙ − x2ₙ) + margin)
 * ```
 * Mirrors `torch.nn.functional.margin_ranking_loss` (torch 1.13): a composite
 * `clampMin(−y·(x1 − x2) + margin, 0)`, so `grad_fn` is `ClampMinBackward0` for 'none', then
 * `MeanBackward0` / `SumBackward0`. All three tensors are differentiable, and the gradient passes
 * at the kink (clampMin's convention). Integral operands compute in float32, since the margin
 * is added as a float.
 *
 * Same-shape float operands of one dtype with 'mean' or 'sum' run as one fused node carrying
 * the composite's top name: forward and input1's gradient in one pass (kernels/ranking.ts),
 * input2's and the target's in backward, only when they require grad. Its `nextFunctions` lead
 * straight to the operands. Broadcasting, mixed or integral dtypes and 'none' take the composite.
 *
 * Shape: input1, input2 and target with the same number of dimensions, broadcastable to each
 * other (usually `(N)` or `()`); output scalar, or the broadcast shape with `reduction: 'none'`.
 *
 * @example
 * const x1 = torch.tensor([0.5, -1, 2], { dtype: torch.float32 });
 * const x2 = torch.tensor([0, -0.5, 0.5], { dtype: torch.float32 });
 * const y = torch.tensor([-1, 1, -1], { dtype: torch.float32 });
 * String(F.marginRankingLoss(x1, x2, y, { margin: 0.3 }))    // 'tensor(1.1333)'
 */
import { check } from "../../errors.js";
import {
  rankingForward, rankingInput2Grad, rankingTargetGrad,
} from "../../kernels/ranking.js";
import { reusing } from "../../ops/binary.js";
import { float32 } from "../../tensor/dtype.js";
import { sizeString } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import {
  type ReductionOptions, applyReduction, checkReduction, resolveReduction,
} from "../reduction.js";
import { REDUCTION_KEYS, roundingOf } from "./common.js";
import { fusedLoss, sameFloatOperands } from "./fused-node.js";

export interface MarginRankingLossOptions extends ReductionOptions {
  /** Default 0. */
  margin?: number;
}

const RANKING_KEYS = [...REDUCTION_KEYS, "margin"] as const;

const RANKING_ARGS = signature("margin_ranking_loss", "margin_ranking_loss()",
  ["input1", "input2", "target"], RANKING_KEYS, { margin: ["float", 4] }, "MarginRankingLoss");

export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor,
  options: MarginRankingLossOptions = {}): Tensor {
  checkArguments(RANKING_ARGS, [input1, input2, target], options);
  const reduction = checkReduction(resolveReduction(options, "mean"));
  check(input1.dim() === input2.dim() && input1.dim() === target.dim(), () =>
    "margin_ranking_loss : All input tensors should have same dimension but got sizes: " +
    `input1: ${sizeString(input1.shape)}, input2: ${sizeString(input2.shape)}, ` +
    `target: ${sizeString(target.shape)} `);
  const margin = options.margin ?? 0;
  if (reduction !== "none" && sameFloatOperands(input1, input2, target)) {
    return fusedMarginRanking(input1, input2, target, margin, reduction as "mean" | "sum");
  }
  // `reusing` writes a result into a dead operand's storage: the difference is read by
  // MulBackward0 only when the target requires grad, the product by no backward.
  const negTarget = target.neg();
  const difference = input1.sub(input2);
  const product = target.requiresGrad ? negTarget.mul(difference)
    : reusing(difference, () => negTarget.mul(difference));
  // PyTorch adds the margin as a float scalar: integral products become float32
  const floating = product.dtype.isFloatingPoint ? product : product.to(float32);
  const shifted = reusing(floating, () => floating.add(margin));
  return applyReduction(shifted.clampMin(0), reduction);
}

type FloatData = Float32Array | Float64Array;

/** The fused 'mean'/'sum' node (see the doc comment above). */
function fusedMarginRanking(input1: Tensor, input2: Tensor, target: Tensor, margin: number,
  reduction: "mean" | "sum"): Tensor {
  const dtype = input1.dtype;
  const r = roundingOf(dtype);
  const x1 = input1.data as FloatData;
  const x2 = input2.data as FloatData;
  const y = target.data as FloatData;
  // `+ margin` adds the margin as a scalar of the operands' dtype.
  const m = r(margin);
  const otherGrads = [rankingInput2Grad, rankingTargetGrad];
  return fusedLoss({
    reduction, input: input1, others: [input2, target],
    forward(g1, s) {
      return rankingForward(x1, x2, y, m, r, g1, s);
    },
    otherGrad(k, s, out) {
      otherGrads[k](x1, x2, y, m, r, s, out);
    },
  })!;
}

/** Module form of {@link marginRankingLoss}. */
export const MarginRankingLoss = lossModule<[Tensor, Tensor, Tensor], MarginRankingLossOptions>(
  "MarginRankingLoss", marginRankingLoss, RANKING_KEYS, { defaults: { margin: 0 } });
export type MarginRankingLoss = InstanceType<typeof MarginRankingLoss>;
