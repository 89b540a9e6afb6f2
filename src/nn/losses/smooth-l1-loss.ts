/**
 * SmoothL1Loss: squared error scaled by 1/β for small errors, absolute error for large ones.
 *
 * ```text
 * lₙ = 0.5 · (xₙ − yₙ)² / β          if |xₙ − yₙ| < β
 *      |xₙ − yₙ| − 0.5 · β            otherwise        (β = 0: exactly |xₙ − yₙ|)
 * ```
 * Mirrors `torch.nn.functional.smooth_l1_loss` (torch 1.13): one fused op
 * (`SmoothL1LossBackward0` for every reduction, also for β = 0) with PyTorch's gradient
 * ∂/∂x = (−1 if x − y ≤ −β; +1 if x − y ≥ β; (x − y)/β otherwise)·g·s and the target's computed
 * by the same rule with the roles swapped, s = 1/n for 'mean'. So with β = 0 a tie x = y gets
 * −1·g·s for both input and target (L1Loss gives 0 there), as in PyTorch. β must be ≥ 0. The
 * result has the promoted dtype of input and target. No known deviations.
 *
 * Shape: input `(*)`; target the same shape (a different one is broadcast, with PyTorch's
 * warning); output scalar, or the broadcast shape with `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([0.5, 3], { dtype: torch.float32 });
 * const y = torch.tensor([0, 0], { dtype: torch.float32 });
 * String(F.smoothL1Loss(x, y, { beta: 0.5 }))    // 'tensor(1.5000)'
 */
import { check } from "../../errors.js";
import {
  huberLikeSum, smoothL1Backward, smoothL1Forward,
} from "../../kernels/pointwise-losses.js";
import { broadcastTensors } from "../../ops/broadcast.js";
import { resultType } from "../../ops/promote.js";
import type { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import { type ReductionOptions, checkReduction, resolveReduction } from "../reduction.js";
import { REDUCTION_KEYS, warnIfSizesDiffer } from "./common.js";
import { checkImplemented, fusedPointwiseLoss } from "./huber-loss.js";

export interface SmoothL1LossOptions extends ReductionOptions {
  /** The error size where the loss turns from quadratic to linear. Must be ≥ 0. Default 1. */
  beta?: number;
}

const SMOOTH_L1_KEYS = [...REDUCTION_KEYS, "beta"] as const;

const SMOOTH_L1_ARGS = signature("smooth_l1_loss", "smooth_l1_loss()", ["input", "target"],
  SMOOTH_L1_KEYS, { beta: ["float", 4] }, "SmoothL1Loss");

export function smoothL1Loss(input: Tensor, target: Tensor,
  options: SmoothL1LossOptions = {}): Tensor {
  checkArguments(SMOOTH_L1_ARGS, [input, target], options);
  warnIfSizesDiffer(input, target);
  const resolved = resolveReduction(options, "mean");
  const [x, y] = broadcastTensors(input, target);
  const reduction = checkReduction(resolved);
  const beta = options.beta ?? 1;
  check(beta >= 0, () => "smooth_l1_loss does not support negative values for beta.");
  const computed = resultType(x, y);
  checkImplemented("smooth_l1_cpu", computed);
  return fusedPointwiseLoss({
    name: "SmoothL1LossBackward0", outDtype: computed, reduction,
    forward(a, b, r, out) {
      smoothL1Forward(a, b, beta, r, out);
    },
    backward(a, b, g, norm, r, out) {
      smoothL1Backward(a, b, g, norm, beta, r, out);
    },
    sum(a, b, norm, r, grad) {
      return huberLikeSum(a, b, beta, true, norm, r, grad);
    },
  }, x, y);
}

/** Module form of {@link smoothL1Loss}. */
export const SmoothL1Loss = lossModule<[Tensor, Tensor], SmoothL1LossOptions>("SmoothL1Loss",
  smoothL1Loss, SMOOTH_L1_KEYS, { defaults: { beta: 1 } });
export type SmoothL1Loss = InstanceType<typeof SmoothL1Loss>;
