// BCEWithLogitsLoss: the forward sum with the input's gradient (upstream 1) written in the same
// pass, float32, in the operation order of torch 1.13's composite (aten/src/ATen/native/Loss.cpp):
//   m = max(−x, 0);  l = (1 − y)·x + m + log(exp(−m) + exp(−x − m))
//   with pos_weight: l = (1 − y)·x + ((p − 1)·y + 1)·(log(exp(−m) + exp(−x − m)) + m)
// One of exp(−m), exp(−x − m) is exp(0) = 1 and the other exp(−|x|), so one exp serves both
// and their sum is 1 + exp(−|x|) exactly as PyTorch rounds it. The gradient is
// (σ(x) − y), or ((p·y + 1 − y)·σ(x) − p·y), times w, divided by the divisor; σ(x) = 1/(1 + e)
// for x ≥ 0 and e·(1/(1 + e)) for x < 0 (e = exp(−|x|), never overflowing). Sums accumulate in
// f32 over 128-element blocks, then in f64, as in pointwise.ts.
import { at, hsum64, vexpLoaded } from "./simd";
import { vlogUnit } from "./losses2";

/** Lanes [0, n) from p + i (n ≤ 4; the rest 0), or `absent` in every lane when p = 0. */
@inline function load4(p: usize, i: i32, n: i32, absent: v128): v128 {
  if (p == 0) return absent;
  if (n == 4) return v128.load(at(p, i));
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(at(p, i)));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(at(p, i + 1)));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(at(p, i + 2)));
  return v;
}

/** Stores lanes [0, n) of v to p + i. */
@inline function store4(p: usize, i: i32, n: i32, v: v128): void {
  if (n == 4) {
    v128.store(at(p, i), v);
    return;
  }
  store<f32>(at(p, i), f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(at(p, i + 1), f32x4.extract_lane(v, 1));
  if (n > 2) store<f32>(at(p, i + 2), f32x4.extract_lane(v, 2));
}

/**
 * The losses of elements [i, i + n) (n ≤ 4 lanes; lanes past n are garbage), given their
 * e = exp(−|x|); when g ≠ 0 also stores their gradients there.
 */
@inline function step(x: usize, y: usize, p: usize, w: usize, g: usize, DIV: v128, i: i32,
  n: i32, e: v128): v128 {
  const ONE = f32x4.splat(1), Z = f32x4.splat(0);
  const xv = load4(x, i, n, Z), yv = load4(y, i, n, Z);
  const u = f32x4.add(ONE, e);
  const lse = vlogUnit(u);
  const m = f32x4.max(f32x4.neg(xv), Z);
  const linear = f32x4.mul(f32x4.sub(ONE, yv), xv);
  const pv = load4(p, i, n, ONE), wv = load4(w, i, n, ONE);
  let l: v128;
  if (p != 0) {
    const logWeight = f32x4.add(f32x4.mul(f32x4.sub(pv, ONE), yv), ONE);
    l = f32x4.add(linear, f32x4.mul(logWeight, f32x4.add(lse, m)));
  } else {
    l = f32x4.add(f32x4.add(linear, m), lse);
  }
  if (w != 0) l = f32x4.mul(l, wv);
  if (g != 0) {
    const inv = f32x4.div(ONE, u);
    const s = v128.bitselect(f32x4.mul(e, inv), inv, f32x4.lt(xv, Z));
    let d: v128;
    if (p != 0) {
      const t = f32x4.mul(pv, yv);
      d = f32x4.sub(f32x4.mul(f32x4.sub(f32x4.add(t, ONE), yv), s), t);
    } else {
      d = f32x4.sub(s, yv);
    }
    if (w != 0) d = f32x4.mul(d, wv);
    store4(g, i, n, f32x4.div(d, DIV));
  }
  return l;
}

/**
 * Σ losses of BCEWithLogits over [i0, i1); p (pos_weight) and w (weight) hold one value per
 * element, or are 0 when absent. When g ≠ 0 it receives ∂/∂x for upstream 1.
 */
export function bce_logits_fwd(x: usize, y: usize, p: usize, w: usize, g: usize, divisor: f32,
  i0: i32, i1: i32): f64 {
  const DIV = f32x4.splat(divisor);
  let total: f64 = 0;
  let i = i0;
  while (i + 4 <= i1) {
    const end = min(i1, i + 128);
    let acc = f32x4.splat(0);
    if (g != 0) {
      // exp in a pass of its own over the block, parked in the gradient's block: each loop then
      // keeps fewer constants live than there are registers
      for (let j = i; j + 4 <= end; j += 4) {
        v128.store(at(g, j), vexpLoaded(f32x4.neg(f32x4.abs(v128.load(at(x, j))))));
      }
      for (; i + 4 <= end; i += 4) {
        acc = f32x4.add(acc, step(x, y, p, w, g, DIV, i, 4, v128.load(at(g, i))));
      }
    } else {
      for (; i + 4 <= end; i += 4) {
        const e = vexpLoaded(f32x4.neg(f32x4.abs(v128.load(at(x, i)))));
        acc = f32x4.add(acc, step(x, y, p, w, g, DIV, i, 4, e));
      }
    }
    total += hsum64(acc);
  }
  const n = i1 - i;
  if (n > 0) {
    const e = vexpLoaded(f32x4.neg(f32x4.abs(load4(x, i, n, f32x4.splat(0)))));
    const l = step(x, y, p, w, g, DIV, i, n, e);
    total += <f64>f32x4.extract_lane(l, 0);
    if (n > 1) total += <f64>f32x4.extract_lane(l, 1);
    if (n > 2) total += <f64>f32x4.extract_lane(l, 2);
  }
  return total;
}
