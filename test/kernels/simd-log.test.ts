/**
 * The WebAssembly SIMD float32 logarithm (`log_f32`, used by the fused KL divergence) against
 * Math.log: relative error ≤ 2e-7 over millions of inputs across the whole float32 range
 * (subnormals included), and exact special values.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  getBackend, getWasmMinElements, setBackend, setWasmMinElements, wasmFor,
} from "../../src/kernels/backend.js";
import { input, output, pointwise } from "../../src/kernels/wasm/drive.js";

let previous = getBackend();
let previousMin = 0;
before(() => {
  previous = getBackend();
  previousMin = getWasmMinElements();
  setBackend("wasm");
  setWasmMinElements(0);
});
after(() => {
  setBackend(previous);
  setWasmMinElements(previousMin);
});

function wasmLog(x: Float32Array): Float32Array {
  const rt = wasmFor(x);
  assert.ok(rt, "the WebAssembly backend is available");
  const out = new Float32Array(x.length);
  pointwise(rt, "log_f32", [input(x), output(out)], [], x.length);
  return out;
}

test("SIMD log: special values", () => {
  const x = Float32Array.from([0, -0, -1, NaN, Infinity, -Infinity, 1, 2, 0.5, 1e-45, 3.4e38]);
  const got = wasmLog(x);
  Array.from(x).forEach((v, i) => {
    const want = Math.fround(Math.log(v));
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got[i]), `log(${v})`);
    else if (!Number.isFinite(want)) assert.equal(got[i], want, `log(${v})`);
    else assert.ok(Math.abs(got[i] - want) <= 2e-7 * Math.abs(want), `log(${v}): ${got[i]}`);
  });
  assert.equal(got[6], 0);
});

test("SIMD log: max relative error over 4M inputs (every exponent, incl. subnormals)", () => {
  const n = 1 << 22;
  const bits = new Uint32Array(n);
  let seed = 7;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    // positive finite floats: uniform bits below +inf, plus a dense band around 1
    bits[i] = i % 4 === 0 ? 0x3f000000 + (seed & 0xffffff) : seed % 0x7f800000;
  }
  const x = new Float32Array(bits.buffer);
  const got = wasmLog(x);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const want = Math.log(x[i]);
    // near 1 the result is tiny: compare to its float32 spacing instead of 0
    const err = Math.abs(got[i] - want) / Math.max(Math.abs(want), 2 ** -24);
    if (err > worst) worst = err;
  }
  assert.ok(worst <= 2e-7, `max rel error ${worst}`);
});
