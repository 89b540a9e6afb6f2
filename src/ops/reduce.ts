/** Reductions over all elements or over `dim`s, with `keepdim`, and their gradients. */
import { markTransferable as fresh } from "../autograd/engine.js";
import { record } from "../autograd/record.js";
import { RuntimeError, IndexError, TorchTypeError, check } from "../errors.js";
import * as kernels from "../kernels/cpu.js";
import { rowsBackwardSimd, rowsSimd, simdTakes, sumSimd } from "../kernels/fast-ops.js";
import { isPlainObject, kindName } from "../tensor/argument-kinds.js";
import { type DType, type Storage, allocStorage, bool, int64 } from "../tensor/dtype.js";
import { contiguousStrides, normalizeDims, numelOf, sameShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { dtypeTitle, logicalOr, where } from "./binary.js";
import { expand } from "./shape.js";

export type DimArg = number | readonly number[] | null;

export interface ReduceOptions {
  dim?: DimArg;
  keepdim?: boolean;
  /** Cast the input to this dtype before reducing (`sum`/`mean` only). */
  dtype?: DType;
}

interface ReduceArgs {
  /** Normalized reduced dims; all dims when the call gave none. */
  dims: number[];
  /** Whether the call named dims (PyTorch's overloads, e.g. SumBackward0 vs SumBackward1). */
  hasDim: boolean;
  keepdim: boolean;
  dtype?: DType;
}

/**
 * Accepts `(dim, keepdim)`, `(dim, { keepdim })` and `({ dim, keepdim })`; `fn` names the op in
 * argument errors (`sum(): argument 'dim' must be int or tuple of ints, not boolean`).
 */
function parseArgs(fn: string,
  x: Tensor, dimOrOptions?: DimArg | ReduceOptions, keepdimOrOptions?: boolean | ReduceOptions,
): ReduceArgs {
  let options: ReduceOptions = {};
  let dim: DimArg | undefined;
  if (isPlainObject(dimOrOptions)) {
    options = dimOrOptions as ReduceOptions;
    dim = options.dim;
  } else {
    dim = dimOrOptions as DimArg | undefined;
  }
  if (keepdimOrOptions !== undefined && typeof keepdimOrOptions !== "boolean" &&
    !isPlainObject(keepdimOrOptions)) {
    throw new TorchTypeError(`${fn}(): argument 'keepdim' must be bool, not ` +
      kindName(keepdimOrOptions));
  }
  if (isPlainObject(keepdimOrOptions)) options = { ...options, ...keepdimOrOptions };
  const keepdim = typeof keepdimOrOptions === "boolean" ? keepdimOrOptions : !!options.keepdim;
  const hasDim = dim !== undefined && dim !== null;
  if (hasDim && typeof dim !== "number" && !Array.isArray(dim)) {
    throw new TorchTypeError(`${fn}(): argument 'dim' must be int or tuple of ints, not ` +
      kindName(dim));
  }
  const list = hasDim ? (typeof dim === "number" ? [dim] : [...(dim as number[])]) : [];
  let dims = list.length > 0 ? normalizeDims(list, x.dim()) : allDims(x);
  // A 0-dim tensor accepts dim 0 or -1 and reduces over nothing.
  if (x.dim() === 0) dims = [];
  return { dims, hasDim, keepdim, dtype: options.dtype };
}

function allDims(x: Tensor): number[] {
  return x.shape.map((_, i) => i);
}

/** The reduced shape with the reduced dims kept as size 1. */
function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((s, i) => (dims.includes(i) ? 1 : s));
}

function outputShape(shape: readonly number[], dims: readonly number[], keepdim: boolean) {
  return keepdim ? keptShape(shape, dims) : shape.filter((_, i) => !dims.includes(i));
}

/**
 * The data of `x` arranged so the reduced dims form one contiguous block, and the
 * `[outer, size, inner]` layout of that block. Only non-adjacent dims need a copy.
 */
function layoutFor(x: Tensor, dims: readonly number[]) {
  const sorted = [...dims].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const last = sorted[sorted.length - 1] ?? -1;
  const size = numelOf(sorted.map((d) => x.shape[d]));
  if (sorted.every((d, i) => d === first + i)) {
    const outer = numelOf(x.shape.slice(0, first));
    return { data: x.data, layout: { outer, size, inner: numelOf(x.shape.slice(last + 1)) } };
  }
  const kept = allDims(x).filter((d) => !dims.includes(d));
  const order = [...kept, ...sorted];
  const strides = contiguousStrides(x.shape);
  const data = allocStorage(x.dtype, x.numel());
  kernels.gatherStrided(x.data as kernels.Flat<unknown>, order.map((d) => strides[d]),
    data as kernels.Flat<unknown>, order.map((d) => x.shape[d]));
  return { data, layout: { outer: numelOf(kept.map((d) => x.shape[d])), size, inner: 1 } };
}

/**
 * `rows × cols` when `dims` are the trailing dims of `shape` (a reduction over the end of each
 * row), else null.
 */
function trailingRows(shape: readonly number[], dims: readonly number[]) {
  const first = shape.length - dims.length;
  if (dims.length === 0 || ![...dims].sort((a, b) => a - b).every((d, i) => d === first + i)) {
    return null;
  }
  const cols = numelOf(shape.slice(first));
  return { rows: numelOf(shape.slice(0, first)), cols };
}

/** Expands a reduced gradient back over the reduced dims of `shape`. */
function restore(g: Tensor, shape: readonly number[], dims: readonly number[], keepdim: boolean) {
  if (g.numel() === 1 && !(g.data instanceof BigInt64Array)) {
    // One value over the whole shape: a fill, not a strided gather.
    const out = allocStorage(g.dtype, numelOf(shape));
    (out as Float64Array).fill(g.data[0] as number);
    return fresh(new Tensor(out, shape));
  }
  const fast = g.data instanceof Float32Array && simdTakes(numelOf(shape));
  const rows = fast ? trailingRows(shape, dims) : null;
  if (rows) {
    const out = allocStorage(g.dtype, numelOf(shape));
    if (rowsBackwardSimd("sum", g.data, null, null, rows.rows, rows.cols, out)) {
      return fresh(new Tensor(out, shape));
    }
  }
  const kept = keepdim ? g : g.reshape(keptShape(shape, dims));
  return expand(kept, shape).contiguous();
}

export function sum(
  x: Tensor, dim?: DimArg | ReduceOptions, keepdim?: boolean | ReduceOptions,
): Tensor {
  const args = parseArgs("sum", x, dim, keepdim);
  const input = args.dtype ? x.to(args.dtype) : x;
  const dtype = input.dtype.isFloatingPoint ? input.dtype : int64;
  const out = reduceSum(input, args.dims, args.keepdim, dtype);
  return record(args.hasDim ? "SumBackward1" : "SumBackward0", out, [input],
    (g) => [restore(g, x.shape, args.dims, args.keepdim)], { savesTensors: false });
}

function reduceSum(x: Tensor, dims: readonly number[], keepdim: boolean, dtype: DType): Tensor {
  const shape = outputShape(x.shape, dims, keepdim);
  const { data, layout } = layoutFor(x, dims);
  const out = allocStorage(dtype, numelOf(shape));
  if (sumFast(data, layout, out)) return new Tensor(out, shape);
  if (out instanceof BigInt64Array) {
    const src = data instanceof BigInt64Array ? data : BigInt64Array.from(data as Uint8Array,
      (v) => BigInt(v));
    kernels.sumBigInts(src, layout, out);
  } else {
    kernels.sumNumbers(data as kernels.Flat<number>, layout, out as kernels.Flat<number>);
  }
  return new Tensor(out, shape);
}

/** Sums over the end of each row (inner 1) on WASM SIMD, in double precision. */
function sumFast(data: Storage, layout: kernels.ReduceLayout, out: Storage): boolean {
  if (layout.inner !== 1 || !(data instanceof Float32Array) || !(out instanceof Float32Array)) {
    return false;
  }
  if (layout.outer === 1) {
    const total = sumSimd(data);
    if (total === null) return false;
    out[0] = total;
    return true;
  }
  return rowsSimd("sum", data, layout.outer, layout.size, out);
}

export function mean(
  x: Tensor, dim?: DimArg | ReduceOptions, keepdim?: boolean | ReduceOptions,
): Tensor {
  const args = parseArgs("mean", x, dim, keepdim);
  const which = args.dtype ? "Optional" : "Input";
  const dtype = args.dtype ?? x.dtype;
  check(dtype.isFloatingPoint, () => `mean(): could not infer output dtype. ${which} dtype ` +
    `must be either a floating point or complex dtype. Got: ${dtypeTitle(dtype)}`);
  const input = x.to(dtype);
  const count = numelOf(args.dims.map((d) => x.shape[d]));
  const total = reduceSum(input, args.dims, args.keepdim, input.dtype);
  const out = new Tensor((total.data as Float32Array | Float64Array).map((v) => v / count),
    total.shape);
  return record(args.hasDim ? "MeanBackward1" : "MeanBackward0", out, [input],
    (g) => [restore(g.div(count), x.shape, args.dims, args.keepdim)], { savesTensors: false });
}

/** `(values, indices)` of `max(dim)`/`min(dim)`, also readable as `.values` and `.indices`. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

function checkNonEmpty(x: Tensor, dims: readonly number[], fn: string, hasDim: boolean): void {
  if (!hasDim && fn.startsWith("arg")) {
    check(x.numel() > 0, () => `${fn}(): Expected reduction dim to be specified for ` +
      "input.numel() == 0.", IndexError);
    return;
  }
  if (!hasDim) {
    check(x.numel() > 0, () => `${fn}(): Expected reduction dim to be specified for ` +
      "input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
    return;
  }
  for (const d of dims) {
    if (x.shape[d] === 0) {
      throw new IndexError(`${fn}(): Expected reduction dim ${d} to have non-zero size.`);
    }
  }
}

/** Values and first indices of the max (sign 1) or min (sign -1) over `dims`. */
function extremumOver(x: Tensor, dims: readonly number[], keepdim: boolean, sign: 1 | -1) {
  const shape = outputShape(x.shape, dims, keepdim);
  const { data, layout } = layoutFor(x, dims);
  const values = allocStorage(x.dtype, numelOf(shape));
  const indices = new Int32Array(values.length);
  kernels.extremum(data as kernels.Flat<number>, layout, sign, values as kernels.Flat<number>,
    indices);
  return { values: new Tensor(values, shape), indices, shape };
}

/**
 * `x.max()`, `x.max(dim, keepdim)` → (values, indices), or `torch.max(x, other)`.
 * Over all elements the gradient is shared evenly among ties (MaxBackward1); along a dim it
 * goes to the returned index (MaxBackward0).
 */
export function max(x: Tensor, dim?: number | Tensor | ReduceOptions,
  keepdim?: boolean | ReduceOptions) {
  return extremumOp(x, dim, keepdim, 1);
}

export function min(x: Tensor, dim?: number | Tensor | ReduceOptions,
  keepdim?: boolean | ReduceOptions) {
  return extremumOp(x, dim, keepdim, -1);
}

function extremumOp(x: Tensor, dim: number | Tensor | ReduceOptions | undefined,
  keepdim: boolean | ReduceOptions | undefined, sign: 1 | -1) {
  const fn = sign > 0 ? "max" : "min";
  if (dim instanceof Tensor) return sign > 0 ? x.maximum(dim) : x.minimum(dim);
  const args = parseArgs(fn, x, dim, keepdim);
  checkNonEmpty(x, args.dims, fn, args.hasDim);
  const name = sign > 0 ? "Max" : "Min";
  if (!args.hasDim) {
    const { values } = extremumOver(x, args.dims, false, sign);
    return record(`${name}Backward1`, values, [x], (g) => [shareAmongTies(g, x, values,
      args.dims, false)]);
  }
  const { values, indices, shape } = extremumOver(x, args.dims, args.keepdim, sign);
  const indexTensor = new Tensor(BigInt64Array.from(indices, (i) => BigInt(i)), shape);
  const dimIndex = args.dims[0];
  record(`${name}Backward0`, values, [x], (g) => [x.dim() === 0 ? g
    : scatterToIndex(g, x.shape, dimIndex, indexTensor, args.keepdim)]);
  return valuesIndices(values, indexTensor);
}

/** The gradient of a selected element along `dim`, zero elsewhere. */
function scatterToIndex(g: Tensor, shape: readonly number[], dim: number, index: Tensor,
  keepdim: boolean): Tensor {
  const gk = keepdim ? g : g.unsqueeze(dim);
  const ik = keepdim ? index : index.unsqueeze(dim);
  const out = allocStorage(g.dtype, numelOf(shape)) as Float32Array | Float64Array;
  const outer = numelOf(shape.slice(0, dim));
  const inner = numelOf(shape.slice(dim + 1));
  const size = shape[dim];
  const gd = gk.data as Float32Array | Float64Array;
  const id = ik.data as BigInt64Array;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const k = Number(id[o * inner + i]);
      out[(o * size + k) * inner + i] = gd[o * inner + i];
    }
  }
  return new Tensor(out, shape);
}

/** Splits the gradient evenly among the elements equal to the extremum (NaN matches NaN). */
function shareAmongTies(g: Tensor, x: Tensor, values: Tensor, dims: readonly number[],
  keepdim: boolean): Tensor {
  const restored = restore(values, x.shape, dims, keepdim);
  const bothNaN = (i: number) => x.data[i] !== x.data[i] && restored.data[i] !== restored.data[i];
  const isTie = (x.eq(restored).data as Uint8Array).map((v, i) => (v || bothNaN(i) ? 1 : 0));
  const mask = new Tensor(isTie, x.shape);
  const count = sum(mask, dims, true);
  const share = restore(g, x.shape, dims, keepdim).div(restore(count, x.shape, dims, true));
  return where(mask, share, 0);
}

export function amax(x: Tensor, dim?: DimArg | ReduceOptions,
  keepdim?: boolean | ReduceOptions): Tensor {
  return amaxOp(x, dim, keepdim, 1);
}

export function amin(x: Tensor, dim?: DimArg | ReduceOptions,
  keepdim?: boolean | ReduceOptions): Tensor {
  return amaxOp(x, dim, keepdim, -1);
}

function amaxOp(x: Tensor, dim: DimArg | ReduceOptions | undefined,
  keepdim: boolean | ReduceOptions | undefined, sign: 1 | -1): Tensor {
  const args = parseArgs(sign > 0 ? "amax" : "amin", x, dim, keepdim);
  const fn = sign > 0 ? "amax" : "amin";
  for (const d of args.dims) {
    check(x.shape[d] !== 0 || x.dim() === 0, () => `${fn}(): Expected reduction dim ${d} to ` +
      "have non-zero size.", IndexError);
  }
  const { values } = extremumOver(x, args.dims, args.keepdim, sign);
  return record(sign > 0 ? "AmaxBackward0" : "AminBackward0", values, [x],
    (g) => [scaleGradByCount(g, x, values, args.dims, args.keepdim)]);
}

/**
 * PyTorch's scale_grad_by_count: each extremum gets g / (number of extrema). A NaN extremum
 * equals nothing, so its whole slice gets g / 0 · 0 = NaN.
 */
function scaleGradByCount(g: Tensor, x: Tensor, values: Tensor, dims: readonly number[],
  keepdim: boolean): Tensor {
  const mask = x.eq(restore(values, x.shape, dims, keepdim));
  const count = restore(sum(mask, dims, true), x.shape, dims, true);
  return restore(g, x.shape, dims, keepdim).div(count).mul(mask);
}

export function argmax(x: Tensor, dim?: number | ReduceOptions,
  keepdim?: boolean | ReduceOptions): Tensor {
  return argOp(x, dim, keepdim, 1);
}

export function argmin(x: Tensor, dim?: number | ReduceOptions,
  keepdim?: boolean | ReduceOptions): Tensor {
  return argOp(x, dim, keepdim, -1);
}

function argOp(x: Tensor, dim: number | ReduceOptions | undefined,
  keepdim: boolean | ReduceOptions | undefined, sign: 1 | -1): Tensor {
  const args = parseArgs(sign > 0 ? "argmax" : "argmin", x, dim, keepdim);
  const fn = sign > 0 ? "argmax" : "argmin";
  check(x.dtype !== bool, () => `"${fn}_cpu" not implemented for 'Bool'`);
  checkNonEmpty(x, args.dims, fn, args.hasDim);
  const flat = args.hasDim ? x : x.reshape(-1);
  const dims = args.hasDim ? args.dims : [0];
  const keep = args.hasDim && args.keepdim;
  const { indices, shape } = extremumOver(flat, dims, keep, sign);
  const outShape = !args.hasDim && args.keepdim ? x.shape.map(() => 1) : shape;
  return new Tensor(BigInt64Array.from(indices, (i) => BigInt(i)), outShape);
}

export function logsumexp(x: Tensor, dim: DimArg | ReduceOptions,
  keepdim?: boolean | ReduceOptions): Tensor {
  const args = parseArgs("logsumexp", x, dim, keepdim);
  const input = x.dtype.isFloatingPoint ? x : x.float();
  const shape = outputShape(x.shape, args.dims, args.keepdim);
  const { data, layout } = layoutFor(input, args.dims);
  const out = allocStorage(input.dtype, numelOf(shape)) as Float32Array | Float64Array;
  kernels.logSumExp(data as kernels.Flat<number>, layout, out);
  const result = new Tensor(out, shape);
  return record("LogsumexpBackward0", result, [x], (g) => [
    restore(g, x.shape, args.dims, args.keepdim)
      .mul(input.sub(restore(result, x.shape, args.dims, args.keepdim)).exp()),
  ]);
}

export interface NormOptions {
  p?: number | "fro";
  dim?: DimArg;
  keepdim?: boolean;
}

/** `x.norm(p = 2, dim, keepdim)`: the vector p-norm over all elements or over `dim`. */
export function norm(x: Tensor, p?: number | "fro" | NormOptions, dim?: DimArg | NormOptions,
  keepdim?: boolean): Tensor {
  const options: NormOptions = {
    ...(typeof p === "object" ? p : { p }),
    ...(dim !== null && typeof dim === "object" && !Array.isArray(dim) ? dim
      : dim === undefined ? {} : { dim: dim as DimArg }),
    ...(keepdim === undefined ? {} : { keepdim }),
  };
  const order = options.p === undefined || options.p === "fro" ? 2 : options.p;
  check(x.dtype.isFloatingPoint, () => "norm(): input dtype should be either floating point " +
    `or complex. Got ${dtypeTitle(x.dtype)} instead.`);
  const args = parseArgs("norm", x, options.dim, options.keepdim ?? false);
  const shape = outputShape(x.shape, args.dims, args.keepdim);
  const { data, layout } = layoutFor(x, args.dims);
  const out = allocStorage(x.dtype, numelOf(shape)) as Float32Array | Float64Array;
  const rows = order === 2 ? trailingRows(x.shape, args.dims) : null;
  if (!rows || !rowsSimd("norm2", data, rows.rows, rows.cols, out)) {
    kernels.pNorm(data as kernels.Flat<number>, layout, order, out);
  }
  const result = new Tensor(out, shape);
  return record("NormBackward1", result, [x], (g) =>
    [(rows && norm2GradFast(g, x, result, rows)) ?? normGrad(restore(g, x.shape, args.dims,
      args.keepdim), x, restore(result, x.shape, args.dims, args.keepdim), order, args.dims)]);
}

/** The 2-norm's gradient over the end of each row in one pass (normGrad's p = 2 branch). */
function norm2GradFast(g: Tensor, x: Tensor, n: Tensor, rows: { rows: number; cols: number }) {
  if (!(g.data instanceof Float32Array) || !simdTakes(x.numel())) return null;
  const out = allocStorage(x.dtype, x.numel());
  return rowsBackwardSimd("norm2", g.data, x.data, n.data, rows.rows, rows.cols, out)
    ? fresh(new Tensor(out, x.shape)) : null;
}

/**
 * PyTorch's norm_backward, branch by branch: no gradient for p = 0; zero where the norm is 0;
 * ties (and NaNs) share the ±∞-norm gradient.
 */
function normGrad(g: Tensor, x: Tensor, n: Tensor, p: number,
  dims: readonly number[]): Tensor | null {
  if (p === 0) return null;
  if (p === 1) return x.sign().mul(g);
  if (p === 2) return g.mul(where(n.eq(0), 0, x.div(n)));
  const abs = x.abs();
  if (!Number.isFinite(p)) {
    const mask = logicalOr(abs.eq(n), abs.isnan());
    const count = restore(sum(mask, dims, true), x.shape, dims, true);
    return x.sign().mul(g.div(count).mul(mask));
  }
  if (p < 1) return x.sign().mul(where(x.eq(0), 0, abs.pow(p - 1))).mul(g).mul(n.pow(1 - p));
  const scale = where(n.eq(0), 0, g.div(n.pow(p - 1)));
  return (p < 2 ? x.sign().mul(abs.pow(p - 1)) : x.mul(abs.pow(p - 2))).mul(scale);
}

/** Sums `grad` over broadcast dims so it has `shape` (used once, by the autograd engine). */
export function sumToShape(grad: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const lead = grad.dim() - shape.length;
  if (lead < 0) throw new RuntimeError(`internal: cannot sum ${grad.shape} to ${shape}`);
  const dims: number[] = [];
  grad.shape.forEach((s, i) => {
    if (i < lead || (shape[i - lead] === 1 && s !== 1)) dims.push(i);
  });
  const summed = dims.length > 0 ? reduceSum(grad, dims, true, grad.dtype) : grad;
  return summed.reshape(shape);
}

