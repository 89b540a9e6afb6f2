// Fused cross-entropy over float64 rows (f64x2): the double-precision counterpart of rows.ts'
// ce_rows, with softmax64.ts' fdlibm exp (< 1 ulp, as the libm PyTorch's double kernels call).
import { vexp64 } from "./softmax64";
import { at8 } from "./simd";

@inline function rowAt(base: usize, r: i32, C: i32): usize {
  return base + ((<usize>r * <usize>C) << 3);
}

/** Max of C doubles; NaN propagates (wasm's f64 max does, as PyTorch's max). */
function rowMax64(x: usize, C: i32): f64 {
  let mv = f64x2.splat(-Infinity);
  let i = 0;
  for (; i + 2 <= C; i += 2) mv = f64x2.max(mv, v128.load(at8(x, i)));
  let m = max<f64>(f64x2.extract_lane(mv, 0), f64x2.extract_lane(mv, 1));
  for (; i < C; i++) m = max<f64>(m, load<f64>(at8(x, i)));
  return m;
}

/** Σ exp(x − m) over C doubles, storing each exp into g (g = 0: only the sum). */
function expSum64(x: usize, g: usize, C: i32, m: f64): f64 {
  const M = f64x2.splat(m);
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let i = 0;
  if (g != 0) {
    // Two independent vectors per step: the exp's dependency chain is long.
    for (; i + 4 <= C; i += 4) {
      const e0 = vexp64(f64x2.sub(v128.load(at8(x, i)), M));
      const e1 = vexp64(f64x2.sub(v128.load(at8(x, i + 2)), M));
      v128.store(at8(g, i), e0);
      v128.store(at8(g, i + 2), e1);
      a0 = f64x2.add(a0, e0);
      a1 = f64x2.add(a1, e1);
    }
  } else {
    for (; i + 4 <= C; i += 4) {
      a0 = f64x2.add(a0, vexp64(f64x2.sub(v128.load(at8(x, i)), M)));
      a1 = f64x2.add(a1, vexp64(f64x2.sub(v128.load(at8(x, i + 2)), M)));
    }
  }
  const acc = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < C; i++) {
    const e = f64x2.extract_lane(vexp64(f64x2.splat(load<f64>(at8(x, i)) - m)), 0);
    if (g != 0) store<f64>(at8(g, i), e);
    s += e;
  }
  return s;
}

/** g·k over C doubles, zeros as +0 (PyTorch's `g − p·Σg` never gives −0). */
function rowScale64(g: usize, C: i32, k: f64): void {
  const K = f64x2.splat(k);
  const Z = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= C; i += 2) v128.store(at8(g, i), f64x2.add(f64x2.mul(v128.load(at8(g, i)), K), Z));
  for (; i < C; i++) store<f64>(at8(g, i), load<f64>(at8(g, i)) * k + 0);
}

/**
 * Cross-entropy with class-index targets over float64 rows, forward and (when g ≠ 0) the
 * finished gradient. Per row r with target t = tgt[r] (i32; t < 0: ignored), class weight w[r]
 * and gradient coefficient coef[r] (f64):
 *   loss[r] = −w·((x[t] − max) − log Σ exp(x − max))      (0 when ignored)
 *   g[r, :] = coef[r]·softmax(x[r, :]) − coef[r]·onehot(t)
 * g may equal x (in place). Returns Σ loss[r] over the range.
 */
export function ce64_rows(x: usize, g: usize, tgt: usize, w: usize, coef: usize, loss: usize,
  C: i32, r0: i32, r1: i32): f64 {
  let total: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const xr = rowAt(x, r, C);
    const t = load<i32>(tgt + (<usize>r << 2));
    const xt = t >= 0 ? load<f64>(at8(xr, t)) : 0; // read before an in-place write
    const m = rowMax64(xr, C);
    let s: f64;
    if (g != 0) {
      const gr = rowAt(g, r, C);
      s = expSum64(xr, gr, C, m);
      const c = load<f64>(at8(coef, r));
      rowScale64(gr, C, c / s);
      if (t >= 0) store<f64>(at8(gr, t), load<f64>(at8(gr, t)) - c);
    } else {
      s = expSum64(xr, 0, C, m);
    }
    const l = t >= 0 ? -(load<f64>(at8(w, r)) * ((xt - m) - Math.log(s))) : 0;
    store<f64>(at8(loss, r), l);
    total += l;
  }
  return total;
}
