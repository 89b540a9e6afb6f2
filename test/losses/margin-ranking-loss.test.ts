/** marginRankingLoss / MarginRankingLoss against torch 1.13, gradcheck, module, example. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { marginRankingLoss } from "../../src/functional.js";
import { MarginRankingLoss } from "../../src/nn/index.js";
import { float32 } from "../../src/tensor/dtype.js";
import { tensor } from "../../src/tensor/creation.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  exampleResult, loadLossCases, runLossCase, seededRandom, uniform64, values,
} from "./helpers.js";

describe("marginRankingLoss against torch 1.13 (test/fixtures/losses-margin-ranking.json)", () => {
  for (const c of loadLossCases("margin-ranking")) test(c.name, () => runLossCase(c));
});

/** The smallest |−y·(x1 − x2) + margin| over the broadcast elements. */
function kinkDistance(x1: Tensor, x2: Tensor, y: Tensor, margin: number): number {
  const z = y.neg().mul(x1.sub(x2)).add(margin).detach().abs();
  return Math.min(...(z.data as Float64Array));
}

const SHAPES: [string, number[], number[], number[]][] = [
  ["(N)", [6], [6], [6]], ["()", [], [], []], ["(N, 1), (1, M), (N, M)", [3, 1], [1, 4], [3, 4]],
];

describe("marginRankingLoss gradcheck (float64): input1, input2, target", () => {
  for (const [label, s1, s2, st] of SHAPES) {
    for (const reduction of ["none", "mean", "sum"] as const) {
      for (const margin of [0, 0.3]) {
        test(`${label}, margin ${margin}, ${reduction}`, () => {
          const random = seededRandom(111);
          const x1 = uniform64(random, s1);
          const x2 = uniform64(random, s2);
          const y = uniform64(random, st, -1.5, 1.5);
          assert.ok(kinkDistance(x1, x2, y, margin) > 1e-3, "inputs too close to the kink");
          assert.ok(gradcheck((a, b, c) => marginRankingLoss(a, b, c, { reduction, margin }),
            [x1, x2, y]));
        });
      }
    }
  }
});

test("MarginRankingLoss module equals marginRankingLoss with the same options", () => {
  const random = seededRandom(113);
  for (const reduction of ["none", "mean", "sum"] as const) {
    const x1 = uniform64(random, [4]);
    const x2 = uniform64(random, [4]);
    const y = uniform64(random, [4]);
    const fromModule = new MarginRankingLoss({ reduction, margin: 0.2 })(x1, x2, y);
    const fromFunction = marginRankingLoss(x1, x2, y, { reduction, margin: 0.2 });
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
  }
});

test("marginRankingLoss @example", () => {
  const x1 = tensor([0.5, -1, 2], { dtype: float32 });
  const x2 = tensor([0, -0.5, 0.5], { dtype: float32 });
  const y = tensor([-1, 1, -1], { dtype: float32 });
  assert.equal(String(marginRankingLoss(x1, x2, y, { margin: 0.3 })),
    exampleResult("margin-ranking-loss.ts"));
  assert.equal(exampleResult("margin-ranking-loss.ts"), "tensor(1.1333)");
});
