/**
 * The fused PoissonNLLLoss / GaussianNLLLoss nodes (same-shape operands, 'mean'/'sum') against
 * their composite path (forced by a broadcast target of shape (1, n)): the same grad_fn names and
 * bit-identical gradients on the JS loops (every intermediate rounded as the composite's ops),
 * for upstream 1 and ≠ 1 and a second backward through a retained graph; the WebAssembly kernels
 * against the JS loops.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as torch from "../../src/torch.js";
import {
  gaussianForward, poissonLinearForward, poissonLogForward,
} from "../../src/kernels/likelihood.js";
import { float32 } from "../../src/tensor/dtype.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  type BackwardTwice, assertSameBackward, backwardTwice, kernelOn, testFusedGrid,
} from "../helpers/fused.js";
import { useBackend } from "../kernels/backend-path.js";

const F = torch.F;
type Operands = { x: Tensor; y: Tensor; v: Tensor };
type Loss = (o: Operands, target: Tensor) => Tensor;

const N = 257;

/** Leaves with edge values: targets 0 and 1, variances below eps (clamped) and exactly eps. */
function operands(dtype: typeof float32, seed: number, grads: boolean, xGrad = true): Operands {
  torch.manualSeed(seed);
  const x = torch.randn(N, { dtype }).mul(2);
  const y = torch.rand(N, { dtype }).mul(4);
  const v = torch.rand(N, { dtype });
  (y.data as Float32Array).forEach((e, i, d) => { d[i] = Math.floor(e); });
  (v.data as Float32Array).set([1e-8, 0, 1e-6, 2e-6], 0);
  (x.data as Float32Array).set([0, 1e-9], 4);
  return { x: x.requiresGrad_(xGrad), y: y.requiresGrad_(grads), v: v.requiresGrad_(grads) };
}

const LOSSES: Record<string, (reduction: "mean" | "sum") => Loss> = {
  "poisson log": (reduction) => ({ x }, t) => F.poissonNllLoss(x, t, { reduction }),
  "poisson linear": (reduction) => ({ x }, t) =>
    F.poissonNllLoss(x.abs(), t, { reduction, logInput: false }),
  "gaussian": (reduction) => ({ x, v }, t) => F.gaussianNllLoss(x, t, v, { reduction }),
  "gaussian full": (reduction) => ({ x, v }, t) =>
    F.gaussianNllLoss(x, t, v, { reduction, full: true }),
};

/** The loss and the gradients of x, y, v (null where none) after `backward(upstream)` twice. */
function run(loss: Loss, o: Operands, broadcast: boolean, upstream: number): BackwardTwice {
  const target = broadcast ? o.y.unsqueeze(0) : o.y;
  return backwardTwice(loss(o, target), [o.x, o.y, o.v], upstream);
}

describe("fused and composite paths agree (JS loops)", () => {
  useBackend(1 << 30, "js");
  testFusedGrid(LOSSES, (make, { reduction, dtype, upstream }) => {
    const loss = make(reduction);
    const fused = run(loss, operands(dtype, 5, true), false, upstream);
    const composite = run(loss, operands(dtype, 5, true), true, upstream);
    assert.equal(fused.name, reduction === "mean" ? "MeanBackward0" : "SumBackward0");
    const rtol = dtype === float32 ? 1e-6 : 1e-12;
    assert.ok(Math.abs(fused.value - composite.value) <= rtol * Math.abs(composite.value),
      `${fused.value} vs ${composite.value}`);
    assertSameBackward(fused, composite);
  });
});

test("fused and composite agree when only the target and var require grad", () => {
  for (const make of Object.values(LOSSES)) {
    const fused = run(make("sum"), operands(float32, 7, true, false), false, 2);
    const composite = run(make("sum"), operands(float32, 7, true, false), true, 2);
    assert.deepEqual(fused.first, composite.first);
    assert.equal(fused.first[0], null);
  }
});

test("the fused node's nextFunctions lead to the operands", () => {
  const o = operands(float32, 6, true);
  const out = F.gaussianNllLoss(o.x, o.y, o.v);
  assert.deepEqual(out.gradFn!.nextFunctions.map(([node]) => node?.name()),
    ["torch::autograd::AccumulateGrad", "torch::autograd::AccumulateGrad",
      "torch::autograd::AccumulateGrad"]);
});

/** float32 operands of n elements: x in (−6, 6), y counts, v in (0, 1.2) with a few below eps. */
function data(n: number): Float32Array[] {
  let seed = 99;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x = new Float32Array(n).map(() => (next() - 0.5) * 12);
  const y = new Float32Array(n).map(() => Math.floor(next() * 6));
  const v = new Float32Array(n).map(() => next() * 1.2);
  v.set([0, 1e-9, 1e-6, NaN], 0);
  x.set([100, -100, 88, 89, 0, -0, NaN], 8);
  return [x, y, v];
}

describe("WebAssembly kernels against the JS loops", () => {
  useBackend(0);
  const n = 4099;
  const [x, y, v] = data(n);
  const ax = x.map(Math.abs);
  const kernels: Record<string, (g: Float32Array) => number> = {
    "poisson log": (g) => poissonLogForward(x, y, Math.fround, g, Math.fround(1 / n)),
    "poisson linear": (g) => poissonLinearForward(ax, y, Math.fround(1e-8), Math.fround, g, 0.5),
    "gaussian full": (g) => gaussianForward(x, y, v, Math.fround(1e-6), Math.fround(0.9189385),
      Math.fround, g, 1),
  };
  // The kernel's polynomial exp (≈ 1.5e-7 relative) and fround(Math.exp) may differ by 2 ulp:
  // Poisson's gradient s·e + (−s)·y then differs by at most two ulp of each term.
  const poissonBound = (i: number) => 2 ** -21 * (Math.exp(x[i]) + y[i]) / n;
  for (const [label, kernel] of Object.entries(kernels)) {
    test(`${label}: same gradient (Poisson's exp within 2 ulp), sum within 1e-6`, () => {
      const js = kernelOn("js", n, kernel);
      const wasm = kernelOn("wasm", n, kernel);
      if (label !== "poisson log") assert.deepEqual(wasm.g, js.g);
      else {
        js.g.forEach((e, i) => assert.ok(Object.is(e, wasm.g[i]) ||
          Math.abs(e - wasm.g[i]) <= poissonBound(i), `[${i}] ${wasm.g[i]} vs ${e}`));
      }
      const finite = (s: number) => Number.isFinite(s);
      assert.equal(finite(wasm.sum), finite(js.sum));
      if (finite(js.sum)) assert.ok(Math.abs(wasm.sum - js.sum) <= 1e-6 * Math.abs(js.sum));
    });
  }
});

describe("the fused GaussianNLLLoss checks var on the way", () => {
  for (const path of ["js", "wasm"] as const) {
    describe(`on the ${path} kernels`, () => {
      useBackend(0, path);
      test("a negative entry (with or without NaN) is the ValueError; NaN alone is a NaN loss",
        () => {
          const o = operands(float32, 8, false);
          const withValues = (values: number[]) => {
            const v = o.v.detach().clone();
            (v.data as Float32Array).set(values, 100);
            return () => F.gaussianNllLoss(o.x, o.y, v);
          };
          for (const values of [[-1], [NaN, -1e-30], [-0.5, NaN]]) {
            assert.throws(withValues(values), { name: "ValueError",
              message: "var has negative entry/entries" });
          }
          assert.ok(Number.isNaN(withValues([NaN])().item() as number));
          assert.ok(Number.isFinite(withValues([-0])().item() as number));
        });
    });
  }
});
