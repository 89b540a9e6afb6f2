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
 * Hand-over: the engine may keep a spent buffer as a leaf's `.grad` instead of copying it
 * (`claimSpent`, only during the backward that spent it, before any later lease). The buffer then
 * leaves the pool for good: it is ordinary tensor storage (a shared-memory block returns to the
 * heap when that tensor is collected), and the next lease of that size allocates a new one,
 * unless the gradient comes back: a `.grad` the user never read is returned by
 * {@link recycleBuffer} when its leaf drops it (see autograd/recycling.ts), so a steady
 * `backward(); x.grad = null` loop reuses one buffer. A gradient the user did read is never taken
 * back (`g = x.grad; x.grad = null` is common; reusing it would overwrite values someone reads).
 * So that a synchronous loop keeping its gradients (where nothing is collected until it yields)
 * cannot pile up given-away buffers, at most LEND_MAX of one size may be alive at once (tracked
 * by WeakRef); past that the engine copies, as before, and the buffer stays pooled.
 *
 * Only large buffers are pooled (at most POOL_MAX free ones, most recently used kept), placed
 * in the shared WebAssembly memory when it has room, so threads can write them.
 */
import { type DType, float32 } from "../tensor/dtype.js";
import { releaseStorage, wasmFloat32, wasmFloat64 } from "./wasm/heap.js";

export type FloatArray = Float32Array | Float64Array;

/** The buffer kind holding a float dtype's values. */
export function bufferKind(dtype: DType): "float32" | "float64" {
  return dtype === float32 ? "float32" : "float64";
}

/** Buffers below this many elements are cheap to allocate: not pooled. */
const POOL_MIN = 4096;
const POOL_MAX = 4;
/** Buffers of one size handed over to `.grad`s and still alive, at most. */
const LEND_MAX = 2;

export class Lease {
  /** False once the buffer was handed to backward (its contents may since be reused). */
  valid = true;
  constructor(readonly data: FloatArray) {}
}

const free: FloatArray[] = [];
const spent: FloatArray[] = [];
let lent: WeakRef<FloatArray>[] = [];
const stats = { allocated: 0, reused: 0, recycled: 0 };

/** A new float buffer (not zeroed when it comes from the shared memory). */
export function freshBuffer(kind: "float32" | "float64", n: number): FloatArray {
  if (kind === "float64") {
    return (n >= POOL_MIN ? wasmFloat64(n, false) : null) ?? new Float64Array(n);
  }
  return (n >= POOL_MIN ? wasmFloat32(n, false) : null) ?? new Float32Array(n);
}

/** Adds a buffer nothing else references to the pool; the oldest one past POOL_MAX is freed. */
function pool(data: FloatArray): void {
  free.push(data);
  if (free.length > POOL_MAX) releaseStorage(free.shift()!);
}

function recycle(): void {
  for (const data of spent.splice(0)) pool(data);
}

/** A buffer of n elements for a fused forward to fill completely. */
export function lease(kind: "float32" | "float64", n: number): Lease {
  recycle();
  const Kind = kind === "float32" ? Float32Array : Float64Array;
  for (let i = free.length - 1; i >= 0; i--) {
    const data = free[i];
    if (data.length === n && data instanceof Kind) {
      free.splice(i, 1);
      stats.reused++;
      return new Lease(data);
    }
  }
  stats.allocated++;
  return new Lease(freshBuffer(kind, n));
}

/** Marks the lease's buffer as handed to the engine; it returns to the pool at the next lease. */
export function spend(l: Lease): void {
  if (!l.valid) return;
  l.valid = false;
  if (l.data.length >= POOL_MIN) spent.push(l.data);
}

/**
 * Takes `data` out of the pool if it is a buffer spent since the last lease (the engine keeps
 * it as a `.grad`); false otherwise, and for anything else.
 */
export function claimSpent(data: ArrayLike<unknown>): boolean {
  const i = spent.indexOf(data as FloatArray);
  if (i < 0) return false;
  lent = lent.filter((r) => r.deref() !== undefined);
  const kind = spent[i];
  // per size and element type: float32 gradients alive must not stop float64 ones of that length
  const alike = (a: FloatArray) => a.length === kind.length && a.constructor === kind.constructor;
  if (lent.filter((r) => alike(r.deref()!)).length >= LEND_MAX) return false;
  lent.push(new WeakRef(spent[i]));
  spent.splice(i, 1);
  return true;
}

/**
 * Returns a gradient's storage to the pool: the caller guarantees nothing references it any
 * more (an unobserved `.grad` its leaf dropped). Small or non-float storage is left to the GC.
 */
export function recycleBuffer(data: FloatArray): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return;
  if (data.length < POOL_MIN) return;
  lent = lent.filter((r) => r.deref() !== undefined && r.deref() !== data);
  stats.recycled++;
  pool(data);
}

/** Pool counters, for tests: buffers allocated by leases, leases served from the pool, returns. */
export function bufferPoolStats() {
  return { ...stats, free: free.length, spent: spent.length };
}

/**
 * Frees the pooled free buffers (nothing references them: shared-memory blocks return to the
 * WebAssembly heap at once) and forgets the buffers handed over to `.grad`s (they stay those
 * tensors' storage; only the LEND_MAX count restarts).
 */
export function clearBufferPool(): void {
  recycle();
  for (const data of free.splice(0)) releaseStorage(data);
  lent = [];
}
