/**
 * MSELoss: mean squared error.
 *
 * ```text
 * lₙ = (xₙ − yₙ)²
 * ```
 * Mirrors `torch.nn.functional.mse_loss` (torch 1.13): one fused op (`MseLossBackward0` for
 * every reduction) with the hand-written gradient ∂/∂x = 2(x − y)·g·s, ∂/∂y = 2(y − x)·g·s,
 * where s is 1/n for 'mean' and 1 otherwise. For 'mean' and 'sum' the forward's single pass
 * also writes ∂/∂x for g = 1, so backward only scales it. One deviation: with operands of
 * different dtypes (float32 and float64, or an int64 target) PyTorch's backward fails ("Found
 * dtype Long but expected Float", pytorch#36553, still open in 2.x); we return the gradients of
 * (x − y)².
 *
 * Shape: input `(*)`; target the same shape (a different one is broadcast, with PyTorch's
 * warning); output scalar, or the broadcast shape with `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([1, 2, 3], { dtype: torch.float32 });
 * const y = torch.tensor([1, 2, 5], { dtype: torch.float32 });
 * String(F.mseLoss(x, y))    // 'tensor(1.3333)'
 */
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { RuntimeError } from "../../errors.js";
import { Lease, bufferKind, freshBuffer, lease, spend } from "../../kernels/buffers.js";
import { mseBackward, mseElementwise, mseForward } from "../../kernels/mse.js";
import { scaleInto } from "../../kernels/pointwise.js";
import { reducedValue } from "../../kernels/pointwise-losses.js";
import { dtypeTitle } from "../../ops/binary.js";
import { broadcastTensors } from "../../ops/broadcast.js";
import { asTensorOf, resultType } from "../../ops/promote.js";
import { allocStorage, dtypeOfStorage, float32 } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import {
  type Reduction, type ReductionOptions, checkReduction, resolveReduction,
} from "../reduction.js";
import { REDUCTION_KEYS, warnIfSizesDiffer } from "./common.js";

export type MSELossOptions = ReductionOptions;

type FloatData = Float32Array | Float64Array;

const MSE_ARGS = signature("mse_loss", "mse_loss()", ["input", "target"], REDUCTION_KEYS, {},
  "MSELoss");

export function mseLoss(input: Tensor, target: Tensor, options: MSELossOptions = {}): Tensor {
  checkArguments(MSE_ARGS, [input, target], options);
  warnIfSizesDiffer(input, target);
  const reduction = resolveReduction(options, "mean");
  const [x, y] = broadcastTensors(input, target);
  return mseLossOp(x, y, checkReduction(reduction));
}

/** The fused `torch._C._nn.mse_loss` on same-shape operands. */
function mseLossOp(input: Tensor, target: Tensor, reduction: Reduction): Tensor {
  const dtype = resultType(input, target);
  if (!dtype.isFloatingPoint) {
    throw new RuntimeError(`"mse_cpu" not implemented for '${dtypeTitle(dtype)}'`);
  }
  const x = asTensorOf(input, dtype).data as FloatData;
  const y = asTensorOf(target, dtype).data as FloatData;
  if (reduction === "none") return mseElementwiseOp(input, target, x, y);
  const scale = reduction === "mean" ? 1 / x.length : 1;
  // PyTorch's norm = 2·scale, in the operands' dtype.
  const norm = dtype === float32 ? Math.fround(2 * scale) : 2 * scale;
  const kind = bufferKind(dtype);
  // The input's gradient (upstream 1) comes out of the forward's pass when it is needed.
  const held = isGradEnabled() && input.requiresGrad ? lease(kind, x.length) : null;
  const sum = mseForward(x, y, held?.data ?? null, norm);
  const value = reducedValue(sum, x.length, reduction === "mean", dtype === float32);
  const out = new Tensor((allocStorage(dtype, 1) as FloatData).fill(value), []);
  return record("MseLossBackward0", out, [input, target], (g) => {
    const u = (asTensorOf(g, dtype).data as FloatData)[0];
    const gradient = (a: FloatData, b: FloatData, buffer: Lease | null) => {
      const grad = buffer?.valid ? buffer.data : freshBuffer(kind, x.length);
      if (!buffer?.valid) mseForward(a, b, grad, norm);
      if (buffer) spend(buffer);
      if (u !== 1) scaleInto(grad, u, grad);              // (norm·(a − b))·u, PyTorch's order
      return new Tensor(grad, input.shape);
    };
    return [held ? gradient(x, y, held) : null,
      target.requiresGrad ? gradient(y, x, null) : null];
  });
}

/** 'none': (x − y)² per element; the backward needs the upstream values, so it runs then. */
function mseElementwiseOp(input: Tensor, target: Tensor, x: FloatData, y: FloatData): Tensor {
  const dtype = dtypeOfStorage(x);
  const losses = allocStorage(dtype, x.length) as FloatData;
  mseElementwise(x, y, losses);
  const out = new Tensor(losses, input.shape);
  return record("MseLossBackward0", out, [input, target], (g) => {
    const upstream = asTensorOf(g, dtype).data as FloatData;
    const gradient = (a: FloatData, b: FloatData) => {
      const grad = allocStorage(dtype, x.length) as FloatData;
      mseBackward(a, b, upstream, 1, grad);
      return new Tensor(grad, input.shape);
    };
    return [input.requiresGrad ? gradient(x, y) : null,
      target.requiresGrad ? gradient(y, x) : null];
  });
}

/** Module form of {@link mseLoss}. */
export const MSELoss = lossModule<[Tensor, Tensor], MSELossOptions>("MSELoss", mseLoss,
  REDUCTION_KEYS);
export type MSELoss = InstanceType<typeof MSELoss>;
