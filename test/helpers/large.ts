/**
 * Shared pieces of the tests that run fixtures above the WebAssembly and worker-thread
 * thresholds: inputs regenerated from hash specs (too large to store), gradients checked
 * through summaries, and a started worker pool.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import { mseLoss } from "../../src/functional.js";
import { type BackendName, activeBackend, withBackend } from "../../src/kernels/backend.js";
import { poolStatus } from "../../src/kernels/wasm/threads.js";
import { allocStorage, float32, float64 } from "../../src/tensor/dtype.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { TOLERANCES, type Tolerance, floatsClose } from "./compare.js";
import { type Encoded, decodeFloat } from "./fixtures.js";

/** A generated input: `normal` in (−4, 4), `unit` in (0, 1), `sign` ±1. */
export interface InputSpec {
  kind: "normal" | "unit" | "sign";
  seed: number;
}

/** A gradient as the fixtures store it: sum, absolute sum and sampled elements. */
export interface GradSummary {
  sum: Encoded;
  absSum: Encoded;
  at: number[];
  values: Encoded[];
}

/** lowbias32 (C. Wellons), as scripts/fixtures/fixturelib/large.py and bench/gen.mjs. */
function hash32(key: number, c: number): number {
  let x = (c + key) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The generator's values, rounded once to the dtype, in storage from allocStorage. */
export function generateInput(spec: InputSpec, shape: readonly number[],
  dtype: "float32" | "float64"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = allocStorage(dtype === "float32" ? float32 : float64, n) as Float32Array;
  const key = Math.imul(spec.seed, 0x9e3779b9) >>> 0;
  for (let i = 0; i < n; i++) {
    const h = hash32(key, i);
    const u = ((h >>> 8) + 0.5) / 2 ** 24;
    data[i] = spec.kind === "normal" ? (u - 0.5) * 8 : spec.kind === "unit" ? u
      : (h & 1) === 1 ? 1 : -1;
  }
  return new Tensor(data, [...shape]);
}

/**
 * Sampled elements within the dtype's tolerance; a sum of n elements each within
 * atol + rtol·|e| is within n·atol + rtol·Σ|e|, so the sums are held to that bound.
 */
export function assertGradSummary(actual: Tensor, expected: GradSummary, tol: Tolerance,
  label: string): void {
  const data = actual.data as Float32Array | Float64Array;
  expected.at.forEach((i, k) => {
    const e = decodeFloat(expected.values[k]);
    assert.ok(floatsClose(data[i], e, tol), `${label}[${i}]: got ${data[i]}, expected ${e}`);
  });
  let sum = 0;
  let absSum = 0;
  for (let i = 0; i < data.length; i++) {
    sum += data[i];
    absSum += Math.abs(data[i]);
  }
  const bound = data.length * tol.atol + tol.rtol * decodeFloat(expected.absSum);
  const eSum = decodeFloat(expected.sum);
  assert.ok(Math.abs(sum - eSum) <= bound, `${label} sum: got ${sum}, expected ${eSum}`);
  assert.ok(floatsClose(absSum, decodeFloat(expected.absSum), tol),
    `${label} absSum: got ${absSum}, expected ${String(expected.absSum)}`);
}

/** Starts the worker pool with one large job (`start`) and waits (≤ 10 s) for a ready worker. */
export async function warmPool(start: () => void): Promise<void> {
  start();
  for (let waited = 0; poolStatus().ready < 1 && waited < 10_000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * One test per case, run on backend `path`, each in a new task: within one task the shared
 * memory takes only a bounded number of same-size tensors (wasm/heap.ts).
 */
export function casesOnPath<C extends { name: string }>(path: BackendName, cases: readonly C[],
  run: (c: C) => void): void {
  for (const c of cases) {
    test(c.name, async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      withBackend(path, () => {
        assert.equal(activeBackend(), path);
        run(c);
      });
    });
  }
}

/**
 * A suite on the WebAssembly kernels with the worker pool started first; its last test checks
 * that at least `minJobs()` jobs were shared with the workers meanwhile (where workers exist).
 */
export function onWorkerThreads(title: string, what: string, body: () => void,
  minJobs: () => number = () => 1): void {
  describe(title, () => {
    let jobsBefore = 0;
    before(async () => {
      await warmPool(() => {
        const big = generateInput({ kind: "normal", seed: 0 }, [1 << 19], "float32");
        mseLoss(big, big);
      });
      jobsBefore = poolStatus().parallelJobs;
    });
    body();
    test(`${what} ran on the worker threads`, () => {
      if (poolStatus().ready < 1) return;             // no workers on this platform
      assert.ok(poolStatus().parallelJobs >= jobsBefore + minJobs(),
        JSON.stringify(poolStatus()));
    });
  });
}

/** What a large loss case expects of the result before its gradients. */
export interface LargeResult {
  dtype: "float32" | "float64";
  gradFn: string;
  loss: Encoded;
}

/**
 * The result's dtype, `grad_fn` name and value against the fixture, then `backward()`, then
 * each leaf's gradient against its summary (a leaf with none expected must have no `.grad`).
 */
export function assertLargeLoss(loss: Tensor, c: LargeResult,
  leaves: readonly (readonly [string, Tensor | null, GradSummary | undefined])[]): void {
  const tol = TOLERANCES[c.dtype];
  assert.equal(loss.dtype.name, c.dtype, "result dtype");
  assert.equal(loss.gradFn?.name(), c.gradFn, "grad_fn");
  const value = loss.item() as number;
  assert.ok(floatsClose(value, decodeFloat(c.loss), tol),
    `loss: got ${value}, expected ${String(c.loss)}`);
  loss.backward();
  for (const [label, leaf, expected] of leaves) {
    if (leaf === null) continue;
    if (expected) assertGradSummary(leaf.grad!, expected, tol, label);
    else assert.equal(leaf.grad, null, `${label}: expected none`);
  }
}
