// Point-wise kernels over element ranges [i0, i1) (given last, so ranges can be split across
// threads). Reductions accumulate in f32 over 128-element blocks, then in f64. Each returns an
// f64: the partial sum, or 0.
import { at, at8, hsum64 } from "./simd";

/** sign(d) as ±1, or 0 for d = 0 and NaN (PyTorch's sgn). */
@inline function vsign(d: v128, SIGN: v128, ONE: v128, Z: v128): v128 {
  const nonzero = v128.or(f32x4.lt(d, Z), f32x4.gt(d, Z));
  return v128.and(v128.or(v128.and(d, SIGN), ONE), nonzero);
}

@inline function sign(d: f32): f32 {
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}

/** Σ (x − y)²; when g ≠ 0 also g = k·(x − y) (PyTorch's mse backward, upstream 1). */
export function mse_fwd(x: usize, y: usize, g: usize, k: f32, i0: i32, i1: i32): f64 {
  const K = f32x4.splat(k);
  let total: f64 = 0;
  let i = i0;
  while (i + 8 <= i1) {
    const end = min(i1, i + 128);
    let a0 = f32x4.splat(0), a1 = a0;
    for (; i + 8 <= end; i += 8) {
      const d0 = f32x4.sub(v128.load(at(x, i)), v128.load(at(y, i)));
      const d1 = f32x4.sub(v128.load(at(x, i), 16), v128.load(at(y, i), 16));
      a0 = f32x4.add(a0, f32x4.mul(d0, d0));
      a1 = f32x4.add(a1, f32x4.mul(d1, d1));
      if (g != 0) {
        v128.store(at(g, i), f32x4.mul(K, d0));
        v128.store(at(g, i), f32x4.mul(K, d1), 16);
      }
    }
    total += hsum64(f32x4.add(a0, a1));
  }
  for (; i < i1; i++) {
    const d = load<f32>(at(x, i)) - load<f32>(at(y, i));
    total += <f64>(d * d);
    if (g != 0) store<f32>(at(g, i), k * d);
  }
  return total;
}

/** out = (x − y)². */
export function mse_none(x: usize, y: usize, out: usize, i0: i32, i1: i32): f64 {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const d = f32x4.sub(v128.load(at(x, i)), v128.load(at(y, i)));
    v128.store(at(out, i), f32x4.mul(d, d));
  }
  for (; i < i1; i++) {
    const d = load<f32>(at(x, i)) - load<f32>(at(y, i));
    store<f32>(at(out, i), d * d);
  }
  return 0;
}

/** g = (k·(x − y))·up[i]: PyTorch's mse backward with one upstream value per element. */
export function mse_bwd(x: usize, y: usize, up: usize, g: usize, k: f32, i0: i32, i1: i32): f64 {
  const K = f32x4.splat(k);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const d = f32x4.sub(v128.load(at(x, i)), v128.load(at(y, i)));
    v128.store(at(g, i), f32x4.mul(f32x4.mul(K, d), v128.load(at(up, i))));
  }
  for (; i < i1; i++) {
    const d = load<f32>(at(x, i)) - load<f32>(at(y, i));
    store<f32>(at(g, i), (k * d) * load<f32>(at(up, i)));
  }
  return 0;
}

/** Σ |x − y|; when g ≠ 0 also g = k·sgn(x − y). */
export function l1_fwd(x: usize, y: usize, g: usize, k: f32, i0: i32, i1: i32): f64 {
  const K = f32x4.splat(k);
  const SIGN = i32x4.splat(0x80000000), ONE = f32x4.splat(1), Z = f32x4.splat(0);
  let total: f64 = 0;
  let i = i0;
  while (i + 8 <= i1) {
    const end = min(i1, i + 128);
    let a0 = f32x4.splat(0), a1 = a0;
    for (; i + 8 <= end; i += 8) {
      const d0 = f32x4.sub(v128.load(at(x, i)), v128.load(at(y, i)));
      const d1 = f32x4.sub(v128.load(at(x, i), 16), v128.load(at(y, i), 16));
      a0 = f32x4.add(a0, f32x4.abs(d0));
      a1 = f32x4.add(a1, f32x4.abs(d1));
      if (g != 0) {
        v128.store(at(g, i), f32x4.mul(K, vsign(d0, SIGN, ONE, Z)));
        v128.store(at(g, i), f32x4.mul(K, vsign(d1, SIGN, ONE, Z)), 16);
      }
    }
    total += hsum64(f32x4.add(a0, a1));
  }
  for (; i < i1; i++) {
    const d = load<f32>(at(x, i)) - load<f32>(at(y, i));
    total += <f64>abs(d);
    if (g != 0) store<f32>(at(g, i), k * sign(d));
  }
  return total;
}

/** out = |x − y|. */
export function l1_none(x: usize, y: usize, out: usize, i0: i32, i1: i32): f64 {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    v128.store(at(out, i), f32x4.abs(f32x4.sub(v128.load(at(x, i)), v128.load(at(y, i)))));
  }
  for (; i < i1; i++) store<f32>(at(out, i), abs(load<f32>(at(x, i)) - load<f32>(at(y, i))));
  return 0;
}

/** g = up[i]·sgn(x − y): AbsBackward0 with one upstream value per element. */
export function l1_bwd(x: usize, y: usize, up: usize, g: usize, i0: i32, i1: i32): f64 {
  const SIGN = i32x4.splat(0x80000000), ONE = f32x4.splat(1), Z = f32x4.splat(0);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const d = f32x4.sub(v128.load(at(x, i)), v128.load(at(y, i)));
    v128.store(at(g, i), f32x4.mul(v128.load(at(up, i)), vsign(d, SIGN, ONE, Z)));
  }
  for (; i < i1; i++) {
    store<f32>(at(g, i), load<f32>(at(up, i)) * sign(load<f32>(at(x, i)) - load<f32>(at(y, i))));
  }
  return 0;
}

/** out = a·k + bias (out may equal a); bias −0 keeps products exact, +0 makes −0 into +0. */
export function scale(a: usize, out: usize, k: f32, bias: f32, i0: i32, i1: i32): f64 {
  const K = f32x4.splat(k);
  const B = f32x4.splat(bias);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    v128.store(at(out, i), f32x4.add(f32x4.mul(v128.load(at(a, i)), K), B));
  }
  for (; i < i1; i++) store<f32>(at(out, i), load<f32>(at(a, i)) * k + bias);
  return 0;
}

/** out = −a (exact: −(+0) = −0, as PyTorch's neg). */
export function negate(a: usize, out: usize, i0: i32, i1: i32): f64 {
  const SIGN = i32x4.splat(0x80000000);
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(at(out, i), v128.xor(v128.load(at(a, i)), SIGN));
  for (; i < i1; i++) store<f32>(at(out, i), -load<f32>(at(a, i)));
  return 0;
}

/** Zeroes bytes [b0, b1) of p (bulk memory.fill). */
export function zero_bytes(p: usize, b0: i32, b1: i32): f64 {
  memory.fill(p + <usize>b0, 0, <usize>(b1 - b0));
  return 0;
}

// ---- float64 (f64x2): the JS loops' arithmetic exactly, sums accumulated in f64 ----------------

/** Σ (x − y)² over float64; when g ≠ 0 also g = k·(x − y). */
export function mse_fwd_f64(x: usize, y: usize, g: usize, k: f64, i0: i32, i1: i32): f64 {
  const K = f64x2.splat(k);
  let a0 = f64x2.splat(0), a1 = a0;
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const d0 = f64x2.sub(v128.load(at8(x, i)), v128.load(at8(y, i)));
    const d1 = f64x2.sub(v128.load(at8(x, i), 16), v128.load(at8(y, i), 16));
    a0 = f64x2.add(a0, f64x2.mul(d0, d0));
    a1 = f64x2.add(a1, f64x2.mul(d1, d1));
    if (g != 0) {
      v128.store(at8(g, i), f64x2.mul(K, d0));
      v128.store(at8(g, i), f64x2.mul(K, d1), 16);
    }
  }
  const a = f64x2.add(a0, a1);
  let total = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  for (; i < i1; i++) {
    const d = load<f64>(at8(x, i)) - load<f64>(at8(y, i));
    total += d * d;
    if (g != 0) store<f64>(at8(g, i), k * d);
  }
  return total;
}

/** sgn(d) as ±1, or 0 for d = 0 and NaN, for two float64. */
@inline function vsign64(d: v128, SIGN: v128, ONE: v128, Z: v128): v128 {
  const nonzero = v128.or(f64x2.lt(d, Z), f64x2.gt(d, Z));
  return v128.and(v128.or(v128.and(d, SIGN), ONE), nonzero);
}

/** Σ |x − y| over float64; when g ≠ 0 also g = k·sgn(x − y). */
export function l1_fwd_f64(x: usize, y: usize, g: usize, k: f64, i0: i32, i1: i32): f64 {
  const K = f64x2.splat(k);
  const SIGN = i64x2.splat(0x8000000000000000), ONE = f64x2.splat(1), Z = f64x2.splat(0);
  let a0 = f64x2.splat(0), a1 = a0;
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const d0 = f64x2.sub(v128.load(at8(x, i)), v128.load(at8(y, i)));
    const d1 = f64x2.sub(v128.load(at8(x, i), 16), v128.load(at8(y, i), 16));
    a0 = f64x2.add(a0, f64x2.abs(d0));
    a1 = f64x2.add(a1, f64x2.abs(d1));
    if (g != 0) {
      v128.store(at8(g, i), f64x2.mul(K, vsign64(d0, SIGN, ONE, Z)));
      v128.store(at8(g, i), f64x2.mul(K, vsign64(d1, SIGN, ONE, Z)), 16);
    }
  }
  const a = f64x2.add(a0, a1);
  let total = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  for (; i < i1; i++) {
    const d = load<f64>(at8(x, i)) - load<f64>(at8(y, i));
    total += abs(d);
    if (g != 0) store<f64>(at8(g, i), k * (d > 0 ? 1 : d < 0 ? -1 : 0));
  }
  return total;
}
