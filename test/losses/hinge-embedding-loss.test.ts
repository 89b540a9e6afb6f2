/** hingeEmbeddingLoss / HingeEmbeddingLoss against torch 1.13, gradcheck, module, example. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { hingeEmbeddingLoss } from "../../src/functional.js";
import { HingeEmbeddingLoss } from "../../src/nn/index.js";
import { float32, float64 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import { Tensor } from "../../src/tensor/tensor.js";
import {
  exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("hingeEmbeddingLoss against torch 1.13 (test/fixtures/losses-hinge-embedding.json)",
  () => {
    for (const c of loadLossCases("hinge-embedding")) test(c.name, () => runLossCase(c));
  });

/** Targets cycling through −1, 1 and 0 (0 takes both terms). */
function targets(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float64Array.from({ length: n }, (_, i) => [-1, 1, 0][i % 3]), shape);
}

describe("hingeEmbeddingLoss gradcheck (float64)", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    for (const margin of [1, 0.5, -0.5]) {
      test(`margin ${margin}, ${reduction}`, () => {
        const random = seededRandom(101);
        const x = uniform64(random, [3, 4], -3, 3);
        const gaps = (x.data as Float64Array).map((v) => Math.abs(margin - v));
        assert.ok(Math.min(...gaps) > 1e-3, "inputs too close to the kink");
        const y = targets([3, 4]);
        assert.ok(gradcheck((a) => hingeEmbeddingLoss(a, y, { reduction, margin }), [x]));
        const yRow = targets([4]);
        assert.ok(gradcheck((a) => hingeEmbeddingLoss(a, yRow, { reduction, margin }), [x]));
      });
    }
  }
});

test("HingeEmbeddingLoss module equals hingeEmbeddingLoss with the same options", () => {
  const random = seededRandom(103);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [2, 3]);
    const y = targets([2, 3]);
    const fromModule = new HingeEmbeddingLoss({ reduction, margin: 0.4 })(x, y);
    const fromFunction = hingeEmbeddingLoss(x, y, { reduction, margin: 0.4 });
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
  }
});

test("hingeEmbeddingLoss keeps the input's dtype", () => {
  const x = tensor([0.3, 2], { dtype: float32 });
  const y = tensor([1, -1], { dtype: float64 });
  assert.equal(hingeEmbeddingLoss(x, y).dtype, float32);
});

test("hingeEmbeddingLoss @example", () => {
  const x = tensor([0.3, 2, -0.5, 0.3, 0.3], { dtype: float32 });
  const y = tensor([1, -1, -1, 0, 2], { dtype: float32 });
  assert.equal(String(hingeEmbeddingLoss(x, y)), exampleResult("hinge-embedding-loss.ts"));
  assert.equal(exampleResult("hinge-embedding-loss.ts"), "tensor(0.7600)");
});
