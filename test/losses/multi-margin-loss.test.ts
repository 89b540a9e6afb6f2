/**
 * multiMarginLoss / MultiMarginLoss against torch 1.13, gradcheck of the fused kernel's
 * hand-written backward, module form and the documented example.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { multiMarginLoss } from "../../src/functional.js";
import { MultiMarginLoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  classIndices, exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("multiMarginLoss against torch 1.13 (test/fixtures/losses-multi-margin.json)", () => {
  for (const c of loadLossCases("multi-margin")) test(c.name, () => runLossCase(c));
});

/** The smallest |z| = |margin − x[y] + x[i]| over i ≠ y: finite differences need it ≫ eps. */
function kinkDistance(x: Tensor, t: Tensor, margin: number): number {
  const classes = x.dim() === 0 ? 1 : x.shape[x.dim() - 1];
  const data = x.data as Float64Array;
  const targets = t.data as BigInt64Array;
  let gap = Infinity;
  targets.forEach((y, n) => {
    for (let i = 0; i < classes; i++) {
      if (i === Number(y)) continue;
      const z = margin - data[n * classes + Number(y)] + data[n * classes + i];
      gap = Math.min(gap, Math.abs(z));
    }
  });
  return gap;
}

const SHAPES: [string, number[], number[]][] = [
  ["(N, C)", [4, 5], [4]], ["(C), target ()", [5], []], ["(C), target (1)", [5], [1]],
  ["(1, C), target ()", [1, 3], []],
];

describe("multiMarginLoss gradcheck (float64)", () => {
  for (const [label, shape, targetShape] of SHAPES) {
    for (const p of [1, 2] as const) {
      for (const reduction of ["none", "mean", "sum"] as const) {
        test(`${label}, p ${p}, ${reduction}`, () => {
          const random = seededRandom(71 + p);
          const x = uniform64(random, shape);
          const t = classIndices(random, targetShape, shape[shape.length - 1]);
          const weight = uniform64(random, [shape[shape.length - 1]], 0.5, 2).detach();
          for (const margin of [1, 0.4]) {
            assert.ok(kinkDistance(x, t, margin) > 1e-3, "inputs too close to a kink");
            assert.ok(gradcheck((a) => multiMarginLoss(a, t, { reduction, p, margin }), [x]));
            assert.ok(gradcheck((a) => multiMarginLoss(a, t, { reduction, p, margin, weight }),
              [x]));
          }
        });
      }
    }
  }
});

test("MultiMarginLoss module equals multiMarginLoss with the same options", () => {
  const random = seededRandom(75);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [3, 4]);
    const t = classIndices(random, [3], 4);
    const options = { reduction, p: 2 as const, margin: 0.7,
      weight: uniform64(random, [4], 0.5, 2).detach() };
    const fromModule = new MultiMarginLoss(options)(x, t);
    const fromFunction = multiMarginLoss(x, t, options);
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    assert.equal(MultiMarginLoss(options).p, 2);
  }
});

test("multiMarginLoss @example", () => {
  const x = tensor([[0.1, 0.2, 0.4, 0.8]], { dtype: float32 });
  assert.equal(String(multiMarginLoss(x, tensor([3]))), exampleResult("multi-margin-loss.ts"));
  assert.equal(exampleResult("multi-margin-loss.ts"), "tensor(0.3250)");
});
