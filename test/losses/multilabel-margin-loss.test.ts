/**
 * multilabelMarginLoss / MultiLabelMarginLoss against torch 1.13, gradcheck of the fused
 * kernel's hand-written backward, module form and the documented example.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { multilabelMarginLoss } from "../../src/functional.js";
import { MultiLabelMarginLoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("multilabelMarginLoss against torch 1.13 (test/fixtures/losses-multilabel-margin.json)",
  () => {
    for (const c of loadLossCases("multilabel-margin")) test(c.name, () => runLossCase(c));
  });

/** Rows of listed classes (with a repeat), each ended by −1 and padded with junk in [−1, C). */
const TARGET_2D = [[3, 0, 3, -1, 4], [1, -1, 2, 0, -1], [-1, 4, 4, 4, 4], [0, 1, 2, 3, 4]];

/** The smallest |z| = |1 − x[j] + x[i]| over listed j and unlisted i. */
function kinkDistance(x: Tensor, rows: number[][]): number {
  const data = x.data as Float64Array;
  let gap = Infinity;
  rows.forEach((row, n) => {
    const end = row.indexOf(-1) < 0 ? row.length : row.indexOf(-1);
    const listed = new Set(row.slice(0, end));
    for (const j of listed) {
      for (let i = 0; i < row.length; i++) {
        if (!listed.has(i)) gap = Math.min(gap, Math.abs(1 - data[n * 5 + j] + data[n * 5 + i]));
      }
    }
  });
  return gap;
}

describe("multilabelMarginLoss gradcheck (float64)", () => {
  for (const reduction of ["none", "mean", "sum"] as const) {
    test(`(N, C), ${reduction}`, () => {
      const x = uniform64(seededRandom(81), [4, 5]);
      assert.ok(kinkDistance(x, TARGET_2D) > 1e-3, "inputs too close to a kink");
      const t = tensor(TARGET_2D);
      assert.ok(gradcheck((a) => multilabelMarginLoss(a, t, { reduction }), [x]));
    });
    test(`(C), ${reduction}`, () => {
      const x = uniform64(seededRandom(82), [5]);
      assert.ok(kinkDistance(x, [TARGET_2D[0]]) > 1e-3, "inputs too close to a kink");
      const t = tensor(TARGET_2D[0]);
      assert.ok(gradcheck((a) => multilabelMarginLoss(a, t, { reduction }), [x]));
    });
  }
});

test("MultiLabelMarginLoss module equals multilabelMarginLoss with the same options", () => {
  const random = seededRandom(83);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [4, 5]);
    const t = tensor(TARGET_2D);
    const fromModule = new MultiLabelMarginLoss({ reduction })(x, t);
    const fromFunction = multilabelMarginLoss(x, t, { reduction });
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
  }
});

test("multilabelMarginLoss @example", () => {
  const x = tensor([[0.1, 0.2, 0.4, 0.8]], { dtype: float32 });
  assert.equal(String(multilabelMarginLoss(x, tensor([[3, 0, -1, 1]]))),
    exampleResult("multilabel-margin-loss.ts"));
  assert.equal(exampleResult("multilabel-margin-loss.ts"), "tensor(0.8500)");
});
