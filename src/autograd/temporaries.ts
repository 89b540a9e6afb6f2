/**
 * A loss's temporaries go back to the shared WebAssembly memory as soon as nothing can read
 * them, instead of whenever the garbage collector finds them (finalizers never run inside a
 * synchronous training loop, so each iteration's intermediates would otherwise pile up and
 * push later ones onto the JS heap, where the kernels cannot work in place).
 *
 * While a loss runs, every large storage it allocates is recorded (tensor/allocation-scope.ts).
 * None of them can reach user code except the result's own storage: the loss returns only its
 * result, our graph nodes keep intermediates only inside backward closures (a node exposes its
 * name and `nextFunctions`, never its saved tensors), and user callbacks (TripletMargin's
 * `distanceFunction`) run with the recording paused. So when the loss returns:
 * - without a graph, every recorded storage but the result's is dead and is freed at once;
 * - with a graph, they are attached to the result's node and freed when a backward pass that
 *   does not retain the graph has finished; after that any other backward through those nodes
 *   fails with PyTorch's "backward through the graph a second time" error before it could
 *   read them (only nodes that save no tensors may run twice, and those read none).
 * A loss that throws drops its records; its storage is left to the garbage collector.
 */
import { offsetOf, releaseStorage } from "../kernels/wasm/heap.js";
import {
  type PlacedStorage, collectingInto, isCollecting,
} from "../tensor/allocation-scope.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Node } from "./node.js";

const attached = new WeakMap<Node, PlacedStorage[]>();

/** Whether two views share bytes (views of the shared memory made before and after it grew
 * have different buffer objects, so those are compared by offset). */
function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const sameMemory = a.buffer === b.buffer || (offsetOf(a) >= 0 && offsetOf(b) >= 0);
  return sameMemory && a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength;
}

/** Runs the loss `run` with its temporaries recorded, and schedules their release. */
export function withTemporaries(run: () => Tensor): Tensor {
  if (isCollecting()) return run();
  const recorded: PlacedStorage[] = [];
  const out = collectingInto(recorded, run);
  const temps = recorded.filter((s) => !overlaps(s, out.data as ArrayBufferView));
  if (temps.length === 0) return out;
  const node = out.gradFn;
  if (node === null) temps.forEach(releaseStorage);
  else attached.set(node, [...(attached.get(node) ?? []), ...temps]);
  return out;
}

/** Runs user code (a callback) inside a loss without recording what it allocates. */
export function outsideTemporaries<T>(fn: () => T): T {
  return isCollecting() ? collectingInto(null, fn) : fn();
}

/** The temporaries attached to `node`, detached (the engine frees them after its pass). */
export function takeTemporaries(node: Node): PlacedStorage[] | undefined {
  const temps = attached.get(node);
  if (temps) attached.delete(node);
  return temps;
}

/**
 * Frees what a finished backward pass (without retainGraph) allocated: intermediate gradients
 * and the like, which only the pass itself held. Storage that became (or overlaps) a leaf's
 * `.grad` is kept.
 */
export function releaseUnlessKept(allocated: readonly PlacedStorage[],
  kept: readonly (Tensor | null)[]): void {
  const keep = kept.filter((t): t is Tensor => t !== null).map((t) => t.data as ArrayBufferView);
  for (const s of allocated) {
    if (!keep.some((k) => overlaps(s, k))) releaseStorage(s);
  }
}

/** Frees storages taken from released nodes once their backward pass has finished. */
export function releaseTemporaries(groups: readonly PlacedStorage[][]): void {
  for (const temps of groups) temps.forEach(releaseStorage);
}
