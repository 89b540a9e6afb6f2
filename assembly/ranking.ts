// HingeEmbeddingLoss and MarginRankingLoss: the forward sum of PyTorch's composite with the
// input's gradient (upstream 1, scaled by s) written in the same pass. Every intermediate is an
// f32 operation in the composite's order (src/kernels/ranking.ts's JS loops do the same with
// Math.fround), so the gradients equal the JS loops'. Masks replace the composite's `where`s
// (no branch on the ±1 targets). Sums accumulate in f32 over 128-element blocks, then in f64.
import { at, hsum64, lane } from "./simd";

/** where(y ≠ 1, max(m − x, 0), 0) + where(y ≠ −1, x, 0); pmax keeps NaN as clamp_min. */
@inline function hingeLoss(x: v128, marginClamp: v128, notPositive: v128, notNegative: v128,
  zero: v128): v128 {
  return f32x4.add(v128.and(f32x4.pmax(marginClamp, zero), notPositive),
    v128.and(x, notNegative));
}

/**
 * −(where(m − x ≥ 0, where(y ≠ 1, s, 0), 0)) (−0 where masked) + where(y ≠ −1, s, 0), as the
 * autograd engine adds the two branches' gradients.
 */
@inline function hingeGrad(marginClamp: v128, notPositive: v128, notNegative: v128, S: v128,
  NS: v128, negZero: v128, zero: v128): v128 {
  const active = v128.and(notPositive, f32x4.ge(marginClamp, zero));
  return f32x4.add(v128.bitselect(NS, negZero, active), v128.and(S, notNegative));
}

/** Σ hinge losses over [i0, i1); when g ≠ 0 also the input's gradient for the scale s. */
export function hinge_fwd(x: usize, y: usize, g: usize, m: f32, s: f32, i0: i32, i1: i32): f64 {
  const M = f32x4.splat(m), S = f32x4.splat(s), NS = f32x4.splat(-s);
  const ONE = f32x4.splat(1), NEG_ONE = f32x4.splat(-1);
  const ZERO = f32x4.splat(0), NEG_ZERO = f32x4.splat(-0.0);
  let total: f64 = 0;
  let i = i0;
  while (i + 4 <= i1) {
    const end = min(i1, i + 128);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const xv = v128.load(at(x, i)), yv = v128.load(at(y, i));
      const mc = f32x4.sub(M, xv);
      const pos = f32x4.ne(yv, ONE), neg = f32x4.ne(yv, NEG_ONE);
      acc = f32x4.add(acc, hingeLoss(xv, mc, pos, neg, ZERO));
      if (g != 0) v128.store(at(g, i), hingeGrad(mc, pos, neg, S, NS, NEG_ZERO, ZERO));
    }
    total += hsum64(acc);
  }
  for (; i < i1; i++) {
    const xv = lane(x, i), yv = lane(y, i);
    const mc = f32x4.sub(M, xv);
    const pos = f32x4.ne(yv, ONE), neg = f32x4.ne(yv, NEG_ONE);
    total += <f64>f32x4.extract_lane(hingeLoss(xv, mc, pos, neg, ZERO), 0);
    if (g != 0) {
      store<f32>(at(g, i), f32x4.extract_lane(hingeGrad(mc, pos, neg, S, NS, NEG_ZERO, ZERO), 0));
    }
  }
  return total;
}

/** z = −y·(x1 − x2) + m. */
@inline function shifted(x1: v128, x2: v128, negY: v128, M: v128): v128 {
  return f32x4.add(f32x4.mul(negY, f32x4.sub(x1, x2)), M);
}

/**
 * Σ max(−y·(x1 − x2) + m, 0) over [i0, i1); when g ≠ 0 also input1's gradient for the scale s:
 * (z ≥ 0 ? s : 0)·(−y) (ClampMinBackward0, then MulBackward0).
 */
export function ranking_fwd(x1: usize, x2: usize, y: usize, g: usize, m: f32, s: f32, i0: i32,
  i1: i32): f64 {
  const M = f32x4.splat(m), S = f32x4.splat(s), ZERO = f32x4.splat(0);
  let total: f64 = 0;
  let i = i0;
  while (i + 4 <= i1) {
    const end = min(i1, i + 128);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const negY = f32x4.neg(v128.load(at(y, i)));
      const z = shifted(v128.load(at(x1, i)), v128.load(at(x2, i)), negY, M);
      acc = f32x4.add(acc, f32x4.max(z, ZERO));
      if (g != 0) v128.store(at(g, i), f32x4.mul(v128.and(S, f32x4.ge(z, ZERO)), negY));
    }
    total += hsum64(acc);
  }
  for (; i < i1; i++) {
    const negY = f32x4.neg(lane(y, i));
    const z = shifted(lane(x1, i), lane(x2, i), negY, M);
    total += <f64>f32x4.extract_lane(f32x4.max(z, ZERO), 0);
    if (g != 0) {
      store<f32>(at(g, i),
        f32x4.extract_lane(f32x4.mul(v128.and(S, f32x4.ge(z, ZERO)), negY), 0));
    }
  }
  return total;
}
