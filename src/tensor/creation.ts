/** Tensor creation: `tensor()` with PyTorch's dtype inference, and the filled constructors. */
import { RuntimeError, TorchTypeError, ValueError, check } from "../errors.js";
import { castStorage } from "../ops/cast.js";
import {
  type DType, type Storage, allocStorage, bool, dtypeOfStorage, float32, int64,
} from "./dtype.js";
import { argumentError, expectFactoryOptions } from "./argument-kinds.js";
import { markInferredInt64, withIntegerHint } from "./integer-hint.js";
import { numelOf, parseSizeArgs } from "./shape.js";
import { Tensor } from "./tensor.js";

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

type Scalar = number | boolean | bigint;
export type NestedArray = Scalar | readonly NestedArray[];
export type TensorData = NestedArray | Storage | Int32Array | Int16Array | Int8Array |
  Uint16Array | Uint32Array | Uint8ClampedArray | Tensor;

/**
 * `torch.tensor(data)`: numbers, booleans, bigints, nested arrays or typed arrays.
 * Inference follows PyTorch: any non-integral number → float32, else integers → int64, else
 * booleans → bool. Typed arrays are copied natively (no per-element loop) and keep their kind:
 * Float32Array → float32, Float64Array → float64, BigInt64Array → int64, other integer
 * arrays → int64.
 */
export function tensor(data: TensorData, options: TensorOptions = {}): Tensor {
  checkFactoryOptions("tensor", options);
  const out = fromData(data, options.dtype);
  if (options.dtype === undefined && out.dtype === int64 && !holdsBigInts(data)) {
    markInferredInt64(out);
  }
  try {
    return withRequiresGrad(out, options.requiresGrad);
  } catch (error) {
    throw withIntegerHint(error, [out]);
  }
}

function holdsBigInts(data: TensorData): boolean {
  let x: unknown = data;
  while (Array.isArray(x) && x.length > 0) x = x[0];
  return typeof x === "bigint" || data instanceof BigInt64Array || data instanceof Tensor;
}

const FACTORY_KEYS = ["dtype", "requiresGrad"];

/** The options of every factory: an object with a torch dtype and a boolean requiresGrad. */
function checkFactoryOptions(fn: string, options: FactoryOptions): void {
  expectFactoryOptions(fn, options, FACTORY_KEYS);
}

/** The factories' `requires_grad=True` check, worded unlike `requires_grad_()`'s. */
function withRequiresGrad(t: Tensor, requiresGrad: boolean | undefined): Tensor {
  if (!requiresGrad) return t;
  check(t.dtype.isFloatingPoint, () => "Only Tensors of floating point and complex dtype " +
    "can require gradients");
  t.requiresGrad = true;
  return t;
}

function fromData(data: TensorData, dtype: DType | undefined): Tensor {
  if (data instanceof Tensor) return convert(data.data, data.shape, dtype);
  if (ArrayBuffer.isView(data)) {
    return fromTypedArray(data as Exclude<TensorData, NestedArray | Tensor>, dtype);
  }
  const shape = inferNestedShape(data);
  const leaves: Scalar[] = [];
  collect(data, shape, 0, leaves);
  const target = dtype ?? inferDtype(leaves);
  const storage = allocStorage(target, leaves.length);
  fillFromScalars(storage, leaves);
  return new Tensor(storage, shape);
}

function fromTypedArray(data: Exclude<TensorData, NestedArray | Tensor>, dtype?: DType) {
  const shape = [data.length];
  if (data instanceof Float32Array || data instanceof Float64Array ||
    data instanceof BigInt64Array) {
    return convert(data, shape, dtype);
  }
  if (data instanceof Uint8Array && dtype === bool) return convert(data, shape, dtype);
  const asInt64 = BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(v));
  return convert(asInt64, shape, dtype);
}

function convert(data: Storage, shape: readonly number[], dtype?: DType): Tensor {
  const target = dtype ?? dtypeOfStorage(data);
  return new Tensor(castStorage(data, target), shape);
}

function isScalar(x: unknown): x is Scalar {
  return typeof x === "number" || typeof x === "boolean" || typeof x === "bigint";
}

/** PyTorch's compute_sizes: the shape is read off the first element at each depth. */
function inferNestedShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let x: unknown = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    if (x.length === 0) break;
    x = x[0];
  }
  if (!isScalar(x) && !Array.isArray(x)) throw invalidLeaf(x);
  return shape;
}

function invalidLeaf(x: unknown): Error {
  if (x === null || x === undefined) {
    return new RuntimeError("Could not infer dtype of NoneType");
  }
  if (typeof x === "string") return new ValueError("too many dimensions 'str'");
  return new TorchTypeError(`new(): invalid data type '${typeof x}'`);
}

function collect(x: unknown, shape: readonly number[], dim: number, out: Scalar[]): void {
  if (dim === shape.length) {
    if (Array.isArray(x)) {
      throw new TorchTypeError(`${typeof out[0] === "number" ? "'list' object cannot be " +
        "interpreted as an integer" : "not a sequence"}`);
    }
    if (!isScalar(x)) throw invalidLeaf(x);
    out.push(x);
    return;
  }
  if (!Array.isArray(x)) throw new TorchTypeError("not a sequence");
  check(x.length === shape[dim], () => `expected sequence of length ${shape[dim]} at dim ` +
    `${dim} (got ${x.length})`, ValueError);
  for (const item of x) collect(item, shape, dim + 1, out);
}

function inferDtype(leaves: readonly Scalar[]): DType {
  if (leaves.length === 0) return float32;
  let sawInt = false;
  for (const v of leaves) {
    if (typeof v === "number" && !Number.isInteger(v)) return float32;
    if (typeof v !== "boolean") sawInt = true;
  }
  return sawInt ? int64 : bool;
}

function fillFromScalars(storage: Storage, leaves: readonly Scalar[]): void {
  if (storage instanceof BigInt64Array) {
    leaves.forEach((v, i) => (storage[i] = typeof v === "bigint" ? v : toInt64(Number(v))));
  } else if (storage instanceof Uint8Array) {
    leaves.forEach((v, i) => (storage[i] = v ? 1 : 0));
  } else {
    leaves.forEach((v, i) => (storage[i] = Number(v)));
  }
}

function toInt64(v: number): bigint {
  check(Number.isFinite(v), () => "value cannot be converted to type int64 without overflow");
  // An integral JS number is a Python int, and overflows as one.
  check(v >= -(2 ** 63) && v < 2 ** 63, () => "Overflow when unpacking long");
  return BigInt(Math.trunc(v));
}

export type FactoryOptions = TensorOptions;

type SizeArgs = (number | readonly number[] | FactoryOptions)[];

function filledTensor(fn: string, args: SizeArgs, value: number): Tensor {
  const { shape, options } = parseSizeArgs<FactoryOptions>(fn, args);
  checkFactoryOptions(fn, options);
  const out = new Tensor(allocStorage(options.dtype ?? float32, numelOf(shape)), shape);
  if (value !== 0) out.fill_(value);
  return withRequiresGrad(out, options.requiresGrad);
}

/** `torch.zeros(2, 3)`, `torch.zeros([2, 3], { dtype })`. */
export function zeros(...args: SizeArgs): Tensor {
  return filledTensor("zeros", args, 0);
}

export function ones(...args: SizeArgs): Tensor {
  return filledTensor("ones", args, 1);
}

/** `torch.empty`: memory is always initialised here (to zeros). */
export function empty(...args: SizeArgs): Tensor {
  return filledTensor("empty", args, 0);
}

/** `torch.full(size, fillValue)`; the dtype is inferred from the value as PyTorch does. */
export function full(size: readonly number[], fillValue: number | boolean,
  options: FactoryOptions = {}): Tensor {
  checkFactoryOptions("full", options);
  if (typeof fillValue !== "number" && typeof fillValue !== "boolean") {
    throw argumentError("full", "fillValue", 2, "Number", fillValue);
  }
  const dtype = options.dtype ?? (typeof fillValue === "boolean" ? bool
    : Number.isInteger(fillValue) ? int64 : float32);
  const out = filledTensor("full", [size, { dtype }], 0).fill_(fillValue);
  return withRequiresGrad(out, options.requiresGrad);
}

function likeOptions(t: Tensor, options: FactoryOptions): FactoryOptions {
  return { dtype: options.dtype ?? t.dtype, requiresGrad: options.requiresGrad };
}

export const zerosLike = (t: Tensor, options: FactoryOptions = {}) =>
  zeros(t.shape, likeOptions(t, options));
export const onesLike = (t: Tensor, options: FactoryOptions = {}) =>
  ones(t.shape, likeOptions(t, options));
export const emptyLike = (t: Tensor, options: FactoryOptions = {}) =>
  empty(t.shape, likeOptions(t, options));
export const fullLike = (t: Tensor, fillValue: number | boolean, options: FactoryOptions = {}) =>
  full(t.shape, fillValue, likeOptions(t, options));

/** arange's numbers: `end`, or `start, end[, step]`, each a number; start and end finite. */
function checkRangeArguments(args: readonly unknown[]): number[] {
  const names = args.length === 1 ? ["end"] : ["start", "end", "step"];
  args.forEach((v, i) => {
    if (typeof v !== "number" || i >= names.length) {
      throw argumentError("arange", names[i] ?? "options", i + 1, "Number", v);
    }
  });
  const nums = args as number[];
  const [start, end] = nums.length === 1 ? [0, nums[0]] : nums;
  check(Number.isFinite(start) && Number.isFinite(end), () =>
    `unsupported range: ${pyNumber(start)} -> ${pyNumber(end)}`);
  return nums;
}

/** A number as Python prints it in torch's range error: `inf`, `nan`, `0`. */
function pyNumber(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return String(v);
}

/**
 * `torch.arange(end)`, `arange(start, end)`, `arange(start, end, step)`, each optionally
 * followed by options. Integral arguments give int64, any fractional one float32.
 */
export function arange(...args: (number | FactoryOptions)[]): Tensor {
  const last = args[args.length - 1];
  const hasOptions = args.length > 1 && typeof last === "object" && last !== null;
  const options = hasOptions ? (last as FactoryOptions) : {};
  checkFactoryOptions("arange", options);
  const nums = checkRangeArguments(hasOptions ? args.slice(0, -1) : args);
  const dtype = options.dtype ?? (nums.every(Number.isInteger) ? int64 : float32);
  // An int64 arange truncates its arguments first (arange(0, 1, 0.1, int64) has step 0).
  const bounds = nums.map((v) => (dtype === int64 ? Math.trunc(v) : v));
  const [start, end, step] = bounds.length === 1 ? [0, bounds[0], 1]
    : [bounds[0], bounds[1], bounds[2] ?? 1];
  check(step !== 0, () => "step must be nonzero");
  check((step > 0 && end >= start) || (step < 0 && end <= start), () =>
    "upper bound and larger bound inconsistent with step sign");
  const size = Math.ceil((end - start) / step);
  const values = new Float64Array(size);
  for (let i = 0; i < size; i++) values[i] = start + i * step;
  const out = new Tensor(castStorage(values, dtype), [size]);
  return withRequiresGrad(out, options.requiresGrad);
}

