/**
 * `klDiv(logSoftmax(x, -1), softmax(t, -1))` in one pass per row on the WebAssembly kernels
 * (assembly/klsoftmax.ts): float32 (f32x4) and float64 (f64x2), split across the worker threads,
 * operands in the shared memory used in place and others staged a chunk of whole rows at a
 * time (drive64.ts). Two exps per element; values agree with the unfused kernels' chain to
 * rounding.
 */
import { wasmFor } from "./backend.js";
import { driveAny, reads, writes, wasm64For } from "./wasm/drive64.js";
import { reusableBlock } from "./wasm/heap.js";

/** Scratch rows in the block: one per thread of a job (at most 16, see wasm/threads.ts). */
const SCRATCH_ROWS = 16;

type FloatArray = Float32Array | Float64Array;

/**
 * Fused klDiv(logSoftmax(x), softmax(t)) rows: returns the loss total (f64) and writes the
 * input's gradient for scale s into g; null when the WASM kernels can't take it (caller falls
 * back). x, t and g hold `rows` rows of C elements, all of one type; negS = −s; g must not
 * overlap x or t.
 */
export function klSoftmaxRows(x: FloatArray, t: FloatArray, g: FloatArray, rows: number,
  C: number, negS: number): number | null {
  if (rows * C === 0 || t.constructor !== x.constructor || g.constructor !== x.constructor) {
    return null;
  }
  const double = x instanceof Float64Array;
  const rt = double ? wasm64For(x) : wasmFor(x);
  if (!rt) return null;
  // A counter, padding, then one scratch row per thread (assembly/klsoftmax.ts scratchRow).
  const scratch = reusableBlock("kl_softmax_scratch", 16 + SCRATCH_ROWS * C * x.BYTES_PER_ELEMENT);
  if (scratch < 0) return null;
  // g is written whole rows at a time and read back within the row: staging keeps rows whole.
  return driveAny(rt, double ? "kl64_softmax_rows" : "kl_softmax_rows",
    [reads(x), reads(t), writes(g)], [scratch, C, double ? negS : Math.fround(negS)], rows, C);
}
