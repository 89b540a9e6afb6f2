/**
 * Runs a kernel over operands wherever they live. When every operand is in the shared memory
 * the kernel reads and writes them in place (split across threads for large work). Otherwise the
 * calling thread streams the work in cache-sized chunks: inputs are copied into scratch, the
 * kernel runs there, outputs are copied back (the DRAM traffic stays the same; the extra copies
 * hit L2).
 */
import { f32View, offsetOf, reusableBlock } from "./heap.js";
import { type KernelName, type WasmRuntime } from "./runtime.js";
import { parallelFor } from "./threads.js";

/** An operand: a float32 array read ("in"), written ("out") or both, or null (pointer 0). */
export interface Operand {
  readonly data: Float32Array | null;
  readonly role: "in" | "out" | "inout";
}

export const input = (data: Float32Array): Operand => ({ data, role: "in" });
export const output = (data: Float32Array | null): Operand => ({ data, role: "out" });
export const inout = (data: Float32Array): Operand => ({ data, role: "inout" });

/** Elements per staged chunk and operand: 64 KiB, so four operands stay in L2. */
const CHUNK = 16384;
/** Floats per staged block of rows and operand (at least one whole row). */
const ROW_CHUNK = 32768;

function allResident(operands: readonly Operand[]): boolean {
  return operands.every((o) => o.data === null || offsetOf(o.data) >= 0);
}

function pointers(operands: readonly Operand[]): number[] {
  return operands.map((o) => (o.data === null ? 0 : offsetOf(o.data)));
}

/**
 * `name(...pointers, ...extra, i0, i1)` over n elements: a point-wise kernel. Returns the sum
 * of the kernel's results.
 */
export function pointwise(rt: WasmRuntime, name: KernelName, operands: readonly Operand[],
  extra: readonly number[], n: number): number {
  if (allResident(operands)) {
    return parallelFor(rt, name, [...pointers(operands), ...extra], n);
  }
  return staged(rt, name, operands, extra, n, 1, CHUNK);
}

/**
 * `name(...pointers, ...extra, r0, r1)` over `rows` rows of `cols` floats each (operands are
 * row-major `rows × cols`; per-row arrays must be passed in `extra` as pointers into the
 * shared memory). Returns the sum of the kernel's results.
 */
export function rowwise(rt: WasmRuntime, name: KernelName, operands: readonly Operand[],
  extra: readonly number[], rows: number, cols: number): number {
  if (allResident(operands)) {
    return parallelFor(rt, name, [...pointers(operands), ...extra], rows, cols, 1);
  }
  return staged(rt, name, operands, extra, rows, cols, Math.max(1, Math.floor(ROW_CHUNK / cols)));
}

/** The calling thread's chunked loop over [0, count) units of `unit` floats each. */
function staged(rt: WasmRuntime, name: KernelName, operands: readonly Operand[],
  extra: readonly number[], count: number, unit: number, perChunk: number): number {
  const kernel = rt.exports[name] as (...a: number[]) => number;
  const chunkBytes = perChunk * unit * 4;
  // Reserve every scratch block first: a later grow must not move what an earlier one got.
  const scratch = operands.map((o, k) =>
    o.data === null || offsetOf(o.data) >= 0 ? -1 : reusableBlock(`stage${k}`, chunkBytes));
  const lost = operands.some((o, k) => o.data !== null && offsetOf(o.data) < 0 && scratch[k] < 0);
  if (lost) throw new RangeError("torchloss: out of WebAssembly memory for staging");
  let total = 0;
  for (let c0 = 0; c0 < count; c0 += perChunk) {
    const c1 = Math.min(count, c0 + perChunk);
    const lo = c0 * unit;
    const hi = c1 * unit;
    const args = operands.map((o, k) => {
      if (o.data === null) return 0;
      if (scratch[k] < 0) return offsetOf(o.data);
      if (o.role !== "out") f32View(scratch[k], hi - lo).set(o.data.subarray(lo, hi));
      return scratch[k] - lo * 4;            // the kernel indexes from the operand's start
    });
    total += kernel(...args, ...extra, c0, c1);
    operands.forEach((o, k) => {
      if (o.data !== null && scratch[k] >= 0 && o.role !== "in") {
        o.data.set(f32View(scratch[k], hi - lo), lo);
      }
    });
  }
  return total;
}
