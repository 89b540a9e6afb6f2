/**
 * One lane of `log256_ps` and `sincos256_ps` from ATen's `avx_mathfun.h` (Cephes polynomials in
 * float32), as compiled for torch's AVX2 normal fill: every step rounds to float32, and the
 * multiply-adds GCC fused into FMA instructions go through `fma32`.
 */
import { fma32 } from "./fma.js";

const fr = Math.fround;

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

const MIN_NORM = 2 ** -126; // _ps256_min_norm_pos, bits 0x00800000
const SQRTHF = fr(0.7071067811865476); // sqrt(1/2)
const LOG_P0 = fr(7.0376836292e-2);
const LOG_P = [
  -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(fr);
const LOG_Q1 = fr(-2.12194440e-4);
const LOG_Q2 = fr(0.693359375);

/** `log256_ps` on one float32 lane; torch only calls it on (0, 1]. */
export function log256(x: number): number {
  if (!(x > 0)) return NaN; // x <= 0 gives the all-ones (NaN) mask; torch never gets here
  F32[0] = Math.max(x, MIN_NORM);
  const bits = I32[0] as number;
  let e = fr((bits >>> 23) - 127 + 1);
  I32[0] = (bits & ~0x7f800000) | 0x3f000000;
  const mant = F32[0] as number; // in [0.5, 1)
  let m = fr(mant - 1);
  if (mant < SQRTHF) {
    e = fr(e - 1);
    m = fr(m + mant);
  }
  const z = fr(m * m);
  let y = LOG_P0;
  for (const p of LOG_P) y = fma32(y, m, p);
  y = fr(y * m);
  y = fma32(y, z, fr(e * LOG_Q1));
  y = fr(y - fr(z * 0.5));
  m = fr(m + y);
  return fr(m + fr(e * LOG_Q2));
}

const FOPI = fr(1.27323954473516); // 4 / pi
const DP1 = fr(-0.78515625);
const DP2 = fr(-2.4187564849853515625e-4);
const DP3 = fr(-3.774894977445941e-8);
const SIN_P0 = fr(-1.9515295891e-4);
const SIN_P1 = fr(8.3321608736e-3);
const SIN_P2 = fr(-1.6666654611e-1);
const COS_P0 = fr(2.443315711809948e-5);
const COS_P1 = fr(-1.388731625493765e-3);
const COS_P2 = fr(4.166664568298827e-2);

/**
 * `sincos256_ps` on one float32 lane: writes sin to out[0] and cos to out[1] (signed zeros
 * included, since the kernel's and/andnot selects and sign-bit xors are copied exactly).
 */
export function sincos256(theta: number, out: Float32Array): void {
  let signSin = theta < 0 || Object.is(theta, -0);
  let x = Math.abs(theta);
  let j = Math.trunc(fr(x * FOPI)) | 0; // _mm256_cvttps_epi32
  j = (j + 1) & ~1;
  const y = fr(j);
  if ((j & 4) !== 0) signSin = !signSin;
  const polyIsSin = (j & 2) === 0;
  const signCos = ((~(j - 2)) & 4) !== 0;
  x = fma32(y, DP1, x);
  x = fma32(y, DP2, x);
  x = fma32(y, DP3, x);
  const z = fr(x * x);
  let yc = fma32(fma32(COS_P0, z, COS_P1), z, COS_P2);
  yc = fr(yc * z);
  yc = fma32(yc, z, -fr(z * 0.5));
  yc = fr(yc + 1);
  let ys = fma32(fma32(SIN_P0, z, SIN_P1), z, SIN_P2);
  ys = fr(ys * z);
  ys = fma32(ys, x, x);
  const ysin2 = polyIsSin ? ys : 0;
  const ysin1 = polyIsSin ? 0 : yc;
  ys = fr(ys - ysin2);
  yc = fr(yc - ysin1);
  const s = fr(ysin1 + ysin2);
  const c = fr(yc + ys);
  out[0] = signSin ? -s : s;
  out[1] = signCos ? -c : c;
}
