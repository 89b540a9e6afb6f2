/**
 * The WebAssembly kernels against the JS ones: tensors inside the shared memory (in place, on
 * worker threads when large) and on the JS heap (streamed through scratch), the exp accuracy,
 * the recycled gradient buffers, and the memory fallbacks.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { crossEntropy, l1Loss, logSoftmax, mseLoss, softmax } from "../../src/functional.js";
import {
  activeBackend, setWasmMemoryLimit, withBackend,
} from "../../src/kernels/backend.js";
import { offsetOf } from "../../src/kernels/wasm/heap.js";
import {
  getNumThreads, parallelFor, poolStatus, setNumThreads,
} from "../../src/kernels/wasm/threads.js";
import { warmPool } from "../helpers/large.js";
import { wasmRuntime } from "../../src/kernels/wasm/runtime.js";
import { allocStorage, float32 } from "../../src/tensor/dtype.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { seededRandom } from "../losses/helpers.js";

const rt = wasmRuntime();

/** A float32 tensor of uniform values in [lo, hi), in the shared memory or on the JS heap. */
function uniform32(random: () => number, shape: number[], where: "shared" | "heap", lo = -3,
  hi = 3): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = where === "shared" ? allocStorage(float32, n) as Float32Array
    : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * random();
  return new Tensor(data, shape);
}

function indices(random: () => number, n: number, classes: number): Tensor {
  return new Tensor(BigInt64Array.from({ length: n }, () =>
    BigInt(Math.floor(random() * classes))), [n]);
}

/** |a − e| ≤ atol + rtol·|e| everywhere (NaN only against NaN). */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string,
  rtol = 1e-5, atol = 1e-7): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${label}[${i}]: ${a} vs ${e}`);
  }
}

type Run = () => { out: Tensor; grads: (Tensor | null)[] };

/** Runs `make` on the WebAssembly kernels, then on the JS ones, and compares. */
function compareBackends(label: string, run: Run, atol = 1e-7): void {
  assert.equal(activeBackend(), "wasm");
  const wasm = run();
  const js = withBackend("js", run);
  assertClose(wasm.out.data as Float32Array, js.out.data as Float32Array, `${label} loss`, 1e-5,
    atol);
  wasm.grads.forEach((g, i) => {
    const e = js.grads[i];
    assert.equal(g === null, e === null, `${label} grad ${i} presence`);
    if (g && e) {
      assertClose(g.data as Float32Array, e.data as Float32Array, `${label} grad ${i}`, 1e-5,
        atol);
    }
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("WebAssembly kernels", { skip: rt ? false : "WebAssembly SIMD not available" }, () => {
  test("exp: max relative error below 2e-7 on [−87.3, 0]; −inf gives 0, NaN stays NaN", () => {
    // The log-softmax backward kernel with Σg = −1 writes out = 0 − exp(y)·(−1) = exp(y).
    const C = 1 << 16;
    const y = uniform32(seededRandom(1), [C], "shared", -87.3, 0);
    const yd = y.data as Float32Array;
    yd[1] = -Infinity;
    yd[2] = NaN;
    const g = allocStorage(float32, C) as Float32Array;
    const out = allocStorage(float32, C) as Float32Array;
    g[0] = -1;
    rt!.exports.logsoftmax_bwd_rows(offsetOf(yd), offsetOf(g), offsetOf(out), C, 0, 1);
    let worst = 0;
    for (let i = 3; i < C; i++) {
      const e = Math.exp(yd[i]);
      worst = Math.max(worst, Math.abs(out[i] - e) / e);
    }
    assert.ok(worst < 2e-7, `max relative error ${worst}`);
    assert.ok(Object.is(out[1], 0), `exp(−inf) gave ${out[1]}`);
    assert.ok(Number.isNaN(out[2]), `exp(NaN) gave ${out[2]}`);
  });

  test("large float32 storage lives in the shared memory; small storage does not", () => {
    assert.ok(offsetOf(allocStorage(float32, 1 << 16) as Float32Array) >= 0);
    assert.equal(offsetOf(allocStorage(float32, 100) as Float32Array), -1);
  });

  test("past the memory limit, storage falls back to the JS heap and still computes", () => {
    setWasmMemoryLimit(0);
    try {
      const t = allocStorage(float32, 1 << 16) as Float32Array;
      assert.equal(offsetOf(t), -1);
    } finally {
      setWasmMemoryLimit(2 * 1024 ** 3);
    }
  });

  for (const where of ["shared", "heap"] as const) {
    for (const reduction of ["mean", "sum", "none"] as const) {
      test(`crossEntropy 64×5000, ${where} storage, weight + ignoreIndex, ${reduction}`,
        async () => {
          await sleep(50);                   // lets the worker pool come up for later calls
          const random = seededRandom(7);
          const x = uniform32(random, [64, 5000], where);
          const weight = uniform32(random, [5000], "heap", 0, 2);
          const t = indices(random, 64, 5000);
          (t.data as BigInt64Array)[3] = -100n;
          const up = uniform32(random, [64], "heap");
          compareBackends(`ce ${where} ${reduction}`, () => {
            const leaf = new Tensor(x.data, x.shape);
            leaf.requiresGrad = true;
            const out = crossEntropy(leaf, t, { weight, reduction });
            if (reduction === "none") out.backward(up);
            else out.mul(2.5).backward();
            return { out, grads: [leaf.grad] };
          });
        });
    }
    for (const reduction of ["mean", "sum", "none"] as const) {
      test(`mseLoss and l1Loss on 300k elements, ${where} storage, ${reduction}`, () => {
        const random = seededRandom(9);
        const x = uniform32(random, [300_000], where);
        const y = uniform32(random, [300_000], where);
        (y.data as Float32Array).set((x.data as Float32Array).subarray(0, 100));  // ties
        const up = uniform32(random, [300_000], "heap");
        for (const [name, loss] of [["mse", mseLoss], ["l1", l1Loss]] as const) {
          compareBackends(`${name} ${where} ${reduction}`, () => {
            const a = new Tensor(x.data, x.shape);
            const b = new Tensor(y.data, y.shape);
            a.requiresGrad = true;
            b.requiresGrad = true;
            const out = loss(a, b, { reduction });
            if (reduction === "none") out.backward(up);
            else out.backward();
            return { out, grads: [a.grad, b.grad] };
          });
        }
      });
    }
    test(`softmax and logSoftmax over rows of 3000, ${where} storage`, () => {
      const random = seededRandom(11);
      const x = uniform32(random, [100, 3000], where);
      const up = uniform32(random, [100, 3000], "heap");
      for (const [name, op] of [["softmax", softmax], ["logSoftmax", logSoftmax]] as const) {
        compareBackends(`${name} ${where}`, () => {
          const leaf = new Tensor(x.data, x.shape);
          leaf.requiresGrad = true;
          const out = op(leaf, 1);
          out.backward(up);
          return { out, grads: [leaf.grad] };
          // g − p·Σg cancels terms of size |g| ≈ 3: float32 leaves ~1e-6 absolute.
        }, 2e-6);
      }
    });
  }

  test("large jobs on shared storage were split across worker threads (Node)", () => {
    assert.ok(poolStatus().ready >= 1, "no worker ready");
    assert.ok(poolStatus().parallelJobs > 0, "no job ran on the workers");
  });

  test("jobs below the threading threshold use the workers only while they are awake", async () => {
    const previous = getNumThreads();
    setNumThreads(2);
    try {
      const large = allocStorage(float32, 1 << 19) as Float32Array;
      const medium = allocStorage(float32, 1 << 16) as Float32Array;
      medium.fill(1.5);
      const run = (a: Float32Array) => parallelFor(rt!, "scale", [offsetOf(a), offsetOf(a), 2, 0],
        a.length);
      await warmPool(() => run(large));
      // asleep: a worker that found no job polls for 1 ms, then waits on the futex
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(poolStatus().awake, 0, "workers asleep after 50 ms without a job");
      let jobs = poolStatus().parallelJobs;
      run(medium);
      assert.equal(poolStatus().parallelJobs, jobs, "medium job on the calling thread");
      // awake: right after a large job the worker polls for the next one (for 1 ms of its own
      // time: under load it may lose its core meanwhile, so 20 tries)
      let split = 0;
      for (let k = 0; k < 20; k++) {
        run(large);
        jobs = poolStatus().parallelJobs;
        run(medium);
        split += poolStatus().parallelJobs - jobs;
      }
      assert.ok(split > 0, "medium jobs split while the workers poll");
      assert.ok(medium.every((v) => v === 1.5 * 2 ** 21), "every element scaled 21 times");
    } finally {
      setNumThreads(previous);
    }
  });

  test("a retained graph's second backward after another forward reused the buffer", () => {
    const random = seededRandom(13);
    const x = uniform32(random, [16, 4096], "shared");
    x.requiresGrad = true;
    const t = indices(random, 16, 4096);
    const first = crossEntropy(x, t);
    first.backward({ retainGraph: true });
    const expected = Float32Array.from(x.grad!.data as Float32Array);
    x.grad = null;
    const other = uniform32(random, [16, 4096], "shared");
    other.requiresGrad = true;
    crossEntropy(other, t).backward();                  // takes the recycled buffer
    crossEntropy(other, t);                             // and another lease
    first.backward();
    assertClose(x.grad!.data as Float32Array, expected, "second backward");
  });
});
