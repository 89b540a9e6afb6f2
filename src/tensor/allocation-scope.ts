/**
 * Which storages in the shared WebAssembly memory were allocated while a scope was open (see
 * autograd/temporaries.ts, which opens one around each loss call). Only allocStorage reports
 * here; pooled gradient buffers (kernels/buffers.ts) and scratch blocks never do.
 */
export type PlacedStorage = Float32Array | Float64Array;

let collecting: PlacedStorage[] | null = null;

/** Records `storage` in the open scope, if any. Returns it. */
export function noteAllocation<S extends PlacedStorage>(storage: S): S {
  if (collecting !== null) collecting.push(storage);
  return storage;
}

/** Whether a scope is open (nested loss calls leave the collecting to the outermost). */
export function isCollecting(): boolean {
  return collecting !== null;
}

/** Runs `fn` with allocations recorded into `into` (or, with null, not recorded). */
export function collectingInto<T>(into: PlacedStorage[] | null, fn: () => T): T {
  const previous = collecting;
  collecting = into;
  try {
    return fn();
  } finally {
    collecting = previous;
  }
}
