/**
 * Gradient ownership in the engine: a leaf's first gradient is kept without a copy only when
 * its producer gave it up (a fresh, marked gradient, or a spent pooled buffer handed over by
 * the pool). Whatever else reaches `.grad` must be a copy: these tests mutate every tensor that
 * could alias a `.grad` and check that nothing else changes, on the pooled fused losses
 * (cross-entropy, MSE, L1: buffers above the pool's size floor) and on NLL's fresh gradient.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import * as torch from "../../src/index.js";
import { clearBufferPool } from "../../src/kernels/buffers.js";
import type { Tensor } from "../../src/tensor/tensor.js";

const F = torch.F;
/** Large enough for pooled buffers (≥ 4096 elements) and NLL's lazily zeroed ones (≥ 2^20). */
const SHAPES = [[64, 100], [32, 40000]] as const;

// Each test starts with no buffers handed over, so the pool's hand-over path is exercised.
beforeEach(() => clearBufferPool());

const values = (t: Tensor | null): number[] => Array.from(t!.data as Float32Array);

function leaf(shape: readonly number[]): Tensor {
  return torch.randn([...shape], { requiresGrad: true });
}

function targets(n: number, c: number, seed: number): Tensor {
  return torch.tensor(Array.from({ length: n }, (_, i) => (i * 7 + seed) % c));
}

type Loss = (x: Tensor, seed: number) => Tensor;

function losses(n: number, c: number): [string, Loss][] {
  const y = torch.randn([n, c]);
  return [
    ["cross-entropy", (x, s) => F.crossEntropy(x, targets(n, c, s))],
    ["nll", (x, s) => F.nllLoss(x, targets(n, c, s))],
    ["mse", (x, s) => F.mseLoss(x, y.mul(s))],
    ["l1", (x, s) => F.l1Loss(x, y.mul(s))],
  ];
}

/** The gradient of loss(x) computed on a fresh leaf holding the same values. */
function reference(x: Tensor, loss: Loss, seed: number): number[] {
  const copy = x.detach().clone().requiresGrad_();
  loss(copy, seed).backward();
  return values(copy.grad);
}

for (const [n, c] of SHAPES) {
  for (const [name, loss] of losses(n, c)) {
    describe(`${name} ${n}×${c}: .grad never aliases live storage`, () => {
      test("a kept gradient survives the next forward and backward", () => {
        const x = leaf([n, c]);
        loss(x, 1).backward();
        const first = x.grad!;
        const snapshot = values(first);
        x.grad = null;
        loss(x, 2).backward();                 // reuses the pool: must not touch `first`
        assert.deepEqual(values(first), snapshot);
        assert.deepEqual(values(x.grad), reference(x, loss, 2));
      });

      test("two backward calls accumulate, with the graph retained and recomputed", () => {
        const x = leaf([n, c]);
        const once = reference(x, loss, 1);
        const l = loss(x, 1);
        l.backward(undefined, { retainGraph: true });
        loss(x, 3);                           // a forward in between takes the pool's buffer
        l.backward();
        const twice = values(x.grad);
        twice.forEach((v, i) => assert.ok(Math.abs(v - 2 * once[i]) <= 1e-6 * (1 + Math.abs(v))));
      });

      test("every kept gradient of a loop stays intact, past the hand-over bound", () => {
        const x = leaf([n, c]);
        const kept: [Tensor, number[]][] = [];
        for (let s = 1; s <= 5; s++) {
          x.grad = null;
          loss(x, s).backward();
          kept.push([x.grad!, values(x.grad)]);
        }
        for (const [g, snapshot] of kept) assert.deepEqual(values(g), snapshot);
      });

      test("x.grad = null then backward again gives the same gradient", () => {
        const x = leaf([n, c]);
        for (let i = 0; i < 3; i++) {
          x.grad = null;
          loss(x, 1).backward();
        }
        assert.deepEqual(values(x.grad), reference(x, loss, 1));
      });

      test("one gradient reaching two leaves gives each its own copy", () => {
        const a = leaf([n, c]);
        const b = leaf([n, c]);
        loss(a.add(b), 1).backward();            // AddBackward passes one tensor to both
        const expected = values(b.grad);
        assert.deepEqual(values(a.grad), expected);
        (a.grad!.data as Float32Array).fill(42);
        assert.deepEqual(values(b.grad), expected);
      });
    });
  }
}

describe("gradients the user or the graph keeps are copied", () => {
  test("a user gradient mutated after backward leaves .grad unchanged", () => {
    for (const through of [(x: Tensor) => x.view([6]), (x: Tensor) => x.add(0).view([6])]) {
      const x = leaf([2, 3]);
      const gradient = torch.ones([6]);
      through(x).backward(gradient);
      (gradient.data as Float32Array).fill(7);
      assert.deepEqual(values(x.grad), [1, 1, 1, 1, 1, 1]);
    }
  });

  test("a large user gradient passed straight through is copied", () => {
    const x = leaf([1 << 20]);
    const gradient = torch.ones([1 << 20]);
    x.view([1024, 1024]).view([1 << 20]).backward(gradient);
    (gradient.data as Float32Array)[0] = 5;
    assert.equal((x.grad!.data as Float32Array)[0], 1);
    x.grad!.data[1] = 9;
    assert.equal((gradient.data as Float32Array)[1], 1);
  });

  test("a leaf used twice sums its gradients; mutating .grad changes nothing else", () => {
    const x = leaf([64, 100]);
    const t = targets(64, 100, 0);
    const l = F.crossEntropy(x, t).add(F.crossEntropy(x, t));
    l.backward(undefined, { retainGraph: true });
    const once = reference(x, (z) => F.crossEntropy(z, t), 0);
    const g = x.grad!;
    values(g).forEach((v, i) => assert.ok(Math.abs(v - 2 * once[i]) <= 1e-6));
    (g.data as Float32Array).fill(0);
    x.grad = null;
    l.backward();
    values(x.grad).forEach((v, i) => assert.ok(Math.abs(v - 2 * once[i]) <= 1e-6));
  });

  test("a leaf's .grad layout follows a permuted leaf when the gradient is kept", () => {
    const base = torch.randn([300, 40]);
    const x = base.t().detach().requiresGrad_();
    F.nllLoss(x.contiguous(), targets(40, 300, 0)).backward();
    assert.deepEqual(x.grad!.shape, [40, 300]);
  });
});
