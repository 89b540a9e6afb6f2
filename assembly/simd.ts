// Shared SIMD helpers: exp for x ≤ 0, horizontal reductions, blocked f64 accumulation.
//
// exp follows XNNPACK's "rr2-p5" recipe (f32-raddstoreexpminusmax): round x·log2(e) with a
// magic bias whose low mantissa bits then hold n + 127, so `bits << 23` is 2^n without any
// float→int conversion; two-step Cody-Waite reduction t = x − n·ln2; a degree-5 polynomial on
// [−ln2/2, ln2/2]; results below the normal range (x < −87.336) are flushed to +0 with a mask,
// which also maps −inf to 0, while NaN compares false and passes through.
//
// The constants live in linear memory as 4-lane splats and are loaded into locals once per call:
// V8 re-materialises every `v128.const` inside a loop (3 instructions each), which costs more
// than the polynomial itself.

// Bit patterns (exact f32 values) of the constants, each splatted to 4 lanes.
const EXP_CONSTANTS: usize = memory.data<u32>([
  0x3FB8AA3B, 0x3FB8AA3B, 0x3FB8AA3B, 0x3FB8AA3B, // 0   log2(e)
  0x4B40007F, 0x4B40007F, 0x4B40007F, 0x4B40007F, // 16  magic bias 1.5·2^23 + 127
  0xBF317200, 0xBF317200, 0xBF317200, 0xBF317200, // 32  −ln2 (high part)
  0xB5BFBE8E, 0xB5BFBE8E, 0xB5BFBE8E, 0xB5BFBE8E, // 48  −ln2 (low part)
  0x3C07CFCE, 0x3C07CFCE, 0x3C07CFCE, 0x3C07CFCE, // 64  c5
  0x3D2B9D0D, 0x3D2B9D0D, 0x3D2B9D0D, 0x3D2B9D0D, // 80  c4
  0x3E2AAD40, 0x3E2AAD40, 0x3E2AAD40, 0x3E2AAD40, // 96  c3
  0x3EFFFEE3, 0x3EFFFEE3, 0x3EFFFEE3, 0x3EFFFEE3, // 112 c2
  0x3F7FFFFB, 0x3F7FFFFB, 0x3F7FFFFB, 0x3F7FFFFB, // 128 c1
  0xC2AEAC4F, 0xC2AEAC4F, 0xC2AEAC4F, 0xC2AEAC4F, // 144 denormal cutoff −87.336
], 16);

/** Address of the constant block (read with `v128.load(expConstants(), offset)`). */
@inline export function expConstants(): usize {
  return EXP_CONSTANTS;
}

/** exp(x) for x ≤ 0 (max relative error ≈ 1.5e-7; 0 below −87.336); NaN stays NaN. */
@inline export function vexp(
  x: v128, l2e: v128, mag: v128, lnHi: v128, lnLo: v128,
  c5: v128, c4: v128, c3: v128, c2: v128, c1: v128, cut: v128,
): v128 {
  let n = f32x4.add(f32x4.mul(x, l2e), mag);
  const s = i32x4.shl(n, 23);                    // 2^n: the biased exponent sits in n's low bits
  n = f32x4.sub(n, mag);                          // n = round(x·log2 e) as a float
  let t = f32x4.add(f32x4.mul(n, lnHi), x);       // t = x − n·ln2, in two steps
  t = f32x4.add(f32x4.mul(n, lnLo), t);
  let p = f32x4.add(f32x4.mul(c5, t), c4);
  p = f32x4.add(f32x4.mul(p, t), c3);
  p = f32x4.add(f32x4.mul(p, t), c2);
  p = f32x4.add(f32x4.mul(p, t), c1);
  t = f32x4.mul(t, s);
  const f = f32x4.add(f32x4.mul(t, p), s);        // s·(1 + t·p)
  return v128.andnot(f, f32x4.lt(x, cut));
}

/**
 * vexp with its constants read from memory at each use: one load instruction each, where
 * values held in locals across a long loop body are spilled to the stack and reloaded.
 */
@inline export function vexpLoaded(x: v128): v128 {
  const k = EXP_CONSTANTS;
  return vexp(x, v128.load(k, 0), v128.load(k, 16), v128.load(k, 32), v128.load(k, 48),
    v128.load(k, 64), v128.load(k, 80), v128.load(k, 96), v128.load(k, 112), v128.load(k, 128),
    v128.load(k, 144));
}

/** The address of float32 element i of the array at p. */
@inline export function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** The address of float64 element i of the array at p. */
@inline export function at8(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

/** Float32 element i of the array at p in every lane (a vector loop's tail elements). */
@inline export function lane(p: usize, i: i32): v128 {
  return f32x4.splat(load<f32>(at(p, i)));
}

/** Sum of the 4 lanes, in f64. */
@inline export function hsum64(v: v128): f64 {
  const lo = f64x2.promote_low_f32x4(v);
  const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  const s = f64x2.add(lo, hi);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

@inline export function hmax(v: v128): f32 {
  const a = max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1));
  const b = max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3));
  return max(a, b);
}

/** Max of C floats at p (NaNs are skipped: a NaN row then gives NaN through exp anyway). */
export function rowMax(p: usize, C: i32): f32 {
  let m0 = f32x4.splat(-Infinity);
  let m1 = m0, m2 = m0, m3 = m0;
  let i = 0;
  for (; i + 16 <= C; i += 16) {
    const q = p + (<usize>i << 2);
    m0 = f32x4.pmax(m0, v128.load(q, 0));
    m1 = f32x4.pmax(m1, v128.load(q, 16));
    m2 = f32x4.pmax(m2, v128.load(q, 32));
    m3 = f32x4.pmax(m3, v128.load(q, 48));
  }
  for (; i + 4 <= C; i += 4) m0 = f32x4.pmax(m0, v128.load(p + (<usize>i << 2)));
  let m = hmax(f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3)));
  for (; i < C; i++) {
    const v = load<f32>(p + (<usize>i << 2));
    if (v > m) m = v;
  }
  return m;
}

/**
 * p[i] = p[i]·k + bias for C floats. bias = −0 leaves every product as it is; bias = +0 turns
 * −0 into +0 (PyTorch's softmax gradients are `g − p·Σg`, whose zeros are +0).
 */
export function rowScale(p: usize, C: i32, k: f32, bias: f32): void {
  const K = f32x4.splat(k);
  const B = f32x4.splat(bias);
  let i = 0;
  for (; i + 8 <= C; i += 8) {
    const q = p + (<usize>i << 2);
    v128.store(q, f32x4.add(f32x4.mul(v128.load(q, 0), K), B), 0);
    v128.store(q, f32x4.add(f32x4.mul(v128.load(q, 16), K), B), 16);
  }
  for (; i < C; i++) {
    const q = p + (<usize>i << 2);
    store<f32>(q, load<f32>(q) * k + bias);
  }
}

/**
 * Σ exp(x[i] − m) over C floats, also stored to e when e ≠ 0 (e may equal x). Sums run in f32
 * over 64-element blocks, then in f64, so long rows keep f32-rounding accuracy.
 */
export function expSum(x: usize, e: usize, C: i32, m: f32): f64 {
  const k = expConstants();
  const l2e = v128.load(k, 0), mag = v128.load(k, 16);
  const lnHi = v128.load(k, 32), lnLo = v128.load(k, 48);
  const c5 = v128.load(k, 64), c4 = v128.load(k, 80), c3 = v128.load(k, 96);
  const c2 = v128.load(k, 112), c1 = v128.load(k, 128), cut = v128.load(k, 144);
  const M = f32x4.splat(m);
  let total = f64x2.splat(0);
  let i = 0;
  while (i + 4 <= C) {
    const end = min(C, i + 64);
    let acc = f32x4.splat(0);
    if (e != 0) {
      for (; i + 4 <= end; i += 4) {
        const off = <usize>i << 2;
        const v = vexp(f32x4.sub(v128.load(x + off), M), l2e, mag, lnHi, lnLo, c5, c4, c3, c2,
          c1, cut);
        v128.store(e + off, v);
        acc = f32x4.add(acc, v);
      }
    } else {
      for (; i + 4 <= end; i += 4) {
        const v = vexp(f32x4.sub(v128.load(x + (<usize>i << 2)), M), l2e, mag, lnHi, lnLo, c5,
          c4, c3, c2, c1, cut);
        acc = f32x4.add(acc, v);
      }
    }
    total = f64x2.add(total, f64x2.promote_low_f32x4(acc));
    total = f64x2.add(total, f64x2.promote_low_f32x4(v128.shuffle<f32>(acc, acc, 2, 3, 0, 1)));
  }
  let sum = f64x2.extract_lane(total, 0) + f64x2.extract_lane(total, 1);
  for (; i < C; i++) {
    const off = <usize>i << 2;
    const v = f32x4.extract_lane(vexp(f32x4.splat(load<f32>(x + off) - m), l2e, mag, lnHi, lnLo,
      c5, c4, c3, c2, c1, cut), 0);
    if (e != 0) store<f32>(e + off, v);
    sum += <f64>v;
  }
  return sum;
}
