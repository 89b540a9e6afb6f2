/**
 * Shape ops. Storage is always contiguous, so view-like ops share the data array when the
 * element order is unchanged (reshape, view, squeeze, unsqueeze) and copy otherwise
 * (permute, transpose, expand). Each result also records the strides PyTorch's result
 * would have (`torchStrides`), so that `view`, `reshape`, `isContiguous` and the
 * `grad_fn` names behave as in PyTorch.
 */
import { record } from "../autograd/record.js";
import { RuntimeError, check } from "../errors.js";
import * as kernels from "../kernels/cpu.js";
import { type DType, allocStorage, copyStorage } from "../tensor/dtype.js";
import {
  contiguousStrides, denseStrides, inferShape, isContiguousStrides, listString, normalizeDim,
  numelOf, sameShape,
} from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { dtypeTitle } from "./binary.js";

export function sizeAt(x: Tensor, dim: number): number {
  return x.dim() === 0 ? 1 : x.shape[normalizeDim(dim, x.dim())];
}

/** A tensor of `shape` filled with `value`. */
export function filled(shape: readonly number[], dtype: DType, value: number | boolean): Tensor {
  const data = allocStorage(dtype, numelOf(shape));
  if (data instanceof Float32Array || data instanceof Float64Array) {
    return new Tensor(data.fill(Number(value)), shape);
  }
  return new Tensor(data, shape).fill_(value);
}

/** Shares storage with `x` under a new shape and PyTorch strides (no graph). */
function alias(x: Tensor, shape: readonly number[], strides: readonly number[] | null): Tensor {
  const out = new Tensor(x.data, shape);
  out.torchStrides = strides && !isContiguousStrides(shape, strides) ? strides : null;
  return out;
}

function stridesOf(x: Tensor): readonly number[] {
  return x.torchStrides ?? contiguousStrides(x.shape);
}


export function detach(x: Tensor): Tensor {
  return alias(x, x.shape, x.torchStrides);
}

/** A copy; PyTorch keeps a permuted (dense) layout and makes expanded ones contiguous. */
export function clone(x: Tensor): Tensor {
  const out = new Tensor(copyStorage(x.data), x.shape);
  out.torchStrides = denseStrides(x.shape, x.torchStrides);
  return record("CloneBackward0", out, [x], (g) => [g], { savesTensors: false });
}

export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  const out = new Tensor(copyStorage(x.data), x.shape);
  return record("CloneBackward0", out, [x], (g) => [g], { savesTensors: false });
}

/**
 * ATen's computeStride: the strides of a view of (shape, strides) as `target`, or null when
 * no view exists (a dimension would span two non-contiguous chunks).
 */
function viewStrides(shape: readonly number[], strides: readonly number[],
  target: readonly number[]): number[] | null {
  if (shape.length === 0) return target.map(() => 1);
  if (numelOf(shape) === 0) return contiguousStrides(target);
  const out = new Array<number>(target.length);
  let viewD = target.length - 1;
  let chunkBase = strides[strides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= target[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

function reshapeBackward(x: Tensor) {
  return (g: Tensor) => [g.reshape(x.shape)];
}

export function view(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel());
  const strides = viewStrides(x.shape, stridesOf(x), target);
  check(strides !== null, () => "view size is not compatible with input tensor's size and " +
    "stride (at least one dimension spans across two contiguous subspaces). Use " +
    ".reshape(...) instead.");
  return record("ViewBackward0", alias(x, target, strides), [x], reshapeBackward(x),
    { savesTensors: false });
}

/** A view when one exists (ReshapeAliasBackward0), else a contiguous copy (UnsafeView). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel());
  const strides = viewStrides(x.shape, stridesOf(x), target);
  const out = strides ? alias(x, target, strides) : new Tensor(copyStorage(x.data), target);
  const name = strides ? "ReshapeAliasBackward0" : "UnsafeViewBackward0";
  return record(name, out, [x], reshapeBackward(x), { savesTensors: false });
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.dim() === 0) return reshape(x, [1]);
  const start = normalizeDim(startDim, x.dim());
  const end = normalizeDim(endDim, x.dim());
  check(start <= end, () => "flatten() has invalid args: start_dim cannot come after end_dim");
  if (start === end) return x;
  const shape = [...x.shape.slice(0, start), numelOf(x.shape.slice(start, end + 1)),
    ...x.shape.slice(end + 1)];
  return reshape(x, shape);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, x.dim());
  check(sizes.length > 0, () => "unflatten: sizes must be non-empty");
  const resolved = unflattenSizes(sizes, x.shape[d], d);
  return view(x, [...x.shape.slice(0, d), ...resolved, ...x.shape.slice(d + 1)]);
}

/**
 * infer_size for unflatten. PyTorch rewraps the two errors infer_size throws as
 * std::runtime_error; its other (TORCH_CHECK) errors pass through unchanged.
 */
function unflattenSizes(sizes: readonly number[], size: number, dim: number): number[] {
  try {
    return inferShape(sizes, size);
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    if (e.message === "only one dimension can be inferred") {
      throw new RuntimeError(`unflatten got an unexpected error:\n${e.message}`);
    }
    if (!e.message.includes("is invalid for input")) throw e;
    throw new RuntimeError(`unflatten: Provided sizes ${listString(sizes)} don't multiply up ` +
      `to the size of dim ${dim} (${size}) in the input tensor`);
  }
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  const strides = stridesOf(x);
  let keep: number[];
  if (dim === undefined) {
    keep = x.shape.map((_, i) => i).filter((i) => x.shape[i] !== 1);
  } else {
    const d = normalizeDim(dim, x.dim());
    keep = x.shape.map((_, i) => i).filter((i) => i !== d || x.shape[i] !== 1);
  }
  const out = alias(x, keep.map((i) => x.shape[i]), keep.map((i) => strides[i]));
  return record(dim === undefined ? "SqueezeBackward0" : "SqueezeBackward1", out, [x],
    reshapeBackward(x), { savesTensors: false });
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.dim() + 1);
  const strides = [...stridesOf(x)];
  const shape = [...x.shape];
  strides.splice(d, 0, d >= x.dim() ? 1 : shape[d] * strides[d]);
  shape.splice(d, 0, 1);
  return record("UnsqueezeBackward0", alias(x, shape, strides), [x], reshapeBackward(x),
    { savesTensors: false });
}

/** Materialises `x` with its dims reordered by `order` (no graph). */
function permuted(x: Tensor, order: readonly number[]): Tensor {
  const shape = order.map((d) => x.shape[d]);
  const strides = contiguousStrides(x.shape);
  const out = allocStorage(x.dtype, x.numel());
  kernels.gatherStrided(x.data as kernels.Flat<unknown>, order.map((d) => strides[d]),
    out as kernels.Flat<unknown>, shape);
  const result = new Tensor(out, shape);
  const torch = stridesOf(x);
  const newStrides = order.map((d) => torch[d]);
  result.torchStrides = isContiguousStrides(shape, newStrides) ? null : newStrides;
  return result;
}

function inverse(order: readonly number[]): number[] {
  const inv = new Array<number>(order.length);
  order.forEach((d, i) => (inv[d] = i));
  return inv;
}

function permuteRecorded(x: Tensor, order: readonly number[], name: string): Tensor {
  const inv = inverse(order);
  return record(name, permuted(x, order), [x], (g) => [permuted(g, inv)],
    { savesTensors: false });
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  check(dims.length === x.dim(), () => "permute(sparse_coo): number of dimensions in the " +
    "tensor input does not match the length of the desired ordering of dimensions i.e. " +
    `input.dim() = ${x.dim()} is not equal to len(dims) = ${dims.length}`);
  const order = dims.map((d) => normalizeDim(d, x.dim()));
  check(new Set(order).size === order.length, () => "permute(): duplicate dims are not allowed.");
  return permuteRecorded(x, order, "PermuteBackward0");
}

function swapped(x: Tensor, dim0: number, dim1: number): number[] {
  const order = x.shape.map((_, i) => i);
  const a = normalizeDim(dim0, x.dim());
  const b = normalizeDim(dim1, x.dim());
  [order[a], order[b]] = [order[b], order[a]];
  return order;
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  return permuteRecorded(x, swapped(x, dim0, dim1), "TransposeBackward0");
}

export function t(x: Tensor): Tensor {
  check(x.dim() <= 2, () => `t() expects a tensor with <= 2 dimensions, but self is ${x.dim()}D`);
  return permuteRecorded(x, x.dim() < 2 ? [0].slice(0, x.dim()) : [1, 0], "TBackward0");
}

/** `x.T`: all dims reversed. */
export function reverseDims(x: Tensor): Tensor {
  return permuteRecorded(x, x.shape.map((_, i) => x.dim() - 1 - i), "PermuteBackward0");
}

export function movedim(x: Tensor, source: number | readonly number[],
  destination: number | readonly number[]): Tensor {
  const src = (typeof source === "number" ? [source] : source).map((d) => normalizeDim(d, x.dim()));
  const dst = (typeof destination === "number" ? [destination] : destination)
    .map((d) => normalizeDim(d, x.dim()));
  check(src.length === dst.length, () => "movedim: Invalid source or destination dims: " +
    `source (${listString(src)} dims) should contain the same number of dims as destination ` +
    `(${listString(dst)} dims)`);
  check(new Set(src).size === src.length, () => `movedim: repeated dim in \`source\` ` +
    `(${listString(src)})`);
  check(new Set(dst).size === dst.length, () => `movedim: repeated dim in \`destination\` ` +
    `(${listString(dst)})`);
  const order = new Array<number>(x.dim()).fill(-1);
  src.forEach((s, i) => (order[dst[i]] = s));
  const rest = x.shape.map((_, i) => i).filter((d) => !src.includes(d));
  for (let i = 0, r = 0; i < order.length; i++) if (order[i] < 0) order[i] = rest[r++];
  return permuteRecorded(x, order, "PermuteBackward0");
}

export function expand(x: Tensor, sizes: readonly number[]): Tensor {
  check(sizes.length >= x.dim(), () => `expand(torch.${dtypeTitle(x.dtype)}Tensor{` +
    `${listString(x.shape)}}, size=${listString(sizes)}): the number of sizes provided ` +
    `(${sizes.length}) must be greater or equal to the number of dimensions in the tensor ` +
    `(${x.dim()})`);
  const lead = sizes.length - x.dim();
  const shape = sizes.map((s, i) => (i >= lead && s === -1 ? x.shape[i - lead] : s));
  const torchStrides = stridesOf(x);
  const strides = shape.map((s, i) => {
    if (i < lead) {
      check(s >= 0, () => `The expanded size of the tensor (${s}) isn't allowed in a leading, ` +
        "non-existing dimension 0");
      return 0;
    }
    const own = x.shape[i - lead];
    if (own === s) return torchStrides[i - lead];
    if (own !== 1) {
      throw new RuntimeError(`The expanded size of the tensor (${s}) must match the existing ` +
        `size (${own}) at non-singleton dimension ${i}.  Target sizes: ${listString(sizes)}.  ` +
        `Tensor sizes: ${listString(x.shape)}`);
    }
    return 0;
  });
  if (sameShape(shape, x.shape)) {
    return record("ExpandBackward0", alias(x, shape, x.torchStrides), [x], (g) => [g],
      { savesTensors: false });
  }
  const out = allocStorage(x.dtype, numelOf(shape));
  const readStrides = shape.map((s, i) => (i < lead || x.shape[i - lead] !== s ? 0
    : contiguousStrides(x.shape)[i - lead]));
  kernels.gatherStrided(x.data as kernels.Flat<unknown>, readStrides,
    out as kernels.Flat<unknown>, shape);
  const result = new Tensor(out, shape);
  result.torchStrides = isContiguousStrides(shape, strides) ? null : strides;
  return record("ExpandBackward0", result, [x], (g) => [g], { savesTensors: false });
}
