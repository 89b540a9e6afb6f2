/** Runs a gaussian-nll fixture case, including torch 2.x's number `var` cases. */
import assert from "node:assert/strict";

import { gaussianNllLoss } from "../../src/functional.js";
import { GaussianNLLLoss } from "../../src/nn/index.js";
import { decodeFloat, decodeTensor, type Encoded } from "../helpers/fixtures.js";
import {
  type LossCase, assertError, assertTensorClose, captureWarnings, caseTolerance, leaf,
  runLossCase,
} from "./helpers.js";

type ScalarVarCase = LossCase & { scalarVar: Encoded };

/**
 * A torch 2.x case with a number `var`: `inputs` holds input and target; the expected result
 * and gradients are those of a var tensor filled with the number.
 */
function runScalarVarCase(c: ScalarVarCase): void {
  const [input, target] = c.inputs.map(leaf);
  const variance = decodeFloat(c.scalarVar);
  const call = () => (c.form === "module"
    ? new GaussianNLLLoss(c.options)(input, target, variance)
    : gaussianNllLoss(input, target, variance, c.options));
  const { value, warnings } = captureWarnings(() => {
    try {
      return { out: call() };
    } catch (error) {
      return { error };
    }
  });
  assert.deepEqual(warnings, c.warnings, `${c.name}: warnings`);
  if (c.error) return assertError(value.error, c.error, c.name);
  if (value.error) throw value.error;
  const out = value.out!;
  assertTensorClose(out, c.result!, `${c.name}: result`, caseTolerance(c));
  assert.equal(out.gradFn?.name() ?? null, c.result!.gradFn, `${c.name}: grad_fn`);
  if (c.upstream) out.mul(decodeTensor(c.upstream)).sum().backward();
  else out.backward();
  [input, target].forEach((t, i) => assertTensorClose(t.grad!,
    c.grads![c.inputNames![i]]!, `${c.name}: ${c.inputNames![i]}.grad`, caseTolerance(c)));
}

/** A case of test/fixtures/losses-gaussian-nll.json, tensor or number `var`. */
export function runGaussianCase(c: LossCase): void {
  if ("scalarVar" in c) runScalarVarCase(c as ScalarVarCase);
  else runLossCase(c);
}
