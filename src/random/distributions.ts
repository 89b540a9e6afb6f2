/**
 * torch 1.13's CPU samplers (AVX2 build), filling a contiguous tensor's storage in C order with
 * the same draws, arithmetic and rounding as the C++ kernels. Validation errors carry PyTorch's
 * messages.
 */
import { check } from "../errors.js";
import type { FloatStorage, Storage } from "../tensor/dtype.js";
import { sincos256, log256 } from "./avx-mathfun.js";
import { formatCppDouble as fmt } from "./cpp-format.js";
import { fma32, fma64 } from "./fma.js";
import type { Generator } from "./generator.js";
import { glibcCos, glibcLog, glibcSin } from "./libm.js";

export { randomDefault_, random_, randperm_ } from "./integers.js";

const fr = Math.fround;
const FLT_MAX = 3.4028234663852886e38;
const TWO_PI = 2 * Math.PI; // c10::pi<double> * 2, exact
const TWO_PI_F = fr(2 * Math.PI);

/** `t.uniform_(from, to)`: `fma(u, to - from, from)` in the tensor's dtype, one draw each. */
export function uniform_(data: FloatStorage, from: number, to: number, gen: Generator): void {
  const isF32 = data instanceof Float32Array;
  const max = isF32 ? FLT_MAX : Number.MAX_VALUE;
  const name = isF32 ? "float" : "double";
  check(from >= -max && from <= max, () => `from is out of bounds for ${name}`);
  check(to >= -max && to <= max, () => `to is out of bounds for ${name}`);
  check(from <= to, () => "uniform_ expects to return a [from, to) range, but found " +
    `from=${fmt(from)} > to=${fmt(to)}`);
  check(to - from <= max, () => `uniform_ expects to-from <= std::numeric_limits<` +
    `${isF32 ? "Float" : "Double"}>::max(), but found to=${fmt(to)} and from=${fmt(from)} ` +
    "which result in to-from to exceed the limit");
  if (isF32) {
    const lo = fr(from);
    const range = fr(fr(to) - lo);
    for (let i = 0; i < data.length; i++) data[i] = fma32(gen.uniformFloat32(), range, lo);
  } else {
    const range = to - from;
    for (let i = 0; i < data.length; i++) data[i] = fma64(gen.uniformFloat64(), range, from);
  }
}

/**
 * `t.normal_(mean, std)` (`randn` is `normal_(0, 1)`). Three paths, as in torch: fewer than 16
 * elements use the double Box-Muller sampler with its cached second sample; 16 or more use the
 * block fill, float32 through the AVX2 polynomials and float64 through libm.
 */
export function normal_(data: FloatStorage, mean: number, std: number, gen: Generator): void {
  check(std >= 0, () => `normal expects std >= 0.0, but found std ${fmt(std)}`);
  if (data.length < 16) {
    for (let i = 0; i < data.length; i++) data[i] = normalDouble(gen, mean, std);
  } else if (data instanceof Float32Array) {
    normalFill(data, () => gen.uniformFloat32(), (d, o) => fill16F32(d, o, fr(mean), fr(std)));
  } else {
    normalFill(data, () => gen.uniformFloat64(), (d, o) => fill16F64(d, o, mean, std));
  }
}

/** `at::normal_distribution<double>`: Box-Muller, the sin half cached on the generator. */
function normalDouble(gen: Generator, mean: number, std: number): number {
  let ret: number;
  if (gen.nextDoubleNormal !== null) {
    ret = gen.nextDoubleNormal;
    gen.nextDoubleNormal = null;
  } else {
    const u1 = gen.uniformFloat64(); // the angle
    const u2 = gen.uniformFloat64(); // the radius; 1.13 uses log(1 - u), not log1p(-u)
    const r = Math.sqrt(-2 * glibcLog(1 - u2));
    const theta = TWO_PI * u1;
    gen.nextDoubleNormal = r * glibcSin(theta);
    ret = r * glibcCos(theta);
  }
  return fma64(ret, std, mean);
}

/**
 * `normal_fill`: n uniforms, transformed 16 at a time; a ragged tail redraws 16 fresh uniforms
 * into the last 16 slots (overwriting values already transformed) and transforms those.
 */
function normalFill<T extends FloatStorage>(data: T, uniform: () => number,
  fill16: (d: T, offset: number) => void): void {
  const n = data.length;
  for (let i = 0; i < n; i++) data[i] = uniform();
  for (let i = 0; i < n - 15; i += 16) fill16(data, i);
  if (n % 16 !== 0) {
    for (let i = n - 16; i < n; i++) data[i] = uniform();
    fill16(data, n - 16);
  }
}

const SINCOS = new Float32Array(2);

/** `normal_fill_16_AVX2`: lane j takes its radius from d[j] and its angle from d[j + 8]. */
function fill16F32(d: Float32Array, o: number, mean: number, std: number): void {
  for (let j = o; j < o + 8; j++) {
    const radius = fr(Math.sqrt(fr(-2 * log256(fr(1 - (d[j] as number))))));
    sincos256(fr(TWO_PI_F * (d[j + 8] as number)), SINCOS);
    d[j] = fma32(fr(radius * (SINCOS[1] as number)), std, mean);
    d[j + 8] = fma32(fr(radius * (SINCOS[0] as number)), std, mean);
  }
}

/** `normal_fill_16<double>`: the same lanes in double through glibc's log, sin and cos. */
function fill16F64(d: Float64Array, o: number, mean: number, std: number): void {
  for (let j = o; j < o + 8; j++) {
    const radius = Math.sqrt(-2 * glibcLog(1 - (d[j] as number)));
    const theta = TWO_PI * (d[j + 8] as number);
    d[j] = fma64(radius * glibcCos(theta), std, mean);
    d[j + 8] = fma64(radius * glibcSin(theta), std, mean);
  }
}

function bitWriter(data: Storage): (i: number, bit: boolean) => void {
  if (data instanceof BigInt64Array) return (i, bit) => { data[i] = bit ? 1n : 0n; };
  return (i, bit) => { data[i] = bit ? 1 : 0; };
}

/**
 * `t.bernoulli_(p)` with a scalar p: `uniform double < p`, two 32-bit words per element (the
 * non-MKL kernel; official MKL wheels on Intel CPUs draw from an MKL stream instead).
 */
export function bernoulliScalar_(data: Storage, p: number, gen: Generator): void {
  check(p >= 0 && p <= 1, () => `bernoulli_ expects p to be in [0, 1], but got p=${fmt(p)}`);
  const put = bitWriter(data);
  for (let i = 0; i < data.length; i++) put(i, gen.uniformFloat64() < p);
}

/**
 * `torch.bernoulli(p)` / `t.bernoulli_(p_tensor)` for a p of the same numel: float64 p draws a
 * double uniform, float32 p a float uniform, one per element.
 */
export function bernoulliTensor_(data: Storage, p: FloatStorage, gen: Generator): void {
  check(p.length === data.length, () => "bernoulli_: p must have as many elements as self");
  const put = bitWriter(data);
  const f64 = p instanceof Float64Array;
  for (let i = 0; i < data.length; i++) {
    const u = f64 ? gen.uniformFloat64() : gen.uniformFloat32();
    put(i, u < (p[i] as number));
  }
}
