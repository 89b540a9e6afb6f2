/** Broadcasting binary ops: arithmetic, pow, maximum/minimum, clamp, comparisons, where. */
import { markTransferable as fresh } from "../autograd/engine.js";
import { record } from "../autograd/record.js";
import { check } from "../errors.js";
import * as kernels from "../kernels/cpu.js";
import { type FastBinaryOp, binaryFast, whereFast } from "../kernels/elementwise.js";
import { type GradKind, gradSimd, scratchFloat32, simdTakes } from "../kernels/fast-ops.js";
import {
  type DType, type Storage, allocStorage, bool, dtypeOfStorage, float32,
} from "../tensor/dtype.js";
import { broadcastShapes, broadcastStrides, numelOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { withLayout } from "./layout.js";
import { type Operand, asTensorOf, resultType } from "./promote.js";

type NumberFn = (x: number, y: number) => number;
type BigIntFn = (x: bigint, y: bigint) => bigint | number;

interface BinaryKernel {
  number: NumberFn;
  /** For int64 inputs; omitted where int64 inputs are computed in floating point. */
  bigint?: BigIntFn;
  /** A monomorphic float loop computing exactly `number` (see kernels/elementwise.ts). */
  fast?: FastBinaryOp;
}

let donated: Storage | null = null;

/**
 * Runs `op` with its result written into the storage of `dead` (when dtype and size match)
 * instead of a new allocation: one full-size temporary fewer in a composite loss. `dead` must be
 * an intermediate nothing reads again: no backward saved it (add, sub, neg, where and mul by a
 * constant save no output; exp, sqrt and sigmoid do) and the caller drops it. The elementwise
 * kernels read each element before writing it, so `dead` may also be an operand of `op`.
 */
export function reusing(dead: Tensor, op: () => Tensor): Tensor {
  donated = dead.data;
  try {
    return op();
  } finally {
    donated = null;
  }
}

let scratchSlot: string | null = null;

/**
 * Runs `op` with its float32 result in the reusable scratch block `slot` of the kernels' memory
 * (no allocation, no first-touch page faults) when that memory is shared; otherwise as usual.
 * For an intermediate that the next op consumes at once and no backward saves (e.g. the
 * product under a sum): the next use of `slot` overwrites it. `op` must be a single op (the
 * first float32 result it allocates takes the block).
 */
export function inScratch(slot: string, op: () => Tensor): Tensor {
  scratchSlot = slot;
  try {
    return op();
  } finally {
    scratchSlot = null;
  }
}

/** Storage for an op's result: storage donated by {@link reusing} or {@link inScratch}, or new. */
export function resultStorage(dtype: DType, n: number): Storage {
  if (scratchSlot !== null && dtype === float32) {
    const scratch = scratchFloat32(scratchSlot, n);
    scratchSlot = null;
    if (scratch) return scratch;
  }
  const d = donated;
  if (d !== null && d.length === n && dtypeOfStorage(d) === dtype) {
    donated = null;
    return d;
  }
  return allocStorage(dtype, n);
}

/** Applies `kernel` to `a` and `b` broadcast together, computing in `computeDtype`. */
export function applyBinary(
  a: Operand, b: Operand, computeDtype: DType, outDtype: DType, kernel: BinaryKernel,
): Tensor {
  const ta = asTensorOf(a, computeDtype);
  const tb = asTensorOf(b, computeDtype);
  const shape = broadcastShapes(ta.shape, tb.shape);
  const out = resultStorage(outDtype, numelOf(shape));
  if (kernel.fast && isFloat(ta.data) && isFloat(tb.data) && !(out instanceof BigInt64Array) &&
    binaryFast(kernel.fast, ta.data, tb.data, out)) {
    return withLayout(new Tensor(out, shape), [a, b]);
  }
  const fn = pickFn(ta.data, kernel, outDtype);
  kernels.binary(
    ta.data as unknown as kernels.Flat<never>, broadcastStrides(ta.shape, shape),
    tb.data as unknown as kernels.Flat<never>, broadcastStrides(tb.shape, shape),
    out as kernels.Flat<unknown>, shape, fn as (x: never, y: never) => unknown,
  );
  return withLayout(new Tensor(out, shape), [a, b]);
}

function isFloat(data: Storage): data is Float32Array | Float64Array {
  return data instanceof Float32Array || data instanceof Float64Array;
}

function pickFn(data: Storage, kernel: BinaryKernel, outDtype: DType) {
  if (data instanceof BigInt64Array) {
    check(kernel.bigint !== undefined, () => "internal: no int64 kernel");
    return kernel.bigint;
  }
  if (outDtype === bool) return (x: number, y: number) => (kernel.number(x, y) ? 1 : 0);
  return kernel.number;
}

/** Ops computed in the promoted dtype of their operands. */
function arithmetic(
  a: Operand, b: Operand, kernel: BinaryKernel & { bigint: BigIntFn },
): Tensor {
  const dtype = resultType(a, b);
  return applyBinary(a, b, dtype, dtype, kernel);
}

/** Division and other ops whose integral inputs are computed as the default float dtype. */
function floating(a: Operand, b: Operand, kernel: BinaryKernel): Tensor {
  let dtype = resultType(a, b);
  if (!dtype.isFloatingPoint) dtype = float32;
  return applyBinary(a, b, dtype, dtype, kernel);
}

function tensors(...xs: Operand[]): (Tensor | null)[] {
  return xs.map((x) => (x instanceof Tensor ? x : null));
}

function i64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

// The common kernels, made once (not per call).
const ADD: BinaryKernel & { bigint: BigIntFn } =
  { number: (x, y) => x + y, bigint: (x, y) => i64(x + y), fast: "add" };
const SUB: BinaryKernel & { bigint: BigIntFn } =
  { number: (x, y) => x - y, bigint: (x, y) => i64(x - y), fast: "sub" };
const MUL: BinaryKernel & { bigint: BigIntFn } =
  { number: (x, y) => x * y, bigint: (x, y) => i64(x * y), fast: "mul" };
const DIV: BinaryKernel = { number: (x, y) => x / y, fast: "div" };

/** `x − alpha·y` (no fast path: the SIMD kernels compute `x − y` only). */
function scaledSub(alpha: number): BinaryKernel & { bigint: BigIntFn } {
  return {
    number(x, y) { return x - alpha * y; },
    bigint(x, y) { return i64(x - BigInt(alpha) * y); },
  };
}

export function add(a: Operand, b: Operand, options: { alpha?: number } = {}): Tensor {
  const alpha = options.alpha ?? 1;
  checkAlpha(a, b, alpha);
  const out = arithmetic(a, b, alpha === 1 ? ADD : {
    number(x, y) { return x + alpha * y; },
    bigint(x, y) { return i64(x + BigInt(alpha) * y); },
  });
  return record("AddBackward0", out, tensors(a, b),
    (g) => [g, alpha === 1 ? g : g.mul(alpha)], { savesTensors: false });
}

export function sub(a: Operand, b: Operand, options: { alpha?: number } = {}): Tensor {
  checkNotBool(a, b);
  const alpha = options.alpha ?? 1;
  checkAlpha(a, b, alpha);
  const out = arithmetic(a, b, alpha === 1 ? SUB : scaledSub(alpha));
  return record("SubBackward0", out, tensors(a, b),
    (g) => [g, needsGrad(b) ? fresh(g.mul(-alpha)) : null], { savesTensors: false });
}

/** `other - alpha * self`; a scalar `other` gives PyTorch's `RsubBackward1` (as `1 - x`). */
export function rsub(self: Tensor, other: Operand, options: { alpha?: number } = {}): Tensor {
  checkNotBool(other, self);
  const alpha = options.alpha ?? 1;
  checkAlpha(self, other, alpha);
  const out = arithmetic(other, self, alpha === 1 ? SUB : scaledSub(alpha));
  const name = other instanceof Tensor ? "RsubBackward0" : "RsubBackward1";
  return record(name, out, tensors(self, other),
    (g) => [needsGrad(self) ? fresh(g.mul(-alpha)) : null, g], { savesTensors: false });
}

/** Whether an operand is a tensor that requires grad (backward skips the others' gradients). */
function needsGrad(x: Operand): boolean {
  return x instanceof Tensor && x.requiresGrad;
}

/**
 * `g·f(x)` in one fused pass (see kernels/fast-ops.ts `gradSimd`) for large float32 `g` and `x`
 * of one shape (or a single-element `g`), else null: the caller composes it from ops.
 */
export function fusedGrad(kind: GradKind, g: Tensor, x: Tensor, s = 0): Tensor | null {
  if (!(x.data instanceof Float32Array) || !(g.data instanceof Float32Array)) return null;
  if (!simdTakes(x.numel()) || (g.numel() !== 1 && !sameShapeAs(g, x))) return null;
  const out = allocStorage(float32, x.numel()) as Float32Array;
  return gradSimd(kind, g.data, x.data, s, out) ? fresh(new Tensor(out, x.shape)) : null;
}

function sameShapeAs(a: Tensor, b: Tensor): boolean {
  return a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

function isBool(x: Operand): boolean {
  return x instanceof Tensor ? x.dtype === bool : typeof x === "boolean";
}

function checkNotBool(a: Operand, b: Operand): void {
  check(!(isBool(a) && isBool(b)), () => "Subtraction, the `-` operator, with two bool " +
    "tensors is not supported. Use the `^` or `logical_xor()` operator instead.");
  check(!isBool(a) && !isBool(b), () => "Subtraction, the `-` operator, with a bool tensor " +
    "is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` " +
    "operator instead.");
}

function checkAlpha(a: Operand, b: Operand, alpha: number): void {
  check(resultType(a, b).isFloatingPoint || Number.isInteger(alpha), () => "For integral " +
    "input tensors, argument alpha must not be a floating point number.");
}

export function mul(a: Operand, b: Operand): Tensor {
  const out = arithmetic(a, b, MUL);
  return record("MulBackward0", out, tensors(a, b), (g) => {
    if (a === b) {
      // x·x: both gradients are the same g·x, computed once (the engine adds them).
      const shared = g.mul(a);
      return [shared, shared];
    }
    return [
      a instanceof Tensor && a.requiresGrad ? fresh(g.mul(b)) : null,
      b instanceof Tensor && b.requiresGrad ? fresh(g.mul(a)) : null,
    ];
  });
}

export function div(a: Operand, b: Operand): Tensor {
  const out = floating(a, b, DIV);
  return record("DivBackward0", out, tensors(a, b), (g) => [
    a instanceof Tensor && a.requiresGrad ? fresh(g.div(b)) : null,
    // PyTorch's div_tensor_other_backward: −g·((a / b) / b), which b² would overflow.
    b instanceof Tensor && b.requiresGrad ? g.neg().mul(div(div(a, b), b)) : null,
  ]);
}

/** Integer powers; a negative exponent truncates 1/xⁿ toward zero, as PyTorch's powi does. */
function bigintPow(x: bigint, y: bigint): bigint {
  if (y >= 0n) return i64(x ** y);
  if (x === 1n) return 1n;
  if (x === -1n) return y % 2n === 0n ? 1n : -1n;
  return 0n;
}

/** `base ** exponent` for tensor or scalar operands (PowBackward0/1/2 as PyTorch names them). */
export function pow(base: Operand, exponent: Operand): Tensor {
  check(typeof exponent !== "number" || exponent >= 0 || resultType(base, exponent)
    .isFloatingPoint, () => "Integers to negative integer powers are not allowed.");
  const out = squareOrCopy(base, exponent) ??
    arithmetic(base, exponent, { number: Math.pow, bigint: bigintPow });
  const name = !(base instanceof Tensor) ? "PowBackward2"
    : exponent instanceof Tensor ? "PowBackward1" : "PowBackward0";
  return record(name, out, tensors(base, exponent), (g) => [
    base instanceof Tensor && base.requiresGrad ? powBaseGrad(g, base, exponent) : null,
    exponent instanceof Tensor && exponent.requiresGrad
      ? powExponentGrad(g, base, exponent, out) : null,
  ]);
}

/**
 * float32 `x ** 2` as x·x and `x ** 1` as x·1 on the fast loops: the same float32 results as
 * Math.pow (x·x of a float32 is exact in double, and Math.pow(x, 2) returns it).
 */
function squareOrCopy(base: Operand, exponent: Operand): Tensor | null {
  if (!(base instanceof Tensor) || base.dtype !== float32) return null;
  if (exponent !== 2 && exponent !== 1) return null;
  const other = exponent === 2 ? base : 1;
  return applyBinary(base, other, float32, float32, { number: (x, y) => x * y, fast: "mul" });
}

/** d/dx xʸ = y·xʸ⁻¹, taken as 0 where y == 0 (PyTorch's pow_backward). */
function powBaseGrad(g: Tensor, base: Tensor, exponent: Operand): Tensor {
  if (!(exponent instanceof Tensor)) {
    if (exponent === 0) return g.zerosLike();
    // g·(x·2): PyTorch's grad * (2 * x.pow(1)) with the same two roundings.
    if (exponent === 2) {
      const fused = fusedGrad("square", g, base, 2);
      if (fused) return fused;
    }
    return g.mul(pow(base, Number(exponent) - 1).mul(exponent));
  }
  const grad = g.mul(exponent).mul(pow(base, sub(exponent, 1)));
  return where(exponent.eq(0), 0, grad);
}

/** d/dy xʸ = xʸ·ln x, taken as 0 where x == 0 and y >= 0. */
function powExponentGrad(g: Tensor, base: Operand, exponent: Tensor, result: Tensor): Tensor {
  const grad = g.mul(result).mul(asTensorOf(base, result.dtype).log());
  return where(logicalAnd(eq(base, 0), ge(exponent, 0)), 0, grad);
}

/**
 * Elementwise max, NaN-propagating. Ties split the gradient in half, and only the strictly
 * smaller side gets none, so NaN pairs pass it to both (PyTorch 1.13's formula).
 */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return extremum("MaximumBackward0", a, b, 1);
}

export function minimum(a: Tensor, b: Tensor): Tensor {
  return extremum("MinimumBackward0", a, b, -1);
}

function extremum(name: string, a: Tensor, b: Tensor, sign: 1 | -1): Tensor {
  const pickNumber = sign > 0 ? Math.max : Math.min;
  const out = arithmetic(a, b, { number: pickNumber,
    bigint: (x, y) => ((sign > 0 ? x >= y : x <= y) ? x : y) });
  return record(name, out, [a, b], (g) => {
    const shared = where(eq(a, b), g.div(2), g);
    const aLoses = sign > 0 ? lt(a, b) : gt(a, b);
    const bLoses = sign > 0 ? gt(a, b) : lt(a, b);
    return [where(aLoses, 0, shared), where(bLoses, 0, shared)];
  });
}

type Bound = Operand | null | undefined;

/** `torch.clamp`: NaN stays NaN; where min > max the result is max, as in PyTorch. */
export function clamp(
  x: Tensor,
  min?: Bound | { min?: Bound; max?: Bound },
  max?: Bound,
): Tensor {
  if (min !== null && typeof min === "object" && !(min instanceof Tensor)) {
    return clamp(x, min.min, min.max);
  }
  const lower = min ?? null;
  const upper = max ?? null;
  check(lower !== null || upper !== null, () =>
    "torch.clamp: At least one of 'min' or 'max' must not be None");
  const tensorBounds = lower instanceof Tensor || upper instanceof Tensor;
  let out = x.detach();
  if (lower !== null) out = applyBinary(out, lower, resultType(x, lower), resultType(x, lower),
    { number: (v, lo) => (v !== v ? v : Math.max(v, lo)), bigint: (v, lo) => (v > lo ? v : lo),
      fast: "clampMin" });
  if (upper !== null) out = applyBinary(out, upper, resultType(out, upper),
    resultType(out, upper),
    { number: (v, hi) => (v !== v ? v : Math.min(v, hi)), bigint: (v, hi) => (v < hi ? v : hi),
      fast: "clampMax" });
  return record(tensorBounds ? "ClampBackward0" : "ClampBackward1", out,
    [x, ...tensors(lower ?? 0, upper ?? 0)], (g) => clampGrads(g, x, lower, upper));
}

/** PyTorch's clamp_backward_min_max: where min > max, only the max bound gets gradient. */
function clampGrads(g: Tensor, x: Tensor, lower: Operand | null, upper: Operand | null) {
  const oneBound = lower === null ? upper : upper === null ? lower : null;
  if (typeof oneBound === "number") {
    const fused = fusedGrad(lower === null ? "clampMax" : "clampMin", g, x, oneBound);
    if (fused) return [fused, null, null];
  }
  const aboveLower = lower === null ? null : ge(x, lower);
  const belowUpper = upper === null ? null : le(x, upper);
  const inside = aboveLower && belowUpper ? logicalAnd(aboveLower, belowUpper)
    : (aboveLower ?? belowUpper) as Tensor;
  const both = lower !== null && upper !== null;
  let lowerTakes = lower instanceof Tensor ? lt(x, lower) : null;
  let upperTakes = upper instanceof Tensor ? gt(x, upper) : null;
  if (both && lowerTakes) lowerTakes = logicalAnd(lowerTakes, lt(lower, upper));
  if (both && upperTakes) upperTakes = logicalOr(upperTakes, lt(upper, lower));
  return [
    where(inside, g, 0),
    lowerTakes ? where(lowerTakes, g, 0) : null,
    upperTakes ? where(upperTakes, g, 0) : null,
  ];
}

export function clampMin(x: Tensor, min: Operand): Tensor {
  const out = applyBinary(x, min, resultType(x, min), resultType(x, min),
    { number: (v, lo) => (v !== v ? v : Math.max(v, lo)), bigint: (v, lo) => (v > lo ? v : lo),
      fast: "clampMin" });
  const name = min instanceof Tensor ? "ClampMinBackward1" : "ClampMinBackward0";
  return record(name, out, tensors(x, min), (g) => [
    (typeof min === "number" && fusedGrad("clampMin", g, x, min)) || where(ge(x, min), g, 0),
    min instanceof Tensor ? where(lt(x, min), g, 0) : null,
  ]);
}

export function clampMax(x: Tensor, max: Operand): Tensor {
  const out = applyBinary(x, max, resultType(x, max), resultType(x, max),
    { number: (v, hi) => (v !== v ? v : Math.min(v, hi)), bigint: (v, hi) => (v < hi ? v : hi),
      fast: "clampMax" });
  const name = max instanceof Tensor ? "ClampMaxBackward1" : "ClampMaxBackward0";
  return record(name, out, tensors(x, max), (g) => [
    (typeof max === "number" && fusedGrad("clampMax", g, x, max)) || where(le(x, max), g, 0),
    max instanceof Tensor ? where(gt(x, max), g, 0) : null,
  ]);
}

function comparison(a: Operand, b: Operand, number: NumberFn, bigint: BigIntFn,
  fast: FastBinaryOp): Tensor {
  return applyBinary(a, b, resultType(a, b), bool, { number, bigint, fast });
}

export const eq = (a: Operand, b: Operand) =>
  comparison(a, b, (x, y) => +(x === y), (x, y) => +(x === y), "eq");
export const ne = (a: Operand, b: Operand) =>
  comparison(a, b, (x, y) => +(x !== y), (x, y) => +(x !== y), "ne");
export const lt = (a: Operand, b: Operand) =>
  comparison(a, b, (x, y) => +(x < y), (x, y) => +(x < y), "lt");
export const le = (a: Operand, b: Operand) =>
  comparison(a, b, (x, y) => +(x <= y), (x, y) => +(x <= y), "le");
export const gt = (a: Operand, b: Operand) =>
  comparison(a, b, (x, y) => +(x > y), (x, y) => +(x > y), "gt");
export const ge = (a: Operand, b: Operand) =>
  comparison(a, b, (x, y) => +(x >= y), (x, y) => +(x >= y), "ge");

export function logicalAnd(a: Tensor, b: Tensor): Tensor {
  return applyBinary(a, b, resultType(a, b), bool,
    { number: (x, y) => +(x !== 0 && y !== 0), bigint: (x, y) => +(x !== 0n && y !== 0n) });
}

export function logicalOr(a: Tensor, b: Tensor): Tensor {
  return applyBinary(a, b, resultType(a, b), bool,
    { number: (x, y) => +(x !== 0 || y !== 0), bigint: (x, y) => +(x !== 0n || y !== 0n) });
}

/** `torch.where(condition, input, other)`; the gradient flows to the branch each element took. */
export function where(condition: Tensor, input: Operand, other: Operand): Tensor {
  check(condition.dtype === bool, () => "where expected condition to be a boolean tensor, " +
    `but got a tensor with dtype ${dtypeTitle(condition.dtype)}`);
  const dtype = resultType(input, other);
  const a = asTensorOf(input, dtype);
  const b = asTensorOf(other, dtype);
  const shape = broadcastShapes(condition.shape, broadcastShapes(a.shape, b.shape));
  const out = resultStorage(dtype, numelOf(shape)) as kernels.Flat<unknown>;
  if (!(out instanceof BigInt64Array) && whereFast(condition.data as Uint8Array,
    a.data as Uint8Array, b.data as Uint8Array, out as Uint8Array)) {
    return recordWhere(new Tensor(out as Storage, shape), condition, input, other);
  }
  const cond = broadcastData(condition, shape);
  const pickedA = broadcastData(a, shape) as kernels.Flat<unknown>;
  const pickedB = broadcastData(b, shape) as kernels.Flat<unknown>;
  for (let i = 0; i < out.length; i++) out[i] = cond[i] ? pickedA[i] : pickedB[i];
  return recordWhere(new Tensor(out as Storage, shape), condition, input, other);
}

function recordWhere(out: Tensor, condition: Tensor, input: Operand, other: Operand): Tensor {
  const result = withLayout(out, [condition, input, other]);
  return record("WhereBackward0", result,
    [null, ...tensors(input, other)],
    (g) => [null, needsGrad(input) ? fresh(where(condition, g, 0)) : null,
      needsGrad(other) ? fresh(where(condition, 0, g)) : null]);
}

/** The data of `t` materialised at the broadcast `shape`. */
export function broadcastData(t: Tensor, shape: readonly number[]): Storage {
  if (numelOf(shape) === t.numel()) return t.data;
  const out = allocStorage(t.dtype, numelOf(shape));
  kernels.gatherStrided(t.data as kernels.Flat<unknown>, broadcastStrides(t.shape, shape),
    out as kernels.Flat<unknown>, shape);
  return out;
}

/** PyTorch's C++ type name in messages: Float, Double, Long, Bool. */
export function dtypeTitle(dtype: DType): string {
  return { float32: "Float", float64: "Double", int64: "Long", bool: "Bool" }[dtype.name];
}
