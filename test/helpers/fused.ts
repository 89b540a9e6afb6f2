/**
 * Shared machinery of the fused-loss tests: a loss's value, grad_fn name and gradients after two
 * backward passes (the first retaining the graph), compared between the fused node and its
 * composite; and one WebAssembly-or-JS kernel call.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/torch.js";
import { type BackendName, withBackend } from "../../src/kernels/backend.js";
import { type DType, float32, float64 } from "../../src/tensor/dtype.js";
import type { Tensor } from "../../src/tensor/tensor.js";

/** The leaves' gradients as arrays, null where a leaf got none. */
export type Gradients = (number[] | null)[];

/** What one path produced. */
export interface BackwardTwice {
  value: number;
  name: string | undefined;
  first: Gradients;
  second: Gradients;
}

/** The leaves' gradients, then cleared. */
function takeGradients(leaves: Tensor[]): Gradients {
  const grads = leaves.map((t) => (t.grad ? [...(t.grad.data as Float32Array)] : null));
  leaves.forEach((t) => { t.grad = null; });
  return grads;
}

/** `out.backward(upstream)` twice through a retained graph, the gradients taken after each. */
export function backwardTwice(out: Tensor, leaves: Tensor[], upstream: number): BackwardTwice {
  const name = out.gradFn?.name();
  out.backward(torch.tensor(upstream, { dtype: out.dtype }), { retainGraph: true });
  const first = takeGradients(leaves);
  out.backward(torch.tensor(upstream, { dtype: out.dtype }));
  const second = takeGradients(leaves);
  return { value: out.item() as number, name, first, second };
}

/** A path as compared: its gradients null altogether where the loss needed none. */
type Backward = Pick<BackwardTwice, "name"> & { first: Gradients | null; second: Gradients | null };

/** The same grad_fn name and bit-identical gradients after both backward passes. */
export function assertSameBackward(fused: Backward, composite: Backward): void {
  assert.equal(fused.name, composite.name);
  assert.deepEqual(fused.first, composite.first);
  assert.deepEqual(fused.second, composite.second);
}

/** One case of the fused-vs-composite grid. */
export interface FusedCase {
  reduction: "mean" | "sum";
  dtype: DType;
  upstream: number;
}

/**
 * One test per loss × reduction × dtype × upstream (1 and ≠ 1), titled
 * `<label>, <reduction>, <dtype>, upstream <upstream>`.
 */
export function testFusedGrid<L>(losses: Record<string, L>,
  body: (loss: L, c: FusedCase) => void): void {
  for (const [label, loss] of Object.entries(losses)) {
    for (const reduction of ["mean", "sum"] as const) {
      for (const dtype of [float32, float64]) {
        for (const upstream of [1, 0.375]) {
          test(`${label}, ${reduction}, ${dtype.name}, upstream ${upstream}`,
            () => body(loss, { reduction, dtype, upstream }));
        }
      }
    }
  }
}

/** A forward kernel's sum and its n-element gradient, run on one backend path. */
export function kernelOn(path: BackendName, n: number, kernel: (g: Float32Array) => number):
  { sum: number; g: Float32Array } {
  return withBackend(path, () => {
    const g = new Float32Array(n);
    return { sum: kernel(g), g };
  });
}
