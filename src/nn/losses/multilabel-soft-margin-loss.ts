/**
 * MultiLabelSoftMarginLoss: multi-label one-versus-all logistic loss, averaged over the classes
 * (the last dimension) of each sample.
 *
 * ```text
 * lₙ = −Σ_c w[c]·( y[n, c]·log σ(x[n, c]) + (1 − y[n, c])·log σ(−x[n, c]) ) / C
 * ```
 * Mirrors `torch.nn.functional.multilabel_soft_margin_loss` (torch 1.13): a composite of tensor
 * ops on the stable log-sigmoid (finite for any finite logit), summed over dim `input.dim() − 1`
 * of the broadcast loss and divided by `input.size(-1)`, so `grad_fn` is `DivBackward0` for
 * 'none', then `MeanBackward0` / `SumBackward0`. Input, target and `weight` are all
 * differentiable; targets are used as numbers (not checked to be 0/1). As in PyTorch, an
 * unknown reduction is reported only after the loss is computed, as `'{r} is not valid'`.
 *
 * Shape: input `(C)`, `(N, C)` or `(*, C)`; target broadcastable to it; `weight` broadcastable
 * (usually `(C)`); output scalar, or `(N)` (the input's leading dims) with `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([[0.5, -1, 2], [1.5, 0, -0.5]], { dtype: torch.float32 });
 * const y = torch.tensor([[1, 0, 1], [0, 0.5, 1]], { dtype: torch.float32 });
 * String(F.multilabelSoftMarginLoss(x, y))    // 'tensor(0.7138)'
 */
import { IndexError, check } from "../../errors.js";
import { logSigmoid } from "../../ops/activation.js";
import { inScratch, reusing } from "../../ops/binary.js";
import { mlsmSum } from "../../kernels/multilabel-soft-margin.js";
import { bceLogitsFastApplies, bceLogitsSumFast } from "../../kernels/pointwise-losses.js";
import type { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import {
  type ReductionOptions, applyReduction, checkReductionShort, resolveReduction,
} from "../reduction.js";
import { REDUCTION_KEYS, roundingOf } from "./common.js";
import { fusedLoss, sameFloatOperands } from "./fused-node.js";

type FloatData = Float32Array | Float64Array;

export interface MultiLabelSoftMarginLossOptions extends ReductionOptions {
  /** A manual rescaling weight per class, broadcast against the loss (usually `(C)`). */
  weight?: Tensor | null;
}

const MLSM_KEYS = [...REDUCTION_KEYS, "weight"] as const;

const MLSM_ARGS = signature("multilabel_soft_margin_loss", "multilabel_soft_margin_loss()",
  ["input", "target"], MLSM_KEYS, { weight: ["Tensor?", 3], reduction: ["reduction*"] },
  "MultiLabelSoftMarginLoss");

export function multilabelSoftMarginLoss(input: Tensor, target: Tensor,
  options: MultiLabelSoftMarginLossOptions = {}): Tensor {
  checkArguments(MLSM_ARGS, [input, target], options);
  const reduction = resolveReduction<string>(options, "mean");
  if (!options.weight && (reduction === "mean" || reduction === "sum")) {
    const fused = fusedMultilabelSoftMargin(input, target, reduction);
    if (fused) return fused;
  }
  // Without a weight (whose product would save the loss) the chain lives in scratch blocks, read
  // once by the class sum; the log σ terms too when the target needs no gradient (only that
  // gradient reads them). Sums, products and the negation reuse dead operands' storage.
  const chain = !options.weight;
  const sigmoids = chain && !target.requiresGrad;
  const term = (slot: string, factor: Tensor, x: Tensor): Tensor => {
    if (!sigmoids) {
      const ls = logSigmoid(x);
      return chain ? inScratch(slot, () => factor.mul(ls)) : factor.mul(ls);
    }
    const ls = inScratch(slot, () => logSigmoid(x));
    return reusing(ls, () => factor.mul(ls));
  };
  const positive = term("mlsm-positive", target, input);
  const negative = term("mlsm-negative", target.rsub(1), input.neg());
  const sum = reusing(positive, () => positive.add(negative));
  let loss = reusing(sum, () => sum.neg());
  if (options.weight) loss = loss.mul(options.weight);
  check(input.dim() > 0, () => "Dimension specified as -1 but tensor has no dimensions",
    IndexError);
  const classDim = input.dim() - 1;
  const perSample = loss.sum(classDim).div(input.shape[classDim]);
  return applyReduction(perSample, checkReductionShort(reduction));
}

/**
 * The common call fused (same float dtype and shape, no weight): each element's term is
 * BCEWithLogits' (the same function of x and y), so one pass gives the class sums and the
 * input's gradient (σ(x) − y)·s/C, under the composite's top `grad_fn` name (see
 * fused-node.ts); on the WebAssembly kernel for large float32 inputs, in JS otherwise. Null, and
 * the composite runs, elsewhere and when the sum is not finite (at ±inf logits PyTorch's
 * log-sigmoid form and BCEWithLogits' differ; a float32 sum past the float32 range is inf there).
 */
function fusedMultilabelSoftMargin(input: Tensor, target: Tensor,
  reduction: "mean" | "sum"): Tensor | null {
  if (!sameFloatOperands(input, target) || input.dim() === 0 || input.numel() === 0) return null;
  const x = input.data as FloatData;
  const y = target.data as FloatData;
  const C = input.shape[input.dim() - 1];
  const r = roundingOf(input.dtype);
  const onWasm = bceLogitsFastApplies(x, y, null, null);
  return fusedLoss({
    reduction, count: input.numel() / C, input, others: [target],
    forward(gx, s) {
      const total = onWasm ? bceLogitsSumFast(x, y, null, null, C / s, gx)
        : mlsmSum(x, y, r, s, C, gx);
      return total === null || !Number.isFinite(r(total)) ? null : r(total) / C;
    },
    // −(log σ(x) − log σ(−x))·s/C
    otherGrad(_, s, out) {
      out.set(logSigmoid(input.detach().neg()).sub(logSigmoid(input.detach()))
        .mul(r(s / C)).data as FloatData);
    },
  });
}

/** Module form of {@link multilabelSoftMarginLoss}. */
export const MultiLabelSoftMarginLoss = lossModule<[Tensor, Tensor],
  MultiLabelSoftMarginLossOptions>("MultiLabelSoftMarginLoss", multilabelSoftMarginLoss,
  MLSM_KEYS, { defaults: { weight: null } });
export type MultiLabelSoftMarginLoss = InstanceType<typeof MultiLabelSoftMarginLoss>;
