/**
 * The KL chain as users and the bench write it, `klDiv(logSoftmax(x, dim), softmax(t, dim))`
 * with a target that does not require grad, against torch 1.13 on every kernel path: the JS
 * loops, WebAssembly at the default size threshold and at threshold 0, and at 600×513 split
 * across the worker threads. Each case checks the loss (value, grad_fn, requires_grad), lp and
 * p read after backward, x.grad and the warnings torch gave. Covered: 'batchmean', 'sum' and
 * 'mean' (which warns), 2-D and 3-D over the last dim, a non-last dim, upstream gradients ≠ 1,
 * x without grad, a `noGrad` forward, the method and module forms, and lp with two consumers.
 * Fixtures: the "kl_chain" keys of test/fixtures/softmax-paths.json (every value) and
 * softmax-large.json (hash-spec inputs, summaries), written by
 * scripts/fixtures/gen_softmax_paths.py and gen_softmax_large.py (format in the former's doc).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { noGrad } from "../../src/autograd/grad-mode.js";
import { resetWarnings, setWarningHandler } from "../../src/errors.js";
import * as F from "../../src/functional.js";
import { getWasmMinElements } from "../../src/kernels/backend.js";
import { KLDivLoss } from "../../src/nn/index.js";
import { float32, float64 } from "../../src/tensor/dtype.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor } from "../../src/torch.js";
import { TOLERANCES, assertTensorMatches, floatsClose } from "../helpers/compare.js";
import { type Encoded, type EncodedTensor, decodeFloat, decodeTensor, loadFixture }
  from "../helpers/fixtures.js";
import {
  assertGradSummary, casesOnPath, generateInput, type GradSummary, type InputSpec, onWorkerThreads,
} from "../helpers/large.js";
import { useBackend } from "./backend-path.js";

type Reduction = "batchmean" | "sum" | "mean";

/** One case; `V` is how inputs and tensors are stored (a table key, or a spec / summary). */
interface ChainCase<I, V> {
  name: string;
  dtype: "float32" | "float64";
  shape: number[];
  dim: number;
  reduction: Reduction;
  form: "functional" | "method" | "module";
  xGrad: boolean;
  noGrad: boolean;
  extra: "logsoftmax_sum" | "second_kl" | null;
  upstream: { scale: number } | { gradient: number } | null;
  x: I;
  t: I;
  expected: {
    loss: { value: Encoded; gradFn: string | null; requiresGrad: boolean };
    logSoftmax: V;
    softmax: V;
    grad: V | null;
    warnings: string[];
  };
}

type SmallCase = ChainCase<string, string>;
type LargeCase = ChainCase<InputSpec, GradSummary>;

const SMALL = loadFixture<{ kl_chain: { tensors: Record<string, EncodedTensor>;
  cases: SmallCase[] } }>("softmax-paths.json").kl_chain;
const LARGE = loadFixture<{ kl_chain: LargeCase[] }>("softmax-large.json").kl_chain;

// ---- the chain, as the case's form writes it --------------------------------------------------

interface ChainRun {
  lp: Tensor;
  p: Tensor;
  loss: Tensor;
  warnings: string[];
}

function klOf(c: ChainCase<unknown, unknown>): (lp: Tensor, p: Tensor) => Tensor {
  if (c.form === "module") return new KLDivLoss({ reduction: c.reduction });
  return (lp, p) => F.klDiv(lp, p, { reduction: c.reduction });
}

function chainForward(c: ChainCase<unknown, unknown>, x: Tensor, t: Tensor) {
  const method = c.form === "method";
  const lp = method ? x.logSoftmax(c.dim) : F.logSoftmax(x, c.dim);
  const p = method ? t.softmax(c.dim) : F.softmax(t, c.dim);
  let loss = klOf(c)(lp, p);
  if (c.extra === "logsoftmax_sum") loss = loss.add(lp.sum().mul(0.1));
  if (c.extra === "second_kl") loss = loss.add(F.klDiv(lp, p, { reduction: "sum" }).mul(0.5));
  return { lp, p, loss };
}

function chainBackward(c: ChainCase<unknown, unknown>, loss: Tensor): void {
  const up = c.upstream;
  if (up === null) loss.backward();
  else if ("scale" in up) loss.mul(up.scale).backward();
  else loss.backward(tensor(up.gradient, { dtype: c.dtype === "float32" ? float32 : float64 }));
}

/** Runs the case on leaves x and t, collecting the warnings (each shown again per case). */
function runChain(c: ChainCase<unknown, unknown>, x: Tensor, t: Tensor): ChainRun {
  x.requiresGrad = c.xGrad;
  const warnings: string[] = [];
  resetWarnings();
  const previous = setWarningHandler((message) => warnings.push(message));
  try {
    const { lp, p, loss } = c.noGrad ? noGrad(() => chainForward(c, x, t)) : chainForward(c, x, t);
    if (loss.requiresGrad) chainBackward(c, loss);
    return { lp, p, loss, warnings };
  } finally {
    setWarningHandler(previous);
  }
}

function assertLoss(c: ChainCase<unknown, unknown>, run: ChainRun): void {
  const { value, gradFn, requiresGrad } = c.expected.loss;
  const got = run.loss.item() as number;
  assert.ok(floatsClose(got, decodeFloat(value), TOLERANCES[c.dtype]),
    `loss: got ${got}, expected ${String(value)}`);
  assert.equal(run.loss.dtype.name, c.dtype, "loss dtype");
  assert.equal(run.loss.gradFn?.name() ?? null, gradFn, "loss grad_fn");
  assert.equal(run.loss.requiresGrad, requiresGrad, "loss requires_grad");
  assert.deepEqual(run.warnings, c.expected.warnings, "warnings");
}

// ---- small cases: every value -----------------------------------------------------------------

function runSmall(c: SmallCase): void {
  const stored = (key: string) => SMALL.tensors[key];
  const x = decodeTensor(stored(c.x));
  const run = runChain(c, x, decodeTensor(stored(c.t)));
  assertLoss(c, run);
  assertTensorMatches(run.lp, stored(c.expected.logSoftmax), "logSoftmax output");
  assertTensorMatches(run.p, stored(c.expected.softmax), "softmax output");
  if (c.expected.grad === null) assert.equal(x.grad, null, "x.grad: expected None");
  else assertTensorMatches(x.grad!, stored(c.expected.grad), "x.grad");
}

function smallOnPath(path: "js" | "wasm", minElements: number): void {
  useBackend(minElements, path);
  for (const c of SMALL.cases) test(c.name, () => runSmall(c));
}

describe("KL chain on the JS loops", () => smallOnPath("js", getWasmMinElements()));
describe("KL chain on WebAssembly (default threshold)",
  () => smallOnPath("wasm", getWasmMinElements()));
describe("KL chain on WebAssembly at every size", () => smallOnPath("wasm", 0));

// ---- 600×513 (worker threads): summaries ------------------------------------------------------

function runLarge(c: LargeCase): void {
  const x = generateInput(c.x, c.shape, c.dtype);
  const run = runChain(c, x, generateInput(c.t, c.shape, c.dtype));
  const tol = TOLERANCES[c.dtype];
  assertLoss(c, run);
  assertGradSummary(run.lp, c.expected.logSoftmax, tol, "logSoftmax output");
  assertGradSummary(run.p, c.expected.softmax, tol, "softmax output");
  if (c.expected.grad === null) assert.equal(x.grad, null, "x.grad: expected None");
  else assertGradSummary(x.grad!, c.expected.grad, tol, "x.grad");
}

describe("KL chain at 600×513 on the JS loops", () => casesOnPath("js", LARGE, runLarge));

onWorkerThreads("KL chain at 600×513 on WebAssembly (worker threads when available)",
  "the row kernels", () => casesOnPath("wasm", LARGE, runLarge));
