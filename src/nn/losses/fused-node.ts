/**
 * The node a fused reducing loss records in place of its composite's graph: one pass computes
 * the sum of the loss terms and, into a leased buffer (kernels/buffers.ts), the input's
 * gradient for an upstream gradient of 1. Backward hands that buffer to the engine, or
 * recomputes it for another upstream gradient or a second pass through a retained graph; the
 * other operands' gradients are computed in backward, only for those that require grad.
 *
 * The node carries the name of the composite's last op (`MeanBackward0`, `SumBackward0`,
 * `DivBackward0` for KLDiv's 'batchmean') and repeats its rounding: PyTorch sums in the dtype
 * (float32 overflows to inf), then divides; the gradient scale is r(upstream / divisor).
 */
import { markTransferable } from "../../autograd/engine.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { type Lease, bufferKind, freshBuffer, lease, spend } from "../../kernels/buffers.js";
import type { Round } from "../../kernels/pointwise-losses.js";
import { asTensorOf } from "../../ops/promote.js";
import { float32, float64 } from "../../tensor/dtype.js";
import { sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { roundingOf } from "./common.js";

type FloatData = Float32Array | Float64Array;

export interface FusedLoss {
  /**
   * The composite's last op: 'mean' (`MeanBackward0`, dividing by `count`), 'sum'
   * (`SumBackward0`) or KLDiv's 'batchmean' (`DivBackward0`, dividing by the batch size).
   */
  readonly reduction: "mean" | "sum" | "batchmean";
  /** What 'mean' divides by: the input's elements unless the loss first reduced rows. */
  readonly count?: number;
  readonly input: Tensor;
  /** The other operands, in the node's order after the input. */
  readonly others: readonly Tensor[];
  /**
   * Σ of the loss terms; with `gx`, also the input's gradient for the scale s. Null declines
   * (nothing was recorded; the caller takes another path).
   */
  forward(gx: FloatData | null, s: number): number | null;
  /**
   * Writes the gradient of `others[k]` for the scale s into `out` (a fresh buffer of its size;
   * called only when it requires grad).
   */
  otherGrad?(k: number, s: number, out: FloatData): void;
  /** Sees the sum before the node is made (Gaussian checks var only when the sum is NaN). */
  check?(sum: number): void;
  /** What the node returns for the input, given its gradient (the KL chain wraps it). */
  inputGrad?(grad: () => Tensor | null, s: number): Tensor;
}

/** Whether the operands share the first one's float dtype (float32/float64) and shape. */
export function sameFloatOperands(first: Tensor, ...rest: Tensor[]): boolean {
  const { dtype, shape } = first;
  return (dtype === float32 || dtype === float64) &&
    rest.every((t) => t.dtype === dtype && sameShape(t.shape, shape));
}

/** The scalar loss with its node, or null when `forward` declined. */
export function fusedLoss(spec: FusedLoss): Tensor | null {
  const { input, reduction } = spec;
  const divisor = reduction === "mean" ? spec.count ?? input.numel()
    : reduction === "batchmean" ? input.shape[0] : 1;
  const dtype = input.dtype;
  const r = roundingOf(dtype);
  const held = isGradEnabled() && input.requiresGrad ? lease(bufferKind(dtype), input.numel()) : null;
  const sum = spec.forward(held?.data ?? null, scaled(1, divisor, r));
  if (sum === null) {
    if (held) spend(held);
    return null;
  }
  spec.check?.(sum);
  const value = divisor === 1 ? r(sum) : r(r(sum) / divisor);
  const out = new Tensor(new (dtype === float32 ? Float32Array : Float64Array)([value]), []);
  return record(NODE_NAMES[reduction], out, [input, ...spec.others],
    (grad) => fusedBackward(spec, held, divisor, grad));
}

const NODE_NAMES = { mean: "MeanBackward0", sum: "SumBackward0", batchmean: "DivBackward0" };

/** The gradient scale for the upstream gradient g: r(g / divisor). */
function scaled(g: number, divisor: number, r: Round): number {
  return divisor === 1 ? g : r(g / divisor);
}

function fusedBackward(spec: FusedLoss, held: Lease | null, divisor: number,
  grad: Tensor): (Tensor | null)[] {
  const dtype = spec.input.dtype;
  const u = (asTensorOf(grad, dtype).data as FloatData)[0];
  const s = scaled(u, divisor, roundingOf(dtype));
  const grads: (Tensor | null)[] = [null];
  for (let k = 0; k < spec.others.length; k++) {
    grads.push(spec.others[k].requiresGrad ? otherGradient(spec, k, s) : null);
  }
  if (held) {
    grads[0] = spec.inputGrad ? spec.inputGrad(() => inputGradient(spec, held, u, s), s)
      : inputGradient(spec, held, u, s);
  }
  return grads;
}

/**
 * The input's gradient: the forward's buffer for upstream 1 on the first pass, else computed
 * again into a fresh one (null if `forward` now declines).
 */
function inputGradient(spec: FusedLoss, held: Lease, u: number, s: number): Tensor | null {
  const { input } = spec;
  const reuse = held.valid && u === 1;
  spend(held);
  if (reuse) return new Tensor(held.data, input.shape);
  const data = freshBuffer(bufferKind(input.dtype), input.numel());
  if (spec.forward(data, s) === null) return null;
  return markTransferable(new Tensor(data, input.shape));
}

function otherGradient(spec: FusedLoss, k: number, s: number): Tensor {
  const other = spec.others[k];
  const data = freshBuffer(bufferKind(spec.input.dtype), other.numel());
  spec.otherGrad!(k, s, data);
  return new Tensor(data, other.shape);
}
