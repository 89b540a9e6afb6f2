/**
 * Stress: long training-style loops keep a flat JS heap and a flat WebAssembly memory; an
 * error thrown in the middle of building a graph leaves later calls correct (and the recycled
 * gradient buffers intact); repeated backward, retainGraph, accumulation across losses and
 * `x.grad = null` behave as in torch 1.13 (test/fixtures/reliability-stress.json, written by
 * scripts/fixtures/gen_reliability_stress.py).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import v8 from "node:v8";
import vm from "node:vm";

import { RuntimeError, resetWarnings, setWarningHandler } from "../../src/errors.js";
import * as F from "../../src/functional.js";
import { clearBufferPool, wasmMemoryStats } from "../../src/kernels/backend.js";
import * as torch from "../../src/torch.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { assertTensorMatches } from "../helpers/compare.js";
import { type EncodedTensor, loadFixture } from "../helpers/fixtures.js";

interface TorchError {
  type: string;
  message: string;
}

interface StressCase {
  error?: TorchError;
  warnings?: string[];
  grad?: EncodedTensor;
  grads?: EncodedTensor[];
  loss?: EncodedTensor;
  first?: EncodedTensor;
  second?: EncodedTensor;
}

const fixture = loadFixture<{ torch_version: string; cases: Record<string, StressCase> }>(
  "reliability-stress.json");
const cases = fixture.cases;

/** The generator's inputs, drawn again from PyTorch's CPU generator with the same seed. */
function small() {
  torch.manualSeed(0);
  const x = torch.randn(3, 5, { requiresGrad: true });
  const t = torch.empty(3, { dtype: torch.long }).random_(5);
  const y = torch.randn(3, 5);
  return { x, t, y };
}

function pooled() {
  torch.manualSeed(1);
  const x = torch.randn(64, 64, { requiresGrad: true });
  const t = torch.randint(0, 64, [64]);
  const y = torch.randn(64, 64);
  return { x, t, y };
}

function triplet(): Tensor[] {
  torch.manualSeed(2);
  return [0, 1, 2].map(() => torch.randn(4, 3, { requiresGrad: true }));
}

/** Asserts `fn` throws torch's error (class name and text); returns the warnings emitted first. */
function assertTorchError(fn: () => unknown, expected: TorchError): string[] {
  const seen: string[] = [];
  resetWarnings();
  const previous = setWarningHandler((m) => seen.push(m));
  try {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof RuntimeError, `not a RuntimeError: ${String(e)}`);
      assert.equal(e.name, expected.type);
      assert.equal(e.message, expected.message);
      return true;
    });
  } finally {
    setWarningHandler(previous);
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------
// (a) long loops
// ---------------------------------------------------------------------------------------------

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Heap in use after full collections, with finalizers given a turn to run. */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** Runs `step` (forward + backward, then x.grad = null) `n` times; returns the heap growth. */
async function heapGrowth(step: () => void, warmup: number, n: number) {
  for (let i = 0; i < warmup; i++) step();
  const before = await settledHeap();
  for (let i = 0; i < n; i++) step();
  const after = await settledHeap();
  return { before, after };
}

const MB = 1024 * 1024;
/** Measured growth over 10,000 iterations: −0.1 … +0.16 MB (collector noise); 1 MB is 100 B per iteration. */
const HEAP_BOUND = 1 * MB;
const report: string[] = [];

describe("stress: 10,000 forward+backward iterations keep the heap flat", () => {
  it("CrossEntropy 3×5 float32", async () => {
    const { x, t } = small();
    const step = () => {
      F.crossEntropy(x, t).backward();
      x.grad = null;
    };
    const { before, after } = await heapGrowth(step, 1000, 10_000);
    report.push(`CE 3×5: heap ${(before / MB).toFixed(2)} → ${(after / MB).toFixed(2)} MB`);
    assert.ok(after - before < HEAP_BOUND, `heap grew ${after - before} bytes`);
  });

  it("MSE 64 float64", async () => {
    const x = torch.randn([64], { dtype: torch.float64, requiresGrad: true });
    const y = torch.randn([64], { dtype: torch.float64 });
    const step = () => {
      F.mseLoss(x, y).backward();
      x.grad = null;
    };
    const { before, after } = await heapGrowth(step, 1000, 10_000);
    report.push(`MSE 64: heap ${(before / MB).toFixed(2)} → ${(after / MB).toFixed(2)} MB`);
    assert.ok(after - before < HEAP_BOUND, `heap grew ${after - before} bytes`);
  });

  it("CE 64×1024 and MSE 65536 float32 in WebAssembly memory, new inputs each iteration", async () => {
    const t = torch.randint(0, 1024, [64]);
    const y = torch.randn([1 << 16]);
    // As a model would: new float32 inputs, large enough for the shared WebAssembly memory.
    const step = () => {
      const x = torch.zeros([64, 1024], { requiresGrad: true });
      const z = torch.zeros([1 << 16], { requiresGrad: true });
      F.crossEntropy(x, t).backward();
      F.mseLoss(z, y).backward();
    };
    assert.ok(wasmMemoryStats(), "the WebAssembly kernels are loaded");
    // Storage returns to the WebAssembly heap when its tensor is collected: between rounds.
    const rounds = async (n: number) => {
      for (let round = 0; round < n; round++) {
        for (let i = 0; i < 12; i++) step();
        await settledHeap();
      }
    };
    // The gradient pool (kernels/buffers.ts) keeps up to 4 free buffers, filled as the GC
    // happens to run: a bounded cache, emptied before each reading.
    const stats = async () => {
      clearBufferPool();
      await settledHeap();
      return wasmMemoryStats()!;
    };
    await rounds(3);
    const before = await stats();
    const heapBefore = await settledHeap();
    await rounds(6);
    const after = await stats();
    const heapAfter = await settledHeap();
    report.push(`wasm 64×1024 + 65536, 6 × 12 iterations: memory ${before.memoryBytes / MB} → ` +
      `${after.memoryBytes / MB} MB, live ${(before.liveBytes / MB).toFixed(2)} → ` +
      `${(after.liveBytes / MB).toFixed(2)} MB; heap ${(heapBefore / MB).toFixed(2)} → ${(heapAfter / MB).toFixed(2)} MB`);
    assert.equal(after.memoryBytes, before.memoryBytes, "WebAssembly memory grew");
    assert.ok(after.liveBytes <= before.liveBytes, `live wasm bytes grew ${after.liveBytes - before.liveBytes}`);
    assert.ok(heapAfter - heapBefore < HEAP_BOUND, `heap grew ${heapAfter - heapBefore} bytes`);
  });

  it("reports", () => console.log(`# ${report.join("\n# ")}`));
});

// ---------------------------------------------------------------------------------------------
// (b) an error in the middle of a graph
// ---------------------------------------------------------------------------------------------

describe("stress: an error thrown mid-graph leaves later calls correct", () => {
  for (const [name, make] of [["errorMidGraphSmall", small], ["errorMidGraphPooled", pooled]] as const) {
    it(`${name}: CE + L1 with a bad target throws, then CE + MSE is torch's`, () => {
      const c = cases[name];
      const { x, t, y } = make();
      const bad = torch.zeros(x.shape[0], x.shape[1] - 1);
      const warnings = assertTorchError(() => F.crossEntropy(x, t).add(F.l1Loss(x, bad)), c.error!);
      assert.deepEqual(warnings, c.warnings);
      const loss = F.crossEntropy(x, t).add(F.mseLoss(x, y));
      loss.backward();
      assertTensorMatches(loss.detach(), c.loss!, "loss");
      assertTensorMatches(x.grad!, c.grad!, "grad");
    });
  }

  it("a gradient handed out earlier is never overwritten by later calls", () => {
    const { x, t, y } = pooled();
    // A gradient of another leaf of the same size: later fused calls lease buffers of its size.
    const other = torch.randn(64, 64, { requiresGrad: true });
    F.crossEntropy(other, t).backward();
    const kept = other.grad!;
    const copy = Array.from(kept.data as Float32Array);
    for (let i = 0; i < 10; i++) {
      x.grad = null;
      assert.throws(() => F.crossEntropy(x, t).add(F.l1Loss(x, torch.zeros(64, 63))));
      F.crossEntropy(x, t).add(F.mseLoss(x, y)).backward();
    }
    assert.deepEqual(Array.from(kept.data as Float32Array), copy);
    assertTensorMatches(x.grad!, cases.errorMidGraphPooled.grad!, "grad after the loop");
  });

  it("a throwing distanceFunction propagates its error; the next call is torch's", () => {
    const c = cases.throwingDistance;
    const [a, p, n] = triplet();
    const failure = new Error("distance failed");
    assert.throws(() => F.tripletMarginWithDistanceLoss(a, p, n, {
      distanceFunction: (x1: Tensor, x2: Tensor) => {
        x1.sub(x2).abs();
        throw failure;
      },
    }), (e: unknown) => e === failure);
    const loss = F.tripletMarginWithDistanceLoss(a, p, n);
    loss.backward();
    assertTensorMatches(loss.detach(), c.loss!, "loss");
    [a, p, n].forEach((v, i) => assertTensorMatches(v.grad!, c.grads![i], `grad ${i}`));
  });

  it("a backward rejected for its gradient's shape leaves the graph usable", () => {
    const { x, y } = small();
    const none = F.mseLoss(x, y, { reduction: "none" });
    assertTorchError(() => none.backward(torch.ones(2)), cases.gradientShapeMismatch.error!);
    assert.equal(x.grad, null);
    const { x: x2, t } = small();
    F.crossEntropy(x2, t).backward();
    F.mseLoss(x2, y).backward();
    assertTensorMatches(x2.grad!, cases.twoLosses.grad!, "grad");
  });
});

// ---------------------------------------------------------------------------------------------
// (c) repeated backward and accumulation
// ---------------------------------------------------------------------------------------------

describe("stress: repeated backward and gradient accumulation as in torch", () => {
  const losses: [string, (x: Tensor, t: Tensor, y: Tensor) => Tensor][] = [
    ["secondBackwardCE", (x, t) => F.crossEntropy(x, t)],
    ["secondBackwardMSE", (x, _, y) => F.mseLoss(x, y)],
    ["secondBackwardL1", (x, _, y) => F.l1Loss(x, y)],
  ];
  for (const [name, lossOf] of losses) {
    it(`${name}: a second backward without retainGraph throws torch's text`, () => {
      const { x, t, y } = small();
      const loss = lossOf(x, t, y);
      loss.backward();
      assertTorchError(() => loss.backward(), cases[name].error!);
      assertTensorMatches(x.grad!, cases[name].grad!, "grad after the first backward");
    });
  }

  it("retainGraph: true lets backward run twice, accumulating", () => {
    const { x, t } = small();
    const loss = F.crossEntropy(x, t);
    loss.backward({ retainGraph: true });
    assertTensorMatches(x.grad!, cases.retainGraph.first!, "first");
    loss.backward();
    assertTensorMatches(x.grad!, cases.retainGraph.second!, "second");
  });

  it("two losses accumulate into the same leaf", () => {
    const { x, t, y } = small();
    F.crossEntropy(x, t).backward();
    F.mseLoss(x, y).backward();
    assertTensorMatches(x.grad!, cases.twoLosses.grad!, "grad");
  });

  it("backward on a non-scalar without a gradient throws torch's text", () => {
    const { x, y } = small();
    assertTorchError(() => F.mseLoss(x, y, { reduction: "none" }).backward(), cases.nonScalar.error!);
  });

  it("x.grad = null starts accumulation afresh", () => {
    const { x, t, y } = small();
    F.crossEntropy(x, t).backward();
    x.grad = null;
    F.mseLoss(x, y).backward();
    assertTensorMatches(x.grad!, cases.gradReset.grad!, "grad");
  });
});
