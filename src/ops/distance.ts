/**
 * Distances between rows of two tensors, as torch 1.13 composes them: `F.pairwiseDistance`
 * (`NormBackward1`) and `F.cosineSimilarity` (`SumBackward1`). Both broadcast their operands.
 */
import { check } from "../errors.js";
import { checkOptions } from "../nn/options.js";
import {
  argumentError, expectFloat, expectInt, expectOptions, expectTensor,
} from "../tensor/argument-kinds.js";
import { float32 } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { dtypeTitle, reusing } from "./binary.js";
import { resultType } from "./promote.js";

export interface PairwiseDistanceOptions {
  /** The norm degree (any number, ±Infinity included). Default 2. */
  p?: number;
  /** Added to every component of `x1 − x2` before the norm. Default 1e-6. */
  eps?: number;
  /** Keep the reduced last dim as size 1. Default false. */
  keepdim?: boolean;
}

/**
 * The p-norm of `x1 − x2 + eps` over the last dim of the broadcast shape.
 *
 * Mirrors `torch.nn.functional.pairwise_distance` (torch 1.13): `norm(x1 − x2 + eps, p, -1)`,
 * so `d(v, v) = eps·D^(1/p)`, not 0; 0-dim operands give |x1 − x2 + eps|.
 */
export function pairwiseDistance(x1: Tensor, x2: Tensor,
  options: PairwiseDistanceOptions = {}): Tensor {
  expectTensor("pairwise_distance", "x1", 1, x1);
  expectTensor("pairwise_distance", "x2", 2, x2);
  expectOptions("pairwise_distance", options);
  checkOptions("pairwise_distance()", options, ["p", "eps", "keepdim"]);
  const { p = 2, eps = 1e-6, keepdim = false } = options;
  expectFloat("pairwise_distance", "p", 3, p);
  expectFloat("pairwise_distance", "eps", 4, eps);
  if (typeof keepdim !== "boolean") {
    throw argumentError("pairwise_distance", "keepdim", 5, "bool", keepdim);
  }
  const innermost = Math.max(x1.dim(), x2.dim()) - 1;
  const difference = x1.sub(x2);
  // The sum takes over the dead difference's storage (SubBackward0 saves nothing).
  return reusing(difference, () => difference.add(eps)).norm(p, innermost, keepdim);
}

export interface CosineSimilarityOptions {
  /** The dim the vectors lie along. Default 1. */
  dim?: number;
  /** Lower bound of each vector's norm. Default 1e-8. */
  eps?: number;
}

/**
 * `Σ (x1 / ‖x1‖)·(x2 / ‖x2‖)` along `dim`, each norm at least `eps`.
 *
 * Mirrors `torch.nn.functional.cosine_similarity` (torch 1.13): both operands are cast to
 * their common floating dtype and expanded to one shape; each squared norm is clamped to eps²
 * in place, outside autograd, so the gradient is taken at the clamped norm.
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor,
  options: CosineSimilarityOptions = {}): Tensor {
  expectTensor("cosine_similarity", "x1", 1, x1);
  expectTensor("cosine_similarity", "x2", 2, x2);
  expectOptions("cosine_similarity", options);
  checkOptions("cosine_similarity()", options, ["dim", "eps"]);
  const { dim = 1, eps = 1e-8 } = options;
  expectInt("cosine_similarity", "dim", 3, dim);
  expectFloat("cosine_similarity", "eps", 4, eps);
  const common = resultType(x1, x2);
  check(common.isFloatingPoint, () => "expected common dtype to be floating point, yet " +
    `common dtype is ${dtypeTitle(common)}`);
  const shape = broadcastShapes(x1.shape, x2.shape);
  const a = x1.to(common).expand(shape);
  const b = x2.to(common).expand(shape);
  return a.div(clampedNorm(a, dim, eps)).mul(b.div(clampedNorm(b, dim, eps))).sum(dim);
}

/** √max(Σ x², eps²) along `dim` (kept), the clamp applied in place without a graph. */
function clampedNorm(x: Tensor, dim: number, eps: number): Tensor {
  const squared = x.pow(2).sum(dim, true);
  const data = squared.data as Float32Array | Float64Array;
  const floor = squared.dtype === float32 ? Math.fround(eps * eps) : eps * eps;
  // clamp_min_ under no_grad: NaN stays NaN; the bound is first cast to the tensor's dtype.
  for (let i = 0; i < data.length; i++) if (data[i] < floor) data[i] = floor;
  return squared.sqrt();
}
