// Generic float32 arithmetic for the tensor ops (src/kernels/elementwise.ts): out = a op b over
// [i0, i1), with op 0 add, 1 sub, 2 mul, 3 div, 4 clamp_min (max), 5 clamp_max (min). IEEE f32
// arithmetic rounds exactly as the JS loops do (a double result of two floats, rounded once to
// float32); max/min propagate NaN from either side, as Math.max/min do. Each returns 0.
import { at } from "./simd";

@inline function vop(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  if (op == 4) return f32x4.max(x, y);
  if (op == 5) return f32x4.min(x, y);
  return f32x4.div(x, y);
}

@inline function sop(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  if (op == 4) return max<f32>(x, y);
  if (op == 5) return min<f32>(x, y);
  return x / y;
}

/** Tensor op tensor, same length. */
export function ew_vv(a: usize, b: usize, out: usize, op: i32, i0: i32, i1: i32): f64 {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    v128.store(at(out, i), vop(op, v128.load(at(a, i)), v128.load(at(b, i))));
  }
  for (; i < i1; i++) store<f32>(at(out, i), sop(op, load<f32>(at(a, i)), load<f32>(at(b, i))));
  return 0;
}

/** a op s (flip 0) or s op a (flip 1). */
export function ew_vs(a: usize, out: usize, s: f32, op: i32, flip: i32, i0: i32, i1: i32): f64 {
  const S = f32x4.splat(s);
  let i = i0;
  if (flip == 0) {
    for (; i + 4 <= i1; i += 4) v128.store(at(out, i), vop(op, v128.load(at(a, i)), S));
    for (; i < i1; i++) store<f32>(at(out, i), sop(op, load<f32>(at(a, i)), s));
  } else {
    for (; i + 4 <= i1; i += 4) v128.store(at(out, i), vop(op, S, v128.load(at(a, i))));
    for (; i < i1; i++) store<f32>(at(out, i), sop(op, s, load<f32>(at(a, i))));
  }
  return 0;
}

/** A lane mask from 4 bool bytes at c + i: all ones where the byte is non-zero. */
@inline function condMask(c: usize, i: i32): v128 {
  const bytes = v128.load32_zero(c + <usize>i);
  const wide = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(bytes));
  return i32x4.ne(wide, i32x4.splat(0));
}

/**
 * out = cond ? a : b, bits copied unchanged. `mode` bit 0: a is the scalar `sa` (pointer
 * unused); bit 1: b is the scalar `sb`. `c` points at one bool byte per element.
 */
export function ew_where(a: usize, b: usize, out: usize, c: usize, sa: f32, sb: f32, mode: i32,
  i0: i32, i1: i32): f64 {
  const SA = f32x4.splat(sa);
  const SB = f32x4.splat(sb);
  const scalarA = (mode & 1) != 0;
  const scalarB = (mode & 2) != 0;
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const x = scalarA ? SA : v128.load(at(a, i));
    const y = scalarB ? SB : v128.load(at(b, i));
    v128.store(at(out, i), v128.bitselect(x, y, condMask(c, i)));
  }
  for (; i < i1; i++) {
    const x = scalarA ? sa : load<f32>(at(a, i));
    const y = scalarB ? sb : load<f32>(at(b, i));
    store<f32>(at(out, i), load<u8>(c + <usize>i) != 0 ? x : y);
  }
  return 0;
}

@inline function vcmp(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.eq(x, y);
  if (op == 1) return f32x4.ne(x, y);
  if (op == 2) return f32x4.lt(x, y);
  if (op == 3) return f32x4.le(x, y);
  if (op == 4) return f32x4.gt(x, y);
  return f32x4.ge(x, y);
}

@inline function scmp(op: i32, x: f32, y: f32): bool {
  if (op == 0) return x == y;
  if (op == 1) return x != y;
  if (op == 2) return x < y;
  if (op == 3) return x <= y;
  if (op == 4) return x > y;
  return x >= y;
}

/**
 * Comparisons as bool bytes at `o`: o[i] = a[i] op b[i], or a[i] op sb when `scalarB` is 1.
 * Ops: 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge (IEEE: NaN compares unequal to everything).
 */
export function ew_cmp(a: usize, b: usize, o: usize, sb: f32, op: i32, scalarB: i32, i0: i32,
  i1: i32): f64 {
  const SB = f32x4.splat(sb);
  const ONE = i8x16.splat(1);
  let i = i0;
  for (; i + 16 <= i1; i += 16) {
    const m0 = vcmp(op, v128.load(at(a, i)), scalarB ? SB : v128.load(at(b, i)));
    const m1 = vcmp(op, v128.load(at(a, i), 16), scalarB ? SB : v128.load(at(b, i), 16));
    const m2 = vcmp(op, v128.load(at(a, i), 32), scalarB ? SB : v128.load(at(b, i), 32));
    const m3 = vcmp(op, v128.load(at(a, i), 48), scalarB ? SB : v128.load(at(b, i), 48));
    const lo = i16x8.narrow_i32x4_s(m0, m1);
    const hi = i16x8.narrow_i32x4_s(m2, m3);
    v128.store(o + <usize>i, v128.and(i8x16.narrow_i16x8_s(lo, hi), ONE));
  }
  for (; i < i1; i++) {
    const y = scalarB ? sb : load<f32>(at(b, i));
    store<u8>(o + <usize>i, scmp(op, load<f32>(at(a, i)), y) ? 1 : 0);
  }
  return 0;
}
