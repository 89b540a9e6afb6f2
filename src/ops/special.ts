/** Special functions the losses need: `xlogy`. */
import { record } from "../autograd/record.js";
import { Tensor } from "../tensor/tensor.js";
import { applyBinary, le, logicalAnd, where } from "./binary.js";
import { type Operand, resultType } from "./promote.js";
import { float32 } from "../tensor/dtype.js";

/** x·log(y), defined as 0 where x == 0 (unless y is NaN), as `torch.xlogy`. */
function xlogyValue(x: number, y: number): number {
  if (y !== y) return NaN;
  return x === 0 ? 0 : x * Math.log(y);
}

/** XlogyBackward0/1/2: both tensors, a scalar x, a scalar y. */
export function xlogy(x: Operand, y: Operand): Tensor {
  let dtype = resultType(x, y);
  if (!dtype.isFloatingPoint) dtype = float32;
  const out = applyBinary(x, y, dtype, dtype, { number: xlogyValue });
  const inputs = [x, y].map((t) => (t instanceof Tensor ? t : null));
  const name = !(x instanceof Tensor) ? "XlogyBackward1"
    : y instanceof Tensor ? "XlogyBackward0" : "XlogyBackward2";
  return record(name, out, inputs, (g) => [
    x instanceof Tensor && x.requiresGrad ? xlogyGradX(g, x, y) : null,
    y instanceof Tensor && y.requiresGrad ? g.mul(x).div(y) : null,
  ]);
}

/** PyTorch 1.13's ∂/∂x: xlogy(g, y), zeroed where x == 0 and y <= 0. */
function xlogyGradX(g: Tensor, x: Tensor, y: Operand): Tensor {
  return where(logicalAnd(x.eq(0), le(y, 0)), 0, xlogy(g, y));
}
