// Float32 kernels for the generic tensor ops (src/kernels/ops-wasm.ts): unary maps, fused
// backward products, sums in f64 and row-wise reductions. Every kernel runs over [i0, i1)
// (elements or rows) and returns an f64 (a partial sum, or 0).
import { at, expConstants, vexp } from "./simd";
import { vlog } from "./losses2";
import { vlogf } from "./ctc";

const LN2 = f32x4.splat(0.6931471805599453);
const ONE = f32x4.splat(1);
const ZERO = f32x4.splat(0);

/**
 * exp over the whole float range: inputs above 87 are reduced by ln 2 and the result doubled,
 * so 2^n never leaves the normal exponents; above ln(FLT_MAX) the result overflows to +inf.
 */
@inline function vexpFull(x: v128): v128 {
  const k = expConstants();
  const c = f32x4.min(x, f32x4.splat(88.8));       // f32x4.min keeps NaN
  const big = f32x4.gt(c, f32x4.splat(87));
  const r = v128.bitselect(f32x4.sub(c, LN2), c, big);
  const e = vexp(r, v128.load(k, 0), v128.load(k, 16), v128.load(k, 32), v128.load(k, 48),
    v128.load(k, 64), v128.load(k, 80), v128.load(k, 96), v128.load(k, 112), v128.load(k, 128),
    v128.load(k, 144));
  return f32x4.mul(e, v128.bitselect(f32x4.splat(2), ONE, big));
}

/** log1p(y) for y ≥ 0 as log(u)·y/(u − 1) with u = 1 + y (exact where u rounds to 1). */
@inline function vlog1p(y: v128): v128 {
  const u = f32x4.add(ONE, y);
  const d = f32x4.sub(u, ONE);
  const q = f32x4.mul(vlog(u), f32x4.div(y, d));
  return v128.bitselect(y, q, f32x4.eq(d, ZERO));
}

/** log σ(x) = min(x, 0) − log1p(e^(−|x|)). */
@inline function vlogSigmoid(x: v128): v128 {
  return f32x4.sub(f32x4.min(x, ZERO), vlog1p(vexpFull(f32x4.neg(f32x4.abs(x)))));
}

/** sign(x) as ±1, 0 for ±0 and NaN. */
@inline function vsign(x: v128): v128 {
  const pos = v128.and(f32x4.gt(x, ZERO), ONE);
  const neg = v128.and(f32x4.lt(x, ZERO), ONE);
  return f32x4.sub(pos, neg);
}

@inline function unop(op: i32, x: v128): v128 {
  if (op == 0) return f32x4.neg(x);
  if (op == 1) return f32x4.abs(x);
  if (op == 2) return vexpFull(x);
  if (op == 3) return vlogf(x);                  // musl logf: as fround(Math.log) (JS loops)
  if (op == 4) return f32x4.sqrt(x);
  if (op == 5) return f32x4.div(ONE, f32x4.add(ONE, vexpFull(f32x4.neg(x))));
  if (op == 6) return vlogSigmoid(x);
  return vsign(x);
}

/** out = f(a): 0 neg, 1 abs, 2 exp, 3 log, 4 sqrt, 5 sigmoid, 6 log σ, 7 sign. */
export function op_unary(a: usize, out: usize, op: i32, i0: i32, i1: i32): f64 {
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(at(out, i), unop(op, v128.load(at(a, i))));
  for (; i < i1; i++) {
    store<f32>(at(out, i), f32x4.extract_lane(unop(op, f32x4.splat(load<f32>(at(a, i)))), 0));
  }
  return 0;
}

/** Element i of b's per-op factor (see op_grad). */
@inline function gradFactor(op: i32, x: v128, s: v128): v128 {
  if (op == 0) return v128.and(f32x4.ge(x, s), ONE);                  // clamp_min: x ≥ min
  if (op == 1) return v128.and(f32x4.le(x, s), ONE);                  // clamp_max: x ≤ max
  if (op == 2) return vsign(x);                                       // abs
  if (op == 3) return f32x4.mul(x, s);                                // x^2: x·2 (s = 2)
  return vsigmoidNeg(x);                                              // log σ: σ(−x)
}

/** σ(−x) as PyTorch's log_sigmoid_backward forms it: z/(1 + z) or 1 − z/(1 + z), z = e^(−|x|). */
@inline function vsigmoidNeg(x: v128): v128 {
  const z = vexpFull(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(z, f32x4.add(ONE, z));
  return v128.bitselect(f32x4.sub(ONE, s), s, f32x4.lt(x, ZERO));
}

/**
 * Fused backward products out = g·f(x) (g a tensor, or the scalar sg when gScalar is 1):
 * 0 clamp_min (g where x ≥ s, else 0), 1 clamp_max (x ≤ s), 2 abs (g·sign x), 3 pow 2
 * (g·(x·s) with s = 2), 4 log σ (g·σ(−x)). The clamp masks select g or +0 bit for bit, as
 * `where(mask, g, 0)` does (a NaN or ±inf g outside the mask gives 0, not NaN).
 */
export function op_grad(g: usize, x: usize, out: usize, sg: f32, s: f32, op: i32, gScalar: i32,
  i0: i32, i1: i32): f64 {
  const S = f32x4.splat(s);
  const SG = f32x4.splat(sg);
  const masked = op <= 1;
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const gv = gScalar ? SG : v128.load(at(g, i));
    const xv = v128.load(at(x, i));
    const f = gradFactor(op, xv, S);
    v128.store(at(out, i), masked ? v128.and(gv, f32x4.ne(f, ZERO)) : f32x4.mul(gv, f));
  }
  for (; i < i1; i++) {
    const gv = f32x4.splat(gScalar ? sg : load<f32>(at(g, i)));
    const f = gradFactor(op, f32x4.splat(load<f32>(at(x, i))), S);
    const r = masked ? v128.and(gv, f32x4.ne(f, ZERO)) : f32x4.mul(gv, f);
    store<f32>(at(out, i), f32x4.extract_lane(r, 0));
  }
  return 0;
}

/** The f64 sum of the 4 lanes of an f32 partial sum. */
@inline function widen(acc: v128): f64 {
  const s = f64x2.add(f64x2.promote_low_f32x4(acc),
    f64x2.promote_low_f32x4(v128.shuffle<f32>(acc, acc, 2, 3, 0, 1)));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/**
 * Σ over n floats at p of v or v² (square), in f32 lanes over blocks of 64 elements whose sums
 * are added in f64: long sums keep float32-rounding accuracy at one add per 4 elements.
 */
@inline function blockedTotal(p: usize, n: i32, square: bool): f64 {
  let sum: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n, i + 64);
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    for (; i + 8 <= end; i += 8) {
      const v0 = v128.load(at(p, i));
      const v1 = v128.load(at(p, i), 16);
      a0 = f32x4.add(a0, square ? f32x4.mul(v0, v0) : v0);
      a1 = f32x4.add(a1, square ? f32x4.mul(v1, v1) : v1);
    }
    for (; i + 4 <= end; i += 4) {
      const v = v128.load(at(p, i));
      a0 = f32x4.add(a0, square ? f32x4.mul(v, v) : v);
    }
    sum += widen(f32x4.add(a0, a1));
  }
  for (; i < n; i++) {
    const v = <f64>load<f32>(at(p, i));
    sum += square ? v * v : v;
  }
  return sum;
}

/** Σ a[i] over [i0, i1) (blocked f32, then f64). */
export function op_sum(a: usize, i0: i32, i1: i32): f64 {
  return blockedTotal(at(a, i0), i1 - i0, false);
}

/** Σ over C floats at p of v or v² (square 1). */
@inline function rowTotal(p: usize, C: i32, square: bool): f64 {
  return blockedTotal(p, C, square);
}

/**
 * Per row of C floats: out[r] = Σ x (mode 0) or √Σ x² (mode 1, the 2-norm), the total in f64
 * (see blockedTotal) rounded once.
 */
export function op_rows(x: usize, out: usize, C: i32, mode: i32, r0: i32, r1: i32): f64 {
  for (let r = r0; r < r1; r++) {
    const t = rowTotal(x + (<usize>r * <usize>C << 2), C, mode == 1);
    // PyTorch accumulates a float32 2-norm in float32: Σx² overflows to inf before the root
    store<f32>(at(out, r), <f32>(mode == 1 ? sqrt<f64>(<f64><f32>t) : t));
  }
  return 0;
}

/**
 * Per row of C floats: out = g[r] (mode 0, a row broadcast) or g[r]·(x / n[r]), 0 where n[r] is
 * 0 (mode 1, the 2-norm's gradient: PyTorch's `grad * (self / norm).masked_fill_(norm == 0, 0)`).
 */
export function op_rows_bwd(x: usize, out: usize, g: usize, n: usize, C: i32, mode: i32, r0: i32,
  r1: i32): f64 {
  for (let r = r0; r < r1; r++) {
    const base = <usize>r * <usize>C << 2;
    const gr = load<f32>(at(g, r));
    const G = f32x4.splat(gr);
    let i = 0;
    if (mode == 0) {
      for (; i + 4 <= C; i += 4) v128.store(out + base + (<usize>i << 2), G);
      for (; i < C; i++) store<f32>(out + base + (<usize>i << 2), gr);
      continue;
    }
    const nr = load<f32>(at(n, r));
    const N = f32x4.splat(nr);
    const zero = nr == 0;
    for (; i + 4 <= C; i += 4) {
      const q = <usize>i << 2;
      const v = zero ? ZERO : f32x4.div(v128.load(x + base + q), N);
      v128.store(out + base + q, f32x4.mul(G, v));
    }
    for (; i < C; i++) {
      const q = <usize>i << 2;
      store<f32>(out + base + q, gr * (zero ? <f32>0 : load<f32>(x + base + q) / nr));
    }
  }
  return 0;
}
