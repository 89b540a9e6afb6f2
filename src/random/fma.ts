/**
 * Exact fused multiply-add in JavaScript. torch's AVX2 kernels compute `x * (to - from) + from`,
 * `ret * std + mean` and parts of `avx_mathfun.h` with one rounding (GCC contracts them into FMA
 * instructions), so the ports below must round once too.
 */

import { HI, LO, SCRATCH, WORDS } from "./float-bits.js";

const VELTKAMP = 134217729; // 2^27 + 1
const SPLIT_LIMIT = 2 ** 995; // Veltkamp splitting overflows above this
const PRODUCT_MIN = 2 ** -960; // below this the product's error term may underflow

/** The rounding error of s = RN(a + b) (Knuth's TwoSum): a + b = s + err exactly. */
function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/** Given s = RN(x) and err = x - s exactly, returns x rounded to odd. */
function roundToOdd(s: number, err: number): number {
  if (err === 0) return s;
  SCRATCH[0] = s;
  const lo = WORDS[LO] as number;
  if ((lo & 1) !== 0) return s;
  // s is even, so its neighbour towards x is odd; s != 0 because err != 0.
  if (s > 0 === err > 0) {
    WORDS[LO] = lo + 1;
  } else if (lo !== 0) {
    WORDS[LO] = lo - 1;
  } else {
    WORDS[LO] = 0xffffffff;
    WORDS[HI] = (WORDS[HI] as number) - 1;
  }
  return SCRATCH[0] as number;
}

/**
 * `fmaf(a, b, c)` for float32 values: a*b is exact in double, the double sum rounded to odd,
 * then one rounding to float32 (53 >= 24 + 2 bits make that a single correct rounding).
 */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  if (!Number.isFinite(s)) return Math.fround(s);
  return Math.fround(roundToOdd(s, twoSumErr(p, c, s)));
}

/**
 * `fma(a, b, c)` for doubles (Boldo-Melquiond: Dekker product, TwoSum, round-to-odd), with an
 * exact BigInt fallback where the error terms could overflow or underflow.
 */
export function fma64(a: number, b: number, c: number): number {
  const p = a * b;
  if (a === 0 || b === 0) return p + c; // exact zero product: IEEE signed-zero sum
  if (c === 0) return p; // RN(a*b), including its sign when it underflows
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return p + c;
  const ap = Math.abs(p);
  if (Math.abs(a) < SPLIT_LIMIT && Math.abs(b) < SPLIT_LIMIT && ap > PRODUCT_MIN) {
    const r = fastFma64(a, b, c, p);
    if (Number.isFinite(r)) return r;
  }
  return exactFma64(a, b, c);
}

function fastFma64(a: number, b: number, c: number, ph: number): number {
  let t = VELTKAMP * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = VELTKAMP * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pl = ((ah * bh - ph) + ah * bl + al * bh) + al * bl;
  const th = c + ph;
  const tl = twoSumErr(c, ph, th);
  if (pl === 0 && tl === 0) return ph + c;
  const v = tl + pl;
  return th + roundToOdd(v, twoSumErr(tl, pl, v));
}

/** A finite double as m * 2^e with an integer m. */
function decompose(x: number): [bigint, number] {
  SCRATCH[0] = x;
  const hi = WORDS[HI] as number;
  const lo = WORDS[LO] as number;
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) m |= 1n << 52n;
  if (hi >>> 31) m = -m;
  return [m, Math.max(biased, 1) - 1075];
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** m * 2^e rounded to the nearest double (ties to even), with gradual underflow. */
export function roundToDouble(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const neg = m < 0n;
  let mag = neg ? -m : m;
  const shift = Math.max(bitLength(mag) - 53, -1074 - e);
  if (shift > 0) {
    const s = BigInt(shift);
    const q = mag >> s;
    const rest = mag - (q << s);
    const half = 1n << (s - 1n);
    mag = q + (rest > half || (rest === half && (q & 1n) === 1n) ? 1n : 0n);
    e += shift;
  }
  // mag has at most 54 bits and mag * 2^e is representable (or overflows to infinity).
  const x = e < 0
    ? (Number(mag) * 2 ** (e + 537)) * 2 ** -537
    : (Number(mag) * 2 ** Math.min(e, 1000)) * 2 ** Math.max(e - 1000, 0);
  return neg ? -x : x;
}

function exactFma64(a: number, b: number, c: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const sum = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  return roundToDouble(sum, e); // an exact zero sum of non-zero terms is +0 in RN
}
