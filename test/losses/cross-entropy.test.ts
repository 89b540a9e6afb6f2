/**
 * crossEntropy / CrossEntropyLoss against torch 1.13, gradcheck, module form and the documented
 * example.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { crossEntropy, softmax } from "../../src/functional.js";
import { CrossEntropyLoss } from "../../src/nn/index.js";
import { tensor } from "../../src/tensor/creation.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  classIndices, exampleResult, ignoreFirst, loadLossCases, runLossCase, seededRandom, uniform64,
  values,
} from "./helpers.js";

describe("crossEntropy against torch 1.13 (test/fixtures/losses-ce.json)", () => {
  for (const c of loadLossCases("ce")) test(c.name, () => runLossCase(c));
});

const SHAPES: [string, number[]][] = [
  ["(C)", [4]], ["(N, C)", [3, 4]], ["(N, C, d1)", [2, 4, 3]], ["(N, C, d1, d2)", [2, 4, 2, 3]],
  ["(N, C, d1, d2, d3)", [2, 4, 2, 1, 2]],
];
const REDUCTIONS = ["none", "mean", "sum"] as const;

/** Class-probability rows along the class dim (softmax of random logits), as a leaf. */
function probabilities(random: () => number, shape: number[]): Tensor {
  const logits = uniform64(random, shape).detach();
  const p = softmax(logits, shape.length === 1 ? 0 : 1).detach();
  p.requiresGrad = true;
  return p;
}

describe("crossEntropy gradcheck (float64), class-index targets", () => {
  for (const [label, shape] of SHAPES) {
    for (const reduction of REDUCTIONS) {
      test(`${label}, weight + ignoreIndex + labelSmoothing, ${reduction}`, () => {
        const random = seededRandom(41);
        const x = uniform64(random, shape);
        const targetShape = shape.length === 1 ? [] : [shape[0], ...shape.slice(2)];
        const t = classIndices(random, targetShape, 4);
        ignoreFirst(t, 2);
        const weight = uniform64(random, [4], 0.5, 2).detach();
        for (const options of [{}, { weight }, { weight, ignoreIndex: 2 }, { labelSmoothing: 0.2 },
          { weight, ignoreIndex: 2, labelSmoothing: 0.3 }, { labelSmoothing: 1.0 }]) {
          assert.ok(gradcheck((a) => crossEntropy(a, t, { ...options, reduction }), [x]),
            JSON.stringify(Object.keys(options)));
        }
      });
    }
  }
});

describe("crossEntropy gradcheck (float64), probability targets", () => {
  for (const [label, shape] of SHAPES) {
    for (const reduction of REDUCTIONS) {
      test(`${label}, input, target and weight, ${reduction}`, () => {
        const random = seededRandom(42);
        const x = uniform64(random, shape);
        const p = probabilities(random, shape);
        const w = uniform64(random, [4], 0.5, 2);
        assert.ok(gradcheck((a, b) => crossEntropy(a, b, { reduction }), [x, p]));
        assert.ok(gradcheck((a, b, c) => crossEntropy(a, b, { reduction, weight: c,
          labelSmoothing: 0.15 }), [x, p, w]));
      });
    }
  }
});

test("CrossEntropyLoss module equals crossEntropy with the same options", () => {
  const random = seededRandom(43);
  for (const reduction of REDUCTIONS) {
    const x = uniform64(random, [3, 4]);
    const t = classIndices(random, [3], 4);
    const options = { reduction, weight: uniform64(random, [4], 0.5, 2).detach(), ignoreIndex: 1,
      labelSmoothing: 0.1 };
    const fromModule = new CrossEntropyLoss(options)(x, t);
    const fromFunction = crossEntropy(x, t, options);
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    assert.equal(CrossEntropyLoss(options).labelSmoothing, 0.1);
  }
});

test("crossEntropy @example", () => {
  const input = tensor([[0.1, 0.2, 0.3]]);
  assert.equal(String(crossEntropy(input, tensor([1]))), exampleResult("cross-entropy.ts"));
  assert.equal(exampleResult("cross-entropy.ts"), "tensor(1.1019)");
});
