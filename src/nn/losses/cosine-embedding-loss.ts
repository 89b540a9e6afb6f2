/**
 * CosineEmbeddingLoss: pulls pairs labelled 1 together and pushes pairs labelled −1 apart,
 * by the cosine of their angle.
 *
 * ```text
 * cos = Σ x1·x2 / √((Σ x1² + 1e-12)·(Σ x2² + 1e-12))
 * lₙ = 1 − cos              if yₙ = 1
 *      max(0, cos − margin)  if yₙ = −1
 *      0                     otherwise
 * ```
 * Mirrors `torch.nn.functional.cosine_embedding_loss` (torch 1.13), no known deviations: a
 * composite (`grad_fn` `MeanBackward0`, `SumBackward0`, `AddBackward0` for 'none'); 1e-12 is
 * added to each squared norm, so tiny vectors get visibly wrong cosines and a zero vector a
 * huge gradient; the margin branch passes its gradient at exactly 0; the target gets none.
 * As in 1.13, only `input1`'s rank is checked against the target's.
 *
 * Same-shape float inputs of one dtype with a target of one label per row and 'mean' or 'sum'
 * run as one fused node carrying the composite's top name: each row's sums, loss and input1's
 * gradient in one pass over the row, input2's gradient in backward. Broadcasting, mixed or
 * integral dtypes and 'none' take the composite path.
 *
 * Shape: input1, input2 `(N, D)` or `(D)` (broadcast against each other); target `(N)` or
 * `()`; output scalar, or `(N)`/`()` with `reduction: 'none'`. 'mean' divides by N.
 *
 * @example
 * const x1 = torch.tensor([[1, 0], [0, 1]], { dtype: torch.float32 });
 * const x2 = torch.tensor([[1, 1], [1, 0]], { dtype: torch.float32 });
 * String(F.cosineEmbeddingLoss(x1, x2, torch.tensor([1, -1])))    // 'tensor(0.1464)'
 */
import { check } from "../../errors.js";
import { type CosineRows, cosineForward, cosineOtherGrad } from "../../kernels/embedding.js";
import { inScratch, where } from "../../ops/binary.js";
import { float32, float64 } from "../../tensor/dtype.js";
import { listString, sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import {
  type ReductionOptions, applyReduction, checkReduction, resolveReduction,
} from "../reduction.js";
import { REDUCTION_KEYS, roundingOf } from "./common.js";
import { fusedLoss } from "./fused-node.js";

export interface CosineEmbeddingLossOptions extends ReductionOptions {
  /** Cosines of −1 pairs below this cost nothing; [−1, 1], 0 to 0.5 suggested. Default 0. */
  margin?: number;
}

const COSINE_KEYS = [...REDUCTION_KEYS, "margin"] as const;

/** ATen's EPSILON, added to each squared norm: a C++ float, so 1e-12 rounded to float32. */
const EPSILON = Math.fround(1e-12);

const COSINE_ARGS = signature("cosine_embedding_loss", "cosine_embedding_loss()",
  ["input1", "input2", "target"], COSINE_KEYS, { margin: ["float", 4] }, "CosineEmbeddingLoss");

export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor,
  options: CosineEmbeddingLossOptions = {}): Tensor {
  checkArguments(COSINE_ARGS, [input1, input2, target], options);
  const reduction = checkReduction(resolveReduction(options, "mean"));
  checkRanks(input1, input2, target);
  if (reduction !== "none" && fusable(input1, input2, target)) {
    return fusedCosine(input1, input2, target, options.margin ?? 0, reduction);
  }
  const dim = target.dim();
  // Each product is read once, by its sum, and saved by no backward: one scratch block serves.
  const rowSum = (a: Tensor, b: Tensor) => inScratch("cosine", () => a.mul(b)).sum(dim);
  const prodSum = rowSum(input1, input2);
  const magSquare1 = rowSum(input1, input1).add(EPSILON);
  const magSquare2 = rowSum(input2, input2).add(EPSILON);
  const cos = prodSum.div(magSquare1.mul(magSquare2).sqrt());
  const zeros = cos.zerosLike();
  // ATen's `1 - cos` is empty_like(cos).fill_(1).sub_(cos): SubBackward0.
  const pos = cos.onesLike().sub(cos);
  const neg = cos.sub(options.margin ?? 0).clampMin(0);
  const output = where(target.eq(1), pos, zeros).add(where(target.eq(-1), neg, zeros));
  return applyReduction(output, reduction);
}

function fusable(input1: Tensor, input2: Tensor, target: Tensor): boolean {
  const dtype = input1.dtype;
  const rows = target.dim() === 0 ? 1 : input1.shape[0];
  return dtype === input2.dtype && (dtype === float32 || dtype === float64) &&
    sameShape(input1.shape, input2.shape) && input1.numel() > 0 &&
    target.numel() === rows;
}

/** The fused 'mean'/'sum' node (see the doc comment above). */
function fusedCosine(input1: Tensor, input2: Tensor, target: Tensor, margin: number,
  reduction: "mean" | "sum"): Tensor {
  const dtype = input1.dtype;
  const r = roundingOf(dtype);
  const labels = Int8Array.from(target.data as ArrayLike<number | bigint>, (t) =>
    (Number(t) === 1 ? 1 : Number(t) === -1 ? -1 : 0));
  const rows: CosineRows = { x1: input1.data as Float32Array | Float64Array,
    x2: input2.data as Float32Array | Float64Array, labels,
    cols: input1.numel() / labels.length, margin: r(margin), eps: r(EPSILON), r };
  return fusedLoss({
    reduction, count: labels.length, input: input1, others: [input2],
    forward(g1, s) {
      return cosineForward(rows, g1, s);
    },
    otherGrad(_, s, out) {
      cosineOtherGrad(rows, s, out);
    },
  })!;
}

function checkRanks(input1: Tensor, input2: Tensor, target: Tensor): void {
  check(target.dim() <= 1, () =>
    "0D or 1D target tensor expected, multi-target not supported");
  const expected = target.dim() + 1;
  check(input1.dim() === expected, () => `${target.dim()}D target tensor expects ` +
    `${expected}D input tensors, but found inputs with sizes ${listString(input1.shape)} and ` +
    `${listString(input2.shape)}.`);
}

/** Module form of {@link cosineEmbeddingLoss}. */
export const CosineEmbeddingLoss = lossModule<[Tensor, Tensor, Tensor],
  CosineEmbeddingLossOptions>("CosineEmbeddingLoss", cosineEmbeddingLoss, COSINE_KEYS,
  { defaults: { margin: 0 } });
export type CosineEmbeddingLoss = InstanceType<typeof CosineEmbeddingLoss>;
