/**
 * Edge inputs give PyTorch's values (issue #6): every case of test/fixtures/reliability-edge.json
 * (scripts/fixtures/gen_reliability_edge.py, torch 1.13) — empty tensors, all targets ignored,
 * NaN and ±inf, extreme logits, probabilities of exactly 0 and 1, zero KL targets, zero and tiny
 * Gaussian variances, float32 overflow thresholds, one-element and 10⁶-class rows — on the
 * plain-JS kernels and on the WebAssembly kernels at every size (rows of 10⁶ classes live in the
 * shared memory and are split across the worker pool).
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import * as F from "../../src/functional.js";
import * as nn from "../../src/nn/index.js";
import { type DTypeName, allocStorage, float32, float64, int64 } from "../../src/tensor/dtype.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { poolStatus } from "../../src/kernels/wasm/threads.js";
import { type Tolerance, floatsClose } from "../helpers/compare.js";
import { type Encoded, decodeFloat, loadFixture } from "../helpers/fixtures.js";
import { useBackend } from "../kernels/backend-path.js";
import {
  type LeafTensor, type LossCase, caseTolerance, checkGradients, decodeOptions, leaf,
  runCaseWith,
} from "../losses/helpers.js";
import { warmPool } from "../helpers/large.js";

/** A long input built by the same closed form as the generator's `generated()`. */
interface GeneratedInput {
  generated: string;
  dtype: DTypeName;
  shape: number[];
  requiresGrad?: boolean;
}

interface Summary {
  sum: Encoded;
  absSum: Encoded;
  max: Encoded;
  min: Encoded;
  at: [number, Encoded][];
}

interface EdgeCase extends Omit<LossCase, "inputs" | "upstream"> {
  loss: string;
  category: string;
  inputs: (LeafTensor | GeneratedInput)[];
  upstream?: LossCase["upstream"] | GeneratedInput;
  args?: unknown[];
  gradSummaries?: Record<string, Summary>;
  resultSummary?: Summary;
}

const FIXTURE = loadFixture<{ torch_version: string; cases: EdgeCase[] }>(
  "reliability-edge.json");
const CASES = FIXTURE.cases;

// ---- generated inputs ----------------------------------------------------------------------

function patternValue(pattern: string, i: number): number {
  if (pattern === "logits") return ((i * 7919) % 10007) / 1000 - 5;
  if (pattern === "probs") return ((i * 31) % 101) / 100;
  throw new Error(`unknown pattern ${pattern}`);
}

/** float patterns are computed in float64 and rounded into the storage (float32: to nearest). */
function generate(enc: GeneratedInput): Tensor {
  const n = enc.shape.reduce((a, b) => a * b, 1);
  if (enc.generated.startsWith("classes")) {
    const classes = Number(enc.generated.slice("classes".length));
    const data = allocStorage(int64, n) as BigInt64Array;
    for (let i = 0; i < n; i++) data[i] = BigInt((i * 387419 + 12345) % classes);
    return new Tensor(data, enc.shape);
  }
  const data = allocStorage(enc.dtype === "float32" ? float32 : float64, n) as Float64Array;
  for (let i = 0; i < n; i++) data[i] = patternValue(enc.generated, i);
  const t = new Tensor(data, enc.shape);
  if (enc.requiresGrad) t.requiresGrad = true;
  return t;
}

function isGenerated(enc: object): enc is GeneratedInput {
  return "generated" in enc;
}

function decodeInput(enc: LeafTensor | GeneratedInput): Tensor {
  return isGenerated(enc) ? generate(enc) : leaf(enc);
}

// ---- calling -------------------------------------------------------------------------------

type AnyFn = (...args: unknown[]) => Tensor;
type AnyModuleClass = new (options?: object) => (...tensors: Tensor[]) => Tensor;

function callCase(c: EdgeCase, inputs: Tensor[], options: Record<string, unknown>): Tensor {
  if (c.form === "module") {
    const Module = (nn as unknown as Record<string, AnyModuleClass>)[c.module!];
    return new Module(options)(...inputs);
  }
  const fn = (F as unknown as Record<string, AnyFn>)[c.fn];
  assert.equal(typeof fn, "function", `${c.name}: no F.${c.fn}`);
  // logSoftmax(x, dim) and logSigmoid(x) take no options object
  if (c.args) return fn(...inputs, ...c.args);
  if (c.fn === "logSigmoid") return fn(...inputs);
  return fn(...inputs, options);
}

// ---- summaries of long results and gradients -----------------------------------------------

/**
 * The single values (max, min, fixed indices) within `tol`; the abs-sum within `tol` as one
 * value; the sum, which cancels (a softmax gradient's sums to 0), within atol + rtol·Σ|e|.
 * Tighter than the n·atol that n elements each within `tol` would allow: with 10⁶ gradients
 * of ~1e-7, n·atol would accept anything.
 */
function assertSummary(actual: Tensor, expected: Summary, label: string, tol: Tolerance): void {
  const data = actual.data as Float32Array | Float64Array;
  let sum = 0;
  let absSum = 0;
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    sum += v;
    absSum += Math.abs(v);
    if (v > max || Number.isNaN(v)) max = v;
    if (v < min || Number.isNaN(v)) min = v;
  }
  const absE = decodeFloat(expected.absSum);
  const sumTol = { atol: tol.atol + tol.rtol * absE, rtol: 0 };
  assert.ok(floatsClose(sum, decodeFloat(expected.sum), sumTol),
    `${label}: sum ${sum}, expected ${String(expected.sum)}`);
  assert.ok(floatsClose(absSum, absE, tol),
    `${label}: abs-sum ${absSum}, expected ${String(expected.absSum)}`);
  assert.ok(floatsClose(max, decodeFloat(expected.max), tol),
    `${label}: max ${max}, expected ${String(expected.max)}`);
  assert.ok(floatsClose(min, decodeFloat(expected.min), tol),
    `${label}: min ${min}, expected ${String(expected.min)}`);
  for (const [k, e] of expected.at) {
    assert.ok(floatsClose(data[k], decodeFloat(e), tol),
      `${label}: [${k}] ${data[k]}, expected ${String(e)}`);
  }
}

function checkSummaries(c: EdgeCase, out: Tensor, inputs: Tensor[]): void {
  const tol = caseTolerance(c as unknown as LossCase);
  if (c.resultSummary) assertSummary(out, c.resultSummary, `${c.name}: result`, tol);
  const up = c.upstream;
  if (up && isGenerated(up)) out.mul(generate(up)).sum().backward();
  else if (up) out.mul(leaf(up as LeafTensor)).sum().backward();
  else out.backward();
  const names = c.inputNames ?? ["input", "target"];
  for (const [name, expected] of Object.entries(c.gradSummaries ?? {})) {
    const grad = inputs[names.indexOf(name)].grad;
    assert.ok(grad, `${c.name}: ${name}.grad is missing`);
    assertSummary(grad, expected, `${c.name}: ${name}.grad`, tol);
  }
}

// ---- running -------------------------------------------------------------------------------

function runEdgeCase(c: EdgeCase): void {
  const inputs = c.inputs.map(decodeInput);
  const options = decodeOptions(c.options);
  // A summarised result keeps its dtype and shape; its values are checked by the summary.
  const asLoss = (c.resultSummary
    ? { ...c, result: { ...c.result!, data: [] } } : c) as unknown as LossCase;
  const long = c.gradSummaries !== undefined;
  runCaseWith(asLoss, () => callCase(c, inputs, options), (out) => long
    ? checkSummaries(c, out, inputs) : checkGradients(asLoss, out, inputs, options));
}

function runAll(): void {
  for (const c of CASES) test(c.name, () => runEdgeCase(c));
}

test("the fixture covers every category and all 21 losses", () => {
  assert.equal(FIXTURE.torch_version, "1.13.0a0");
  const losses = new Set(CASES.filter((c) => c.form === "module").map((c) => c.module));
  assert.equal(losses.size, 21, [...losses].join(", "));
  const categories = new Set(CASES.map((c) => c.category));
  for (const cat of ["empty", "ignored", "nonfinite", "extreme", "saturated", "zero_target",
    "variance", "poisson_zero", "overflow", "one_class", "long_rows"]) {
    assert.ok(categories.has(cat), cat);
  }
});

describe("on the JS kernels", () => {
  useBackend(1024, "js");
  runAll();
});

describe("on the WebAssembly kernels at every size, threaded for long rows", () => {
  let jobsBefore = 0;
  useBackend(0, "wasm");
  before(async () => {
    await warmPool(() => F.crossEntropy(new Tensor(allocStorage(float32, 1 << 19), [1, 1 << 19]),
      new Tensor(BigInt64Array.of(0n), [1])));
    jobsBefore = poolStatus().parallelJobs;
  });
  runAll();
  test("long rows were split across worker threads", () => {
    assert.ok(poolStatus().ready >= 1 && poolStatus().parallelJobs > jobsBefore,
      JSON.stringify(poolStatus()));
  });
});
