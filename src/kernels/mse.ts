/**
 * Fused mean-squared-error loops: forward (summed, with the gradient in the same pass, or
 * elementwise) and backward. float32 runs on the WebAssembly kernels when selected.
 */
import { wasmFor } from "./backend.js";
import type { Flat } from "./cpu.js";
import { input, output, pointwise } from "./wasm/drive.js";

type FloatArray = Float32Array | Float64Array;

/** Σ (x − y)², accumulated in double. */
export function mseSum(x: Flat<number>, y: Flat<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    sum += d * d;
  }
  return sum;
}

/** Σ (x − y)², and grad = k·(x − y) when `grad` is given (one pass). */
export function mseForward(x: FloatArray, y: FloatArray, grad: FloatArray | null,
  k: number): number {
  const rt = wasmFor(x);
  if (rt && y instanceof Float32Array && (grad === null || grad instanceof Float32Array)) {
    return pointwise(rt, "mse_fwd", [input(x as Float32Array), input(y), output(grad)], [k],
      x.length);
  }
  if (!grad) return mseSum(x, y);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    sum += d * d;
    grad[i] = k * d;
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
  if (gradOut.length === 1) {
    const g = gradOut[0];
    for (let i = 0; i < x.length; i++) grad[i] = norm * (x[i] - y[i]) * g;
  } else {
    for (let i = 0; i < x.length; i++) grad[i] = norm * (x[i] - y[i]) * gradOut[i];
  }
}
