/** Whole-array scaling and negation, on the WebAssembly kernels for float32 when selected. */
import { wasmFor } from "./backend.js";
import { input, output, pointwise } from "./wasm/drive.js";

type FloatArray = Float32Array | Float64Array;

/**
 * out = a·k + bias (out may be a). bias −0 (the default) leaves each product exactly as is;
 * +0 also turns −0 into +0.
 */
export function scaleInto(a: FloatArray, k: number, out: FloatArray, bias = -0): void {
  const rt = wasmFor(a);
  if (rt && out instanceof Float32Array) {
    pointwise(rt, "scale", [input(a as Float32Array), output(out)], [k, bias], a.length);
    return;
  }
  for (let i = 0; i < a.length; i++) out[i] = a[i] * k + bias;
}

/** out = −a (−(+0) is −0, as PyTorch's neg). */
export function negateInto(a: FloatArray, out: FloatArray): void {
  const rt = wasmFor(a);
  if (rt && out instanceof Float32Array) {
    pointwise(rt, "negate", [input(a as Float32Array), output(out)], [], a.length);
    return;
  }
  for (let i = 0; i < a.length; i++) out[i] = -a[i];
}
