/**
 * softmax / logSoftmax and the KL chain the bench times (klDiv(logSoftmax(x), softmax(y))) on
 * every kernel path, against torch 1.13: the pure-JS loops, the WebAssembly row kernels at the
 * default size threshold and at threshold 0 (float32 f32x4 and float64 f64x2, operands staged
 * or in the shared memory), and at 600×513 split across the worker threads.
 * Fixtures: test/fixtures/softmax-paths.json (scripts/fixtures/gen_softmax_paths.py, gen_ops.py's
 * format), the "softmax" group of ops.json, and softmax-large.json (gen_softmax_large.py).
 * The chain as users write it (target without grad, every reduction, upstream gradients, lp
 * with two consumers) is in kl-chain.test.ts, from the "kl_chain" keys of the same fixtures.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as F from "../../src/functional.js";
import { getWasmMinElements } from "../../src/kernels/backend.js";
import { TOLERANCES, floatsClose } from "../helpers/compare.js";
import { type Encoded, decodeFloat, loadFixture } from "../helpers/fixtures.js";
import {
  assertGradSummary, casesOnPath, generateInput, type GradSummary, onWorkerThreads,
} from "../helpers/large.js";
import { type OpsFixture, opCases, runOpCase } from "../helpers/op-cases.js";
import { useBackend } from "./backend-path.js";

const PATHS = loadFixture<OpsFixture>("softmax-paths.json").cases;

function opsOnPath(path: "js" | "wasm", minElements: number): void {
  useBackend(minElements, path);
  for (const c of [...PATHS, ...opCases("softmax")]) test(c.name, () => runOpCase(c));
}

describe("softmax fixtures on the JS loops", () => opsOnPath("js", getWasmMinElements()));
describe("softmax fixtures on WebAssembly (default threshold)",
  () => opsOnPath("wasm", getWasmMinElements()));
describe("softmax fixtures on WebAssembly at every size", () => opsOnPath("wasm", 0));

// ---- 600×513 (worker threads) -----------------------------------------------------------------

interface LargeCase {
  name: string;
  dtype: "float32" | "float64";
  shape: number[];
  dim: number;
  reduction: "batchmean" | "sum";
  x: { kind: "normal"; seed: number };
  y: { kind: "normal"; seed: number };
  loss: Encoded;
  grads: { input: GradSummary; target: GradSummary };
}

const LARGE = loadFixture<{ torch_version: string; cases: LargeCase[] }>("softmax-large.json");

function runLarge(c: LargeCase): void {
  const input = (seed: number) => generateInput({ kind: "normal", seed }, c.shape, c.dtype);
  const x = input(c.x.seed).requiresGrad_(true);
  const y = input(c.y.seed).requiresGrad_(true);
  const loss = F.klDiv(F.logSoftmax(x, c.dim), F.softmax(y, c.dim), { reduction: c.reduction });
  const tol = TOLERANCES[c.dtype];
  assert.ok(floatsClose(loss.item() as number, decodeFloat(c.loss), tol),
    `loss: got ${String(loss.item())}, expected ${String(c.loss)}`);
  loss.backward();
  assertGradSummary(x.grad!, c.grads.input, tol, "input grad");
  assertGradSummary(y.grad!, c.grads.target, tol, "target grad");
}

describe("KL chain at 600×513 on the JS loops", () => casesOnPath("js", LARGE.cases, runLarge));

onWorkerThreads("KL chain at 600×513 on WebAssembly (worker threads when available)",
  "the row kernels", () => casesOnPath("wasm", LARGE.cases, runLarge));
