/**
 * L1Loss: mean absolute error.
 *
 * ```text
 * lₙ = |xₙ − yₙ|
 * ```
 * Mirrors `torch.nn.functional.l1_loss` (torch 1.13), which composes `abs(input − target)` and
 * the reduction, so `grad_fn` is `MeanBackward0`, `SumBackward0` or `AbsBackward0`. Floating
 * operands of one dtype run fused: one node of that name whose `nextFunctions` lead straight to
 * input and target (PyTorch's inner `AbsBackward0`/`SubBackward0` are folded in), and for 'mean'
 * and 'sum' one pass computes the loss and the gradient. The gradient at xₙ = yₙ is 0.
 *
 * Shape: input `(*)`; target the same shape (a different one is broadcast, with PyTorch's
 * warning); output scalar, or the broadcast shape with `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([1, 2, 3], { dtype: torch.float32 });
 * const y = torch.tensor([1, 2, 5], { dtype: torch.float32 });
 * String(F.l1Loss(x, y))    // 'tensor(0.6667)'
 */
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { freshBuffer, lease, spend } from "../../kernels/buffers.js";
import { l1Backward, l1Elementwise, l1Forward } from "../../kernels/l1.js";
import { negateInto } from "../../kernels/pointwise.js";
import { reducedValue } from "../../kernels/pointwise-losses.js";
import { broadcastTensors } from "../../ops/broadcast.js";
import { allocStorage, float32 } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import {
  type Reduction, type ReductionOptions, applyReduction, checkReduction, resolveReduction,
} from "../reduction.js";
import { REDUCTION_KEYS, warnIfSizesDiffer } from "./common.js";

export type L1LossOptions = ReductionOptions;

const L1_ARGS = signature("l1_loss", "l1_loss()", ["input", "target"], REDUCTION_KEYS, {},
  "L1Loss");

export function l1Loss(input: Tensor, target: Tensor, options: L1LossOptions = {}): Tensor {
  checkArguments(L1_ARGS, [input, target], options);
  warnIfSizesDiffer(input, target);
  const reduction = resolveReduction(options, "mean");
  const [x, y] = broadcastTensors(input, target);
  const checked = checkReduction(reduction);
  if (x.dtype.isFloatingPoint && x.dtype === y.dtype) return fusedL1(x, y, checked);
  return applyReduction(x.sub(y).abs(), checked);
}

type FloatData = Float32Array | Float64Array;

/** out = −a, as a new buffer (the target's gradient: SubBackward0 negates). */
function negated(a: FloatData): FloatData {
  const out = freshBuffer(a instanceof Float32Array ? "float32" : "float64", a.length);
  negateInto(a, out);
  return out;
}

/** |x − y| reduced, as one node named like PyTorch's top node. */
function fusedL1(x: Tensor, y: Tensor, reduction: Reduction): Tensor {
  const xd = x.data as FloatData;
  const yd = y.data as FloatData;
  if (reduction === "none") return fusedL1None(x, y, xd, yd);
  const n = xd.length;
  const f32 = x.dtype === float32;
  const kind = f32 ? "float32" : "float64";
  // PyTorch's mean backward: (g / n) in the dtype, times sgn(x − y); sum's: g·sgn(x − y).
  const factor = (u: number) => (reduction === "sum" ? u : f32 ? Math.fround(u / n) : u / n);
  const wanted = isGradEnabled() && (x.requiresGrad || y.requiresGrad);
  const held = wanted ? lease(kind, n) : null;
  const sum = l1Forward(xd, yd, held?.data ?? null, factor(1));
  const out = new Tensor((allocStorage(x.dtype, 1) as FloatData).fill(
    reducedValue(sum, n, reduction === "mean", f32)), []);
  if (!held) return out;
  const name = reduction === "mean" ? "MeanBackward0" : "SumBackward0";
  return record(name, out, [x, y], (g) => {
    const u = g.data[0] as number;
    const grad = held.valid ? held.data : freshBuffer(kind, n);
    if (!held.valid || u !== 1) l1Forward(xd, yd, grad, factor(u));
    spend(held);
    return [x.requiresGrad ? new Tensor(grad, x.shape) : null,
      y.requiresGrad ? new Tensor(negated(grad), y.shape) : null];
  });
}

function fusedL1None(x: Tensor, y: Tensor, xd: FloatData, yd: FloatData): Tensor {
  const losses = allocStorage(x.dtype, xd.length) as FloatData;
  l1Elementwise(xd, yd, losses);
  return record("AbsBackward0", new Tensor(losses, x.shape), [x, y], (g) => {
    const grad = allocStorage(x.dtype, xd.length) as FloatData;
    l1Backward(xd, yd, g.data as FloatData, grad);
    return [x.requiresGrad ? new Tensor(grad, x.shape) : null,
      y.requiresGrad ? new Tensor(negated(grad), y.shape) : null];
  });
}

/** Module form of {@link l1Loss}. */
export const L1Loss = lossModule<[Tensor, Tensor], L1LossOptions>("L1Loss", l1Loss, REDUCTION_KEYS);
export type L1Loss = InstanceType<typeof L1Loss>;
