// Bit-exact ports of glibc 2.36's double-precision `log`, `sin` and `cos` as selected on x86_64
// with FMA + AVX2 (the `__log_fma`, `__sin_fma`, `__cos_fma` ifunc variants).
//
// Why: PyTorch's float64 normal sampler (Box-Muller) calls the host libm's log/sin/cos, and
// V8's fdlibm-based Math.log/sin/cos differ from glibc in the last bit on a few percent of
// inputs. Reproducing `torch.randn(..., dtype=torch.float64)` bit for bit needs glibc's results.
//
// Algorithms (re-implemented here from reading glibc 2.36, not copied):
// - log: sysdeps/ieee754/dbl-64/e_log.c (ARM optimized-routines log, 128-entry table).
// - sin/cos: sysdeps/ieee754/dbl-64/s_sin.c (IBM Accurate Mathematical Library: do_sin, do_cos,
//   TAYLOR_SIN, reduce_sincos) with the 440-entry __sincostab and branred.c for huge arguments.
// The FMA variants are compiled with -mfma and GCC's default -ffp-contract=fast, so many
// `a * b + c` in the C source become one fused multiply-add. Which ones are fused was read off
// the machine code of this glibc build (Debian 2.36-9); each fused step below calls `fma`, every
// other step is a plain IEEE double operation in the same order as the compiled code.
// branred.c is not an ifunc variant (plain SSE2 code, nothing fused) and is ported as written.
//
// Scope: meant to be bit-exact for every double input, not only torch's domains (log(1 - u),
// sin/cos(2 pi u)). Verified against this machine's libm on ~20 million inputs per function:
// the torch domains with their edges, every branch of the C code, and arbitrary doubles of every
// sign and exponent (subnormals, huge arguments through branred); the committed subset is
// test/fixtures/libm.json (scripts/fixtures/gen_libm.py). JavaScript only has round-to-nearest,
// which is glibc's default mode too. Non-finite inputs give glibc's values (NaN, +-Infinity);
// errno and floating-point exception flags are not modelled. Other glibc versions, or the
// non-FMA ifunc variants (CPUs without FMA), can differ in the last bit.

import { fma64 as fma } from "./fma.js";
import { HI, LO, SCRATCH, WORDS } from "./float-bits.js";

/** The double whose IEEE-754 bit pattern is the 16-hex-digit string `hex`. */
function fromBits(hex: string): number {
  WORDS[HI] = parseInt(hex.slice(0, 8), 16);
  WORDS[LO] = parseInt(hex.slice(8, 16), 16);
  return SCRATCH[0] as number;
}

/** Whitespace-separated 16-hex-digit bit patterns -> doubles. */
function decodeTable(text: string): Float64Array {
  const parts = text.trim().split(/\s+/);
  const out = new Float64Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = fromBits(parts[i] as string);
  return out;
}

// Every fused step below calls the exact fused multiply-add emulation of ./fma.ts.

// ---------------------------------------------------------------------------------------------
// log (e_log.c). x = 2^k z with z in [0x1.6p-1, 0x1.6p0); z falls in one of 128 subintervals,
// c ~ its centre: log(x) = k ln2 + log(c) + log1p(z/c - 1), the last by a degree-6 polynomial.
// Inputs within [1 - 2^-4, 1 + 0x1.09p-4) use a degree-12 polynomial in r = x - 1 instead.
// ---------------------------------------------------------------------------------------------

const LN2HI = fromBits("3fe62e42fefa3800"); // 0x1.62e42fefa3800p-1 (low bits zero: k*LN2HI exact)
const LN2LO = fromBits("3d2ef35793c76730"); // 0x1.ef35793c76730p-45
// A[0..4]: log1p(r) ~ r + A0 r^2 + ... + A4 r^6 on |r| < 0x1.fp-9.
const A0 = fromBits("bfe0000000000001");
const A1 = fromBits("3fd555555551305b");
const A2 = fromBits("bfcfffffffeb4590");
const A3 = fromBits("3fc999b324f10111");
const A4 = fromBits("bfc55575e506c89f");
// B[0..10]: log1p(r) ~ r + B0 r^2 + ... + B10 r^12 on [-0x1p-4, 0x1.09p-4]; B0 = -0.5.
const B0 = fromBits("bfe0000000000000");
const B1 = fromBits("3fd5555555555577");
const B2 = fromBits("bfcffffffffffdcb");
const B3 = fromBits("3fc999999995dd0c");
const B4 = fromBits("bfc55555556745a7");
const B5 = fromBits("3fc24924a344de30");
const B6 = fromBits("bfbfffffa4423d65");
const B7 = fromBits("3fbc7184282ad6ca");
const B8 = fromBits("bfb999eb43b068ff");
const B9 = fromBits("3fb78182f7afd085");
const B10 = fromBits("bfb5521375d145cd");

const NEAR1_LO = 0.9375; // 1 - 2^-4
const NEAR1_HI = 1.064697265625; // 1 + 0x1.09p-4
const TWO52 = 4503599627370496; // 2^52
const TWO27 = 134217728; // 2^27
const OFF_HI = 0x3fe60000; // high word of OFF = 0x3fe6000000000000 (= 0x1.6p-1)

/** glibc 2.36 `log(x)` (x86_64 FMA variant), bit for bit. */
export function glibcLog(x: number): number {
  if (x >= NEAR1_LO && x < NEAR1_HI) return logNear1(x);
  SCRATCH[0] = x;
  let hi = WORDS[HI] as number;
  if (hi < 0x00100000 || hi >= 0x7ff00000) {
    // zero, subnormal, negative, infinite or NaN
    if (x === 0) return -Infinity;
    if (x === Infinity) return x;
    if (!(x > 0)) return NaN;
    // Subnormal: scale by 2^52 exactly and take 52 off the exponent field (may wrap below 0;
    // the 64-bit arithmetic in glibc is modulo 2^64 and so is the int32 arithmetic here).
    SCRATCH[0] = x * TWO52;
    hi = ((WORDS[HI] as number) - (52 << 20)) | 0;
  }
  return logMain(hi, WORDS[LO] as number);
}

/** Table path. `hi`, `lo` are the (possibly exponent-adjusted) words of x. */
function logMain(hi: number, lo: number): number {
  // tmp = ix - OFF; only its high word differs from ix's.
  const tmpHi = (hi - OFF_HI) | 0;
  const i = (tmpHi >>> 13) & 127; // (tmp >> 45) % 128
  const k = tmpHi >> 20; // arithmetic shift: the exponent of x relative to OFF
  WORDS[HI] = OFF_HI + (tmpHi & 0xfffff); // iz = ix - (tmp & 0xfff << 52)
  WORDS[LO] = lo;
  const z = SCRATCH[0] as number;
  const invc = LOG_TAB[2 * i] as number;
  const logc = LOG_TAB[2 * i + 1] as number;
  const r = fma(z, invc, -1); // z/c - 1, one rounding
  const w = fma(k, LN2HI, logc); // exact by the table's construction
  const h = w + r;
  const l = fma(k, LN2LO, w - h + r);
  const r2 = r * r;
  const r3 = r * r2;
  const p12 = fma(r, A2, A1);
  const p34 = fma(r, A4, A3);
  const l2 = fma(r2, A0, l);
  const p = fma(p34, r2, p12);
  return fma(r3, p, l2) + h;
}

/** |x - 1| small: log1p(r) with r = x - 1 exact, the r^2/2 term done in extra precision. */
function logNear1(x: number): number {
  if (x === 1) return 0;
  const r = x - 1;
  const r2 = r * r;
  const r3 = r * r2;
  let q1 = fma(r, B2, B1);
  let q4 = fma(r, B5, B4);
  let q7 = fma(r, B8, B7);
  q1 = fma(r2, B3, q1);
  q4 = fma(r2, B6, q4);
  q7 = fma(r2, B9, q7);
  q7 = fma(r3, B10, q7);
  q4 = fma(q7, r3, q4);
  const poly = fma(q4, r3, q1);
  // rhi ~ r with its low ~27 bits cleared. C: w = r*2^27; rhi = r + w - w; GCC fused both uses
  // of w, so this is not quite Veltkamp's split any more; reproduced as compiled.
  const t = fma(r, TWO27, r);
  const rhi = fma(-TWO27, r, t);
  const rlo = r - rhi;
  const rhi2 = rhi * rhi;
  const h = fma(rhi2, B0, r); // r - rhi^2/2
  let l = fma(rhi2, B0, r - h);
  l = fma(B0 * rlo, rhi + r, l);
  return h + fma(poly, r3, l);
}

// ---------------------------------------------------------------------------------------------
// sin / cos (s_sin.c). Small |x|: Taylor polynomial. Otherwise x = Xi + t with Xi = i/128 from
// the table (sin Xi, cos Xi each as a double plus a correction) and the addition formulas, with
// short polynomials for sin t, cos t - 1. Larger |x| is first reduced modulo pi/2.
// ---------------------------------------------------------------------------------------------

// TAYLOR_SIN coefficients (usncs.h s1..s5).
const S1 = fromBits("bfc5555555555555");
const S2 = fromBits("3f81111111110ece");
const S3 = fromBits("bf2a01a019db08b8");
const S4 = fromBits("3ec71de27b9a7ed9");
const S5 = fromBits("be5addffc2fcdf59");
// do_sin/do_cos coefficients (s_sin.c sn3, sn5, cs2, cs4, cs6 as rounded by the compiler).
const SN3 = fromBits("bfc5555555555515");
const SN5 = fromBits("3f811110e829872f");
const CS2 = 0.5;
const CS4 = fromBits("bfa5555555555535");
const CS6 = fromBits("3f56c16bedd9e239");
const BIG = fromBits("42c8000000000000"); // 0x1.8p45: BIG + |x| rounds |x| to a multiple of 1/128
const HP0 = fromBits("3ff921fb54442d18"); // pi/2 high part
const HP1 = fromBits("3c91a62633145c07"); // pi/2 low part
// reduce_sincos: pi/2 = MP1 + MP2 + PP3 + PP4 (MP1, MP2, PP3 short, so xn * them is exact).
const MP1 = fromBits("3ff921fb58000000");
const MP2 = fromBits("be4dde973c000000");
const PP3 = fromBits("bc8cb3b398000000");
const PP4 = fromBits("bacd747f23e32ed7");
const HPINV = fromBits("3fe45f306dc9c883"); // 2/pi
const TOINT = fromBits("4338000000000000"); // 0x1.8p52

// Branch limits: s_sin.c compares the high word k of |x| with 0x3e500000, 0x3e400000,
// 0x3feb6000, 0x400368fd and 0x419921fb; k < K is the same as |x| < (double with high word K).
const SIN_TINY = fromBits("3e50000000000000"); // 2^-26
const COS_TINY = fromBits("3e40000000000000"); // 2^-27
const LIM_TABLE = fromBits("3feb600000000000"); // 0.85546875
const LIM_PIO2 = fromBits("400368fd00000000"); // 2.426263809...
const LIM_REDUCE = fromBits("419921fb00000000"); // 105414336
const TAYLOR_LIM = 0.126; // do_sin uses TAYLOR_SIN below this

/** glibc 2.36 `sin(x)` (x86_64 FMA variant), bit for bit. */
export function glibcSin(x: number): number {
  const ax = Math.abs(x);
  if (ax < SIN_TINY) return x;
  if (ax < LIM_TABLE) return doSin(x, 0);
  if (ax < LIM_PIO2) {
    const c = doCos(HP0 - ax, HP1); // sin|x| = cos(pi/2 - |x|)
    return x < 0 ? -c : c; // copysign; c > 0 here
  }
  if (ax < LIM_REDUCE) return reduceThen(x, 0);
  if (ax < Infinity) return branredThen(x, 0);
  return NaN; // x / x for +-Infinity and NaN
}

/** glibc 2.36 `cos(x)` (x86_64 FMA variant), bit for bit. */
export function glibcCos(x: number): number {
  const ax = Math.abs(x);
  if (ax < COS_TINY) return 1;
  if (ax < LIM_TABLE) return doCos(x, 0);
  if (ax < LIM_PIO2) {
    const y = HP0 - ax; // cos|x| = sin(pi/2 - |x|), pi/2 - |x| = a + da
    const a = y + HP1;
    const da = (y - a) + HP1;
    return doSin(a, da);
  }
  if (ax < LIM_REDUCE) return reduceThen(x, 1);
  if (ax < Infinity) return branredThen(x, 1);
  return NaN;
}

/** TAYLOR_SIN: a + (((poly(xx) * a - da/2) * xx) + da), xx = a^2. */
function taylorSin(a: number, da: number): number {
  const xx = a * a;
  let p = fma(xx, S5, S4);
  p = fma(xx, p, S3);
  p = fma(xx, p, S2);
  p = fma(xx, p, S1);
  const t = fma(xx, fma(p, a, -(0.5 * da)), da);
  return a + t;
}

/** sin(x + dx), |x| < ~0.86 (do_sin plus its TAYLOR_SIN shortcut). */
function doSin(x: number, dx: number): number {
  if (Math.abs(x) < TAYLOR_LIM) return taylorSin(x, dx);
  if (!(x > 0)) dx = -dx; // C: if (x <= 0); the result gets x's sign at the end
  const ax = Math.abs(x);
  const xi = BIG + ax - BIG; // nearest multiple of 1/128
  const j = xi * 512; // table row (xi * 128) times 4 entries per row
  const t = ax - xi;
  const xx = t * t;
  const s = t + fma(t * xx, fma(xx, SN5, SN3), dx);
  const c = fma(t, dx, xx * fma(xx, fma(xx, CS6, CS4), CS2));
  const sn = SINCOS[j] as number;
  const ssn = SINCOS[j + 1] as number;
  const cs = SINCOS[j + 2] as number;
  const ccs = SINCOS[j + 3] as number;
  // cor = (ssn + s * ccs - sn * c) + cs * s
  const cor = fma(s, cs, fma(-c, sn, fma(s, ccs, ssn)));
  const res = Math.abs(sn + cor);
  return x < 0 ? -res : res; // copysign(sn + cor, x); x is not +-0 here
}

/** cos(x + dx), |x| < ~0.86 (do_cos). */
function doCos(x: number, dx: number): number {
  if (x < 0) dx = -dx;
  const ax = Math.abs(x);
  const xi = BIG + ax - BIG;
  const j = xi * 512;
  const t = (ax - xi) + dx;
  const xx = t * t;
  const s = fma(t * xx, fma(xx, SN5, SN3), t);
  const c = xx * fma(xx, fma(xx, CS6, CS4), CS2);
  const sn = SINCOS[j] as number;
  const ssn = SINCOS[j + 1] as number;
  const cs = SINCOS[j + 2] as number;
  const ccs = SINCOS[j + 3] as number;
  // cor = (ccs - s * ssn - cs * c) - sn * s
  const cor = fma(-s, sn, fma(-c, cs, fma(-s, ssn, ccs)));
  return cs + cor;
}

/** do_sincos: sin(a + da + n*pi/2). */
function doSinCos(a: number, da: number, n: number): number {
  const r = (n & 1) !== 0 ? doCos(a, da) : doSin(a, da);
  return (n & 2) !== 0 ? -r : r;
}

/** reduce_sincos (|x| < 105414336), then sin (shift 0) or cos (shift 1). */
function reduceThen(x: number, shift: number): number {
  const t = fma(x, HPINV, TOINT);
  const xn = t - TOINT; // nearest integer to x * 2/pi
  const y = fma(-xn, MP2, fma(-xn, MP1, x));
  const t2 = fma(-xn, PP3, y);
  let db = fma(-xn, PP3, y - t2);
  const b = fma(-xn, PP4, t2);
  db = db + fma(-xn, PP4, t2 - b);
  return doSinCos(b, db, (xn + shift) & 3);
}

/** branred (|x| >= 105414336), then sin (shift 0) or cos (shift 1). */
function branredThen(x: number, shift: number): number {
  const n = branred(x);
  return doSinCos(BRANRED_OUT[0] as number, BRANRED_OUT[1] as number, n + shift);
}

// ---------------------------------------------------------------------------------------------
// branred.c: reduction of huge |x| modulo pi/2 with 2/pi in 24-bit pieces (plain arithmetic:
// this file is not compiled per ifunc variant, so nothing here is fused).
// ---------------------------------------------------------------------------------------------

const TM600 = fromBits("1a70000000000000"); // 2^-600
const TM24 = fromBits("3e70000000000000"); // 2^-24
const BIG1 = fromBits("4358000000000000"); // 0x1.8p54
const VELTKAMP = 134217729; // 2^27 + 1: splits a double into two 26-bit halves
const MP2_BR = fromBits("be4dde9740000000"); // branred.h's mp2 (shorter than reduce_sincos's)
const BRANRED_OUT = new Float64Array(3); // a, aa, and scratch for one half's (b, bb, sum)

/**
 * Writes x = n*pi/2 + (a + aa), |a + aa| <= pi/4, into BRANRED_OUT[0..1]; returns n mod 4.
 */
function branred(x: number): number {
  const xs = x * TM600;
  const t = xs * VELTKAMP; // split xs into two 26-bit halves
  const x1 = t - (t - xs);
  const x2 = xs - x1;
  const b1 = branredHalf(x1);
  const bb1 = BRANRED_OUT[1] as number;
  const sum1 = BRANRED_OUT[2] as number;
  const b2 = branredHalf(x2);
  const bb2 = BRANRED_OUT[1] as number;
  let sum = sum1 + (BRANRED_OUT[2] as number);
  let b = b1 + b2;
  const bb = Math.abs(b1) > Math.abs(b2) ? (b1 - b) + b2 : (b2 - b) + b1;
  if (b > 0.5) {
    b -= 1;
    sum += 1;
  } else if (b < -0.5) {
    b += 1;
    sum -= 1;
  }
  const s = b + (bb + bb1 + bb2);
  const tt = ((b - s) + bb) + (bb1 + bb2);
  branredScale(s, tt);
  return (sum | 0) & 3;
}

/** (s + tt) * pi/2 as a double-double into BRANRED_OUT[0..1]. */
function branredScale(s: number, tt: number): void {
  const u = s * VELTKAMP;
  const t1 = u - (u - s);
  const t2 = s - t1;
  const b = s * HP0;
  const bb = (((t1 * MP1 - b) + t1 * MP2_BR) + t2 * MP1) + (t2 * MP2_BR + s * HP1 + tt * HP0);
  const r = b + bb;
  BRANRED_OUT[0] = r;
  BRANRED_OUT[1] = (b - r) + bb;
}

/**
 * One half of branred: xp * (2/pi) mod 4, as integer part `sum` (mod 4) and fraction b + bb.
 * Returns b; leaves bb in BRANRED_OUT[1] and sum in BRANRED_OUT[2].
 */
function branredHalf(xp: number): number {
  SCRATCH[0] = xp;
  let k = (((WORDS[HI] as number) >>> 20) & 2047) - 450;
  k = k < 0 ? 0 : Math.trunc(k / 24);
  // gor = 2^(576 - 24k): only the 2/pi pieces that matter modulo 4 are used.
  WORDS[HI] = 0x63f00000 - ((k * 24) << 20);
  WORDS[LO] = 0;
  let gor = SCRATCH[0] as number;
  const r = BRANRED_R;
  for (let i = 0; i < 6; i++) {
    r[i] = xp * (TOVERP[k + i] as number) * gor;
    gor *= TM24;
  }
  let sum = 0;
  for (let i = 0; i < 3; i++) {
    const s = ((r[i] as number) + TOINT) - TOINT;
    sum += s;
    r[i] = (r[i] as number) - s;
  }
  let t = 0;
  for (let i = 0; i < 6; i++) t += r[5 - i] as number;
  let bb = (r[0] as number) - t;
  for (let i = 1; i < 6; i++) bb += r[i] as number;
  const s = (t + TOINT) - TOINT;
  sum += s;
  t -= s;
  const b = t + bb;
  bb = (t - b) + bb;
  sum -= (sum + BIG1) - BIG1;
  BRANRED_OUT[1] = bb;
  BRANRED_OUT[2] = sum;
  return b;
}

const BRANRED_R = new Float64Array(6);

// ---------------------------------------------------------------------------------------------
// Tables, as exact IEEE-754 bit patterns.
//
// SINCOS_HEX: glibc's __sincostab (sincostab.c), one row per i = 0..109: sin(i/128) as a double
// and a correction, then cos(i/128) as a double and a correction. The corrections are not all
// the correctly rounded remainders (17 rows differ in the last bit from a 300-bit recomputation),
// so the table is taken verbatim: read from this machine's libm.so.6 and checked equal to
// glibc 2.36's sincostab.c. `gen_libm.py --check-tables` re-checks it with mpmath (each double
// is sin or cos rounded; double + correction is within 2^-106 relative).
//
// LOG_HEX: glibc's __log_data.tab (e_log_data.c), 128 rows of (invc, logc). invc = 1/c was
// picked by a search around the subinterval centres (not reproducible here); logc is
// RN(log(c)) = RN(-log(invc)), which gen_libm.py recomputes exactly with mpmath. Both columns
// were read from this machine's libm.so.6 and checked equal to glibc 2.36's e_log_data.c.
//
// TWO_OVER_PI_HEX: 2/pi in hexadecimal (1800 bits); branred's toverp[i] is its (i+1)-th group of
// 24 bits. gen_libm.py recomputes it with mpmath.
// ---------------------------------------------------------------------------------------------

const SINCOS_HEX = `
  0000000000000000 0000000000000000 3ff0000000000000 0000000000000000
  3f7fffeaaaaeeeef bc1e45e2ec67b77c 3fefffc000155552 3c8f4a01a0196dae
  3f8fffaaaaeeeed5 bc02ab639a9f0777 3fefff000155549f 3c828a28a03a5ef3
  3f97ff7001033255 3bfefe2b51527336 3feffdc006bff7e6 3c8ae6dae86977bd
  3f9ffeaaaeeee86f bc3cd406fb224ae2 3feffc00155527d3 bc83b54492d89b5b
  3fa3feb2b12d45d5 3c34ec54203d1c11 3feff9c03414a7ba 3c6991f4be6c59bf
  3fa7fdc01032fba9 bc4599bdf46e997a 3feff7006bfdf99f bc78b3b560648d5f
  3fabfc6d78586dac 3c18e4fd03dbf236 3feff3c0c8103a31 3c74856dbddc0e66
  3faffaaaeeed4edb bc42d16d32684b69 3feff0015549f4d3 3c8328387b99426f
  3fb1fc343d808bef bc5f3d32e6f3be4f 3fefebc222a8ef9f 3c57934934f54c77
  3fb3facb12d1755b bc5921915299468c 3fefe7034129ef6f bc6cbf4337c96f97
  3fb5f911fd10b737 bc50184f02be9102 3fefe1c4c3c873eb bc35a9c9057c4a02
  3fb7f701032550e4 3c3afc2d1800501a 3fefdc06bf7e6b9b 3c831902b535f8db
  3fb9f4902d55d1f9 3c52696d7eac1dc1 3fefd5c94b43e000 bc62e768cb4f92f9
  3fbbf1b78568391d 3c5e91841dea4cc8 3fefcf0c800e99b1 3c6ea3d786d186ac
  3fbdee6f16c1cce6 bc450f8e2fb71673 3fefc7d078d1bc88 3c8075d2447db685
  3fbfeaaeee86ee36 bc4afcb2bcc6f03b 3fefc015527d5bd3 3c8b68f35094efb8
  3fc0f3378ddd71d1 3c6d8468724f0f9e 3fefb7db2bfe0695 3c821dadf4f65ab1
  3fc1f0d3d7afceaf bc66ef95099769a5 3fefaf22263c4bd3 bc552ace133a2769
  3fc2ee285e4ab88f bc6e4d0f05dee058 3fefa5ea641c36f2 3c404da6ed17cc7c
  3fc3eb312c5d66cb 3c647d666b66cb91 3fef9c340a7cc428 3c8c5b6b063b7462
  3fc4e7ea4dc5f27b 3c5949db2ac072fc 3fef91ff40374d01 bc67d03f4d3a9e4c
  3fc5e44fcfa126f3 bc66f443063f89b6 3fef874c2e1eecf6 bc8c6514e1332b16
  3fc6e05dc05a4d4c bbd32c5c8b81c940 3fef7c1afeffde24 bc78f55bc47540b1
  3fc7dc102fbaf2b5 3c45ab50e23c97c3 3fef706bdf9ece1c bc8698c80c36dcb4
  3fc8d7632efaa944 bc620fa262cbb953 3fef643efeb82acd 3c76b00ac1fe28ac
  3fc9d252d0cec312 3c59c43d80b1137d 3fef57948cff6797 3c6e3a0d3e03b1d5
  3fcaccdb297a0765 bc59883b57d6cdeb 3fef4a6cbd1e3a79 3c813df0edaebb57
  3fcbc6f84edc6199 3c69c1a56a7b0cab 3fef3cc7c3b3d16e bc621a3ad28a3494
  3fccc0a6588289a3 bc6868d09bc87c6b 3fef2ea5d753ffed 3c8cc4215f56d583
  3fcdb9e15fb5a5d0 bc632e20d6cc6fc2 3fef20073086649f 3c7b940416c1984b
  3fceb2a57f8ae5a3 bc60be06af572ceb 3fef10ec09c5873b 3c8d9072762c1283
  3fcfaaeed4f31577 bc615d88508e32b8 3fef01549f7deea1 3c8d3c1e99e5cafd
  3fd0515cbf65155c bc79b8c29dfd8ec8 3feef141300d2f26 bc82aa1b08ded372
  3fd0cd00cef36436 bc79fb0a0c93e2b5 3feee0b1fbc0f11c bc4bfd2380bbc3b1
  3fd14861aa94ddeb bc6be881b5b615a4 3feecfa744d5efa1 bc556d0a4af541d0
  3fd1c37d64c6b876 3c746076fe0dcff5 3feebe214f76efa8 bc802f9f12ba543e
  3fd23e52111aaf36 bc74f080334eff18 3feeac2061bbaf4f 3c62c1d53e94658d
  3fd2b8ddc43eb49f 3c61553899f2d807 3fee99a4c3a7cd83 bc82264b1bc53ce8
  3fd3331e94049f87 3c7e0cb6b40c302c 3fee86aebf29a9ed 3c89397afdbb58a7
  3fd3ad129769d3d8 3c003d5504878398 3fee733ea0193d40 bc86428b3546ce13
  3fd426b7e69ee697 bc7f09c75705c59f 3fee5f54b436e9d0 3c87eb0fd02fc8bc
  3fd4a00c9b0f3d20 3c7823ba6bb08ead 3fee4af14b2a449c bc868ca02e8a6833
  3fd5190ecf68a77a 3c7b357155eef0f3 3fee3614b680d6a5 bc727793aa015237
  3fd591bc9fa2f597 3c67c74bac3fe0cb 3fee20bf49acd6c1 bc5660aec7ef636c
  3fd60a1429078775 3c5b1fd80ba89133 3fee0af15a03dbce 3c5fe8e702771ae6
  3fd682138a38d7f7 bc7d889202444aad 3fedf4ab3ebd875e bc8e2d8a7e6736c4
  3fd6f9b8e33a0255 3c742bc14ee9da0d 3feddded50f228d6 bc6e80c8d42ba2bf
  3fd7710255764214 bc66ead7314bb6ce 3fedc6b7eb995912 3c54b364776dcd35
  3fd7e7ee03c86d4e bc7b63bcdabf5af2 3fedaf0b6b888e83 3c8a249e2b5e5cea
  3fd85e7a12826949 3c78a40e9b5face0 3fed96e82f71a9dc 3c8ff61bd5d2039d
  3fd8d4a4a774992f 3c744a02ea766326 3fed7e4e97e17b4a bc63b770352bed94
  3fd94a6be9f546c5 bc769ce13e683f58 3fed653f073e4040 bc876236434bec37
  3fd9bfce02e80510 3c709e39a320b0a4 3fed4bb9e1c619e0 3c8f34bb77858f61
  3fda34c91cc50cca bc5a310e3b50cecd 3fed31bf8d8d7c06 3c7e60dd3089cbdd
  3fdaa95b63a09277 bc66293eb13c0381 3fed1750727d94f0 3c80d52b1ec1a48e
  3fdb1d8305321617 bc7ae242cb99f519 3fecfc6cfa52ad9f 3c88b5b5508f2a0d
  3fdb913e30dbac43 bc7e38ad2f6c3ff1 3fece115909a82e5 3c81f139bb31109a
  3fdc048b17b140a3 3c619fe6757e9fa7 3fecc54aa2b2972e 3c64ee162ba83a98
  3fdc7767ec7fd19e bc5eb14d1a3d5826 3feca90c9fc67d0b bc646a81485e3462
  3fdce9d2e3d4a51f bc62fc8a12dae298 3fec8c5bf8ce1a84 3c7ab3d1a1590123
  3fdd5bca34047661 3c728a44a75fc29c 3fec6f39208be53b bc8741dbfbaadb42
  3fddcd4c15329c9a 3c70d4c6e171fd9a 3fec51a48b8b175e bc61bbb43b9aa880
  3fde3e56c1582a69 bc50a4821099f88f 3fec339eb01ddd81 bc8caaf5ee82c5c0
  3fdeaee8744b05f0 bc5789b43c9b027d 3fec1528065b7d50 bc8892111312e828
  3fdf1eff6bc4f97b 3c717212f8a7525c 3febf641081e7536 3c8b7bd71628a9a1
  3fdf8e99e76abc97 3c59d950af2d00a3 3febd6ea310294f5 3c731bbcc88c109d
  3fdffdb628d2f57a 3c6f4a992e905b6a 3febb723fe630f32 3c772bd2452d0a39
  3fe0362939c69955 bc82d8cd78397b01 3feb96eeef58840e 3c545a3cc78fade0
  3fe06d3686946e5b 3c83f5ae4538ff1b 3feb764b84b704c2 bc8f5848c21b389b
  3fe0a4021e9e1001 bc86f643a13914f6 3feb553a410c104e 3c58ff7947027a16
  3fe0da8b26b5672e bc8a58def0bee909 3feb33bba89c8948 3c8ea6a51d1f6ca9
  3fe110d0c4b69c3b 3c8d918998809981 3feb11d04162a4c6 3c71dd561efbc0c2
  3fe146d21f8b7f82 3c7bf9535e2739a8 3feaef78930bd275 bc7f836279746f94
  3fe17c8e5f2eedb0 3c635e57102e2488 3feaccb526f69de5 3c88fb6a8dd6b6cc
  3fe1b204acb02fdd bc5f190c70cbb5ff 3feaa98688308913 bc0b83d607cd5070
  3fe1e7343236574c 3c722a3fa4f41d5a 3fea85ed4373e02d 3c69be06385ec792
  3fe21c1c1b0394cf 3c5e5b324b23aa31 3fea61e9e72586af 3c858330e2fd453f
  3fe250bb93788bbb 3c7ea3d02457bcce 3fea3d7d0352bdcf bc868dbaeca19669
  3fe28511c917a067 bc801df1d9a16b70 3fea18a729aee445 3c395e25736c0358
  3fe2b91dea88421e bc8fa371db216ab0 3fe9f368ed912f85 bc81d200c5791606
  3fe2ecdf279a3082 3c8d3557e0e7e37e 3fe9cdc2e3f25e5c 3c83f99112993f62
  3fe32054b148bc4f 3c8f6b42095a135b 3fe9a7b5a36a6514 3c8722cfcc9fa7a9
  3fe3537db9be0367 3c6b327e7af040f0 3fe98141c42e1310 3c8d1ff80488f08d
  3fe386597456282b bc710fada93b07a8 3fe95a67e00cb1fd bc80befda21f862d
  3fe3b8e715a2840a bc797653a7d2f07b 3fe93328926d9e92 bc8bb77003600cda
  3fe3eb25d36cd53a bc5be570e1570fc0 3fe90b84784ddaf7 bc70feb10ab93b87
  3fe41d14e4ba6790 3c84608fd287ecf5 3fe8e37c303d9ad1 bc6463a4b53d4bf8
  3fe44eb381cf386b bc83ed6c1e6a5505 3fe8bb105a5dc900 3c8863e03e9474c1
  3fe48000e431159f bc8b194a7463ed10 3fe89241985d871f 3c8c48d9c413ed84
  3fe4b0fc46aab761 3c20da05738cc59a 3fe869108d77a6c6 3c7338ffe2bfe9dd
  3fe4e1a4e54ed51b bc8a492f89b7c76a 3fe83f7dde701ca0 bc4152cf609bc6e8
  3fe511f9fd7b351c bc85c0e861c48831 3fe8158a31916d5d bc6de8b90b8228de
  3fe541facddbb724 3c7232c28520d391 3fe7eb362eaa1488 3c5a1d65a4a5959f
  3fe571a6966d59b3 3c5c843b4d0fb198 3fe7c0827f09e54f bc6c73d6d72aee68
  3fe5a0fc98813a12 bc8d82e2b7d4227b 3fe7956fcd7f6543 bc8ab276e9d45ae4
  3fe5cffc16bf8f0d 3c896cb370eb578a 3fe769fec655211f bc6827d5cf8c68c5
  3fe5fea4552a9e57 3c80b6cef7ee20b7 3fe73e30174efba1 bc65d3ae3d94ad5f
  3fe62cf49921ac79 bc8edd9855b6241a 3fe712046fa77678 3c8425b0a5029c81
  3fe65aec2963e755 3c8126f96b71053c 3fe6e57c800cf55e 3c860286dedbd0a6
  3fe6888a4e134b2f bc86b7d37644d5e6 3fe6b898fa9efb5d 3c715ac786ccf4b2
  3fe6b5ce50b7821a bc65d5158f702e0f 3fe68b5a92eb6253 bc89a91ad985f89c
  3fe6e2b77c40bde1 bc70e729857fad53 3fe65dc1fdeb8cba bc597c1b47337c77
  3fe70f451d0a8c40 3c697ede3885770d 3fe62fcff20191c7 3c6d9143895756ef
  3fe73b7680dea578 bc72248306dc12a2 3fe6018526f563df 3c846ca5e0e432d0
  3fe7674af6f7b524 3c7e9d3f94ac84a8 3fe5d2e255f1f17a 3c80314104c8892b
  3fe792c1d0041d52 bc8abf05eeb354eb 3fe5a3e839824077 3c8428aa2759be62
  3fe7bdda5e28b3c2 3c4ad1197ccd0393 3fe574978d8e83f2 3c8f4714af282d23
  3fe7e893f5037959 3c80eefbaa650c4c 3fe544f10f592ca5 bc8e7ae8e6c7a62f
  3fe812ede9ae4ba4 bc87830adf402dda 3fe514f57d7bf3da 3c747a108073c259
`;

const LOG_HEX = `
  3ff734f0c3e0de9f bfd7cc7f79e69000 3ff713786a2ce91f bfd76feec20d0000
  3ff6f26008fab5a0 bfd713e31351e000 3ff6d1a61f138c7d bfd6b85b38287800
  3ff6b1490bc5b4d1 bfd65d5590807800 3ff69147332f0cba bfd602d076180000
  3ff6719f18224223 bfd5a8ca86909000 3ff6524f99a51ed9 bfd54f4356035000
  3ff63356aa8f24c4 bfd4f637c36b4000 3ff614b36b9ddc14 bfd49da7fda85000
  3ff5f66452c65c4c bfd445923989a800 3ff5d867b5912c4f bfd3edf439b0b800
  3ff5babccb5b90de bfd396ce448f7000 3ff59d61f2d91a78 bfd3401e17bda000
  3ff5805612465687 bfd2e9e2ef468000 3ff56397cee76bd3 bfd2941b3830e000
  3ff54725e2a77f93 bfd23ec58cda8800 3ff52aff42064583 bfd1e9e129279000
  3ff50f22dbb2bddf bfd1956d2b48f800 3ff4f38f4734ded7 bfd141679ab9f800
  3ff4d843cfde2840 bfd0edd094ef9800 3ff4bd3ec078a3c8 bfd09aa518db1000
  3ff4a27fc3e0258a bfd047e65263b800 3ff4880524d48434 bfcfeb224586f000
  3ff46dce1b192d0b bfcf474a7517b000 3ff453d9d3391854 bfcea4443d103000
  3ff43a2744b4845a bfce020d44e9b000 3ff420b54115f8fb bfcd60a22977f000
  3ff40782da3ef4b1 bfccc00104959000 3ff3ee8f5d57fe8f bfcc202956891000
  3ff3d5d9a00b4ce9 bfcb81178d811000 3ff3bd60c010c12b bfcae2c9ccd3d000
  3ff3a5242b75dab8 bfca45402e129000 3ff38d22cd9fd002 bfc9a877681df000
  3ff3755bc5847a1c bfc90c6d69483000 3ff35dce49ad36e2 bfc87120a645c000
  3ff34679984dd440 bfc7d68fb4143000 3ff32f5cceffcb24 bfc73cb83c627000
  3ff3187775a10d49 bfc6a39a9b376000 3ff301c8373e3990 bfc60b3154b7a000
  3ff2eb4ebb95f841 bfc5737d76243000 3ff2d50a0219a9d1 bfc4dc7b8fc23000
  3ff2bef9a8b7fd2a bfc4462c51d20000 3ff2a91c7a0c1bab bfc3b08abc830000
  3ff293726014b530 bfc31b996b490000 3ff27dfa5757a1f5 bfc2875490a44000
  3ff268b39b1d3bbf bfc1f3b9f879a000 3ff2539d838ff5bd bfc160c8252ca000
  3ff23eb7aac9083b bfc0ce7f57f72000 3ff22a012ba940b6 bfc03cdc49fea000
  3ff2157996cc4132 bfbf57bdbc4b8000 3ff201201dd2fc9b bfbe370896404000
  3ff1ecf4494d480b bfbd17983ef94000 3ff1d8f5528f6569 bfbbf9674ed8a000
  3ff1c52311577e7c bfbadc79202f6000 3ff1b17c74cb26e9 bfb9c0c3e7288000
  3ff19e010c2c1ab6 bfb8a646b372c000 3ff18ab07bb670bd bfb78d01b3ac0000
  3ff1778a25efbcb6 bfb674f145380000 3ff1648d354c31da bfb55e0e6d878000
  3ff151b990275fdd bfb4485cdea1e000 3ff13f0ea432d24c bfb333d94d6aa000
  3ff12c8b7210f9da bfb22079f8c56000 3ff11a3028ecb531 bfb10e4698622000
  3ff107fbda8434af bfaffa6c6ad20000 3ff0f5ee0f4e6bb3 bfadda8d4a774000
  3ff0e4065d2a9fce bfabbcece4850000 3ff0d244632ca521 bfa9a1894012c000
  3ff0c0a77ce2981a bfa788583302c000 3ff0af2f83c636d1 bfa5715e67d68000
  3ff09ddb98a01339 bfa35c8a49658000 3ff08cabaf52e7df bfa149e364154000
  3ff07b9f2f4e28fb bf9e72c082eb8000 3ff06ab58c358f19 bf9a55f152528000
  3ff059eea5ecf92c bf963d62cf818000 3ff04949cdd12c90 bf9228fb8caa0000
  3ff038c6c6f0ada9 bf8c317b20f90000 3ff02865137932a9 bf8419355daa0000
  3ff0182427ea7348 bf781203c2ec0000 3ff008040614b195 bf60040979240000
  3fefe01ff726fa1a 3f6feff384900000 3fefa11cc261ea74 3f87dc41353d0000
  3fef6310b081992e 3f93cea3c4c28000 3fef25f63ceeadcd 3f9b9fc114890000
  3feee9c8039113e7 3fa1b0d8ce110000 3feeae8078cbb1ab 3fa58a5bd001c000
  3fee741aa29d0c9b 3fa95c8340d88000 3fee3a91830a99b5 3fad276aef578000
  3fee01e009609a56 3fb07598e598c000 3fedca01e577bb98 3fb253f5e30d2000
  3fed92f20b7c9103 3fb42edd8b380000 3fed5cac66fb5cce 3fb606598757c000
  3fed272caa5ede9d 3fb7da76356a0000 3fecf26e3e6b2ccd 3fb9ab434e1c6000
  3fecbe6da2a77902 3fbb78c7bb0d6000 3fec8b266d37086d 3fbd431332e72000
  3fec5894bd5d5804 3fbf0a3171de6000 3fec26b533bb9f8c 3fc067152b914000
  3febf583eeece73f 3fc147858292b000 3febc4fd75db96c1 3fc2266ecdca3000
  3feb951e0c864a28 3fc303d7a6c55000 3feb65e2c5ef3e2c 3fc3dfc33c331000
  3feb374867c9888b 3fc4ba366b7a8000 3feb094b211d304a 3fc5933928d1f000
  3feadbe885f2ef7e 3fc66acd2418f000 3feaaf1d31603da2 3fc740f8ec669000
  3fea82e63fd358a7 3fc815c0f51af000 3fea5740ef09738b 3fc8e92954f68000
  3fea2c2a90ab4b27 3fc9bb3602f84000 3fea01a01393f2d1 3fca8bed1c2c0000
  3fe9d79f24db3c1b 3fcb5b515c01d000 3fe9ae2505c7b190 3fcc2967ccbcc000
  3fe9852ef297ce2f 3fccf635d5486000 3fe95cbaeea44b75 3fcdc1bd3446c000
  3fe934c69de74838 3fce8c01b8cfe000 3fe90d4f2f6752e6 3fcf5509c0179000
  3fe8e6528effd79d 3fd00e6c121fb800 3fe8bfce9fcc007c 3fd071b80e93d000
  3fe899c0dabec30e 3fd0d46b9e867000 3fe87427aa2317fb 3fd13687334bd000
  3fe84f00acb39a08 3fd1980d67234800 3fe82a49e8653e55 3fd1f8ffe0cc8000
  3fe8060195f40260 3fd2595fd7636800 3fe7e22563e0a329 3fd2b9300914a800
  3fe7beb377dcb5ad 3fd3187210436000 3fe79baa679725c2 3fd377266dec1800
  3fe77907f2170657 3fd3d54ffbaf3000 3fe756cadbd6130c 3fd432eee32fe000
`;

const TWO_OVER_PI_HEX = `
  a2f9836e4e441529fc2757d1f534ddc0db6295993c439041fe5163abdebbc561b7246e3a424dd2e006492eea09
  d1921cfe1deb1cb129a73ee88235f52ebb4484e99c7026b45f7e413991d639835339f49c845f8bbdf9283b1ff8
  97ffde05980fef2f118b5a0a6d1f6d367ecf27cb09b74f463f669e5fea2d7527bac7ebe5f17b3d0739f78a5292
  ea6bfb5fb11f8d5d0856033046fc7b6babf0cfbc209af4361da9e391615ee61b086599855f14a068408dffd880
  4d73273106061556ca73a8c960e27bc08c6b47c419c367cddce8092a8359c4768b961ca6ddaf44d15719053ea5
`;

const SINCOS = decodeTable(SINCOS_HEX);
const LOG_TAB = decodeTable(LOG_HEX);
const TOVERP = twoOverPiDigits(TWO_OVER_PI_HEX);

/** 2/pi in base 2^24: the i-th digit is hex digits [6i, 6i + 6). */
function twoOverPiDigits(text: string): Float64Array {
  const hex = text.replace(/\s+/g, "");
  const out = new Float64Array(hex.length / 6);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(6 * i, 6 * i + 6), 16);
  return out;
}
