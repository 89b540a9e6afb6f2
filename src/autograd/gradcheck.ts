/**
 * `torch.autograd.gradcheck`: compares the Jacobian from backward() with central finite
 * differences, entry by entry, |analytical − numerical| ≤ atol + rtol·|numerical|.
 * Inputs should be float64 leaves with `requiresGrad`, as in PyTorch.
 */
import { RuntimeError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "./grad-mode.js";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw a GradcheckError describing the mismatch (default) instead of returning false. */
  raiseException?: boolean;
}

export class GradcheckError extends RuntimeError {
  override name = "GradcheckError";
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const out = fn(...inputs);
  return out instanceof Tensor ? [out] : [...out];
}

/** Flattened output values of `fn` as float64, for finite differences. */
function evaluate(fn: Fn, inputs: Tensor[]): Float64Array[] {
  return noGrad(() => outputsOf(fn, inputs).map((t) => Float64Array.from(t.data, Number)));
}

/** numerical[o][i][k] = ∂out_o[k] / ∂in_i[j] at column j, by central differences. */
function numericalJacobian(fn: Fn, inputs: Tensor[], eps: number): Float64Array[][][] {
  const counts = evaluate(fn, inputs).map((o) => o.length);
  return inputs.map((input) => {
    const data = input.data as Float64Array;
    const columns = counts.map((n) => Array.from({ length: n }, () => new Float64Array(data.length)));
    for (let j = 0; j < data.length; j++) {
      const saved = data[j];
      data[j] = saved + eps;
      const plus = evaluate(fn, inputs);
      data[j] = saved - eps;
      const minus = evaluate(fn, inputs);
      data[j] = saved;
      plus.forEach((p, o) => p.forEach((v, k) => (columns[o][k][j] = (v - minus[o][k]) / (2 * eps))));
    }
    return columns;
  }).reduce<Float64Array[][][]>((acc, perInput, i) => {
    perInput.forEach((rows, o) => ((acc[o] ??= [])[i] = rows));
    return acc;
  }, []);
}

/** analytical[o][i][k] = the gradient of out_o[k] w.r.t. input i, via backward(one-hot). */
function analyticalJacobian(fn: Fn, inputs: Tensor[]): Float64Array[][][] {
  const outputs = outputsOf(fn, inputs);
  return outputs.map(() => inputs.map(() => [] as Float64Array[])).map((perInput, o) => {
    const out = outputs[o];
    for (let k = 0; k < out.numel(); k++) {
      for (const x of inputs) x.grad = null;
      if (out.requiresGrad) {
        const seed = out.zerosLike();
        (seed.data as Float64Array)[k] = 1;
        out.backward(seed, { retainGraph: true });
      }
      inputs.forEach((x, i) => perInput[i].push(x.grad ? Float64Array.from(x.grad.data, Number)
        : new Float64Array(x.numel())));
    }
    return perInput;
  });
}

export function gradcheck(fn: Fn, inputs: Tensor[], options: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = options;
  const numerical = numericalJacobian(fn, inputs, eps);
  const analytical = analyticalJacobian(fn, inputs);
  for (let o = 0; o < analytical.length; o++) {
    for (let i = 0; i < inputs.length; i++) {
      const a = analytical[o][i];
      const n = numerical[o][i];
      const bad = a.some((row, k) => row.some((v, j) =>
        !(Math.abs(v - n[k][j]) <= atol + rtol * Math.abs(n[k][j]))));
      if (!bad) continue;
      for (const x of inputs) x.grad = null;
      if (!raiseException) return false;
      throw new GradcheckError(`Jacobian mismatch for output ${o} with respect to input ${i},` +
        `\nnumerical:${formatRows(n)}\nanalytical:${formatRows(a)}\n`);
    }
  }
  for (const x of inputs) x.grad = null;
  return true;
}

function formatRows(rows: Float64Array[]): string {
  return rows.map((r) => `\n[${Array.from(r).join(", ")}]`).join("");
}
