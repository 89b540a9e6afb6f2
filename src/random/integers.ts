/**
 * torch 1.13's integer samplers on the CPU: `random_` in its three forms (`randint` is
 * `random_(low, high)`) and `randperm`. Values are computed in uint64/int64 arithmetic exactly as
 * the C++ kernels do, then cast to the tensor's dtype.
 */
import { RuntimeError, TorchTypeError, check, warn } from "../errors.js";
import { type DTypeName, type Storage, dtypeOfStorage } from "../tensor/dtype.js";
import type { Generator } from "./generator.js";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const TWO_POW_32 = 1n << 32n;
const SAFE_BASE = 1n << 52n;
const TWO_POW_53 = 1n << 53n;

const FLOAT_DIGITS = { float32: 24, float64: 53 } as const;
const CPP_NAME = { float32: "float", float64: "double" } as const;

/** A Python int argument as a C++ int64_t. */
function toInt64(v: number | bigint, name: string): bigint {
  if (typeof v === "number" && !Number.isInteger(v)) {
    throw new TorchTypeError(`random_(): argument '${name}' must be int, not float`);
  }
  const b = BigInt(v);
  check(b >= INT64_MIN && b <= INT64_MAX, () => "Overflow when unpacking long");
  return b;
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** `static_cast<float>(int64_t)`: one correct rounding (Number() then fround could round twice). */
export function int64ToFloat32(v: bigint): number {
  const mag = v < 0n ? -v : v;
  if (mag <= TWO_POW_53) return Math.fround(Number(v));
  const shift = bitLength(mag) - 53;
  let q = mag >> BigInt(shift);
  if (q << BigInt(shift) !== mag) q |= 1n; // round to odd: keeps the sticky bit
  const x = Math.fround(Number(q) * 2 ** shift);
  return v < 0n ? -x : x;
}

function castToFloat(v: bigint, kind: "float32" | "float64"): number {
  return kind === "float32" ? int64ToFloat32(v) : Number(v);
}

/** `static_cast<int64_t>(float)` as x86-64 does it: out-of-range gives INT64_MIN. */
function floatToInt64(x: number): bigint {
  return x >= 2 ** 63 || x < -(2 ** 63) ? INT64_MIN : BigInt(x);
}

/** `update_from<scalar_t>`: moves `from` up so that casting to the dtype stays >= from. */
function updateFrom(from: bigint, kind: "float32" | "float64"): bigint {
  // torch loops forever for from = INT64_MAX (from + 1 overflows); we leave it for the caller
  // to reject with the ordinary range message.
  if (from === INT64_MAX) return from;
  const fromPlus1 = floatToInt64(castToFloat(from + 1n, kind));
  if (fromPlus1 >= from) return from;
  const n = bitLength(from + 1n < 0n ? -(from + 1n) : from + 1n) - 1;
  return fromPlus1 + (1n << BigInt(n - FLOAT_DIGITS[kind] + 1));
}

/** `update_to<scalar_t>`: moves `to` down so that casting to the dtype stays < to. */
function updateTo(to: bigint, kind: "float32" | "float64"): bigint {
  const toMinus1 = floatToInt64(castToFloat(to - 1n, kind));
  if (toMinus1 < to) return to;
  const n = bitLength(to - 1n < 0n ? -(to - 1n) : to - 1n) - 1;
  return toMinus1 - (1n << BigInt(n - FLOAT_DIGITS[kind] + 1));
}

/** `check_from_to_in_range`: bool must stay in [0, 1]; float dtypes only warn past 2^digits. */
function checkFromToInRange(from: bigint, toInc: bigint, kind: DTypeName): void {
  if (kind === "bool") {
    check(from >= 0n && from <= 1n, () => "from is out of bounds for bool");
    check(toInc >= 0n && toInc <= 1n, () => "to - 1 is out of bounds for bool");
  } else if (kind !== "int64") {
    warnOutOfBounds(from, "from", kind);
    warnOutOfBounds(toInc, "to - 1", kind);
  }
}

function warnOutOfBounds(v: bigint, name: string, kind: "float32" | "float64"): void {
  const digits = FLOAT_DIGITS[kind];
  const limit = 1n << BigInt(digits);
  if (v >= -limit && v <= limit) return;
  warn(`${name} is out of bounds [-(2^${digits}), 2^${digits}]. Due to precision limitations ` +
    `${CPP_NAME[kind]} can support discrete uniform distribution only within this range. ` +
    "This warning will become an error in version 1.7 release, please fix the code in advance");
}

type Put = (i: number, v: bigint) => void;

/** Stores an int64 value into `data` the way `static_cast<scalar_t>` converts it. */
function int64Writer(data: Storage): Put {
  if (data instanceof BigInt64Array) return (i, v) => { data[i] = v; };
  if (data instanceof Float32Array) return (i, v) => { data[i] = int64ToFloat32(v); };
  if (data instanceof Float64Array) return (i, v) => { data[i] = Number(v); };
  return (i, v) => { data[i] = v !== 0n ? 1 : 0; };
}

/** Like `int64Writer` for values that are safe integers (|v| < 2^53: every cast rounds once). */
function smallWriter(data: Storage): (i: number, v: number) => void {
  if (data instanceof BigInt64Array) return (i, v) => { data[i] = BigInt(v); };
  if (data instanceof Uint8Array) return (i, v) => { data[i] = v !== 0 ? 1 : 0; };
  return (i, v) => { data[i] = v; };
}

/** `random_from_to_kernel`: (draw % range) + base, in uint64 arithmetic, one draw each. */
function fillFromTo(data: Storage, range: bigint, base: bigint, gen: Generator): void {
  // 64-bit draws only for int64/float/double (and bfloat16) when the range needs them.
  const use64 = range >= TWO_POW_32 && !(data instanceof Uint8Array);
  if (!use64 && base > -SAFE_BASE && base < SAFE_BASE) {
    const r = Number(range);
    const b = Number(base);
    const put = smallWriter(data);
    for (let i = 0; i < data.length; i++) put(i, (gen.nextUint32() % r) + b);
    return;
  }
  const put = int64Writer(data);
  for (let i = 0; i < data.length; i++) {
    const v = use64 ? gen.nextUint64() : BigInt(gen.nextUint32());
    put(i, BigInt.asIntN(64, (v % range) + base));
  }
}

/** [from, to): `t.random_(from, to)`, `t.random_(to)` (from = 0) and `torch.randint`. */
function randomFromTo(data: Storage, from: bigint, to: bigint, gen: Generator): void {
  const kind = dtypeOfStorage(data).name;
  check(from < to,
    () => `random_ expects 'from' to be less than 'to', but got from=${from} >= to=${to}`);
  if (kind === "float32" || kind === "float64") {
    from = updateFrom(from, kind);
    to = updateTo(to, kind);
    check(from < to, () => "random_ expects 'from' casted to dtype to be less than 'to' " +
      `casted to dtype, but got from=${from} >= to=${to}`);
  }
  checkFromToInRange(from, to - 1n, kind);
  fillFromTo(data, BigInt.asUintN(64, to - from), from, gen);
}

/** [from, dtype max]: `t.random_(from, None)`; for floats the max is 2^digits. */
function randomFromToMax(data: Storage, from: bigint, gen: Generator): void {
  const kind = dtypeOfStorage(data).name;
  let toInc: bigint;
  if (kind === "float32" || kind === "float64") {
    toInc = 1n << BigInt(FLOAT_DIGITS[kind]);
    from = updateFrom(from, kind);
    check(from < toInc, () => "random_ expects 'from' casted to dtype to be less than or equal " +
      `to 'to_inc' casted to dtype, but got from=${from} > to_inc=${toInc}`);
  } else {
    toInc = kind === "bool" ? 1n : INT64_MAX;
  }
  checkFromToInRange(from, toInc, kind);
  fillFromTo(data, BigInt.asUintN(64, toInc - from + 1n), from, gen);
}

/** `random_(INT64_MIN, None)`: the full 64-bit range, `(int64_t)random64()` cast to the dtype. */
function randomFullRange(data: Storage, gen: Generator): void {
  if (data instanceof Uint8Array) {
    throw new RuntimeError(
      "\"random_full_64_bits_range_kernel_cpu\" not implemented for 'Bool'");
  }
  const put = int64Writer(data);
  for (let i = 0; i < data.length; i++) put(i, BigInt.asIntN(64, gen.nextUint64()));
}

/**
 * `t.random_(from, to)`: integers in [from, to), or in [from, dtype max] when `to` is null
 * (`t.random_(k)` is `random_(0, k)`; `torch.randint(low, high)` is `random_(low, high)`).
 */
export function random_(data: Storage, from: number | bigint, to: number | bigint | null,
  gen: Generator): void {
  const lo = toInt64(from, "from");
  if (to !== null) randomFromTo(data, lo, toInt64(to, "to"), gen);
  else if (lo !== INT64_MIN) randomFromToMax(data, lo, gen);
  else randomFullRange(data, gen);
}

/**
 * `t.random_()`: int64 in [0, 2^63), float32 in [0, 2^24], float64 in [0, 2^53], bool 0/1.
 */
export function randomDefault_(data: Storage, gen: Generator): void {
  const n = data.length;
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) data[i] = BigInt.asUintN(63, gen.nextUint64());
  } else if (data instanceof Float32Array) {
    for (let i = 0; i < n; i++) data[i] = gen.nextUint32() % 16777217;
  } else if (data instanceof Float64Array) {
    for (let i = 0; i < n; i++) data[i] = Number(gen.nextUint64() % (TWO_POW_53 + 1n));
  } else {
    for (let i = 0; i < n; i++) data[i] = gen.nextUint32() & 1;
  }
}

/**
 * `torch.randperm(n)` into `data` (n = data.length): Fisher-Yates over 0..n-1 with
 * `random() % (n - i)`, n - 1 draws. The values are cast to the dtype before shuffling.
 */
export function randperm_(data: Storage, gen: Generator): void {
  check(!(data instanceof Uint8Array), () => "\"randperm\" not implemented for 'Bool'");
  const n = data.length;
  check(!(data instanceof Float32Array) || n <= 2 ** 24 + 1,
    () => "n cannot be greater than 2^24+1 for Float type.");
  const perm = new Float64Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const j = i + (gen.nextUint32() % (n - i));
    const saved = perm[i] as number;
    perm[i] = perm[j] as number;
    perm[j] = saved;
  }
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) data[i] = BigInt(perm[i] as number);
  } else {
    data.set(perm); // float32: static_cast<float>(i) rounds 2^24 + 1 like torch
  }
}
