/**
 * L1Loss: mean absolute error.
 *
 * ```text
 * lₙ = |xₙ − yₙ|
 * ```
 * Mirrors `torch.nn.functional.l1_loss` (torch 1.13): a composite `abs(input − target)`
 * followed by the reduction, so `grad_fn` is `MeanBackward0`, `SumBackward0` or
 * `AbsBackward0`. The gradient at xₙ = yₙ is 0.
 *
 * Shape: input `(*)`; target the same shape (a different one is broadcast, with PyTorch's
 * warning); output scalar, or the broadcast shape with `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([1, 2, 3], { dtype: torch.float32 });
 * const y = torch.tensor([1, 2, 5], { dtype: torch.float32 });
 * String(F.l1Loss(x, y))    // 'tensor(0.6667)'
 */
import { broadcastTensors } from "../../ops/broadcast.js";
import type { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkOptions } from "../options.js";
import {
  type ReductionOptions, applyReduction, checkReduction, resolveReduction,
} from "../reduction.js";
import { REDUCTION_KEYS, warnIfSizesDiffer } from "./common.js";

export type L1LossOptions = ReductionOptions;

export function l1Loss(input: Tensor, target: Tensor, options: L1LossOptions = {}): Tensor {
  checkOptions("l1_loss()", options, REDUCTION_KEYS);
  warnIfSizesDiffer(input, target);
  const reduction = resolveReduction(options, "mean");
  const [x, y] = broadcastTensors(input, target);
  return applyReduction(x.sub(y).abs(), checkReduction(reduction));
}

/** Module form of {@link l1Loss}. */
export const L1Loss = lossModule<[Tensor, Tensor], L1LossOptions>("L1Loss", l1Loss, REDUCTION_KEYS);
export type L1Loss = InstanceType<typeof L1Loss>;
