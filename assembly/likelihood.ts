// PoissonNLLLoss and GaussianNLLLoss: the forward sum of PyTorch's composite with the input's
// gradient (upstream 1, scaled by s) written in the same pass. Every intermediate is an f32
// operation in the composite's order (src/kernels/likelihood.ts's JS loops do the same with
// Math.fround), so the gradients equal the JS loops' but for Poisson's exp, simd.ts' polynomial
// (within 2 ulp of Math.exp), and log is Cephes' logf (≈ 1 ulp; it enters the loss only). Sums accumulate in f32
// over 128-element blocks, then in f64, as in pointwise.ts.
import { vexpf } from "./ctc";
import { vlog } from "./losses2";
import { at, expConstants, hsum64, lane, vexp } from "./simd";

/** exp(x) − y·x (logInput). */
@inline function poissonLoss(e: v128, x: v128, y: v128): v128 {
  return f32x4.sub(e, f32x4.mul(y, x));
}

/**
 * Σ exp(x) − y·x; when g ≠ 0 also g = s·exp(x) + (−s)·y (ExpBackward0's and MulBackward0's
 * parts, as the autograd engine adds them).
 */
export function poisson_fwd(x: usize, y: usize, g: usize, s: f32, i0: i32, i1: i32): f64 {
  const S = f32x4.splat(s), NS = f32x4.splat(-s);
  const k = expConstants();
  const l2e = v128.load(k, 0), mag = v128.load(k, 16);
  const lnHi = v128.load(k, 32), lnLo = v128.load(k, 48);
  const c5 = v128.load(k, 64), c4 = v128.load(k, 80), c3 = v128.load(k, 96);
  const c2 = v128.load(k, 112), c1 = v128.load(k, 128), cut = v128.load(k, 144);
  const LO = f32x4.splat(-87), HI = f32x4.splat(80);
  let total: f64 = 0;
  let i = i0;
  while (i + 4 <= i1) {
    const end = min(i1, i + 128);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const xv = v128.load(at(x, i)), yv = v128.load(at(y, i));
      // simd.ts' polynomial exp (≈ 1.5e-7 relative) where it has neither denormal results nor
      // overflow; musl's expf for vectors with a lane outside [−87, 80]
      const e = v128.any_true(v128.or(f32x4.lt(xv, LO), f32x4.gt(xv, HI))) ? vexpf(xv)
        : vexp(xv, l2e, mag, lnHi, lnLo, c5, c4, c3, c2, c1, cut);
      acc = f32x4.add(acc, poissonLoss(e, xv, yv));
      if (g != 0) v128.store(at(g, i), f32x4.add(f32x4.mul(S, e), f32x4.mul(NS, yv)));
    }
    total += hsum64(acc);
  }
  for (; i < i1; i++) {
    const xv = lane(x, i), yv = lane(y, i);
    const e = vexpf(xv);
    total += <f64>f32x4.extract_lane(poissonLoss(e, xv, yv), 0);
    if (g != 0) {
      store<f32>(at(g, i), f32x4.extract_lane(f32x4.add(f32x4.mul(S, e), f32x4.mul(NS, yv)), 0));
    }
  }
  return total;
}

/**
 * Σ x − y·log(x + eps) (logInput false); when g ≠ 0 also g = s + ((−s)·y)/(x + eps)
 * (SubBackward0's part plus LogBackward0's).
 */
export function poisson_lin_fwd(x: usize, y: usize, g: usize, s: f32, eps: f32, i0: i32,
  i1: i32): f64 {
  const S = f32x4.splat(s), NS = f32x4.splat(-s), EPS = f32x4.splat(eps);
  let total: f64 = 0;
  let i = i0;
  while (i + 4 <= i1) {
    const end = min(i1, i + 128);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const xv = v128.load(at(x, i)), yv = v128.load(at(y, i));
      const a = f32x4.add(xv, EPS);
      acc = f32x4.add(acc, f32x4.sub(xv, f32x4.mul(yv, vlog(a))));
      if (g != 0) v128.store(at(g, i), f32x4.add(S, f32x4.div(f32x4.mul(NS, yv), a)));
    }
    total += hsum64(acc);
  }
  for (; i < i1; i++) {
    const xv = lane(x, i), yv = lane(y, i);
    const a = f32x4.add(xv, EPS);
    total += <f64>f32x4.extract_lane(f32x4.sub(xv, f32x4.mul(yv, vlog(a))), 0);
    if (g != 0) {
      store<f32>(at(g, i), f32x4.extract_lane(f32x4.add(S, f32x4.div(f32x4.mul(NS, yv), a)), 0));
    }
  }
  return total;
}

/**
 * Σ ½·(log c + (x − y)²/c) (+ k when `full`), c = v clamped to at least `floor` (as clamp_:
 * NaN stays NaN); when g ≠ 0 also g = (t/c)·2(x − y) for t = s·½ (MulBackward0, AddBackward0,
 * DivBackward0 then PowBackward0). A negative v makes the sum NaN (the caller then checks var).
 */
export function gaussian_fwd(x: usize, y: usize, v: usize, g: usize, t: f32, floor: f32,
  full: i32, k: f32, i0: i32, i1: i32): f64 {
  const T = f32x4.splat(t), FLOOR = f32x4.splat(floor), K = f32x4.splat(k);
  const HALF = f32x4.splat(0.5), ZERO = f32x4.splat(0), NAN = f32x4.splat(NaN);
  let total: f64 = 0;
  let i = i0;
  while (i + 4 <= i1) {
    const end = min(i1, i + 128);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const vv = v128.load(at(v, i));
      const c = v128.bitselect(FLOOR, vv, f32x4.lt(vv, FLOOR));
      const d = f32x4.sub(v128.load(at(x, i)), v128.load(at(y, i)));
      const ratio = f32x4.div(f32x4.mul(d, d), c);
      let l = f32x4.mul(f32x4.add(vlog(c), ratio), HALF);
      if (full) l = f32x4.add(l, K);
      acc = f32x4.add(acc, v128.bitselect(NAN, l, f32x4.lt(vv, ZERO)));
      if (g != 0) v128.store(at(g, i), f32x4.mul(f32x4.div(T, c), f32x4.add(d, d)));
    }
    total += hsum64(acc);
  }
  for (; i < i1; i++) {
    const vv = lane(v, i);
    const c = v128.bitselect(FLOOR, vv, f32x4.lt(vv, FLOOR));
    const d = f32x4.sub(lane(x, i), lane(y, i));
    const ratio = f32x4.div(f32x4.mul(d, d), c);
    let l = f32x4.mul(f32x4.add(vlog(c), ratio), HALF);
    if (full) l = f32x4.add(l, K);
    total += <f64>f32x4.extract_lane(v128.bitselect(NAN, l, f32x4.lt(vv, ZERO)), 0);
    if (g != 0) {
      store<f32>(at(g, i), f32x4.extract_lane(f32x4.mul(f32x4.div(T, c), f32x4.add(d, d)), 0));
    }
  }
  return total;
}

/** How many of v[i0, i1) are below 0 (NaN is not): GaussianNLLLoss's var check. */
export function negative_count(v: usize, i0: i32, i1: i32): f64 {
  const ZERO = f32x4.splat(0);
  let count: i32 = 0;
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    count += <i32>popcnt(i32x4.bitmask(f32x4.lt(v128.load(at(v, i)), ZERO)));
  }
  for (; i < i1; i++) if (load<f32>(at(v, i)) < 0) count++;
  return <f64>count;
}
