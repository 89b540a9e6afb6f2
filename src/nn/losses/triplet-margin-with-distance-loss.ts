/**
 * TripletMarginWithDistanceLoss: TripletMarginLoss with any distance function.
 *
 * ```text
 * lₙ = max(0, d(aₙ, pₙ) − d(aₙ, nₙ) + margin)      (swap: d(aₙ, nₙ) → min(d(aₙ, nₙ), d(pₙ, nₙ)))
 * ```
 * Mirrors `torch.nn.functional.triplet_margin_with_distance_loss` (torch 1.13): a composite
 * (`grad_fn` `MeanBackward0`, `SumBackward0`, `ClampBackward1` for 'none'); `d` is
 * `distanceFunction`, any differentiable function of two tensors (default `pairwiseDistance`,
 * p = 2, eps = 1e-6), and the loss is reduced over whatever shape it returns. Deviations,
 * following torch 2.x: `reduction` is validated before any distance is computed, and
 * 'elementwise_mean' is rejected like any unknown value (1.13 warned and used 'mean'); a
 * margin ≤ 0 is a ValueError (1.13 accepted it); the three inputs must have the same rank
 * (1.13 broadcast them).
 *
 * The default distance with same-shape float operands of one dtype and 'mean' or 'sum' runs
 * as TripletMarginLoss's fused node (its rounding order kept); a `distanceFunction`, even
 * `pairwiseDistance` itself, takes the composite path.
 *
 * Shape: anchor, positive, negative `(N, D)` or `(D)` for the default distance (same rank);
 * output scalar, or the distance's shape with `reduction: 'none'`.
 *
 * @example
 * const anchor = torch.tensor([[0, 0], [0, 1]], { dtype: torch.float32 });
 * const positive = torch.tensor([[1, 0], [0, 2]], { dtype: torch.float32 });
 * const negative = torch.tensor([[1.2, 0], [0, -1]], { dtype: torch.float32 });
 * const l1 = (x: Tensor, y: Tensor) => x.sub(y).abs().sum(-1);
 * String(F.tripletMarginWithDistanceLoss(anchor, positive, negative,
 *   { distanceFunction: l1, margin: 0.5 }))    // 'tensor(0.1500)'
 */
import { TorchTypeError, ValueError, check } from "../../errors.js";
import { pairwiseDistance } from "../../ops/distance.js";
import { pyFloatRepr } from "../../printing/pyfloat.js";
import { kindName } from "../../tensor/argument-kinds.js";
import { Tensor } from "../../tensor/tensor.js";
import { outsideTemporaries } from "../../autograd/temporaries.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import { type Reduction, applyReduction } from "../reduction.js";
import {
  checkMargin, checkSameRank, fusedTriplet, moduleMarginCheck, tripletFusable,
} from "./triplet-margin-loss.js";

export interface TripletMarginWithDistanceLossOptions {
  /** A differentiable distance of two tensors. Default `pairwiseDistance` (p = 2, eps = 1e-6). */
  distanceFunction?: ((x1: Tensor, x2: Tensor) => Tensor) | null;
  /** Must be > 0 (torch 2.x). Default 1. */
  margin?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance. Default false. */
  swap?: boolean;
  /** 'mean' (default) | 'sum' | 'none' */
  reduction?: Reduction;
}

const DISTANCE_KEYS = ["distanceFunction", "margin", "swap", "reduction"] as const;

const DISTANCE_ARGS = signature("triplet_margin_with_distance_loss",
  "triplet_margin_with_distance_loss()", ["anchor", "positive", "negative"], DISTANCE_KEYS,
  { distanceFunction: ["callable?"], margin: ["float"], swap: ["bool"] },
  "TripletMarginWithDistanceLoss");

export function tripletMarginWithDistanceLoss(anchor: Tensor, positive: Tensor,
  negative: Tensor, options: TripletMarginWithDistanceLossOptions = {}): Tensor {
  checkArguments(DISTANCE_ARGS, [anchor, positive, negative], options);
  const { margin = 1, swap = false, reduction = "mean" } = options;
  check(["mean", "sum", "none"].includes(reduction), () =>
    `${reduction} is not a valid value for reduction`, ValueError);
  checkMargin(margin, `margin must be greater than 0, got ${pyFloatRepr(margin)}`);
  checkSameRank(anchor, positive, negative);
  const custom = options.distanceFunction;
  if (!custom && reduction !== "none" && tripletFusable(anchor, positive, negative)) {
    return fusedTriplet(anchor, positive, negative,
      { margin, eps: 1e-6, swap, subtractFirst: true }, reduction);
  }
  const distance = custom ? tensorValued((x1, x2) => outsideTemporaries(() => custom(x1, x2)))
    : pairwiseDistance;
  const distPos = distance(anchor, positive);
  let distNeg = distance(anchor, negative);
  if (swap) distNeg = distNeg.minimum(distance(positive, negative));
  return applyReduction(distPos.sub(distNeg).add(margin).clamp({ min: 0 }), reduction);
}

/**
 * The user's distance function, checked to return a tensor (torch fails later, on its
 * arithmetic); it runs outside the loss's temporaries, since user code may keep what it makes.
 */
function tensorValued(distance: (x1: Tensor, x2: Tensor) => unknown) {
  return (x1: Tensor, x2: Tensor): Tensor => {
    const d = distance(x1, x2);
    if (d instanceof Tensor) return d;
    throw new TorchTypeError("triplet_margin_with_distance_loss(): distanceFunction must " +
      `return a Tensor, not ${kindName(d)}`);
  };
}

/** Module form of {@link tripletMarginWithDistanceLoss}. */
export const TripletMarginWithDistanceLoss = lossModule<[Tensor, Tensor, Tensor],
  TripletMarginWithDistanceLossOptions>("TripletMarginWithDistanceLoss",
  tripletMarginWithDistanceLoss, DISTANCE_KEYS, {
    defaults: { distanceFunction: null, margin: 1, swap: false },
    validate: moduleMarginCheck("TripletMarginWithDistanceLoss"),
  });
export type TripletMarginWithDistanceLoss = InstanceType<typeof TripletMarginWithDistanceLoss>;
