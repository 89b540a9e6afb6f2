/**
 * The fused HingeEmbeddingLoss / MarginRankingLoss nodes (same-shape operands, 'mean'/'sum')
 * against their composite (forced as reduction 'none' followed by `.mean()` / `.sum()`, the
 * composite's exact graph): the same grad_fn names and bit-identical gradients on the JS loops
 * (every intermediate rounded as the composite's ops, including −0 and NaN), for upstream 1
 * and ≠ 1 and a second backward through a retained graph; the WebAssembly kernels against the
 * JS loops.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as torch from "../../src/torch.js";
import { hingeForward, rankingForward } from "../../src/kernels/ranking.js";
import { float32 } from "../../src/tensor/dtype.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { assertSameBackward, backwardTwice, kernelOn, testFusedGrid } from "../helpers/fused.js";
import { useBackend } from "../kernels/backend-path.js";

const F = torch.F;
type Operands = { x1: Tensor; x2: Tensor; y: Tensor };
type Reduction = "mean" | "sum";
type Loss = (o: Operands, reduction: Reduction | "none") => Tensor;

const N = 259;

/**
 * Leaves with edge values: targets ±1 and others (0, 2, 0.5, NaN, ±inf), inputs at the hinge
 * kink (x1 = margin; −y·(x1 − x2) + margin = 0), ±0, NaN and ±inf.
 */
function operands(dtype: typeof float32, seed: number, grads: [boolean, boolean, boolean],
  signs = false): Operands {
  torch.manualSeed(seed);
  const x1 = torch.randn(N, { dtype }).mul(2);
  const x2 = torch.randn(N, { dtype });
  const y = torch.randn(N, { dtype }).sign();
  if (!signs) {
    (y.data as Float32Array).set([0, 2, 0.5, NaN, Infinity, -Infinity, 0, 2, -1, 1, 1, -1], 0);
    (x1.data as Float32Array).set([1, 0.7, -0, 0, NaN, Infinity, -Infinity, 1, 0.7, 0.7], 10);
    (x2.data as Float32Array).set([0.3, 0.7, 0, -0, 1, Infinity, 2, NaN, 0.4, 1], 10);
    (y.data as Float32Array).set([-1, 1, 1, -1, 1, -1, 1, -1, 0, 0], 10);
  }
  return { x1: x1.requiresGrad_(grads[0]), x2: x2.requiresGrad_(grads[1]),
    y: y.requiresGrad_(grads[2]) };
}

const LOSSES: Record<string, Loss> = {
  "hinge": ({ x1, y }, reduction) => F.hingeEmbeddingLoss(x1, y, { reduction }),
  "hinge margin 0.7": ({ x1, y }, reduction) =>
    F.hingeEmbeddingLoss(x1, y, { reduction, margin: 0.7 }),
  "ranking": ({ x1, x2, y }, reduction) => F.marginRankingLoss(x1, x2, y, { reduction }),
  "ranking margin 0.3": ({ x1, x2, y }, reduction) =>
    F.marginRankingLoss(x1, x2, y, { reduction, margin: 0.3 }),
};

/** The loss and the gradients of x1, x2, y (null where none) after `backward(upstream)` twice. */
function run(loss: Loss, o: Operands, reduction: Reduction, composite: boolean,
  upstream: number) {
  const out = composite ? loss(o, "none")[reduction]() : loss(o, reduction);
  if (!out.requiresGrad) {
    return { value: out.item() as number, name: out.gradFn?.name(), first: null, second: null };
  }
  return backwardTwice(out, [o.x1, o.x2, o.y], upstream);
}

function assertSame(fused: ReturnType<typeof run>, composite: ReturnType<typeof run>,
  rtol: number): void {
  assert.ok(Object.is(fused.value, composite.value) ||
    Math.abs(fused.value - composite.value) <= rtol * Math.abs(composite.value),
  `${fused.value} vs ${composite.value}`);
  assertSameBackward(fused, composite);
}

describe("fused and composite paths agree (JS loops)", () => {
  useBackend(1 << 30, "js");
  testFusedGrid(LOSSES, (loss, { reduction, dtype, upstream }) => {
    const all: [boolean, boolean, boolean] = [true, true, true];
    const rtol = dtype === float32 ? 1e-6 : 1e-12;
    // finite operands (a finite sum), then the edge values (a NaN sum)
    for (const signs of [true, false]) {
      const fused = run(loss, operands(dtype, 5, all, signs), reduction, false, upstream);
      const composite = run(loss, operands(dtype, 5, all, signs), reduction, true, upstream);
      assert.equal(fused.name, reduction === "mean" ? "MeanBackward0" : "SumBackward0");
      assert.equal(Number.isNaN(fused.value), !signs);
      assertSame(fused, composite, rtol);
    }
  });
});

describe("fused and composite agree when only some operands require grad", () => {
  useBackend(1 << 30, "js");
  const patterns: [boolean, boolean, boolean][] = [[false, true, false], [false, false, true],
    [false, true, true], [true, false, false], [false, false, false]];
  for (const grads of patterns) {
    test(`x1, x2, y require grad: ${grads.join(", ")}`, () => {
      for (const [label, loss] of Object.entries(LOSSES)) {
        const fused = run(loss, operands(float32, 7, grads), "sum", false, 2);
        const composite = run(loss, operands(float32, 7, grads), "sum", true, 2);
        assertSame(fused, composite, 1e-6);
        // the hinge target gets no gradient, and the hinge input2 is unused
        if (label.startsWith("hinge")) {
          assert.equal(fused.name, grads[0] ? "SumBackward0" : undefined);
          if (fused.first) assert.deepEqual(fused.first.slice(1), [null, null]);
        }
      }
    });
  }
});

test("the fused nodes' nextFunctions lead to the operands", () => {
  const o = operands(float32, 6, [true, true, true]);
  const accumulate = "torch::autograd::AccumulateGrad";
  assert.deepEqual(F.marginRankingLoss(o.x1, o.x2, o.y).gradFn!.nextFunctions
    .map(([node]) => node?.name()), [accumulate, accumulate, accumulate]);
  assert.deepEqual(F.hingeEmbeddingLoss(o.x1, o.y).gradFn!.nextFunctions
    .map(([node]) => node?.name()), [accumulate]);
});

/** float32 operands of n elements with ±1 targets, a few other targets and non-finite values. */
function data(n: number): Float32Array[] {
  let seed = 77;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x1 = new Float32Array(n).map(() => (next() - 0.5) * 6);
  const x2 = new Float32Array(n).map(() => (next() - 0.5) * 6);
  const y = new Float32Array(n).map(() => (next() < 0.5 ? -1 : 1));
  y.set([0, 2, 0.5, NaN, Infinity, -Infinity], 0);
  x1.set([1, 0.3, -0, NaN, Infinity, -Infinity, 1e30], 6);
  x2.set([0.7, -0, 0, 1, Infinity, 3, -1e30], 6);
  return [x1, x2, y];
}

describe("WebAssembly kernels against the JS loops", () => {
  useBackend(0);
  const n = 4099;
  const [x1, x2, y] = data(n);
  const finite = [x1.map((v) => (Number.isFinite(v) ? v : 0)), y.map((v) => (Number.isFinite(v) ? v : 1))];
  const kernels: Record<string, (g: Float32Array) => number> = {
    "hinge": (g) => hingeForward(x1, y, 1, Math.fround, g, Math.fround(1 / n)),
    "hinge, finite": (g) => hingeForward(finite[0], finite[1], Math.fround(0.3), Math.fround,
      g, -2),
    "ranking": (g) => rankingForward(x1, x2, y, Math.fround(0.3), Math.fround, g, 0.5),
    "ranking, finite": (g) => rankingForward(finite[0], x2.map((v) => (Number.isFinite(v) ? v : 0)),
      finite[1], 0, Math.fround, g, Math.fround(1 / n)),
  };
  for (const [label, kernel] of Object.entries(kernels)) {
    test(`${label}: the same gradient, sum within 1e-6`, () => {
      const js = kernelOn("js", n, kernel);
      const wasm = kernelOn("wasm", n, kernel);
      js.g.forEach((e, i) => assert.ok(Object.is(e, wasm.g[i]), `[${i}] ${wasm.g[i]} vs ${e}`));
      assert.equal(Number.isNaN(wasm.sum), Number.isNaN(js.sum));
      if (!Number.isNaN(js.sum)) assert.ok(Math.abs(wasm.sum - js.sum) <= 1e-6 * Math.abs(js.sum));
    });
  }
});
