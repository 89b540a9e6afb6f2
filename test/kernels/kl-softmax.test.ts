/**
 * The fused KL-over-softmax row kernels (assembly/klsoftmax.ts through src/kernels/kl-softmax.ts)
 * against the unfused chain of row kernels they replace, which the torch fixtures cover
 * (softmax-paths.test.ts, backend-losses*.test.ts): log_softmax(x) → L, softmax(t) → P,
 * kl_fwd(L, P) → gradient G, log_softmax backward(L, G). Non-finite gradients must sit in the
 * same places, finite ones and the loss agree to rounding (the fused kernel divides exp(x − max)
 * by its sum where the chain takes exp(log_softmax(x)), and takes log p as shifted logits);
 * float32 and float64, operands in the shared memory or staged, on one thread and on the pool.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import type { ReduceLayout } from "../../src/kernels/cpu.js";
import { klSoftmaxRows } from "../../src/kernels/kl-softmax.js";
import { softmaxBackwardRows, softmaxRows } from "../../src/kernels/softmax.js";
import { driveAny, reads, writes } from "../../src/kernels/wasm/drive64.js";
import { offsetOf, wasmFloat32, wasmFloat64 } from "../../src/kernels/wasm/heap.js";
import { wasmRuntime } from "../../src/kernels/wasm/runtime.js";
import { getNumThreads, poolStatus, setNumThreads } from "../../src/kernels/wasm/threads.js";
import { warmPool } from "../helpers/large.js";
import { Prng } from "../helpers/prng.js";
import { useBackend } from "./backend-path.js";

type DType = "float32" | "float64";
type FloatArray = Float32Array | Float64Array;

/** Loss tolerance (relative): the two paths sum the same terms in different orders. */
const LOSS_RTOL: Record<DType, number> = { float32: 1e-6, float64: 1e-13 };

function plainArray(dtype: DType, n: number): FloatArray {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

/** An array in the shared memory (the kernels use it in place) or on the JS heap (staged). */
function operand(dtype: DType, n: number, resident: boolean): FloatArray {
  if (!resident) return plainArray(dtype, n);
  const placed = dtype === "float32" ? wasmFloat32(n) : wasmFloat64(n);
  assert.ok(placed !== null && offsetOf(placed) >= 0, "no room in the shared memory");
  return placed;
}

/** Normal logits with standard deviation `spread`, rounded once to the dtype. */
function logits(dtype: DType, rows: number, C: number, seed: number, spread: number,
  resident: boolean): FloatArray {
  const prng = new Prng(seed);
  const out = operand(dtype, rows * C, resident);
  for (let i = 0; i < out.length; i++) out[i] = prng.normal() * spread;
  return out;
}

interface Result {
  loss: number;
  grad: FloatArray;
}

/** The unfused chain of row kernels. */
function unfused(x: FloatArray, t: FloatArray, rows: number, C: number, negS: number): Result {
  const dtype: DType = x instanceof Float32Array ? "float32" : "float64";
  const layout: ReduceLayout = { outer: rows, size: C, inner: 1 };
  const n = rows * C;
  const [L, P, G, out] = [0, 1, 2, 3].map(() => plainArray(dtype, n));
  assert.ok(softmaxRows(x, layout, true, L));
  assert.ok(softmaxRows(t, layout, false, P));
  const kl = dtype === "float32" ? "kl_fwd" : "kl64_fwd";
  const loss = driveAny(wasmRuntime()!, kl, [reads(L), reads(P), writes(G)],
    [dtype === "float32" ? Math.fround(negS) : negS], n);
  assert.ok(loss !== null);
  assert.ok(softmaxBackwardRows(L, G, layout, true, out));
  return { loss, grad: out };
}

function fused(x: FloatArray, t: FloatArray, rows: number, C: number, negS: number,
  resident: boolean): Result {
  const grad = operand(x instanceof Float32Array ? "float32" : "float64", rows * C, resident);
  const loss = klSoftmaxRows(x, t, grad, rows, C, negS);
  assert.ok(loss !== null, "the fused kernel declined");
  return { loss, grad };
}

/**
 * Gradient tolerance: the fused kernel takes softmax(x) as exp(x − max)/Σ where the chain
 * takes exp(log_softmax(x)), a rounding apart; |g| ≤ 2·|negS|, so the absolute part scales
 * with negS.
 */
const GRAD_TOL: Record<DType, { rtol: number; atol: number }> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-12, atol: 1e-14 },
};

/** Same non-finite values in the same places; finite ones within GRAD_TOL. */
function assertGradClose(actual: FloatArray, expected: FloatArray, negS: number,
  label: string): void {
  const dtype: DType = expected instanceof Float32Array ? "float32" : "float64";
  const { rtol, atol } = GRAD_TOL[dtype];
  assert.equal(actual.length, expected.length);
  const bad = [...expected.keys()].filter((i) => {
    const a = actual[i], e = expected[i];
    if (!Number.isFinite(e)) return !Object.is(a, e);
    return !(Math.abs(a - e) <= atol * Math.abs(negS) + rtol * Math.abs(e));
  });
  assert.equal(bad.length, 0, `${label}: ${bad.length} of ${expected.length} differ, e.g. ` +
    `[${bad[0]}] ${actual[bad[0]]} vs ${expected[bad[0]]}`);
}

function assertLossClose(actual: number, expected: number, dtype: DType): void {
  if (!Number.isFinite(expected)) {
    assert.ok(Object.is(actual, expected), `loss ${actual} vs ${expected}`);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= LOSS_RTOL[dtype] * Math.abs(expected),
    `loss ${actual} vs ${expected}`);
}

interface Case {
  rows: number;
  C: number;
  spread: number;
  /** Overwrites some elements of x and t (special values). */
  special?: (x: FloatArray, t: FloatArray, C: number) => void;
}

function check(dtype: DType, c: Case, resident: boolean, negS: number): void {
  const x = logits(dtype, c.rows, c.C, 1 + c.C, c.spread, resident);
  const t = logits(dtype, c.rows, c.C, 2 + c.C, c.spread, resident);
  c.special?.(x, t, c.C);
  const want = unfused(x, t, c.rows, c.C, negS);
  const got = fused(x, t, c.rows, c.C, negS, resident);
  assertGradClose(got.grad, want.grad, negS, "gradient");
  assertLossClose(got.loss, want.loss, dtype);
}

/** Row r (of C ≥ 5 elements) of x and t made special: see the test titles. */
function specialRows(x: FloatArray, t: FloatArray, C: number): void {
  const at = (r: number, j: number) => r * C + j;
  x[at(0, 1)] = -Infinity;                            // y = −inf where p > 0: term +inf
  t[at(1, 0)] = 200;                                  // p underflows to 0 elsewhere: xlogy(0, 0)
  x[at(2, 2)] = NaN;                                  // a NaN logit: the row's y all NaN
  t[at(3, 3)] = NaN;
  x[at(4, 0)] = Infinity;
  t[at(5, 1)] = -Infinity;                            // p = 0 exactly at one element
  for (let j = 0; j < C; j++) x[at(6, j)] = -Infinity;
  x[at(7, 4)] = 1e30;                                 // y = 0 at one element, −huge elsewhere
  t[at(7, 4)] = 1e30;
}

const SHAPES: Case[] = [
  { rows: 3, C: 1, spread: 2 },
  { rows: 4, C: 2, spread: 2 },
  { rows: 5, C: 3, spread: 2 },
  { rows: 7, C: 5, spread: 3 },
  { rows: 9, C: 67, spread: 4 },
  { rows: 33, C: 1027, spread: 3 },
  { rows: 2, C: 20000, spread: 10 },
];

const SPECIAL: Case[] = [
  { rows: 10, C: 5, spread: 2, special: specialRows },
  { rows: 10, C: 131, spread: 2, special: specialRows },
  { rows: 10, C: 1026, spread: 30, special: specialRows },
];

/** A new task per test: the shared memory places few same-size arrays per task (heap.ts). */
async function newTask(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
}

for (const dtype of ["float32", "float64"] as const) {
  describe(`fused KL over softmax rows, ${dtype}: agrees with the unfused kernels`, () => {
    useBackend(0, "wasm");
    for (const resident of [true, false]) {
      const where = resident ? "in the shared memory" : "staged";
      for (const c of SHAPES) {
        test(`${c.rows}×${c.C}, ${where}`, async () => {
          await newTask();
          check(dtype, c, resident, -1);
        });
      }
      for (const c of SPECIAL) {
        test(`${c.rows}×${c.C} with −inf, +inf, NaN logits and p = 0, ${where}`, async () => {
          await newTask();
          check(dtype, c, resident, -1);
        });
      }
    }

    test("negS scales the gradient as the unfused kernels do", async () => {
      await newTask();
      for (const negS of [-1 / 3, -2.5e-4]) check(dtype, SHAPES[4], true, negS);
    });

    test("one row per staged chunk on one thread", async () => {
      await newTask();
      const threads = getNumThreads();
      setNumThreads(1);
      try {
        check(dtype, { rows: 3, C: 20000, spread: 3 }, false, -1);
      } finally {
        setNumThreads(threads);
      }
    });
  });

  describe(`fused KL over softmax rows, ${dtype}, 600×513 on the worker threads`, () => {
    useBackend(0, "wasm");
    let threads = 1;
    before(async () => {
      threads = getNumThreads();
      setNumThreads(2);
      await warmPool(() => softmaxRows(new Float32Array(1 << 19), { outer: 1, size: 1 << 19,
        inner: 1 }, false, new Float32Array(1 << 19)));
    });
    after(() => setNumThreads(threads));
    for (const resident of [true, false]) {
      test(resident ? "in the shared memory" : "staged", async () => {
        await newTask();
        const c: Case = { rows: 600, C: 513, spread: 3 };
        const x = logits(dtype, c.rows, c.C, 11, c.spread, resident);
        const t = logits(dtype, c.rows, c.C, 12, c.spread, resident);
        const want = unfused(x, t, c.rows, c.C, -1 / (c.rows * c.C));
        const jobs = poolStatus().parallelJobs;
        const got = fused(x, t, c.rows, c.C, -1 / (c.rows * c.C), resident);
        // Node always has workers (the pool starts even in memory reused from freed arrays)
        assert.ok(poolStatus().ready >= 1 && poolStatus().parallelJobs > jobs,
          JSON.stringify(poolStatus()));
        assertGradClose(got.grad, want.grad, -1 / (c.rows * c.C), "gradient");
        assertLossClose(got.loss, want.loss, dtype);
      });
    }
  });
}

describe("fused KL over softmax rows: what it declines", () => {
  useBackend(0, "wasm");
  test("empty shapes and mixed element types", () => {
    const f32 = new Float32Array(6), f64 = new Float64Array(6);
    assert.equal(klSoftmaxRows(f32, f32.slice(), f32.slice(), 0, 6, -1), null);
    assert.equal(klSoftmaxRows(f32, f32.slice(), f32.slice(), 3, 0, -1), null);
    assert.equal(klSoftmaxRows(f32, f64, f32.slice(), 2, 3, -1), null);
    assert.equal(klSoftmaxRows(f64, f64.slice(), f32, 2, 3, -1), null);
  });
});
