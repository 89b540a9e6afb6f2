/**
 * Tensor comparison against PyTorch fixtures. dtype and shape must match exactly; int64 and
 * bool values exactly; floats within |a − e| ≤ atol + rtol·|e|, NaN only against NaN and
 * infinities only against the same infinity.
 */
import assert from "node:assert/strict";

import type { DTypeName } from "../../src/tensor/dtype.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { type EncodedTensor, decodeFloat } from "./fixtures.js";

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** float32 sized for float32 rounding; float64 tight (only summation-order noise). */
export const TOLERANCES: Record<"float32" | "float64", Tolerance> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-10, atol: 1e-12 },
};

export function floatsClose(actual: number, expected: number, tol: Tolerance): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tol.atol + tol.rtol * Math.abs(expected);
}

function elementMatches(dtype: DTypeName, actual: number | bigint, expected: unknown,
  tol: Tolerance): boolean {
  if (dtype === "int64") return actual === BigInt(expected as string);
  if (dtype === "bool") return actual === (expected ? 1 : 0);
  return floatsClose(actual as number, decodeFloat(expected as number | string), tol);
}

/**
 * Asserts dtype, shape and values of `actual` against the encoded `expected`. `precision`
 * names the dtype the values were computed in, when narrower than the one they are stored in.
 */
export function assertTensorMatches(actual: Tensor, expected: EncodedTensor, label: string,
  precision?: "float32") {
  const tol = TOLERANCES[precision ?? (expected.dtype === "float32" ? "float32" : "float64")];
  assert.equal(actual.dtype.name, expected.dtype, `${label}: dtype`);
  assert.deepEqual([...actual.shape], expected.shape, `${label}: shape`);
  const bad: string[] = [];
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    if (!elementMatches(expected.dtype, a, expected.data[i], tol)) {
      bad.push(`[${i}] got ${String(a)}, expected ${String(expected.data[i])}`);
    }
  }
  assert.equal(bad.length, 0, `${label}: ${bad.length} of ${expected.data.length} values ` +
    `differ (${expected.dtype}):\n  ${bad.slice(0, 8).join("\n  ")}`);
}
