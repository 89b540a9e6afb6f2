/** gather, indexSelect and maskedFill, with the scatter-style gradients they need. */
import { record } from "../autograd/record.js";
import { IndexError, check } from "../errors.js";
import type * as kernels from "../kernels/cpu.js";
import { expectInt, expectOptions, expectTensor } from "../tensor/argument-kinds.js";
import { type Storage, allocStorage, bool, copyStorage, int64 } from "../tensor/dtype.js";
import {
  broadcastShapes, contiguousStrides, isContiguousStrides, normalizeDim, numelOf,
} from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { broadcastData, where } from "./binary.js";
import { asTensorOf } from "./promote.js";

type Flat = kernels.Flat<unknown>;

/** `out[...i...] = x[..., index[...i...], ...]` along `dim` (index has the rank of x). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  check(index.dtype === int64, () => "gather(): Expected dtype int64 for index");
  check(index.dim() === x.dim() || (x.dim() <= 1 && index.dim() <= 1), () =>
    "Index tensor must have the same number of dimensions as input tensor");
  const d = normalizeDim(dim, x.dim());
  for (let i = 0; i < x.dim(); i++) {
    check(i === d || index.shape[i] <= x.shape[i], () => `Size does not match at dimension ` +
      `${i} expected index [${index.shape.join(", ")}] to be smaller than self ` +
      `[${x.shape.join(", ")}] apart from dimension ${d}`);
  }
  const out = allocStorage(x.dtype, index.numel()) as Flat;
  const src = x.data as Flat;
  forEachGathered(x, d, index, (o, s) => (out[o] = src[s]));
  return record("GatherBackward0", new Tensor(out as Storage, index.shape), [x, null],
    (g) => [scatterAdd(g, x.shape, d, index)]);
}

/** Calls `visit(outputOffset, sourceOffset)` for every element of a gather. */
function forEachGathered(x: Tensor, dim: number, index: Tensor,
  visit: (o: number, s: number) => void): void {
  const idx = index.data as BigInt64Array;
  const xStrides = contiguousStrides(x.shape);
  const size = x.dim() === 0 ? 1 : x.shape[dim];
  const coords = new Array<number>(index.dim()).fill(0);
  for (let o = 0; o < idx.length; o++) {
    const k = Number(idx[o]);
    check(k >= 0 && k < size, () => `index ${k} is out of bounds for dimension ${dim} with ` +
      `size ${size}`);
    let s = 0;
    for (let i = 0; i < coords.length; i++) s += (i === dim ? k : coords[i]) * xStrides[i];
    visit(o, s);
    for (let i = coords.length - 1; i >= 0; i--) {
      if (++coords[i] < index.shape[i]) break;
      coords[i] = 0;
    }
  }
}

function scatterAdd(g: Tensor, shape: readonly number[], dim: number, index: Tensor): Tensor {
  const out = allocStorage(g.dtype, numelOf(shape)) as Float64Array;
  const gd = g.data as Float64Array;
  forEachGathered(new Tensor(out, shape), dim, index, (o, s) => (out[s] += gd[o]));
  return new Tensor(out, shape);
}

/** The slices of `x` along `dim` picked by the 1-D `index`. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim(dim, x.dim());
  check(index.dtype === int64, () =>
    "index_select(): Expected dtype int32 or int64 for index");
  check(index.dim() <= 1, () => "index_select(): Index is supposed to be a vector", IndexError);
  const { outer, size, inner } = layoutAlong(x.shape, d);
  const picks = Array.from(index.data as BigInt64Array, Number);
  for (const k of picks) {
    check(k >= 0 && k < size, () => "index out of range in self", IndexError);
  }
  const shape = x.dim() === 0 ? [] : [...x.shape];
  if (x.dim() > 0) shape[d] = picks.length;
  const out = allocStorage(x.dtype, numelOf(shape)) as Flat;
  const src = x.data as Flat;
  for (let o = 0; o < outer; o++) {
    picks.forEach((k, j) => {
      for (let i = 0; i < inner; i++) out[(o * picks.length + j) * inner + i] =
        src[(o * size + k) * inner + i];
    });
  }
  return record("IndexSelectBackward0", new Tensor(out as Storage, shape), [x, null],
    (g) => [indexAdd(g, x.shape, d, picks)]);
}

function layoutAlong(shape: readonly number[], dim: number) {
  if (shape.length === 0) return { outer: 1, size: 1, inner: 1 };
  return {
    outer: numelOf(shape.slice(0, dim)),
    size: shape[dim],
    inner: numelOf(shape.slice(dim + 1)),
  };
}

function indexAdd(g: Tensor, shape: readonly number[], dim: number, picks: number[]): Tensor {
  const out = allocStorage(g.dtype, numelOf(shape)) as Float64Array;
  const gd = g.data as Float64Array;
  const { outer, size, inner } = layoutAlong(shape, dim);
  for (let o = 0; o < outer; o++) {
    picks.forEach((k, j) => {
      for (let i = 0; i < inner; i++) out[(o * size + k) * inner + i] +=
        gd[(o * picks.length + j) * inner + i];
    });
  }
  return new Tensor(out, shape);
}

/**
 * `x` with `value` wherever the boolean `mask` is true; `x` and `mask` broadcast together
 * (mask first, as PyTorch's messages name them).
 */
export function maskedFill(x: Tensor, mask: Tensor, value: Tensor | number | boolean): Tensor {
  check(mask.dtype === bool, () => "masked_fill_ only supports boolean masks, but got mask " +
    `with dtype ${mask.dtype.toString().replace("torch.", "")}`);
  if (value instanceof Tensor) {
    check(value.dim() === 0, () => "masked_fill_ only supports a 0-dimensional value tensor, " +
      `but got tensor with ${value.dim()} dimension(s).`);
  }
  const shape = broadcastShapes(mask.shape, x.shape);
  const fill = asTensorOf(value instanceof Tensor ? value.detach() : value, x.dtype).data[0];
  const m = broadcastData(mask, shape);
  const out = copyStorage(broadcastData(x, shape)) as Flat;
  for (let i = 0; i < m.length; i++) if (m[i]) out[i] = fill;
  const valueInput = value instanceof Tensor ? value : null;
  const name = value instanceof Tensor ? "MaskedFillBackward1" : "MaskedFillBackward0";
  return record(name, new Tensor(out as Storage, shape), [x, null, valueInput],
    (g) => [where(mask, 0, g), null, valueInput ? where(mask, g, 0).sum() : null]);
}


/** `x.select(dim, index)`, i.e. `x[index]` along `dim`: the slice without that dim. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  check(x.dim() > 0, () => "select() cannot be applied to a 0-dim tensor.", IndexError);
  const d = normalizeDim(dim, x.dim());
  const size = x.shape[d];
  check(index >= -size && index < size, () => `select(): index ${index} out of range for ` +
    `tensor of size [${x.shape.join(", ")}] at dimension ${d}`, IndexError);
  const k = index < 0 ? index + size : index;
  const { outer, inner } = layoutAlong(x.shape, d);
  const shape = x.shape.filter((_, i) => i !== d);
  const out = allocStorage(x.dtype, outer * inner) as Flat;
  const src = x.data as Flat;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) out[o * inner + i] = src[(o * size + k) * inner + i];
  }
  const result = new Tensor(out as Storage, shape);
  // A view in PyTorch: keep its strides so contiguity and `view` errors match.
  const strides = (x.torchStrides ?? contiguousStrides(x.shape)).filter((_, i) => i !== d);
  result.torchStrides = isContiguousStrides(shape, strides) ? null : strides;
  return record("SelectBackward0", result, [x], (g) => {
    const grad = allocStorage(g.dtype, x.numel()) as Flat;
    const gd = g.data as Flat;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) grad[(o * size + k) * inner + i] = gd[o * inner + i];
    }
    return [new Tensor(grad as Storage, x.shape)];
  });
}

/** `F.one_hot(tensor, numClasses = -1)`: int64 indices to an int64 one-hot last dim. */
export function oneHot(indices: Tensor,
  numClasses: number | { numClasses?: number } = -1): Tensor {
  expectTensor("one_hot", "input", 1, indices);
  const isOptions = typeof numClasses === "object" && numClasses !== null;
  if (isOptions) expectOptions("one_hot", numClasses);
  expectInt("one_hot", "numClasses", 2, isOptions ? numClasses.numClasses : numClasses);
  check(indices.dtype === int64, () => "one_hot is only applicable to index tensor.");
  const values = Array.from(indices.data as BigInt64Array, Number);
  let classes = typeof numClasses === "number" ? numClasses : numClasses.numClasses ?? -1;
  if (classes === -1) {
    check(values.length > 0, () => "Can not infer total number of classes from empty tensor.");
    classes = Math.max(...values) + 1;
  }
  check(values.every((v) => v >= 0), () => "Class values must be non-negative.");
  check(values.every((v) => v < classes), () =>
    "Class values must be smaller than num_classes.");
  const out = new BigInt64Array(values.length * classes);
  values.forEach((v, i) => (out[i * classes + v] = 1n));
  return new Tensor(out, [...indices.shape, classes]);
}
