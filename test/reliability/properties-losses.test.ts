/**
 * Properties of particular losses (fast-check, fixed seed): what a loss ignores changes
 * nothing (CE/NLL `ignoreIndex`, MultiLabelMargin entries after the first −1, CTC padding and
 * time steps past the input length); `labelSmoothing: 0` is plain CE; one-hot probability
 * targets equal index targets; KL divergence is ≥ 0, and 0 when input equals target.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";

import { Tensor } from "../../src/tensor/tensor.js";
import { Prng } from "../helpers/prng.js";
import {
  type ArgSpec, type FloatName, type LossName, type Recipe, type ReductionName, SPECS, callLoss,
  materialize, valuesOf,
} from "./arbitraries.js";
import {
  SEED, UNIT_ROUNDOFF, assertClose, assertSameValues, dtypeArb, forEachLoss, runs, tensorsOf,
} from "./properties-support.js";

const REDUCTIONS: ReductionName[] = ["none", "mean", "sum"];

/** Loss values and input gradients of `r` under every reduction. */
function outcomes(r: Recipe, dtype: FloatName) {
  return REDUCTIONS.map((reduction) => {
    const m = materialize(r, dtype);
    const out = callLoss(r, m, reduction);
    if (out.requiresGrad) (out.numel() === 1 ? out : out.sum()).backward();
    return { out, grads: tensorsOf(m).filter((t) => t.requiresGrad).map((t) => t.grad!) };
  });
}

function assertSameOutcomes(actual: ReturnType<typeof outcomes>, expected: ReturnType<typeof outcomes>) {
  expected.forEach((e, k) => {
    assertSameValues(actual[k].out, e.out, `${REDUCTIONS[k]} result`);
    e.grads.forEach((g, i) => assertSameValues(actual[k].grads[i], g, `${REDUCTIONS[k]} grad ${i}`));
  });
}

// ---------------------------------------------------------------------------------------------
// ignored targets
// ---------------------------------------------------------------------------------------------

type Change = (r: Recipe, rng: Prng) => Recipe;

const withArg = (r: Recipe, i: number, values: number[]): Recipe =>
  ({ ...r, args: r.args.map((a, k) => (k === i ? { ...a, values } as ArgSpec : a)) });

/** CE/NLL: new input values at every position whose target is `ignoreIndex`. */
const changeIgnoredPositions: Change = (r, rng) => {
  const [input, target] = r.args as { shape: number[]; values: number[] }[];
  const batched = input.shape.length > 1;
  const classes = input.shape[batched ? 1 : 0];
  const inner = batched ? input.shape.slice(2).reduce((a, b) => a * b, 1) : 1;
  const values = [...input.values];
  target.values.forEach((t, p) => {
    if (t !== r.options.ignoreIndex) return;
    const [n, s] = [Math.floor(p / inner), p % inner];
    for (let c = 0; c < classes; c++) values[(n * classes + c) * inner + s] = Math.fround(3 * rng.normal());
  });
  return withArg(r, 0, values);
};

/** MultiLabelMargin: new entries in [−1, C) after the first −1 of each target row. */
const changeAfterTerminator: Change = (r, rng) => {
  const target = r.args[1] as { shape: number[]; values: number[] };
  const c = target.shape[target.shape.length - 1];
  const values = [...target.values];
  for (let row = 0; row < values.length / c; row++) {
    const end = values.slice(row * c, (row + 1) * c).indexOf(-1);
    if (end < 0) continue;
    for (let k = end + 1; k < c; k++) values[row * c + k] = Math.floor(rng.next() * (c + 1)) - 1;
  }
  return withArg(r, 1, values);
};

/** CTC: new log-probabilities at t ≥ Tₙ and new labels in the padding past Lₙ. */
const changeCtcPadding: Change = (r, rng) => {
  const [logProbs, targets, inputLengths, targetLengths] = r.args as { shape: number[]; values: number[] }[];
  const [t, c] = [logProbs.shape[0], logProbs.shape[logProbs.shape.length - 1]];
  const n = inputLengths.values.length;
  const lp = [...logProbs.values];
  for (let step = 0; step < t; step++) {
    for (let b = 0; b < n; b++) {
      if (step < inputLengths.values[b]) continue;
      for (let k = 0; k < c; k++) lp[(step * n + b) * c + k] = Math.fround(rng.normal());
    }
  }
  const blank = (r.options.blank as number | undefined) ?? 0;
  const labels = [...targets.values];
  if (targets.shape.length === 2) {
    const width = targets.shape[1];
    targetLengths.values.forEach((len, b) => {
      for (let k = len; k < width; k++) labels[b * width + k] = (blank + 1 + Math.floor(rng.next() * (c - 1))) % c;
    });
  }
  return withArg(withArg(r, 0, lp), 1, labels);
};

const IGNORING: Partial<Record<LossName, { change: Change; has: (r: Recipe) => boolean }>> = {
  crossEntropy: { change: changeIgnoredPositions, has: (r) => hitsIgnoreIndex(r) },
  nll: { change: changeIgnoredPositions, has: (r) => hitsIgnoreIndex(r) },
  multilabelMargin: { change: changeAfterTerminator, has: (r) => (r.args[1] as { values: number[] }).values.includes(-1) },
  ctc: { change: changeCtcPadding, has: () => true },
};

function hitsIgnoreIndex(r: Recipe): boolean {
  const target = r.args[1];
  return target.kind === "long" && "ignoreIndex" in r.options && target.values.includes(r.options.ignoreIndex as number);
}

forEachLoss("changing what the loss ignores changes nothing (values and gradients)", 50,
  (loss) => fc.tuple(SPECS[loss].recipe.filter((r) => IGNORING[loss]!.has(r)), dtypeArb, fc.nat()),
  ([r, dtype, seed]) => {
    const changed = IGNORING[r.loss]!.change(r, new Prng(seed));
    assertSameOutcomes(outcomes(changed, dtype), outcomes(r, dtype));
  }, ["crossEntropy", "nll", "multilabelMargin", "ctc"]);

// ---------------------------------------------------------------------------------------------
// cross entropy
// ---------------------------------------------------------------------------------------------

const ceRecipes = SPECS.crossEntropy.recipe;

describe("crossEntropy", () => {
  it("labelSmoothing: 0 is plain cross entropy (1 loss × 80 runs)", () => {
    fc.assert(fc.property(ceRecipes, dtypeArb, (r, dtype) => {
      const { labelSmoothing: _, ...plain } = r.options;
      assertSameOutcomes(outcomes({ ...r, options: { ...plain, labelSmoothing: 0 } }, dtype),
        outcomes({ ...r, options: plain }, dtype));
    }), { seed: SEED, numRuns: runs(80), includeErrorInReport: true });
  });

  it("one-hot probability targets equal class-index targets (1 loss × 80 runs)", () => {
    const indexRecipes = ceRecipes.filter((r) => r.args[1].kind === "long" && !("ignoreIndex" in r.options));
    fc.assert(fc.property(indexRecipes, dtypeArb, fc.constantFrom(...REDUCTIONS), (r, dtype, reduction) => {
      // PyTorch's 'mean' divides by Σ w[y] for index targets and by the count for probabilities.
      const weighted = reduction !== "mean" ? r : { ...r, tensorOptions: {} };
      const oneHot = withOneHotTarget(weighted);
      const expected = callLoss(weighted, materialize(weighted, dtype), reduction);
      const actual = callLoss(oneHot, materialize(oneHot, dtype), reduction);
      const tols = oneHotTolerances(weighted, dtype, reduction);
      valuesOf(expected).forEach((e, i) => assertClose(valuesOf(actual)[i], e, tols[i], `${reduction} [${i}]`));
    }), { seed: SEED, numRuns: runs(80), includeErrorInReport: true });
  });
});

/** `r` with its class-index target replaced by the one-hot float target of the input's shape. */
function withOneHotTarget(r: Recipe): Recipe {
  const [input, target] = r.args as { shape: number[]; values: number[]; batchDim: number | null }[];
  const { classes, inner } = classLayout(input.shape);
  const values = new Array<number>(input.values.length).fill(0);
  target.values.forEach((y, p) => (values[(Math.floor(p / inner) * classes + y) * inner + p % inner] = 1));
  const oneHot: ArgSpec = { kind: "float", shape: [...input.shape], values, differentiable: false,
    batchDim: input.batchDim };
  return { ...r, args: [r.args[0], oneHot] };
}

function classLayout(shape: readonly number[]) {
  const batched = shape.length > 1;
  return { classes: shape[batched ? 1 : 0], inner: batched ? shape.slice(2).reduce((a, b) => a * b, 1) : 1 };
}

/**
 * The two forms sum the same C weighted log-probabilities in different orders (with label
 * smoothing) or take one of them: per position (C + 8)·u·Mₚ with Mₚ = Σ_c w_c·|log p_c|, and
 * for a reduction the sum of those plus the summation bound over the positions.
 */
function oneHotTolerances(r: Recipe, dtype: FloatName, reduction: ReductionName): number[] {
  const input = r.args[0] as { shape: number[]; values: number[] };
  const { classes, inner } = classLayout(input.shape);
  const w = (r.tensorOptions.weight as { values: number[] } | undefined)?.values;
  const positions = input.values.length / classes;
  const u = UNIT_ROUNDOFF[dtype];
  const magnitudes = Array.from({ length: positions }, (_, p) => {
    const at = (c: number) => (Math.floor(p / inner) * classes + c) * inner + p % inner;
    const logits = Array.from({ length: classes }, (_, c) => input.values[at(c)]);
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((a, x) => a + Math.exp(x - max), 0));
    return logits.reduce((a, x, c) => a + (w ? w[c] : 1) * Math.abs(x - lse), 0);
  });
  if (reduction === "none") return magnitudes.map((m) => (classes + 8) * u * m);
  const total = (classes + 8 + positions) * u * magnitudes.reduce((a, b) => a + b, 0);
  return [reduction === "sum" ? total : total / positions];
}

// ---------------------------------------------------------------------------------------------
// KL divergence
// ---------------------------------------------------------------------------------------------

/** log_softmax rows along the last dimension. */
function logSoftmaxRows(rng: Prng, shape: number[]): number[] {
  const c = shape[shape.length - 1];
  const n = shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let row = 0; row < n / c; row++) {
    const logits = Array.from({ length: c }, () => 2 * rng.normal());
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((a, x) => a + Math.exp(x - max), 0));
    out.push(...logits.map((x) => Math.fround(x - lse)));
  }
  return out;
}

const klCase = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
  logTarget: fc.boolean(), dtype: dtypeArb, seed: fc.nat(),
});

function klRecipe(shape: number[], input: number[], target: number[], logTarget: boolean): Recipe {
  const arg = (values: number[]): ArgSpec => ({ kind: "float", shape, values, differentiable: true, batchDim: 0 });
  return { loss: "kl", args: [arg(input), arg(target)], options: { logTarget }, tensorOptions: {},
    reductions: ["none"], batch: shape[0] };
}

describe("klDiv", () => {
  it("is ≥ 0 for distributions along the last dimension (1 loss × 80 runs)", () => {
    fc.assert(fc.property(klCase, ({ shape, logTarget, dtype, seed }) => {
      const rng = new Prng(seed);
      const input = logSoftmaxRows(rng, shape);
      const logQ = logSoftmaxRows(rng, shape);
      const target = logTarget ? logQ : logQ.map((v) => Math.fround(Math.exp(v)));
      const r = klRecipe(shape, input, target, logTarget);
      const none = valuesOf(callLoss(r, materialize(r, dtype), "none"));
      const c = shape[shape.length - 1];
      const sumOf = (v: number[]) => v.reduce((a, b) => a + b, 0);
      for (let row = 0; row < none.length / c; row++) {
        const slice = (v: number[]) => v.slice(row * c, (row + 1) * c);
        const terms = slice(none);
        // The inputs are float-rounded, so Σq and Σt are 1 only to within C·u: the log-sum
        // inequality gives Σ t·log(t/q) ≥ St·log(St/Sq) (0 when both sum to 1, Gibbs).
        const st = sumOf(slice(logTarget ? target.map(Math.exp) : target));
        const sq = sumOf(slice(input).map(Math.exp));
        const bound = st * Math.log(st / sq);
        const tol = (c + 8) * UNIT_ROUNDOFF[dtype] * sumOf(terms.map(Math.abs));
        assert.ok(sumOf(terms) >= bound - tol, `row ${row}: ${terms} (bound ${bound})`);
      }
    }), { seed: SEED, numRuns: runs(80), includeErrorInReport: true });
  });

  it("is 0 when the input equals the target (1 loss × 80 runs)", () => {
    fc.assert(fc.property(klCase, ({ shape, logTarget, dtype, seed }) => {
      const logQ = logSoftmaxRows(new Prng(seed), shape);
      const target = logTarget ? logQ : logQ.map((v) => Math.fround(Math.exp(v)));
      const r = klRecipe(shape, logQ, target, logTarget);
      const m = materialize(r, dtype);
      // input = log(target) as this library computes it, so only the log inside klDiv differs.
      if (!logTarget) m.args[0] = (m.args[1] as Tensor).log();
      const none = valuesOf(callLoss(r, m, "none"));
      const t = valuesOf(m.args[1] as Tensor);
      const tols = t.map((ti) => (logTarget ? 0 : 4 * UNIT_ROUNDOFF[dtype] * Math.abs(ti * Math.log(ti))));
      none.forEach((v, i) => assert.ok(Math.abs(v) <= tols[i], `[${i}] ${v}`));
      // A sum of terms each within its bound (the summation's own error is second order).
      const total = 2 * tols.reduce((a, b) => a + b, 0);
      for (const reduction of ["sum", "batchmean"] as const) {
        const value = callLoss(r, m, reduction).item() as number;
        assert.ok(Math.abs(value) <= total, `${reduction}: ${value}`);
      }
    }), { seed: SEED, numRuns: runs(80), includeErrorInReport: true });
  });
});
