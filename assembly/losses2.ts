// Huber and smooth-L1 losses: the forward sum with the input's gradient (upstream 1) written in
// the same pass. float32 arithmetic in the order of PyTorch's kernels (and of the JS loops in
// src/kernels/pointwise-losses.ts), so the gradients are bit-identical to them. Sums accumulate
// in f32 over 128-element blocks, then in f64, as in pointwise.ts.
import { at, expConstants, hsum64, vexp, vexpLoaded } from "./simd";

/** loss = z < d ? (0.5·z)·z : d·(z − 0.5·d), z = |x − y|. */
@inline function huberLoss(v: v128, D: v128, HALF: v128, H: v128): v128 {
  const z = f32x4.abs(v);
  const quad = f32x4.mul(f32x4.mul(H, z), z);
  const lin = f32x4.mul(D, f32x4.sub(z, HALF));
  return v128.bitselect(quad, lin, f32x4.lt(z, D));
}

/**
 * ∂/∂x for upstream 1: (−n)·d if v ≤ −d, n·d if v ≥ d, else n·v (v = x − y), as n·clamp(v):
 * the same products, and pmin/pmax keep a NaN v (one instruction each, where selects take 3).
 */
@inline function huberGrad(v: v128, D: v128, NEG_D: v128, N: v128): v128 {
  return f32x4.mul(N, f32x4.pmax(f32x4.pmin(v, D), NEG_D));
}

/** Σ huber(x − y); when g ≠ 0 also g = its gradient for upstream 1, norm n. */
export function huber_fwd(x: usize, y: usize, g: usize, d: f32, n: f32, i0: i32,
  i1: i32): f64 {
  const D = f32x4.splat(d), NEG_D = f32x4.splat(-d), HALF = f32x4.splat(0.5 * d);
  const H = f32x4.splat(0.5), N = f32x4.splat(n);
  let total: f64 = 0;
  let i = i0;
  while (i + 4 <= i1) {
    const end = min(i1, i + 128);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const v = f32x4.sub(v128.load(at(x, i)), v128.load(at(y, i)));
      acc = f32x4.add(acc, huberLoss(v, D, HALF, H));
      if (g != 0) v128.store(at(g, i), huberGrad(v, D, NEG_D, N));
    }
    total += hsum64(acc);
  }
  for (; i < i1; i++) {
    const v = load<f32>(at(x, i)) - load<f32>(at(y, i));
    const z = abs(v);
    total += <f64>(z < d ? (<f32>0.5 * z) * z : d * (z - <f32>0.5 * d));
    if (g != 0) store<f32>(at(g, i), v <= -d ? -n * d : v >= d ? n * d : n * v);
  }
  return total;
}

/** loss = z < b ? ((0.5·z)·z)/b : z − 0.5·b. */
@inline function smoothLoss(v: v128, B: v128, HALF: v128, H: v128): v128 {
  const z = f32x4.abs(v);
  const quad = f32x4.div(f32x4.mul(f32x4.mul(H, z), z), B);
  return v128.bitselect(quad, f32x4.sub(z, HALF), f32x4.lt(z, B));
}

/** ∂/∂x for upstream 1: −n if v ≤ −b, n if v ≥ b, else (n·v)/b. */
@inline function smoothGrad(v: v128, B: v128, NEG_B: v128, N: v128, NEG_N: v128): v128 {
  const inner = v128.bitselect(N, f32x4.div(f32x4.mul(N, v), B), f32x4.ge(v, B));
  return v128.bitselect(NEG_N, inner, f32x4.le(v, NEG_B));
}

/** Σ smoothL1(x − y); when g ≠ 0 also g = its gradient for upstream 1, norm n. */
export function smooth_l1_fwd(x: usize, y: usize, g: usize, b: f32, n: f32, i0: i32,
  i1: i32): f64 {
  const B = f32x4.splat(b), NEG_B = f32x4.splat(-b), HALF = f32x4.splat(0.5 * b);
  const H = f32x4.splat(0.5), N = f32x4.splat(n), NEG_N = f32x4.splat(-n);
  let total: f64 = 0;
  let i = i0;
  while (i + 4 <= i1) {
    const end = min(i1, i + 128);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const v = f32x4.sub(v128.load(at(x, i)), v128.load(at(y, i)));
      acc = f32x4.add(acc, smoothLoss(v, B, HALF, H));
      if (g != 0) v128.store(at(g, i), smoothGrad(v, B, NEG_B, N, NEG_N));
    }
    total += hsum64(acc);
  }
  for (; i < i1; i++) {
    const v = load<f32>(at(x, i)) - load<f32>(at(y, i));
    const z = abs(v);
    total += <f64>(z < b ? ((<f32>0.5 * z) * z) / b : z - <f32>0.5 * b);
    if (g != 0) store<f32>(at(g, i), v <= -b ? -n : v >= b ? n : (n * v) / b);
  }
  return total;
}

// ---- natural logarithm (SIMD) ----------------------------------------------------------------


// Bit patterns of vlog's constants, each splatted to 4 lanes: loaded from memory inside loops,
// which V8 does in one instruction, where it re-materialises a `v128.const` in several.
const LOG_CONSTANTS: usize = memory.data<u32>([
  0x00800000, 0x00800000, 0x00800000, 0x00800000, // 0   smallest normal
  0x4B000000, 0x4B000000, 0x4B000000, 0x4B000000, // 16  2^23
  0x0000007E, 0x0000007E, 0x0000007E, 0x0000007E, // 32  exponent bias − 1 (i32)
  0x00000017, 0x00000017, 0x00000017, 0x00000017, // 48  23 (i32)
  0x007FFFFF, 0x007FFFFF, 0x007FFFFF, 0x007FFFFF, // 64  mantissa mask (i32)
  0x3F000000, 0x3F000000, 0x3F000000, 0x3F000000, // 80  0.5 (also ½ as exponent bits)
  0x3F3504F3, 0x3F3504F3, 0x3F3504F3, 0x3F3504F3, // 96  √½
  0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, // 112 1
  0x3D9021BB, 0x3D9021BB, 0x3D9021BB, 0x3D9021BB, // 128 p0
  0xBDEBD1B8, 0xBDEBD1B8, 0xBDEBD1B8, 0xBDEBD1B8, // 144 p1
  0x3DEF251A, 0x3DEF251A, 0x3DEF251A, 0x3DEF251A, // 160 p2
  0xBDFE5D4F, 0xBDFE5D4F, 0xBDFE5D4F, 0xBDFE5D4F, // 176 p3
  0x3E11E9BF, 0x3E11E9BF, 0x3E11E9BF, 0x3E11E9BF, // 192 p4
  0xBE2AAE50, 0xBE2AAE50, 0xBE2AAE50, 0xBE2AAE50, // 208 p5
  0x3E4CCEAC, 0x3E4CCEAC, 0x3E4CCEAC, 0x3E4CCEAC, // 224 p6
  0xBE7FFFFC, 0xBE7FFFFC, 0xBE7FFFFC, 0xBE7FFFFC, // 240 p7
  0x3EAAAAAA, 0x3EAAAAAA, 0x3EAAAAAA, 0x3EAAAAAA, // 256 p8
  0xB95E8083, 0xB95E8083, 0xB95E8083, 0xB95E8083, // 272 ln 2 (low part)
  0x3F318000, 0x3F318000, 0x3F318000, 0x3F318000, // 288 ln 2 (high part)
  0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, // 304 −inf
  0x7F800000, 0x7F800000, 0x7F800000, 0x7F800000, // 320 inf
  0x7FC00000, 0x7FC00000, 0x7FC00000, 0x7FC00000, // 336 NaN
  0x3FB504F3, 0x3FB504F3, 0x3FB504F3, 0x3FB504F3, // 352 √2
  0x7F000000, 0x7F000000, 0x7F000000, 0x7F000000, // 368 inf − smallest normal (bits)
], 16);

@inline function logK(offset: usize): v128 {
  return v128.load(LOG_CONSTANTS + offset);
}

/**
 * log m + fe·ln 2 for m ∈ [√½, √2) (Cephes `logf`'s core): log(1 + f), f = m − 1, by a
 * degree-9 polynomial, the integer exponent fe added in two parts of ln 2. The polynomial runs
 * in Estrin's scheme (four independent pairs joined by f², f⁴, f⁸): a dependency chain of 7
 * operations instead of Horner's 16, which the loops here are bound by.
 */
@inline function logReduced(m: v128, fe: v128): v128 {
  const f = f32x4.sub(m, logK(112));
  const z = f32x4.mul(f, f);
  const z2 = f32x4.mul(z, z);
  const b0 = f32x4.add(f32x4.mul(logK(240), f), logK(256));
  const b1 = f32x4.add(f32x4.mul(logK(208), f), logK(224));
  const b2 = f32x4.add(f32x4.mul(logK(176), f), logK(192));
  const b3 = f32x4.add(f32x4.mul(logK(144), f), logK(160));
  const d0 = f32x4.add(f32x4.mul(b1, z), b0);
  const d1 = f32x4.add(f32x4.mul(b3, z), b2);
  const p = f32x4.add(f32x4.add(f32x4.mul(d1, z2), d0), f32x4.mul(logK(128), f32x4.mul(z2, z2)));
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = f32x4.add(y, f32x4.mul(fe, logK(272)));
  y = f32x4.sub(y, f32x4.mul(z, logK(80)));
  return f32x4.add(f32x4.add(f, y), f32x4.mul(fe, logK(288)));
}

/**
 * log x for four float32 (Cephes `logf`): x = m·2^e with m ∈ [√½, √2), then logReduced.
 * log 0 = −inf, log(x < 0) = NaN, log NaN = NaN, log inf = inf, subnormals exact. Max error
 * 1 ulp (against the correctly rounded log, every 7th float32). Vectors of positive normal
 * floats (the common case; one unsigned compare) skip the special values' fix-ups.
 */
@inline export function vlog(x: v128): v128 {
  return i32x4.all_true(isNormal(x)) ? logNormal(x) : vlogSpecial(x);
}

/** Lanes holding a positive normal float (not 0, subnormal, negative, inf or NaN). */
@inline function isNormal(x: v128): v128 {
  return i32x4.lt_u(i32x4.sub(x, logK(0)), logK(368));
}

/** vlog for positive normal floats. */
@inline function logNormal(x: v128): v128 {
  let e = i32x4.sub(i32x4.shr_u(x, 23), logK(32));
  let m = v128.or(v128.and(x, logK(64)), logK(80)); // [½, 1)
  const low = f32x4.lt(m, logK(96));
  e = i32x4.add(e, low);                                   // low is −1 where true
  m = f32x4.add(m, v128.and(m, low));
  return logReduced(m, f32x4.convert_i32x4_s(e));
}

/** vlog for vectors with a zero, subnormal, negative, inf or NaN lane. */
@noinline function vlogSpecial(x: v128): v128 {
  const Z = f32x4.splat(0);
  let r = vlogFinite(x);
  r = v128.bitselect(logK(304), r, f32x4.eq(x, Z));
  r = v128.bitselect(x, r, f32x4.eq(x, logK(320)));
  return v128.bitselect(logK(336), r, v128.or(f32x4.lt(x, Z), f32x4.ne(x, x)));
}

/**
 * vlog for finite x > 0 (subnormals included), without its special values: 0 gives ≈ −104.7
 * (below BCE's −100 floor) instead of −inf; negative, inf and NaN lanes give garbage.
 */
@inline function vlogFinite(x: v128): v128 {
  const small = f32x4.lt(x, logK(0));
  const xs = v128.bitselect(f32x4.mul(x, logK(16)), x, small);
  let e = i32x4.sub(i32x4.shr_u(xs, 23), logK(32));
  e = i32x4.sub(e, v128.and(small, logK(48)));
  let m = v128.or(v128.and(xs, logK(64)), logK(80)); // [½, 1)
  const low = f32x4.lt(m, logK(96));
  e = i32x4.add(e, low);                                   // low is −1 where true
  m = f32x4.add(m, v128.and(m, low));
  return logReduced(m, f32x4.convert_i32x4_s(e));
}

/**
 * log u for u ∈ [1, 2] (u = 1 + e, e ∈ [0, 1]: the softplus terms), as vlog gives it: m = u or
 * u/2 (exact) in [√½, √2), without vlog's exponent extraction and special values.
 */
@inline export function vlogUnit(u: v128): v128 {
  const high = f32x4.ge(u, logK(352));
  const m = v128.bitselect(f32x4.mul(u, logK(80)), u, high);
  return logReduced(m, v128.and(high, logK(112)));
}

/** out = log x (for testing vlog against Math.log). */
export function log_f32(x: usize, out: usize, i0: i32, i1: i32): f64 {
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(at(out, i), vlog(v128.load(at(x, i))));
  for (; i < i1; i++) {
    store<f32>(at(out, i), f32x4.extract_lane(vlog(f32x4.splat(load<f32>(at(x, i)))), 0));
  }
  return 0;
}

// ---- KLDivLoss -------------------------------------------------------------------------------

/** xlogy(t, t) − t·x: 0 for t = 0 (so 0 − t·x), NaN for NaN t. */
@inline function klTerm(x: v128, t: v128): v128 {
  const xl = v128.andnot(f32x4.mul(t, vlog(t)), f32x4.eq(t, f32x4.splat(0)));
  return f32x4.sub(xl, f32x4.mul(t, x));
}

/** Σ (xlogy(t, t) − t·x); when g ≠ 0 also g = negS·t (the input's gradient, negS = −s). */
export function kl_fwd(x: usize, t: usize, g: usize, negS: f32, i0: i32, i1: i32): f64 {
  const NS = f32x4.splat(negS);
  let total: f64 = 0;
  let i = i0;
  while (i + 4 <= i1) {
    const end = min(i1, i + 128);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const tv = v128.load(at(t, i));
      acc = f32x4.add(acc, klTerm(v128.load(at(x, i)), tv));
      if (g != 0) v128.store(at(g, i), f32x4.mul(NS, tv));
    }
    total += hsum64(acc);
  }
  for (; i < i1; i++) {
    const tv = f32x4.splat(load<f32>(at(t, i)));
    total += <f64>f32x4.extract_lane(klTerm(f32x4.splat(load<f32>(at(x, i))), tv), 0);
    if (g != 0) store<f32>(at(g, i), negS * load<f32>(at(t, i)));
  }
  return total;
}

// ---- BCELoss ---------------------------------------------------------------------------------

/**
 * Σ (y − 1)·max(log(1 − x), −100) − y·max(log x, −100) (PyTorch's order); when g ≠ 0 also
 * g = ((x − y)/max((1 − x)·x, 1e-12))/divisor, upstream 1. NaN when an x lies outside [0, 1]
 * (or is NaN): the caller then runs PyTorch's input check. Inside, log needs no special values
 * (log 0 lands below the −100 floor, as −inf does).
 */
export function bce_fwd(x: usize, y: usize, g: usize, divisor: f32, i0: i32, i1: i32): f64 {
  const ONE = f32x4.splat(1), FLOOR = f32x4.splat(-100), EPS = f32x4.splat(<f32>1e-12);
  const Z = f32x4.splat(0), DIV = f32x4.splat(divisor);
  let total: f64 = 0;
  let inside = i32x4.splat(-1);
  let i = i0;
  while (i + 4 <= i1) {
    const end = min(i1, i + 128);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const xv = v128.load(at(x, i)), yv = v128.load(at(y, i));
      inside = v128.and(inside, v128.and(f32x4.ge(xv, Z), f32x4.le(xv, ONE)));
      const m = f32x4.sub(ONE, xv);
      const normal = v128.and(isNormal(m), isNormal(xv));
      const log1m = f32x4.pmax(i32x4.all_true(normal) ? logNormal(m) : vlogFinite(m), FLOOR);
      const logx = f32x4.pmax(i32x4.all_true(normal) ? logNormal(xv) : vlogFinite(xv), FLOOR);
      acc = f32x4.add(acc, f32x4.sub(f32x4.mul(f32x4.sub(yv, ONE), log1m), f32x4.mul(yv, logx)));
      if (g != 0) {
        const den = f32x4.pmax(f32x4.mul(m, xv), EPS);   // x ∈ [0, 1]: no NaN to keep
        v128.store(at(g, i), f32x4.div(f32x4.div(f32x4.sub(xv, yv), den), DIV));
      }
    }
    total += hsum64(acc);
  }
  if (!i32x4.all_true(inside)) return NaN;
  for (; i < i1; i++) {
    const xs = load<f32>(at(x, i)), ys = load<f32>(at(y, i));
    const m = <f32>1 - xs;
    const l = f32x4.extract_lane(vlog(f32x4.replace_lane(f32x4.splat(m), 1, xs)), 0);
    const lx = f32x4.extract_lane(vlog(f32x4.splat(xs)), 0);
    total += <f64>((ys - 1) * max(l, <f32>-100) - ys * max(lx, <f32>-100));
    if (g != 0) store<f32>(at(g, i), ((xs - ys) / max(m * xs, <f32>1e-12)) / divisor);
  }
  return total;
}

/** How many of x[i0, i1) lie outside [0, 1] (NaN included): PyTorch's BCE input check. */
export function bce_check(x: usize, i0: i32, i1: i32): f64 {
  const ZERO = f32x4.splat(0), ONE = f32x4.splat(1);
  let bad: i32 = 0;
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const v = v128.load(at(x, i));
    const inside = v128.and(f32x4.ge(v, ZERO), f32x4.le(v, ONE));
    bad += 4 - <i32>popcnt(i32x4.bitmask(inside));
  }
  for (; i < i1; i++) {
    const v = load<f32>(at(x, i));
    if (!(v >= 0 && v <= 1)) bad++;
  }
  return <f64>bad;
}

// ---- SoftMarginLoss --------------------------------------------------------------------------

/**
 * Σ log(1 + exp(a)), a = −x·y, with PyTorch's overflow: where exp(a) overflows float32
 * (a > 88.7228) the loss is inf and the gradient NaN, as torch's naive log1p(exp(a)) gives.
 * Elsewhere it runs as softplus, max(a, 0) + log(1 + e) with e = exp(−|a|) ∈ (0, 1], so one
 * exp, vlogUnit and one division serve both signs. When g ≠ 0 also g = ((y·z)·(−n))/(1 + z),
 * z = exp(a), the input's gradient for upstream 1, taken as ((y·1)·(−n))/(1 + e) for a > 0.
 */
@inline function softMarginLoss(a: v128, u: v128): v128 {
  const l = f32x4.add(f32x4.pmax(a, f32x4.splat(0)), vlogUnit(u)); // pmax keeps a NaN a
  return v128.bitselect(f32x4.splat(Infinity), l, f32x4.gt(a, f32x4.splat(SOFT_MARGIN_OVERFLOW)));
}

@inline function softMarginGrad(a: v128, e: v128, u: v128, yv: v128, NN: v128): v128 {
  const z = v128.bitselect(f32x4.splat(1), e, f32x4.gt(a, f32x4.splat(0)));
  const d = f32x4.div(f32x4.mul(f32x4.mul(yv, z), NN), u);
  return v128.bitselect(f32x4.splat(NaN), d, f32x4.gt(a, f32x4.splat(SOFT_MARGIN_OVERFLOW)));
}

/** The largest float32 whose exp is finite. */
const SOFT_MARGIN_OVERFLOW: f32 = 88.72283172607422;

/** Σ SoftMargin terms over [i0, i1) (see softMarginLoss), and their gradients when g ≠ 0. */
export function soft_margin_fwd(x: usize, y: usize, g: usize, negN: f32, i0: i32,
  i1: i32): f64 {
  const NN = f32x4.splat(negN), ONE = f32x4.splat(1);
  let total: f64 = 0;
  let i = i0;
  while (i + 4 <= i1) {
    const end = min(i1, i + 128);
    let acc = f32x4.splat(0);
    if (g != 0) {
      // two passes over the block, exp then the rest, each with fewer constants live than
      // registers; the gradient's block holds exp(−|a|) in between
      let j = i;
      for (; j + 4 <= end; j += 4) {
        const a = f32x4.mul(v128.load(at(x, j)), v128.load(at(y, j)));
        v128.store(at(g, j), vexpLoaded(f32x4.neg(f32x4.abs(a))));
      }
      for (; i + 4 <= end; i += 4) {
        const yv = v128.load(at(y, i));
        const a = f32x4.neg(f32x4.mul(v128.load(at(x, i)), yv));
        const e = v128.load(at(g, i));
        const u = f32x4.add(ONE, e);
        acc = f32x4.add(acc, softMarginLoss(a, u));
        v128.store(at(g, i), softMarginGrad(a, e, u, yv, NN));
      }
    } else {
      for (; i + 4 <= end; i += 4) {
        const a = f32x4.neg(f32x4.mul(v128.load(at(x, i)), v128.load(at(y, i))));
        acc = f32x4.add(acc, softMarginLoss(a, f32x4.add(ONE, vexpLoaded(f32x4.neg(f32x4.abs(a))))));
      }
    }
    total += hsum64(acc);
  }
  for (; i < i1; i++) {
    const yv = f32x4.splat(load<f32>(at(y, i)));
    const a = f32x4.neg(f32x4.mul(f32x4.splat(load<f32>(at(x, i))), yv));
    const e = vexpLoaded(f32x4.neg(f32x4.abs(a)));
    const u = f32x4.add(ONE, e);
    total += <f64>f32x4.extract_lane(softMarginLoss(a, u), 0);
    if (g != 0) store<f32>(at(g, i), f32x4.extract_lane(softMarginGrad(a, e, u, yv, NN), 0));
  }
  return total;
}
