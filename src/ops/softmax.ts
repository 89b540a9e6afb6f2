/** softmax and logSoftmax along a dim (numerically stable), with their gradients. */
import { record } from "../autograd/record.js";
import { check, warn } from "../errors.js";
import * as kernels from "../kernels/cpu.js";
import type { ReduceLayout } from "../kernels/cpu.js";
import { markTransferable } from "../autograd/engine.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { type Lease, bufferKind, lease, spend } from "../kernels/buffers.js";
import { rounding } from "../kernels/pointwise-losses.js";
import { rowKernelsTake, softmaxBackwardRows, softmaxRows } from "../kernels/softmax.js";
import { isCollecting } from "../tensor/allocation-scope.js";
import { argumentError, expectTensor, isPlainObject } from "../tensor/argument-kinds.js";
import { type DType, allocStorage } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import { type SourceCell, Tensor } from "../tensor/tensor.js";
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
  check(input.dtype.isFloatingPoint, () => `"${dim >= x.dim() - 1 ? `${fn}_lastdim_kernel_impl`
    : "softmax_kernel_impl"}" not implemented for '${dtypeTitle(input.dtype)}'`);
  return { dim, input };
}

function layout(shape: readonly number[], dim: number): ReduceLayout {
  if (shape.length === 0) return { outer: 1, size: 1, inner: 1 };
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return { outer, size: shape[dim], inner };
}

type FloatData = Float32Array | Float64Array;

/** out = (log_)softmax(x) over the layout's rows: the row kernels, else the JS loop. */
function softmaxInto(x: FloatData, shape: ReduceLayout, log: boolean, out: FloatData): void {
  if (!softmaxRows(x, shape, log, out)) kernels.softmax(x, shape, log, out);
}

/** out = the input gradient from the output y and its gradient g (row kernels, else JS). */
function softmaxBackwardInto(y: FloatData, g: FloatData, shape: ReduceLayout, log: boolean,
  out: FloatData): void {
  if (!softmaxBackwardRows(y, g, shape, log, out)) {
    kernels.softmaxBackward(y, g, shape, log, rounding(out instanceof Float32Array), out);
  }
}

function compute(input: Tensor, dim: number, log: boolean): Tensor {
  const out = allocStorage(input.dtype, input.numel()) as FloatData;
  softmaxInto(input.data as FloatData, layout(input.shape, dim), log, out);
  return new Tensor(out, input.shape);
}

/**
 * A buffer for the input's gradient, leased at forward time (see kernels/buffers.ts) so the row
 * kernels' backward writes it without allocating and the engine can keep it as `.grad`; null
 * when no gradient is needed or the composed formula will run.
 */
function gradientLease(input: Tensor, out: Tensor, dim: number): Lease | null {
  if (!input.dtype.isFloatingPoint || !isGradEnabled() || !input.requiresGrad) return null;
  if (!rowKernelsTake(out.data as FloatData, layout(out.shape, dim))) return null;
  return lease(bufferKind(input.dtype), out.numel());
}

/**
 * The input gradient in one pass: the row kernels (last dim, WebAssembly) into the leased
 * buffer, else the JS loop; null (the composed formula runs) when g has another dtype.
 */
function rowBackward(out: Tensor, g: Tensor, dim: number, log: boolean,
  held: Lease | null): Tensor | null {
  if (g.dtype !== out.dtype) return null;
  const y = out.data as FloatData;
  const gd = g.data as FloatData;
  const shape = layout(out.shape, dim);
  if (held !== null && held.valid) return intoLease(held, out.shape, (grad) =>
    softmaxBackwardInto(y, gd, shape, log, grad));
  const grad = allocStorage(out.dtype, out.numel()) as FloatData;
  softmaxBackwardInto(y, gd, shape, log, grad);
  return markTransferable(new Tensor(grad, out.shape));
}

/** A gradient written into a leased buffer, handed to the engine (see kernels/buffers.ts). */
function intoLease(held: Lease, shape: readonly number[], write: (out: FloatData) => void):
  Tensor {
  write(held.data);
  spend(held);
  return new Tensor(held.data, shape);
}

/** A softmax / logSoftmax over rows whose values are not computed yet. */
export interface DeferredRows {
  readonly source: SourceCell;
  readonly log: boolean;
  readonly rows: number;
  readonly size: number;
}

const deferredRows = new WeakMap<Tensor, DeferredRows>();

/**
 * The result of `(log)softmax(input)` along the last dim, computed when first read, when the
 * row kernels take it: a fused consumer (klDiv) can then work from `input` in one pass instead
 * of reading and writing two full-size intermediates. Not inside a loss or a backward pass,
 * whose allocations are freed when they end.
 */
function deferred(input: Tensor, dim: number, log: boolean): Tensor | null {
  const shape = layout(input.shape, dim);
  if (isCollecting() || !rowKernelsTake(Tensor.storageOf(input) as FloatData, shape)) return null;
  const source = input.sourceCell();
  const out = Tensor.deferred(input.shape, input.dtype, () => {
    const x = source.read() as FloatData;
    const data = allocStorage(input.dtype, input.numel()) as FloatData;
    softmaxInto(x, shape, log, data);
    source.done();
    return data;
  });
  deferredRows.set(out, { source, log, rows: shape.outer, size: shape.size });
  return out;
}

/** How `t` will be computed, while it is a deferred (log)softmax whose values nobody read. */
export function deferredRowsOf(t: Tensor): DeferredRows | null {
  return t.isDeferred ? deferredRows.get(t) ?? null : null;
}

/**
 * The values of a pending deferred (log)softmax computed into a pooled buffer (buffers.ts) in
 * the kernels' memory instead of the tensor's own storage, for a fused consumer that reads
 * them without making them user-visible (the tensor stays deferred: a later read computes it
 * the same way). Null when `t` is not a pending deferred result.
 */
export function deferredIntoLease(t: Tensor): Lease | null {
  const rows = deferredRowsOf(t);
  if (!rows) return null;
  const held = lease(bufferKind(t.dtype), t.numel());
  softmaxInto(rows.source.read() as FloatData, { outer: rows.rows, size: rows.size, inner: 1 },
    rows.log, held.data);
  return held;
}

/**
 * The gradient LogSoftmaxBackward0 gives its input, g − exp(y)·Σg per row, from the output's
 * values y and their gradient g (rows of the last dim of `logp`'s shape), into a pooled buffer
 * handed to the engine (see buffers.ts).
 */
export function logSoftmaxInputGrad(y: FloatData, g: FloatData, logp: Tensor): Tensor {
  const shape = layout(logp.shape, logp.dim() - 1);
  return intoLease(lease(bufferKind(logp.dtype), logp.numel()), logp.shape, (out) =>
    softmaxBackwardInto(y, g, shape, true, out));
}

/**
 * Gradients a fused consumer computed for the logSoftmax input itself: `grad` is the gradient
 * it hands to `logp`'s node, which takes `inputGrad()` instead of running its own backward
 * when `grad` arrives there untouched (nothing else added to it or read it).
 */
const fusedGradients = new WeakMap<Tensor, { logp: Tensor; inputGrad: () => Tensor | null }>();

export function fuseThroughLogSoftmax(grad: Tensor, logp: Tensor,
  inputGrad: () => Tensor | null): Tensor {
  fusedGradients.set(grad, { logp, inputGrad });
  return grad;
}

function fusedInputGradient(g: Tensor, logp: Tensor): Tensor | null {
  const fused = fusedGradients.get(g);
  if (!fused || fused.logp !== logp || !g.isDeferred) return null;
  fusedGradients.delete(g);
  return fused.inputGrad();
}

export function softmax(x: Tensor, dim?: SoftmaxDim): Tensor {
  const { dim: d, input } = parse("softmax", x, dim);
  const lazy = deferred(input, d, false);
  const out = lazy ?? compute(input, d, false);
  const held = lazy ? null : gradientLease(input, out, d);
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
  const lazy = deferred(input, d, true);
  const out = lazy ?? compute(input, d, true);
  const held = lazy ? null : gradientLease(input, out, d);
  // dx = g − exp(y) ⊙ Σ g
  return record("LogSoftmaxBackward0", out, [input], (g) => [fusedInputGradient(g, out) ??
    rowBackward(out, g, d, true, held) ?? g.sub(out.exp().mul(g.sum(d, true)))]);
}
