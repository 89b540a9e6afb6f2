/**
 * tripletMarginWithDistanceLoss / TripletMarginWithDistanceLoss against torch 1.13 (with torch
 * 2.x's validation), gradcheck through several distance functions, module form and the
 * documented example.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import {
  cosineSimilarity, pairwiseDistance, tripletMarginWithDistanceLoss,
} from "../../src/functional.js";
import { TripletMarginWithDistanceLoss } from "../../src/nn/index.js";
import { float32, float64 } from "../../src/tensor/dtype.js";
import { tensor, zeros } from "../../src/tensor/creation.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  NAMED_FUNCTIONS, assertError, countCases, exampleResult, loadLossCases, runLossCase,
  seededRandom, uniform64, values,
} from "./helpers.js";

type Distance = (x: Tensor, y: Tensor) => Tensor;

/** The JS twins of the torch-side functions NAMED in gen_losses_embedding.py. */
const DISTANCES: Record<string, Distance> = {
  pairwiseDistance: (x, y) => pairwiseDistance(x, y),
  pairwiseDistanceP1: (x, y) => pairwiseDistance(x, y, { p: 1 }),
  cosineDistance: (x, y) => cosineSimilarity(x, y).rsub(1),
  l1Distance: (x, y) => x.sub(y).abs().sum(-1),
  squaredDistance: (x, y) => x.sub(y).pow(2).sum(-1),
  sizeMismatch: (x) => x.sub(zeros(5, { dtype: x.dtype })).abs().sum(-1),
};
Object.assign(NAMED_FUNCTIONS, DISTANCES);

const cases = loadLossCases("triplet-margin-with-distance")
  .filter((c) => c.fn === "tripletMarginWithDistanceLoss");

describe("tripletMarginWithDistanceLoss against torch 1.13 " +
  "(test/fixtures/losses-triplet-margin-with-distance.json)", () => {
  test("fixture counts", () => {
    const counts = countCases(cases);
    assert.ok(counts.values > 180 && counts.gradients > 180 && counts.errors > 20);
  });
  for (const c of cases) test(c.name, () => runLossCase(c));
});

describe("tripletMarginWithDistanceLoss gradcheck (float64), anchor, positive and negative",
  () => {
    for (const reduction of ["none", "mean", "sum"] as const) {
      for (const [name, distance] of Object.entries(DISTANCES).slice(0, 5)) {
        for (const swap of [false, true]) {
          test(`${name}, swap ${swap}, ${reduction}`, () => {
            const random = seededRandom(181);
            const [a, p, n] = [0, 1, 2].map(() => uniform64(random, [4, 3]));
            // a margin large enough that no triplet sits at the clamp's kink
            assert.ok(gradcheck((x, y, z) => tripletMarginWithDistanceLoss(x, y, z,
              { reduction, swap, margin: 30, distanceFunction: distance }), [a, p, n]));
          });
        }
      }
    }
  });

test("TripletMarginWithDistanceLoss module equals the functional form with the same options",
  () => {
    const random = seededRandom(183);
    for (const reduction of ["none", "mean", "sum"] as const) {
      const [a, p, n] = [0, 1, 2].map(() => uniform64(random, [3, 4]));
      const distanceFunction = DISTANCES.l1Distance;
      const options = { reduction, margin: 0.4, swap: true, distanceFunction };
      const fromModule = new TripletMarginWithDistanceLoss(options)(a, p, n);
      const fromFunction = tripletMarginWithDistanceLoss(a, p, n, options);
      assert.deepEqual(values(fromModule), values(fromFunction));
      assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
      assert.equal(TripletMarginWithDistanceLoss(options).distanceFunction, distanceFunction);
    }
  });

test("TripletMarginWithDistanceLoss rejects a margin ≤ 0 at construction (torch 2.x)", () => {
  const expected = { type: "ValueError", message: "TripletMarginWithDistanceLoss: expected " +
    "margin to be greater than 0, got 0.0 instead" };
  assert.throws(() => TripletMarginWithDistanceLoss({ margin: 0 }), (e) =>
    (assertError(e, expected, "call"), true));
});

test("a distance of any shape is reduced as returned", () => {
  const a = tensor([[1, 2], [3, 4]], { dtype: float64 });
  const elementwise: Distance = (x, y) => x.sub(y).abs();
  const out = tripletMarginWithDistanceLoss(a, a.add(1), a.sub(3),
    { distanceFunction: elementwise, reduction: "none", margin: 2.5 });
  assert.deepEqual(out.shape, [2, 2]);
  assert.deepEqual(values(out), [0.5, 0.5, 0.5, 0.5]);
});

test("tripletMarginWithDistanceLoss @example", () => {
  const anchor = tensor([[0, 0], [0, 1]], { dtype: float32 });
  const positive = tensor([[1, 0], [0, 2]], { dtype: float32 });
  const negative = tensor([[1.2, 0], [0, -1]], { dtype: float32 });
  const l1 = (x: Tensor, y: Tensor) => x.sub(y).abs().sum(-1);
  assert.equal(String(tripletMarginWithDistanceLoss(anchor, positive, negative,
    { distanceFunction: l1, margin: 0.5 })), exampleResult("triplet-margin-with-distance-loss.ts"));
  assert.equal(exampleResult("triplet-margin-with-distance-loss.ts"), "tensor(0.1500)");
});
