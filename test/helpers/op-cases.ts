/**
 * Runs one case of test/fixtures/ops.json: the program's result (dtype, shape, values,
 * grad_fn, requires_grad, contiguity), the gradients of Σ (out * w).sum() for each input, or
 * the error class and message.
 */
import assert from "node:assert/strict";

import { FLOAT_HINT } from "../../src/tensor/integer-hint.js";
import { TorchError } from "../../src/errors.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { assertTensorMatches } from "./compare.js";
import { type EncodedTensor, decodeTensor, encodeValue, loadFixture } from "./fixtures.js";
import { type Expr, runProgram } from "./program.js";

export interface TensorResult extends EncodedTensor {
  kind: "tensor";
  grad_fn: string | null;
  requires_grad: boolean;
  contiguous: boolean;
}

export type Result =
  | TensorResult
  | { kind: "tuple"; items: TensorResult[] }
  | { kind: "value"; value: unknown }
  | { kind: "none" };

export interface OpCase {
  name: string;
  group: string;
  note?: string;
  /** Set when float64 values were computed in float32 (compared with float32 tolerances). */
  precision?: "float32";
  inputs: EncodedTensor[];
  program: Expr[];
  result?: Result;
  error?: { type: string; message: string };
  weights?: (EncodedTensor | null)[];
  grads?: (EncodedTensor | null)[];
}

export interface OpsFixture {
  torch_version: string;
  cases: OpCase[];
}

function assertTensorResult(actual: unknown, expected: TensorResult, label: string): Tensor {
  assert.ok(actual instanceof Tensor, `${label}: expected a Tensor, got ${String(actual)}`);
  assertTensorMatches(actual, expected, label);
  assert.equal(actual.gradFn?.name() ?? null, expected.grad_fn, `${label}: grad_fn`);
  assert.equal(actual.requiresGrad, expected.requires_grad, `${label}: requires_grad`);
  assert.equal(actual.isContiguous(), expected.contiguous, `${label}: is_contiguous`);
  return actual;
}

/** Checks the result; returns the output tensors in order (for the upstream loss). */
function assertResult(actual: unknown, expected: Result): Tensor[] {
  switch (expected.kind) {
    case "none":
      assert.ok(actual === null || actual === undefined, `expected None, got ${String(actual)}`);
      return [];
    case "value":
      assert.deepEqual(encodeValue(actual), expected.value);
      return [];
    case "tensor":
      return [assertTensorResult(actual, expected, "result")];
    case "tuple": {
      assert.ok(Array.isArray(actual), "expected a tuple");
      assert.equal(actual.length, expected.items.length, "tuple length");
      return expected.items.map((item, i) => assertTensorResult(actual[i], item, `result[${i}]`));
    }
  }
}

function backwardThroughWeights(outputs: Tensor[], weights: (EncodedTensor | null)[]): void {
  let loss: Tensor | null = null;
  weights.forEach((w, i) => {
    if (!w) return;
    const term = outputs[i].mul(decodeTensor(w)).sum();
    loss = loss ? loss.add(term) : term;
  });
  if (loss) (loss as Tensor).backward();
}

function assertGrads(inputs: Tensor[], grads: (EncodedTensor | null)[],
  precision?: "float32"): void {
  grads.forEach((expected, i) => {
    const actual = inputs[i].grad;
    if (expected === null) {
      assert.equal(actual, null, `input ${i}: expected no grad`);
    } else {
      assert.ok(actual, `input ${i}: expected a grad`);
      assertTensorMatches(actual, expected, `grad of input ${i}`, precision);
    }
  });
}

/**
 * PyTorch's class and text exactly; where a program's int64 tensor came from JS integers and
 * the error asks for floats, our text adds the float hint after PyTorch's (API.md).
 */
function assertThrowsLikeTorch(run: () => unknown, error: { type: string; message: string }) {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof TorchError, `expected a TorchError, got ${String(e)}`);
    assert.equal(e.name, error.type);
    const hinted = e.message === error.message + FLOAT_HINT;
    assert.ok(hinted || e.message === error.message,
      `message:\n  got      ${e.message}\n  expected ${error.message}`);
    return true;
  });
}

export function runOpCase(c: OpCase): void {
  const inputs = c.inputs.map(decodeTensor);
  if (c.error) {
    assertThrowsLikeTorch(() => runProgram(c.program, inputs), c.error);
    return;
  }
  const outputs = assertResult(runProgram(c.program, inputs), c.result as Result);
  if (c.result?.kind !== "none") backwardThroughWeights(outputs, c.weights ?? []);
  assertGrads(inputs, c.grads ?? [], c.precision);
}

export function hasGradients(c: OpCase): boolean {
  return (c.grads ?? []).some((g) => g !== null);
}

let fixture: OpsFixture | null = null;

/** The cases of one group of ops.json. */
export function opCases(group: string): OpCase[] {
  fixture ??= loadFixture<OpsFixture>("ops.json");
  const cases = fixture.cases.filter((c) => c.group === group);
  assert.ok(cases.length > 0, `no cases in group ${group}`);
  return cases;
}
