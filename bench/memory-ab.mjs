/* global process, console, performance, setTimeout */
// Where tensors live, measured: (a) storage inside the shared WebAssembly memory (what
// allocStorage gives large float32 tensors: kernels work in place, worker threads share the
// work) against (b) JS-heap Float32Arrays streamed through WebAssembly scratch in 64 KiB-per-
// operand chunks (calling thread only). CE 4096×32000 and MSE/L1 16M, float32, 1 and 2 threads.
//   node --import tsx bench/memory-ab.mjs [reps=7] [cases=ce,mse,l1]
// "op" times the loss forward plus its node's backward (the gradient the engine receives);
// "user" times loss.backward() and x.grad = null, which adds the engine's copy into x.grad.
import * as torch from "../src/index.ts";
import { setNumThreads } from "../src/kernels/backend.ts";
import { offsetOf } from "../src/kernels/wasm/heap.ts";

const reps = Number(process.argv[2] ?? 7);
const cases = (process.argv[3] ?? "ce,mse,l1").split(",");
const F = torch.F;

function fill(a, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = ((s >>> 8) / 16777216 - 0.5) * 6;
  }
  return a;
}

/** A leaf of `shape` with (a) shared-memory or (b) JS-heap storage. */
function leaf(shape, seed, where) {
  const n = shape.reduce((p, q) => p * q, 1);
  const data = where === "a" ? torch.zeros(shape).data : new Float32Array(n);
  return new torch.Tensor(fill(data, seed), shape);
}

function median(ts) {
  const b = [...ts].sort((p, q) => p - q);
  return b[b.length >> 1];
}

function time(fn) {
  for (let i = 0; i < 2; i++) fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return { med: median(ts), min: Math.min(...ts) };
}

const ONE = torch.ones([]);
function runs(make) {
  return {
    op: () => make().gradFn.apply(ONE),
    user: (xs) => () => {
      make().backward();
      for (const x of xs) x.grad = null;
    },
  };
}

const rows = [];
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
await tick(300);                                     // worker pool start-up
for (const threads of [1, 2]) {
  setNumThreads(threads);
  for (const where of ["a", "b"]) {
    if (cases.includes("ce")) {
      const x = leaf([4096, 32000], 1, where);
      if (where === "a" && offsetOf(x.data) < 0) throw new Error("x not in shared memory");
      x.requiresGrad = true;
      const t = torch.randint(0, 32000, [4096]);
      await tick();                  // a new task: finalizers run, the per-task counts reset
      const r = runs(() => F.crossEntropy(x, t));
      rows.push(["CE 4096×32000", where, threads, time(r.op), time(r.user([x]))]);
    }
    for (const [name, fn] of [["mse", F.mseLoss], ["l1", F.l1Loss]]) {
      if (!cases.includes(name)) continue;
      const x = leaf([1 << 24], 2, where);
      const y = leaf([1 << 24], 3, where);
      if (where === "a" && offsetOf(y.data) < 0) throw new Error("y not in shared memory");
      x.requiresGrad = true;
      await tick();
      const r = runs(() => fn(x, y));
      rows.push([`${name.toUpperCase()} 16M`, where, threads, time(r.op), time(r.user([x]))]);
    }
    if (globalThis.gc) globalThis.gc();
    await tick();
  }
}
console.log("| case | storage | threads | op median (min) ms | user median (min) ms |");
console.log("|---|---|---|---|---|");
for (const [name, where, threads, op, user] of rows) {
  const w = where === "a" ? "(a) shared wasm memory" : "(b) JS heap, streamed";
  console.log(`| ${name} | ${w} | ${threads} | ${op.med.toFixed(1)} (${op.min.toFixed(1)}) | ` +
    `${user.med.toFixed(1)} (${user.min.toFixed(1)}) |`);
}
process.exit(0);
