/** klDiv / KLDivLoss against torch 1.13, gradcheck, module form and the documented example. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { klDiv, logSoftmax, softmax } from "../../src/functional.js";
import { KLDivLoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import {
  captureWarnings, exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("klDiv against torch 1.13 (test/fixtures/losses-kl.json)", () => {
  for (const c of loadLossCases("kl")) test(c.name, () => runLossCase(c));
});

const REDUCTIONS = ["none", "mean", "batchmean", "sum"] as const;

describe("klDiv gradcheck (float64), input and target", () => {
  for (const reduction of REDUCTIONS) {
    for (const logTarget of [false, true]) {
      test(`${reduction}, logTarget ${logTarget}`, () => {
        const random = seededRandom(51);
        const x = uniform64(random, [3, 4], -3, -0.1);
        // target probabilities kept away from 0, where ∂/∂t (log t + 1 − x) blows up
        const t = logTarget ? uniform64(random, [3, 4], -3, 0) : uniform64(random, [3, 4], 0.1, 1);
        captureWarnings(() => {
          assert.ok(gradcheck((a, b) => klDiv(a, b, { reduction, logTarget }), [x, t]));
        });
      });
      test(`broadcast target (4,), ${reduction}, logTarget ${logTarget}`, () => {
        const random = seededRandom(52);
        const x = uniform64(random, [3, 4], -3, -0.1);
        const t = logTarget ? uniform64(random, [4], -3, 0) : uniform64(random, [4], 0.1, 1);
        captureWarnings(() => {
          assert.ok(gradcheck((a, b) => klDiv(a, b, { reduction, logTarget }), [x, t]));
        });
      });
    }
  }
});

test("KLDivLoss module equals klDiv with the same options", () => {
  const random = seededRandom(53);
  for (const reduction of REDUCTIONS) {
    for (const logTarget of [false, true]) {
      const x = uniform64(random, [2, 3], -3, 0);
      const t = uniform64(random, [2, 3], 0.1, 1);
      const { value: [fromModule, fromFunction] } = captureWarnings(() => [
        new KLDivLoss({ reduction, logTarget })(x, t), klDiv(x, t, { reduction, logTarget })]);
      assert.deepEqual(values(fromModule), values(fromFunction));
      assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    }
  }
});

test("klDiv @example", () => {
  const input = logSoftmax(tensor([[1, 2, 3], [1, 1, 1]], { dtype: float32 }), 1);
  const target = softmax(tensor([[3, 2, 1], [0, 0, 1]], { dtype: float32 }), 1);
  assert.equal(String(klDiv(input, target, { reduction: "batchmean" })),
    exampleResult("kl-div.ts"));
  assert.equal(exampleResult("kl-div.ts"), "tensor(0.6369)");
});
