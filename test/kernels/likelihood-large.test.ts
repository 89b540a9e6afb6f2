/**
 * PoissonNLLLoss and GaussianNLLLoss at 600×513 (above the WebAssembly and worker-thread
 * thresholds, with vector tails), float32 and float64, against torch 1.13
 * (test/fixtures/losses-likelihood-large.json, scripts/fixtures/gen_likelihood_large.py), on the
 * pure-JS loops and on the WebAssembly kernels: the loss, its grad_fn name, and the gradients'
 * sums, absolute sums and sampled elements.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as F from "../../src/functional.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { type Encoded, loadFixture } from "../helpers/fixtures.js";
import {
  assertLargeLoss, casesOnPath, generateInput, type GradSummary, type InputSpec, onWorkerThreads,
} from "../helpers/large.js";

interface LikelihoodCase {
  name: string;
  fn: "poissonNllLoss" | "gaussianNllLoss";
  dtype: "float32" | "float64";
  shape: number[];
  x: InputSpec;
  y: InputSpec;
  v?: InputSpec;
  options: Record<string, string | boolean>;
  targetGrad: boolean;
  varGrad?: boolean;
  loss: Encoded;
  gradFn: string;
  grads: { input: GradSummary; target?: GradSummary; var?: GradSummary };
}

const FIXTURE = loadFixture<{ torch_version: string; cases: LikelihoodCase[] }>(
  "losses-likelihood-large.json");

function runCase(c: LikelihoodCase): void {
  const x = generateInput(c.x, c.shape, c.dtype).requiresGrad_(true);
  const y = generateInput(c.y, c.shape, c.dtype).requiresGrad_(c.targetGrad);
  const v = c.v ? generateInput(c.v, c.shape, c.dtype).requiresGrad_(c.varGrad ?? false) : null;
  const loss: Tensor = v ? F.gaussianNllLoss(x, y, v, c.options) : F.poissonNllLoss(x, y, c.options);
  assertLargeLoss(loss, c, [["input grad", x, c.grads.input], ["target grad", y, c.grads.target],
    ["var grad", v, c.grads.var]]);
}

test("the fixture comes from torch 1.13 and covers both losses", () => {
  assert.equal(FIXTURE.torch_version, "1.13.0a0");
  assert.deepEqual(new Set(FIXTURE.cases.map((c) => c.fn)),
    new Set(["poissonNllLoss", "gaussianNllLoss"]));
});

describe("at 600×513 on the JS kernels", () => casesOnPath("js", FIXTURE.cases, runCase));

onWorkerThreads("at 600×513 on the WebAssembly kernels (worker threads when available)",
  "the float32 kernels", () => casesOnPath("wasm", FIXTURE.cases, runCase),
  () => FIXTURE.cases.filter((c) => c.dtype === "float32").length);
