/**
 * Issue #6: "never an internal error". Every loss, in functional and module form, and the tensor
 * entry points are called with a matrix of bad values in every argument position and every
 * option key (undefined, null, NaN, strings, numbers, booleans, plain and nested arrays, typed
 * arrays, plain objects, functions, and tensors of another dtype, of a wrong shape, 0-dim or
 * empty). Each call must either throw one of our TorchError classes with a message, or return
 * a tensor where torch 1.13 also accepts the call (the `fuzz` map of
 * test/fixtures/reliability-errors.json, from scripts/fixtures/gen_reliability_errors.py). No
 * input tensor may be changed, and a valid call afterwards must still give the same value.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { TorchError } from "../../src/errors.js";
import * as F from "../../src/functional.js";
import * as nn from "../../src/nn/index.js";
import * as torch from "../../src/torch.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { loadFixture } from "../helpers/fixtures.js";
import { type LeafTensor, captureWarnings, leaf } from "../losses/helpers.js";

interface Fixture {
  valid: Record<string, { module: string; inputs: LeafTensor[]; inputNames: string[] }>;
  fuzz: Record<string, string>;
}

const fixture = loadFixture<Fixture>("reliability-errors.json");

/** The option keys of each loss (its functional form's keyword arguments). */
const LEGACY = ["reduction", "sizeAverage", "reduce"];
const OPTION_KEYS: Record<string, string[]> = {
  l1Loss: LEGACY, mseLoss: LEGACY, huberLoss: ["reduction", "delta"],
  smoothL1Loss: [...LEGACY, "beta"],
  crossEntropy: [...LEGACY, "weight", "ignoreIndex", "labelSmoothing"],
  nllLoss: [...LEGACY, "weight", "ignoreIndex"], klDiv: [...LEGACY, "logTarget"],
  binaryCrossEntropy: [...LEGACY, "weight"],
  binaryCrossEntropyWithLogits: [...LEGACY, "weight", "posWeight"], softMarginLoss: LEGACY,
  multilabelSoftMarginLoss: [...LEGACY, "weight"], multilabelMarginLoss: LEGACY,
  multiMarginLoss: [...LEGACY, "p", "margin", "weight"],
  hingeEmbeddingLoss: [...LEGACY, "margin"], cosineEmbeddingLoss: [...LEGACY, "margin"],
  marginRankingLoss: [...LEGACY, "margin"],
  tripletMarginLoss: [...LEGACY, "margin", "p", "eps", "swap"],
  tripletMarginWithDistanceLoss: ["distanceFunction", "margin", "swap", "reduction"],
  poissonNllLoss: [...LEGACY, "logInput", "full", "eps"],
  gaussianNllLoss: ["full", "eps", "reduction"], ctcLoss: ["blank", "reduction", "zeroInfinity"],
};

/** GaussianNLLLoss takes a number variance (part of our API; torch 1.13 needs a tensor). */
const NUMBER_VARIANCE = /^gaussianNllLoss\/var\/(NaN|int|float)$/;

const base = (v: unknown): Tensor => (v instanceof Tensor ? v : torch.ones(3));

/** The bad values, by the names the fixture's `fuzz` map uses. */
const BAD: Record<string, (valid: unknown) => unknown> = {
  undefined: () => undefined, null: () => null, NaN: () => NaN, string: () => "s",
  int: () => 3, float: () => 1.5, true: () => true, array: () => [1, 2],
  nested: () => [[1], [2, 3]], typedArray: () => new Float32Array(2), object: () => ({ a: 1 }),
  function: () => () => torch.tensor(1.0),
  asInt64: (v) => base(v).long(), asBool: (v) => base(v).ne(0),
  asFloat64: (v) => base(v).double(), asFloat32: (v) => base(v).float(),
  vector5: () => torch.full([5], 0.5), scalar: () => torch.tensor(0.5),
  empty: () => torch.zeros(0),
};

type AnyFn = (...args: unknown[]) => unknown;
type AnyModule = new (options?: unknown) => AnyFn;

const snapshot = (ts: Tensor[]) => ts.map((t) => Array.from(t.data as ArrayLike<unknown>));

interface Tally {
  calls: number;
  threw: number;
  accepted: number;
  problems: string[];
  /** The calls that returned (entry points; their torch outcomes are listed in the report). */
  returned?: string[];
}

/** Runs one call: a TorchError with a message, or a tensor torch also accepts; no mutation. */
function probe(tally: Tally, label: string, torchOutcome: string | undefined,
  tensors: Tensor[], call: () => unknown): void {
  const before = snapshot(tensors);
  tally.calls++;
  const { value: outcome } = captureWarnings(() => {
    try {
      return { out: call() };
    } catch (error) {
      return { error };
    }
  });
  if ("error" in outcome) {
    tally.threw++;
    const e = outcome.error;
    if (!(e instanceof TorchError) || e.message === "") {
      tally.problems.push(`${label}: internal error ${String(e)}`);
    }
  } else {
    tally.accepted++;
    tally.returned?.push(label);
    if (torchOutcome !== undefined && !(outcome.out instanceof Tensor)) {
      tally.problems.push(`${label}: returned a non-tensor`);
    }
    if (torchOutcome !== undefined && torchOutcome !== "accepted") {
      tally.problems.push(`${label}: accepted, but torch raises ${torchOutcome}`);
    }
  }
  assert.deepEqual(snapshot(tensors), before, `${label}: an input tensor was changed`);
}

function fuzzLoss(fn: string, tally: Tally): void {
  const valid = fixture.valid[fn];
  const functional = (F as unknown as Record<string, AnyFn>)[fn];
  const Module = (nn as unknown as Record<string, AnyModule>)[valid.module];
  const validCall = () => functional(...valid.inputs.map(leaf), {});
  const expected = String(validCall());
  const slots: [string, number | null][] = [
    ...valid.inputNames.map((n, i): [string, number] => [n, i]),
    ...OPTION_KEYS[fn].map((k): [string, null] => [k, null]),
  ];
  for (const [name, index] of slots) {
    for (const [badName, make] of Object.entries(BAD)) {
      const inputs: unknown[] = valid.inputs.map(leaf);
      const options: Record<string, unknown> = {};
      const bad = make(index === null ? undefined : inputs[index]);
      if (index === null) options[name] = bad;
      else inputs[index] = bad;
      const tensors = [...inputs, bad].filter((t): t is Tensor => t instanceof Tensor);
      const cell = `${fn}/${name}/${badName}`;
      assert.ok(cell in fixture.fuzz, `no torch outcome for ${cell}`);
      const torchOutcome = NUMBER_VARIANCE.test(cell) ? "accepted" : fixture.fuzz[cell];
      probe(tally, cell, torchOutcome, tensors, () => functional(...inputs, options));
      probe(tally, `${cell} (module)`, torchOutcome, tensors,
        () => new Module(options)(...inputs));
    }
  }
  assert.equal(String(validCall()), expected, `${fn}: a valid call after the bad ones`);
}

describe("never an internal error: the 21 losses", () => {
  const total: Tally = { calls: 0, threw: 0, accepted: 0, problems: [] };
  for (const fn of Object.keys(OPTION_KEYS)) {
    test(fn, () => {
      const tally: Tally = { calls: 0, threw: 0, accepted: 0, problems: [] };
      fuzzLoss(fn, tally);
      total.calls += tally.calls;
      total.threw += tally.threw;
      total.accepted += tally.accepted;
      assert.deepEqual(tally.problems, [], `${fn}: ${tally.problems.length} problems`);
    });
  }
  test("summary", () => {
    assert.ok(total.calls > 5000, `only ${total.calls} calls`);
    console.log(`# fuzz (losses): ${total.calls} calls, ${total.threw} threw TorchErrors, ` +
      `${total.accepted} accepted where torch accepts`);
  });
});

const x23 = () => torch.randn([2, 3]);
/** The entry points of the learning-note snippets, each with the bad value in one place. */
const ENTRY_POINTS: Record<string, (v: unknown) => unknown> = {
  "tensor(v)": (v) => torch.tensor(v as never),
  "tensor([1], { dtype: v })": (v) => torch.tensor([1], { dtype: v as never }),
  "tensor([1], v)": (v) => torch.tensor([1], v as never),
  "tensor([1.5], { requiresGrad: v })": (v) => torch.tensor([1.5], { requiresGrad: v as never }),
  "zeros(v)": (v) => torch.zeros(v as never), "zeros([v])": (v) => torch.zeros([v as never]),
  "zeros(2, v)": (v) => torch.zeros(2, v as never),
  "zeros([2], { dtype: v })": (v) => torch.zeros([2], { dtype: v as never }),
  "ones(v)": (v) => torch.ones(v as never), "empty(v)": (v) => torch.empty(v as never),
  "full(v, 1)": (v) => torch.full(v as never, 1),
  "full([2], v)": (v) => torch.full([2], v as never),
  "full([2], 1, v)": (v) => torch.full([2], 1, v as never),
  "arange(v)": (v) => torch.arange(v as never), "arange(0, v)": (v) => torch.arange(0, v as never),
  "arange(0, 3, v)": (v) => torch.arange(0, 3, v as never),
  "arange(3, { dtype: v })": (v) => torch.arange(3, { dtype: v as never }),
  "rand(v)": (v) => torch.rand(v as never), "randn(v)": (v) => torch.randn(v as never),
  "randn([v])": (v) => torch.randn([v as never]),
  "randn(2, { dtype: v })": (v) => torch.randn(2, { dtype: v as never }),
  "randn(2, { generator: v })": (v) => torch.randn(2, { generator: v as never }),
  "randint(v, [2])": (v) => torch.randint(v as never, [2]),
  "randint(0, v, [2])": (v) => torch.randint(0, v as never, [2]),
  "randint(5, v)": (v) => torch.randint(5, v as never),
  "randperm(v)": (v) => torch.randperm(v as never),
  "randperm(3, v)": (v) => torch.randperm(3, v as never),
  "manualSeed(v)": (v) => torch.manualSeed(v as never),
  "x.reshape(v)": (v) => x23().reshape(v as never),
  "x.reshape(v, 3)": (v) => x23().reshape(v as never, 3),
  "x.view(v)": (v) => x23().view(v as never), "x.view(v, 3)": (v) => x23().view(v as never, 3),
  "x.sum(v)": (v) => x23().sum(v as never), "x.sum(0, v)": (v) => x23().sum(0, v as never),
  "x.mean(v)": (v) => x23().mean(v as never), "x.mean(0, v)": (v) => x23().mean(0, v as never),
  "x.softmax(v)": (v) => x23().softmax(v as never),
  "x.logSoftmax(v)": (v) => x23().logSoftmax(v as never),
  "scalar.backward(v)": (v) => torch.randn([2], { requiresGrad: true }).sum().backward(v as never),
  "vector.backward(v)": (v) => torch.randn([2], { requiresGrad: true }).mul(2)
    .backward(v as never),
  "x.item()": () => x23().item(),
  "x.random_(v)": (v) => x23().random_(v as never),
  "x.random_(0, v)": (v) => x23().random_(0, v as never),
  "x.requiresGrad_(v)": (v) => x23().requiresGrad_(v as never),
  "F.logSoftmax(x, v)": (v) => F.logSoftmax(x23(), v as never),
  "F.softmax(x, v)": (v) => F.softmax(x23(), v as never),
  "F.softmax(v, 1)": (v) => F.softmax(v as never, 1),
  "F.logSoftmax(v, 1)": (v) => F.logSoftmax(v as never, 1),
  "F.oneHot(v)": (v) => F.oneHot(v as never),
  "F.oneHot(t, v)": (v) => F.oneHot(torch.tensor([0, 2]), v as never),
  "F.pairwiseDistance(v, x)": (v) => F.pairwiseDistance(v as never, x23()),
  "F.pairwiseDistance(x, v)": (v) => F.pairwiseDistance(x23(), v as never),
  "F.pairwiseDistance(x, x, v)": (v) => F.pairwiseDistance(x23(), x23(), v as never),
  "F.pairwiseDistance(x, x, { p: v })": (v) => F.pairwiseDistance(x23(), x23(), { p: v as never }),
  "F.cosineSimilarity(v, x)": (v) => F.cosineSimilarity(v as never, x23()),
  "F.cosineSimilarity(x, x, v)": (v) => F.cosineSimilarity(x23(), x23(), v as never),
  "F.cosineSimilarity(x, x, { dim: v })": (v) => F.cosineSimilarity(x23(), x23(),
    { dim: v as never }),
  "F.cosineSimilarity(x, x, { eps: v })": (v) => F.cosineSimilarity(x23(), x23(),
    { eps: v as never }),
};

const ENTRY_BAD: Record<string, (valid: unknown) => unknown> = {
  ...BAD, negative: () => -2, infinity: () => Infinity, bigint: () => 3n,
  generator: () => new torch.Generator(),
};

describe("never an internal error: the entry points", () => {
  test("every entry point with every bad value", () => {
    const tally: Tally = { calls: 0, threw: 0, accepted: 0, problems: [], returned: [] };
    const seed = torch.initialSeed();
    for (const [name, call] of Object.entries(ENTRY_POINTS)) {
      for (const [badName, make] of Object.entries(ENTRY_BAD)) {
        const bad = make(undefined);
        const tensors = bad instanceof Tensor ? [bad] : [];
        probe(tally, `${name} [${badName}]`, undefined, tensors, () => call(bad));
      }
    }
    torch.manualSeed(seed);
    assert.deepEqual(tally.problems, [], `${tally.problems.length} problems`);
    console.log(`# fuzz (entry points): ${tally.calls} calls, ${tally.threw} threw ` +
      `TorchErrors, ${tally.accepted} returned`);
    if (process.env.FUZZ_LIST_RETURNED) console.log(tally.returned!.join("\n"));
  });
});
