/**
 * Which kernels run: `"wasm"` (the default: WebAssembly SIMD for float32, with worker threads
 * for large work where shared memory is available) or `"js"` (plain JS loops everywhere).
 * float64, and layouts the WebAssembly kernels do not cover, always take the JS loops. The
 * default reads no environment variable or URL; until the WebAssembly module has loaded (a
 * browser compiles it asynchronously) the JS loops serve.
 */
import { ValueError } from "../errors.js";
import { type WasmRuntime, wasmLoadError, wasmRuntime } from "./wasm/runtime.js";

export type BackendName = "js" | "wasm";

let selected: BackendName = "wasm";
/** Below this many elements the JS loops win (no staging or call overhead): 3×5 CE takes ~2 µs. */
let wasmMinElements = 1024;

export function setBackend(name: BackendName): void {
  if (name !== "js" && name !== "wasm") {
    throw new ValueError(`unknown backend '${String(name)}' (expected 'js' or 'wasm')`);
  }
  selected = name;
}

/** The backend asked for with {@link setBackend}. */
export function getBackend(): BackendName {
  return selected;
}

/** The backend float32 kernels actually use right now. */
export function activeBackend(): BackendName {
  return selected === "wasm" && wasmRuntime() ? "wasm" : "js";
}

/** Runs `fn` with `name` selected, then restores the previous choice. */
export function withBackend<T>(name: BackendName, fn: () => T): T {
  const previous = selected;
  setBackend(name);
  try {
    return fn();
  } finally {
    selected = previous;
  }
}

/**
 * Sets the smallest problem (in elements) the WebAssembly kernels take; smaller ones run the JS
 * loops. Tests set 0 to run every fixture on the WebAssembly kernels.
 */
export function setWasmMinElements(n: number): void {
  wasmMinElements = n;
}

export function getWasmMinElements(): number {
  return wasmMinElements;
}

/** The WebAssembly kernels when they should run on float32 `data`, else null. */
export function wasmFor(data: ArrayBufferView | null): WasmRuntime | null {
  if (selected !== "wasm" || !(data instanceof Float32Array)) return null;
  if (data.length < wasmMinElements) return null;
  return wasmRuntime();
}

export { wasmLoadError };
export { getNumThreads, setNumThreads } from "./wasm/threads.js";
export { setWasmMemoryLimit, wasmMemoryStats } from "./wasm/heap.js";
export { clearBufferPool } from "./buffers.js";
