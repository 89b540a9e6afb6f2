/**
 * softMarginLoss / SoftMarginLoss against torch 1.13, gradcheck, module form and the documented
 * example.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { softMarginLoss } from "../../src/functional.js";
import { SoftMarginLoss } from "../../src/nn/index.js";
import { float32, float64 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import {
  type ExpectedError, assertError, exampleResult, leaf, loadLossCases, runLossCase, seededRandom,
  uniform64, values,
} from "./helpers.js";

const cases = loadLossCases("soft-margin");

describe("softMarginLoss against torch 1.13 (test/fixtures/losses-soft-margin.json)", () => {
  for (const c of cases) test(c.name, () => runLossCase(c));
});

describe("softMarginLoss: forward succeeds, backward fails as in torch 1.13", () => {
  const failing = cases.filter((c) => "backwardError" in c);
  test("the fixture has such cases (bool targets)", () => assert.ok(failing.length > 0));
  for (const c of failing) {
    test(c.name, () => {
      const [input, target] = c.inputs.map(leaf);
      const out = softMarginLoss(input, target, c.options as object);
      const seed = out.dim() === 0 ? undefined : out.onesLike();
      let error: unknown;
      try {
        out.backward(seed);
      } catch (e) {
        error = e;
      }
      assertError(error, (c as unknown as { backwardError: ExpectedError }).backwardError, c.name);
    });
  }
});

describe("softMarginLoss gradcheck (float64), input", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    test(`targets ±1, ${reduction}`, () => {
      const random = seededRandom(101);
      const x = uniform64(random, [3, 4], -3, 3);
      const y = tensor(Array.from({ length: 12 }, () => (random() < 0.5 ? -1 : 1)),
        { dtype: float64 }).reshape([3, 4]);
      assert.ok(gradcheck((a) => softMarginLoss(a, y, { reduction }), [x]));
    });
    test(`real target (4,) broadcast into (2, 3, 4), ${reduction}`, () => {
      const random = seededRandom(102);
      const x = uniform64(random, [2, 3, 4], -3, 3);
      const y = uniform64(random, [4], -2, 2).detach();
      assert.ok(gradcheck((a) => softMarginLoss(a, y, { reduction }), [x]));
    });
  }
});

test("float32 overflow: inf loss and NaN gradient where −y·x > 88.7, as in torch", () => {
  const x = tensor([100, -100, 1e4], { dtype: float32 });
  const y = tensor([-1, -1, 1], { dtype: float32 });
  x.requiresGrad = true;
  const loss = softMarginLoss(x, y, { reduction: "none" });
  assert.deepEqual(values(loss), [Infinity, 0, 0]);
  loss.sum().backward();
  assert.ok(Number.isNaN(values(x.grad!)[0]));
  assert.equal(softMarginLoss(x.detach().double(), y.double(), { reduction: "none" }).data[0],
    100);
});

test("SoftMarginLoss module equals softMarginLoss with the same options", () => {
  const random = seededRandom(103);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [2, 3]);
    const y = uniform64(random, [2, 3]).detach();
    const fromModule = new SoftMarginLoss({ reduction })(x, y);
    const fromFunction = softMarginLoss(x, y, { reduction });
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    assert.equal(SoftMarginLoss({ reduction }).reduction, reduction);
  }
});

test("softMarginLoss @example", () => {
  const x = tensor([0.5, -2, 1], { dtype: float32 });
  const y = tensor([1, 1, -1], { dtype: float32 });
  assert.equal(String(softMarginLoss(x, y)), exampleResult("soft-margin-loss.ts"));
  assert.equal(exampleResult("soft-margin-loss.ts"), "tensor(1.3048)");
});
