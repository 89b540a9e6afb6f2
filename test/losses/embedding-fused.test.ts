/**
 * The fused CosineEmbeddingLoss / TripletMarginLoss / TripletMarginWithDistanceLoss nodes
 * (same-shape operands, 'mean'/'sum') against their composite path (forced through
 * `reduction: 'none'` followed by `.mean()`/`.sum()`, and for the distance variant through
 * `distanceFunction: pairwiseDistance`): the same grad_fn names and bit-identical values and
 * gradients on the JS loops, for upstream 1 and ≠ 1, a second backward through a retained graph,
 * and only the other operands requiring grad; the WebAssembly kernels against the JS loops.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as torch from "../../src/torch.js";
import { type BackendName, withBackend } from "../../src/kernels/backend.js";
import { float32 } from "../../src/tensor/dtype.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  type BackwardTwice, assertSameBackward, backwardTwice, testFusedGrid,
} from "../helpers/fused.js";
import { useBackend } from "../kernels/backend-path.js";

const F = torch.F;
type Reduction = "mean" | "sum";
type Loss = (a: Tensor, b: Tensor, c: Tensor, reduction: Reduction, fused: boolean) => Tensor;

const ROWS = 37;
const COLS = 19;

/** Reduces a 'none' result as the composite's applyReduction does. */
function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === "mean" ? loss.mean() : loss.sum();
}

function triplet(options: { swap?: boolean; margin?: number }): Loss {
  return (a, b, c, reduction, fused) => (fused
    ? F.tripletMarginLoss(a, b, c, { ...options, reduction })
    : reduce(F.tripletMarginLoss(a, b, c, { ...options, reduction: "none" }), reduction));
}

function tripletDistance(options: { swap?: boolean; margin?: number }): Loss {
  return (a, b, c, reduction, fused) => F.tripletMarginWithDistanceLoss(a, b, c, {
    ...options, reduction,
    distanceFunction: fused ? null : (x: Tensor, y: Tensor) => F.pairwiseDistance(x, y),
  });
}

function cosine(margin: number): Loss {
  return (a, b, t, reduction, fused) => (fused
    ? F.cosineEmbeddingLoss(a, b, t, { margin, reduction })
    : reduce(F.cosineEmbeddingLoss(a, b, t, { margin, reduction: "none" }), reduction));
}

const LOSSES: Record<string, { loss: Loss; cosine: boolean }> = {
  "triplet": { loss: triplet({}), cosine: false },
  "triplet swap": { loss: triplet({ swap: true, margin: 0.5 }), cosine: false },
  "triplet distance": { loss: tripletDistance({}), cosine: false },
  "triplet distance swap": { loss: tripletDistance({ swap: true, margin: 2 }), cosine: false },
  "cosine": { loss: cosine(0), cosine: true },
  "cosine margin": { loss: cosine(0.1), cosine: true },
};

/**
 * Three leaves: for the triplets anchor, positive, negative with rows where the anchor equals
 * the positive (a distance of eps·√D) or the negative equals the positive (a swap tie); for
 * the cosine loss two inputs (a zero row, an identical pair) and labels 1, −1, 0 and 2.
 */
function operands(dtype: typeof float32, isCosine: boolean, grads: boolean[]): Tensor[] {
  torch.manualSeed(11);
  const a = torch.randn(ROWS, COLS, { dtype });
  const b = torch.randn(ROWS, COLS, { dtype }).mul(0.8);
  const row = (t: Tensor, i: number) => (t.data as Float32Array).subarray(i * COLS,
    (i + 1) * COLS);
  if (isCosine) {
    row(a, 3).fill(0);
    row(b, 5).set(row(a, 5));
    const labels = Array.from({ length: ROWS }, (_, i) => [1, -1, -1, 1, 0, 1, 2][i % 7]);
    const t = torch.tensor(labels, { dtype: torch.int64 });
    return [a.requiresGrad_(grads[0]), b.requiresGrad_(grads[1]), t];
  }
  const c = torch.randn(ROWS, COLS, { dtype });
  row(b, 2).set(row(a, 2));
  row(c, 4).set(row(b, 4));
  return [a, b, c].map((t, k) => t.requiresGrad_(grads[k]));
}

/** The value, grad_fn name and the operands' gradients after `backward(upstream)` twice. */
function run(loss: Loss, o: Tensor[], reduction: Reduction, fused: boolean,
  upstream: number): BackwardTwice {
  return backwardTwice(loss(o[0], o[1], o[2], reduction, fused), o, upstream);
}

describe("fused and composite paths agree (JS loops)", () => {
  useBackend(1 << 30, "js");
  testFusedGrid(LOSSES, ({ loss, cosine: isCosine }, { reduction, dtype, upstream }) => {
    const grads = [true, true, true];
    const fused = run(loss, operands(dtype, isCosine, grads), reduction, true, upstream);
    const composite = run(loss, operands(dtype, isCosine, grads), reduction, false, upstream);
    assert.equal(fused.name, reduction === "mean" ? "MeanBackward0" : "SumBackward0");
    assert.equal(fused.value, composite.value);
    assertSameBackward(fused, composite);
  });
});

test("fused and composite agree when only the other operands require grad", () => {
  for (const { loss, cosine: isCosine } of Object.values(LOSSES)) {
    const cases = isCosine ? [[false, true, false]]
      : [[false, true, false], [false, false, true], [false, true, true]];
    for (const grads of cases) {
      const fused = run(loss, operands(float32, isCosine, grads), "sum", true, 2);
      const composite = run(loss, operands(float32, isCosine, grads), "sum", false, 2);
      assert.equal(fused.first[0], null);
      assert.deepEqual(fused.first, composite.first);
    }
  }
});

test("the fused node's nextFunctions lead to the operands", () => {
  const [a, b, c] = operands(float32, false, [true, true, false]);
  const out = F.tripletMarginLoss(a, b, c);
  assert.deepEqual(out.gradFn!.nextFunctions.map(([node]) => node?.name() ?? null),
    ["torch::autograd::AccumulateGrad", "torch::autograd::AccumulateGrad", null]);
});

test("a custom distance function, 'none', p ≠ 2 and broadcasting keep the composite", () => {
  const [a, b, c] = operands(float32, false, [true, false, false]);
  assert.equal(F.tripletMarginLoss(a, b, c, { reduction: "none" }).gradFn?.name(),
    "ClampMinBackward0");
  assert.equal(F.tripletMarginWithDistanceLoss(a, b, c, { reduction: "none" }).gradFn?.name(),
    "ClampBackward1");
  const l1 = F.tripletMarginLoss(a, b, c, { p: 1 });
  const l1Composite = F.tripletMarginLoss(a, b, c, { p: 1, reduction: "none" }).mean();
  assert.equal(l1.item(), l1Composite.item());
  const broadcast = F.tripletMarginLoss(a, b.select(0, 0).unsqueeze(0), c);
  const broadcastComposite = F.tripletMarginLoss(a, b.select(0, 0).unsqueeze(0), c,
    { reduction: "none" }).mean();
  assert.equal(broadcast.item(), broadcastComposite.item());
});

describe("WebAssembly kernels against the JS loops", () => {
  useBackend(0);
  for (const [label, { loss, cosine: isCosine }] of Object.entries(LOSSES)) {
    test(`${label}: loss and gradients within float32 rounding of the row sums`, () => {
      const on = (path: BackendName) => withBackend(path, () =>
        run(loss, operands(float32, isCosine, [true, true, true]), "mean", true, 1));
      const js = on("js");
      const wasm = on("wasm");
      assert.ok(Math.abs(wasm.value - js.value) <= 1e-6 * Math.abs(js.value),
        `${wasm.value} vs ${js.value}`);
      js.first.forEach((g, k) => g?.forEach((e, i) => {
        const w = wasm.first[k]![i];
        assert.ok(Math.abs(w - e) <= 1e-5 * Math.abs(e) + 1e-30, `[${k}][${i}] ${w} vs ${e}`);
      }));
    });
  }
});
