/**
 * multilabelSoftMarginLoss / MultiLabelSoftMarginLoss against torch 1.13, gradcheck of input,
 * target and weight, module form and the documented example.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { multilabelSoftMarginLoss } from "../../src/functional.js";
import { MultiLabelSoftMarginLoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import {
  captureWarnings, exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("multilabelSoftMarginLoss against torch 1.13 " +
  "(test/fixtures/losses-multilabel-soft-margin.json)", () => {
  for (const c of loadLossCases("multilabel-soft-margin")) test(c.name, () => runLossCase(c));
});

const SHAPES: [string, number[], number[]][] = [
  ["(N, C)", [3, 4], [3, 4]], ["(C)", [5], [5]], ["(A, B, C)", [2, 2, 3], [2, 2, 3]],
  ["(N, C) with target (C)", [3, 4], [4]],
];

describe("multilabelSoftMarginLoss gradcheck (float64): input, target, weight", () => {
  for (const [label, shape, targetShape] of SHAPES) {
    for (const reduction of ["none", "mean", "sum"] as const) {
      test(`${label}, ${reduction}`, () => {
        const random = seededRandom(91);
        const x = uniform64(random, shape, -4, 4);
        const y = uniform64(random, targetShape, 0, 1);
        const w = uniform64(random, [shape[shape.length - 1]], 0.2, 2);
        assert.ok(gradcheck((a, b) => multilabelSoftMarginLoss(a, b, { reduction }), [x, y]));
        assert.ok(gradcheck((a, b, c) =>
          multilabelSoftMarginLoss(a, b, { reduction, weight: c }), [x, y, w]));
      });
    }
  }
});

test("MultiLabelSoftMarginLoss module equals multilabelSoftMarginLoss with the same options",
  () => {
    const random = seededRandom(93);
    for (const reduction of ["none", "mean", "sum"] as const) {
      const x = uniform64(random, [2, 3]);
      const y = uniform64(random, [2, 3], 0, 1);
      const options = { reduction, weight: uniform64(random, [3], 0.5, 2) };
      const { value: [fromModule, fromFunction] } = captureWarnings(() => [
        new MultiLabelSoftMarginLoss(options)(x, y), multilabelSoftMarginLoss(x, y, options)]);
      assert.deepEqual(values(fromModule), values(fromFunction));
      assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    }
  });

test("multilabelSoftMarginLoss @example", () => {
  const x = tensor([[0.5, -1, 2], [1.5, 0, -0.5]], { dtype: float32 });
  const y = tensor([[1, 0, 1], [0, 0.5, 1]], { dtype: float32 });
  assert.equal(String(multilabelSoftMarginLoss(x, y)),
    exampleResult("multilabel-soft-margin-loss.ts"));
  assert.equal(exampleResult("multilabel-soft-margin-loss.ts"), "tensor(0.7138)");
});
