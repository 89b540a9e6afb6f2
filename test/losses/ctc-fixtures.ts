/** Runs the CTC loss fixtures (test/fixtures/losses-ctc.json), whose lengths may be lists. */
import assert from "node:assert/strict";

import { ctcLoss } from "../../src/functional.js";
import { CTCLoss } from "../../src/nn/index.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { decodeFloat, decodeTensor } from "../helpers/fixtures.js";
import {
  type LeafTensor, type LossCase, assertTensorClose, caseTolerance, leaf, runCaseWith,
} from "./helpers.js";

/** A positional argument: a tensor, a Python list of ints, or any other Python value. */
type ListItem = number | string | boolean | ListItem[];
type CtcInput = LeafTensor | { list: ListItem[] } | { value: unknown };

function decodeItem(v: ListItem): unknown {
  if (Array.isArray(v)) return v.map(decodeItem);
  return typeof v === "boolean" ? v : decodeFloat(v);
}

function decodeInput(enc: CtcInput): unknown {
  if ("list" in enc) return enc.list.map(decodeItem);
  if ("value" in enc) return enc.value;
  return leaf(enc);
}

type AnyCtc = (...args: unknown[]) => Tensor;

function callCase(c: LossCase, inputs: unknown[]): Tensor {
  if (c.form === "functional") return (ctcLoss as AnyCtc)(...inputs, c.options);
  const Module = CTCLoss as unknown as new (options: object) => AnyCtc;
  return new Module(c.options)(...inputs);
}

function checkGradients(c: LossCase, out: Tensor, inputs: unknown[]): void {
  if (c.upstream) out.mul(decodeTensor(c.upstream)).sum().backward();
  else out.backward();
  c.inputNames!.forEach((name, i) => {
    const expected = c.grads![name];
    const held = inputs[i];
    const actual = held instanceof Tensor ? held.grad : null;
    if (expected === null || expected === undefined) {
      assert.equal(actual, null, `${c.name}: ${name}.grad should be null`);
    } else {
      assert.ok(actual, `${c.name}: ${name}.grad is missing`);
      assertTensorClose(actual, expected, `${c.name}: ${name}.grad`, caseTolerance(c));
    }
  });
}

/** As helpers' runLossCase, with lengths that may be arrays (or any value, for TypeErrors). */
export function runCtcCase(c: LossCase): void {
  const inputs = (c.inputs as CtcInput[]).map(decodeInput);
  runCaseWith(c, () => callCase(c, inputs), (out) => checkGradients(c, out, inputs));
}
