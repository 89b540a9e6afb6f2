/* global process, console, performance */
// A training-style loop, 10,000 iterations at a fixed size: loss = f(x, y); loss.backward();
// x.grad = null. Prints heap, RSS and WebAssembly memory every 2,000 iterations: they must stay
// flat (no per-call growth). Synchronous throughout, like a plain script's loop (finalizers
// never get to run inside it). Not a timed test.
//   node --import tsx bench/memory-loop.mjs [iterations=10000] [scenario,...]
import * as torch from "../src/index.ts";
import { wasmMemoryStats } from "../src/kernels/backend.ts";

const iterations = Number(process.argv[2] ?? 10000);
const only = process.argv[3]?.split(",");
const F = torch.F;
const MB = (b) => (b / 1024 ** 2).toFixed(0);

function snapshot(i, t0) {
  const elapsed = performance.now() - t0;
  if (globalThis.gc) globalThis.gc();           // with --expose-gc: retained memory, not garbage
  const m = process.memoryUsage();
  const w = wasmMemoryStats();
  return `${String(i).padStart(6)}  heapUsed ${MB(m.heapUsed).padStart(5)} MB  ` +
    `arrayBuffers ${MB(m.arrayBuffers).padStart(5)} MB  rss ${MB(m.rss).padStart(5)} MB  ` +
    `wasm memory ${MB(w?.memoryBytes ?? 0).padStart(5)} MB (live tensors ` +
    `${MB(w?.liveBytes ?? 0)} MB)  ${(elapsed / Math.max(i, 1)).toFixed(3)} ms/iter`;
}

function heapLeaf(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  const t = new torch.Tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i)), shape);
  return t;
}

const scenarios = {
  "ce-256x4000-shared": () => {
    const x = torch.randn([256, 4000], { requiresGrad: true });
    const t = torch.randint(0, 4000, [256]);
    return () => [F.crossEntropy(x, t), [x]];
  },
  "ce-256x4000-jsheap": () => {
    const x = heapLeaf([256, 4000]).requiresGrad_();
    const t = torch.randint(0, 4000, [256]);
    return () => [F.crossEntropy(x, t), [x]];
  },
  "mse-1M-shared": () => {
    const x = torch.randn([1 << 20], { requiresGrad: true });
    const y = torch.randn([1 << 20]);
    return () => [F.mseLoss(x, y), [x]];
  },
  "l1-1M-shared": () => {
    const x = torch.randn([1 << 20], { requiresGrad: true });
    const y = torch.randn([1 << 20]);
    return () => [F.l1Loss(x, y), [x]];
  },
  "ce-3x5": () => {
    const x = torch.randn([3, 5], { requiresGrad: true });
    const t = torch.tensor([1, 0, 4]);
    return () => [F.crossEntropy(x, t), [x]];
  },
  // New logits every iteration (as a model would produce): after 8 tensors of one size in one
  // task, the rest of the task's tensors of that size get JS-heap storage.
  "ce-256x4000-fresh-input": () => {
    const t = torch.randint(0, 4000, [256]);
    const source = Float32Array.from({ length: 256 * 4000 }, (_, i) => Math.sin(i));
    return () => {
      const x = torch.zeros([256, 4000]);
      x.data.set(source);
      x.requiresGrad = true;
      return [F.crossEntropy(x, t), [x]];
    };
  },
};

for (const [name, setup] of Object.entries(scenarios)) {
  if (only && !only.includes(name)) continue;
  const step = setup();
  for (let i = 0; i < 100; i++) {
    const [loss, xs] = step();
    loss.backward();
    for (const x of xs) x.grad = null;
  }
  console.log(`\n${name}`);
  const t0 = performance.now();
  console.log(snapshot(0, t0));
  for (let i = 1; i <= iterations; i++) {
    const [loss, xs] = step();
    loss.backward();
    for (const x of xs) x.grad = null;
    if (i % 2000 === 0) console.log(snapshot(i, t0));
  }
}
process.exit(0);
