/**
 * Gradient recycling (autograd/recycling.ts): a `.grad` that user code never read goes back to
 * the buffer pool when its leaf drops it, so a steady `backward(); x.grad = null` loop allocates
 * nothing; a `.grad` that was read (or a view of it, or a tensor the user assigned) is never
 * recycled. Accumulation into an existing `.grad` is in place, as PyTorch's AccumulateGrad.
 * Every test that a recycled buffer must not be reused checks values against a fresh leaf's
 * gradient after the pool had every chance to hand the buffer to the next forward.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import * as torch from "../../src/index.js";
import { isUnobservedGradient } from "../../src/autograd/recycling.js";
import { activeBackend } from "../../src/kernels/backend.js";
import { bufferPoolStats, clearBufferPool } from "../../src/kernels/buffers.js";
import { wasmMemoryStats } from "../../src/kernels/wasm/heap.js";
import type { Tensor } from "../../src/tensor/tensor.js";

const F = torch.F;
/** Large enough for pooled buffers and the threaded WASM kernels (2M elements). */
const N = 64;
const C = 32768;

beforeEach(() => clearBufferPool());

const values = (t: Tensor | null): number[] => Array.from(t!.data as Float32Array);

function targets(seed: number): Tensor {
  return torch.tensor(Array.from({ length: N }, (_, i) => (i * 7 + seed) % C));
}

function leaf(dtype = torch.float32): Tensor {
  return torch.randn([N, C], { dtype, requiresGrad: true });
}

const ce = (x: Tensor, seed: number) => F.crossEntropy(x, targets(seed));
const mse = (x: Tensor, seed: number) => F.mseLoss(x, torch.full([N, C], seed * 0.25));

/** The gradient of loss(x) on a fresh leaf holding the same values. */
function reference(x: Tensor, loss: (x: Tensor, s: number) => Tensor, seed: number): number[] {
  const copy = x.detach().clone().requiresGrad_();
  loss(copy, seed).backward();
  return values(copy.grad);
}

/** `loss(x, s).backward(); x.grad = null` for each seed s in [from, to). */
function loop(x: Tensor, from: number, to: number, loss = ce): void {
  for (let s = from; s < to; s++) {
    loss(x, s).backward();
    x.grad = null;
  }
}

/** The engine's own `.grad` of x, read without observing it. */
const engineGrad = (x: Tensor) => x.peekGrad()!;

describe("a steady loop allocates nothing", () => {
  for (const [name, dtype] of [["float32", torch.float32], ["float64", torch.float64]] as const) {
    test(`cross-entropy ${name}: backward(); x.grad = null, 50 times`, () => {
      const x = leaf(dtype);
      loop(x, 0, 3);
      const pool = bufferPoolStats();
      const memory = wasmMemoryStats();
      loop(x, 0, 50);
      const after = bufferPoolStats();
      assert.equal(after.allocated, pool.allocated, "no lease allocated a new buffer");
      assert.equal(after.reused - pool.reused, 50);
      assert.equal(after.recycled - pool.recycled, 50);
      if (activeBackend() === "wasm" && memory) {
        const now = wasmMemoryStats()!;
        assert.equal(now.memoryBytes, memory.memoryBytes);
        assert.equal(now.liveBytes, memory.liveBytes);
      }
    });
  }

  test("mse float32 (a pooled fused loss of another helper) recycles too", () => {
    const x = leaf();
    loop(x, 0, 3, mse);
    const pool = bufferPoolStats();
    loop(x, 0, 20, mse);
    assert.equal(bufferPoolStats().allocated, pool.allocated);
  });
});

describe("an observed gradient is never recycled", () => {
  test("reading x.grad keeps it out of the pool; later loops leave it intact", () => {
    const x = leaf();
    ce(x, 1).backward();
    const g = x.grad!;
    const snapshot = values(g);
    const pool = bufferPoolStats();
    x.grad = null;
    assert.equal(bufferPoolStats().recycled, pool.recycled);
    loop(x, 2, 6);
    assert.deepEqual(values(g), snapshot);
  });

  test("a view of x.grad survives after the gradient is dropped", () => {
    const x = leaf();
    ce(x, 1).backward();
    const view = x.grad!.view([-1]);
    const snapshot = values(view);
    x.grad = null;
    loop(x, 2, 6);
    assert.deepEqual(values(view), snapshot);
  });

  test("a gradient read once stays observed through later accumulation", () => {
    const x = leaf();
    ce(x, 1).backward();
    const g = x.grad!;
    ce(x, 1).backward();                     // accumulates into g in place
    assert.equal(isUnobservedGradient(engineGrad(x)), false);
    const snapshot = values(g);
    x.grad = null;
    ce(x, 3).backward();
    assert.deepEqual(values(g), snapshot);
  });

  test("a tensor the user assigns to .grad is never recycled", () => {
    const x = leaf();
    const mine = torch.zeros([N, C]);
    x.grad = mine;
    ce(x, 1).backward();                     // accumulates into `mine`
    const snapshot = values(mine);
    assert.deepEqual(snapshot, reference(x, ce, 1));
    const pool = bufferPoolStats();
    x.grad = null;
    assert.equal(bufferPoolStats().recycled, pool.recycled);
    loop(x, 2, 6);
    assert.deepEqual(values(mine), snapshot);
  });

  test("a gradient reaching two leaves: the copy and the original are each recycled once", () => {
    const a = leaf();
    const b = leaf();
    ce(a.add(b), 1).backward();
    assert.ok(isUnobservedGradient(engineGrad(a)));
    assert.ok(isUnobservedGradient(engineGrad(b)));
    assert.notEqual(engineGrad(a).data, engineGrad(b).data);
    const expected = reference(a.add(b).detach(), ce, 1);
    a.grad = null;                            // back to the pool, reused by the next forward
    ce(torch.randn([N, C], { requiresGrad: true }), 5).backward();
    assert.deepEqual(values(b.grad), expected);
  });
});

describe("an unobserved gradient is recycled and reused correctly", () => {
  test("x.grad = null returns the storage; the next lease takes it", () => {
    const x = leaf();
    ce(x, 1).backward();
    const storage = engineGrad(x).data;
    assert.ok(isUnobservedGradient(engineGrad(x)));
    x.grad = null;
    ce(x, 2).backward();
    assert.equal(engineGrad(x).data, storage);
    assert.deepEqual(values(x.grad), reference(x, ce, 2));
  });

  test("gradcheck-style reads after each backward keep every gradient intact", () => {
    const x = leaf();
    const kept: [Tensor, number[]][] = [];
    for (let s = 1; s <= 4; s++) {
      ce(x, s).backward();
      kept.push([x.grad!, values(x.grad)]);
      x.grad = null;
    }
    for (const [g, snapshot] of kept) assert.deepEqual(values(g), snapshot);
  });
});

describe("accumulation into an existing .grad is in place (PyTorch's AccumulateGrad)", () => {
  test("a held x.grad sees the second backward's sum and stays x.grad", () => {
    const x = leaf();
    const once = reference(x, ce, 1);
    ce(x, 1).backward();
    const g = x.grad!;
    ce(x, 1).backward();
    assert.equal(x.grad, g);
    values(g).forEach((v, i) => assert.ok(Math.abs(v - 2 * once[i]) <= 1e-6 * (1 + Math.abs(v))));
  });

  test("zero_grad pattern: grad.zero_() then backward writes the new gradient in place", () => {
    const x = leaf();
    ce(x, 1).backward();
    const g = x.grad!;
    g.zero_();
    ce(x, 2).backward();                     // leases the loop's one buffer (g keeps the first)
    const pool = bufferPoolStats();
    for (let s = 3; s < 12; s++) {
      g.zero_();
      ce(x, s).backward();
    }
    assert.equal(x.grad, g);
    assert.equal(bufferPoolStats().allocated, pool.allocated);
    assert.deepEqual(values(g), reference(x, ce, 11));
  });

  test("float64 accumulates in place too", () => {
    const x = leaf(torch.float64);
    ce(x, 1).backward();
    const g = x.grad!;
    const once = Array.from(g.data as Float64Array);
    ce(x, 1).backward();
    assert.equal(x.grad, g);
    Array.from(g.data as Float64Array).forEach((v, i) => assert.equal(v, once[i] + once[i]));
  });
});
