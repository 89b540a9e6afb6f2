/** Attaches a graph node to an op's output when grad mode is on and an input requires grad. */
import { isGradEnabled } from "./grad-mode.js";
import { AccumulateGrad, type BackwardFn, type Edge, FunctionNode, type Node } from "./node.js";
import type { Tensor } from "../tensor/tensor.js";

const accumulators = new WeakMap<Tensor, AccumulateGrad>();

/** The node a gradient for `t` flows into: its `gradFn`, or the leaf's AccumulateGrad. */
export function gradientEdge(t: Tensor): Node {
  if (t.gradFn) return t.gradFn;
  let acc = accumulators.get(t);
  if (!acc) {
    acc = new AccumulateGrad(t);
    accumulators.set(t, acc);
  }
  return acc;
}

export interface RecordOptions {
  /** Ops whose backward needs no saved tensor (add, view, sum…) may run backward twice. */
  savesTensors?: boolean;
}

/**
 * Records `out = op(inputs)` as node `name` with `backward(grad) → grads per input`.
 * Inputs that are not tensors requiring grad (null, int64 targets) get no edge.
 * The engine sums each gradient back to its input's shape and casts it to its dtype.
 */
export function record(
  name: string,
  out: Tensor,
  inputs: readonly (Tensor | null)[],
  backward: BackwardFn,
  options: RecordOptions = {},
): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t?.requiresGrad)) return out;
  const edges = inputs.map((t): Edge | null =>
    t && t.requiresGrad ? { node: gradientEdge(t), shape: t.shape, dtype: t.dtype } : null);
  out.setGradFn(new FunctionNode(name, edges, backward, options.savesTensors ?? true));
  return out;
}
