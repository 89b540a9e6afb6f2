/** ctcLoss / CTCLoss against torch 1.13, gradcheck, module form and the documented example. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import { noGrad } from "../../src/autograd/grad-mode.js";
import { ctcLoss, logSoftmax } from "../../src/functional.js";
import { CTCLoss } from "../../src/nn/index.js";
import type { Lengths } from "../../src/nn/losses/ctc-loss.js";
import { full, tensor } from "../../src/tensor/creation.js";
import { float32 } from "../../src/tensor/dtype.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { runCtcCase } from "./ctc-fixtures.js";
import {
  countCases, exampleResult, loadLossCases, seededRandom, uniform64, values,
} from "./helpers.js";

// ---- fixtures ------------------------------------------------------------------------------

const CASES = loadLossCases("ctc");

describe("ctcLoss against torch 1.13 (test/fixtures/losses-ctc.json)", () => {
  for (const c of CASES) test(c.name, () => runCtcCase(c));
  test("fixture counts", () => {
    const counts = countCases(CASES);
    assert.ok(counts.values >= 200 && counts.gradients >= 200 && counts.errors >= 50,
      JSON.stringify(counts));
  });
});

// ---- gradcheck through logSoftmax (the gradient is exp(lp) − posterior, spec §0.1.4) -------

const REDUCTIONS = ["none", "mean", "sum"] as const;
const i64 = (v: number[], shape = [v.length]) => new Tensor(BigInt64Array.from(v, BigInt), shape);

interface Problem {
  label: string;
  shape: number[];
  targets: Tensor;
  inputLengths: Lengths;
  targetLengths: Lengths;
  blank?: number;
}

const PROBLEMS: Problem[] = [
  { label: "padded, blank 0, repeats, short inputs", shape: [6, 3, 4],
    targets: i64([1, 1, 2, 3, 0, 0, 2, 3, 2], [3, 3]), inputLengths: [6, 4, 5],
    targetLengths: [3, 0, 3] },
  { label: "concatenated, blank 2, int64 lengths", shape: [5, 2, 4],
    targets: i64([1, 3, 3, 0, 1]), inputLengths: i64([5, 5]), targetLengths: i64([2, 3]),
    blank: 2 },
  { label: "unbatched (T, C), 0-dim lengths", shape: [5, 3], targets: i64([1, 2, 2]),
    inputLengths: i64([5], []), targetLengths: i64([3], []) },
];

describe("ctcLoss gradcheck through logSoftmax (float64)", () => {
  for (const p of PROBLEMS) {
    for (const reduction of REDUCTIONS) {
      for (const zeroInfinity of [false, true]) {
        test(`${p.label}, ${reduction}, zeroInfinity ${zeroInfinity}`, () => {
          const x = uniform64(seededRandom(221), p.shape);
          const classDim = p.shape.length - 1;
          const options = { reduction, zeroInfinity, blank: p.blank ?? 0 };
          assert.ok(gradcheck((a) => ctcLoss(logSoftmax(a, classDim), p.targets, p.inputLengths,
            p.targetLengths, options), [x]));
        });
      }
    }
  }
  test("zeroInfinity: an impossible sample contributes neither loss nor gradient", () => {
    const x = uniform64(seededRandom(222), [3, 2, 3]);
    const targets = i64([1, 1, 2, 0], [2, 2]);
    assert.ok(gradcheck((a) => ctcLoss(logSoftmax(a, 2), targets, [3, 2], [2, 2],
      { zeroInfinity: true, reduction: "sum" }), [x]));
  });
});

test("w.r.t. raw logProbs the gradient is the finite difference + exp(lp) for t < Tₙ", () => {
  const lp = uniform64(seededRandom(223), [4, 2, 3], -3, 0);
  const targets = i64([1, 2, 2, 0], [2, 2]);
  const loss = (t: Tensor) => ctcLoss(t, targets, [4, 3], [2, 1], { reduction: "sum" });
  loss(lp).backward();
  const data = lp.data as Float64Array;
  const grad = lp.grad!.data as Float64Array;
  const eps = 1e-6;
  for (let i = 0; i < data.length; i++) {
    const saved = data[i];
    const at = (v: number) => {
      data[i] = v;
      return noGrad(() => loss(lp).item() as number);
    };
    const numerical = (at(saved + eps) - at(saved - eps)) / (2 * eps);
    data[i] = saved;
    const beyondInput = i >= 3 * 2 * 3 + 3;   // t = 3 of sample 1 (input length 3)
    const expected = beyondInput ? 0 : numerical + Math.exp(saved);
    assert.ok(Math.abs(grad[i] - expected) < 1e-6, `[${i}] ${grad[i]} vs ${expected}`);
  }
});

// ---- module form, options, example --------------------------------------------------------

test("CTCLoss module equals ctcLoss with the same options", () => {
  const random = seededRandom(224);
  const targets = i64([1, 2, 3, 3], [2, 2]);
  for (const reduction of REDUCTIONS) {
    const options = { reduction, blank: 0, zeroInfinity: true };
    const lp = logSoftmax(uniform64(random, [5, 2, 4]), 2);
    const fromModule = new CTCLoss(options)(lp, targets, [5, 4], [2, 2]);
    const fromFunction = ctcLoss(lp, targets, [5, 4], [2, 2], options);
    assert.deepEqual(values(fromModule), values(fromFunction));
    assert.equal(fromModule.gradFn?.name(), fromFunction.gradFn?.name());
  }
  const module = CTCLoss({ blank: 2, zeroInfinity: true });
  assert.equal(module.blank, 2);
  assert.equal(module.reduction, "mean");
  assert.equal(String(module), "CTCLoss()");
});

test("lengths as bigint arrays equal lengths as number arrays and as int64 tensors", () => {
  const lp = logSoftmax(uniform64(seededRandom(225), [5, 2, 3]), 2);
  const targets = i64([1, 2, 2, 0], [2, 2]);
  const options = { reduction: "none" } as const;
  const expected = values(ctcLoss(lp, targets, [5, 4], [2, 1], options));
  assert.deepEqual(values(ctcLoss(lp, targets, [5n, 4n], [2n, 1n], options)), expected);
  assert.deepEqual(values(ctcLoss(lp, targets, i64([5, 4]), i64([2, 1]), options)), expected);
});

test("a camelCase option PyTorch does not take is named as the user wrote it", () => {
  assert.throws(() => new CTCLoss({ sizeAverage: true } as object),
    { name: "TypeError", message: "CTCLoss.__init__() got an unexpected keyword argument " +
      "'sizeAverage'" });
});

test("ctcLoss @example", () => {
  const logProbs = full([3, 2], Math.log(0.5));
  assert.equal(logProbs.dtype, float32);
  assert.equal(String(ctcLoss(logProbs, tensor([1]), [3], [1])), exampleResult("ctc-loss.ts"));
  assert.equal(exampleResult("ctc-loss.ts"), "tensor(0.2877)");
});
