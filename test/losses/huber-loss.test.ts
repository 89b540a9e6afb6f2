/** huberLoss / HuberLoss against torch 1.13, gradcheck, module form and the documented example. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { huberLoss } from "../../src/functional.js";
import { HuberLoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  captureWarnings, exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("huberLoss against torch 1.13 (test/fixtures/losses-huber.json)", () => {
  for (const c of loadLossCases("huber")) test(c.name, () => runLossCase(c));
});

/** A target with |x − y| in [0, 0.8δ] or [1.2δ, 3δ]: no kink within finite-difference reach. */
function awayFromKink(random: () => number, x: Tensor, k: number): Tensor {
  const y = uniform64(random, [...x.shape]);
  const data = y.data as Float64Array;
  const xs = x.data as Float64Array;
  data.forEach((_, i) => {
    const d = random() < 0.5 ? 0.8 * k * random() : k * (1.2 + 1.8 * random());
    data[i] = xs[i] + (random() < 0.5 ? -d : d);
  });
  return y;
}

describe("huberLoss gradcheck (float64), input and target", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    for (const delta of [1, 0.3, 2.5]) {
      test(`delta ${delta}, ${reduction}`, () => {
        const random = seededRandom(81);
        const x = uniform64(random, [3, 4]);
        const y = awayFromKink(random, x, delta);
        assert.ok(gradcheck((a, b) => huberLoss(a, b, { reduction, delta }), [x, y]));
      });
    }
    test(`broadcast (3, 1) against (4,), ${reduction}`, () => {
      const random = seededRandom(82);
      const x = uniform64(random, [3, 1], 1.5, 1.9);
      const y = uniform64(random, [4], -0.4, 0.4);
      captureWarnings(() =>
        assert.ok(gradcheck((a, b) => huberLoss(a, b, { reduction, delta: 0.7 }), [x, y])));
    });
  }
});

test("HuberLoss module equals huberLoss with the same options", () => {
  const random = seededRandom(83);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [2, 3]);
    const y = uniform64(random, [2, 3]);
    const fromModule = new HuberLoss({ reduction, delta: 0.6 })(x, y);
    const fromFunction = huberLoss(x, y, { reduction, delta: 0.6 });
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    assert.equal(HuberLoss({ reduction, delta: 0.6 }).delta, 0.6);
  }
});

test("huberLoss @example", () => {
  const x = tensor([0.5, 3], { dtype: float32 });
  const y = tensor([0, 0], { dtype: float32 });
  assert.equal(String(huberLoss(x, y)), exampleResult("huber-loss.ts"));
  assert.equal(exampleResult("huber-loss.ts"), "tensor(1.3125)");
});
