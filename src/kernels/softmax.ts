/**
 * softmax / log-softmax along the last dim (`inner === 1`) of float32 data on the WebAssembly
 * row kernels, forward and backward; other cases return false and the callers use the JS loops.
 */
import { wasmFor } from "./backend.js";
import type { ReduceLayout } from "./cpu.js";
import { input, output, rowwise } from "./wasm/drive.js";

type FloatArray = Float32Array | Float64Array;

/** out = (log_)softmax(x) over rows; false when not handled here. */
export function softmaxRows(x: FloatArray, { outer, size, inner }: ReduceLayout, log: boolean,
  out: FloatArray): boolean {
  const rt = inner === 1 && size > 0 ? wasmFor(x) : null;
  if (!rt || !(out instanceof Float32Array)) return false;
  rowwise(rt, "softmax_rows", [input(x as Float32Array), output(out)], [size, log ? 1 : 0],
    outer, size);
  return true;
}

/**
 * The input gradient from the output y and its gradient g: log-softmax g − exp(y)·Σg, softmax
 * y·(g − Σ g·y); false when not handled here.
 */
export function softmaxBackwardRows(y: FloatArray, g: FloatArray,
  { outer, size, inner }: ReduceLayout, log: boolean, out: FloatArray): boolean {
  const rt = inner === 1 && size > 0 ? wasmFor(y) : null;
  if (!rt || !(g instanceof Float32Array) || !(out instanceof Float32Array)) return false;
  rowwise(rt, log ? "logsoftmax_bwd_rows" : "softmax_bwd_rows",
    [input(y as Float32Array), input(g), output(out)], [size], outer, size);
  return true;
}
