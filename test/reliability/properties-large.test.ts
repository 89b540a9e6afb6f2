/**
 * The float32 kernels at sizes that put the inputs in the WebAssembly memory (≥ 2¹⁵ elements;
 * SIMD, odd sizes that leave loop tails): for each of the 21 losses, a float32 call agrees with
 * the float64 call on the same inputs, in value and gradients, and leaves its inputs untouched.
 */
import assert from "node:assert/strict";

import fc from "fast-check";

import type { Tensor } from "../../src/tensor/tensor.js";
import { LARGE_SPECS, type LossName, type Recipe, callLoss, materialize, valuesOf } from "./arbitraries.js";
import {
  UNIT_ROUNDOFF, assertClose, assertUnchanged, backwardAny, expectedMean, forEachLoss, snapshot,
  tensorsOf,
} from "./properties-support.js";

function largeCall(loss: LossName) {
  return LARGE_SPECS[loss].recipe.chain((r) =>
    fc.record({ r: fc.constant(r), reduction: fc.constantFrom(...r.reductions) }));
}

/** Result and gradients of one call in `dtype`, checking that no input changed. */
function run(r: Recipe, dtype: "float32" | "float64", reduction: string) {
  const m = materialize(r, dtype);
  const before = snapshot(m);
  const out = callLoss(r, m, reduction as "none");
  backwardAny(out);
  assertUnchanged(m, before, `${r.loss} ${dtype}`);
  return { out, grads: tensorsOf(m).map((t) => t.grad) };
}

/**
 * Gradients compared norm-wise: each element within (K + 64) roundings of the largest one,
 * K the number of terms one element can sum ({@link termsPerSample}).
 */
function assertGradientsClose(g32: Tensor | null, g64: Tensor | null, terms: number, label: string): void {
  assert.equal(g32 === null, g64 === null, `${label}: grad presence`);
  if (!g32 || !g64) return;
  const expected = valuesOf(g64);
  const scale = expected.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  const actual = valuesOf(g32);
  const tol = (terms + 64) * UNIT_ROUNDOFF.float32 * scale;
  expected.forEach((e, i) => assertClose(actual[i], Math.fround(e), tol, `${label} [${i}]`));
}

/** K: 1 for elementwise losses, the elements of one sample for row losses (`rowGradients`). */
function termsPerSample(r: Recipe): number {
  if (!LARGE_SPECS[r.loss].rowGradients) return 1;
  const input = r.args[0] as { shape: number[] };
  const numel = input.shape.reduce((a, b) => a * b, 1);
  return r.batch ? numel / r.batch : numel;
}

forEachLoss("large float32 (WebAssembly kernels) agrees with float64; inputs untouched", 2, largeCall,
  ({ r, reduction }) => {
    const u = UNIT_ROUNDOFF.float32;
    const f32 = run(r, "float32", reduction);
    const f64 = run(r, "float64", reduction);
    const none64 = reduction === "none" ? valuesOf(f64.out)
      : valuesOf(callLoss(r, materialize(r, "float64", () => false), "none"));
    const magnitudes = none64.map((v) => 1 + Math.abs(v));
    const reducedMagnitude = reduction === "sum" ? magnitudes.reduce((a, b) => a + b, 0)
      : expectedMean(magnitudes, r, reduction as "mean");
    const actual = valuesOf(f32.out);
    // As in the small float32 property (64 roundings per element, the summation bound reduced),
    // plus the K terms that one element of a row loss sums (a norm over features, a softmax).
    const k = termsPerSample(r);
    valuesOf(f64.out).map(Math.fround).forEach((e, i) => assertClose(actual[i], e,
      reduction === "none" ? (k + 64) * u * (1 + Math.abs(e)) : (none64.length + k + 64) * u * reducedMagnitude,
      `${r.loss} ${reduction} [${i}]`));
    f32.grads.forEach((g, i) => assertGradientsClose(g, f64.grads[i], k, `${r.loss} grad ${i}`));
  });
