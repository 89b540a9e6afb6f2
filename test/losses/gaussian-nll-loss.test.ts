/**
 * gaussianNllLoss / GaussianNLLLoss against torch 1.13 (and torch 2.x's number `var`),
 * gradcheck, module form and the documented example.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { gaussianNllLoss } from "../../src/functional.js";
import { GaussianNLLLoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { runGaussianCase } from "./gaussian-cases.js";
import {
  countCases, exampleResult, loadLossCases, seededRandom, uniform64, values,
} from "./helpers.js";

const cases = loadLossCases("gaussian-nll");

describe("gaussianNllLoss against torch 1.13 (test/fixtures/losses-gaussian-nll.json)", () => {
  test("fixture counts", () => {
    const counts = countCases(cases);
    assert.ok(counts.values > 200 && counts.gradients > 200 && counts.errors > 25);
  });
  for (const c of cases) {
    test(c.name, () => runGaussianCase(c));
  }
});

describe("gaussianNllLoss gradcheck (float64), input, target and var", () => {
  const shapes: [string, number[]][] = [["same shape", [3, 4]], ["one fewer dim", [3]],
    ["last dim 1", [3, 1]]];
  for (const reduction of ["none", "mean", "sum"] as const) {
    for (const full of [false, true]) {
      for (const [label, varShape] of shapes) {
        test(`var ${label}, full ${full}, ${reduction}`, () => {
          const random = seededRandom(211);
          const x = uniform64(random, [3, 4]);
          const y = uniform64(random, [3, 4]);
          // variances kept above eps, where the clamp does not act
          const v = uniform64(random, varShape, 0.2, 2);
          assert.ok(gradcheck((a, b, c) => gaussianNllLoss(a, b, c, { reduction, full }),
            [x, y, v]));
        });
      }
    }
    test(`broadcast target (3, 1) and a number var, ${reduction}`, () => {
      const random = seededRandom(212);
      const x = uniform64(random, [3, 4]);
      const y = uniform64(random, [3, 1]);
      assert.ok(gradcheck((a, b) => gaussianNllLoss(a, b, 0.7, { reduction }), [x, y]));
    });
  }
});

test("GaussianNLLLoss module equals gaussianNllLoss with the same options", () => {
  const random = seededRandom(213);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [2, 3]);
    const y = uniform64(random, [2, 3]);
    const v: Tensor = uniform64(random, [2, 1], 0.01, 1);
    const options = { reduction, full: true, eps: 0.05 };
    const fromModule = new GaussianNLLLoss(options)(x, y, v);
    const fromFunction = gaussianNllLoss(x, y, v, options);
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
  }
});

test("gaussianNllLoss @example", () => {
  const x = tensor([[0.5, -1], [1.5, 0]], { dtype: float32 });
  const y = tensor([[0, -0.5], [2, 1]], { dtype: float32 });
  const v = tensor([0.5, 2], { dtype: float32 });
  assert.equal(String(gaussianNllLoss(x, y, v)), exampleResult("gaussian-nll-loss.ts"));
  assert.equal(exampleResult("gaussian-nll-loss.ts"), "tensor(0.2031)");
});
