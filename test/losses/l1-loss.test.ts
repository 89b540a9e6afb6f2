/** l1Loss / L1Loss against torch 1.13, gradcheck, module form and the documented example. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { l1Loss } from "../../src/functional.js";
import { L1Loss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  captureWarnings, exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("l1Loss against torch 1.13 (test/fixtures/losses-l1.json)", () => {
  for (const c of loadLossCases("l1")) test(c.name, () => runLossCase(c));
});

/** A target at least 0.1 away from the input everywhere: |x − y| has no kink nearby. */
function awayFrom(random: () => number, x: Tensor): Tensor {
  const y = uniform64(random, [...x.shape], 0.1, 1);
  const data = y.data as Float64Array;
  const xs = x.data as Float64Array;
  data.forEach((d, i) => (data[i] = xs[i] + (random() < 0.5 ? -d : d)));
  return y;
}

describe("l1Loss gradcheck (float64)", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    test(`same shape, ${reduction}`, () => {
      const random = seededRandom(11);
      const x = uniform64(random, [3, 4]);
      const y = awayFrom(random, x);
      assert.ok(gradcheck((a, b) => l1Loss(a, b, { reduction }), [x, y]));
    });
    test(`broadcast (3, 1) against (4,), ${reduction}`, () => {
      const random = seededRandom(12);
      const x = uniform64(random, [3, 1], 2, 3);
      const y = uniform64(random, [4], -1, 1);
      captureWarnings(() =>
        assert.ok(gradcheck((a, b) => l1Loss(a, b, { reduction }), [x, y])));
    });
  }
});

test("L1Loss module equals l1Loss with the same options", () => {
  const random = seededRandom(13);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [2, 3]);
    const y = uniform64(random, [2, 3]);
    const fromModule = new L1Loss({ reduction })(x, y);
    const fromFunction = l1Loss(x, y, { reduction });
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    assert.equal(L1Loss({ reduction }).reduction, reduction);
  }
});

test("l1Loss @example", () => {
  const x = tensor([1, 2, 3], { dtype: float32 });
  const y = tensor([1, 2, 5], { dtype: float32 });
  assert.equal(String(l1Loss(x, y)), exampleResult("l1-loss.ts"));
  assert.equal(exampleResult("l1-loss.ts"), "tensor(0.6667)");
});
