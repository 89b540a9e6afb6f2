/**
 * The fused MultiLabelSoftMarginLoss node on the JS loops (small float32 below the WebAssembly
 * threshold, float64 at any size) against its composite path (forced by a weight of ones, an
 * exact ×1): the same grad_fn names, values and both operands' gradients within the dtype's
 * tolerance (the fused input gradient is (σ(x) − y)·s/C, the composite's goes through
 * LogSigmoidBackward0, so they agree to rounding, not bit for bit), for upstream 1 and ≠ 1 and
 * a second backward through a retained graph. The torch 1.13 fixtures run on this path too.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as torch from "../../src/torch.js";
import { type DType, float32, float64 } from "../../src/tensor/dtype.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { TOLERANCES, floatsClose } from "../helpers/compare.js";
import {
  type BackwardTwice, type Gradients, backwardTwice, testFusedGrid,
} from "../helpers/fused.js";
import { useBackend } from "../kernels/backend-path.js";
import { loadLossCases, runLossCase } from "./helpers.js";

const F = torch.F;

const SHAPES: Record<string, number[]> = { "(3, 5)": [3, 5], "(2, 3, 4)": [2, 3, 4], "(7)": [7] };

/** Logits with edge values (0, −0, ±20, ±100) and targets 0, 1 and soft ones. */
function operands(shape: number[], dtype: DType, seed: number, xGrad = true,
  yGrad = true): { x: Tensor; y: Tensor } {
  torch.manualSeed(seed);
  const x = torch.randn(shape, { dtype }).mul(3);
  const y = torch.rand(shape, { dtype });
  const n = x.numel();
  (x.data as Float32Array).set([0, -0, 20, -20, 100, -100].slice(0, n), 0);
  (y.data as Float32Array).forEach((e, i, d) => { d[i] = i % 3 === 2 ? e : Math.round(e); });
  return { x: x.requiresGrad_(xGrad), y: y.requiresGrad_(yGrad) };
}

function run(shape: number[], dtype: DType, reduction: "mean" | "sum", upstream: number,
  composite: boolean, xGrad = true): BackwardTwice {
  const { x, y } = operands(shape, dtype, 11, xGrad);
  const weight = composite ? torch.ones(shape[shape.length - 1], { dtype }) : null;
  const out = F.multilabelSoftMarginLoss(x, y, { reduction, weight });
  return backwardTwice(out, [x, y], upstream);
}

function assertGradientsClose(actual: Gradients, expected: Gradients, dtype: DType,
  label: string): void {
  const tol = TOLERANCES[dtype === float32 ? "float32" : "float64"];
  assert.equal(actual.length, expected.length);
  actual.forEach((a, k) => {
    const e = expected[k];
    assert.equal(a === null, e === null, `${label}: operand ${k} has a gradient on one path only`);
    a?.forEach((v, i) => assert.ok(floatsClose(v, e![i], tol),
      `${label}: operand ${k} [${i}] ${v} vs ${e![i]}`));
  });
}

function assertFusedMatchesComposite(fused: BackwardTwice, composite: BackwardTwice,
  dtype: DType): void {
  const tol = TOLERANCES[dtype === float32 ? "float32" : "float64"];
  assert.equal(fused.name, composite.name);
  assert.ok(floatsClose(fused.value, composite.value, tol),
    `${fused.value} vs ${composite.value}`);
  assertGradientsClose(fused.first, composite.first, dtype, "first backward");
  assertGradientsClose(fused.second, composite.second, dtype, "second backward");
}

describe("fused and composite MultiLabelSoftMarginLoss agree (JS loops)", () => {
  useBackend(1 << 30);
  testFusedGrid(SHAPES, (shape, { reduction, dtype, upstream }) => {
    const fused = run(shape, dtype, reduction, upstream, false);
    const composite = run(shape, dtype, reduction, upstream, true);
    assert.equal(fused.name, reduction === "mean" ? "MeanBackward0" : "SumBackward0");
    assertFusedMatchesComposite(fused, composite, dtype);
  });

  for (const dtype of [float32, float64]) {
    test(`only the target requires grad (${dtype.name})`, () => {
      for (const shape of Object.values(SHAPES)) {
        const fused = run(shape, dtype, "mean", 2, false, false);
        const composite = run(shape, dtype, "mean", 2, true, false);
        assert.equal(fused.first[0], null);
        assertFusedMatchesComposite(fused, composite, dtype);
      }
    });
  }

  test("the fused node's nextFunctions lead to the operands; the composite's do not", () => {
    const { x, y } = operands([3, 5], float32, 12);
    const names = (out: Tensor) => out.gradFn!.nextFunctions.map(([node]) => node?.name());
    const accumulate = "torch::autograd::AccumulateGrad";
    assert.deepEqual(names(F.multilabelSoftMarginLoss(x, y)), [accumulate, accumulate]);
    assert.deepEqual(names(F.multilabelSoftMarginLoss(x, y, { reduction: "sum" })),
      [accumulate, accumulate]);
    const weight = torch.ones(5, { dtype: float32 });
    assert.deepEqual(names(F.multilabelSoftMarginLoss(x, y, { weight })), ["DivBackward0"]);
  });

  test("a non-finite sum takes the composite path (its grad_fn chain and values)", () => {
    const { x, y } = operands([3, 5], float64, 13);
    (x.data as Float64Array)[3] = Infinity;
    (y.data as Float64Array)[3] = 1;
    const out = F.multilabelSoftMarginLoss(x, y);
    assert.deepEqual(out.gradFn!.nextFunctions.map(([node]) => node?.name()), ["DivBackward0"]);
    const weight = torch.ones(5, { dtype: float64 });
    assert.ok(Object.is(out.item(), F.multilabelSoftMarginLoss(x, y, { weight }).item()));
  });
});

describe("multilabelSoftMarginLoss against torch 1.13 on the fused JS path " +
  "(test/fixtures/losses-multilabel-soft-margin.json)", () => {
  useBackend(1 << 30);
  for (const c of loadLossCases("multilabel-soft-margin")) test(c.name, () => runLossCase(c));
});
