/**
 * CosineEmbeddingLoss, TripletMarginLoss and TripletMarginWithDistanceLoss (default distance)
 * at 600 rows of 513 (above the WebAssembly and worker-thread thresholds, rows with vector
 * tails), float32 and float64, against torch 1.13 (test/fixtures/losses-embedding-large.json,
 * scripts/fixtures/gen_embedding_large.py), on the pure-JS loops and on the WebAssembly
 * kernels: the loss, its grad_fn name, and every required gradient's sums, absolute sums and
 * sampled elements.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as F from "../../src/functional.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { type Encoded, loadFixture } from "../helpers/fixtures.js";
import {
  assertLargeLoss, casesOnPath, generateInput, type GradSummary, type InputSpec, onWorkerThreads,
} from "../helpers/large.js";

interface EmbeddingCase {
  name: string;
  fn: "cosineEmbeddingLoss" | "tripletMarginLoss" | "tripletMarginWithDistanceLoss";
  dtype: "float32" | "float64";
  shape: number[];
  inputs: [InputSpec, InputSpec, InputSpec];
  grads: [boolean, boolean, boolean];
  options: Record<string, string | boolean | number>;
  loss: Encoded;
  gradFn: string;
  gradSummaries: Record<string, GradSummary>;
}

const FIXTURE = loadFixture<{ torch_version: string; cases: EmbeddingCase[] }>(
  "losses-embedding-large.json");

function call(c: EmbeddingCase, a: Tensor, b: Tensor, t: Tensor): Tensor {
  if (c.fn === "cosineEmbeddingLoss") return F.cosineEmbeddingLoss(a, b, t, c.options);
  if (c.fn === "tripletMarginLoss") return F.tripletMarginLoss(a, b, t, c.options);
  return F.tripletMarginWithDistanceLoss(a, b, t, c.options);
}

function runCase(c: EmbeddingCase): void {
  const shapes = [c.shape, c.shape, c.fn === "cosineEmbeddingLoss" ? c.shape.slice(0, 1)
    : c.shape];
  const [a, b, t] = c.inputs.map((spec, k) =>
    generateInput(spec, shapes[k], c.dtype).requiresGrad_(c.grads[k]));
  const loss = call(c, a, b, t);
  assertLargeLoss(loss, c, [a, b, t].map((operand, k) =>
    [`grad of operand ${k}`, operand, c.gradSummaries[String(k)]] as const));
}

test("the fixture comes from torch 1.13 and covers the three losses", () => {
  assert.equal(FIXTURE.torch_version, "1.13.0a0");
  assert.deepEqual(new Set(FIXTURE.cases.map((c) => c.fn)), new Set(["cosineEmbeddingLoss",
    "tripletMarginLoss", "tripletMarginWithDistanceLoss"]));
});

describe("at 600×513 on the JS kernels", () => casesOnPath("js", FIXTURE.cases, runCase));

onWorkerThreads("at 600×513 on the WebAssembly kernels (worker threads when available)",
  "the float32 kernels", () => casesOnPath("wasm", FIXTURE.cases, runCase),
  () => FIXTURE.cases.filter((c) => c.dtype === "float32").length);
