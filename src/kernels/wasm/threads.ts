/**
 * A persistent pool of kernel workers over the shared memory. The calling thread takes one share
 * of each job and blocks until the workers have done theirs: `Atomics.wait` in Node and in
 * browser workers, a spin on the browser main thread (where waiting is not allowed).
 *
 * Node's `worker_threads` is reached through `process.getBuiltinModule` (synchronous, no import
 * on the core path) or, on Nodes without it, a dynamic `import()`. Browsers get workers only
 * when `crossOriginIsolated`. Workers are unref'd: they never keep a Node process alive. A pool
 * starts on the first job big enough to use it, and jobs run on the calling thread alone until
 * its workers report ready.
 */
import { WORKER_SOURCE } from "./worker-source.js";
import { allocBlock, f64View } from "./heap.js";
import { type KernelName, type WasmRuntime, nodeProcess } from "./runtime.js";

const SEQ = 0;
const DONE = 1;
const READY = 2;
/** Workers awake (working, or polling for the next job rather than asleep). */
const AWAKE = 3;
const MAX_WORKERS = 15;
const MAX_ARGS = 16;
/** f64 slots after the 16-byte i32 header: fn, argc, args, then ranges and results. */
const RANGES_AT = 2 + MAX_ARGS;
const RESULTS_AT = RANGES_AT + 2 * MAX_WORKERS;
const SLOTS = RESULTS_AT + MAX_WORKERS;

/**
 * How long a thread polls for the next job (a worker) or for the workers' results (the caller)
 * before it sleeps: OpenMP's spin-then-sleep, as PyTorch's pool does.
 */
const SPIN_MS = 1;

/**
 * Work below this many elements runs on the calling thread: a round trip costs ~40 µs when a
 * worker must be woken, ~2 µs while every worker is awake (then HOT_MIN_ELEMENTS applies).
 */
export const PARALLEL_MIN_ELEMENTS = 1 << 18;
const HOT_MIN_ELEMENTS = 1 << 15;

/**
 * Kernels whose elements cost several memory-bound ones (an exp each: ~2.7 ns per float32
 * element on one thread against ~0.3 ns), so that fewer of them fill a thread's share: their
 * work counts as elements × this in the PARALLEL_MIN_ELEMENTS threshold.
 */
const ELEMENT_COST: Partial<Record<KernelName, number>> = {
  softmax_rows: 4, logsoftmax_bwd_rows: 4, softmax64_rows: 4, logsoftmax64_bwd_rows: 4,
};

interface Pool {
  readonly rt: WasmRuntime;
  readonly ctrl: number;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  workers: number;
  starting: boolean;
}

interface WorkerLike {
  postMessage(message: unknown): void;
  unref?(): void;
  on?(event: "error", listener: (error: unknown) => void): void;
  onerror?: ((event: never) => void) | null;
}

let pool: Pool | null = null;
let parallelJobs = 0;
let threadsWanted = defaultThreads();
const NAMES: KernelName[] = ["ce_rows", "softmax_rows", "logsoftmax_bwd_rows",
  "softmax_bwd_rows", "scale_rows", "mse_fwd", "mse_none", "mse_bwd", "l1_fwd", "l1_none",
  "l1_bwd", "scale", "negate", "zero_bytes",
  "huber_fwd", "smooth_l1_fwd", "log_f32", "kl_fwd", "bce_fwd", "soft_margin_fwd",
  "ew_vv", "ew_vs", "ew_where", "ew_cmp",
  "multimargin_rows", "mlm_rows", "labels_i64", "ctc_f32", "ctc_f64",
  "bce_logits_fwd", "mse_fwd_f64", "l1_fwd_f64", "bce_check",
  "op_unary", "op_grad", "op_sum", "op_rows", "op_rows_bwd",
  "softmax64_rows", "logsoftmax64_bwd_rows", "softmax64_bwd_rows", "kl64_fwd", "ce64_rows",
  "kl_softmax_rows", "kl64_softmax_rows", "poisson_fwd", "poisson_lin_fwd", "gaussian_fwd",
  "negative_count", "hinge_fwd", "ranking_fwd",
  "triplet_rows", "cosine_rows"];

function defaultThreads(): number {
  const proc = nodeProcess();
  if (proc?.getBuiltinModule) {
    const os = proc.getBuiltinModule("node:os") as { availableParallelism?: () => number;
      cpus: () => unknown[] };
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

/** Threads used by large kernels, the caller's included (like `torch.set_num_threads`). */
export function setNumThreads(n: number): void {
  threadsWanted = Math.max(1, Math.min(MAX_WORKERS + 1, Math.floor(n)));
}

/** Pool state, for tests and benchmarks: workers started and ready, jobs they shared. */
export function poolStatus() {
  return { workers: pool?.workers ?? 0, ready: pool ? Atomics.load(pool.i32, READY) : 0,
    awake: pool ? Atomics.load(pool.i32, AWAKE) : 0, parallelJobs };
}

export function getNumThreads(): number {
  return threadsWanted;
}

function isBrowserMainThread(): boolean {
  return !nodeProcess() && typeof (globalThis as { document?: unknown }).document !== "undefined";
}

function canUseWorkers(): boolean {
  if (nodeProcess()) return true;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true &&
    typeof Worker !== "undefined";
}

type WorkerFactory = () => WorkerLike;

function nodeWorkerFactory(mod: { Worker: new (src: string, o: object) => WorkerLike }) {
  // No inherited execArgv: the worker needs no loader hooks (tsx) or module-mode flags.
  return () => new mod.Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
}

function browserWorkerFactory(): WorkerFactory {
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  return () => new Worker(url);
}

function spawn(p: Pool, count: number, factory: WorkerFactory): void {
  const seq = Atomics.load(p.i32, SEQ);
  for (let index = 0; index < count; index++) {
    const worker = factory();
    worker.unref?.();
    // A worker that fails to start never counts itself ready, so the pool is never used; its
    // error must not become an uncaught exception of the caller's process.
    if (worker.on) worker.on("error", () => undefined);
    else worker.onerror = () => undefined;
    worker.postMessage({ module: p.rt.module, memory: p.rt.memory, ctrl: p.ctrl, names: NAMES,
      index, seq, slots: SLOTS, rangesAt: RANGES_AT, resultsAt: RESULTS_AT, spinMs: SPIN_MS });
  }
  p.workers = count;
}

function startWorkers(p: Pool, count: number): void {
  p.starting = true;
  const proc = nodeProcess();
  if (!proc) {
    spawn(p, count, browserWorkerFactory());
    return;
  }
  type WT = { Worker: new (src: string, o: object) => WorkerLike };
  const builtin = proc.getBuiltinModule?.("node:worker_threads") as WT | undefined;
  if (builtin) {
    spawn(p, count, nodeWorkerFactory(builtin));
    return;
  }
  const id = "node:worker_threads";
  import(/* @vite-ignore */ id).then((wt: WT) => spawn(p, count, nodeWorkerFactory(wt)),
    () => undefined);
}

function ensurePool(rt: WasmRuntime): Pool | null {
  if (pool) return pool;
  if (!rt.shared || !canUseWorkers()) return null;
  checkKernelNames(rt);
  const ctrl = allocBlock(16 + SLOTS * 8);
  if (ctrl < 0) return null;
  // A reused block holds old data: SEQ, DONE and READY must start at 0.
  new Uint8Array(rt.memory.buffer, ctrl, 16 + SLOTS * 8).fill(0);
  const i32 = new Int32Array(rt.memory.buffer, ctrl, 4);
  pool = { rt, ctrl, i32, f64: f64View(ctrl + 16, SLOTS), workers: 0, starting: false };
  return pool;
}

/**
 * Workers call kernels by their index in NAMES; a name the module lacks (a stale
 * module.generated.ts) would leave a worker's range silently unwritten, so it fails here.
 */
function checkKernelNames(rt: WasmRuntime): void {
  const missing = NAMES.filter((name) => typeof rt.exports[name] !== "function");
  if (missing.length > 0) {
    throw new Error(`torchloss: the WebAssembly module lacks the kernels ${missing.join(", ")} ` +
      "(src/kernels/wasm/module.generated.ts is stale: run npm run build:wasm)");
  }
}

/** Workers ready to take a share, starting the pool on first need. */
function readyWorkers(rt: WasmRuntime): Pool | null {
  if (threadsWanted <= 1) return null;
  const p = ensurePool(rt);
  if (!p) return null;
  if (!p.starting) startWorkers(p, Math.min(MAX_WORKERS, threadsWanted - 1));
  const ready = Atomics.load(p.i32, READY);
  return ready >= p.workers && p.workers > 0 ? p : null;
}

/** Splits [0, total) into `parts` contiguous ranges, each a multiple of `grain` long. */
function split(total: number, parts: number, grain: number): number[] {
  const cuts = [0];
  for (let k = 1; k < parts; k++) {
    cuts.push(Math.min(total, Math.round((total * k) / parts / grain) * grain));
  }
  cuts.push(total);
  return cuts;
}

/**
 * Waits for the workers' DONE count: by polling (a browser's main thread may not block, and
 * elsewhere for up to SPIN_MS, as waking a sleeping thread costs tens of µs), then asleep.
 */
function waitDone(p: Pool, expected: number): void {
  const spinForever = isBrowserMainThread();
  const end = performance.now() + SPIN_MS;
  for (;;) {
    const done = Atomics.load(p.i32, DONE);
    if (done >= expected) return;
    if (!spinForever && performance.now() >= end) Atomics.wait(p.i32, DONE, done);
  }
}

/**
 * Runs kernel `name(...args, r0, r1)` over [0, total) and returns the sum of its results. Work of
 * at least PARALLEL_MIN_ELEMENTS (`total · unit`, weighted by ELEMENT_COST), or of
 * HOT_MIN_ELEMENTS while every worker is awake, is split across the pool, if it is ready.
 * Every pointer in `args` must address the shared memory.
 */
export function parallelFor(rt: WasmRuntime, name: KernelName, args: readonly number[],
  total: number, unit = 1, grain = 16): number {
  const kernel = rt.exports[name] as (...a: number[]) => number;
  const work = total * unit * (ELEMENT_COST[name] ?? 1);
  const p = work >= HOT_MIN_ELEMENTS ? readyWorkers(rt) : null;
  if (p && work < PARALLEL_MIN_ELEMENTS && Atomics.load(p.i32, AWAKE) < p.workers) {
    return kernel(...args, 0, total);
  }
  const threads = p ? Math.min(p.workers + 1, threadsWanted, Math.ceil(total / grain)) : 1;
  if (!p || threads <= 1) return kernel(...args, 0, total);
  const cuts = split(total, threads, grain);
  parallelJobs++;
  const f = p.f64;
  f[0] = NAMES.indexOf(name);
  if (f[0] < 0) throw new Error(`torchloss: kernel ${name} is missing from threads.ts NAMES`);
  f[1] = args.length;
  args.forEach((a, i) => (f[2 + i] = a));
  for (let w = 0; w < p.workers; w++) {
    const mine = w < threads - 1;
    f[RANGES_AT + 2 * w] = mine ? cuts[w] : 0;
    f[RANGES_AT + 2 * w + 1] = mine ? cuts[w + 1] : 0;
  }
  Atomics.store(p.i32, DONE, 0);
  Atomics.add(p.i32, SEQ, 1);
  Atomics.notify(p.i32, SEQ);
  let sum = kernel(...args, cuts[threads - 1], total);
  waitDone(p, p.workers);
  for (let w = 0; w < threads - 1; w++) sum += f[RESULTS_AT + w];
  return sum;
}
