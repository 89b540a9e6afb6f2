/**
 * Shared pieces of the property tests: the fast-check settings, per-loss runners, snapshots of
 * inputs, backward on any result, and the float tolerances (derived from the unit roundoff u of
 * the dtype, see {@link summationTolerance}).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";

import { Tensor } from "../../src/tensor/tensor.js";
import {
  type FloatName, LOSS_NAMES, type LossName, type Materialized, type Recipe, type ReductionName,
  SPECS, valuesOf,
} from "./arbitraries.js";

/**
 * One seed for every property: failures reproduce exactly. A deeper exploration, by hand:
 * `PROPERTY_SEED=7 PROPERTY_RUNS_SCALE=20 npm test -- test/reliability/properties`.
 */
export const SEED = Number(process.env.PROPERTY_SEED ?? 20261128);
const RUNS_SCALE = Number(process.env.PROPERTY_RUNS_SCALE ?? 1);

/** The run count of a property: `numRuns`, times PROPERTY_RUNS_SCALE when set. */
export function runs(numRuns: number): number {
  return Math.max(1, Math.round(numRuns * RUNS_SCALE));
}

/** Unit roundoff of each dtype. */
export const UNIT_ROUNDOFF: Record<FloatName, number> = { float32: 2 ** -24, float64: 2 ** -53 };

export const dtypeArb = fc.constantFrom<FloatName>("float32", "float64");

/** A recipe of `loss` with one of its reductions, in either dtype. */
export function callArb(loss: LossName) {
  return SPECS[loss].recipe.chain((r) =>
    fc.record({ r: fc.constant(r), dtype: dtypeArb, reduction: fc.constantFrom(...r.reductions) }));
}

/**
 * `describe(title)` with one `it` per loss in `losses`, each an fc.assert of `property` over
 * `arb(loss)` with the shared seed and `numRuns` runs.
 */
export function forEachLoss<T>(title: string, numRuns: number, arb: (loss: LossName) => fc.Arbitrary<T>,
  property: (value: T) => void, losses: readonly LossName[] = LOSS_NAMES): void {
  describe(`${title} (${losses.length} losses × ${runs(numRuns)} runs)`, () => {
    for (const loss of losses) {
      it(loss, () => fc.assert(fc.property(arb(loss), property),
        { seed: SEED, numRuns: runs(numRuns), includeErrorInReport: true }));
    }
  });
}

/** Copies of the data of every tensor among the arguments and tensor options. */
export function snapshot(m: Materialized): unknown[][] {
  return tensorsOf(m).map((t) => Array.from(t.data as ArrayLike<unknown>));
}

export function tensorsOf(m: Materialized): Tensor[] {
  return [...m.args, ...Object.values(m.options)].filter((v): v is Tensor => v instanceof Tensor);
}

export function assertUnchanged(m: Materialized, before: unknown[][], label: string): void {
  tensorsOf(m).forEach((t, i) => {
    const now = Array.from(t.data as ArrayLike<unknown>);
    assert.ok(now.every((v, k) => Object.is(v, before[i][k])), `${label}: tensor ${i} was mutated`);
  });
}

/** Backpropagates the result (summed when it is not a scalar) if it requires grad. */
export function backwardAny(out: Tensor): void {
  if (!out.requiresGrad) return;
  (out.numel() === 1 ? out : out.sum()).backward();
}

/**
 * Bound on the difference between two float sums of the same n terms (different order, or
 * terms computed with a few roundings each): |Σ − Σ'| ≤ (n + k)·u·Σ|tᵢ| (Higham's bound for
 * recursive summation, plus k roundings per term and for the division of a mean).
 */
export function summationTolerance(terms: readonly number[], dtype: FloatName, k = 4): number {
  const magnitude = terms.reduce((a, t) => a + Math.abs(t), 0);
  return (terms.length + k) * UNIT_ROUNDOFF[dtype] * magnitude;
}

/** |a − b| ≤ tol, NaN only against NaN, infinities only against the same infinity. */
export function assertClose(actual: number, expected: number, tol: number, label: string): void {
  if (Number.isNaN(expected) || !Number.isFinite(expected)) {
    assert.ok(Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected)),
      `${label}: got ${actual}, expected ${expected}`);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= tol,
    `${label}: got ${actual}, expected ${expected} (|diff| ${Math.abs(actual - expected)} > ${tol})`);
}

/** Values equal element for element (NaN equal to NaN; +0 and −0 equal). */
export function assertSameValues(actual: Tensor, expected: Tensor, label: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  const a = valuesOf(actual);
  const e = valuesOf(expected);
  const bad = a.findIndex((v, i) => !(v === e[i] || (Number.isNaN(v) && Number.isNaN(e[i]))));
  assert.equal(bad, -1, `${label}: [${bad}] got ${a[bad]}, expected ${e[bad]}`);
}

/** PyTorch's 'mean' (or 'batchmean') of a recipe's loss from its 'none' values. */
export function expectedMean(none: number[], r: Recipe, reduction: ReductionName): number {
  if (reduction === "batchmean") {
    const shape = (r.args[0] as { shape: number[] }).shape;
    const sum = none.reduce((a, b) => a + b, 0);
    return shape.length === 0 ? sum : sum / shape[0];
  }
  const meanOf = SPECS[r.loss].meanOf ?? ((v: number[]) => v.reduce((a, b) => a + b, 0) / v.length);
  return meanOf(none, r);
}
