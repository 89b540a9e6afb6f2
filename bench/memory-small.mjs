/* global process, console, performance */
// Per-call cost of the learning note's CE 3×5 (fwd + bwd + x.grad = null), on the WebAssembly
// and the JS kernels: node --import tsx bench/memory-small.mjs
import * as torch from "../src/index.ts";
import { setBackend } from "../src/kernels/backend.ts";

const F = torch.F;
const x = torch.randn([3, 5], { requiresGrad: true });
const t = torch.tensor([1, 0, 4]);
const step = () => {
  F.crossEntropy(x, t).backward();
  x.grad = null;
};
for (const backend of ["wasm", "js"]) {
  setBackend(backend);
  for (let i = 0; i < 5000; i++) step();
  const samples = [];
  for (let s = 0; s < 9; s++) {
    const t0 = performance.now();
    for (let i = 0; i < 5000; i++) step();
    samples.push((performance.now() - t0) * 1000 / 5000);
  }
  samples.sort((a, b) => a - b);
  console.log(`CE 3×5 ${backend}: median ${samples[4].toFixed(1)} µs/call, min ` +
    `${samples[0].toFixed(1)}`);
}
process.exit(0);
