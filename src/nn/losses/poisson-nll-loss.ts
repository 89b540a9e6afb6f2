/**
 * PoissonNLLLoss: negative log likelihood of a Poisson-distributed target.
 *
 * ```text
 * lₙ = exp(xₙ) − yₙ·xₙ                  (logInput true)
 * lₙ = xₙ − yₙ·log(xₙ + eps)            (logInput false)
 * full adds [yₙ > 1]·(yₙ·log yₙ − yₙ + ½·log(2π·yₙ))     (Stirling's approximation of log yₙ!)
 * ```
 * Mirrors `torch.nn.functional.poisson_nll_loss` (torch 1.13), no known deviations: a
 * composite (`grad_fn` `MeanBackward0`, `SumBackward0`, and for 'none' `SubBackward0`, or
 * `AddBackward0` with `full`); nothing is validated, so negative targets or `x + eps ≤ 0`
 * give NaN, and with `full` the masked Stirling term still makes the target gradient NaN
 * where yₙ ≤ 0. An unknown reduction is `'{r} is not valid'`.
 *
 * Same-shape float operands of one dtype with 'mean' or 'sum' and `full` false run as one fused
 * node carrying the composite's top name: forward and the input's gradient in one pass, the
 * target's gradient in backward. Its `nextFunctions` lead straight to the operands.
 * Broadcasting, mixed or integral dtypes, `full` and 'none' take the composite path.
 *
 * Shape: input `(*)`; target broadcastable to it; output scalar, or the broadcast shape with
 * `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([0, 1, -2, 0.5], { dtype: torch.float32 });
 * const y = torch.tensor([0, 1, 2, 5], { dtype: torch.float32 });
 * String(F.poissonNllLoss(x, y))    // 'tensor(1.5006)'
 */
import {
  poissonLinearForward, poissonLogForward, poissonTargetGrad,
} from "../../kernels/likelihood.js";
import { inScratch, reusing } from "../../ops/binary.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import {
  type ReductionOptions, applyReduction, checkReductionShort, resolveReduction,
} from "../reduction.js";
import { REDUCTION_KEYS, roundingOf } from "./common.js";
import { fusedLoss, sameFloatOperands } from "./fused-node.js";

export interface PoissonNLLLossOptions extends ReductionOptions {
  /** The input is log λ (true, default) or λ itself (false). */
  logInput?: boolean;
  /** Add the Stirling term, making the loss the full negative log likelihood. Default false. */
  full?: boolean;
  /** Added to λ before the log when `logInput` is false. Default 1e-8. */
  eps?: number;
}

const POISSON_KEYS = [...REDUCTION_KEYS, "logInput", "full", "eps"] as const;

const POISSON_ARGS = signature("poisson_nll_loss", "poisson_nll_loss()", ["input", "target"],
  POISSON_KEYS,
  { logInput: ["bool", 3], full: ["bool", 4], eps: ["float", 5], reduction: ["reduction*"] },
  "PoissonNLLLoss");

export function poissonNllLoss(input: Tensor, target: Tensor,
  options: PoissonNLLLossOptions = {}): Tensor {
  checkArguments(POISSON_ARGS, [input, target], options);
  const reduction = checkReductionShort(resolveReduction<string>(options, "mean"));
  const { logInput = true, full = false, eps = 1e-8 } = options;
  if (reduction !== "none" && !full && sameFloatOperands(input, target)) {
    return fusedPoissonNll(input, target, logInput, eps, reduction as "mean" | "sum");
  }
  // The product is dead after the subtraction (no backward saved it): its storage is reused,
  // and under a reduction it is a scratch block (the mean or sum reads the loss once).
  const first = logInput ? input.exp() : input;
  const factor = logInput ? input : input.add(eps).log();
  const multiply = () => target.mul(factor);
  const product = reduction === "none" ? multiply() : inScratch("poisson", multiply);
  let loss = reusing(product, () => first.sub(product));
  if (full) loss = loss.add(stirlingTerm(target));
  return applyReduction(loss, reduction);
}

type FloatData = Float32Array | Float64Array;

/** The fused 'mean'/'sum' node (see the doc comment above). */
function fusedPoissonNll(input: Tensor, target: Tensor, logInput: boolean, eps: number,
  reduction: "mean" | "sum"): Tensor {
  const dtype = input.dtype;
  const r = roundingOf(dtype);
  const x = input.data as FloatData;
  const y = target.data as FloatData;
  // `input + eps` adds eps as a scalar of the input's dtype.
  const e = r(eps);
  return fusedLoss({
    reduction, input, others: [target],
    forward(gx, s) {
      return logInput ? poissonLogForward(x, y, r, gx, s) : poissonLinearForward(x, y, e, r, gx, s);
    },
    otherGrad(_, s, out) {
      poissonTargetGrad(x, logInput, e, s, r, out);
    },
  })!;
}

/** y·log y − y + ½·log(2π·y), zeroed (masked_fill) where y ≤ 1. */
function stirlingTerm(target: Tensor): Tensor {
  const term = target.mul(target.log()).sub(target)
    .add(target.mul(2 * Math.PI).log().mul(0.5));
  return term.maskedFill(target.le(1), 0);
}

/** Module form of {@link poissonNllLoss}. */
export const PoissonNLLLoss = lossModule<[Tensor, Tensor], PoissonNLLLossOptions>(
  "PoissonNLLLoss", poissonNllLoss, POISSON_KEYS,
  { defaults: { logInput: true, full: false, eps: 1e-8 } });
export type PoissonNLLLoss = InstanceType<typeof PoissonNLLLoss>;
