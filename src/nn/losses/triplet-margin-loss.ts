/**
 * TripletMarginLoss: the anchor should be nearer the positive than the negative, by a margin.
 *
 * ```text
 * d(a, b) = ‖a − b + eps‖_p over the last dim
 * lₙ = max(0, margin + d(aₙ, pₙ) − d(aₙ, nₙ))       (swap: d(aₙ, nₙ) → min(d(aₙ, nₙ), d(pₙ, nₙ)))
 * ```
 * Mirrors `torch.nn.functional.triplet_margin_loss` (torch 1.13): a composite of
 * `pairwiseDistance` (`grad_fn` `MeanBackward0`, `SumBackward0`, `ClampMinBackward0` for
 * 'none'); `eps` is added to every component of the difference, so `d(v, v) ≠ 0`. Deviations,
 * following torch 2.x: a margin ≤ 0 is a ValueError (`margin must be greater than 0, got
 * -1.0`; the module says so at construction), where 1.13 accepted it; inputs of different
 * ranks get 2.x's message (1.13: `All inputs should have same dimension but got 2D, 1D and 2D
 * inputs.`).
 *
 * With p = 2, same-shape float operands of one dtype and 'mean' or 'sum', one fused node
 * carrying the composite's top name computes each row's distances, loss and the anchor's
 * gradient in one pass over the row; the positive's and negative's gradients in backward.
 * Other norms, broadcasting, mixed or integral dtypes and 'none' take the composite path.
 *
 * Shape: anchor, positive, negative `(N, D)` or `(D)` (same rank, broadcast together);
 * output scalar, or the shape without its last dim with `reduction: 'none'`.
 *
 * @example
 * const anchor = torch.tensor([[0, 0], [0, 1]], { dtype: torch.float32 });
 * const positive = torch.tensor([[1, 0], [0, 2]], { dtype: torch.float32 });
 * const negative = torch.tensor([[1.2, 0], [0, -1]], { dtype: torch.float32 });
 * String(F.tripletMarginLoss(anchor, positive, negative))    // 'tensor(0.4000)'
 */
import { ValueError, check } from "../../errors.js";
import { pairwiseDistance } from "../../ops/distance.js";
import { type TripletRows, tripletForward, tripletOtherGrad } from "../../kernels/embedding.js";
import { pyFloatRepr } from "../../printing/pyfloat.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import {
  type ReductionOptions, applyReduction, checkReduction, resolveReduction,
} from "../reduction.js";
import { REDUCTION_KEYS, roundingOf } from "./common.js";
import { fusedLoss, sameFloatOperands } from "./fused-node.js";

export interface TripletMarginLossOptions extends ReductionOptions {
  /** Must be > 0 (torch 2.x). Default 1. */
  margin?: number;
  /** The norm degree of the distance. Default 2. */
  p?: number;
  /** Added to every component of each difference. Default 1e-6. */
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance. Default false. */
  swap?: boolean;
}

const TRIPLET_KEYS = [...REDUCTION_KEYS, "margin", "p", "eps", "swap"] as const;

const TRIPLET_ARGS = signature("triplet_margin_loss", "triplet_margin_loss()",
  ["anchor", "positive", "negative"], TRIPLET_KEYS,
  { margin: ["float", 4], p: ["float", 5], eps: ["float", 6], swap: ["bool", 7] },
  "TripletMarginLoss");

export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor,
  options: TripletMarginLossOptions = {}): Tensor {
  checkArguments(TRIPLET_ARGS, [anchor, positive, negative], options);
  const reduction = checkReduction(resolveReduction(options, "mean"));
  const { margin = 1, p = 2, eps = 1e-6, swap = false } = options;
  checkMargin(margin, `margin must be greater than 0, got ${pyFloatRepr(margin)}`);
  checkSameRank(anchor, positive, negative);
  if (reduction !== "none" && p === 2 && tripletFusable(anchor, positive, negative)) {
    return fusedTriplet(anchor, positive, negative,
      { margin, eps, swap, subtractFirst: false }, reduction);
  }
  const distance = (x: Tensor, y: Tensor) => pairwiseDistance(x, y, { p, eps });
  const distPos = distance(anchor, positive);
  let distNeg = distance(anchor, negative);
  if (swap) distNeg = distNeg.minimum(distance(positive, negative));
  return applyReduction(distPos.add(margin).sub(distNeg).clampMin(0), reduction);
}

/** Whether the fused node takes these operands: one float dtype, one shape, rank ≥ 1. */
export function tripletFusable(anchor: Tensor, positive: Tensor, negative: Tensor): boolean {
  return sameFloatOperands(anchor, positive, negative) && anchor.dim() >= 1 &&
    anchor.numel() > 0;
}

/**
 * The fused 'mean'/'sum' node of the 2-norm triplet losses (see the doc comment above);
 * `subtractFirst` orders the rounding as TripletMarginWithDistanceLoss does.
 */
export function fusedTriplet(anchor: Tensor, positive: Tensor, negative: Tensor,
  options: { margin: number; eps: number; swap: boolean; subtractFirst: boolean },
  reduction: "mean" | "sum"): Tensor {
  const dtype = anchor.dtype;
  const r = roundingOf(dtype);
  const cols = anchor.shape[anchor.dim() - 1];
  const data = (t: Tensor) => t.data as Float32Array | Float64Array;
  const rows: TripletRows = { a: data(anchor), p: data(positive), n: data(negative), cols,
    eps: r(options.eps), margin: r(options.margin), swap: options.swap,
    subtractFirst: options.subtractFirst, r };
  return fusedLoss({
    reduction, count: anchor.numel() / cols, input: anchor, others: [positive, negative],
    forward(ga, s) {
      return tripletForward(rows, ga, s);
    },
    otherGrad(k, s, out) {
      tripletOtherGrad(rows, k as 0 | 1, s, out);
    },
  })!;
}

/** torch 2.x rejects a margin ≤ 0 (NaN passes, as `margin <= 0` is false). */
export function checkMargin(margin: number, message: string): void {
  check(!(margin <= 0), () => message, ValueError);
}

/** torch 2.x's rank check and message, shared with the distance-function variant. */
export function checkSameRank(anchor: Tensor, positive: Tensor, negative: Tensor): void {
  const [a, p, n] = [anchor.dim(), positive.dim(), negative.dim()];
  check(a === p && p === n, () => "The anchor, positive, and negative tensors are expected " +
    `to have the same number of dimensions, but got: anchor ${a}D, positive ${p}D, and ` +
    `negative ${n}D inputs`);
}

/** The torch 2.x constructors' margin check, for the triplet module forms. */
export function moduleMarginCheck(className: string) {
  return (options: { margin?: number }): void => {
    const margin = options.margin ?? 1;
    checkMargin(margin, `${className}: expected margin to be greater than 0, got ` +
      `${pyFloatRepr(margin)} instead`);
  };
}

/** Module form of {@link tripletMarginLoss}. */
export const TripletMarginLoss = lossModule<[Tensor, Tensor, Tensor], TripletMarginLossOptions>(
  "TripletMarginLoss", tripletMarginLoss, TRIPLET_KEYS, {
    defaults: { margin: 1, p: 2, eps: 1e-6, swap: false },
    validate: moduleMarginCheck("TripletMarginLoss"),
  });
export type TripletMarginLoss = InstanceType<typeof TripletMarginLoss>;
