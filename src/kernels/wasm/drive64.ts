/**
 * Runs a float64 (or float32) kernel over operands wherever they live (drive.ts's counterpart
 * for doubles). When every operand is in the shared memory the kernel works on them in place,
 * split across threads for large work. Otherwise the operands are staged through scratch blocks
 * in the shared memory a chunk at a time, each chunk still split across threads: copies in and
 * out run on the calling thread at memcpy speed, the kernel's work on all threads.
 */
import { getBackend, getWasmMinElements, wasmFor } from "../backend.js";
import { f32View, f64View, offsetOf, reusableBlock } from "./heap.js";
import { type KernelName, type WasmRuntime, wasmRuntime } from "./runtime.js";
import { PARALLEL_MIN_ELEMENTS, getNumThreads, parallelFor } from "./threads.js";

type FloatArray = Float32Array | Float64Array;

/** An operand read ("in"), written ("out"), or null (pointer 0); all of one element type. */
export interface AnyOperand {
  readonly data: FloatArray | null;
  readonly role: "in" | "out";
}

export const reads = (data: FloatArray): AnyOperand => ({ data, role: "in" });
export const writes = (data: FloatArray | null): AnyOperand => ({ data, role: "out" });

/** Elements per staged chunk and operand on one thread: ≤ 128 KiB, so three stay in L2. */
const SERIAL_CHUNK = 16384;

/** The WebAssembly kernels when they should run on float64 `data` (n elements), else null. */
export function wasm64For(data: ArrayBufferView | null): WasmRuntime | null {
  if (getBackend() !== "wasm" || !(data instanceof Float64Array)) return null;
  if (data.length < getWasmMinElements()) return null;
  return wasmRuntime();
}

function resident(o: AnyOperand): boolean {
  return o.data === null || offsetOf(o.data) >= 0;
}

/**
 * `name(...pointers, ...extra, u0, u1)` over `count` units of `unit` elements each (elements:
 * unit 1; rows: unit = row length). Returns the sum of the kernel's results, or null when the
 * shared memory has no room for the scratch.
 */
export function driveAny(rt: WasmRuntime, name: KernelName, operands: readonly AnyOperand[],
  extra: readonly number[], count: number, unit = 1): number | null {
  if (operands.every(resident)) {
    const ptrs = operands.map((o) => (o.data === null ? 0 : offsetOf(o.data)));
    return parallelFor(rt, name, [...ptrs, ...extra], count, unit, unit === 1 ? 16 : 1);
  }
  // Large enough chunks that the pool takes them (see parallelFor), else L2-sized ones.
  const threaded = getNumThreads() > 1;
  const perChunkElems = threaded ? PARALLEL_MIN_ELEMENTS : SERIAL_CHUNK;
  const perChunk = Math.max(1, threaded ? Math.ceil(perChunkElems / unit)
    : Math.floor(perChunkElems / unit));
  const size = operands.find((o) => o.data !== null)!.data!.BYTES_PER_ELEMENT;
  const view = size === 8 ? f64View : f32View;
  const chunkBytes = Math.min(perChunk, count) * unit * size;
  const scratch = operands.map((o, k) =>
    resident(o) ? -1 : reusableBlock(`stage64_${k}`, chunkBytes));
  if (operands.some((o, k) => !resident(o) && scratch[k] < 0)) return null;
  let total = 0;
  for (let c0 = 0; c0 < count; c0 += perChunk) {
    const c1 = Math.min(count, c0 + perChunk);
    const lo = c0 * unit;
    const hi = c1 * unit;
    const ptrs = operands.map((o, k) => {
      if (o.data === null) return 0;
      if (scratch[k] < 0) return offsetOf(o.data) + lo * size;
      if (o.role === "in") view(scratch[k], hi - lo).set(o.data.subarray(lo, hi));
      return scratch[k];
    });
    total += parallelFor(rt, name, [...ptrs, ...extra], c1 - c0, unit, unit === 1 ? 16 : 1);
    operands.forEach((o, k) => {
      if (o.data !== null && scratch[k] >= 0 && o.role === "out") {
        o.data.set(view(scratch[k], hi - lo), lo);
      }
    });
  }
  return total;
}

/**
 * `name` over the elements of `operands` (the first one is read) when every operand is float32
 * and the WebAssembly kernels take them, else null.
 */
export function driveFloat32(name: KernelName, operands: readonly AnyOperand[],
  extra: readonly number[]): number | null {
  const first = operands[0].data!;
  const rt = wasmFor(first);
  const float32 = operands.every((o) => o.data === null || o.data instanceof Float32Array);
  return rt && float32 ? driveAny(rt, name, operands, extra, first.length) : null;
}
