/**
 * The fused point-wise losses at a size above the WebAssembly and worker-thread thresholds
 * (600×513: SIMD kernels split across threads, with vector tails), float32 and float64, against
 * torch 1.13 (test/fixtures/losses-large.json, scripts/fixtures/gen_losses_large.py), on the
 * pure-JS loops and on the WebAssembly kernels. Inputs are regenerated from their hash specs;
 * the fixture holds the loss, the gradient's sum and absolute sum, and sampled elements.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as F from "../../src/functional.js";
import type { BackendName } from "../../src/kernels/backend.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { TOLERANCES, floatsClose } from "../helpers/compare.js";
import { type Encoded, decodeFloat, loadFixture } from "../helpers/fixtures.js";
import {
  assertGradSummary, casesOnPath, generateInput, type GradSummary, type InputSpec, onWorkerThreads,
} from "../helpers/large.js";

interface LargeCase {
  name: string;
  fn: keyof typeof LOSSES;
  dtype: "float32" | "float64";
  shape: number[];
  x: InputSpec;
  y: InputSpec;
  options: Record<string, string | InputSpec>;
  targetGrad: boolean;
  loss: Encoded;
  grads: { input: GradSummary; target?: GradSummary };
}

type Loss = (x: Tensor, y: Tensor, options: Record<string, unknown>) => Tensor;

const LOSSES = {
  mseLoss: F.mseLoss, l1Loss: F.l1Loss, binaryCrossEntropy: F.binaryCrossEntropy,
  binaryCrossEntropyWithLogits: F.binaryCrossEntropyWithLogits, huberLoss: F.huberLoss,
  smoothL1Loss: F.smoothL1Loss, softMarginLoss: F.softMarginLoss,
  multilabelSoftMarginLoss: F.multilabelSoftMarginLoss,
} as Record<string, Loss>;

const FIXTURE = loadFixture<{ torch_version: string; hash: string; cases: LargeCase[] }>(
  "losses-large.json");

function runCase(c: LargeCase): void {
  const x = generateInput(c.x, c.shape, c.dtype).requiresGrad_(true);
  const y = generateInput(c.y, c.shape, c.dtype).requiresGrad_(c.targetGrad);
  const options: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(c.options)) {
    options[key] = typeof v === "string" ? v : generateInput(v, c.shape, c.dtype);
  }
  const tol = TOLERANCES[c.dtype];
  const loss = LOSSES[c.fn](x, y, options);
  assert.equal(loss.dtype.name, c.dtype, "result dtype");
  const value = loss.item() as number;
  assert.ok(floatsClose(value, decodeFloat(c.loss), tol),
    `loss: got ${value}, expected ${String(c.loss)}`);
  loss.backward();
  assertGradSummary(x.grad!, c.grads.input, tol, "input grad");
  if (c.grads.target) assertGradSummary(y.grad!, c.grads.target, tol, "target grad");
}

function onPath(path: BackendName): void {
  casesOnPath(path, FIXTURE.cases, runCase);
}

test("the fixture comes from torch 1.13 and covers every fused point-wise loss", () => {
  assert.equal(FIXTURE.torch_version, "1.13.0a0");
  assert.deepEqual(new Set(FIXTURE.cases.map((c) => c.fn)), new Set(Object.keys(LOSSES)));
});

describe("at 600×513 on the JS kernels", () => onPath("js"));

onWorkerThreads("at 600×513 on the WebAssembly kernels (worker threads when available)",
  "the float32 and float64 kernels", () => onPath("wasm"), () => FIXTURE.cases.length);
