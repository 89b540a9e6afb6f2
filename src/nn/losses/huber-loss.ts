/**
 * HuberLoss: squared error for small errors, δ-scaled absolute error for large ones.
 *
 * ```text
 * lₙ = 0.5 · (xₙ − yₙ)²                if |xₙ − yₙ| < δ
 *      δ · (|xₙ − yₙ| − 0.5 · δ)        otherwise
 * ```
 * Mirrors `torch.nn.functional.huber_loss` (torch 1.13): one fused op (`HuberLossBackward0` for
 * every reduction) with PyTorch's gradient ∂/∂x = clamp(x − y, −δ, δ)·g·s, ∂/∂y = −∂/∂x,
 * s = 1/n for 'mean'. δ must be > 0. The result keeps the input's dtype (a float64 target does
 * not promote a float32 input; an integral input with a floating target fails). Takes no
 * `sizeAverage`/`reduce`. One deviation: with operands of different dtypes (float32 and
 * float64, or an integral target) PyTorch's backward fails ("Found dtype Long but expected
 * Float", the bug MSELoss has, pytorch#36553); we return the gradients computed in the
 * promoted dtype, cast to each operand's.
 *
 * Shape: input `(*)`; target the same shape (a different one is broadcast, with PyTorch's
 * warning); output scalar, or the broadcast shape with `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([0.5, 3], { dtype: torch.float32 });
 * const y = torch.tensor([0, 0], { dtype: torch.float32 });
 * String(F.huberLoss(x, y))    // 'tensor(1.3125)'
 */
import { record } from "../../autograd/record.js";
import { RuntimeError, check } from "../../errors.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { type Lease, lease, spend } from "../../kernels/buffers.js";
import {
  type Round, huberBackward, huberForward, huberLikeSum, reducedValue,
} from "../../kernels/pointwise-losses.js";
import { dtypeTitle } from "../../ops/binary.js";
import { broadcastTensors } from "../../ops/broadcast.js";
import { asTensorOf, resultType } from "../../ops/promote.js";
import { type DType, allocStorage, bool, float32 } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import { type Reduction, checkReduction } from "../reduction.js";
import { reducedLoss, roundingOf, warnIfSizesDiffer } from "./common.js";

export interface HuberLossOptions {
  /** 'mean' (default) | 'sum' | 'none' */
  reduction?: Reduction;
  /** The error size where the loss turns from quadratic to linear. Must be > 0. Default 1. */
  delta?: number;
}

const HUBER_KEYS = ["reduction", "delta"] as const;

type FloatData = Float32Array | Float64Array;

const HUBER_ARGS = signature("huber_loss", "huber_loss()", ["input", "target"], HUBER_KEYS,
  { delta: ["float", 4] }, "HuberLoss");

export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  checkArguments(HUBER_ARGS, [input, target], options);
  warnIfSizesDiffer(input, target);
  const [x, y] = broadcastTensors(input, target);
  const reduction = checkReduction(options.reduction ?? "mean");
  const delta = options.delta ?? 1;
  check(delta > 0, () => "huber_loss does not support non-positive values for delta.");
  const computed = resultType(x, y);
  check(canCast(computed, x.dtype), () => `result type ${dtypeTitle(computed)} can't be cast ` +
    `to the desired output type ${dtypeTitle(x.dtype)}`);
  checkImplemented("huber_cpu", computed);
  return fusedPointwiseLoss({
    name: "HuberLossBackward0", outDtype: x.dtype, reduction,
    forward(a, b, r, out) {
      huberForward(a, b, delta, r, out);
    },
    backward(a, b, g, norm, r, out) {
      huberBackward(a, b, g, norm, delta, r, out);
    },
    sum(a, b, norm, r, grad) {
      return huberLikeSum(a, b, delta, false, norm, r, grad);
    },
  }, x, y);
}

/** c10's `canCast`: no cast to a lower category (floating → integral → bool). */
function canCast(from: DType, to: DType): boolean {
  const category = (d: DType) => (d.isFloatingPoint ? 2 : d === bool ? 0 : 1);
  return category(from) <= category(to);
}

/** The kernels are dispatched for floating dtypes only. */
export function checkImplemented(kernel: string, dtype: DType): void {
  if (!dtype.isFloatingPoint) {
    throw new RuntimeError(`"${kernel}" not implemented for '${dtypeTitle(dtype)}'`);
  }
}

/** A fused loss of two same-shape operands computed in their promoted dtype. */
export interface PointwiseLoss {
  /** The autograd node's name. */
  name: string;
  /** The result's dtype (the promoted dtype, or Huber's input dtype). */
  outDtype: DType;
  reduction: Reduction;
  forward: (x: FloatData, y: FloatData, r: Round, out: FloatData) => void;
  /** ∂/∂a of the loss of (a, b); PyTorch's target gradient is this with the roles swapped. */
  backward: (a: FloatData, b: FloatData, g: FloatData, norm: number, r: Round,
    out: FloatData) => void;
  /** Σ losses, and ∂/∂x for upstream 1 into `grad` when given (the reduced fast path). */
  sum?: (x: FloatData, y: FloatData, norm: number, r: Round, grad: FloatData | null) => number;
}

/** Runs `loss` on broadcast operands `x`, `y` and records its hand-written backward. */
export function fusedPointwiseLoss(loss: PointwiseLoss, x: Tensor, y: Tensor): Tensor {
  const computed = resultType(x, y);
  if (loss.sum && loss.reduction !== "none" && x.dtype === computed && y.dtype === computed &&
    loss.outDtype === computed) {
    return fusedReducedLoss(loss, x, y);
  }
  const r = roundingOf(computed);
  const xs = asTensorOf(x, computed).data as FloatData;
  const ys = asTensorOf(y, computed).data as FloatData;
  const losses = allocStorage(loss.outDtype, xs.length) as FloatData;
  loss.forward(xs, ys, r, losses);
  const out = reducedLoss(losses, x.shape, loss.reduction);
  const norm = loss.reduction === "mean" ? 1 / xs.length : 1;
  return record(loss.name, out, [x, y], (grad) => {
    const g = asTensorOf(grad, computed).data as FloatData;
    const gradient = (a: FloatData, b: FloatData) => {
      const o = allocStorage(computed, xs.length) as FloatData;
      loss.backward(a, b, g, norm, r, o);
      return new Tensor(o, x.shape);
    };
    return [x.requiresGrad ? gradient(xs, ys) : null, y.requiresGrad ? gradient(ys, xs) : null];
  });
}

/**
 * 'mean'/'sum' on operands of one float dtype: the losses' sum and the input's gradient (for
 * upstream 1, into a pooled buffer) in one pass; backward reuses it when the upstream is 1.
 */
function fusedReducedLoss(loss: PointwiseLoss, x: Tensor, y: Tensor): Tensor {
  const dtype = x.dtype;
  const kind = dtype === float32 ? "float32" : "float64";
  const r = roundingOf(dtype);
  const xs = x.data as FloatData;
  const ys = y.data as FloatData;
  const n = xs.length;
  const norm = loss.reduction === "mean" ? 1 / n : 1;
  const held = isGradEnabled() && x.requiresGrad ? lease(kind, n) : null;
  const sum = (loss.sum as NonNullable<PointwiseLoss["sum"]>)(xs, ys, norm, r, held?.data ?? null);
  const value = reducedValue(sum, n, loss.reduction === "mean", dtype === float32);
  const out = new Tensor((allocStorage(dtype, 1) as FloatData).fill(value), []);
  return record(loss.name, out, [x, y], (grad) => {
    const g = asTensorOf(grad, dtype).data as FloatData;
    const gradient = (a: FloatData, b: FloatData, buffer: Lease | null) => {
      const reuse = buffer !== null && buffer.valid && g[0] === 1;
      const o = reuse ? buffer.data : allocStorage(dtype, n) as FloatData;
      if (buffer) spend(buffer);
      if (!reuse) loss.backward(a, b, g, norm, r, o);
      return new Tensor(o, x.shape);
    };
    return [held ? gradient(xs, ys, held) : null,
      y.requiresGrad ? gradient(ys, xs, null) : null];
  });
}

/** Module form of {@link huberLoss}. */
export const HuberLoss = lossModule<[Tensor, Tensor], HuberLossOptions>("HuberLoss", huberLoss,
  HUBER_KEYS, { defaults: { delta: 1 } });
export type HuberLoss = InstanceType<typeof HuberLoss>;
