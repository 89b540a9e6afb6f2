/**
 * tripletMarginLoss / TripletMarginLoss against torch 1.13 (margin and rank checks as in torch
 * 2.x), gradcheck, module form and the documented example.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { tripletMarginLoss } from "../../src/functional.js";
import { TripletMarginLoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import { decodeFloat } from "../helpers/fixtures.js";
import {
  type LossCase, assertError, countCases, exampleResult, loadLossCases, runLossCase,
  seededRandom, uniform64, values,
} from "./helpers.js";

/** JSON has no ±Infinity: the fixtures write a number option `p: inf` as the string "inf". */
function withNumberOptions(c: LossCase): LossCase {
  const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) =>
    [k, typeof v === "string" && ["inf", "-inf", "nan"].includes(v) ? decodeFloat(v) : v]));
  return { ...c, options };
}

const cases = loadLossCases("triplet-margin").filter((c) => c.fn === "tripletMarginLoss")
  .map(withNumberOptions);

describe("tripletMarginLoss against torch 1.13 (test/fixtures/losses-triplet-margin.json)", () => {
  test("fixture counts", () => {
    const counts = countCases(cases);
    assert.ok(counts.values > 250 && counts.gradients > 250 && counts.errors > 20);
  });
  for (const c of cases) test(c.name, () => runLossCase(c));
});

describe("tripletMarginLoss gradcheck (float64), anchor, positive and negative", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    for (const p of [2, 1.5, 3, Infinity]) {
      for (const swap of [false, true]) {
        test(`p ${p}, swap ${swap}, ${reduction}`, () => {
          const random = seededRandom(171);
          // a margin large enough that no triplet sits at the clamp's kink
          const [a, pos, neg] = [0, 1, 2].map(() => uniform64(random, [4, 3]));
          assert.ok(gradcheck((x, y, z) => tripletMarginLoss(x, y, z,
            { reduction, p, swap, margin: 20 }), [a, pos, neg]));
        });
      }
    }
    test(`unbatched and broadcast rows, ${reduction}`, () => {
      const random = seededRandom(172);
      const [a, pos, neg] = [0, 1, 2].map(() => uniform64(random, [5]));
      assert.ok(gradcheck((x, y, z) => tripletMarginLoss(x, y, z, { reduction, margin: 20 }),
        [a, pos, neg]));
      const rows = uniform64(random, [3, 4]);
      const row = uniform64(random, [1, 4]);
      const other = uniform64(random, [3, 4]);
      assert.ok(gradcheck((x, y, z) => tripletMarginLoss(x, y, z,
        { reduction, margin: 20, swap: true }), [rows, row, other]));
    });
  }
});

test("TripletMarginLoss module equals tripletMarginLoss with the same options", () => {
  const random = seededRandom(173);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const [a, p, n] = [0, 1, 2].map(() => uniform64(random, [3, 4]));
    const options = { reduction, margin: 0.7, p: 1, eps: 0, swap: true };
    const fromModule = new TripletMarginLoss(options)(a, p, n);
    const fromFunction = tripletMarginLoss(a, p, n, options);
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    assert.equal(TripletMarginLoss(options).margin, 0.7);
  }
});

test("TripletMarginLoss rejects a margin ≤ 0 at construction (torch 2.x), with or without new",
  () => {
    const expected = { type: "ValueError", message: "TripletMarginLoss: expected margin to be " +
      "greater than 0, got -0.5 instead" };
    assert.throws(() => new TripletMarginLoss({ margin: -0.5 }), (e) =>
      (assertError(e, expected, "new"), true));
    assert.throws(() => TripletMarginLoss({ margin: -0.5 }), (e) =>
      (assertError(e, expected, "call"), true));
    assert.ok(new TripletMarginLoss({ margin: NaN }) instanceof TripletMarginLoss);
  });

test("tripletMarginLoss @example", () => {
  const anchor = tensor([[0, 0], [0, 1]], { dtype: float32 });
  const positive = tensor([[1, 0], [0, 2]], { dtype: float32 });
  const negative = tensor([[1.2, 0], [0, -1]], { dtype: float32 });
  assert.equal(String(tripletMarginLoss(anchor, positive, negative)),
    exampleResult("triplet-margin-loss.ts"));
  assert.equal(exampleResult("triplet-margin-loss.ts"), "tensor(0.4000)");
});
