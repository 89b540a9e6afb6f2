/**
 * Loads the WebAssembly kernels with no file access: the bytes are embedded as base64. Node
 * compiles synchronously at import; a browser compiles asynchronously at import, and the pure-JS
 * kernels serve until it is ready (the public API stays synchronous).
 *
 * One memory per process: shared (a SharedArrayBuffer underneath, usable by worker threads)
 * where the environment allows it (Node; browsers only when `crossOriginIsolated`), otherwise
 * ordinary. Tensor storage is only placed in a shared memory: an ordinary memory detaches its
 * buffer, and every view into it, when it grows.
 */
import { WASM_SHARED, WASM_UNSHARED } from "./module.generated.js";

/** The kernel exports: pointers are byte offsets into `memory`; ranges come last. */
export interface KernelExports {
  heap_base(): number;
  ce_rows(x: number, g: number, tgt: number, w: number, coef: number, loss: number, C: number,
    r0: number, r1: number): number;
  softmax_rows(x: number, out: number, C: number, log: number, r0: number, r1: number): number;
  logsoftmax_bwd_rows(y: number, gy: number, out: number, C: number, r0: number,
    r1: number): number;
  softmax_bwd_rows(y: number, gy: number, out: number, C: number, r0: number, r1: number): number;
  scale_rows(g: number, up: number, C: number, bias: number, r0: number, r1: number): number;
  mse_fwd(x: number, y: number, g: number, k: number, i0: number, i1: number): number;
  mse_none(x: number, y: number, out: number, i0: number, i1: number): number;
  mse_bwd(x: number, y: number, up: number, g: number, k: number, i0: number, i1: number): number;
  l1_fwd(x: number, y: number, g: number, k: number, i0: number, i1: number): number;
  l1_none(x: number, y: number, out: number, i0: number, i1: number): number;
  l1_bwd(x: number, y: number, up: number, g: number, i0: number, i1: number): number;
  scale(a: number, out: number, k: number, bias: number, i0: number, i1: number): number;
  negate(a: number, out: number, i0: number, i1: number): number;
  zero_bytes(p: number, b0: number, b1: number): number;
  huber_fwd(x: number, y: number, g: number, d: number, n: number, i0: number,
    i1: number): number;
  smooth_l1_fwd(x: number, y: number, g: number, b: number, n: number, i0: number,
    i1: number): number;
  log_f32(x: number, out: number, i0: number, i1: number): number;
  kl_fwd(x: number, t: number, g: number, negS: number, i0: number, i1: number): number;
  bce_fwd(x: number, y: number, g: number, divisor: number, i0: number, i1: number): number;
  soft_margin_fwd(x: number, y: number, g: number, negN: number, i0: number, i1: number): number;
  bce_logits_fwd(x: number, y: number, p: number, w: number, g: number, divisor: number,
    i0: number, i1: number): number;
  mse_fwd_f64(x: number, y: number, g: number, k: number, i0: number, i1: number): number;
  l1_fwd_f64(x: number, y: number, g: number, k: number, i0: number, i1: number): number;
  bce_check(x: number, i0: number, i1: number): number;
  ew_vv(a: number, b: number, out: number, op: number, i0: number, i1: number): number;
  ew_vs(a: number, out: number, s: number, op: number, flip: number, i0: number,
    i1: number): number;
  ew_where(a: number, b: number, out: number, c: number, sa: number, sb: number, mode: number,
    i0: number, i1: number): number;
  ew_cmp(a: number, b: number, o: number, sb: number, op: number, scalarB: number, i0: number,
    i1: number): number;
  op_unary(a: number, out: number, op: number, i0: number, i1: number): number;
  op_grad(g: number, x: number, out: number, sg: number, s: number, op: number, gScalar: number,
    i0: number, i1: number): number;
  op_sum(a: number, i0: number, i1: number): number;
  op_rows(x: number, out: number, C: number, mode: number, r0: number, r1: number): number;
  op_rows_bwd(x: number, out: number, g: number, n: number, C: number, mode: number, r0: number,
    r1: number): number;
  multimargin_rows(x: number, g: number, tgt: number, w: number, loss: number, C: number,
    p: number, margin: number, gs: number, r0: number, r1: number): number;
  mlm_rows(x: number, g: number, tgt: number, loss: number, seq: number, C: number, gs: number,
    r0: number, r1: number): number;
  labels_i64(src: number, dst: number, C: number, i0: number, i1: number): number;
  ctc_f32(lp: number, grad: number, meta: number, ext: number, skip: number, alpha: number,
    beta: number, acc: number, nll: number, T: number, N: number, C: number, blank: number, zeroInf: number,
    b0: number, b1: number): number;
  ctc_f64(lp: number, grad: number, meta: number, ext: number, skip: number, alpha: number,
    beta: number, acc: number, nll: number, T: number, N: number, C: number, blank: number, zeroInf: number,
    b0: number, b1: number): number;
  softmax64_rows(x: number, out: number, C: number, log: number, r0: number, r1: number): number;
  logsoftmax64_bwd_rows(y: number, g: number, out: number, C: number, r0: number,
    r1: number): number;
  softmax64_bwd_rows(y: number, g: number, out: number, C: number, r0: number,
    r1: number): number;
  kl64_fwd(x: number, t: number, g: number, negS: number, i0: number, i1: number): number;
  exp_log_f64(x: number, out: number, log: number, i0: number, i1: number): number;
  ce64_rows(x: number, g: number, tgt: number, w: number, coef: number, loss: number, C: number,
    r0: number, r1: number): number;
  kl_softmax_rows(x: number, t: number, g: number, sc: number, C: number, negS: number,
    r0: number, r1: number): number;
  kl64_softmax_rows(x: number, t: number, g: number, sc: number, C: number, negS: number,
    r0: number, r1: number): number;
  poisson_fwd(x: number, y: number, g: number, s: number, i0: number, i1: number): number;
  poisson_lin_fwd(x: number, y: number, g: number, s: number, eps: number, i0: number,
    i1: number): number;
  gaussian_fwd(x: number, y: number, v: number, g: number, t: number, floor: number,
    full: number, k: number, i0: number, i1: number): number;
  negative_count(v: number, i0: number, i1: number): number;
  hinge_fwd(x: number, y: number, g: number, m: number, s: number, i0: number, i1: number): number;
  ranking_fwd(x1: number, x2: number, y: number, g: number, m: number, s: number, i0: number,
    i1: number): number;
  triplet_rows(a: number, p: number, n: number, g: number, C: number, eps: number,
    margin: number, s: number, flags: number, r0: number, r1: number): number;
  cosine_rows(x1: number, x2: number, g: number, lab: number, C: number, margin: number,
    eps: number, s: number, r0: number, r1: number): number;
}

export type KernelName = Exclude<keyof KernelExports, "heap_base">;

export interface WasmRuntime {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  /** Whether `memory` is shared, so tensors may live in it and workers may run on it. */
  readonly shared: boolean;
}

const PAGE = 65536;
/** wasm32's limit: 65536 pages of 64 KiB (4 GiB). */
export const MAX_PAGES = 65536;

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** The Node `process` object, or undefined elsewhere (no Node import on this path). */
export function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node ? p : undefined;
}

/** Shared memory is allowed in Node, and in browsers only when cross-origin isolated. */
function canShare(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  if (nodeProcess()) return true;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function instantiate(module: WebAssembly.Module, shared: boolean): WasmRuntime {
  const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { module, memory, exports: instance.exports as unknown as KernelExports, shared };
}

let runtime: WasmRuntime | null = null;
let failure: unknown = null;
const listeners: ((rt: WasmRuntime) => void)[] = [];

function ready(rt: WasmRuntime): void {
  runtime = rt;
  for (const fn of listeners.splice(0)) fn(rt);
}

function load(): void {
  if (typeof WebAssembly === "undefined" || !WebAssembly.validate) return;
  const shared = canShare();
  const bytes = decode(shared ? WASM_SHARED : WASM_UNSHARED);
  try {
    if (!WebAssembly.validate(bytes)) return;           // no SIMD128 in this engine: JS only
  } catch {
    return;
  }
  if (nodeProcess()) {
    ready(instantiate(new WebAssembly.Module(bytes), shared));
    return;
  }
  // Browsers forbid large synchronous compiles on the main thread.
  WebAssembly.compile(bytes).then((m) => ready(instantiate(m, shared)),
    (error: unknown) => (failure = error));
}

try {
  load();
} catch (error) {
  failure = error;
}

/** The loaded kernels, or null (not loaded yet, or unsupported here). */
export function wasmRuntime(): WasmRuntime | null {
  return runtime;
}

/** Why loading failed, if it did (for diagnostics). */
export function wasmLoadError(): unknown {
  return failure;
}

/** Calls `fn` once the runtime is loaded (at once if it already is). */
export function onWasmReady(fn: (rt: WasmRuntime) => void): void {
  if (runtime) fn(runtime);
  else listeners.push(fn);
}

/** Grows `memory` to at least `bytes`; false when that would pass wasm32's 4 GiB. */
export function ensureBytes(rt: WasmRuntime, bytes: number): boolean {
  const have = rt.memory.buffer.byteLength;
  if (bytes <= have) return true;
  const pages = Math.ceil((bytes - have) / PAGE);
  if (have / PAGE + pages > MAX_PAGES) return false;
  try {
    rt.memory.grow(pages);
    return true;
  } catch {
    return false;
  }
}
