// float64 kernels (f64x2 SIMD) for (log-)softmax over contiguous rows, their backwards, and the
// fused KL-divergence forward. Each takes its range [i0, i1) (rows or elements) last, so work can
// be split across threads, and returns an f64 (a partial sum, or 0).
//
// exp and log are fdlibm's (`__ieee754_exp`, `__ieee754_log`) written lane-wise: < 1 ulp, the
// accuracy of the libm PyTorch's double kernels call.
import { at8 } from "./simd";

// Constants as 2-lane splats, read with `v128.load(K64, offset)` (cheaper in V8 than a
// `v128.const` re-materialised inside every loop).
const K64: usize = memory.data<f64>([
  1.4426950408889634, 1.4426950408889634,           // 0    log2(e)
  6755399441055744.0, 6755399441055744.0,           // 16   magic bias 1.5·2^52
  6.93147180369123816490e-01, 6.93147180369123816490e-01, // 32   ln2 (high part)
  1.90821492927058770002e-10, 1.90821492927058770002e-10, // 48   ln2 (low part)
  1.66666666666666019037e-01, 1.66666666666666019037e-01, // 64   exp P1
  -2.77777777770155933842e-03, -2.77777777770155933842e-03, // 80   P2
  6.61375632143793436117e-05, 6.61375632143793436117e-05, // 96   P3
  -1.65339022054652515390e-06, -1.65339022054652515390e-06, // 112  P4
  4.13813679705723846039e-08, 4.13813679705723846039e-08, // 128  P5
  -746.0, -746.0,                                   // 144  exp(x) = 0 below (after rounding)
  6.666666666666735130e-01, 6.666666666666735130e-01, // 160  log Lg1
  3.999999999940941908e-01, 3.999999999940941908e-01, // 176  Lg2
  2.857142874366239149e-01, 2.857142874366239149e-01, // 192  Lg3
  2.222219843214978396e-01, 2.222219843214978396e-01, // 208  Lg4
  1.818357216161805012e-01, 1.818357216161805012e-01, // 224  Lg5
  1.531383769920937332e-01, 1.531383769920937332e-01, // 240  Lg6
  1.479819860511658591e-01, 1.479819860511658591e-01, // 256  Lg7
  2.2250738585072014e-308, 2.2250738585072014e-308, // 272  smallest normal
  18014398509481984.0, 18014398509481984.0,         // 288  2^54
], 16);

@inline function k(offset: usize): v128 {
  return v128.load(K64 + offset);
}

@inline function rowAt(base: usize, r: i32, C: i32): usize {
  return base + ((<usize>r * <usize>C) << 3);
}

/** 2^n for integer lanes n ≥ −1022 (i64). */
@inline function pow2(n: v128): v128 {
  return i64x2.shl(i64x2.add(n, i64x2.splat(1023)), 52);
}

/**
 * exp(x) for x ≤ 0 (fdlibm's reduction and rational approximation); −inf and x < −746 give 0,
 * NaN stays NaN. The scale 2^k is applied in two halves so subnormal results come out right.
 */
@inline export function vexp64(x0: v128): v128 {
  const x = f64x2.pmax(x0, k(144));               // NaN compares false and passes through
  const magic = k(16);
  let n = f64x2.add(f64x2.mul(x, k(0)), magic);
  const kk = i64x2.sub(n, magic);                  // k = round(x·log2 e) as an integer
  n = f64x2.sub(n, magic);
  const hi = f64x2.sub(x, f64x2.mul(n, k(32)));
  const lo = f64x2.mul(n, k(48));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let p = f64x2.add(f64x2.mul(t, k(128)), k(112));
  p = f64x2.add(f64x2.mul(t, p), k(96));
  p = f64x2.add(f64x2.mul(t, p), k(80));
  p = f64x2.add(f64x2.mul(t, p), k(64));
  const c = f64x2.sub(r, f64x2.mul(t, p));
  const two = f64x2.splat(2), one = f64x2.splat(1);
  const q = f64x2.div(f64x2.mul(r, c), f64x2.sub(two, c));
  const y = f64x2.sub(one, f64x2.sub(f64x2.sub(lo, q), hi));
  const k1 = i64x2.shr_s(kk, 1);
  return f64x2.mul(f64x2.mul(y, pow2(k1)), pow2(i64x2.sub(kk, k1)));
}

/**
 * log(x) (fdlibm): x = 2^k·(1 + f) with 1 + f ∈ [√½, √2), log(1 + f) from s = f/(2 + f).
 * log 0 = −inf, log(x < 0) = NaN, log NaN = NaN, log inf = inf; subnormals scaled by 2^54.
 */
@inline export function vlog64(x: v128): v128 {
  const small = f64x2.lt(x, k(272));
  const xs = v128.bitselect(f64x2.mul(x, k(288)), x, small);
  // Shift the mantissa range to [√½, √2) as musl's log does, on the whole 64-bit pattern.
  const u = i64x2.add(xs, i64x2.splat(0x3ff0000000000000 - 0x3fe6a09e00000000));
  let e = i64x2.sub(i64x2.shr_s(u, 52), i64x2.splat(0x3ff));
  e = i64x2.sub(e, v128.and(small, i64x2.splat(54)));
  const m = i64x2.add(v128.and(u, i64x2.splat(0x000fffffffffffff)),
    i64x2.splat(0x3fe6a09e00000000));
  const dk = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(e, e, 0, 2, 0, 2));
  const f = f64x2.sub(m, f64x2.splat(1));
  const hfsq = f64x2.mul(f64x2.mul(f64x2.splat(0.5), f), f);
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(k(176), f64x2.mul(w, f64x2.add(k(208),
    f64x2.mul(w, k(240))))));
  const t2 = f64x2.mul(z, f64x2.add(k(160), f64x2.mul(w, f64x2.add(k(192),
    f64x2.mul(w, f64x2.add(k(224), f64x2.mul(w, k(256))))))));
  const R = f64x2.add(t2, t1);
  const inner = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(dk, k(48)));
  let res = f64x2.sub(f64x2.mul(dk, k(32)), f64x2.sub(f64x2.sub(hfsq, inner), f));
  res = v128.bitselect(f64x2.splat(-Infinity), res, f64x2.eq(x, f64x2.splat(0)));
  res = v128.bitselect(x, res, f64x2.eq(x, f64x2.splat(Infinity)));
  return v128.bitselect(f64x2.splat(NaN), res,
    v128.or(f64x2.lt(x, f64x2.splat(0)), f64x2.ne(x, x)));
}

/** Max of C doubles at p; NaN if any is NaN (PyTorch's vectorised maximum propagates it). */
export function rowMax64(p: usize, C: i32): f64 {
  let m0 = f64x2.splat(-Infinity), m1 = m0;
  let i = 0;
  for (; i + 4 <= C; i += 4) {
    m0 = f64x2.max(m0, v128.load(at8(p, i)));
    m1 = f64x2.max(m1, v128.load(at8(p, i), 16));
  }
  for (; i + 2 <= C; i += 2) m0 = f64x2.max(m0, v128.load(at8(p, i)));
  const v = f64x2.max(m0, m1);
  let m = max(f64x2.extract_lane(v, 0), f64x2.extract_lane(v, 1));
  for (; i < C; i++) m = max(m, load<f64>(at8(p, i)));
  return m;
}

/** Σ exp(x[i] − m) over C doubles, stored to e as well when e ≠ 0. */
export function expSum64(x: usize, e: usize, C: i32, m: f64): f64 {
  const M = f64x2.splat(m);
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= C; i += 2) {
    const v = vexp64(f64x2.sub(v128.load(at8(x, i)), M));
    if (e != 0) v128.store(at8(e, i), v);
    acc = f64x2.add(acc, v);
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < C; i++) {
    const v = f64x2.extract_lane(vexp64(f64x2.splat(load<f64>(at8(x, i)) - m)), 0);
    if (e != 0) store<f64>(at8(e, i), v);
    sum += v;
  }
  return sum;
}

/** out = log_softmax(x) (log ≠ 0: (x − max) − log Σ) or softmax(x) (e·(1/Σ)) per row. */
export function softmax64_rows(x: usize, out: usize, C: i32, log: i32, r0: i32, r1: i32): f64 {
  for (let r = r0; r < r1; r++) {
    const xr = rowAt(x, r, C), or = rowAt(out, r, C);
    const m = rowMax64(xr, C);
    const M = f64x2.splat(m);
    let i = 0;
    if (log != 0) {
      const ls = Math.log(expSum64(xr, 0, C, m));
      const LS = f64x2.splat(ls);
      for (; i + 2 <= C; i += 2) {
        v128.store(at8(or, i), f64x2.sub(f64x2.sub(v128.load(at8(xr, i)), M), LS));
      }
      for (; i < C; i++) store<f64>(at8(or, i), (load<f64>(at8(xr, i)) - m) - ls);
    } else {
      const inv = 1 / expSum64(xr, or, C, m);
      const K = f64x2.splat(inv);
      for (; i + 2 <= C; i += 2) v128.store(at8(or, i), f64x2.mul(v128.load(at8(or, i)), K));
      for (; i < C; i++) store<f64>(at8(or, i), load<f64>(at8(or, i)) * inv);
    }
  }
  return 0;
}

/** Σ a[i]·b[i] (b = 0: Σ a[i]) over C doubles. */
function rowDot64(a: usize, b: usize, C: i32): f64 {
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= C; i += 2) {
    const v = v128.load(at8(a, i));
    acc = f64x2.add(acc, b != 0 ? f64x2.mul(v, v128.load(at8(b, i))) : v);
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < C; i++) sum += b != 0 ? load<f64>(at8(a, i)) * load<f64>(at8(b, i)) : load<f64>(at8(a, i));
  return sum;
}

/** log_softmax backward per row: out = g − exp(y)·Σ g. out may equal g. */
export function logsoftmax64_bwd_rows(y: usize, g: usize, out: usize, C: i32, r0: i32,
  r1: i32): f64 {
  for (let r = r0; r < r1; r++) {
    const yr = rowAt(y, r, C), gr = rowAt(g, r, C), or = rowAt(out, r, C);
    const sum = rowDot64(gr, 0, C);
    const S = f64x2.splat(sum);
    let i = 0;
    for (; i + 2 <= C; i += 2) {
      const e = vexp64(v128.load(at8(yr, i)));
      v128.store(at8(or, i), f64x2.sub(v128.load(at8(gr, i)), f64x2.mul(e, S)));
    }
    for (; i < C; i++) {
      const e = f64x2.extract_lane(vexp64(f64x2.splat(load<f64>(at8(yr, i)))), 0);
      store<f64>(at8(or, i), load<f64>(at8(gr, i)) - e * sum);
    }
  }
  return 0;
}

/** softmax backward per row: out = y·(g − Σ g·y). out may equal g. */
export function softmax64_bwd_rows(y: usize, g: usize, out: usize, C: i32, r0: i32,
  r1: i32): f64 {
  for (let r = r0; r < r1; r++) {
    const yr = rowAt(y, r, C), gr = rowAt(g, r, C), or = rowAt(out, r, C);
    const dot = rowDot64(gr, yr, C);
    const D = f64x2.splat(dot);
    let i = 0;
    for (; i + 2 <= C; i += 2) {
      v128.store(at8(or, i), f64x2.mul(v128.load(at8(yr, i)), f64x2.sub(v128.load(at8(gr, i)), D)));
    }
    for (; i < C; i++) store<f64>(at8(or, i), load<f64>(at8(yr, i)) * (load<f64>(at8(gr, i)) - dot));
  }
  return 0;
}

/** xlogy(t, t) − t·x: 0 − t·x for t = 0, NaN for NaN t. */
@inline function klTerm64(x: v128, t: v128): v128 {
  const xl = v128.andnot(f64x2.mul(t, vlog64(t)), f64x2.eq(t, f64x2.splat(0)));
  return f64x2.sub(xl, f64x2.mul(t, x));
}

/** Σ (xlogy(t, t) − t·x); when g ≠ 0 also g = negS·t (the input's gradient, negS = −s). */
export function kl64_fwd(x: usize, t: usize, g: usize, negS: f64, i0: i32, i1: i32): f64 {
  const NS = f64x2.splat(negS);
  let acc = f64x2.splat(0);
  let i = i0;
  for (; i + 2 <= i1; i += 2) {
    const tv = v128.load(at8(t, i));
    acc = f64x2.add(acc, klTerm64(v128.load(at8(x, i)), tv));
    if (g != 0) v128.store(at8(g, i), f64x2.mul(NS, tv));
  }
  let total = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < i1; i++) {
    const tv = f64x2.splat(load<f64>(at8(t, i)));
    total += f64x2.extract_lane(klTerm64(f64x2.splat(load<f64>(at8(x, i))), tv), 0);
    if (g != 0) store<f64>(at8(g, i), negS * load<f64>(at8(t, i)));
  }
  return total;
}

/** out = exp(x) for x ≤ 0 and out = log(x) (for testing vexp64 / vlog64 against libm). */
export function exp_log_f64(x: usize, out: usize, log: i32, i0: i32, i1: i32): f64 {
  for (let i = i0; i < i1; i++) {
    const v = f64x2.splat(load<f64>(at8(x, i)));
    store<f64>(at8(out, i), f64x2.extract_lane(log != 0 ? vlog64(v) : vexp64(v), 0));
  }
  return 0;
}
