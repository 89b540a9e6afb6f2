/**
 * The loss fixtures of MultiMargin, MultiLabelMargin and CTC on each kernel path: the pure-JS
 * loops (`setBackend("js")`) and the WebAssembly kernels for every size (small fixtures otherwise
 * take the JS loops on the "wasm" backend). The `-large` fixtures
 * (scripts/fixtures/gen_losses_kernel_paths.py) are above the WebAssembly threshold, and CTC's
 * above the threads' one.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ctcLoss, multiMarginLoss, multilabelMarginLoss } from "../../src/functional.js";
import { activeBackend, getNumThreads, setNumThreads } from "../../src/kernels/backend.js";
import { poolStatus } from "../../src/kernels/wasm/threads.js";
import { manualSeed } from "../../src/random/generator.js";
import { rand, randint, randn } from "../../src/tensor/random.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { runCtcCase } from "../losses/ctc-fixtures.js";
import { loadLossCases } from "../losses/helpers.js";
import { onBackendPath, useBackend } from "./backend-path.js";

const LOSSES = [["multi-margin", "multiMarginLoss"],
  ["multilabel-margin", "multilabelMarginLoss"], ["multi-margin-large", "multiMarginLoss"],
  ["multilabel-margin-large", "multilabelMarginLoss"]] as const;

for (const [path, minElements] of [["js", 1024], ["wasm", 0]] as const) {
  describe(`on the ${path} kernels${minElements ? "" : " at every size"}`, () => {
    onBackendPath(path, minElements, LOSSES);
    describe("ctcLoss against torch 1.13 (test/fixtures/losses-ctc*.json)", () => {
      useBackend(minElements, path);
      test(`runs on the ${path} kernels`, () => assert.equal(activeBackend(), path));
      for (const fixture of ["ctc", "ctc-large"]) {
        for (const c of loadLossCases(fixture)) test(c.name, () => runCtcCase(c));
      }
    });
  });
}

describe("a second backward through a retained graph (the fused gradient is spent)", () => {
  useBackend(0, "wasm");
  test("recomputes the first one's gradient, in between another call of the loss", () => {
    manualSeed(7);
    const x = randn(6, 301, { requiresGrad: true });
    const y = randint(0, 301, [6]);
    const labels = randint(-1, 301, [6, 301]);
    const lp = randn(40, 3, 9).logSoftmax(2).detach();
    lp.requiresGrad = true;
    const cases: [Tensor, () => Tensor][] = [[x, () => multiMarginLoss(x, y, { p: 2 })],
      [x, () => multilabelMarginLoss(x, labels, { reduction: "sum" })],
      [lp, () => ctcLoss(lp, randint(1, 9, [3, 12]), [40, 33, 20], [12, 7, 9])]];
    for (const [leaf, call] of cases) {
      const loss = call();
      loss.backward(null, { retainGraph: true });
      const first = Array.from(leaf.grad!.data as Float32Array);
      leaf.grad = null;
      call().backward();
      leaf.grad = null;
      loss.backward();
      assert.deepEqual(Array.from(leaf.grad!.data as Float32Array), first);
      leaf.grad = null;
    }
  });
});

/** Starts the worker pool with a job big enough for it and waits until its workers are ready. */
async function poolReady(): Promise<boolean> {
  setNumThreads(2);
  for (let k = 0; k < 200; k++) {
    const x = randn(600, 500, { requiresGrad: true });
    multiMarginLoss(x, randint(0, 500, [600])).backward();
    const { workers, ready } = poolStatus();
    if (workers > 0 && ready >= workers) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/** Loss and input gradient of `fn` on `x`, with `threads` kernel threads. */
function lossAndGrad(threads: number, x: Tensor, fn: (x: Tensor) => Tensor) {
  setNumThreads(threads);
  const leafX = x.detach();
  leafX.requiresGrad = true;
  const loss = fn(leafX);
  loss.backward();
  return { loss: loss.item() as number, grad: Array.from(leafX.grad!.data as Float32Array) };
}

describe("on the WebAssembly kernels split across threads", () => {
  useBackend(1024, "wasm");
  let threads = 1;
  before(async () => {
    threads = getNumThreads();
    assert.ok(await poolReady(), "the worker pool did not start");
  });
  after(() => setNumThreads(threads));
  test("MultiMargin / MultiLabelMargin (600×500): the single thread's numbers", () => {
    manualSeed(5);
    const x = randn(600, 500);
    const y = randint(0, 500, [600]);
    const labels = randint(-1, 500, [600, 500]);
    const w = rand(500);
    const cases: ((x: Tensor) => Tensor)[] = [(v) => multiMarginLoss(v, y),
      (v) => multiMarginLoss(v, y, { p: 2, weight: w, reduction: "sum" }),
      (v) => multilabelMarginLoss(v, labels)];
    for (const fn of cases) {
      const jobs = poolStatus().parallelJobs;
      const two = lossAndGrad(2, x, fn);
      assert.ok(poolStatus().parallelJobs > jobs, "no job was split");
      const one = lossAndGrad(1, x, fn);
      assert.deepEqual(two.grad, one.grad);
      assert.ok(Math.abs(two.loss - one.loss) <= 1e-6 * Math.abs(one.loss));
    }
  });
  test("CTC against torch 1.13 (test/fixtures/losses-ctc-large.json), samples split", () => {
    setNumThreads(2);
    const jobs = poolStatus().parallelJobs;
    for (const c of loadLossCases("ctc-large")) runCtcCase(c);
    assert.ok(poolStatus().parallelJobs > jobs, "no job was split");
  });
});
