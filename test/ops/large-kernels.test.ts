/**
 * The fast op kernels (unary maps, clamps, fused backward products, sums, row reductions, norms,
 * distances) at 1024×520, above the WebAssembly and worker-thread thresholds and with vector
 * tails, float32 and float64, on the pure-JS loops and on the WebAssembly kernels, against torch
 * 1.13 (test/fixtures/ops-large.json, scripts/fixtures/gen_ops_large.py). Inputs are rebuilt
 * from their specs by the benchmark's generator; the fixture holds Σ|v| and sampled elements of
 * the result and of each input's gradient of Σ out·w.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as torch from "../../src/torch.js";
import type { BackendName } from "../../src/kernels/backend.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { TOLERANCES, type Tolerance, floatsClose } from "../helpers/compare.js";
import { type Encoded, decodeFloat, loadFixture } from "../helpers/fixtures.js";
import { type Expr, runProgram } from "../helpers/program.js";
import { casesOnPath, onWorkerThreads } from "../helpers/large.js";

interface Spec {
  name: string;
  shape: number[];
  dtype: "float32" | "float64";
  grad: boolean;
  gen: Record<string, unknown>;
  seed: number;
}

interface Summary {
  dtype: string;
  shape: number[];
  abs_sum: number;
  indices: number[];
  values: Encoded[];
}

interface LargeOpCase {
  name: string;
  inputs: Spec[];
  program: Expr[];
  result: Summary;
  grad_fn: string | null;
  weight?: Spec;
  grads?: (Summary | null)[];
}

const FIXTURE = loadFixture<{ torch_version: string; cases: LargeOpCase[] }>("ops-large.json");

// The benchmark's generator (bench/gen.mjs, bit-identical to bench/torch_bench.py's).
const GEN = "../../bench/gen.mjs";
const { generate } = (await import(GEN)) as { generate: (s: Spec) => Float32Array };

function build(spec: Spec): Tensor {
  const t = torch.tensor(generate(spec), { dtype: torch[spec.dtype] }).reshape(spec.shape);
  return spec.grad ? t.requiresGrad_(true) : t;
}

/**
 * Sampled elements within the dtype's tolerance; Σ|v| within n·atol + rtol·Σ|e|, the bound that
 * elements each within atol + rtol·|e| give.
 */
function assertSummary(actual: Tensor, expected: Summary, tol: Tolerance, label: string): void {
  assert.equal(actual.dtype.name, expected.dtype, `${label}: dtype`);
  assert.deepEqual([...actual.shape], expected.shape, `${label}: shape`);
  const data = actual.data as Float32Array | Float64Array;
  expected.indices.forEach((i, k) => {
    const e = decodeFloat(expected.values[k]);
    assert.ok(floatsClose(data[i], e, tol), `${label}[${i}]: got ${data[i]}, expected ${e}`);
  });
  let absSum = 0;
  for (let i = 0; i < data.length; i++) absSum += Math.abs(data[i]);
  const bound = data.length * tol.atol + tol.rtol * expected.abs_sum;
  assert.ok(Math.abs(absSum - expected.abs_sum) <= bound,
    `${label} Σ|v|: got ${absSum}, expected ${expected.abs_sum}`);
}

function runCase(c: LargeOpCase): void {
  const inputs = c.inputs.map(build);
  const tol = TOLERANCES[c.result.dtype as "float32" | "float64"];
  const out = runProgram(c.program, inputs) as Tensor;
  assert.equal(out.gradFn?.name() ?? null, c.grad_fn, "grad_fn");
  assertSummary(out, c.result, tol, "result");
  if (!c.weight || !c.grads) return;
  out.mul(build(c.weight)).sum().backward();
  c.grads.forEach((g, i) => {
    if (g) assertSummary(inputs[i].grad!, g, TOLERANCES[inputs[i].dtype.name as "float32"],
      `grad ${c.inputs[i].name}`);
    else assert.equal(inputs[i].grad, null, `grad ${c.inputs[i].name}`);
  });
}

function onPath(path: BackendName): void {
  casesOnPath(path, FIXTURE.cases, runCase);
}

test("the fixture comes from torch 1.13", () => {
  assert.equal(FIXTURE.torch_version, "1.13.0a0");
  assert.ok(FIXTURE.cases.length > 40);
});

describe("large ops on the JS kernels", () => onPath("js"));

onWorkerThreads("large ops on the WebAssembly kernels (worker threads when available)",
  "the float32 kernels", () => onPath("wasm"));
