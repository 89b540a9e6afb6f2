/**
 * The source of a kernel worker, as a string: a Node worker is started with `eval: true` and a
 * browser worker from a Blob URL, so no worker file has to be found at run time. It runs as a
 * script or as a module alike (Node evaluates it as a module under `--input-type=module`).
 *
 * The worker instantiates the kernels on the shared memory, counts itself ready, then loops
 * forever: wait for the job sequence number to change (polling it for `spinMs` before it
 * sleeps), run the named kernel on its own range, store the partial result, count itself done. Job layout (in the shared memory, see
 * threads.ts): i32 ctrl[SEQ, DONE, READY, AWAKE], f64 args[fn, argc, a0…], f64 ranges[2 per worker],
 * f64 results[1 per worker].
 */
export const WORKER_SOURCE = String.raw`
"use strict";
function start(init) {
  const { module, memory, ctrl, names, index } = init;
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const i32 = new Int32Array(memory.buffer, ctrl, 4);
  const f64 = new Float64Array(memory.buffer, ctrl + 16, init.slots);
  const args = 0, ranges = init.rangesAt, results = init.resultsAt;
  Atomics.add(i32, 3, 1);
  Atomics.add(i32, 2, 1);
  Atomics.notify(i32, 2);
  let seen = init.seq;
  for (;;) {
    // Spin a while before sleeping: waking a sleeping thread (a futex, an idle vCPU) costs
    // tens of µs, and jobs often come back to back (a loss's forward and backward passes).
    // i32[3] counts the workers awake, so that callers split smaller jobs only then.
    if (!spinWhile(i32, 0, seen, init.spinMs)) {
      Atomics.sub(i32, 3, 1);
      Atomics.wait(i32, 0, seen);
      Atomics.add(i32, 3, 1);
    }
    seen = Atomics.load(i32, 0);
    let result = 0;
    const r0 = f64[ranges + 2 * index], r1 = f64[ranges + 2 * index + 1];
    if (r1 > r0) {
      try {
        const fn = kernels[names[f64[args]]];
        const argc = f64[args + 1];
        const a = [];
        for (let i = 0; i < argc; i++) a.push(f64[args + 2 + i]);
        a.push(r0, r1);
        result = fn.apply(null, a);
      } catch (e) {
        result = NaN;
      }
    }
    f64[results + index] = result;
    Atomics.add(i32, 1, 1);
    Atomics.notify(i32, 1);
  }
}
/** Polls i32[at] for up to ms milliseconds; true once it differs from value. */
function spinWhile(i32, at, value, ms) {
  const end = performance.now() + ms;
  for (;;) {
    for (let k = 0; k < 256; k++) if (Atomics.load(i32, at) !== value) return true;
    if (performance.now() >= end) return false;
  }
}
const nodeProcess = typeof process === "object" && process && process.versions &&
  process.versions.node ? process : null;
const threads = !nodeProcess ? null : nodeProcess.getBuiltinModule
  ? nodeProcess.getBuiltinModule("node:worker_threads")
  : typeof require === "function" ? require("node:worker_threads") : null;
if (threads) {
  threads.parentPort.once("message", start);
} else {
  self.onmessage = (e) => { self.onmessage = null; start(e.data); };
}
`;
