/**
 * MSELoss: mean squared error.
 *
 * ```text
 * lₙ = (xₙ − yₙ)²
 * ```
 * Mirrors `torch.nn.functional.mse_loss` (torch 1.13): one fused op (`MseLossBackward0` for
 * every reduction) with the hand-written gradient ∂/∂x = 2(x − y)·g·s, ∂/∂y = 2(y − x)·g·s,
 * where s is 1/n for 'mean' and 1 otherwise. One deviation: with operands of different dtypes
 * (float32 and float64, or an int64 target) PyTorch's backward fails ("Found dtype Long but
 * expected Float", pytorch#36553, still open in 2.x); we return the gradients of (x − y)².
 *
 * Shape: input `(*)`; target the same shape (a different one is broadcast, with PyTorch's
 * warning); output scalar, or the broadcast shape with `reduction: 'none'`.
 *
 * @example
 * const x = torch.tensor([1, 2, 3], { dtype: torch.float32 });
 * const y = torch.tensor([1, 2, 5], { dtype: torch.float32 });
 * String(F.mseLoss(x, y))    // 'tensor(1.3333)'
 */
import { record } from "../../autograd/record.js";
import { RuntimeError } from "../../errors.js";
import { mseBackward, mseElementwise, mseSum } from "../../kernels/mse.js";
import { dtypeTitle } from "../../ops/binary.js";
import { broadcastTensors } from "../../ops/broadcast.js";
import { asTensorOf, resultType } from "../../ops/promote.js";
import { allocStorage } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkOptions } from "../options.js";
import {
  type Reduction, type ReductionOptions, checkReduction, resolveReduction,
} from "../reduction.js";
import { REDUCTION_KEYS, warnIfSizesDiffer } from "./common.js";

export type MSELossOptions = ReductionOptions;

type FloatData = Float32Array | Float64Array;

export function mseLoss(input: Tensor, target: Tensor, options: MSELossOptions = {}): Tensor {
  checkOptions("mse_loss()", options, REDUCTION_KEYS);
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
  let out: Tensor;
  if (reduction === "none") {
    const losses = allocStorage(dtype, x.length) as FloatData;
    mseElementwise(x, y, losses);
    out = new Tensor(losses, input.shape);
  } else {
    const sum = mseSum(x, y);
    const value = reduction === "mean" ? sum / x.length : sum;
    out = new Tensor((allocStorage(dtype, 1) as FloatData).fill(value), []);
  }
  const scale = reduction === "mean" ? 1 / x.length : 1;
  return record("MseLossBackward0", out, [input, target], (g) => {
    const upstream = asTensorOf(g, dtype).data as FloatData;
    const gradient = (a: FloatData, b: FloatData) => {
      const grad = allocStorage(dtype, x.length) as FloatData;
      mseBackward(a, b, upstream, scale, grad);
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
