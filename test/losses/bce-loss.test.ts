/** binaryCrossEntropy / BCELoss against torch 1.13, gradcheck, module form and the example. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { binaryCrossEntropy } from "../../src/functional.js";
import { BCELoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import {
  exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("binaryCrossEntropy against torch 1.13 (test/fixtures/losses-bce.json)", () => {
  for (const c of loadLossCases("bce")) test(c.name, () => runLossCase(c));
});

describe("binaryCrossEntropy gradcheck (float64), input and target", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    test(`no weight, ${reduction}`, () => {
      const random = seededRandom(61);
      // probabilities away from 0 and 1, where the clamps bend the loss
      const x = uniform64(random, [3, 4], 0.05, 0.95);
      const y = uniform64(random, [3, 4], 0, 1);
      assert.ok(gradcheck((a, b) => binaryCrossEntropy(a, b, { reduction }), [x, y]));
    });
    test(`weight (4) broadcast over (2, 3, 4), ${reduction}`, () => {
      const random = seededRandom(62);
      const x = uniform64(random, [2, 3, 4], 0.05, 0.95);
      const y = uniform64(random, [2, 3, 4], 0, 1);
      const weight = uniform64(random, [4], 0.2, 2).detach();
      assert.ok(gradcheck((a, b) => binaryCrossEntropy(a, b, { reduction, weight }), [x, y]));
    });
  }
});

test("BCELoss module equals binaryCrossEntropy with the same options", () => {
  const random = seededRandom(63);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [2, 3], 0.05, 0.95);
    const y = uniform64(random, [2, 3], 0, 1);
    const weight = uniform64(random, [3], 0.2, 2).detach();
    const fromModule = new BCELoss({ reduction, weight })(x, y);
    const fromFunction = binaryCrossEntropy(x, y, { reduction, weight });
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    assert.equal(BCELoss({ reduction }).reduction, reduction);
  }
});

test("binaryCrossEntropy @example", () => {
  const p = tensor([0.2, 0.7, 0.9], { dtype: float32 });
  const y = tensor([0, 1, 1], { dtype: float32 });
  assert.equal(String(binaryCrossEntropy(p, y)), exampleResult("bce-loss.ts"));
  assert.equal(exampleResult("bce-loss.ts"), "tensor(0.2284)");
});
