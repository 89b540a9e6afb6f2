/** poissonNllLoss / PoissonNLLLoss against torch 1.13, gradcheck, module form and the example. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { poissonNllLoss } from "../../src/functional.js";
import { PoissonNLLLoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import {
  captureWarnings, countCases, exampleResult, loadLossCases, runLossCase, seededRandom,
  uniform64, values,
} from "./helpers.js";

const cases = loadLossCases("poisson-nll");

describe("poissonNllLoss against torch 1.13 (test/fixtures/losses-poisson-nll.json)", () => {
  test("fixture counts", () => {
    const counts = countCases(cases);
    assert.ok(counts.values > 250 && counts.gradients > 250 && counts.errors > 10);
  });
  for (const c of cases) test(c.name, () => runLossCase(c));
});

describe("poissonNllLoss gradcheck (float64), input and target", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    for (const logInput of [true, false]) {
      for (const full of [false, true]) {
        test(`logInput ${logInput}, full ${full}, ${reduction}`, () => {
          const random = seededRandom(201);
          const x = logInput ? uniform64(random, [3, 4]) : uniform64(random, [3, 4], 0.2, 3);
          // targets on both sides of the Stirling mask (y ≤ 1), away from y = 1 and y = 0
          const y = uniform64(random, [3, 4], 0.1, 4);
          (y.data as Float64Array).forEach((v, i, d) => {
            if (Math.abs(v - 1) < 0.05) d[i] = 1.5;
          });
          assert.ok(gradcheck((a, b) => poissonNllLoss(a, b, { reduction, logInput, full }),
            [x, y]));
        });
      }
    }
    test(`broadcast target (3, 1), ${reduction}`, () => {
      const random = seededRandom(202);
      const x = uniform64(random, [3, 4]);
      const y = uniform64(random, [3, 1], 1.2, 4);
      assert.ok(gradcheck((a, b) => poissonNllLoss(a, b, { reduction, full: true }), [x, y]));
    });
  }
});

test("PoissonNLLLoss module equals poissonNllLoss with the same options", () => {
  const random = seededRandom(203);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [2, 3], 0.1, 2);
    const y = uniform64(random, [2, 3], 0, 5);
    const options = { reduction, logInput: false, full: true, eps: 1e-3 };
    const fromModule = new PoissonNLLLoss(options)(x, y);
    const fromFunction = poissonNllLoss(x, y, options);
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
  }
  const { warnings } = captureWarnings(() => PoissonNLLLoss({ sizeAverage: false }));
  assert.deepEqual(warnings, ["size_average and reduce args will be deprecated, please use " +
    "reduction='sum' instead."]);
});

test("poissonNllLoss @example", () => {
  const x = tensor([0, 1, -2, 0.5], { dtype: float32 });
  const y = tensor([0, 1, 2, 5], { dtype: float32 });
  assert.equal(String(poissonNllLoss(x, y)), exampleResult("poisson-nll-loss.ts"));
  assert.equal(exampleResult("poisson-nll-loss.ts"), "tensor(1.5006)");
});
