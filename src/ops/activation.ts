/** Stable activations the losses build on: logSigmoid and softplus. */
import { record } from "../autograd/record.js";
import { softplusFast, unaryFast } from "../kernels/elementwise.js";
import { check } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { dtypeTitle, fusedGrad, resultStorage } from "./binary.js";
import { withLayout } from "./layout.js";

/** Applies `fn` to a floating tensor; PyTorch has no integral kernel (`"<kernel>" not ...`). */
function mapFloat(x: Tensor, kernel: string,
  fill: (x: Float32Array | Float64Array, out: Float32Array | Float64Array) => void): Tensor {
  check(x.dtype.isFloatingPoint, () => `"${kernel}" not implemented for ` +
    `'${dtypeTitle(x.dtype)}'`);
  const out = resultStorage(x.dtype, x.numel()) as Float32Array | Float64Array;
  fill(x.data as Float32Array | Float64Array, out);
  return new Tensor(out, x.shape);
}

/** log σ(x) = min(x, 0) − log1p(e^(−|x|)), finite for any finite x. */
export function logSigmoid(x: Tensor): Tensor {
  // log σ(x) = min(x, 0) − log1p(e^(−|x|)) (kernels/elementwise.ts)
  const out = mapFloat(x, "log_sigmoid_cpu", (v, o) => unaryFast("logSigmoid", v, o));
  // d/dx log σ(x) = σ(−x)
  return record("LogSigmoidBackward0", out, [x],
    (g) => [fusedGrad("logSigmoid", g, x) ?? g.mul(x.neg().sigmoid())]);
}

export interface SoftplusOptions {
  beta?: number;
  /** Above `beta * x > threshold` the function is taken as linear. Default 20. */
  threshold?: number;
}

/** softplus(x) = log(1 + e^(βx)) / β, linear where βx > threshold. */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  const { beta = 1, threshold = 20 } = options;
  const out = withLayout(mapFloat(x, "softplus_cpu",
    (v, o) => softplusFast(v, o, beta, threshold)), [x]);
  return record("SoftplusBackward0", out, [x], (g) => {
    const z = x.mul(beta);
    // PyTorch tests βx > threshold, so NaN takes the σ branch and its gradient is NaN
    return [g.where(z.gt(threshold), g.mul(z.sigmoid()))];
  });
}
