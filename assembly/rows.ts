// Row-wise kernels over contiguous rows of C floats: fused cross-entropy, (log-)softmax and
// their backwards. Each takes the row range [r0, r1) last, so rows can be split across threads,
// and returns an f64 (a partial sum, or 0).
import { expSum, rowMax, rowScale } from "./simd";

@inline function rowAt(base: usize, r: i32, C: i32): usize {
  return base + ((<usize>r * <usize>C) << 2);
}

/**
 * Cross-entropy with class-index targets, forward and (when g ≠ 0) the finished gradient, one
 * exp per element. Per row r with target t = tgt[r] (t < 0: ignored) and class weight w = w[r]:
 *   loss[r] = −w·((x[t] − max) − log Σ exp(x − max))      (0 when ignored)
 *   g[r, :] = coef[r]·softmax(x[r, :]) − coef[r]·onehot(t)
 * g may equal x (in place). Returns Σ loss[r] over the range.
 */
export function ce_rows(x: usize, g: usize, tgt: usize, w: usize, coef: usize, loss: usize,
  C: i32, r0: i32, r1: i32): f64 {
  let total: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const xr = rowAt(x, r, C);
    const t = load<i32>(tgt + (<usize>r << 2));
    const xt = t >= 0 ? load<f32>(xr + (<usize>t << 2)) : 0; // read before an in-place write
    const m = rowMax(xr, C);
    let s: f64;
    if (g != 0) {
      const gr = rowAt(g, r, C);
      s = expSum(xr, gr, C, m);
      const c = load<f32>(coef + (<usize>r << 2));
      rowScale(gr, C, <f32>(<f64>c / s), 0);
      if (t >= 0) {
        const p = gr + (<usize>t << 2);
        store<f32>(p, load<f32>(p) - c);
      }
    } else {
      s = expSum(xr, 0, C, m);
    }
    let l: f64 = 0;
    // x − max in float32, as PyTorch's log_softmax (3e38 − (−3e38) is inf)
    if (t >= 0) l = -(<f64>load<f32>(w + (<usize>r << 2)) * (<f64>(xt - m) - Math.log(s)));
    store<f64>(loss + (<usize>r << 3), l);
    total += l;
  }
  return total;
}

/** out = log_softmax(x) (log ≠ 0) or softmax(x) per row; out may equal x. */
export function softmax_rows(x: usize, out: usize, C: i32, log: i32, r0: i32, r1: i32): f64 {
  for (let r = r0; r < r1; r++) {
    const xr = rowAt(x, r, C);
    const or = rowAt(out, r, C);
    const m = rowMax(xr, C);
    if (log != 0) {
      const ls = <f32>Math.log(expSum(xr, 0, C, m));
      shiftRow(xr, or, C, m, ls);
    } else {
      const s = expSum(xr, or, C, m);
      rowScale(or, C, <f32>(1 / s), -0.0);
    }
  }
  return 0;
}

/** out = (x − m) − ls, PyTorch's log-softmax order of operations. */
function shiftRow(x: usize, out: usize, C: i32, m: f32, ls: f32): void {
  const M = f32x4.splat(m);
  const LS = f32x4.splat(ls);
  let i = 0;
  for (; i + 4 <= C; i += 4) {
    const off = <usize>i << 2;
    v128.store(out + off, f32x4.sub(f32x4.sub(v128.load(x + off), M), LS));
  }
  for (; i < C; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, (load<f32>(x + off) - m) - ls);
  }
}

/** Σ a[i]·b[i] (b = 0: Σ a[i]) over C floats, f32 blocks of 64 then f64. */
function rowDot(a: usize, b: usize, C: i32): f64 {
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= C) {
    const end = min(C, i + 64);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const off = <usize>i << 2;
      const v = v128.load(a + off);
      acc = f32x4.add(acc, b != 0 ? f32x4.mul(v, v128.load(b + off)) : v);
    }
    total += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
      <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  }
  for (; i < C; i++) {
    const off = <usize>i << 2;
    total += <f64>(b != 0 ? load<f32>(a + off) * load<f32>(b + off) : load<f32>(a + off));
  }
  return total;
}

/** log_softmax backward per row: out = gy − exp(y)·Σ gy (y holds log-probabilities ≤ 0). */
export function logsoftmax_bwd_rows(y: usize, gy: usize, out: usize, C: i32, r0: i32,
  r1: i32): f64 {
  for (let r = r0; r < r1; r++) {
    const yr = rowAt(y, r, C), gr = rowAt(gy, r, C), or = rowAt(out, r, C);
    const sum = <f32>rowDot(gr, 0, C);
    // out ← exp(y) (the exp pass of expSum with max 0), then out = gy − out·sum
    expSum(yr, or, C, 0);
    const S = f32x4.splat(sum);
    let i = 0;
    for (; i + 4 <= C; i += 4) {
      const off = <usize>i << 2;
      v128.store(or + off, f32x4.sub(v128.load(gr + off), f32x4.mul(v128.load(or + off), S)));
    }
    for (; i < C; i++) {
      const off = <usize>i << 2;
      store<f32>(or + off, load<f32>(gr + off) - load<f32>(or + off) * sum);
    }
  }
  return 0;
}

/** softmax backward per row: out = y·(gy − Σ gy·y). */
export function softmax_bwd_rows(y: usize, gy: usize, out: usize, C: i32, r0: i32,
  r1: i32): f64 {
  for (let r = r0; r < r1; r++) {
    const yr = rowAt(y, r, C), gr = rowAt(gy, r, C), or = rowAt(out, r, C);
    const dot = <f32>rowDot(gr, yr, C);
    const D = f32x4.splat(dot);
    let i = 0;
    for (; i + 4 <= C; i += 4) {
      const off = <usize>i << 2;
      const v = f32x4.sub(v128.load(gr + off), D);
      v128.store(or + off, f32x4.mul(v128.load(yr + off), v));
    }
    for (; i < C; i++) {
      const off = <usize>i << 2;
      store<f32>(or + off, load<f32>(yr + off) * (load<f32>(gr + off) - dot));
    }
  }
  return 0;
}

/**
 * Row r of a gradient g (C floats) = g·up[r] + bias: bias +0 makes zeros +0 (cross-entropy),
 * −0 keeps every product as it is (CTC), see rowScale.
 */
export function scale_rows(g: usize, up: usize, C: i32, bias: f32, r0: i32, r1: i32): f64 {
  for (let r = r0; r < r1; r++) {
    rowScale(rowAt(g, r, C), C, load<f32>(up + (<usize>r << 2)), bias);
  }
  return 0;
}
