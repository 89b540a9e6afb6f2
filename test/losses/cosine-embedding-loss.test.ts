/**
 * cosineEmbeddingLoss / CosineEmbeddingLoss against torch 1.13, gradcheck, module form and the
 * documented example.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { cosineEmbeddingLoss } from "../../src/functional.js";
import { CosineEmbeddingLoss } from "../../src/nn/index.js";
import { float32, int64 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import { Tensor } from "../../src/tensor/tensor.js";
import {
  countCases, exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

const cases = loadLossCases("cosine-embedding").filter((c) => c.fn === "cosineEmbeddingLoss");

describe("cosineEmbeddingLoss against torch 1.13 (test/fixtures/losses-cosine-embedding.json)",
  () => {
    test("fixture counts", () => {
      const counts = countCases(cases);
      assert.ok(counts.values > 200 && counts.gradients > 200 && counts.errors > 15);
    });
    for (const c of cases) test(c.name, () => runLossCase(c));
  });

function signs(random: () => number, n: number): Tensor {
  return new Tensor(BigInt64Array.from({ length: n }, () => (random() < 0.5 ? -1n : 1n)), [n]);
}

describe("cosineEmbeddingLoss gradcheck (float64), input1 and input2", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    test(`batched, margin -0.5 (every −1 pair above it), ${reduction}`, () => {
      const random = seededRandom(151);
      const x1 = uniform64(random, [4, 3]);
      const x2 = uniform64(random, [4, 3]);
      const y = signs(random, 4);
      assert.ok(gradcheck((a, b) => cosineEmbeddingLoss(a, b, y, { reduction, margin: -1.5 }),
        [x1, x2]));
    });
    test(`unbatched and broadcast row, ${reduction}`, () => {
      const random = seededRandom(152);
      const x1 = uniform64(random, [5]);
      const x2 = uniform64(random, [5]);
      const minus = new Tensor(BigInt64Array.of(-1n), []);
      assert.ok(gradcheck((a, b) => cosineEmbeddingLoss(a, b, minus,
        { reduction, margin: -1.5 }), [x1, x2]));
      const rows = uniform64(random, [3, 4]);
      const row = uniform64(random, [1, 4]);
      const y = signs(random, 3);
      assert.ok(gradcheck((a, b) => cosineEmbeddingLoss(a, b, y, { reduction, margin: -1.5 }),
        [rows, row]));
    });
  }
});

test("CosineEmbeddingLoss module equals cosineEmbeddingLoss with the same options", () => {
  const random = seededRandom(153);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x1 = uniform64(random, [3, 4]);
    const x2 = uniform64(random, [3, 4]);
    const y = signs(random, 3);
    const fromModule = new CosineEmbeddingLoss({ reduction, margin: 0.1 })(x1, x2, y);
    const fromFunction = cosineEmbeddingLoss(x1, x2, y, { reduction, margin: 0.1 });
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    assert.equal(CosineEmbeddingLoss({ margin: 0.1 }).margin, 0.1);
  }
});

test("cosineEmbeddingLoss @example", () => {
  const x1 = tensor([[1, 0], [0, 1]], { dtype: float32 });
  const x2 = tensor([[1, 1], [1, 0]], { dtype: float32 });
  const y = tensor([1, -1]);
  assert.equal(y.dtype, int64);
  assert.equal(String(cosineEmbeddingLoss(x1, x2, y)), exampleResult("cosine-embedding-loss.ts"));
  assert.equal(exampleResult("cosine-embedding-loss.ts"), "tensor(0.1464)");
});
