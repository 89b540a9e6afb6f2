/**
 * Loss-scoped temporaries (autograd/temporaries.ts): the storage a loss allocates, other than its
 * result's, returns to the shared WebAssembly memory once nothing can read it, and so does what
 * a backward pass without retainGraph allocates, other than the leaves' `.grad`. These tests keep
 * the things a user can hold (the result, `.grad`, a distance function's output, a retained
 * graph) and check that their values survive later calls that reuse every freed block, and that
 * a steady loop of a composite loss keeps the shared memory's live bytes flat.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as torch from "../../src/index.js";
import { clearBufferPool } from "../../src/kernels/buffers.js";
import { offsetOf, wasmMemoryStats } from "../../src/kernels/wasm/heap.js";
import type { Tensor } from "../../src/tensor/tensor.js";

const F = torch.F;
/** Above the size placed in the shared memory (2^15 elements). */
const SHAPE = [256, 256];

const values = (t: Tensor | null): number[] => Array.from(t!.data as Float32Array);

/**
 * A new task: within one task the shared memory takes only a bounded number of same-size
 * tensors (wasm/heap.ts), and these tests need theirs placed there, where blocks are reused.
 */
const newTask = () => new Promise((resolve) => setTimeout(resolve, 0));

function assertPlaced(t: Tensor): void {
  assert.ok(offsetOf(t.data as Float32Array) >= 0, "the tensor lives in the shared memory");
}

function inputs(seed: number) {
  torch.manualSeed(seed);
  const x = torch.randn(SHAPE, { requiresGrad: true });
  const y = torch.randn(SHAPE).sign();
  const v = torch.rand(SHAPE).add(0.5);
  return { x, y, v };
}

/** A 0/1 target for MultiLabelSoftMargin, made once (user garbage per call would pile up). */
const ZERO_ONE = torch.noGrad(() => inputs(0).y.clampMin(0));

/** Composite losses with several full-size intermediates each. */
const LOSSES: [string, (x: Tensor, y: Tensor, v: Tensor, o?: object) => Tensor][] = [
  ["hingeEmbeddingLoss", (x, y, _v, o) => F.hingeEmbeddingLoss(x, y, o)],
  ["poissonNllLoss", (x, _y, v, o) => F.poissonNllLoss(x, v, o)],
  ["gaussianNllLoss", (x, y, v, o) => F.gaussianNllLoss(x, y, v, o)],
  ["marginRankingLoss", (x, y, v, o) => F.marginRankingLoss(x, v, y, o)],
  ["multilabelSoftMarginLoss", (x, _y, _v, o) => F.multilabelSoftMarginLoss(x, ZERO_ONE, o)],
  ["cosineEmbeddingLoss", (x, y, v, o) => F.cosineEmbeddingLoss(x, v, y.select(1, 0), o)],
  ["tripletMarginLoss", (x, y, v, o) => F.tripletMarginLoss(x, y, v, o)],
];

/** Calls that reuse every block the earlier calls freed (other inputs, same sizes). */
function churn(loss: (typeof LOSSES)[number][1]): void {
  for (let s = 100; s < 104; s++) {
    const { x, y, v } = inputs(s);
    loss(x, y, v).backward();
    loss(x, y, v, { reduction: "none" }).sum().backward();
  }
}

describe("what a user can hold survives later calls", () => {
  for (const [name, loss] of LOSSES) {
    test(`${name}: the 'none' result and the gradient`, async () => {
      await newTask();
      const { x, y, v } = inputs(1);
      const out = loss(x, y, v, { reduction: "none" });
      out.sum().backward();
      if (out.numel() >= 1 << 15) assertPlaced(out);
      assertPlaced(x.grad!);
      const [outSnapshot, gradSnapshot] = [values(out), values(x.grad)];
      churn(loss);
      assert.deepEqual(values(out), outSnapshot);
      assert.deepEqual(values(x.grad), gradSnapshot);
      const again = inputs(1);
      loss(again.x, again.y, again.v, { reduction: "none" }).sum().backward();
      assert.deepEqual(values(x.grad), values(again.x.grad));
    });

    test(`${name}: a retained graph walks again with the same gradient`, async () => {
      await newTask();
      const { x, y, v } = inputs(2);
      const out = loss(x, y, v);
      out.backward({ retainGraph: true });
      const first = values(x.grad);
      churn(loss);
      x.grad = null;
      out.backward();
      assert.deepEqual(values(x.grad), first);
    });

    test(`${name}: without grad the result survives`, async () => {
      await newTask();
      const { x, y, v } = inputs(3);
      const out = torch.noGrad(() => loss(x, y, v, { reduction: "none" }));
      if (out.numel() >= 1 << 15) assertPlaced(out);
      const snapshot = values(out);
      churn(loss);
      assert.deepEqual(values(out), snapshot);
    });
  }

  test("a distance function's own results stay the user's", async () => {
    await newTask();
    const kept: Tensor[] = [];
    const distance = (a: Tensor, b: Tensor) => {
      const d = a.sub(b).abs().mul(1.5);
      kept.push(d);
      return d.sum(1);
    };
    const { x, y, v } = inputs(4);
    F.tripletMarginWithDistanceLoss(x, y, v, { distanceFunction: distance }).backward();
    kept.forEach(assertPlaced);
    const snapshots = kept.map(values);
    for (let s = 200; s < 204; s++) {
      const more = inputs(s);
      F.tripletMarginWithDistanceLoss(more.x, more.y, more.v).backward();
      F.tripletMarginLoss(more.x, more.y, more.v).backward();
    }
    assert.deepEqual(kept.map(values), snapshots);
  });
});

describe("a steady loop returns its temporaries", () => {
  for (const [name, loss] of LOSSES) {
    test(`${name}: live bytes stay flat over 30 iterations`, async () => {
      await newTask();
      assert.ok(wasmMemoryStats(), "the shared WebAssembly memory is loaded");
      const { x, y, v } = inputs(5);
      assertPlaced(x);
      const step = () => {
        loss(x, y, v).backward();
        x.grad = null;
      };
      // The gradient pool (kernels/buffers.ts) keeps up to 4 free buffers, filled as the GC
      // happens to collect earlier tests' leaves: a bounded cache, emptied before each reading.
      const liveBytes = () => {
        clearBufferPool();
        return wasmMemoryStats()!.liveBytes;
      };
      step();
      const before = liveBytes();
      for (let i = 0; i < 30; i++) step();
      assert.equal(liveBytes(), before);
    });
  }
});
