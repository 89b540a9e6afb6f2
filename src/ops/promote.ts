/**
 * PyTorch's `result_type` over tensors and JS-number scalars: dimensioned tensors outrank
 * 0-dim tensors, which outrank wrapped numbers, except when a lower tier brings a higher
 * category (bool < integral < floating). A JS number is integral when `Number.isInteger`.
 */
import { type DType, bool, float32, int64, promoteTypes } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

export type Operand = Tensor | number | boolean;

function wrappedDtype(x: number | boolean): DType {
  if (typeof x === "boolean") return bool;
  return Number.isInteger(x) ? int64 : float32;
}

function promoteOptional(a: DType | null, b: DType): DType {
  return a === null ? b : promoteTypes(a, b);
}

/** c10's combine_categories: the higher tier wins unless the lower one is of a higher kind. */
function combine(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null || higher.isFloatingPoint) return higher;
  if (higher === bool || lower.isFloatingPoint) return promoteTypes(higher, lower);
  return higher;
}

export function resultType(...operands: Operand[]): DType {
  let dimResult: DType | null = null;
  let zeroResult: DType | null = null;
  let wrappedResult: DType | null = null;
  for (const x of operands) {
    if (!(x instanceof Tensor)) wrappedResult = promoteOptional(wrappedResult, wrappedDtype(x));
    else if (x.dim() === 0) zeroResult = promoteOptional(zeroResult, x.dtype);
    else dimResult = promoteOptional(dimResult, x.dtype);
  }
  return combine(dimResult, combine(zeroResult, wrappedResult)) ?? float32;
}

/** A JS scalar as a 0-dim tensor of `dtype`. */
export function scalarTensor(value: number | boolean | bigint, dtype: DType): Tensor {
  const t = new Tensor(new Float64Array(1), []);
  const v = typeof value === "boolean" ? Number(value) : value;
  return fillValue(t.to(dtype), v);
}

function fillValue(t: Tensor, v: number | bigint): Tensor {
  const data = t.data;
  if (data instanceof BigInt64Array) data[0] = typeof v === "bigint" ? v : BigInt(Math.trunc(v));
  else if (data instanceof Uint8Array) data[0] = v ? 1 : 0;
  else data[0] = Number(v);
  return t;
}

/** `x` as a tensor of `dtype`: scalars are wrapped, tensors cast without recording a graph. */
export function asTensorOf(x: Operand, dtype: DType): Tensor {
  if (!(x instanceof Tensor)) return scalarTensor(x, dtype);
  return x.dtype === dtype ? x : new Tensor(castData(x, dtype), x.shape);
}

function castData(x: Tensor, dtype: DType) {
  return x.detach().to(dtype).data;
}
