/** nllLoss / NLLLoss against torch 1.13, gradcheck, module form and the documented example. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { nllLoss } from "../../src/functional.js";
import { NLLLoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import {
  classIndices, exampleResult, ignoreFirst, loadLossCases, runLossCase, seededRandom, uniform64,
  values,
} from "./helpers.js";

describe("nllLoss against torch 1.13 (test/fixtures/losses-nll.json)", () => {
  for (const c of loadLossCases("nll")) test(c.name, () => runLossCase(c));
});

const SHAPES: [string, number[]][] = [
  ["(C)", [4]], ["(N, C)", [3, 4]], ["(N, C, d1)", [2, 4, 3]], ["(N, C, d1, d2)", [2, 4, 2, 3]],
  ["(N, C, d1, d2, d3)", [2, 4, 2, 1, 2]],
];

describe("nllLoss gradcheck (float64)", () => {
  for (const [label, shape] of SHAPES) {
    for (const reduction of ["none", "mean", "sum"] as const) {
      test(`${label}, weight + ignoreIndex, ${reduction}`, () => {
        const random = seededRandom(31);
        const x = uniform64(random, shape);
        const targetShape = shape.length === 1 ? [] : [shape[0], ...shape.slice(2)];
        const t = classIndices(random, targetShape, 4);
        ignoreFirst(t, 2);
        const weight = uniform64(random, [4], 0.5, 2).detach();
        const options = { reduction, weight, ignoreIndex: 2 };
        assert.ok(gradcheck((a) => nllLoss(a, t, options), [x]));
        assert.ok(gradcheck((a) => nllLoss(a, t, { reduction }), [x]));
      });
    }
  }
});

test("NLLLoss module equals nllLoss with the same options", () => {
  const random = seededRandom(33);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x = uniform64(random, [3, 4]);
    const t = classIndices(random, [3], 4);
    const options = { reduction, weight: uniform64(random, [4], 0.5, 2).detach(), ignoreIndex: 1 };
    const fromModule = new NLLLoss(options)(x, t);
    const fromFunction = nllLoss(x, t, options);
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
    assert.equal(NLLLoss(options).ignoreIndex, 1);
  }
});

test("nllLoss @example", () => {
  const logp = tensor([[-1, -2, -3], [-4, -5, -6]], { dtype: float32 });
  assert.equal(String(nllLoss(logp, tensor([1, 2]))), exampleResult("nll-loss.ts"));
  assert.equal(exampleResult("nll-loss.ts"), "tensor(4.)");
});
