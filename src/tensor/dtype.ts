/**
 * The four dtypes torchloss stores, each backed by one typed-array kind.
 * Printing follows PyTorch: `String(torch.float64)` is `torch.float64`.
 */

import { wasmFloat32, wasmFloat64 } from "../kernels/wasm/heap.js";
import { noteAllocation } from "./allocation-scope.js";

export type DTypeName = "float32" | "float64" | "int64" | "bool";

export type Float32Storage = Float32Array;
export type Float64Storage = Float64Array;
export type Int64Storage = BigInt64Array;
export type BoolStorage = Uint8Array;
export type FloatStorage = Float32Array | Float64Array;
export type Storage = Float32Array | Float64Array | BigInt64Array | Uint8Array;

export class DType {
  private constructor(
    readonly name: DTypeName,
    readonly isFloatingPoint: boolean,
    readonly itemsize: number,
  ) {}

  static readonly float32 = new DType("float32", true, 4);
  static readonly float64 = new DType("float64", true, 8);
  static readonly int64 = new DType("int64", false, 8);
  static readonly bool = new DType("bool", false, 1);

  toString(): string {
    return `torch.${this.name}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

export const float32 = DType.float32;
export const float64 = DType.float64;
export const int64 = DType.int64;
export const bool = DType.bool;

/**
 * float32 and float64 storage of at least this many elements goes into the WebAssembly kernels'
 * shared memory when there is one (kernels and worker threads then use it in place; see
 * kernels/wasm/heap.ts); smaller storage, and storage that does not fit, is a JS-heap array.
 * Such storage is a view into a larger SharedArrayBuffer: read the array, never its `.buffer`.
 */
const SHARED_MIN_ELEMENTS = 1 << 15;

/** Allocates zeroed storage of `dtype` for `n` elements. */
export function allocStorage(dtype: DType, n: number): Storage {
  switch (dtype.name) {
    case "float32": {
      const placed = n >= SHARED_MIN_ELEMENTS ? wasmFloat32(n) : null;
      return placed ? noteAllocation(placed) : new Float32Array(n);
    }
    case "float64": {
      const placed = n >= SHARED_MIN_ELEMENTS ? wasmFloat64(n) : null;
      return placed ? noteAllocation(placed) : new Float64Array(n);
    }
    case "int64": return new BigInt64Array(n);
    case "bool": return new Uint8Array(n);
  }
}

/** A copy of `data` in storage from {@link allocStorage} (so large ones land in shared memory). */
export function copyStorage<S extends Storage>(data: S): S {
  const out = allocStorage(dtypeOfStorage(data), data.length) as S;
  (out as Float64Array).set(data as Float64Array);
  return out;
}

export function dtypeOfStorage(data: Storage): DType {
  if (data instanceof Float32Array) return float32;
  if (data instanceof Float64Array) return float64;
  if (data instanceof BigInt64Array) return int64;
  return bool;
}

/** PyTorch's category order for type promotion: bool < integral < floating. */
function category(dtype: DType): number {
  if (dtype === bool) return 0;
  if (dtype === int64) return 1;
  return 2;
}

/** `torch.promote_types` restricted to our four dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ca = category(a);
  const cb = category(b);
  if (ca !== cb) return ca > cb ? a : b;
  return a.itemsize >= b.itemsize ? a : b;
}

/**
 * The dtype of `tensor op scalar` (PyTorch's rule for wrapped numbers): a scalar only raises
 * the result's category, never its width. A non-integral or non-finite JS number counts as
 * a Python float, an integral one as a Python int, a boolean as a Python bool.
 */
export function promoteWithScalar(dtype: DType, scalar: number | boolean): DType {
  const scalarCategory = typeof scalar === "boolean" ? 0 : Number.isInteger(scalar) ? 1 : 2;
  if (scalarCategory <= category(dtype)) return dtype;
  return scalarCategory === 2 ? float32 : int64;
}
