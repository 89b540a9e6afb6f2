/** Special functions the losses need: `xlogy`. */
import { record } from "../autograd/record.js";
import { Tensor } from "../tensor/tensor.js";
import { applyBinary } from "./binary.js";
import { type Operand, resultType } from "./promote.js";
import { float32 } from "../tensor/dtype.js";

/** x·log(y), defined as 0 where x == 0 (unless y is NaN), as `torch.xlogy`. */
function xlogyValue(x: number, y: number): number {
  if (y !== y) return NaN;
  return x === 0 ? 0 : x * Math.log(y);
}

export function xlogy(x: Operand, y: Operand): Tensor {
  let dtype = resultType(x, y);
  if (!dtype.isFloatingPoint) dtype = float32;
  const out = applyBinary(x, y, dtype, dtype, { number: xlogyValue });
  const inputs = [x, y].map((t) => (t instanceof Tensor ? t : null));
  return record("XlogyBackward0", out, inputs, (g) => [
    x instanceof Tensor && x.requiresGrad ? g.mul(xlogy(x.ne(0), y)) : null,
    y instanceof Tensor && y.requiresGrad ? g.mul(x).div(y) : null,
  ]);
}
