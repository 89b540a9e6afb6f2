/**
 * The composite losses keep some intermediates in reusable storage (ops/binary.ts `reusing`,
 * `inScratch`). Nothing a backward reads may live there: two forwards, then two backwards in
 * the opposite order, give the same values and gradients as each call on its own.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import * as torch from "../../src/torch.js";
import { getWasmMinElements, setWasmMinElements } from "../../src/kernels/backend.js";
import type { Tensor } from "../../src/tensor/tensor.js";

const F = torch.F;
type Call = (a: Tensor, b: Tensor, c: Tensor) => Tensor;

const CASES: Record<string, Call> = {
  hinge: (a, _b, c) => F.hingeEmbeddingLoss(a, c.sign()),
  poisson: (a, b) => F.poissonNllLoss(a, b.abs()),
  poissonNoLog: (a, b) => F.poissonNllLoss(a.abs(), b.abs(), { logInput: false }),
  gaussian: (a, b, c) => F.gaussianNllLoss(a, b, c.abs()),
  gaussianVarGrad: (a, b, c) => F.gaussianNllLoss(b, c, a.abs().add(0.1), { reduction: "sum" }),
  marginRanking: (a, b, c) => F.marginRankingLoss(a, b, c.sign()),
  multilabelSoftMargin: (a, _b, c) => F.multilabelSoftMarginLoss(a, c.gt(0).float()),
  cosine: (a, b, c) => F.cosineEmbeddingLoss(a, b, c.select(1, 0).sign()),
  triplet: (a, b, c) => F.tripletMarginLoss(a, b, c),
};

function inputs(seed: number): Tensor[] {
  torch.manualSeed(seed);
  return [torch.randn(64, 48, { requiresGrad: true }), torch.randn(64, 48),
    torch.randn(64, 48)];
}

function gradsOf(x: Tensor, loss: Tensor): number[] {
  loss.backward();
  return [...(x.grad!.data as Float32Array)];
}

describe("composite losses with reused intermediates", () => {
  let previous = 0;
  before(() => {
    previous = getWasmMinElements();
    setWasmMinElements(0);                   // every op on the WASM kernels and scratch blocks
  });
  after(() => setWasmMinElements(previous));

  for (const [name, call] of Object.entries(CASES)) {
    test(`${name}: interleaved calls match separate ones`, () => {
      const [a1, b1, c1] = inputs(1);
      const [a2, b2, c2] = inputs(2);
      const alone1 = call(a1, b1, c1);
      const value1 = alone1.item();
      const grad1 = gradsOf(a1, alone1);
      const alone2 = call(a2, b2, c2);
      const value2 = alone2.item();
      const grad2 = gradsOf(a2, alone2);
      a1.grad = null;
      a2.grad = null;
      const first = call(a1, b1, c1);
      const second = call(a2, b2, c2);
      assert.equal(first.item(), value1);
      assert.equal(second.item(), value2);
      assert.deepEqual(gradsOf(a2, second), grad2);
      assert.deepEqual(gradsOf(a1, first), grad1);
    });
  }
});
