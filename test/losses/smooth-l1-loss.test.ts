/**
 * smoothL1Loss / SmoothL1Loss against torch 1.13, gradcheck, module form and the documented
 * example.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { smoothL1Loss } from "../../src/functional.js";
import { SmoothL1Loss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  captureWarnings, exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("smoothL1Loss against torch 1.13 (test/fixtures/losses-smooth-l1.json)", () => {
  for (const c of loadLossCases("smooth-l1")) test(c.name, () => runLossCase(c));
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

describe("smoothL1Loss gradcheck (float64), input and target", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    for (const beta of [1, 0.3, 2.5]) {
      test(`beta ${beta}, ${reduction}`, () => {
        const random = seededRandom(91);
        const x = uniform64(random, [3, 4]);
        const y = awayFromKink(random, x, beta);
        assert.ok(gradcheck((a, b) => smoothL1Loss(a, b, { reduction, beta }), [x, y]));
      });
    }
    test(`beta 0 (L1) away from ties, ${reduction}`, () => {
      const random = seededRandom(94);
      const x = uniform64(random, [3, 4]);
      const y = awayFromKink(random, x, 0.5);
      const xs = x.data as Float64Array;
      (y.data as Float64Array).forEach((v, i, data) => {
        if (Math.abs(v - xs[i]) < 0.1) data[i] = xs[i] + 0.3;
      });
      assert.ok(gradcheck((a, b) => smoothL1Loss(a, b, { reduction, beta: 0 }), [x, y]));
    });
    test(`broadcast (3, 1) against (4,), ${reduction}`, () => {
      const random = seededRandom(92);
      const x = uniform64(random, [3, 1], 1.5, 1.9);
      const y = uniform64(random, [4], -0.4, 0.4);
      captureWarnings(() =>
        assert.ok(gradcheck((a, b) => smoothL1Loss(a, b, { reduction, beta: 0.7 }), [x, y])));
    });
  }
});

test("SmoothL1Loss module equals smoothL1Loss with the same options", () => {
  const random = seededRandom(93);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [2, 3]);
    const y = uniform64(random, [2, 3]);
    const fromModule = new SmoothL1Loss({ reduction, beta: 0.6 })(x, y);
    const fromFunction = smoothL1Loss(x, y, { reduction, beta: 0.6 });
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    assert.equal(SmoothL1Loss({ reduction, beta: 0.6 }).beta, 0.6);
  }
});

test("smoothL1Loss with beta 0: L1 values, gradient -1 at ties for input and target", () => {
  const x = tensor([2, 3, 0], { dtype: float32 });
  const y = tensor([2, 1, 0], { dtype: float32 });
  x.requiresGrad = true;
  y.requiresGrad = true;
  const loss = smoothL1Loss(x, y, { beta: 0 });
  assert.equal(loss.gradFn?.name(), "SmoothL1LossBackward0");
  loss.backward();
  const third = Math.fround(1 / 3);
  assert.deepEqual(values(x.grad!), [-third, third, -third]);
  assert.deepEqual(values(y.grad!), [-third, -third, -third]);
});

test("smoothL1Loss @example", () => {
  const x = tensor([0.5, 3], { dtype: float32 });
  const y = tensor([0, 0], { dtype: float32 });
  assert.equal(String(smoothL1Loss(x, y, { beta: 0.5 })), exampleResult("smooth-l1-loss.ts"));
  assert.equal(exampleResult("smooth-l1-loss.ts"), "tensor(1.5000)");
});
