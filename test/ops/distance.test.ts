/**
 * F.pairwiseDistance and F.cosineSimilarity against torch 1.13 (their fixture cases live in
 * losses-triplet-margin.json and losses-triplet-margin-with-distance.json), a hand-derived
 * gradient each, and gradcheck.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { cosineSimilarity, pairwiseDistance } from "../../src/functional.js";
import { float64 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import { decodeFloat } from "../helpers/fixtures.js";
import {
  type LossCase, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "../losses/helpers.js";

/** JSON has no ±Infinity: the fixtures write a number option `p: inf` as the string "inf". */
function withNumberOptions(c: LossCase): LossCase {
  const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) =>
    [k, typeof v === "string" && ["inf", "-inf", "nan"].includes(v) ? decodeFloat(v) : v]));
  return { ...c, options };
}

describe("pairwiseDistance against torch 1.13", () => {
  const cases = loadLossCases("triplet-margin").filter((c) => c.fn === "pairwiseDistance");
  test("fixture counts", () => assert.ok(cases.length > 100));
  for (const c of cases) test(c.name, () => runLossCase(withNumberOptions(c)));
});

describe("cosineSimilarity against torch 1.13", () => {
  const cases = loadLossCases("triplet-margin-with-distance")
    .filter((c) => c.fn === "cosineSimilarity");
  test("fixture counts", () => assert.ok(cases.length > 40));
  for (const c of cases) test(c.name, () => runLossCase(withNumberOptions(c)));
});

test("pairwiseDistance: value and hand-derived gradient", () => {
  const x1 = tensor([[3, 0], [1, 1]], { dtype: float64, requiresGrad: true });
  const x2 = tensor([[0, 4], [1, 1]], { dtype: float64 });
  const d = pairwiseDistance(x1, x2, { eps: 0 });
  assert.deepEqual(values(d), [5, 0]);
  assert.equal(d.gradFn?.name(), "NormBackward1");
  d.sum().backward();
  // ∂‖v‖/∂v = v / ‖v‖, and 0 where ‖v‖ = 0
  assert.deepEqual(values(x1.grad!), [0.6, -0.8, 0, 0]);
  assert.deepEqual(pairwiseDistance(x1, x2, { keepdim: true }).shape, [2, 1]);
});

test("cosineSimilarity: value and hand-derived gradient", () => {
  const x1 = tensor([[3, 4]], { dtype: float64, requiresGrad: true });
  const x2 = tensor([[4, 3]], { dtype: float64 });
  const c = cosineSimilarity(x1, x2);
  assert.deepEqual(values(c), [0.96]);
  assert.equal(c.gradFn?.name(), "SumBackward1");
  c.backward(tensor([1], { dtype: float64 }));
  // ∂cos/∂x1 = x2/(‖x1‖‖x2‖) − cos·x1/‖x1‖² = [0.16 − 0.1152, 0.12 − 0.1536]
  const grad = values(x1.grad!);
  assert.ok(Math.abs(grad[0] - 0.0448) < 1e-15 && Math.abs(grad[1] + 0.0336) < 1e-15);
});

describe("distance gradcheck (float64)", () => {
  for (const p of [2, 1.5, 3, 0.5, Infinity, -2]) {
    test(`pairwiseDistance p ${p}, broadcast (2, 3, 4) with (3, 4)`, () => {
      const random = seededRandom(191);
      const x1 = uniform64(random, [2, 3, 4]);
      const x2 = uniform64(random, [3, 4]);
      assert.ok(gradcheck((a, b) => pairwiseDistance(a, b, { p }), [x1, x2]));
    });
  }
  for (const dim of [0, 1, -1]) {
    test(`cosineSimilarity dim ${dim}, broadcast (3, 4) with (1, 4)`, () => {
      const random = seededRandom(192);
      const x1 = uniform64(random, [3, 4]);
      const x2 = uniform64(random, [1, 4]);
      assert.ok(gradcheck((a, b) => cosineSimilarity(a, b, { dim }), [x1, x2]));
    });
  }
});
