/**
 * The loss fixtures of KL divergence, BCE (on probabilities and logits), Huber, smooth L1 and
 * soft margin on each kernel path: the pure-JS loops (`setBackend("js")`) and the WebAssembly
 * kernels for every size (small fixtures otherwise take the JS loops on the "wasm" backend).
 * Also checks the WebAssembly Huber / smooth-L1 sums and gradients against the JS loops on
 * random data with edge values.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { klForward } from "../../src/kernels/kl.js";
import {
  huberLikeSum, softMarginInputGrad, softMarginSumFast,
} from "../../src/kernels/pointwise-losses.js";
import {
  type BackendName, activeBackend, setBackend,
} from "../../src/kernels/backend.js";
import { onBackendPath, useBackend } from "./backend-path.js";

const LOSSES = [["kl", "klDiv"], ["bce", "binaryCrossEntropy"],
  ["bce-with-logits", "binaryCrossEntropyWithLogits"], ["huber", "huberLoss"],
  ["smooth-l1", "smoothL1Loss"], ["soft-margin", "softMarginLoss"]] as const;

describe("on the JS kernels", () => onBackendPath("js", 1024, LOSSES));
describe("on the WebAssembly kernels at every size", () => onBackendPath("wasm", 0, LOSSES));

/** Random float32 pairs with ties, ±0, values at ±param and (unless finite) NaN, ±inf. */
function operands(n: number, param: number, finite: boolean): [Float32Array, Float32Array] {
  let seed = 12345;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const edges = finite ? [0, -0, param, -param, 1e-30]
    : [0, -0, NaN, Infinity, -Infinity, param, -param, 1e-30];
  for (let i = 0; i < n; i++) {
    x[i] = (next() - 0.5) * 4 * param;
    y[i] = next() < 0.1 ? x[i] : (next() - 0.5) * 4 * param;
    if (next() < 0.05) x[i] = edges[i % edges.length];
    if (next() < 0.05) y[i] = x[i] - edges[(i >> 3) % edges.length];
  }
  return [x, y];
}

describe("Huber / smooth-L1 sums: WebAssembly equals the JS loops", () => {
  useBackend(0);
  for (const smooth of [false, true]) {
    for (const param of smooth ? [0, 0.5, 1] : [0.5, 1, 3]) {
      for (const finite of [false, true]) test(`${smooth ? "smooth L1 β" : "Huber δ"} = ${param}` +
        (finite ? ", finite" : ", with NaN and ±inf"), () => {
        const [x, y] = operands(5003, param, finite);
        const run = (path: BackendName) => {
          setBackend(path);
          const grad = new Float32Array(x.length);
          const sum = huberLikeSum(x, y, param, smooth, 1 / 5003, Math.fround, grad);
          return { sum, grad };
        };
        const js = run("js");
        const wasm = run("wasm");
        assert.equal(activeBackend(), "wasm");
        assert.deepEqual(Array.from(wasm.grad), Array.from(js.grad));
        assert.equal(Number.isNaN(js.sum), Number.isNaN(wasm.sum));
        if (finite) assert.ok(Math.abs(wasm.sum - js.sum) <= 1e-5 * Math.abs(js.sum));
      });
    }
  }
});

/** |a − b| ≤ rtol·|b| elementwise, with NaN and ±inf in the same places. */
function assertClose(a: Float32Array, b: Float32Array, rtol: number): void {
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i]) || !Number.isFinite(b[i])) {
      assert.ok(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])), `[${i}]`);
    } else {
      assert.ok(Math.abs(a[i] - b[i]) <= rtol * Math.abs(b[i]) + 1e-30, `[${i}] ${a[i]} ${b[i]}`);
    }
  }
}

describe("KL / soft-margin WebAssembly kernels against the JS loops", () => {
  useBackend(0);
  test("KL: sum and input gradient (t = 0, subnormal, NaN, inf targets)", () => {
    const n = 4099;
    const x = new Float32Array(n).map((_, i) => -((i * 7919) % 1000) / 37);
    const t = new Float32Array(n).map((_, i) => ((i * 104729) % 1000) / 999);
    t.set([0, 1e-40, 1, 1e-20, 5e-8], 0);
    const run = (path: BackendName, tt: Float32Array) => {
      setBackend(path);
      const grad = new Float32Array(n);
      return { sum: klForward(x, tt, Math.fround, grad, 1 / 64), grad };
    };
    const js = run("js", t);
    const wasm = run("wasm", t);
    assert.deepEqual(Array.from(wasm.grad), Array.from(js.grad));
    assert.ok(Math.abs(wasm.sum - js.sum) <= 1e-6 * Math.abs(js.sum));
    const special = t.slice();
    special.set([NaN, Infinity, -1], 10);
    assert.ok(Number.isNaN(run("wasm", special).sum));
  });
  test("soft margin: sum and input gradient, incl. exp overflow", () => {
    const n = 4099;
    const x = new Float32Array(n).map((_, i) => ((i * 7919) % 2000) / 20 - 50);
    const y = new Float32Array(n).map((_, i) => (i % 3 === 0 ? -1 : 1));
    x.set([100, -100, 88, 89, 0, -0, 1e-30], 0);
    // y = −1 at multiples of 3: −x·y = x, the largest float32 with a finite exp, then the next
    x[9] = 88.72283172607422;
    x[12] = 88.72283935546875;
    setBackend("wasm");
    const grad = new Float32Array(n);
    const sum = softMarginSumFast(x, y, 1 / n, grad);
    assert.ok(sum !== null);
    const want = new Float32Array(n);
    softMarginInputGrad(x, y, Float32Array.of(1), 1 / n, Math.fround, Math.fround, want);
    assertClose(grad, want, 2e-6);
    assert.ok(Number.isFinite(grad[9]) && Number.isNaN(grad[12]), `${grad[9]}, ${grad[12]}`);
    const at = (v: number) => softMarginSumFast(Float32Array.of(v), Float32Array.of(-1), 1, null);
    assert.equal(at(x[12]), Infinity);
    assert.ok(Math.abs((at(x[9]) as number) - x[9]) <= 1e-5 * x[9]);
    const finite = x.map((v) => Math.max(-80, Math.min(80, v)));
    const s2 = softMarginSumFast(finite, y, 1, null) as number;
    let js = 0;
    for (let i = 0; i < n; i++) js += Math.fround(Math.log(1 + Math.exp(-finite[i] * y[i])));
    assert.ok(Math.abs(s2 - js) <= 1e-5 * Math.abs(js), `${s2} vs ${js}`);
    assert.equal(sum, Infinity);
  });
});
