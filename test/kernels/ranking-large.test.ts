/**
 * HingeEmbeddingLoss and MarginRankingLoss at 600×513 (above the WebAssembly and worker-thread
 * thresholds, with vector tails), float32 and float64, against torch 1.13
 * (test/fixtures/losses-ranking-large.json, scripts/fixtures/gen_ranking_large.py), on the
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

interface RankingCase {
  name: string;
  fn: "hingeEmbeddingLoss" | "marginRankingLoss";
  dtype: "float32" | "float64";
  shape: number[];
  x: InputSpec;
  y: InputSpec;
  x2?: InputSpec;
  options: { reduction: "mean" | "sum"; margin: number };
  targetGrad: boolean;
  x2Grad?: boolean;
  loss: Encoded;
  gradFn: string;
  grads: { input: GradSummary; target?: GradSummary; input2?: GradSummary };
}

const FIXTURE = loadFixture<{ torch_version: string; cases: RankingCase[] }>(
  "losses-ranking-large.json");

/**
 * The target: a "unit" spec u becomes round(4u − 1.5) ∈ {−1, 0, 1, 2} (hinge) or 2u − 1
 * (ranking), each operation rounded to the dtype as the generator's torch ops (no ties occur).
 */
function target(c: RankingCase): Tensor {
  const y = generateInput(c.y, c.shape, c.dtype);
  if (c.y.kind !== "unit") return y;
  const r = c.dtype === "float32" ? Math.fround : (v: number) => v;
  const data = y.data as Float32Array;
  const hinge = c.fn === "hingeEmbeddingLoss";
  data.forEach((u, i) => { data[i] = hinge ? Math.round(r(r(u * 4) - 1.5)) : r(r(u * 2) - 1); });
  return y;
}

function runCase(c: RankingCase): void {
  const x = generateInput(c.x, c.shape, c.dtype).requiresGrad_(true);
  const y = target(c).requiresGrad_(c.targetGrad);
  const x2 = c.x2 ? generateInput(c.x2, c.shape, c.dtype).requiresGrad_(c.x2Grad ?? false) : null;
  const loss = x2 ? F.marginRankingLoss(x, x2, y, c.options) : F.hingeEmbeddingLoss(x, y, c.options);
  assertLargeLoss(loss, c, [["input grad", x, c.grads.input], ["target grad", y, c.grads.target],
    ["input2 grad", x2, c.grads.input2]]);
}

test("the fixture comes from torch 1.13 and covers both losses", () => {
  assert.equal(FIXTURE.torch_version, "1.13.0a0");
  assert.deepEqual(new Set(FIXTURE.cases.map((c) => c.fn)),
    new Set(["hingeEmbeddingLoss", "marginRankingLoss"]));
});

describe("at 600×513 on the JS kernels", () => casesOnPath("js", FIXTURE.cases, runCase));

onWorkerThreads("at 600×513 on the WebAssembly kernels (worker threads when available)",
  "the float32 kernels", () => casesOnPath("wasm", FIXTURE.cases, runCase),
  () => FIXTURE.cases.filter((c) => c.dtype === "float32").length);
