/**
 * The CTC chain as users and the bench write it, `ctcLoss(logSoftmax(x, 2), targets, …)`, against
 * torch 1.13 on the WebAssembly backend (default threads, 1 thread, 2 threads). While lp is
 * unread, ctcLoss computes it into a pooled buffer and LogSoftmaxBackward0 takes x's gradient
 * from it (src/nn/losses/ctc-loss.ts `throughLogSoftmax`); every case checks, besides torch's
 * loss (value, grad_fn, requires_grad), x.grad and lp read after backward, that
 *  - lp was deferred after logSoftmax and still is after the backward passes (the chain ran),
 *    unless lp has a second consumer (lp.sum() reads it);
 *  - the unfused path (lp.data read before ctcLoss) gives bit-identical loss and x.grad.
 * And that writing x (x.data, or an in-place op on a non-leaf x) between forward and backward
 * leaves x.grad and lp as they were: the chain does not read x again.
 * Covered: 'mean' / 'sum' / 'none' (with a gradient vector), input lengths T and varied,
 * zeroInfinity false / true with an impossible sample, loss × 2.5, lp with two consumers, two
 * backward passes through a retained graph, x without grad, a noGrad forward, blank = C − 1.
 * float32 x.grad is compared with torch's at the float32 tolerance, except where torch's own
 * float32 x.grad is outside that tolerance of the float64 chain on the same x (CTC's gradient
 * amplifies lp's last-ulp rounding, which differs between our logSoftmax kernel and torch's):
 * there it must be as close to the float64 result as torch's is (assertGradNearFloat64).
 * Fixture: test/fixtures/losses-ctc-chain.json, written by scripts/fixtures/gen_ctc_chain.py
 * (format in its doc).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { noGrad } from "../../src/autograd/grad-mode.js";
import * as F from "../../src/functional.js";
import { getNumThreads, setNumThreads } from "../../src/kernels/backend.js";
import { float32, float64 } from "../../src/tensor/dtype.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { tensor } from "../../src/torch.js";
import { TOLERANCES, type Tolerance, floatsClose } from "../helpers/compare.js";
import { type Encoded, decodeFloat, loadFixture } from "../helpers/fixtures.js";
import {
  assertGradSummary, casesOnPath, generateInput, type GradSummary, type InputSpec, onWorkerThreads,
} from "../helpers/large.js";

type FloatData = Float32Array | Float64Array;

interface ChainCase {
  name: string;
  dtype: "float32" | "float64";
  shape: [number, number, number];
  x: InputSpec;
  targets: number[][];
  inputLengths: number[];
  targetLengths: number[];
  blank: number;
  reduction: "mean" | "sum" | "none";
  zeroInfinity: boolean;
  xGrad: boolean;
  noGrad: boolean;
  extra: "logsoftmax_sum" | null;
  upstream: { scale: number } | { gradient: number[] } | null;
  backwards: 1 | 2;
  expected: {
    loss: { value: Encoded | Encoded[]; gradFn: string | null; requiresGrad: boolean };
    logSoftmax: GradSummary;
    grad: GradSummary | null;
    float64: { grad: GradSummary; torchError: Encoded; torchWithinTolerance: boolean } | null;
  };
}

const CASES = loadFixture<{ cases: ChainCase[] }>("losses-ctc-chain.json").cases;

// ---- the chain, as the case writes it -----------------------------------------------------------

interface Options {
  /** Read lp.data before ctcLoss: the unfused path. */
  materialize?: boolean;
  /** Runs between the forward and the first backward (on the leaf and the logSoftmax input). */
  mutate?: (leaf: Tensor, input: Tensor) => void;
  /** logSoftmax's input is `leaf.mul(1)` (a non-leaf) rather than the leaf itself. */
  nonLeafInput?: boolean;
}

interface Run {
  leaf: Tensor;
  lp: Tensor;
  loss: Tensor;
  /** lp.isDeferred right after logSoftmax, and after the first / the last backward. */
  deferredAtForward: boolean;
  deferredAfterFirst: boolean | null;
  deferredAtEnd: boolean;
}

function forward(c: ChainCase, input: Tensor, materialize: boolean) {
  const lp = F.logSoftmax(input, 2);
  const deferredAtForward = lp.isDeferred;
  if (materialize) void lp.data;
  let loss = F.ctcLoss(lp, tensor(c.targets), c.inputLengths, c.targetLengths,
    { blank: c.blank, reduction: c.reduction, zeroInfinity: c.zeroInfinity });
  if (c.extra === "logsoftmax_sum") loss = loss.add(lp.sum().mul(0.1));
  return { lp, loss, deferredAtForward };
}

function backward(c: ChainCase, loss: Tensor, retainGraph: boolean): void {
  const up = c.upstream;
  if (up === null) loss.backward(null, { retainGraph });
  else if ("scale" in up) loss.mul(up.scale).backward(null, { retainGraph });
  else {
    const dtype = c.dtype === "float32" ? float32 : float64;
    loss.backward(tensor(up.gradient, { dtype }), { retainGraph });
  }
}

function run(c: ChainCase, options: Options = {}): Run {
  const leaf = generateInput(c.x, c.shape, c.dtype);
  leaf.requiresGrad = c.xGrad;
  const input = options.nonLeafInput ? leaf.mul(1) : leaf;
  const { lp, loss, deferredAtForward } = c.noGrad
    ? noGrad(() => forward(c, input, options.materialize ?? false))
    : forward(c, input, options.materialize ?? false);
  options.mutate?.(leaf, input);
  let deferredAfterFirst: boolean | null = null;
  if (loss.requiresGrad) {
    for (let k = 0; k < c.backwards; k++) {
      backward(c, loss, k + 1 < c.backwards);
      if (k === 0) deferredAfterFirst = lp.isDeferred;
    }
  }
  return { leaf, lp, loss, deferredAtForward, deferredAfterFirst, deferredAtEnd: lp.isDeferred };
}

// ---- against torch ------------------------------------------------------------------------------

/** As assertGradSummary, where torch's values may be NaN (an impossible sample, zeroInfinity off). */
function assertSummary(actual: Tensor, expected: GradSummary, tol: Tolerance, label: string) {
  const eSum = decodeFloat(expected.sum);
  const eAbs = decodeFloat(expected.absSum);
  if (Number.isFinite(eSum) && Number.isFinite(eAbs)) {
    assertGradSummary(actual, expected, tol, label);
    return;
  }
  const data = actual.data as FloatData;
  expected.at.forEach((i, k) => {
    const e = decodeFloat(expected.values[k]);
    assert.ok(floatsClose(data[i], e, tol), `${label}[${i}]: got ${data[i]}, expected ${e}`);
  });
  let sum = 0;
  let absSum = 0;
  for (const v of data) {
    sum += v;
    absSum += Math.abs(v);
  }
  assert.ok(floatsClose(sum, eSum, tol), `${label} sum: got ${sum}, expected ${eSum}`);
  assert.ok(floatsClose(absSum, eAbs, tol), `${label} absSum: got ${absSum}, expected ${eAbs}`);
}

function assertLoss(c: ChainCase, loss: Tensor): void {
  const { value, gradFn, requiresGrad } = c.expected.loss;
  const tol = TOLERANCES[c.dtype];
  assert.equal(loss.dtype.name, c.dtype, "loss dtype");
  assert.equal(loss.gradFn?.name() ?? null, gradFn, "loss grad_fn");
  assert.equal(loss.requiresGrad, requiresGrad, "loss requires_grad");
  const expected = Array.isArray(value) ? value : [value];
  const got = Array.from(loss.data as FloatData);
  assert.equal(got.length, expected.length, "loss numel");
  expected.forEach((e, i) => assert.ok(floatsClose(got[i], decodeFloat(e), tol),
    `loss[${i}]: got ${got[i]}, expected ${String(e)}`));
}

/** x.grad against torch's, within the dtype's tolerance. */
function assertGradStrict(c: ChainCase, leaf: Tensor, label: string): void {
  if (c.expected.grad === null) assert.equal(leaf.grad, null, `${label}: expected None`);
  else assertSummary(leaf.grad!, c.expected.grad, TOLERANCES[c.dtype], label);
}

/**
 * float32 x.grad where torch's own float32 x.grad is not within the float32 tolerance of the
 * float64 chain on the same x (`torchWithinTolerance` false): the CTC gradient amplifies lp's
 * rounding, and our logSoftmax rounds a few elements differently from torch's (≤ a few ulps),
 * so x.grad can differ from torch's by as much as torch's differs from float64. Checked: within
 * the float32 tolerance plus torch's own largest error (`torchError`) of the float64 result, on
 * the sampled elements, the sum and the absolute sum: no less accurate than torch. (Torch's
 * CTC and log-softmax backward run on our lp reproduce our x.grad within the float32 tolerance;
 * the element-wise comparison with torch's x.grad measures lp's rounding, not the chain.)
 */
function assertGradNearFloat64(c: ChainCase, leaf: Tensor, label: string): void {
  const f64 = c.expected.float64!;
  const err = decodeFloat(f64.torchError);
  const tol = { rtol: TOLERANCES.float32.rtol, atol: TOLERANCES.float32.atol + err };
  const what = `${label} (against float64, torch's error ${err})`;
  const data = leaf.grad!.data as FloatData;
  f64.grad.at.forEach((i, k) => {
    const e = decodeFloat(f64.grad.values[k]);
    assert.ok(floatsClose(data[i], e, tol), `${what}[${i}]: got ${data[i]}, expected ${e}`);
  });
  // each element within atol + rtol·|e|: the sum and the absolute sum within n·atol + rtol·Σ|e|
  let sum = 0;
  let absSum = 0;
  for (const v of data) {
    sum += v;
    absSum += Math.abs(v);
  }
  const eSum = decodeFloat(f64.grad.sum);
  const eAbs = decodeFloat(f64.grad.absSum);
  if (Number.isNaN(eSum)) {
    assert.ok(Number.isNaN(sum) && Number.isNaN(absSum), `${what}: sums should be NaN`);
    return;
  }
  const bound = data.length * tol.atol + tol.rtol * eAbs;
  assert.ok(Math.abs(sum - eSum) <= bound, `${what} sum: got ${sum}, expected ${eSum}`);
  assert.ok(Math.abs(absSum - eAbs) <= bound, `${what} absSum: got ${absSum}, expected ${eAbs}`);
}

/** Strictly against torch; failing that, where torch is outside it of float64, near float64. */
function assertGrad(c: ChainCase, leaf: Tensor, label = "x.grad"): void {
  try {
    assertGradStrict(c, leaf, label);
  } catch (e) {
    if (c.expected.float64?.torchWithinTolerance !== false) throw e;
    assertGradNearFloat64(c, leaf, label);
  }
}

/** Element by element with Object.is: same values, NaN where NaN, the same signed zeros. */
function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string) {
  assert.equal(actual.length, expected.length, `${label}: length`);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) bad.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
  }
  assert.equal(bad.length, 0, `${label}: ${bad.length} of ${expected.length} differ:\n  ` +
    bad.slice(0, 8).join("\n  "));
}

const copyOf = (t: Tensor | null) => (t === null ? null : Array.from(t.data as FloatData));

function runCase(c: ChainCase): void {
  const chain = run(c);
  assertLoss(c, chain.loss);
  // the chain engaged: lp deferred by logSoftmax, and not read by ctcLoss or the backward
  assert.equal(chain.deferredAtForward, true, "lp deferred by logSoftmax");
  const twoConsumers = c.extra !== null;
  if (c.backwards === 2 && chain.deferredAfterFirst !== null) {
    assert.equal(chain.deferredAfterFirst, !twoConsumers, "lp.isDeferred after the 1st backward");
  } else {
    assert.equal(chain.deferredAtEnd, !twoConsumers, "lp.isDeferred after forward + backward");
  }
  assertGrad(c, chain.leaf);
  const chainLoss = copyOf(chain.loss);
  const chainGrad = copyOf(chain.leaf.grad);
  assertSummary(chain.lp, c.expected.logSoftmax, TOLERANCES[c.dtype], "lp read after backward");

  const unfused = run(c, { materialize: true });
  assert.equal(unfused.deferredAtEnd, false, "unfused: lp materialized");
  assertSameBits(copyOf(unfused.loss)!, chainLoss!, "loss, unfused vs chain");
  if (chainGrad === null) assert.equal(unfused.leaf.grad, null, "unfused x.grad: None");
  else assertSameBits(copyOf(unfused.leaf.grad)!, chainGrad, "x.grad, unfused vs chain");
}

describe("CTC chain on WebAssembly (default threads) against torch 1.13", () =>
  casesOnPath("wasm", CASES, runCase));

function atThreads(n: number): void {
  let previous = 1;
  before(() => {
    previous = getNumThreads();
    setNumThreads(n);
  });
  after(() => setNumThreads(previous));
  test(`runs at ${n} thread(s)`, () => assert.equal(getNumThreads(), n));
  casesOnPath("wasm", CASES, runCase);
}

describe("CTC chain on WebAssembly at 1 thread against torch 1.13", () => atThreads(1));

onWorkerThreads("CTC chain on WebAssembly at 2 threads (worker threads when available)",
  "the CTC chain", () => atThreads(2));

// ---- x written between forward and backward ----------------------------------------------------

const MUTATED = ["float32/bench/mean", "float32/small/mean/backward_twice",
  "float32/bench/none/varied_lengths/gradient", "float64/odd/sum/varied_lengths",
  "float64/bench/sum/backward_twice", "float32/odd/mean/zero_infinity1/impossible"]
  .map((name) => CASES.find((c) => c.name === name)!);

function writeData(_leaf: Tensor, input: Tensor): void {
  const data = input.data as FloatData;
  for (let i = 0; i < data.length; i++) data[i] = (i % 7) - 3;
}

function fillInPlace(_leaf: Tensor, input: Tensor): void {
  input.fill_(0.25);
}

describe("CTC chain: x written after the forward, before backward", () => {
  casesOnPath("wasm", MUTATED, (c) => {
    const clean = run(c);
    const cleanGrad = copyOf(clean.leaf.grad)!;
    const cleanLp = copyOf(clean.lp)!;
    for (const [how, mutate, nonLeafInput] of [["x.data written", writeData, false],
      ["fill_ on a non-leaf x", fillInPlace, true]] as const) {
      const written = run(c, { mutate, nonLeafInput });
      assert.equal(written.deferredAfterFirst, true, `${how}: lp still deferred`);
      assertSameBits(copyOf(written.leaf.grad)!, cleanGrad, `${how}: x.grad`);
      assertGrad(c, written.leaf, `${how}: x.grad`);
      // lp read after backward: torch's values, those of x before the write
      assertSameBits(copyOf(written.lp)!, cleanLp, `${how}: lp`);
      assertSummary(written.lp, c.expected.logSoftmax, TOLERANCES[c.dtype], `${how}: lp`);
    }
  });
});
