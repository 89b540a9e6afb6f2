/** The `reduction` option shared by every loss, and the deprecated `sizeAverage`/`reduce`. */
import { ValueError, warn } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";

export type Reduction = "none" | "mean" | "sum";

export interface ReductionOptions {
  /** 'mean' (default) | 'sum' | 'none' */
  reduction?: Reduction;
  /** Deprecated (PyTorch warns): use `reduction`. */
  sizeAverage?: boolean | null;
  /** Deprecated (PyTorch warns): use `reduction`. */
  reduce?: boolean | null;
}

/**
 * PyTorch's `_Reduction.legacy_get_string`: if either deprecated flag is given, it replaces
 * `reduction` (a null flag counts as true), with PyTorch's deprecation warning.
 */
export function resolveReduction<R extends string = Reduction>(
  options: { reduction?: R; sizeAverage?: boolean | null; reduce?: boolean | null },
  fallback: R,
): R {
  const { sizeAverage, reduce } = options;
  if ((sizeAverage === undefined || sizeAverage === null) && (reduce === undefined ||
    reduce === null)) {
    return options.reduction ?? fallback;
  }
  const reduceFlag = reduce ?? true;
  const resolved = reduceFlag ? ((sizeAverage ?? true) ? "mean" : "sum") : "none";
  warn(`size_average and reduce args will be deprecated, please use reduction='${resolved}' ` +
    "instead.");
  return resolved as R;
}

/** PyTorch's `_Reduction.get_enum` check: the reduction string must be known. */
export function checkReduction(reduction: string): Reduction {
  if (reduction === "elementwise_mean") {
    warn("reduction='elementwise_mean' is deprecated, please use reduction='mean' instead.");
    return "mean";
  }
  if (reduction !== "none" && reduction !== "mean" && reduction !== "sum") {
    throw new ValueError(`${reduction} is not a valid value for reduction`);
  }
  return reduction;
}

/** PyTorch's `apply_loss_reduction`: `loss.mean()`, `loss.sum()` or `loss` itself. */
export function applyReduction(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return loss.mean();
  if (reduction === "sum") return loss.sum();
  return loss;
}

/**
 * The reduction check of the losses PyTorch validates in Python with a shorter text
 * (PoissonNLLLoss, GaussianNLLLoss, MultiLabelSoftMarginLoss): `'{r} is not valid'`.
 */
export function checkReductionShort(reduction: string): Reduction {
  if (reduction !== "none" && reduction !== "mean" && reduction !== "sum") {
    throw new ValueError(`${reduction} is not valid`);
  }
  return reduction;
}
