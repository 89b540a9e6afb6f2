/**
 * softmax / log-softmax along the last dim (`inner === 1`) on the WebAssembly row kernels,
 * forward and backward: float32 (f32x4, rows.ts) and float64 (f64x2, softmax64.ts), one exp per
 * element, on every thread even for operands outside the shared memory (driveAny.ts). Other
 * cases return false and the callers use the JS loops.
 */
import { wasmFor } from "./backend.js";
import type { ReduceLayout } from "./cpu.js";
import { driveAny, reads, writes, wasm64For } from "./wasm/drive64.js";
import type { WasmRuntime } from "./wasm/runtime.js";

type FloatArray = Float32Array | Float64Array;

const KERNELS = {
  float32: { rows: "softmax_rows", logBwd: "logsoftmax_bwd_rows", bwd: "softmax_bwd_rows" },
  float64: { rows: "softmax64_rows", logBwd: "logsoftmax64_bwd_rows", bwd: "softmax64_bwd_rows" },
} as const;

/** The runtime and kernel names for rows of `arrays` (all of one type), or null. */
function rowKernels({ size, inner }: ReduceLayout, ...arrays: FloatArray[]):
  { rt: WasmRuntime; names: (typeof KERNELS)[keyof typeof KERNELS] } | null {
  const [first] = arrays;
  if (inner !== 1 || size === 0) return null;
  const double = first instanceof Float64Array;
  const rt = double ? wasm64For(first) : wasmFor(first);
  if (!rt || arrays.some((a) => a.constructor !== first.constructor)) return null;
  return { rt, names: KERNELS[double ? "float64" : "float32"] };
}

/** Whether the row kernels take this data and layout (so a gradient buffer is worth leasing). */
export function rowKernelsTake(data: FloatArray, shape: ReduceLayout): boolean {
  return rowKernels(shape, data) !== null;
}

/** out = (log_)softmax(x) over rows; false when not handled here. */
export function softmaxRows(x: FloatArray, shape: ReduceLayout, log: boolean,
  out: FloatArray): boolean {
  const k = rowKernels(shape, x, out);
  return k !== null && driveAny(k.rt, k.names.rows, [reads(x), writes(out)],
    [shape.size, log ? 1 : 0], shape.outer, shape.size) !== null;
}

/**
 * The input gradient from the output y and its gradient g: log-softmax g − exp(y)·Σg, softmax
 * y·(g − Σ g·y); false when not handled here.
 */
export function softmaxBackwardRows(y: FloatArray, g: FloatArray, shape: ReduceLayout,
  log: boolean, out: FloatArray): boolean {
  const k = rowKernels(shape, y, g, out);
  return k !== null && driveAny(k.rt, log ? k.names.logBwd : k.names.bwd,
    [reads(y), reads(g), writes(out)], [shape.size], shape.outer, shape.size) !== null;
}
