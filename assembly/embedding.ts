// CosineEmbeddingLoss and TripletMarginLoss (p = 2) over float32 rows: per row its sums in one
// pass, then (when g ≠ 0) the first operand's gradient while the row is in cache. The same f32
// operations as src/kernels/embedding.ts' JS loops; row sums of f32 values accumulate in f64
// (two lanes, so they may differ from the JS loops' in-order double sums before the rounding).
import { at } from "./simd";

/** Σ of a f64x2's lanes. */
@inline function lanes(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** acc + v² over the low lanes of v (f32 squares are exact in f64). */
@inline function addSquaresLow(acc: v128, v: v128): v128 {
  const w = f64x2.promote_low_f32x4(v);
  return f64x2.add(acc, f64x2.mul(w, w));
}

/** acc + v² over the high lanes of v. */
@inline function addSquaresHigh(acc: v128, v: v128): v128 {
  return addSquaresLow(acc, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

@inline function addLow(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(v));
}

@inline function addHigh(acc: v128, v: v128): v128 {
  return addLow(acc, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

/** ‖x − y + eps‖₂ of the row at x, y: √ of the f32-rounded Σ, rounded to f32. */
function distance(x: usize, y: usize, C: i32, eps: f32): f32 {
  const E = f32x4.splat(eps);
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= C; i += 4) {
    const v = f32x4.add(f32x4.sub(v128.load(at(x, i)), v128.load(at(y, i))), E);
    a0 = addSquaresLow(a0, v);
    a1 = addSquaresHigh(a1, v);
  }
  let acc = lanes(f64x2.add(a0, a1));
  for (; i < C; i++) {
    const v = <f64>(load<f32>(at(x, i)) - load<f32>(at(y, i)) + eps);
    acc += v * v;
  }
  return <f32>sqrt<f64>(<f64><f32>acc);
}

/** g·(v / d) over 4 lanes, 0·g where d is 0 (NormBackward1). */
@inline function normGrad(G: v128, v: v128, d: f32): v128 {
  return f32x4.mul(G, d == 0 ? f32x4.splat(0) : f32x4.div(v, f32x4.splat(d)));
}

@inline function normGrad1(g: f32, v: f32, d: f32): f32 {
  return g * (d == 0 ? <f32>0 : v / d);
}

/**
 * Σ over rows [r0, r1) of max(0, (d⁺ + margin) − d⁻) (flags bit 1: (d⁺ − d⁻) + margin), with
 * d⁻ = min(d(a, n), d(p, n)) under swap (flags bit 0); when g ≠ 0 also the anchor's gradient
 * for the scale s (the two distances' NormBackward1 terms added).
 */
export function triplet_rows(a: usize, p: usize, n: usize, g: usize, C: i32, eps: f32,
  margin: f32, s: f32, flags: i32, r0: i32, r1: i32): f64 {
  const swap = (flags & 1) != 0;
  const subtractFirst = (flags & 2) != 0;
  const E = f32x4.splat(eps);
  let total: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const off = (<usize>r * <usize>C) << 2;
    const ar = a + off, pr = p + off, nr = n + off;
    const dAP = distance(ar, pr, C, eps);
    const dAN = distance(ar, nr, C, eps);
    const dPN: f32 = swap ? distance(pr, nr, C, eps) : 0;
    const dNeg: f32 = swap ? min<f32>(dAN, dPN) : dAN;
    const raw: f32 = subtractFirst ? (dAP - dNeg) + margin : (dAP + margin) - dNeg;
    total += raw != raw ? <f64>raw : <f64>max<f32>(raw, 0);
    if (g == 0) continue;
    const gAP: f32 = raw >= 0 ? s : 0;
    let gAN: f32 = -gAP;
    if (swap) gAN = dAN > dPN ? 0 : dAN == dPN ? -gAP / 2 : -gAP;
    const GP = f32x4.splat(gAP), GN = f32x4.splat(gAN);
    const gr = g + off;
    let i = 0;
    for (; i + 4 <= C; i += 4) {
      const av = v128.load(at(ar, i));
      const vp = f32x4.add(f32x4.sub(av, v128.load(at(pr, i))), E);
      const vn = f32x4.add(f32x4.sub(av, v128.load(at(nr, i))), E);
      v128.store(at(gr, i), f32x4.add(normGrad(GP, vp, dAP), normGrad(GN, vn, dAN)));
    }
    for (; i < C; i++) {
      const av = load<f32>(at(ar, i));
      const vp: f32 = av - load<f32>(at(pr, i)) + eps;
      const vn: f32 = av - load<f32>(at(nr, i)) + eps;
      store<f32>(at(gr, i), normGrad1(gAP, vp, dAP) + normGrad1(gAN, vn, dAN));
    }
  }
  return total;
}

/**
 * Σ over rows [r0, r1) of the cosine embedding loss (labels lab[r]: 1, −1 or 0 for neither);
 * when g ≠ 0 also x1's gradient for the scale s: gProd·x2 + (gMag·x1 + gMag·x1).
 */
export function cosine_rows(x1: usize, x2: usize, g: usize, lab: usize, C: i32, margin: f32,
  eps: f32, s: f32, r0: i32, r1: i32): f64 {
  let total: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const off = (<usize>r * <usize>C) << 2;
    const ur = x1 + off, vr = x2 + off;
    let p0 = f64x2.splat(0), p1 = f64x2.splat(0);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let t0 = f64x2.splat(0), t1 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= C; i += 4) {
      const u = v128.load(at(ur, i)), v = v128.load(at(vr, i));
      const uv = f32x4.mul(u, v), uu = f32x4.mul(u, u), vv = f32x4.mul(v, v);
      p0 = addLow(p0, uv);
      p1 = addHigh(p1, uv);
      s0 = addLow(s0, uu);
      s1 = addHigh(s1, uu);
      t0 = addLow(t0, vv);
      t1 = addHigh(t1, vv);
    }
    let prod = lanes(f64x2.add(p0, p1));
    let sq1 = lanes(f64x2.add(s0, s1));
    let sq2 = lanes(f64x2.add(t0, t1));
    for (; i < C; i++) {
      const u = load<f32>(at(ur, i)), v = load<f32>(at(vr, i));
      prod += <f64>(u * v);
      sq1 += <f64>(u * u);
      sq2 += <f64>(v * v);
    }
    const prodSum = <f32>prod;
    const mag1: f32 = <f32>sq1 + eps;
    const mag2: f32 = <f32>sq2 + eps;
    const denom = sqrt<f32>(mag1 * mag2);
    const cos: f32 = prodSum / denom;
    const label = load<f32>(at(lab, r));
    const shifted: f32 = cos - margin;
    const clamped: f32 = shifted != shifted ? shifted : max<f32>(shifted, 0);
    total += label == 1 ? <f64>(<f32>1 - cos) : label == -1 ? <f64>clamped : 0;
    if (g == 0) continue;
    const gCos: f32 = label == 1 ? -s : label == -1 && shifted >= 0 ? s : 0;
    const gProd: f32 = gCos / denom;
    const gDenom: f32 = -gCos * (cos / denom);
    const gProduct: f32 = gDenom / (denom * 2);
    const gMag: f32 = gProduct * mag2;
    const GP = f32x4.splat(gProd), GM = f32x4.splat(gMag);
    const gr = g + off;
    i = 0;
    for (; i + 4 <= C; i += 4) {
      const self = f32x4.mul(GM, v128.load(at(ur, i)));
      v128.store(at(gr, i), f32x4.add(f32x4.mul(GP, v128.load(at(vr, i))),
        f32x4.add(self, self)));
    }
    for (; i < C; i++) {
      const self: f32 = gMag * load<f32>(at(ur, i));
      store<f32>(at(gr, i), gProd * load<f32>(at(vr, i)) + (self + self));
    }
  }
  return total;
}
