/**
 * Fused L1 loops: Σ|x − y| with the gradient k·sgn(x − y) in the same pass, |x − y|
 * elementwise, and the 'none' backward up·sgn(x − y). sgn(0) = sgn(NaN) = 0, as PyTorch's.
 * float32 runs on the WebAssembly kernels when selected, and so does the float64 sum.
 */
import { wasmFor } from "./backend.js";
import { input, output, pointwise } from "./wasm/drive.js";
import { driveAny, reads, wasm64For, writes } from "./wasm/drive64.js";

type FloatArray = Float32Array | Float64Array;

function sgn(d: number): number {
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}

/** Rounds a double to the storage's precision (Math.fround for float32). */
export function roundingOf(x: FloatArray): (v: number) => number {
  return x instanceof Float32Array ? Math.fround : (v) => v;
}

/** Σ |x − y|, and grad = k·sgn(x − y) when `grad` is given (one pass). */
export function l1Forward(x: FloatArray, y: FloatArray, grad: FloatArray | null,
  k: number): number {
  const rt = wasmFor(x);
  if (rt && y instanceof Float32Array && (grad === null || grad instanceof Float32Array)) {
    return pointwise(rt, "l1_fwd", [input(x as Float32Array), input(y), output(grad)], [k],
      x.length);
  }
  const rt64 = wasm64For(x);
  if (rt64 && y instanceof Float64Array && !(grad instanceof Float32Array)) {
    const sum = driveAny(rt64, "l1_fwd_f64", [reads(x), reads(y), writes(grad)], [k], x.length);
    if (sum !== null) return sum;
  }
  let sum = 0;
  // PyTorch forms x − y in the operands' dtype: float32 3e38 − (−3e38) is inf, not 6e38
  const round = roundingOf(x);
  if (grad) {
    for (let i = 0; i < x.length; i++) {
      const d = round(x[i] - y[i]);
      sum += Math.abs(d);
      grad[i] = k * sgn(d);
    }
  } else {
    for (let i = 0; i < x.length; i++) sum += Math.abs(round(x[i] - y[i]));
  }
  return sum;
}

/** out = |x − y|. */
export function l1Elementwise(x: FloatArray, y: FloatArray, out: FloatArray): void {
  const rt = wasmFor(x);
  if (rt && y instanceof Float32Array && out instanceof Float32Array) {
    pointwise(rt, "l1_none", [input(x as Float32Array), input(y), output(out)], [], x.length);
    return;
  }
  for (let i = 0; i < x.length; i++) out[i] = Math.abs(x[i] - y[i]);
}

/** grad = up·sgn(x − y), one upstream value per element (AbsBackward0). */
export function l1Backward(x: FloatArray, y: FloatArray, up: FloatArray, grad: FloatArray): void {
  const rt = wasmFor(x);
  if (rt && y instanceof Float32Array && up instanceof Float32Array &&
    grad instanceof Float32Array) {
    pointwise(rt, "l1_bwd", [input(x as Float32Array), input(y), input(up), output(grad)], [],
      x.length);
    return;
  }
  for (let i = 0; i < x.length; i++) grad[i] = up[i] * sgn(x[i] - y[i]);
}
