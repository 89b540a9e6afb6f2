/**
 * Tensor-by-scalar products as PyTorch's C++ composites call them (`mul.Scalar`,
 * `div.Scalar`): the same values as `mul`/`div`, but the node names `MulBackward1` and
 * `DivBackward1` that losses built in C++ show (e.g. cross-entropy with probabilities).
 */
import { noGrad } from "../autograd/grad-mode.js";
import { record } from "../autograd/record.js";
import type { Tensor } from "../tensor/tensor.js";

export function mulScalar(x: Tensor, scalar: number): Tensor {
  const out = noGrad(() => x.mul(scalar));
  return record("MulBackward1", out, [x], (g) => [g.mul(scalar)], { savesTensors: false });
}

export function divScalar(x: Tensor, scalar: number): Tensor {
  const out = noGrad(() => x.div(scalar));
  return record("DivBackward1", out, [x], (g) => [g.div(scalar)], { savesTensors: false });
}
