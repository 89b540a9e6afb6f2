/**
 * Gradient recycling without refcounts. The engine remembers the `.grad` tensors whose storage
 * it alone holds: a pooled buffer it claimed (`claimSpent`) or a copy it made. Such a gradient
 * stays *unobserved* until user code gets hold of it, and the only way to do that is the
 * `.grad` getter (the engine itself reads and writes `.grad` through the internal accessors,
 * which do not observe). Every view, alias or clone of a gradient starts from that getter, so an
 * unobserved gradient's storage is referenced by nothing but its leaf. When the leaf drops it
 * (`x.grad = null`, or any other assignment), its storage goes straight back to the buffer pool
 * and the next fused forward of that size leases it: a steady `loss.backward(); x.grad = null`
 * loop then allocates nothing. Observed gradients are never recycled (the user may still hold
 * them or a view of them), nor are gradients the user assigned or that a producer handed over
 * with `markTransferable`; those are left to the garbage collector as before.
 */
import { recycleBuffer } from "../kernels/buffers.js";
import { releaseStorage } from "../kernels/wasm/heap.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * `.grad` tensors whose storage only the engine holds and user code has not seen, and where
 * that storage goes when dropped: the buffer pool (the next fused forward of that size leases
 * it) or straight back to the shared memory (a gradient an op allocated, e.g. in a composite
 * loss, whose next forward allocates through allocStorage rather than the pool).
 */
const unobserved = new WeakMap<Tensor, "pool" | "memory">();

/** Records that the engine made `grad` from storage nothing else references. Returns it. */
export function ownGradient(grad: Tensor, returnTo: "pool" | "memory" = "pool"): Tensor {
  unobserved.set(grad, returnTo);
  return grad;
}

/** User code got hold of `grad`: its storage may be aliased from now on and is never recycled. */
export function observeGradient(grad: Tensor): void {
  unobserved.delete(grad);
}

/** A leaf dropped `grad`: an unobserved one returns its storage to the buffer pool. */
export function dropGradient(grad: Tensor): void {
  const returnTo = unobserved.get(grad);
  if (returnTo === undefined) return;
  unobserved.delete(grad);
  const data = grad.data as Float32Array | Float64Array;
  if (returnTo === "pool") recycleBuffer(data);
  else if (data instanceof Float32Array || data instanceof Float64Array) releaseStorage(data);
}

/** Whether `grad` is still unobserved (for tests). */
export function isUnobservedGradient(grad: Tensor): boolean {
  return unobserved.has(grad);
}
