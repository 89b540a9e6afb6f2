/**
 * Graph nodes. A tensor produced by a differentiable op holds the node that produced it
 * (`gradFn`); a leaf that requires grad is reached through its `AccumulateGrad` node.
 * `name()` is the class name PyTorch 1.13 shows, e.g. `NllLossBackward0`.
 */
import { RuntimeError } from "../errors.js";
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";

/** Gradients for each input of a node, aligned with its inputs; null where none flows. */
export type InputGrads = readonly (Tensor | null | undefined)[];
export type BackwardFn = (grad: Tensor) => InputGrads;

/** Where a node sends the gradient for one of its inputs, with that input's metadata. */
export interface Edge {
  readonly node: Node;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export abstract class Node {
  abstract name(): string;
  abstract readonly edges: readonly (Edge | null)[];

  /** PyTorch's `next_functions`: `[node, 0]` pairs, `[null, 0]` for inputs without grad. */
  get nextFunctions(): [Node | null, number][] {
    return this.edges.map((e) => [e ? e.node : null, 0]);
  }

  toString(): string {
    return `<${this.name()}>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

export class AccumulateGrad extends Node {
  readonly edges: readonly (Edge | null)[] = [];

  constructor(readonly variable: Tensor) {
    super();
  }

  name(): string {
    return "torch::autograd::AccumulateGrad";
  }
}

const FREED_MESSAGE =
  "Trying to backward through the graph a second time (or directly access saved tensors " +
  "after they have already been freed). Saved intermediate values of the graph are freed " +
  "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to " +
  "backward through the graph a second time or if you need to access saved tensors after " +
  "calling backward.";

export class FunctionNode extends Node {
  private backwardFn: BackwardFn | null;

  constructor(
    private readonly nodeName: string,
    readonly edges: readonly (Edge | null)[],
    backward: BackwardFn,
    /** False for ops that save no tensors; PyTorch lets those run backward twice. */
    private readonly savesTensors: boolean,
  ) {
    super();
    this.backwardFn = backward;
  }

  name(): string {
    return this.nodeName;
  }

  apply(grad: Tensor): InputGrads {
    if (!this.backwardFn) throw new RuntimeError(FREED_MESSAGE);
    return this.backwardFn(grad);
  }

  /** Drops saved tensors after a backward pass without `retainGraph`. */
  release(): void {
    if (this.savesTensors) this.backwardFn = null;
  }
}
