/**
 * Properties every one of the 21 losses has, over random shapes, dtypes, options and values
 * (fast-check, fixed seed): inputs are never mutated; 'none' summed is 'sum' and PyTorch's
 * count turns it into 'mean'; permuting the batch permutes 'none'; module form equals
 * functional form; float32 is float64 rounded; gradients match finite differences (float64);
 * only inputs requiring grad get a .grad; results never share storage with inputs.
 */
import assert from "node:assert/strict";

import fc from "fast-check";

import { gradcheck } from "../../src/autograd/gradcheck.js";
import * as F from "../../src/functional.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { Prng } from "../helpers/prng.js";
import {
  type ArgSpec, type FloatName, type Recipe, SPECS, callLoss, materialize, valuesOf,
} from "./arbitraries.js";
import {
  UNIT_ROUNDOFF, assertClose, assertSameValues, assertUnchanged, backwardAny, callArb,
  expectedMean, forEachLoss, snapshot, summationTolerance, tensorsOf,
} from "./properties-support.js";

forEachLoss("no input is ever mutated, forward or backward", 30, callArb, ({ r, dtype, reduction }) => {
  const m = materialize(r, dtype);
  const before = snapshot(m);
  backwardAny(callLoss(r, m, reduction));
  assertUnchanged(m, before, r.loss);
});

forEachLoss("'none' summed is 'sum'; PyTorch's count makes it 'mean'", 40, callArb, ({ r, dtype }) => {
  const m = materialize(r, dtype);
  const none = valuesOf(callLoss(r, m, "none"));
  const sum = none.reduce((a, b) => a + b, 0);
  assertClose(callLoss(r, m, "sum").item() as number, sum, summationTolerance(none, dtype), "sum");
  for (const reduction of r.reductions.filter((x) => x === "mean" || x === "batchmean")) {
    // The mean is a positive combination of the terms: its bound is the sum's, so weighted.
    const tol = (none.length + 4) * UNIT_ROUNDOFF[dtype] * expectedMean(none.map(Math.abs), r, reduction);
    assertClose(callLoss(r, m, reduction).item() as number, expectedMean(none, r, reduction), tol, reduction);
  }
});

// ---------------------------------------------------------------------------------------------
// batch permutation
// ---------------------------------------------------------------------------------------------

/** values[..., perm[i], ...] along `dim` of `shape`. */
function permuteAlong<T>(values: T[], shape: readonly number[], dim: number, perm: number[]): T[] {
  const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const size = shape[dim];
  const out = new Array<T>(values.length);
  for (let o = 0; o < values.length / (size * inner); o++) {
    for (let i = 0; i < size; i++) {
      for (let k = 0; k < inner; k++) out[(o * size + i) * inner + k] = values[(o * size + perm[i]) * inner + k];
    }
  }
  return out;
}

function permuteSpec(a: ArgSpec, perm: number[]): ArgSpec {
  if (a.kind === "lengths") return { ...a, values: perm.map((i) => a.values[i]) };
  if (a.batchDim === null) return a;
  return { ...a, values: permuteAlong(a.values, a.shape, a.batchDim, perm) };
}

function permuteRecipe(r: Recipe, perm: number[]): Recipe {
  const tensorOptions = Object.fromEntries(Object.entries(r.tensorOptions).map(([k, a]) => [k, permuteSpec(a, perm)]));
  return { ...r, args: r.args.map((a) => permuteSpec(a, perm)), tensorOptions };
}

function randomPermutation(n: number, seed: number): number[] {
  const rng = new Prng(seed);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return perm;
}

forEachLoss("permuting the batch permutes 'none' and keeps 'sum' and 'mean'", 30,
  (loss) => fc.tuple(SPECS[loss].recipe.filter((r) => (r.batch ?? 0) > 1), fc.constantFrom<FloatName>("float32", "float64"),
    fc.integer({ min: 0, max: 0x7fffffff })), ([r, dtype, seed]) => {
    const perm = randomPermutation(r.batch!, seed);
    const p = permuteRecipe(r, perm);
    const m = materialize(r, dtype);
    const mp = materialize(p, dtype);
    const none = callLoss(r, m, "none");
    // Each sample's loss is computed from that sample alone, in the same operations: exact.
    const expected = new Tensor(Float64Array.from(permuteAlong(valuesOf(none), none.shape, 0, perm)), none.shape);
    assertSameValues(callLoss(p, mp, "none"), expected, "none");
    const magnitudes = valuesOf(none).map(Math.abs);
    for (const reduction of r.reductions.filter((x) => x !== "none")) {
      // Only the order of summation changes: twice the summation bound, scaled as the reduction.
      const scale = reduction === "sum" ? magnitudes.reduce((a, b) => a + b, 0) : expectedMean(magnitudes, r, reduction);
      const tol = 2 * (magnitudes.length + 4) * UNIT_ROUNDOFF[dtype] * scale;
      assertClose(callLoss(p, mp, reduction).item() as number, callLoss(r, m, reduction).item() as number,
        tol, reduction);
    }
  });

// ---------------------------------------------------------------------------------------------
// forms, dtypes, gradients, storage
// ---------------------------------------------------------------------------------------------

forEachLoss("module form equals functional form (values and gradients)", 20, callArb, ({ r, dtype, reduction }) => {
  const results = (["functional", "module"] as const).map((form) => {
    const m = materialize(r, dtype);
    const out = callLoss(r, m, reduction, form);
    backwardAny(out);
    return { out, grads: tensorsOf(m).map((t) => t.grad) };
  });
  assertSameValues(results[1].out, results[0].out, "result");
  results[0].grads.forEach((g, i) => {
    const other = results[1].grads[i];
    if (g === null || other === null) assert.equal(other, g, `grad ${i}`);
    else assertSameValues(other, g, `grad ${i}`);
  });
});

/**
 * The float32 result against the float64 result on the same (float32-exact) inputs, cast down.
 * A loss element is a short chain of roundings on values of the element's own magnitude or
 * O(1) inputs; 64 roundings of (1 + |e|) bound it. A reduction adds (n + 64)·u·Σ(1 + |eᵢ|).
 */
forEachLoss("float32 result is the float64 result cast down", 30,
  (loss) => callArb(loss).map((c) => ({ ...c, dtype: "float32" as const })), ({ r, reduction }) => {
    const u = UNIT_ROUNDOFF.float32;
    const out32 = callLoss(r, materialize(r, "float32"), reduction);
    const out64 = callLoss(r, materialize(r, "float64"), reduction);
    const none64 = valuesOf(callLoss(r, materialize(r, "float64"), "none"));
    assert.equal(out32.dtype.name, "float32");
    const e32 = valuesOf(out32);
    const e64 = valuesOf(out64).map(Math.fround);
    const magnitudes = none64.map((v) => 1 + Math.abs(v));
    const reducedMagnitude = reduction === "sum" ? magnitudes.reduce((a, b) => a + b, 0)
      : expectedMean(magnitudes, r, reduction);
    e64.forEach((e, i) => {
      const tol = reduction === "none" ? 64 * u * (1 + Math.abs(e))
        : (none64.length + 64) * u * reducedMagnitude;
      assertClose(e32[i], e, tol, `${r.loss} [${i}]`);
    });
  });

function gradcheckable(loss: keyof typeof SPECS) {
  return SPECS[loss].recipe.chain((r) => fc.record({ r: fc.constant(r), reduction: fc.constantFrom(...r.reductions) }));
}

forEachLoss("gradients match finite differences (float64, away from kinks)", 15, gradcheckable, ({ r, reduction }) => {
  const spec = SPECS[r.loss];
  fc.pre(spec.smoothAt?.(r) ?? true);
  const m = materialize(r, "float64");
  // Where the loss is NaN (a 'mean' over no target) finite differences mean nothing.
  fc.pre(valuesOf(callLoss(r, materialize(r, "float64", () => false), reduction)).every(Number.isFinite));
  const slots = m.args.flatMap((a, i) => (a instanceof Tensor && a.requiresGrad ? [i] : []));
  const leaves = slots.map((i) => m.args[i] as Tensor);
  const fn = (...xs: Tensor[]) => {
    const args = [...m.args];
    slots.forEach((slot, k) => (args[slot] = spec.viaLogSoftmax && slot === 0 ? F.logSoftmax(xs[k], -1) : xs[k]));
    return callLoss(r, { ...m, args }, reduction);
  };
  assert.ok(gradcheck(fn, leaves));
});

forEachLoss("only inputs that require grad get a .grad", 25,
  (loss) => callArb(loss).chain((c) => fc.record({
    c: fc.constant(c), mask: fc.array(fc.boolean(), { minLength: c.r.args.length, maxLength: c.r.args.length }),
  })), ({ c: { r, dtype, reduction }, mask }) => {
    const m = materialize(r, dtype, (i) => mask[i]);
    const out = callLoss(r, m, reduction);
    const requiring = tensorsOf(m).filter((t) => t.requiresGrad);
    assert.equal(out.requiresGrad, requiring.length > 0, "result requiresGrad");
    backwardAny(out);
    for (const t of tensorsOf(m)) {
      if (t.requiresGrad) assert.deepEqual(t.grad?.shape, t.shape, "grad of a tensor requiring grad");
      else assert.equal(t.grad, null, "grad of a tensor not requiring grad");
    }
  });

forEachLoss("results never share storage with inputs", 25, callArb, ({ r, dtype, reduction }) => {
  const m = materialize(r, dtype);
  const before = snapshot(m);
  const out = callLoss(r, m, reduction);
  for (const t of tensorsOf(m)) assert.notEqual(out.data, t.data);
  (out.data as Float64Array).fill(12345);
  assertUnchanged(m, before, r.loss);
});

