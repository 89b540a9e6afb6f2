/**
 * Fused mean-squared-error loops: forward (summed, with the gradient in the same pass, or
 * elementwise) and backward. float32 runs on the WebAssembly kernels when selected, and so does
 * the float64 sum.
 */
import { wasmFor } from "./backend.js";
import { roundingOf } from "./l1.js";
import { input, output, pointwise } from "./wasm/drive.js";
import { driveAny, reads, wasm64For, writes } from "./wasm/drive64.js";

type FloatArray = Float32Array | Float64Array;

/** Σ (x − y)², and grad = k·(x − y) when `grad` is given (one pass). */
export function mseForward(x: FloatArray, y: FloatArray, grad: FloatArray | null,
  k: number): number {
  const rt = wasmFor(x);
  if (rt && y instanceof Float32Array && (grad === null || grad instanceof Float32Array)) {
    return pointwise(rt, "mse_fwd", [input(x as Float32Array), input(y), output(grad)], [k],
      x.length);
  }
  const rt64 = wasm64For(x);
  if (rt64 && y instanceof Float64Array && !(grad instanceof Float32Array)) {
    const sum = driveAny(rt64, "mse_fwd_f64", [reads(x), reads(y), writes(grad)], [k], x.length);
    if (sum !== null) return sum;
  }
  // PyTorch forms x − y and its square in the operands' dtype (float32 overflows to inf);
  // the sum accumulates in double
  const round = roundingOf(x);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const d = round(x[i] - y[i]);
    sum += round(d * d);
    if (grad) grad[i] = k * d;
  }
  return sum;
}

/** out = (x − y)² elementwise. */
export function mseElementwise(x: FloatArray, y: FloatArray, out: FloatArray): void {
  const rt = wasmFor(x);
  if (rt && y instanceof Float32Array && out instanceof Float32Array) {
    pointwise(rt, "mse_none", [input(x as Float32Array), input(y), output(out)], [], x.length);
    return;
  }
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    out[i] = d * d;
  }
}

/**
 * grad = norm · (x − y) · g with norm = 2·scale, as PyTorch's `mse_loss_backward` (the target's
 * gradient is this with x and y swapped, so a tie gives +0 to both). `gradOut` holds one
 * upstream value or one per element; `scale` is 1/n for 'mean', else 1.
 */
export function mseBackward(x: FloatArray, y: FloatArray, gradOut: FloatArray,
  scale: number, grad: FloatArray): void {
  const norm = 2 * scale;
  const rt = wasmFor(x);
  if (rt && gradOut.length === x.length && y instanceof Float32Array &&
    gradOut instanceof Float32Array && grad instanceof Float32Array) {
    pointwise(rt, "mse_bwd", [input(x as Float32Array), input(y), input(gradOut), output(grad)],
      [Math.fround(norm)], x.length);
    return;
  }
  const round = roundingOf(x);
  if (gradOut.length === 1) {
    const g = gradOut[0];
    for (let i = 0; i < x.length; i++) grad[i] = norm * round(x[i] - y[i]) * g;
  } else {
    for (let i = 0; i < x.length; i++) grad[i] = norm * round(x[i] - y[i]) * gradOut[i];
  }
}
