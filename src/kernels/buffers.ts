/**
 * Gradient buffers for fused losses, recycled across calls without any dispose() call.
 *
 * A fused forward fills a leased buffer with dL/dx; its backward hands the buffer to the
 * autograd engine as the gradient and marks the lease spent. The engine only reads a gradient
 * during that backward() call (accumulating into `.grad` copies it), and no forward runs
 * during a backward, so a spent buffer is free again by the next forward, which takes it from
 * here. A lease that was never spent (no backward) is simply dropped with its graph. A second
 * backward through a retained graph finds its lease spent (maybe reused) and recomputes.
 *
 * Only large buffers are pooled (at most POOL_MAX free ones, most recently used kept), placed
 * in the shared WebAssembly memory when it has room, so threads can write them.
 */
import { wasmFloat32 } from "./wasm/heap.js";

export type FloatArray = Float32Array | Float64Array;

/** Buffers below this many elements are cheap to allocate: not pooled. */
const POOL_MIN = 4096;
const POOL_MAX = 4;

export class Lease {
  /** False once the buffer was handed to backward (its contents may since be reused). */
  valid = true;
  constructor(readonly data: FloatArray) {}
}

const free: FloatArray[] = [];
const spent: FloatArray[] = [];

/** A new float buffer (not zeroed when it comes from the shared memory). */
export function freshBuffer(kind: "float32" | "float64", n: number): FloatArray {
  if (kind === "float64") return new Float64Array(n);
  return (n >= POOL_MIN ? wasmFloat32(n, false) : null) ?? new Float32Array(n);
}

function recycle(): void {
  for (const data of spent.splice(0)) {
    free.push(data);
    if (free.length > POOL_MAX) free.shift();
  }
}

/** A buffer of n elements for a fused forward to fill completely. */
export function lease(kind: "float32" | "float64", n: number): Lease {
  recycle();
  const Kind = kind === "float32" ? Float32Array : Float64Array;
  for (let i = free.length - 1; i >= 0; i--) {
    const data = free[i];
    if (data.length === n && data instanceof Kind) {
      free.splice(i, 1);
      return new Lease(data);
    }
  }
  return new Lease(freshBuffer(kind, n));
}

/** Marks the lease's buffer as handed to the engine; it returns to the pool at the next lease. */
export function spend(l: Lease): void {
  if (!l.valid) return;
  l.valid = false;
  if (l.data.length >= POOL_MIN) spent.push(l.data);
}

/** Drops the pooled free buffers (their memory returns to the GC or the WebAssembly heap). */
export function clearBufferPool(): void {
  recycle();
  free.length = 0;
}
