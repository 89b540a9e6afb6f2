/**
 * GaussianNLLLoss: negative log likelihood of a Gaussian target with predicted mean and
 * variance.
 *
 * ```text
 * vₙ = max(varₙ, eps)
 * lₙ = ½·(log vₙ + (xₙ − yₙ)² / vₙ)       (+ ½·log 2π with `full`)
 * ```
 * Mirrors `torch.nn.functional.gaussian_nll_loss` (torch 1.13): a composite (`grad_fn`
 * `MeanBackward0`, `SumBackward0`, and for 'none' `MulBackward0`, or `AddBackward0` with
 * `full`). `var` is clamped to `eps` in place on a copy, outside autograd, so clamped entries
 * still get the gradient ½·(1/eps − d²/eps²). Checks, in order: `var is of incorrect size`,
 * `'{r} is not valid'`, `var has negative entry/entries` (NaN passes). One extension,
 * following torch 2.x: `var` may be a JS number, one non-negative variance for every element
 * (1.13 needed a tensor).
 *
 * Input, target and var of one shape and one float dtype (a number var included) with 'mean' or
 * 'sum' run as one fused node carrying the composite's top name: forward and the input's
 * gradient in one pass (var clamped on the fly, no copy), the target's and var's gradients in
 * backward. Its `nextFunctions` lead straight to the operands (no CloneBackward0 for var).
 * Broadcasting (a var without the last dim or with it 1 included), mixed dtypes and 'none' take
 * the composite path.
 *
 * Shape: input `(*)`; target broadcastable to it; var the input's shape, or that shape with
 * the last dim 1 or without the last dim, or a number; output scalar, or the broadcast shape
 * with `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([[0.5, -1], [1.5, 0]], { dtype: torch.float32 });
 * const y = torch.tensor([[0, -0.5], [2, 1]], { dtype: torch.float32 });
 * String(F.gaussianNllLoss(x, y, torch.tensor([0.5, 2], { dtype: torch.float32 })))
 * // 'tensor(0.2031)'
 */
import { RuntimeError, ValueError, check } from "../../errors.js";
import { binaryFast } from "../../kernels/elementwise.js";
import { anyNegative, gaussianForward, gaussianVarGrad } from "../../kernels/likelihood.js";
import { inScratch, reusing } from "../../ops/binary.js";
import { float32, float64, int64 } from "../../tensor/dtype.js";
import { sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import { type Reduction, applyReduction, checkReductionShort } from "../reduction.js";
import { roundingOf } from "./common.js";
import { fusedLoss, sameFloatOperands } from "./fused-node.js";

export interface GaussianNLLLossOptions {
  /** Add the constant ½·log 2π. Default false. */
  full?: boolean;
  /** The variance is clamped to at least this. Default 1e-6. */
  eps?: number;
  /** 'mean' (default) | 'sum' | 'none' */
  reduction?: Reduction;
}

const GAUSSIAN_KEYS = ["full", "eps", "reduction"] as const;

const GAUSSIAN_ARGS = signature("gaussian_nll_loss", "gaussian_nll_loss()",
  ["input", "target", ["var", "Tensor or float"]], GAUSSIAN_KEYS,
  { full: ["bool", 4], eps: ["float", 5], reduction: ["reduction*"] }, "GaussianNLLLoss");

export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor | number,
  options: GaussianNLLLossOptions = {}): Tensor {
  checkArguments(GAUSSIAN_ARGS, [input, target, variance], options);
  const { full = false, eps = 1e-6, reduction = "mean" } = options;
  let v = typeof variance === "number" ? variance : broadcastableVar(input, variance);
  checkReductionShort(reduction);
  if (typeof v === "number") {
    checkVariance(v);
    v = scalarVar(input, v);
  }
  // The fused forward checks var on the way (see fusedGaussianNll).
  if (reduction !== "none" && sameFloatOperands(input, target, v)) {
    return fusedGaussianNll(input, target, v, eps, full, reduction as "mean" | "sum");
  }
  if (typeof variance !== "number") checkVariance(v);
  const clamped = clampedCopy(v, eps);
  // `reusing` writes each sum/product into a dead operand's storage (no backward reads it; the
  // square is read by DivBackward0 only when the variance requires grad). Under a reduction
  // the chains live in scratch blocks: the mean or sum reads them once.
  const reduced = reduction !== "none";
  const keep = !clamped.requiresGrad;
  const logVar = reduced ? inScratch("gaussian-log", () => clamped.log()) : clamped.log();
  const difference = input.sub(target);
  const square = reduced && keep ? inScratch("gaussian-square", () => difference.pow(2))
    : difference.pow(2);
  const ratio = keep ? reusing(square, () => square.div(clamped)) : square.div(clamped);
  const total = reusing(logVar, () => logVar.add(ratio));
  let loss = reusing(total, () => total.mul(0.5));
  if (full) loss = reusing(loss, () => loss.add(0.5 * Math.log(2 * Math.PI)));
  return applyReduction(loss, reduction);
}

type FloatData = Float32Array | Float64Array;

/** The fused 'mean'/'sum' node (see the doc comment above). */
function fusedGaussianNll(input: Tensor, target: Tensor, variance: Tensor, eps: number,
  full: boolean, reduction: "mean" | "sum"): Tensor {
  const dtype = input.dtype;
  const r = roundingOf(dtype);
  const x = input.data as FloatData;
  const y = target.data as FloatData;
  const v = variance.data as FloatData;
  // clamp_ and `+ ½·log 2π` take their scalars in the dtype.
  const floor = r(eps);
  const k = full ? r(0.5 * Math.log(2 * Math.PI)) : null;
  const forward = (gx: FloatData | null, s: number) =>
    gaussianForward(x, y, v, floor, k, r, gx, s);
  // SubBackward0: the target's gradient is the input's negated.
  const targetGrad = (s: number, out: FloatData) => {
    forward(out, s);
    for (let i = 0; i < out.length; i++) out[i] = -out[i];
  };
  return fusedLoss({
    reduction, input, others: [target, variance], forward,
    otherGrad(k, s, out) {
      if (k === 0) targetGrad(s, out);
      else gaussianVarGrad(x, y, v, floor, s, r, out);
    },
    // A negative var makes the sum NaN: only then is var scanned (PyTorch checks it first; the
    // error is the same, and nothing was handed out yet).
    check(sum) {
      if (Number.isNaN(sum)) checkVariance(variance);
    },
  })!;
}

/** `torch.any(var < 0)` is an error. */
function checkVariance(v: Tensor | number): void {
  const negative = typeof v === "number" ? v < 0
    : v.dtype === float32 || v.dtype === float64 ? anyNegative(v.data as FloatData)
      : (v.lt(0).data as Uint8Array).includes(1);
  check(!negative, () => "var has negative entry/entries", ValueError);
}

/** `var` as given, or unsqueezed to `(..., 1)` when it lacks the input's last dim. */
function broadcastableVar(input: Tensor, variance: Tensor): Tensor {
  if (sameShape(variance.shape, input.shape)) return variance;
  const leading = input.shape.slice(0, -1);
  if (sameShape(leading, variance.shape)) return variance.unsqueeze(-1);
  const ok = sameShape(leading, variance.shape.slice(0, -1)) && variance.size(-1) === 1;
  check(ok, () => "var is of incorrect size", ValueError);
  return variance;
}

/** torch 2.x: a number is one variance for every element of the input (no gradient). */
function scalarVar(input: Tensor, value: number): Tensor {
  const dtype = input.dtype.isFloatingPoint ? input.dtype : float32;
  return input.to(dtype).detach().zerosLike().fill_(value);
}

/** `var.clone()` then `clamp_(min=eps)` under no_grad: the clone's node, clamped values. */
function clampedCopy(variance: Tensor, eps: number): Tensor {
  check(variance.dtype.isFloatingPoint, () => "result type Float can't be cast to the " +
    `desired output type ${variance.dtype === int64 ? "long int" : "bool"}`, RuntimeError);
  const copy = variance.clone();
  const data = copy.data as Float32Array | Float64Array;
  const floor = copy.dtype === float32 ? Math.fround(eps) : eps;
  // In place on the fast loops (as max(v, floor): the same unless floor is 0 and v is −0).
  const bound = data instanceof Float32Array ? Float32Array.of(floor) : Float64Array.of(floor);
  if (floor > 0 && binaryFast("clampMin", data, bound, data)) return copy;
  for (let i = 0; i < data.length; i++) if (data[i] < floor) data[i] = floor;
  return copy;
}

/** Module form of {@link gaussianNllLoss}. */
export const GaussianNLLLoss = lossModule<[Tensor, Tensor, Tensor | number],
  GaussianNLLLossOptions>("GaussianNLLLoss", gaussianNllLoss, GAUSSIAN_KEYS,
  { defaults: { full: false, eps: 1e-6 } });
export type GaussianNLLLoss = InstanceType<typeof GaussianNLLLoss>;
