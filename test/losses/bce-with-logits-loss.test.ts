/**
 * binaryCrossEntropyWithLogits / BCEWithLogitsLoss against torch 1.13, gradcheck, module form
 * and the documented example.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { binaryCrossEntropyWithLogits } from "../../src/functional.js";
import { BCEWithLogitsLoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import {
  exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("binaryCrossEntropyWithLogits against torch 1.13 (losses-bce-with-logits.json)", () => {
  for (const c of loadLossCases("bce-with-logits")) test(c.name, () => runLossCase(c));
});

describe("binaryCrossEntropyWithLogits gradcheck (float64), input and target", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    for (const tag of ["plain", "weight", "posWeight", "both"] as const) {
      test(`${tag}, ${reduction}`, () => {
        const random = seededRandom(71);
        const x = uniform64(random, [2, 3, 4], -4, 4);
        const y = uniform64(random, [2, 3, 4], 0, 1);
        const weight = tag === "weight" || tag === "both"
          ? uniform64(random, [3, 1], 0.2, 2).detach() : null;
        const posWeight = tag === "posWeight" || tag === "both"
          ? uniform64(random, [4], 0.2, 3).detach() : null;
        assert.ok(gradcheck((a, b) =>
          binaryCrossEntropyWithLogits(a, b, { reduction, weight, posWeight }), [x, y]));
      });
    }
  }
});

test("large logits stay finite (float32 ±1e4)", () => {
  const x = tensor([1e4, -1e4, 1e4, -1e4], { dtype: float32 });
  const y = tensor([1, 0, 0, 1], { dtype: float32 });
  x.requiresGrad = true;
  const loss = binaryCrossEntropyWithLogits(x, y, { reduction: "sum" });
  assert.equal(loss.item(), 20000);
  loss.backward();
  assert.deepEqual(values(x.grad!), [0, 0, 1, -1]);
});

test("BCEWithLogitsLoss module equals binaryCrossEntropyWithLogits with the same options", () => {
  const random = seededRandom(73);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [2, 3], -3, 3);
    const y = uniform64(random, [2, 3], 0, 1);
    const weight = uniform64(random, [3], 0.2, 2).detach();
    const posWeight = uniform64(random, [3], 0.2, 2).detach();
    const options = { reduction, weight, posWeight };
    const fromModule = new BCEWithLogitsLoss(options)(x, y);
    const fromFunction = binaryCrossEntropyWithLogits(x, y, options);
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    assert.equal(BCEWithLogitsLoss(options).posWeight, posWeight);
  }
});

test("binaryCrossEntropyWithLogits @example", () => {
  const x = tensor([0.8, -1.2, 2.5], { dtype: float32 });
  const y = tensor([0, 1, 1], { dtype: float32 });
  const file = "bce-with-logits-loss.ts";
  assert.equal(String(binaryCrossEntropyWithLogits(x, y)), exampleResult(file));
  assert.equal(exampleResult(file), "tensor(0.9044)");
});
