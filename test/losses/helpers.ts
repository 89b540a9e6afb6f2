/**
 * Runs the loss fixtures written by scripts/fixtures/gen_losses.py (test/fixtures/losses-*.json):
 * one call of a loss in functional or module form, checked against torch 1.13 for the result
 * (dtype, shape, values, grad_fn), the gradients of (out * w).sum() (or out.backward() for a
 * 0-dim result), the warnings emitted, or the error class and message.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { type WarningHandler, resetWarnings, setWarningHandler } from "../../src/errors.js";
import * as F from "../../src/functional.js";
import * as nn from "../../src/nn/index.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { TOLERANCES, type Tolerance, floatsClose } from "../helpers/compare.js";
import {
  type EncodedTensor, decodeFloat, decodeTensor, loadFixture,
} from "../helpers/fixtures.js";

export interface LeafTensor extends EncodedTensor {
  requiresGrad: boolean;
}

export interface ExpectedError {
  type: string;
  message: string;
  /** Our message may append a hint after PyTorch's text. */
  prefix?: boolean;
}

export interface LossCase {
  name: string;
  /** The functional form's name in `torch.nn.functional` (`crossEntropy`). */
  fn: string;
  /** The module class in `torch.nn` for `form: "module"` (default: from {@link MODULES}). */
  module?: string;
  form: "functional" | "module";
  /** The positional tensors, in PyTorch's order. */
  inputs: LeafTensor[];
  /** Their PyTorch argument names (default `["input", "target"]`), which key `grads`. */
  inputNames?: string[];
  options: Record<string, unknown>;
  rawKeys?: string[];
  result?: EncodedTensor & { gradFn: string | null };
  upstream?: EncodedTensor | null;
  /** Gradients by argument name: positional inputs, then tensor options (`weight`). */
  grads?: Record<string, EncodedTensor | null> | null;
  warnings: string[];
  error?: ExpectedError;
  deviation?: string;
}

export interface LossFixture {
  torch_version: string;
  loss: string;
  cases: LossCase[];
}

/** The cases of `test/fixtures/losses-<loss>.json`. */
export function loadLossCases(loss: string): LossCase[] {
  const fixture = loadFixture<LossFixture>(`losses-${loss}.json`);
  assert.equal(fixture.torch_version, "1.13.0a0");
  return fixture.cases;
}

/** A fresh leaf with the encoded data, requiring grad as recorded. */
export function leaf(enc: LeafTensor): Tensor {
  const t = decodeTensor(enc);
  if (enc.requiresGrad) t.requiresGrad = true;
  return t;
}

function isEncodedTensor(v: unknown): v is LeafTensor {
  return typeof v === "object" && v !== null && "dtype" in v && "data" in v;
}

/**
 * JS functions that fixtures name in their options (`{"function": "pairwiseDistance"}`), for
 * options that take a function, such as `distanceFunction`.
 */
export const NAMED_FUNCTIONS: Record<string, unknown> = {};

function decodeOption(value: unknown): unknown {
  if (isEncodedTensor(value)) return leaf(value);
  if (typeof value === "object" && value !== null && "function" in value) {
    const name = (value as { function: string }).function;
    assert.ok(name in NAMED_FUNCTIONS, `fixture names an unknown function '${name}'`);
    return NAMED_FUNCTIONS[name];
  }
  // Non-finite and negative-zero float options are encoded as strings ("inf", "-0").
  if (typeof value === "string" && ["nan", "inf", "-inf", "-0"].includes(value)) {
    return decodeFloat(value);
  }
  return value;
}

/** Options with encoded tensors as fresh leaves and named functions resolved. */
export function decodeOptions(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, decodeOption(v)]));
}

type AnyLoss = (...args: unknown[]) => Tensor;
type AnyModuleClass = new (options?: object) => (...tensors: Tensor[]) => Tensor;

/** The module class of each functional form whose fixtures predate the `module` field. */
const MODULES: Record<string, string> = {
  l1Loss: "L1Loss",
  mseLoss: "MSELoss",
  nllLoss: "NLLLoss",
  crossEntropy: "CrossEntropyLoss",
  klDiv: "KLDivLoss",
};

function functionalOf(c: LossCase): AnyLoss {
  const fn = (F as Record<string, unknown>)[c.fn];
  assert.equal(typeof fn, "function", `${c.name}: no F.${c.fn}`);
  return fn as AnyLoss;
}

function moduleOf(c: LossCase): AnyModuleClass {
  const name = c.module ?? MODULES[c.fn];
  const cls = (nn as Record<string, unknown>)[name];
  assert.equal(typeof cls, "function", `${c.name}: no nn.${name}`);
  return cls as AnyModuleClass;
}

/** Runs `body` with warnings captured (each case starts with none shown yet). */
export function captureWarnings<T>(body: () => T): { value: T; warnings: string[] } {
  const warnings: string[] = [];
  resetWarnings();
  const previous: WarningHandler = setWarningHandler((m) => warnings.push(m));
  try {
    return { value: body(), warnings };
  } finally {
    setWarningHandler(previous);
    resetWarnings();
  }
}

function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The error class name and PyTorch's exact message (or, for `prefix`, PyTorch's text + hint). */
export function assertError(error: unknown, expected: ExpectedError, label: string): void {
  assert.ok(error instanceof Error, `${label}: expected ${expected.type}: ${expected.message}, ` +
    `but nothing was thrown`);
  assert.equal(error.name, expected.type, `${label}: error class (message: ${error.message})`);
  if (!expected.prefix) {
    assert.equal(error.message, expected.message, `${label}: error message`);
    return;
  }
  assert.ok(error.message.startsWith(expected.message),
    `${label}: '${error.message}' should start with PyTorch's '${expected.message}'`);
  const key = /'([^']+)'$/.exec(expected.message)![1];
  assert.equal(error.message.slice(expected.message.length),
    ` (torchloss option names are camelCase: use '${camelCase(key)}')`, `${label}: hint`);
}

/**
 * The tolerance of a case: that of the least precise floating dtype among its tensors. A float64
 * result computed from float32 operands (type promotion) carries float32 rounding from the
 * float32 intermediates (e.g. log_softmax of a float32 input), which PyTorch computes with its
 * own float32 kernels; only float32-sized agreement is meaningful there.
 */
export function caseTolerance(c: LossCase): Tolerance {
  const tensors = [...c.inputs, ...Object.values(c.options).filter(isEncodedTensor)];
  return tensors.some((t) => t.dtype === "float32") ? TOLERANCES.float32 : TOLERANCES.float64;
}

/**
 * dtype and shape exact; int64/bool values exact; floats within atol + rtol·|e| of the least
 * precise of `tol` and the tensor's own dtype tolerance; NaN only against NaN, ±inf only
 * against the same infinity, ±0 only against the same zero.
 */
export function assertTensorClose(actual: Tensor, expected: EncodedTensor, label: string,
  tol: Tolerance): void {
  assert.equal(actual.dtype.name, expected.dtype, `${label}: dtype`);
  assert.deepEqual([...actual.shape], expected.shape, `${label}: shape`);
  const own = expected.dtype === "float32" ? TOLERANCES.float32 : tol;
  const bad: string[] = [];
  expected.data.forEach((e, i) => {
    const a = actual.data[i];
    const ok = expected.dtype === "int64" ? a === BigInt(e as string)
      : expected.dtype === "bool" ? a === (e ? 1 : 0)
        : floatsClose(a as number, decodeFloat(e), own) && sameZero(a as number, decodeFloat(e));
    if (!ok) bad.push(`[${i}] got ${String(a)}, expected ${String(e)}`);
  });
  assert.equal(bad.length, 0, `${label}: ${bad.length} of ${expected.data.length} values ` +
    `differ (${expected.dtype}, rtol ${own.rtol}, atol ${own.atol}):\n  ` +
    bad.slice(0, 8).join("\n  "));
}

/** A zero must carry PyTorch's sign (the golden values show −0 where PyTorch gives it). */
function sameZero(actual: number, expected: number): boolean {
  return expected !== 0 || Object.is(actual, expected);
}

function callLoss(c: LossCase, inputs: Tensor[], options: Record<string, unknown>): Tensor {
  if (c.form === "functional") return functionalOf(c)(...inputs, options);
  const Module = moduleOf(c);
  return new Module(options)(...inputs);
}

/** Runs one fixture case: result or error, warnings, then the gradients. */
export function runLossCase(c: LossCase): void {
  const inputs = c.inputs.map(leaf);
  const options = decodeOptions(c.options);
  runCaseWith(c, () => callLoss(c, inputs, options),
    (out) => checkGradients(c, out, inputs, options));
}

/**
 * Checks one case's outcome: the error, or the result and then `checkGrads(out)` when the case
 * has gradients; and the warnings `call` emitted.
 */
export function runCaseWith(c: LossCase, call: () => Tensor,
  checkGrads: (out: Tensor) => void): void {
  const { value: outcome, warnings } = captureWarnings(() => {
    try {
      return { out: call() };
    } catch (error) {
      return { error };
    }
  });
  if (c.error) {
    assertError(outcome.error, c.error, c.name);
  } else {
    if (outcome.error) throw outcome.error;
    const out = outcome.out!;
    assertTensorClose(out, c.result!, `${c.name}: result`, caseTolerance(c));
    assert.equal(out.gradFn?.name() ?? null, c.result!.gradFn, `${c.name}: grad_fn`);
    if (c.grads) checkGrads(out);
  }
  assert.deepEqual(warnings, c.warnings, `${c.name}: warnings`);
}

/** Backpropagates the case's upstream and checks every recorded gradient. */
export function checkGradients(c: LossCase, out: Tensor, inputs: Tensor[],
  options: Record<string, unknown>): void {
  if (c.upstream) out.mul(decodeTensor(c.upstream)).sum().backward();
  else out.backward();
  const names = c.inputNames ?? ["input", "target"];
  const leaves: Record<string, unknown> = { ...options };
  names.forEach((name, i) => (leaves[name] = inputs[i]));
  for (const [key, expected] of Object.entries(c.grads!)) {
    const held = leaves[key];
    const actual = held instanceof Tensor ? held.grad : null;
    if (expected === null) {
      assert.equal(actual, null, `${c.name}: ${key}.grad should be null`);
    } else {
      assert.ok(actual, `${c.name}: ${key}.grad is missing`);
      assertTensorClose(actual, expected, `${c.name}: ${key}.grad`, caseTolerance(c));
    }
  }
}

/** Every case counted by kind, for the report line of each test file. */
export function countCases(cases: LossCase[]) {
  return {
    values: cases.filter((c) => c.result).length,
    gradients: cases.filter((c) => c.grads && Object.values(c.grads).some((g) => g)).length,
    warnings: cases.filter((c) => c.warnings.length > 0).length,
    errors: cases.filter((c) => c.error).length,
  };
}

/** A seeded PRNG (mulberry32) for the gradcheck inputs: tests never use Math.random. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A float64 leaf requiring grad with values `lo + (hi − lo)·u`, u uniform in [0, 1). */
export function uniform64(random: () => number, shape: number[], lo = -2, hi = 2): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float64Array.from({ length: n }, () => lo + (hi - lo) * random());
  const t = new Tensor(data, shape);
  t.requiresGrad = true;
  return t;
}

/** An int64 tensor of class indices in [0, classes). */
export function classIndices(random: () => number, shape: number[], classes: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(BigInt64Array.from({ length: n },
    () => BigInt(Math.floor(random() * classes))), shape);
}

/** The leading `// 'tensor(…)'` result line of a source file's `@example`. */
export function exampleResult(sourceFile: string): string {
  const text = readFileSync(new URL(`../../src/nn/losses/${sourceFile}`, import.meta.url), "utf8");
  const match = /@example[\s\S]*?\/\/ '([^']*)'/.exec(text);
  assert.ok(match, `${sourceFile}: no @example result`);
  return match[1];
}

/** Makes the first target `ignored` and the last one a kept class (≠ `ignored`). */
export function ignoreFirst(target: Tensor, ignored: number): void {
  const data = target.data as BigInt64Array;
  if (data.length > 1) data[0] = BigInt(ignored);
  data[data.length - 1] = BigInt(ignored === 0 ? 1 : 0);
}

/** A float tensor's values as a plain array (for deepEqual). */
export function values(t: Tensor): number[] {
  return Array.from(t.data as Float32Array | Float64Array);
}
