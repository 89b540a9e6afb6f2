/** mseLoss / MSELoss against torch 1.13, gradcheck, module form and the documented example. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { mseLoss } from "../../src/functional.js";
import { MSELoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import {
  captureWarnings, exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("mseLoss against torch 1.13 (test/fixtures/losses-mse.json)", () => {
  for (const c of loadLossCases("mse")) test(c.name, () => runLossCase(c));
});

describe("mseLoss gradcheck (float64)", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    test(`same shape, ${reduction}`, () => {
      const random = seededRandom(21);
      const x = uniform64(random, [3, 4]);
      const y = uniform64(random, [3, 4]);
      assert.ok(gradcheck((a, b) => mseLoss(a, b, { reduction }), [x, y]));
    });
    test(`broadcast (2, 1, 4) against (3, 1), ${reduction}`, () => {
      const random = seededRandom(22);
      const x = uniform64(random, [2, 1, 4]);
      const y = uniform64(random, [3, 1]);
      captureWarnings(() =>
        assert.ok(gradcheck((a, b) => mseLoss(a, b, { reduction }), [x, y])));
    });
  }
});

test("MSELoss module equals mseLoss with the same options", () => {
  const random = seededRandom(23);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [2, 3]);
    const y = uniform64(random, [2, 3]);
    const fromModule = new MSELoss({ reduction })(x, y);
    const fromFunction = mseLoss(x, y, { reduction });
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
  }
});

test("mseLoss @example", () => {
  const x = tensor([1, 2, 3], { dtype: float32 });
  const y = tensor([1, 2, 5], { dtype: float32 });
  assert.equal(String(mseLoss(x, y)), exampleResult("mse-loss.ts"));
  assert.equal(exampleResult("mse-loss.ts"), "tensor(1.3333)");
});
