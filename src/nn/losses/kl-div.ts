/**
 * KLDivLoss: the Kullback–Leibler divergence of the target from the input, both given as
 * (log-)probabilities.
 *
 * ```text
 * lₙ = yₙ·(log yₙ − xₙ)          (logTarget false; 0 where yₙ = 0)
 * lₙ = e^(yₙ)·(yₙ − xₙ)          (logTarget true)
 * 'batchmean' = Σ lₙ / input.size(0)
 * ```
 * Mirrors `torch.nn.functional.kl_div` (torch 1.13): a composite `xlogy(t, t) − t·x` (or
 * `exp(t)·(t − x)`), so `grad_fn` is `SubBackward0`/`MulBackward0` for 'none', `MeanBackward0`,
 * `SumBackward0`, and `DivBackward0` for 'batchmean'. The default 'mean' divides by every
 * element and warns, as PyTorch does; 'batchmean' is the mathematical KL divergence.
 *
 * Shape: input `(*)`; target broadcastable to it; output scalar, or the broadcast shape with
 * `reduction: 'none'`.
 *
 * @example
 * const input = F.logSoftmax(torch.tensor([[1, 2, 3], [1, 1, 1]], { dtype: torch.float32 }), 1);
 * const target = F.softmax(torch.tensor([[3, 2, 1], [0, 0, 1]], { dtype: torch.float32 }), 1);
 * String(F.klDiv(input, target, { reduction: "batchmean" }))    // 'tensor(0.6369)'
 */
import { check, warn } from "../../errors.js";
import { xlogy } from "../../ops/special.js";
import type { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkOptions } from "../options.js";
import { type Reduction, applyReduction, checkReduction, resolveReduction } from "../reduction.js";
import { REDUCTION_KEYS } from "./common.js";

export interface KLDivLossOptions {
  /** 'mean' (default, warns) | 'batchmean' | 'sum' | 'none' */
  reduction?: Reduction | "batchmean";
  /** The target holds log-probabilities. Default false. */
  logTarget?: boolean;
  /** Deprecated (PyTorch warns): use `reduction`. */
  sizeAverage?: boolean | null;
  /** Deprecated (PyTorch warns): use `reduction`. */
  reduce?: boolean | null;
}

const KL_KEYS = [...REDUCTION_KEYS, "logTarget"] as const;

const MEAN_WARNING = "reduction: 'mean' divides the total loss by both the batch size and the " +
  "support size.'batchmean' divides only by the batch size, and aligns with the KL div math " +
  "definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.";

export function klDiv(input: Tensor, target: Tensor, options: KLDivLossOptions = {}): Tensor {
  checkOptions("kl_div()", options, KL_KEYS);
  const requested = options.reduction ?? "mean";
  const legacy = (options.sizeAverage ?? null) !== null || (options.reduce ?? null) !== null;
  if (!legacy && requested === "mean") warn(MEAN_WARNING);
  const resolved = legacy ? resolveReduction<string>(options, "mean") : requested;
  const reduction = resolved === "batchmean" ? "sum" : checkReduction(resolved);
  check(input.dtype.isFloatingPoint && target.dtype.isFloatingPoint, () =>
    "kl_div: Integral inputs not supported.");
  const pointwise = options.logTarget
    ? target.exp().mul(target.sub(input))
    : xlogy(target, target).sub(target.mul(input));
  const reduced = applyReduction(pointwise, reduction);
  // 1.13 checks the requested string here, even when the legacy flags replaced it.
  return requested === "batchmean" && input.dim() !== 0 ? reduced.div(input.shape[0]) : reduced;
}

/** Module form of {@link klDiv}. */
export const KLDivLoss = lossModule<[Tensor, Tensor], KLDivLossOptions>("KLDivLoss", klDiv,
  KL_KEYS, { defaults: { logTarget: false } });
export type KLDivLoss = InstanceType<typeof KLDivLoss>;
