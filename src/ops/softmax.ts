/** softmax and logSoftmax along a dim (numerically stable), with their gradients. */
import { record } from "../autograd/record.js";
import { check, warn } from "../errors.js";
import * as kernels from "../kernels/cpu.js";
import { markTransferable } from "../autograd/engine.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { type Lease, lease, spend } from "../kernels/buffers.js";
import { rowKernelsTake, softmaxBackwardRows, softmaxRows } from "../kernels/softmax.js";
import { argumentError, expectTensor, isPlainObject } from "../tensor/argument-kinds.js";
import { type DType, allocStorage, float32, float64 } from "../tensor/dtype.js";
import { normalizeDim, numelOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { dtypeTitle } from "./binary.js";

export type SoftmaxDim = number | { dim?: number | null; dtype?: DType } | null | undefined;

/** PyTorch's `_get_softmax_dim` for calls without a dim (deprecated there, with a warning). */
function implicitDim(fn: string, ndim: number): number {
  warn(`Implicit dimension choice for ${fn} has been deprecated. Change the call to include ` +
    "dim=X as an argument.");
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

function parse(fn: string, x: Tensor, arg: SoftmaxDim): { dim: number; input: Tensor } {
  expectTensor(fn, "input", 1, x);
  if (arg !== undefined && arg !== null && typeof arg !== "number" && !isPlainObject(arg)) {
    throw argumentError(fn, "dim", 2, "int", arg);
  }
  const options = isPlainObject(arg) ? arg : { dim: arg };
  const dim = normalizeDim(options.dim ?? implicitDim(fn, x.dim()), x.dim());
  const input = options.dtype ? x.to(options.dtype) : x;
  // 1.13 names both non-last-dim kernels "softmax_kernel_impl" (log_softmax's included).
  const kernel = dim >= x.dim() - 1 ? `${fn}_lastdim_kernel_impl` : "softmax_kernel_impl";
  check(input.dtype.isFloatingPoint, () => `"${kernel}" not implemented for ` +
    `'${dtypeTitle(input.dtype)}'`);
  return { dim, input };
}

function layout(shape: readonly number[], dim: number) {
  if (shape.length === 0) return { outer: 1, size: 1, inner: 1 };
  return { outer: numelOf(shape.slice(0, dim)), size: shape[dim],
    inner: numelOf(shape.slice(dim + 1)) };
}

type FloatData = Float32Array | Float64Array;

function compute(input: Tensor, dim: number, log: boolean): Tensor {
  const out = allocStorage(input.dtype, input.numel()) as FloatData;
  const x = input.data as FloatData;
  const shape = layout(input.shape, dim);
  if (!softmaxRows(x, shape, log, out)) kernels.softmax(x, shape, log, out);
  return new Tensor(out, input.shape);
}

/**
 * A buffer for the input's gradient, leased at forward time (see kernels/buffers.ts) so the row
 * kernels' backward writes it without allocating and the engine can keep it as `.grad`; null
 * when no gradient is needed or the composed formula will run.
 */
function gradientLease(input: Tensor, out: Tensor, dim: number): Lease | null {
  const kind = input.dtype === float32 ? "float32" : input.dtype === float64 ? "float64" : null;
  if (!kind || !isGradEnabled() || !input.requiresGrad) return null;
  if (!rowKernelsTake(out.data as FloatData, layout(out.shape, dim))) return null;
  return lease(kind, out.numel());
}

/** The row kernels' backward (last dim, WebAssembly), or null for the composed formula. */
function rowBackward(out: Tensor, g: Tensor, dim: number, log: boolean,
  held: Lease | null): Tensor | null {
  if (g.dtype !== out.dtype) return null;
  const reuse = held !== null && held.valid;
  const grad = reuse ? held.data : allocStorage(out.dtype, out.numel()) as FloatData;
  const done = softmaxBackwardRows(out.data as FloatData, g.data as FloatData,
    layout(out.shape, dim), log, grad);
  if (!done) return null;
  if (!reuse) return markTransferable(new Tensor(grad, out.shape));
  spend(held);
  return new Tensor(grad, out.shape);
}

export function softmax(x: Tensor, dim?: SoftmaxDim): Tensor {
  const { dim: d, input } = parse("softmax", x, dim);
  const out = compute(input, d, false);
  const held = gradientLease(input, out, d);
  // dx = y ⊙ (g − Σ g⊙y)
  return record("SoftmaxBackward0", out, [input], (g) => {
    const fast = rowBackward(out, g, d, false, held);
    if (fast) return [fast];
    const gy = g.mul(out);
    return [gy.sub(out.mul(gy.sum(d, true)))];
  });
}

export function logSoftmax(x: Tensor, dim?: SoftmaxDim): Tensor {
  const { dim: d, input } = parse("log_softmax", x, dim);
  const out = compute(input, d, true);
  const held = gradientLease(input, out, d);
  // dx = g − exp(y) ⊙ Σ g
  return record("LogSoftmaxBackward0", out, [input],
    (g) => [rowBackward(out, g, d, true, held) ?? g.sub(out.exp().mul(g.sum(d, true)))]);
}
