/**
 * The monomorphic elementwise loops (src/kernels/elementwise.ts) against plain per-element
 * references, on both the JS path and the WebAssembly SIMD path: bit-identical results,
 * special values included, for same-shape and scalar operands.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import { withBackend } from "../../src/kernels/backend.js";
import { type FastBinaryOp, binaryFast, whereFast } from "../../src/kernels/elementwise.js";

const SPECIAL = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 1e-45, 3.4e38, -2.5, 7];

function sample(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = i % 5 === 0 ? SPECIAL[s % SPECIAL.length] : (s / 2147483648 - 0.5) * 8;
  }
  return x;
}

const REF: Record<string, (x: number, y: number) => number> = {
  add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, div: (x, y) => x / y,
  clampMin: (v, lo) => (v !== v ? v : Math.max(v, lo)),
  eq: (x, y) => +(x === y), ne: (x, y) => +(x !== y), lt: (x, y) => +(x < y),
  le: (x, y) => +(x <= y), gt: (x, y) => +(x > y), ge: (x, y) => +(x >= y),
};
const COMPARISONS = new Set(["eq", "ne", "lt", "le", "gt", "ge"]);

function sameBits(got: Float32Array | Uint8Array, want: Float32Array | Uint8Array, what: string) {
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    assert.ok(Object.is(g, w) || (g !== g && w !== w), `${what} at ${i}: ${g} vs ${w}`);
  }
}

for (const backend of ["js", "wasm"] as const) {
  test(`elementwise binary ops (${backend})`, () => withBackend(backend, () => {
    const n = 5003;
    const a = sample(n, 1);
    const b = sample(n, 2);
    for (const op of Object.keys(REF) as FastBinaryOp[]) {
      const bool = COMPARISONS.has(op);
      const make = () => (bool ? new Uint8Array(n) : new Float32Array(n));
      for (const [x, y] of [[a, b], [a, b.subarray(3, 4)], [a.subarray(7, 8), b]]) {
        const got = make();
        const want = make();
        assert.ok(binaryFast(op, x, y, got));
        for (let i = 0; i < n; i++) {
          want[i] = REF[op](x.length === 1 ? x[0] : x[i], y.length === 1 ? y[0] : y[i]);
        }
        sameBits(got, want, `${op} ${x.length}×${y.length}`);
      }
    }
  }));

  test(`elementwise where (${backend})`, () => withBackend(backend, () => {
    const n = 4099;
    const a = sample(n, 3);
    const b = sample(n, 4);
    const cond = Uint8Array.from(sample(n, 5), (v) => +(v > 0));
    for (const [x, y] of [[a, b], [a, b.subarray(0, 1)], [a.subarray(2, 3), b]]) {
      const got = new Float32Array(n);
      assert.ok(whereFast(cond, x, y, got));
      const want = Float32Array.from(cond, (c, i) =>
        (c ? x[x.length === 1 ? 0 : i] : y[y.length === 1 ? 0 : i]));
      sameBits(got, want, `where ${x.length}×${y.length}`);
    }
  }));
}
