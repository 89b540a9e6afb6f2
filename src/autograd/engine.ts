/**
 * Reverse-mode backward pass (`Tensor.backward`): visits the graph below the output in
 * topological order, sums the gradients reaching each node, and accumulates them into the
 * `.grad` of leaves. Broadcast gradients are summed back to each input's shape here, in one
 * place, so no op has to do it.
 *
 * Gradient ownership. Accumulating a leaf's first gradient normally copies it into a new
 * `.grad`, because the incoming tensor may alias something else: the user's `gradient`
 * argument, a saved tensor, a pooled kernel buffer the next forward overwrites, or the same
 * `g` that a pass-through node (Add/View-style) forwards to several inputs. PyTorch instead
 * steals a gradient nothing else references. Lacking refcounts, the rule here is explicit:
 * a gradient may become `.grad` without a copy only when its producer vouched that no one
 * else holds it, either by {@link markTransferable} on the tensor (a backward that allocated
 * a fresh gradient and keeps no reference) or through the buffer pool's hand-over
 * (`claimSpent` in kernels/buffers.ts: a spent lease's buffer leaves the pool for good). A
 * mark is consumed by the first steal, so a tensor reaching two leaves is copied for the
 * second, and every unmarked gradient is copied as before. Later gradients are added into the
 * existing `.grad` in place, as PyTorch's AccumulateGrad does. A `.grad` made from a claimed
 * pool buffer or from the engine's own copy is recorded as recyclable (recycling.ts): if user
 * code never reads it, dropping it returns its storage to the pool.
 */
import { RuntimeError, check } from "../errors.js";
import { denseStrides, sameShape, sizeString } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { noGrad } from "./grad-mode.js";
import { AccumulateGrad, type Edge, FunctionNode, type Node } from "./node.js";
import { gradientEdge } from "./record.js";
import { sumToShape } from "../ops/reduce.js";
import { claimSpent } from "../kernels/buffers.js";
import { binaryFast } from "../kernels/elementwise.js";
import { ownGradient } from "./recycling.js";
import { releaseTemporaries, releaseUnlessKept, takeTemporaries } from "./temporaries.js";
import { type PlacedStorage, collectingInto } from "../tensor/allocation-scope.js";

/** Gradients whose producer keeps no reference: the first leaf to receive one may keep it. */
const transferable = new WeakSet<Tensor>();

/**
 * Vouches that nothing but the engine will reference `grad` (fresh storage, not saved, not
 * pooled, not returned anywhere else). Returns it.
 */
export function markTransferable(grad: Tensor): Tensor {
  transferable.add(grad);
  return grad;
}

export interface BackwardOptions {
  retainGraph?: boolean;
}

export function backward(output: Tensor, gradient?: Tensor | null, options: BackwardOptions = {}) {
  check(output.requiresGrad, () =>
    "element 0 of tensors does not require grad and does not have a grad_fn");
  const seed = initialGradient(output, gradient);
  noGrad(() => run(gradientEdge(output), seed, options.retainGraph ?? false));
}

function initialGradient(output: Tensor, gradient: Tensor | null | undefined): Tensor {
  if (gradient === undefined || gradient === null) {
    check(output.numel() === 1, () => "grad can be implicitly created only for scalar outputs");
    return output.onesLike();
  }
  check(sameShape(gradient.shape, output.shape), () =>
    `Mismatch in shape: grad_output[0] has a shape of ${sizeString(gradient.shape)} and ` +
    `output[0] has a shape of ${sizeString(output.shape)}.`);
  return gradient.to(output.dtype);
}

function topologicalOrder(root: Node): Node[] {
  const order: Node[] = [];
  const visited = new Set<Node>([root]);
  const stack: [Node, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, next] = top;
    if (next < node.edges.length) {
      top[1]++;
      const edge = node.edges[next];
      if (edge && !visited.has(edge.node)) {
        visited.add(edge.node);
        stack.push([edge.node, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

function run(root: Node, seed: Tensor, retainGraph: boolean): void {
  // Without retainGraph, what this pass allocates is dead once it ends, except the leaves'
  // .grad storage (autograd/temporaries.ts); a retained graph may still be walked again.
  const allocated: PlacedStorage[] | null = retainGraph ? null : [];
  const released: PlacedStorage[][] = [];
  const leaves: Tensor[] = [];
  collectingInto(allocated, () => {
    const pending = new Map<Node, Tensor>([[root, seed]]);
    for (const node of topologicalOrder(root)) {
      const grad = pending.get(node);
      pending.delete(node);
      if (!grad) continue;
      if (node instanceof AccumulateGrad) {
        accumulate(node.variable, grad);
        leaves.push(node.variable);
        continue;
      }
      const fn = node as FunctionNode;
      const inputGrads = fn.apply(grad);
      if (!retainGraph) {
        fn.release();
        const temps = takeTemporaries(fn);
        if (temps) released.push(temps);
      }
      for (let i = 0; i < fn.edges.length; i++) {
        const edge = fn.edges[i];
        const g = inputGrads[i];
        if (edge && g) addPending(pending, edge, conform(g, edge));
      }
    }
  });
  releaseTemporaries(released);
  if (allocated) releaseUnlessKept(allocated, leaves.map((leaf) => leaf.peekGrad()));
}

/** Sums a broadcast gradient back to the input's shape and casts it to the input's dtype. */
function conform(grad: Tensor, edge: Edge): Tensor {
  let g = sameShape(grad.shape, edge.shape) ? grad : markTransferable(sumToShape(grad,
    edge.shape));
  if (g.dtype !== edge.dtype) g = markTransferable(g.to(edge.dtype));
  if (!sameShape(g.shape, edge.shape)) {
    throw new RuntimeError(`Function ${edge.node.name()} returned an invalid gradient - ` +
      `got ${sizeString(g.shape)} but expected shape compatible with ${sizeString(edge.shape)}`);
  }
  return g;
}

function addPending(pending: Map<Node, Tensor>, edge: Edge, grad: Tensor): void {
  const previous = pending.get(edge.node);
  pending.set(edge.node, previous ? markTransferable(previous.add(grad)) : grad);
}

/**
 * Like AccumulateGrad: a new `.grad` takes the leaf's layout (when dense) and keeps it; an
 * existing one is added to in place (`variable_grad += new_grad`), so a user holding `x.grad`
 * sees the sum, as in PyTorch.
 */
function accumulate(leaf: Tensor, grad: Tensor): void {
  const existing = leaf.peekGrad();
  if (existing) {
    if (!addInPlace(existing, grad)) {
      const sum = existing.add(grad);
      sum.torchStrides = existing.torchStrides;
      leaf.grad = sum;
    }
    return;
  }
  const kept = steal(grad) ?? ownGradient(grad.detach().clone());
  kept.torchStrides = denseStrides(leaf.shape, leaf.torchStrides);
  leaf.grad = kept;
}

/** `into += grad` on same-shaped float storage (false, doing nothing, otherwise). */
function addInPlace(into: Tensor, grad: Tensor): boolean {
  const a = into.data;
  const b = grad.data;
  if (!sameShape(into.shape, grad.shape) || into.dtype !== grad.dtype) return false;
  if (!(a instanceof Float32Array || a instanceof Float64Array)) return false;
  return binaryFast("add", a, b as typeof a, a);
}

/**
 * The gradient itself as a new `.grad` when its producer gave it up (see the header), else
 * null. The storage is dense and contiguous (every tensor's is); only the strides PyTorch
 * would show differ, which the caller sets.
 */
function steal(grad: Tensor): Tensor | null {
  if (grad.requiresGrad) return null;
  const owned = transferable.has(grad);
  if (owned) {
    transferable.delete(grad);
    return ownGradient(grad.detach(), "memory");
  }
  return claimSpent(grad.data) ? ownGradient(grad.detach()) : null;
}
