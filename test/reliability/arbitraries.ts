/**
 * fast-check arbitraries for the property tests: a valid call of each of the 21 losses over
 * random shapes (0-dim, unbatched, batch 1, K-dim spatial for CE/NLL), options and values.
 *
 * An arbitrary yields a {@link Recipe}: plain data (shapes, values already rounded to float32,
 * options), so one recipe can be materialised as float32 or float64 tensors holding the same
 * numbers, permuted along its batch, or changed where the loss ignores it.
 */
import fc from "fast-check";

import * as F from "../../src/functional.js";
import * as nn from "../../src/nn/index.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { Prng } from "../helpers/prng.js";

export type FloatName = "float32" | "float64";
export type ReductionName = "none" | "mean" | "sum" | "batchmean";

/** A positional argument or tensor option, as plain data. */
export type ArgSpec =
  | {
    kind: "float"; shape: number[]; values: number[];
    /** PyTorch can differentiate the loss with respect to it (spec §1.8). */
    differentiable: boolean;
    /** The dimension that runs along the batch, null when it does not. */
    batchDim: number | null;
  }
  | { kind: "long"; shape: number[]; values: number[]; batchDim: number | null }
  | { kind: "lengths"; values: number[]; asTensor: boolean };

export interface Recipe {
  loss: LossName;
  args: ArgSpec[];
  /** Number/boolean options, and `distance` for TripletMarginWithDistanceLoss. */
  options: Record<string, unknown>;
  tensorOptions: Record<string, ArgSpec>;
  reductions: ReductionName[];
  /** Batch size when the call has a batch that permuting can reorder, else null. */
  batch: number | null;
}

export interface Materialized {
  args: (Tensor | number[])[];
  options: Record<string, unknown>;
}

/** Numbers as float32 holds them, so float32 and float64 calls see equal inputs. */
const f32 = (v: number) => Math.fround(v);

// ---------------------------------------------------------------------------------------------
// building blocks
// ---------------------------------------------------------------------------------------------

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function floats(shape: number[], sample: () => number, differentiable: boolean,
  batchDim: number | null = shape.length > 0 ? 0 : null): ArgSpec {
  const values = Array.from({ length: numel(shape) }, () => f32(sample()));
  return { kind: "float", shape, values, differentiable, batchDim };
}

function longs(shape: number[], values: number[], batchDim: number | null = shape.length > 0 ? 0 : null): ArgSpec {
  return { kind: "long", shape, values, batchDim };
}

const signs = (rng: Prng) => () => (rng.next() < 0.5 ? -1 : 1);
const uniform = (rng: Prng, lo: number, hi: number) => () => rng.uniform(lo, hi);
const normal = (rng: Prng, scale = 1) => () => scale * rng.normal();

/** log_softmax of normal logits along `dim` of `shape`, in float64, then rounded to float32. */
function logSoftmaxValues(rng: Prng, shape: number[], dim: number): number[] {
  const logits = Array.from({ length: numel(shape) }, () => rng.normal());
  const inner = numel(shape.slice(dim + 1));
  const size = shape[dim];
  const out = new Array<number>(logits.length);
  for (let o = 0; o < logits.length / (size * inner); o++) {
    for (let i = 0; i < inner; i++) {
      const at = (c: number) => (o * size + c) * inner + i;
      let max = -Infinity;
      for (let c = 0; c < size; c++) max = Math.max(max, logits[at(c)]);
      let sum = 0;
      for (let c = 0; c < size; c++) sum += Math.exp(logits[at(c)] - max);
      for (let c = 0; c < size; c++) out[at(c)] = f32(logits[at(c)] - max - Math.log(sum));
    }
  }
  return out;
}

const seedArb = fc.integer({ min: 0, max: 0x7fffffff });
/**
 * The size regime the arbitraries are built in: small (every property), or large: float32
 * inputs of ≥ 2¹⁵ elements, which live in the WebAssembly memory and run its kernels.
 */
let large = false;

const sizeArb = (max = 4) => fc.integer({ min: 1, max });
/** A size, now and then 0 (an empty batch or dimension). */
const sizeOrEmptyArb = (max = 4) =>
  fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: sizeArb(max), weight: 9 });
/** A batch size; large: 48…96, so that 48 × 700 ≥ 2¹⁵. */
const batchArb = () => (large ? fc.integer({ min: 48, max: 96 }) : sizeOrEmptyArb(4));
/** A class or feature count; large: 700…1100 (odd sizes leave SIMD tails). */
const widthArb = (min: number, max: number) =>
  (large ? fc.integer({ min: 700, max: 1100 }) : fc.integer({ min, max }));
const shapeArb = (minDims: number, maxDims: number, max = 4) => (large
  ? fc.tuple(batchArb(), widthArb(0, 0)).map(([n, c]) => [n, c])
  : fc.array(sizeOrEmptyArb(max), { minLength: minDims, maxLength: maxDims }));
const unbatchedArb = () => (large ? fc.constant(false) : fc.boolean());
const REDUCTIONS: ReductionName[] = ["none", "mean", "sum"];

// ---------------------------------------------------------------------------------------------
// the 21 losses
// ---------------------------------------------------------------------------------------------

export interface LossSpec {
  /** The functional form's name (`crossEntropy`). */
  fn: keyof typeof F;
  /** The module class (`CrossEntropyLoss`). */
  module: keyof typeof nn;
  recipe: fc.Arbitrary<Recipe>;
  /** PyTorch's 'mean' from the 'none' values (spec §1.3). */
  meanOf?: (none: number[], r: Recipe) => number;
  /** False when some input sits within a finite-difference step of a kink. */
  smoothAt?: (r: Recipe) => boolean;
  /** Gradcheck through log_softmax (CTC's gradient is w.r.t. the logits, spec §2.21). */
  viaLogSoftmax?: boolean;
  /**
   * A loss element and its gradients sum terms over the whole sample (softmax rows, margins
   * against every class, norms over features, CTC paths over time): rounding grows with it.
   */
  rowGradients?: boolean;
}

const GAP = 0.02;
const away = (v: number, from = 0) => Math.abs(v - from) > GAP;

type Builder = (rng: Prng, p: Record<string, unknown>) => Omit<Recipe, "loss">;

function lossArb(loss: LossName, params: fc.Arbitrary<Record<string, unknown>>,
  build: Builder): fc.Arbitrary<Recipe> {
  return fc.tuple(seedArb, params).map(([seed, p]) => {
    const r = build(new Prng(seed), p);
    const options = Object.fromEntries(Object.entries(r.options).filter(([, v]) => v !== undefined));
    return { loss, ...r, options };
  });
}

/** An option's value, or undefined: left out, so that PyTorch's default applies. */
const opt = <T>(...values: T[]) => fc.constantFrom<T | undefined>(undefined, ...values);

/** The option's value in `r`, or PyTorch's default. */
const optionOf = (r: Recipe, key: string, fallback: number | boolean) =>
  (r.options[key] ?? fallback) as number;

function batchOf(shape: number[]): number | null {
  return shape.length > 0 ? shape[0] : null;
}

/** Input and target of one shape, as the pointwise losses take them. */
function pointwise(loss: LossName, extra: Record<string, fc.Arbitrary<unknown>>,
  input: (rng: Prng) => () => number, target: (rng: Prng) => () => number,
  targetDifferentiable: boolean, tweak?: (rng: Prng, r: Omit<Recipe, "loss">) => void): fc.Arbitrary<Recipe> {
  return lossArb(loss, fc.record({ shape: shapeArb(0, 3), ...extra }), (rng, p) => {
    const shape = p.shape as number[];
    const { shape: _, ...options } = p;
    const r: Omit<Recipe, "loss"> = {
      args: [floats(shape, input(rng), true), floats([...shape], target(rng), targetDifferentiable)],
      options, tensorOptions: {}, reductions: REDUCTIONS, batch: batchOf(shape),
    };
    tweak?.(rng, r);
    return r;
  });
}

const pairs = (r: Recipe): [number, number][] => {
  const [x, y] = r.args as { values: number[] }[];
  return x.values.map((v, i) => [v, y.values[i]]);
};

/** Σ over non-ignored positions of w[y] (spec §1.3), for CE/NLL with class-index targets. */
function classWeightTotal(r: Recipe): number {
  const target = r.args[1] as { values: number[] };
  const w = r.tensorOptions.weight?.kind === "float" ? r.tensorOptions.weight.values : null;
  const ignore = (r.options.ignoreIndex as number | undefined) ?? -100;
  return target.values.filter((t) => t !== ignore).reduce((a, t) => a + (w ? w[t] : 1), 0);
}

function nllMean(none: number[], r: Recipe): number {
  const target = r.args[1];
  const sum = none.reduce((a, b) => a + b, 0);
  if (target.kind === "float") {
    const input = r.args[0] as { shape: number[] };
    return sum / (numel(input.shape) / input.shape[input.shape.length === 1 ? 0 : 1]);
  }
  return sum / classWeightTotal(r);
}

/** (input shape, target shape, class dim) of CE/NLL: (C), (N, C), (N, C, d1[, d2]). */
function classShapes(p: Record<string, unknown>): [number[], number[], number] {
  const c = p.classes as number;
  const spatial = p.spatial as number[];
  if (p.unbatched) return [[c], [], 0];
  const n = p.batch as number;
  return [[n, c, ...spatial], [n, ...spatial], 1];
}

const classParams = () => ({
  classes: widthArb(1, 5), batch: batchArb(), spatial: large ? fc.constant([]) : shapeArb(0, 2, 3),
  unbatched: unbatchedArb(), weighted: fc.boolean(), ignore: fc.constantFrom("none", "class"),
});

function weightOption(weight: ArgSpec | null): Record<string, ArgSpec> {
  return weight ? { weight } : {};
}

function classWeight(rng: Prng, c: number): ArgSpec {
  return floats([c], uniform(rng, 0.2, 2), false, null);
}

/** NLL/CE with class-index targets; `ignoreIndex` is -100 or one of the classes. */
function indexTargetCall(rng: Prng, p: Record<string, unknown>, input: (shape: number[], dim: number) => ArgSpec) {
  const [inShape, tShape, dim] = classShapes(p);
  const c = inShape[dim];
  const targets = Array.from({ length: numel(tShape) }, () => Math.floor(rng.next() * c));
  const options: Record<string, unknown> = {};
  if (p.ignore === "class") options.ignoreIndex = Math.floor(rng.next() * c);
  const tensorOptions: Record<string, ArgSpec> = p.weighted ? { weight: classWeight(rng, c) } : {};
  return {
    args: [input(inShape, dim), longs(tShape, targets)], options, tensorOptions,
    reductions: REDUCTIONS, batch: p.unbatched ? null : inShape[0],
  };
}

function probabilityTargetCall(rng: Prng, p: Record<string, unknown>) {
  const [inShape, , dim] = classShapes(p);
  const input = floats(inShape, normal(rng), true);
  const target: ArgSpec = {
    kind: "float", shape: inShape, differentiable: true, batchDim: p.unbatched ? null : 0,
    values: logSoftmaxValues(rng, inShape, dim).map((v) => f32(Math.exp(v))),
  };
  if (p.unbatched) (input as { batchDim: number | null }).batchDim = null;
  const tensorOptions: Record<string, ArgSpec> = p.weighted ? { weight: classWeight(rng, inShape[dim]) } : {};
  return { args: [input, target], options: {}, tensorOptions, reductions: REDUCTIONS,
    batch: p.unbatched ? null : inShape[0] };
}

function unbatchedInput(shape: number[], sample: () => number, unbatched: boolean): ArgSpec {
  return floats(shape, sample, true, unbatched ? null : 0);
}

/** Rows of a (N, C) or (C) margin-loss input: [row values][]. */
function rows(values: number[], c: number): number[][] {
  return Array.from({ length: values.length / c }, (_, i) => values.slice(i * c, (i + 1) * c));
}

function pNormDistance(a: number[], b: number[], p: number, eps: number): number {
  return a.reduce((s, v, i) => s + Math.abs(v - b[i] + eps) ** p, 0) ** (1 / p);
}

function cosineDistance(a: number[], b: number[]): number {
  const dot = a.reduce((s, v, i) => s + v * b[i], 0);
  const norm = (x: number[]) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
  return 1 - dot / Math.max(norm(a) * norm(b), 1e-8);
}

/** Anchor/positive/negative rows away from the hinge at 0 and from swap ties. */
function tripletSmooth(r: Recipe, distance: (a: number[], b: number[]) => number): boolean {
  const d = (r.args[0] as { shape: number[] }).shape;
  const dim = d[d.length - 1];
  const [a, p, n] = r.args.map((x) => rows((x as { values: number[] }).values, dim));
  const margin = optionOf(r, "margin", 1);
  return a.every((_, i) => {
    const dap = distance(a[i], p[i]);
    const dan = distance(a[i], n[i]);
    const dpn = distance(p[i], n[i]);
    const neg = r.options.swap ? Math.min(dan, dpn) : dan;
    const parts = [a[i], p[i], n[i]];
    const farApart = parts.every((x, j) => parts.slice(j + 1).every((y) => x.every((v, k) => away(v, y[k]))));
    return away(dap - neg + margin) && (!r.options.swap || away(dan, dpn)) && farApart;
  });
}

function tripletCall(rng: Prng, p: Record<string, unknown>): Omit<Recipe, "loss"> {
  const shape = p.unbatched ? [p.features as number] : [p.batch as number, p.features as number];
  const make = () => floats([...shape], normal(rng), true, p.unbatched ? null : 0);
  const { unbatched: _u, features: _f, batch: _b, ...options } = p;
  return { args: [make(), make(), make()], options, tensorOptions: {}, reductions: REDUCTIONS,
    batch: p.unbatched ? null : shape[0] };
}

const tripletShape = () => ({ unbatched: unbatchedArb(), batch: batchArb(), features: widthArb(1, 4) });

/** CTC: (T, N, C) log-probabilities (or unbatched (T, C)), feasible target lengths. */
function ctcCall(rng: Prng, p: Record<string, unknown>): Omit<Recipe, "loss"> {
  const [t, n, c] = [p.time as number, p.batch as number, p.classes as number];
  const blank = p.blankLast ? c - 1 : 0;
  const inputLengths = Array.from({ length: n }, () => 1 + Math.floor(rng.next() * t));
  // 2L + 1 ≤ T_n leaves room for a blank between any two labels: every alignment is feasible.
  const targetLengths = inputLengths.map((len) => Math.floor(rng.next() * (Math.floor((len - 1) / 2) + 1)));
  const label = () => { const v = Math.floor(rng.next() * (c - 1)); return v >= blank ? v + 1 : v; };
  const labels = targetLengths.map((len) => Array.from({ length: len }, label));
  const width = Math.max(0, ...targetLengths) + (p.extraPadding as number);
  const padded = labels.flatMap((l) => [...l, ...Array.from({ length: width - l.length }, label)]);
  // A 1-D target is the concatenated form, unbatched too: (S) must hold exactly L labels.
  const concatenated = !p.padded;
  const targets = concatenated ? longs([labels.flat().length], labels.flat(), null)
    : longs([n, width], padded, p.unbatched ? null : 0);
  const lpShape = p.unbatched ? [t, c] : [t, n, c];
  const logProbs: ArgSpec = { kind: "float", shape: lpShape, differentiable: true,
    batchDim: p.unbatched ? null : 1, values: logSoftmaxValues(rng, lpShape, lpShape.length - 1) };
  const lengths = (values: number[]): ArgSpec => ({ kind: "lengths", values, asTensor: p.lengthTensors as boolean });
  const options: Record<string, unknown> = { zeroInfinity: p.zeroInfinity };
  if (blank !== 0) options.blank = blank;
  return { args: [logProbs, targets, lengths(inputLengths), lengths(targetLengths)], options,
    tensorOptions: {}, reductions: REDUCTIONS, batch: p.unbatched || concatenated ? null : n };
}

export const LOSS_NAMES = [
  "l1", "mse", "huber", "smoothL1", "softMargin", "bce", "bceWithLogits", "kl", "poissonNll",
  "gaussianNll", "hingeEmbedding", "multilabelSoftMargin", "multilabelMargin", "multiMargin",
  "cosineEmbedding", "marginRanking", "tripletMargin", "tripletMarginWithDistance", "crossEntropy",
  "nll", "ctc",
] as const;
export type LossName = typeof LOSS_NAMES[number];

type SpecSource = Omit<LossSpec, "recipe"> & { recipe: () => fc.Arbitrary<Recipe> };

const SPECS_SOURCE: Record<LossName, SpecSource> = {
  l1: {
    fn: "l1Loss", module: "L1Loss",
    recipe: () => pointwise("l1", {}, normal, normal, true),
    smoothAt: (r: Recipe) => pairs(r).every(([x, y]) => away(x, y)),
  },
  mse: { fn: "mseLoss", module: "MSELoss", recipe: () => pointwise("mse", {}, normal, normal, true) },
  huber: {
    fn: "huberLoss", module: "HuberLoss",
    recipe: () => pointwise("huber", { delta: opt(0.5, 1, 1.5) }, normal, normal, true),
  },
  smoothL1: {
    fn: "smoothL1Loss", module: "SmoothL1Loss",
    recipe: () => pointwise("smoothL1", { beta: opt(0, 0.5, 1) }, normal, normal, true),
    smoothAt: (r: Recipe) => pairs(r).every(([x, y]) => away(x, y)),
  },
  softMargin: {
    fn: "softMarginLoss", module: "SoftMarginLoss",
    recipe: () => pointwise("softMargin", {}, normal, signs, false),
  },
  bce: {
    fn: "binaryCrossEntropy", module: "BCELoss",
    recipe: () => pointwise("bce", { weight: fc.constantFrom("none", "full", "last") },
      (rng) => uniform(rng, 0.02, 0.98), (rng) => uniform(rng, 0, 1), true, elementWeight),
  },
  bceWithLogits: {
    fn: "binaryCrossEntropyWithLogits", module: "BCEWithLogitsLoss",
    recipe: () => pointwise("bceWithLogits", {
      weight: fc.constantFrom("none", "full", "last"), posWeight: fc.boolean(),
    }, (rng) => normal(rng, 2), (rng) => uniform(rng, 0, 1), true, (rng, r) => {
      elementWeight(rng, r);
      const shape = (r.args[0] as { shape: number[] }).shape;
      if (r.options.posWeight && shape.length > 0) {
        r.tensorOptions.posWeight = floats([shape[shape.length - 1]], uniform(rng, 0.2, 3), false,
          shape.length === 1 ? 0 : null);
      }
      delete r.options.posWeight;
    }),
  },
  kl: {
    fn: "klDiv", module: "KLDivLoss",
    recipe: () => lossArb("kl", fc.record({ shape: shapeArb(0, 3), logTarget: opt(true, false) }), (rng, p) => {
      const shape = p.shape as number[];
      const target = p.logTarget ? normal(rng) : uniform(rng, 0.05, 1);
      return {
        args: [floats(shape, normal(rng), true), floats([...shape], target, true)],
        options: { logTarget: p.logTarget }, tensorOptions: {},
        reductions: [...REDUCTIONS, "batchmean"], batch: batchOf(shape),
      };
    }),
  },
  poissonNll: {
    fn: "poissonNllLoss", module: "PoissonNLLLoss",
    recipe: () => pointwise("poissonNll", {
      logInput: opt(true, false), full: opt(true, false), eps: opt(1e-8, 0.01),
    }, normal, (rng) => uniform(rng, 0, 3), true, (rng, r) => {
      const input = r.args[0] as { values: number[] };
      if (r.options.logInput === false) input.values = input.values.map(() => f32(rng.uniform(0.1, 3)));
    }),
    // Stirling's term is added for targets > 1 only: the loss jumps at target = 1.
    smoothAt: (r: Recipe) => !r.options.full || pairs(r).every(([, t]) => away(t, 1)),
  },
  gaussianNll: {
    rowGradients: true,
    fn: "gaussianNllLoss", module: "GaussianNLLLoss",
    recipe: () => lossArb("gaussianNll", fc.record({
      shape: shapeArb(1, 3), varShape: fc.constantFrom("same", "dropLast", "lastOne"),
      full: opt(true, false), eps: opt(1e-6, 0.05), belowEps: fc.boolean(),
    }), (rng, p) => {
      const shape = p.shape as number[];
      const lead = shape.slice(0, -1);
      const varShape = p.varShape === "same" ? [...shape] : p.varShape === "dropLast" ? lead : [...lead, 1];
      const varBatch = varShape.length > 0 && lead.length > 0 || p.varShape === "same" ? 0 : null;
      // Some variances below eps, which the loss clamps (in a copy: `var` itself stays as given).
      const eps = (p.eps ?? 1e-6) as number;
      const variance = () => (p.belowEps && rng.next() < 0.3 ? eps / 2 : rng.uniform(0.1, 2));
      return {
        args: [floats(shape, normal(rng), true), floats([...shape], normal(rng), true),
          floats(varShape, variance, true, varBatch)],
        options: { full: p.full, eps: p.eps }, tensorOptions: {}, reductions: REDUCTIONS,
        batch: batchOf(shape),
      };
    }),
    // The loss is flat in var below eps, but PyTorch's gradient still flows there (spec §2.20).
    smoothAt: (r: Recipe) => (r.args[2] as { values: number[] }).values.every((v) => v > 2 * optionOf(r, "eps", 1e-6)),
  },
  hingeEmbedding: {
    fn: "hingeEmbeddingLoss", module: "HingeEmbeddingLoss",
    recipe: () => pointwise("hingeEmbedding", { margin: opt(0.5, 1, 2) }, normal, signs, false),
    smoothAt: (r: Recipe) => pairs(r).every(([x]) => away(x, optionOf(r, "margin", 1))),
  },
  multilabelSoftMargin: {
    rowGradients: true,
    fn: "multilabelSoftMarginLoss", module: "MultiLabelSoftMarginLoss",
    recipe: () => lossArb("multilabelSoftMargin", fc.record({ shape: shapeArb(1, 3), weighted: fc.boolean() }),
      (rng, p) => {
        const shape = p.shape as number[];
        const classes = shape[shape.length - 1];
        const batchDim = shape.length > 1 ? 0 : null;
        const bits = () => (rng.next() < 0.5 ? 0 : 1);
        return {
          args: [floats(shape, normal(rng, 2), true, batchDim), floats([...shape], bits, false, batchDim)],
          options: {}, tensorOptions: weightOption(p.weighted ? classWeight(rng, classes) : null),
          reductions: REDUCTIONS, batch: batchDim === null ? null : shape[0],
        };
      }),
  },
  multilabelMargin: {
    rowGradients: true,
    fn: "multilabelMarginLoss", module: "MultiLabelMarginLoss",
    recipe: () => lossArb("multilabelMargin", fc.record({
      // Large: each row costs C² (listed × unlisted classes), so fewer classes and more rows.
      unbatched: unbatchedArb(), batch: large ? fc.integer({ min: 100, max: 128 }) : batchArb(),
      classes: large ? fc.integer({ min: 330, max: 400 }) : fc.integer({ min: 1, max: 5 }),
    }), (rng, p) => {
      const c = p.classes as number;
      const shape = p.unbatched ? [c] : [p.batch as number, c];
      const targets = Array.from({ length: numel(shape) / c }, () => multilabelRow(rng, c)).flat();
      return {
        args: [unbatchedInput(shape, normal(rng), p.unbatched as boolean),
          longs([...shape], targets, p.unbatched ? null : 0)],
        options: {}, tensorOptions: {}, reductions: REDUCTIONS, batch: p.unbatched ? null : shape[0],
      };
    }),
    smoothAt: (r: Recipe) => {
      const [x, y] = r.args as { values: number[]; shape: number[] }[];
      const c = x.shape[x.shape.length - 1];
      const ys = rows(y.values, c);
      return rows(x.values, c).every((row, i) => {
        const end = ys[i].indexOf(-1);
        const listed = ys[i].slice(0, end < 0 ? c : end);
        return listed.every((j) => row.every((v, k) => listed.includes(k) || away(1 - (row[j] - v))));
      });
    },
  },
  multiMargin: {
    rowGradients: true,
    fn: "multiMarginLoss", module: "MultiMarginLoss",
    recipe: () => lossArb("multiMargin", fc.record({
      unbatched: unbatchedArb(), batch: batchArb(), classes: widthArb(1, 5),
      p: opt(1, 2), margin: opt(0.5, 1, 2), weighted: fc.boolean(),
    }), (rng, p) => {
      const c = p.classes as number;
      const shape = p.unbatched ? [c] : [p.batch as number, c];
      const targets = Array.from({ length: numel(shape) / c }, () => Math.floor(rng.next() * c));
      return {
        args: [unbatchedInput(shape, normal(rng), p.unbatched as boolean),
          longs(p.unbatched ? [] : [shape[0]], targets)],
        options: { p: p.p, margin: p.margin },
        tensorOptions: weightOption(p.weighted ? classWeight(rng, c) : null),
        reductions: REDUCTIONS, batch: p.unbatched ? null : shape[0],
      };
    }),
    smoothAt: (r: Recipe) => {
      const [x, y] = r.args as { values: number[]; shape: number[] }[];
      const c = x.shape[x.shape.length - 1];
      return rows(x.values, c).every((row, i) =>
        row.every((v, k) => k === y.values[i] || away(optionOf(r, "margin", 1) - row[y.values[i]] + v)));
    },
  },
  cosineEmbedding: {
    rowGradients: true,
    fn: "cosineEmbeddingLoss", module: "CosineEmbeddingLoss",
    recipe: () => lossArb("cosineEmbedding", fc.record({
      unbatched: unbatchedArb(), batch: batchArb(), features: widthArb(2, 4),
      margin: opt(-0.5, 0, 0.5),
    }), (rng, p) => {
      const shape = p.unbatched ? [p.features as number] : [p.batch as number, p.features as number];
      const make = () => unbatchedInput([...shape], normal(rng), p.unbatched as boolean);
      return {
        args: [make(), make(), floats(p.unbatched ? [] : [shape[0]], signs(rng), false)],
        options: { margin: p.margin }, tensorOptions: {}, reductions: REDUCTIONS,
        batch: p.unbatched ? null : shape[0],
      };
    }),
    smoothAt: (r: Recipe) => {
      const [a, b, y] = r.args as { values: number[]; shape: number[] }[];
      const d = a.shape[a.shape.length - 1];
      const bs = rows(b.values, d);
      return rows(a.values, d).every((row, i) =>
        y.values[i] > 0 || away(1 - cosineDistance(row, bs[i]) - optionOf(r, "margin", 0)));
    },
  },
  marginRanking: {
    fn: "marginRankingLoss", module: "MarginRankingLoss",
    recipe: () => lossArb("marginRanking", fc.record({ shape: shapeArb(0, 2), margin: opt(0, 0.5, 1) }),
      (rng, p) => {
        const shape = p.shape as number[];
        return {
          args: [floats(shape, normal(rng), true), floats([...shape], normal(rng), true),
            floats([...shape], signs(rng), false)],
          options: { margin: p.margin }, tensorOptions: {}, reductions: REDUCTIONS, batch: batchOf(shape),
        };
      }),
    smoothAt: (r: Recipe) => {
      const [a, b, y] = r.args as { values: number[] }[];
      return a.values.every((v, i) => away(-y.values[i] * (v - b.values[i]) + optionOf(r, "margin", 0)));
    },
  },
  tripletMargin: {
    rowGradients: true,
    fn: "tripletMarginLoss", module: "TripletMarginLoss",
    recipe: () => lossArb("tripletMargin", fc.record({
      ...tripletShape(), margin: opt(0.5, 1, 2), p: opt(1, 2, 3), eps: opt(1e-6, 1e-3), swap: opt(true, false),
    }), tripletCall),
    smoothAt: (r: Recipe) => tripletSmooth(r, (a, b) =>
      pNormDistance(a, b, optionOf(r, "p", 2), optionOf(r, "eps", 1e-6))),
  },
  tripletMarginWithDistance: {
    rowGradients: true,
    fn: "tripletMarginWithDistanceLoss", module: "TripletMarginWithDistanceLoss",
    recipe: () => lossArb("tripletMarginWithDistance", fc.record({
      ...tripletShape(), margin: opt(0.5, 1), swap: opt(true, false),
      distance: fc.constantFrom("pairwise", "cosine"),
    }), tripletCall),
    smoothAt: (r: Recipe) => tripletSmooth(r, r.options.distance === "cosine" ? cosineDistance
      : (a, b) => pNormDistance(a, b, 2, 1e-6)),
  },
  crossEntropy: {
    rowGradients: true,
    fn: "crossEntropy", module: "CrossEntropyLoss",
    recipe: () => lossArb("crossEntropy", fc.record({
      ...classParams(), probabilities: fc.boolean(), labelSmoothing: opt(0, 0.1, 0.5),
    }), (rng, p) => {
      const call = p.probabilities ? probabilityTargetCall(rng, p)
        : indexTargetCall(rng, p, (shape, _) => floats(shape, normal(rng, 2), true, p.unbatched ? null : 0));
      (call.options as Record<string, unknown>).labelSmoothing = p.labelSmoothing;
      return call;
    }),
    meanOf: nllMean,
  },
  nll: {
    rowGradients: true,
    fn: "nllLoss", module: "NLLLoss",
    recipe: () => lossArb("nll", fc.record(classParams()), (rng, p) =>
      indexTargetCall(rng, p, (shape) => floats(shape, normal(rng, 2), true, p.unbatched ? null : 0))),
    meanOf: nllMean,
  },
  ctc: {
    rowGradients: true,
    fn: "ctcLoss", module: "CTCLoss",
    recipe: () => lossArb("ctc", fc.record({
      time: large ? fc.integer({ min: 40, max: 60 }) : fc.integer({ min: 1, max: 7 }),
      batch: large ? fc.integer({ min: 16, max: 24 }) : sizeArb(3),
      classes: large ? fc.integer({ min: 36, max: 40 }) : fc.integer({ min: 2, max: 5 }),
      unbatched: unbatchedArb(), padded: fc.boolean(), extraPadding: fc.integer({ min: 0, max: 2 }),
      blankLast: fc.boolean(), zeroInfinity: opt(true, false), lengthTensors: fc.boolean(),
    }).map((p) => (p.unbatched ? { ...p, batch: 1 } : p)), ctcCall),
    meanOf: (none: number[], r: Recipe) => {
      const lengths = (r.args[3] as { values: number[] }).values;
      return none.reduce((a, v, i) => a + v / Math.max(lengths[i], 1), 0) / none.length;
    },
    viaLogSoftmax: true,
  },
};

/** A multilabel-margin target row: distinct classes, then -1 and entries the loss ignores. */
function multilabelRow(rng: Prng, c: number): number[] {
  const classes = Array.from({ length: c }, (_, i) => i);
  for (let i = c - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [classes[i], classes[j]] = [classes[j], classes[i]];
  }
  const k = Math.floor(rng.next() * (c + 1));
  if (k === c) return classes;
  return [...classes.slice(0, k), -1, ...Array.from({ length: c - k - 1 }, () => Math.floor(rng.next() * (c + 1)) - 1)];
}

/** BCE's optional weight: the input's shape, or its last dimension broadcast. */
function elementWeight(rng: Prng, r: Omit<Recipe, "loss">): void {
  const shape = (r.args[0] as { shape: number[] }).shape;
  const kind = r.options.weight;
  delete r.options.weight;
  if (kind === "full") r.tensorOptions.weight = floats([...shape], uniform(rng, 0.2, 2), false);
  if (kind === "last" && shape.length > 0) {
    r.tensorOptions.weight = floats([shape[shape.length - 1]], uniform(rng, 0.2, 2), false,
      shape.length === 1 ? 0 : null);
  }
}

function buildSpecs(inLarge: boolean): Record<LossName, LossSpec> {
  large = inLarge;
  const specs = Object.fromEntries(
    LOSS_NAMES.map((name) => [name, { ...SPECS_SOURCE[name], recipe: SPECS_SOURCE[name].recipe() }]));
  large = false;
  return specs as Record<LossName, LossSpec>;
}

export const SPECS = buildSpecs(false);
/** The same losses over float32-kernel sizes (≥ 2¹⁵ elements for most of them). */
export const LARGE_SPECS = buildSpecs(true);

// ---------------------------------------------------------------------------------------------
// materialising and calling
// ---------------------------------------------------------------------------------------------

function tensorOf(spec: ArgSpec, dtype: FloatName, requiresGrad: boolean): Tensor | number[] {
  if (spec.kind === "lengths") {
    return spec.asTensor ? new Tensor(BigInt64Array.from(spec.values, BigInt), [spec.values.length])
      : [...spec.values];
  }
  if (spec.kind === "long") return new Tensor(BigInt64Array.from(spec.values, BigInt), spec.shape);
  const data = dtype === "float32" ? Float32Array.from(spec.values) : Float64Array.from(spec.values);
  const t = new Tensor(data, spec.shape);
  if (requiresGrad && spec.differentiable) t.requiresGrad = true;
  return t;
}

const DISTANCES: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  cosine: (a, b) => F.cosineSimilarity(a, b, { dim: -1 }).rsub(1),
};

/**
 * Fresh tensors for `r` in `dtype`; differentiable arguments require grad where
 * `requires(i)` says so (all of them by default). Tensor options never require grad.
 */
export function materialize(r: Recipe, dtype: FloatName,
  requires: (i: number) => boolean = () => true): Materialized {
  const args = r.args.map((a, i) => tensorOf(a, dtype, requires(i)));
  const options: Record<string, unknown> = { ...r.options };
  if ("distance" in options) {
    const name = options.distance as string;
    delete options.distance;
    if (name !== "pairwise") options.distanceFunction = DISTANCES[name];
  }
  for (const [key, spec] of Object.entries(r.tensorOptions)) options[key] = tensorOf(spec, dtype, false);
  return { args, options };
}

type AnyLoss = (...args: unknown[]) => Tensor;
type AnyModule = new (options?: object) => (...args: unknown[]) => Tensor;

/** Calls the loss of `r` on `m` in functional or module form with the given reduction. */
export function callLoss(r: Recipe, m: Materialized, reduction: ReductionName,
  form: "functional" | "module" = "functional"): Tensor {
  const spec = SPECS[r.loss];
  const options = { ...m.options, reduction };
  if (form === "functional") return (F[spec.fn] as unknown as AnyLoss)(...m.args, options);
  const Module = nn[spec.module] as unknown as AnyModule;
  return new Module(options)(...m.args);
}

/** The float tensors among the arguments. */
export function floatArgs(m: Materialized): Tensor[] {
  return m.args.filter((a): a is Tensor => a instanceof Tensor && a.isFloatingPoint());
}

/** Float64 copies of a tensor's values. */
export function valuesOf(t: Tensor): number[] {
  return Array.from(t.data as Float32Array | Float64Array, Number);
}
