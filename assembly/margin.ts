// MultiMarginLoss and MultiLabelMarginLoss over rows of C floats: the per-row loss and the
// input's gradient for upstream 1 in one pass, float32 arithmetic in the order of PyTorch's CPU
// kernels (LossMultiMargin.cpp, LossMultiLabelMargin.cpp; the JS loops in
// src/kernels/margin-losses.ts). Row range [r0, r1) last; each returns Σ of its rows' losses.
import { at } from "./simd";

/** f32 lanes 0..3 added one after another to s, as a sequential scalar loop adds them. */
@inline function addLanes(s: f32, v: v128): f32 {
  s += f32x4.extract_lane(v, 0);
  s += f32x4.extract_lane(v, 1);
  s += f32x4.extract_lane(v, 2);
  s += f32x4.extract_lane(v, 3);
  return s;
}

/** s minus lanes 0..3, one after another. */
@inline function subLanes(s: f32, v: v128): f32 {
  s -= f32x4.extract_lane(v, 0);
  s -= f32x4.extract_lane(v, 1);
  s -= f32x4.extract_lane(v, 2);
  s -= f32x4.extract_lane(v, 3);
  return s;
}

/**
 * MultiMargin, per row r with y = tgt[r]: z_i = (margin − x[y]) + x[i] for i ≠ y; active terms
 * z > 0 (NaN fails) add h = zᵖ·w[y] to the row sum (float32, in order, as PyTorch's scalar_t
 * sum) and write g·(p = 1 ? 1 : 2z)·w[y] to grad[i] (0 for the others); grad[y] = −Σ of those,
 * in order. loss[r] = sum / C (f32, loss may be 0). `w` = 0: no weight; `g` = 0: no gradient.
 */
export function multimargin_rows(x: usize, g: usize, tgt: usize, w: usize, loss: usize, C: i32,
  p: i32, margin: f32, gs: f32, r0: i32, r1: i32): f64 {
  let total: f64 = 0;
  const step = i32x4(0, 1, 2, 3);
  const zero = f32x4.splat(0);
  for (let r = r0; r < r1; r++) {
    const xr = x + ((<usize>r * <usize>C) << 2);
    const gr = g + ((<usize>r * <usize>C) << 2);
    const y = load<i32>(tgt + (<usize>r << 2));
    const wy: f32 = w != 0 ? load<f32>(at(w, y)) : 1;
    const mmt: f32 = margin - load<f32>(at(xr, y));
    const M = f32x4.splat(mmt), Y = i32x4.splat(y), WY = f32x4.splat(wy);
    const G = f32x4.splat(p == 1 ? gs : 2 * gs);
    let sum: f32 = 0;
    let gt: f32 = 0;
    let i = 0;
    for (; i + 4 <= C; i += 4) {
      const z = f32x4.add(M, v128.load(at(xr, i)));
      const on = v128.and(f32x4.gt(z, zero), i32x4.ne(i32x4.add(i32x4.splat(i), step), Y));
      let h = p == 1 ? z : f32x4.mul(z, z);
      if (w != 0) h = f32x4.mul(h, WY);
      sum = addLanes(sum, v128.and(h, on));
      if (g != 0) {
        let d = p == 1 ? G : f32x4.mul(G, z);
        if (w != 0) d = f32x4.mul(d, WY);
        d = v128.and(d, on);
        gt = subLanes(gt, d);
        v128.store(at(gr, i), d);
      }
    }
    for (; i < C; i++) {
      const z: f32 = mmt + load<f32>(at(xr, i));
      let d: f32 = 0;
      if (i != y && z > 0) {
        let h: f32 = p == 1 ? z : z * z;
        if (w != 0) h *= wy;
        sum += h;
        d = p == 1 ? gs : (2 * gs) * z;
        if (w != 0) d *= wy;
        gt -= d;
      }
      if (g != 0) store<f32>(at(gr, i), d);
    }
    if (g != 0) store<f32>(at(gr, y), gt);
    const l: f32 = sum / <f32>C;
    if (loss != 0) store<f32>(at(loss, r), l);
    total += <f64>l;
  }
  return total;
}

/** Target classes are marked in the count row by this offset (their counts stay negative). */
const MARK: i32 = i32.MIN_VALUE;

/**
 * MultiLabelMargin, per row r: the listed classes J (tgt[r, k] up to the first −1) against the
 * others: Σ_{j ∈ J} Σ_{i ∉ J, z > 0} z, z = (1 − x[j]) + x[i] in f32, summed in f64 and rounded
 * to f32 into loss[r] (not divided by C). The gradient for upstream 1 is ±(g added k times in
 * f32) for a class in k active terms: `seq[k]` holds those sums for k ≤ C. `g` is required: its
 * row first holds the i32 term counts (targets offset by MARK), then the gradient.
 */
export function mlm_rows(x: usize, g: usize, tgt: usize, loss: usize, seq: usize, C: i32,
  gs: f32, r0: i32, r1: i32): f64 {
  let total: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const off = (<usize>r * <usize>C) << 2;
    const sum = mlmCount(x + off, g + off, tgt + off, C);
    mlmGrad(g + off, seq, C, gs);
    const l = <f32>sum;
    if (loss != 0) store<f32>(at(loss, r), l);
    total += <f64>l;
  }
  return total;
}

/** Fills the count row `cnt`, returns the row's Σ z in f64. */
function mlmCount(xr: usize, cnt: usize, tr: usize, C: i32): f64 {
  memory.fill(cnt, 0, <usize>C << 2);
  let listed = 0;
  for (; listed < C; listed++) {
    const j = load<i32>(at(tr, listed));
    if (j < 0) break;
    store<i32>(at(cnt, j), MARK);
  }
  const zero = f32x4.splat(0);
  let acc = f64x2.splat(0);
  let tail: f64 = 0;
  for (let k = 0; k < listed; k++) {
    const j = load<i32>(at(tr, k));
    const omx: f32 = 1 - load<f32>(at(xr, j));
    const O = f32x4.splat(omx);
    let hits = i32x4.splat(0);
    let i = 0;
    for (; i + 4 <= C; i += 4) {
      const c = v128.load(at(cnt, i));
      const z = f32x4.add(O, v128.load(at(xr, i)));
      const on = v128.and(f32x4.gt(z, zero), i32x4.ge_s(c, i32x4.splat(0)));
      const zz = v128.and(z, on);
      acc = f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(zz),
        f64x2.promote_low_f32x4(v128.shuffle<f32>(zz, zz, 2, 3, 0, 1))));
      v128.store(at(cnt, i), i32x4.sub(c, on));
      hits = i32x4.sub(hits, on);
    }
    let n = i32x4.extract_lane(hits, 0) + i32x4.extract_lane(hits, 1) +
      i32x4.extract_lane(hits, 2) + i32x4.extract_lane(hits, 3);
    for (; i < C; i++) {
      const c = load<i32>(at(cnt, i));
      const z: f32 = omx + load<f32>(at(xr, i));
      if (c >= 0 && z > 0) {
        tail += <f64>z;
        store<i32>(at(cnt, i), c + 1);
        n++;
      }
    }
    const cj = at(cnt, j);
    store<i32>(cj, load<i32>(cj) + n);
  }
  return (f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1)) + tail;
}

/**
 * Replaces each count k by seq[k] (targets: −seq[k]), in place. Four non-targets with k ≤ 3 at
 * once: there seq[k] = k·g exactly as f32 (2g is exact, so 2g + g rounds as 3·g does).
 */
function mlmGrad(gr: usize, seq: usize, C: i32, gs: f32): void {
  const G = f32x4.splat(gs);
  const three = i32x4.splat(3);
  let i = 0;
  for (; i + 4 <= C; i += 4) {
    const c = v128.load(at(gr, i));
    if (i32x4.all_true(i32x4.le_u(c, three))) {
      v128.store(at(gr, i), f32x4.mul(f32x4.convert_i32x4_s(c), G));
    } else {
      mlmGradTail(gr, seq, i, i + 4, C, gs);
    }
  }
  mlmGradTail(gr, seq, i, C, C, gs);
}

function mlmGradTail(gr: usize, seq: usize, i0: i32, i1: i32, C: i32, gs: f32): void {
  for (let i = i0; i < i1; i++) {
    const c = load<i32>(at(gr, i));
    let v: f32;
    if (c >= 0) {
      v = load<f32>(at(seq, c));
    } else if (c == MARK) {
      v = 0;                          // PyTorch never touches it: +0, not −0
    } else {
      v = -seqSum(seq, c - MARK, C, gs);
    }
    store<f32>(at(gr, i), v);
  }
}

/** g added k times in f32: from the table, continued in order past its end (k > C). */
function seqSum(seq: usize, k: i32, C: i32, gs: f32): f32 {
  if (k <= C) return load<f32>(at(seq, k));
  let v = load<f32>(at(seq, C));
  for (let n = C; n < k; n++) v += gs;
  return v;
}

/**
 * int64 class lists (little-endian word pairs at src) narrowed to i32 at dst, entries [i0, i1);
 * returns how many lie outside [−1, C) (high word not the low word's sign, or out of range).
 */
export function labels_i64(src: usize, dst: usize, C: i32, i0: i32, i1: i32): f64 {
  const lo1 = i32x4.splat(-1), hiC = i32x4.splat(C);
  let bad = i32x4.splat(0);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const a = v128.load(src + (<usize>i << 3));
    const b = v128.load(src + (<usize>i << 3), 16);
    const lo = v128.shuffle<i32>(a, b, 0, 2, 4, 6);
    const hi = v128.shuffle<i32>(a, b, 1, 3, 5, 7);
    const ok = v128.and(v128.and(i32x4.eq(hi, i32x4.shr_s(lo, 31)), i32x4.ge_s(lo, lo1)),
      i32x4.lt_s(lo, hiC));
    bad = i32x4.sub(bad, v128.not(ok));
    v128.store(dst + (<usize>i << 2), lo);
  }
  let n = i32x4.extract_lane(bad, 0) + i32x4.extract_lane(bad, 1) +
    i32x4.extract_lane(bad, 2) + i32x4.extract_lane(bad, 3);
  for (; i < i1; i++) {
    const lo = load<i32>(src + (<usize>i << 3));
    const hi = load<i32>(src + (<usize>i << 3), 4);
    if (hi != (lo >> 31) || lo < -1 || lo >= C) n++;
    store<i32>(dst + (<usize>i << 2), lo);
  }
  return <f64>n;
}
