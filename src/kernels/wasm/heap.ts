/**
 * The library's blocks of the shared WebAssembly memory: large float32 tensor storage (from
 * `allocStorage`), pooled gradient buffers, per-call argument arenas and staging scratch.
 *
 * A first-fit free list over 64-byte-aligned blocks. Tensor storage is returned to it by a
 * FinalizationRegistry when its Float32Array view is collected, so users never dispose of
 * anything. Finalizers only run between tasks, so a synchronous loop that keeps allocating new
 * large tensors could not reuse this memory until it yields. Two bounds keep that from growing
 * the process: within one task, only REPEAT_LIMIT tensors of any one size are placed here (a
 * loop allocating the same shapes again and again gets JS-heap storage after that, whose garbage
 * the GC frees as it goes, while a script's setup of a few large tensors is unaffected); and
 * `setWasmMemoryLimit` caps the live bytes (default 2 GiB). Storage refused here, or past wasm32's 4 GiB, is an ordinary JS-heap array, which
 * the kernels stream through scratch instead.
 */
import { type WasmRuntime, ensureBytes, onWasmReady } from "./runtime.js";
import { parallelFor } from "./threads.js";

const ALIGN = 64;

interface Block {
  off: number;
  size: number;
}

interface HeapState {
  readonly rt: WasmRuntime;
  /** Free blocks below `top`, sorted by offset, coalesced. */
  readonly free: Block[];
  /** Size of each allocated block, by offset. */
  readonly sizes: Map<number, number>;
  /** Everything at or past `top` is unallocated. */
  top: number;
  /** Everything at or past `clean` has never been handed out (still zero). */
  clean: number;
  /** Bytes of tensor storage alive. */
  live: number;
}

let heap: HeapState | null = null;
let limitBytes = 2 * 1024 ** 3;
/** Tensors of one size that one task may place here before the rest go to the JS heap. */
const REPEAT_LIMIT = 16;
/** Tensors placed during the current task, by byte size; a timer clears it after the task. */
const placedThisTask = new Map<number, number>();

function placedBefore(bytes: number): number {
  return placedThisTask.get(bytes) ?? 0;
}

function noteFreed(bytes: number): void {
  const placed = placedBefore(bytes);
  if (placed > 0) placedThisTask.set(bytes, placed - 1);
}

function notePlaced(bytes: number): void {
  if (placedThisTask.size === 0) {
    const timer = setTimeout(() => placedThisTask.clear(), 0) as unknown as { unref?(): void };
    timer.unref?.();
  }
  placedThisTask.set(bytes, placedBefore(bytes) + 1);
}
/** The memory's ArrayBuffers (a shared memory gives a new one after each grow). */
const ownBuffers = new WeakSet<ArrayBufferLike>();

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/** Sets up the allocator on a freshly loaded runtime. */
export function initHeap(rt: WasmRuntime): void {
  const base = align(rt.exports.heap_base());
  heap = { rt, free: [], sizes: new Map(), top: base, clean: base, live: 0 };
  ownBuffers.add(rt.memory.buffer);
}

/** Caps the bytes of tensor storage kept in WebAssembly memory (default 2 GiB). */
export function setWasmMemoryLimit(bytes: number): void {
  limitBytes = bytes;
}

export function wasmMemoryStats() {
  if (!heap) return null;
  return { liveBytes: heap.live, reservedBytes: heap.top,
    memoryBytes: heap.rt.memory.buffer.byteLength, limitBytes };
}

function takeFree(h: HeapState, size: number): number {
  for (let i = 0; i < h.free.length; i++) {
    const b = h.free[i];
    if (b.size < size) continue;
    const off = b.off;
    if (b.size === size) h.free.splice(i, 1);
    else {
      b.off += size;
      b.size -= size;
    }
    return off;
  }
  return -1;
}

/** A block of at least `bytes` (64-byte aligned), or −1 when memory cannot grow. */
export function allocBlock(bytes: number): number {
  const h = heap;
  if (!h) return -1;
  const size = align(Math.max(bytes, 1));
  let off = takeFree(h, size);
  if (off < 0) {
    if (!ensureBytes(h.rt, h.top + size)) return -1;
    ownBuffers.add(h.rt.memory.buffer);
    off = h.top;
    h.top += size;
  }
  h.sizes.set(off, size);
  return off;
}

/** Returns a block to the free list, merging neighbours and lowering `top` where it can. */
export function freeBlock(off: number): void {
  const h = heap;
  const size = h?.sizes.get(off);
  if (!h || size === undefined) return;
  h.sizes.delete(off);
  let i = 0;
  while (i < h.free.length && h.free[i].off < off) i++;
  h.free.splice(i, 0, { off, size });
  const next = h.free[i + 1];
  if (next && off + size === next.off) {
    h.free[i].size += next.size;
    h.free.splice(i + 1, 1);
  }
  const prev = h.free[i - 1];
  if (prev && prev.off + prev.size === off) {
    prev.size += h.free[i].size;
    h.free.splice(i, 1);
    i--;
  }
  const last = h.free[h.free.length - 1];
  if (last && last.off + last.size === h.top) {
    h.top = last.off;
    h.free.pop();
  }
}

/** Zeroes the part of [off, off + bytes) that may hold old data (on the pool when large). */
function zeroDirty(h: HeapState, off: number, bytes: number): void {
  const end = Math.min(off + bytes, h.clean);
  // In pieces below 2^31 bytes: the kernel's byte offsets are i32.
  for (let p = off; p < end; p += 1 << 30) {
    parallelFor(h.rt, "zero_bytes", [p], Math.min(1 << 30, end - p), 1, 4096);
  }
  h.clean = Math.max(h.clean, off + bytes);
}

const registry = typeof FinalizationRegistry === "undefined" ? null
  : new FinalizationRegistry<{ off: number; bytes: number }>(({ off, bytes }) => {
    if (heap) heap.live -= bytes;
    freeBlock(off);
  });

/**
 * Float32 storage of `n` elements inside the shared memory, zeroed unless `zeroed` is false,
 * or null (no shared memory, over the limits, or out of address space).
 */
export function wasmFloat32(n: number, zeroed = true): Float32Array | null {
  return placeStorage(Float32Array, n, zeroed);
}

/** Float64 storage of `n` elements inside the shared memory, as {@link wasmFloat32}. */
export function wasmFloat64(n: number, zeroed = true): Float64Array | null {
  return placeStorage(Float64Array, n, zeroed);
}

function placeStorage<T extends Float32Array | Float64Array>(
  Kind: { new (b: ArrayBufferLike, off: number, n: number): T; BYTES_PER_ELEMENT: number },
  n: number, zeroed: boolean): T | null {
  const h = heap;
  if (!h || !h.rt.shared || !registry) return null;
  const bytes = n * Kind.BYTES_PER_ELEMENT;
  if (h.live + bytes > limitBytes || placedBefore(bytes) >= REPEAT_LIMIT) return null;
  const off = allocBlock(bytes);
  if (off < 0) return null;
  if (zeroed) zeroDirty(h, off, align(bytes));
  else h.clean = Math.max(h.clean, off + align(bytes));
  const view = new Kind(h.rt.memory.buffer, off, n);
  h.live += bytes;
  notePlaced(bytes);
  registry.register(view, { off, bytes }, view);
  return view;
}

/**
 * Frees the block behind `view` now instead of when the view is collected: the caller
 * guarantees nothing will read or write `view` again (a loss's temporary whose graph was
 * released, see autograd/temporaries.ts). Storage not placed here is left to the GC.
 */
export function releaseStorage(view: Float32Array | Float64Array): void {
  if (!heap || !registry || !registry.unregister(view)) return;
  heap.live -= view.byteLength;
  noteFreed(view.byteLength);
  freeBlock(view.byteOffset);
}

/** The byte offset of `a` in the kernels' memory, or −1 when it lives elsewhere. */
export function offsetOf(a: ArrayBufferView): number {
  return ownBuffers.has(a.buffer) ? a.byteOffset : -1;
}

/** Views of the current memory (re-read after any grow: an unshared memory detaches). */
export function f32View(off: number, n: number): Float32Array {
  return new Float32Array(heap!.rt.memory.buffer, off, n);
}
export function f64View(off: number, n: number): Float64Array {
  return new Float64Array(heap!.rt.memory.buffer, off, n);
}
export function i32View(off: number, n: number): Int32Array {
  return new Int32Array(heap!.rt.memory.buffer, off, n);
}

/** Reusable blocks that grow on demand: scratch for staging, arenas for per-call arrays. */
const reusable = new Map<string, { off: number; bytes: number }>();

/** A block of at least `bytes` reserved under `name`, reused across calls (−1 if none). */
export function reusableBlock(name: string, bytes: number): number {
  const held = reusable.get(name);
  if (held && held.bytes >= bytes) return held.off;
  if (held) freeBlock(held.off);
  reusable.delete(name);
  const want = Math.max(bytes, held ? held.bytes * 2 : 0);
  const off = allocBlock(want);
  if (off < 0) return -1;
  reusable.set(name, { off, bytes: want });
  return off;
}

onWasmReady(initHeap);
