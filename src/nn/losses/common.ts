/** Checks and small pieces shared by several losses. */
import { check, warn } from "../../errors.js";
import { type Round, reduceLosses, rounding } from "../../kernels/pointwise-losses.js";
import { broadcastData } from "../../ops/binary.js";
import { asTensorOf } from "../../ops/promote.js";
import { type DType, allocStorage, dtypeOfStorage, float32 } from "../../tensor/dtype.js";
import { listString, sameShape, sizeString } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import type { Reduction } from "../reduction.js";

type FloatData = Float32Array | Float64Array;

/** L1/MSE/Huber/SmoothL1 warn (and then broadcast) when the target's size differs. */
export function warnIfSizesDiffer(input: Tensor, target: Tensor): void {
  if (sameShape(input.shape, target.shape)) return;
  warn(`Using a target size (${sizeString(target.shape)}) that is different to the input size ` +
    `(${sizeString(input.shape)}). This will likely lead to incorrect results due to ` +
    "broadcasting. Please ensure they have the same size.");
}

/** The option keys every loss with `reduction` accepts. */
export const REDUCTION_KEYS = ["reduction", "sizeAverage", "reduce"] as const;

/** The losses as the op's result: themselves for 'none', else their 0-dim sum or mean. */
export function reducedLoss(losses: FloatData, shape: readonly number[],
  reduction: Reduction): Tensor {
  if (reduction === "none") return new Tensor(losses, shape);
  const value = reduceLosses(losses, reduction === "mean");
  return new Tensor((allocStorage(dtypeOfStorage(losses), 1) as FloatData).fill(value), []);
}

/** PyTorch's check that a non-differentiable tensor argument does not require grad. */
export function checkNoGrad(t: Tensor | null, fn: string, argument: string): void {
  check(!t?.requiresGrad, () => `The function '${fn}' is not differentiable with respect to ` +
    `argument '${argument}'. This input cannot have requires_grad True.`);
}

/** An in-place op (`loss.mul_(weight)`) cannot grow its output by broadcasting. */
export function checkInPlaceShape(out: readonly number[], broadcast: readonly number[]): void {
  check(sameShape(out, broadcast), () => `output with shape ${listString(out)} doesn't match ` +
    `the broadcast shape ${listString(broadcast)}`);
}

/** The rounding of a dtype's arithmetic (float32 → fround). */
export function roundingOf(dtype: DType): Round {
  return rounding(dtype === float32);
}

/**
 * A weight's values at `shape` as floats: its own float dtype (a float64 weight scales float32
 * losses in double, as PyTorch's in-place `mul_` does), integral weights as `dtype`.
 */
export function weightData(weight: Tensor, shape: readonly number[], dtype: DType): FloatData {
  const w = weight.dtype.isFloatingPoint ? weight : asTensorOf(weight, dtype);
  return broadcastData(w, shape) as FloatData;
}
