// klDiv(log_softmax(x), softmax(t)) fused per row, forward and the input's gradient, float32
// (f32x4) and float64 (f64x2), without materialising log_softmax(x) or softmax(t).
//
// Two exps per element: one pass stores e = exp(x − max x) in g and f = exp(t − max t) in a
// scratch row; the next forms p = f/Σf, the loss term p·(log p − log q) with both logs taken
// as shifted logits ((t − max t) − log Σf, no log per element), and gy = negS·p (what
// kl_div's backward hands log_softmax's); the last writes the log-softmax backward
// gy − q·Σgy with q = e/Σe. The unfused chain's values agree to rounding: it computes q as
// exp(log_softmax(x)) and log p as log(p).
import { expSum, hsum64, rowMax } from "./simd";
import { expSum64, rowMax64 } from "./softmax64";

/** Scratch rows per job: one per thread, claimed in turn (see scratchRow). */
const SLOTS: u32 = 16;

/** Σ gy over the row the last klRow / klRow64 call wrote. */
let rowGradSum: f64 = 0;

@inline function rowAt(base: usize, r: i32, C: i32, shift: i32): usize {
  return base + ((<usize>r * <usize>C) << shift);
}

@inline function at(p: usize, i: i32, shift: i32): usize {
  return p + (<usize>i << shift);
}

/**
 * This call's scratch row of C elements in the block at sc (a u32 counter, 12 bytes of
 * padding, then SLOTS rows). Each thread of a job calls once and the calls of one job claim
 * consecutive counter values, so the slots (counter mod SLOTS) of one job differ.
 */
@inline function scratchRow(sc: usize, C: i32, shift: i32): usize {
  let slot: u32 = 0;
  if (ASC_FEATURE_THREADS) slot = atomic.add<u32>(sc, 1) % SLOTS;
  return sc + 16 + ((<usize>slot * <usize>C) << shift);
}

// ---- float32 -----------------------------------------------------------------------------------

/** p·ly − p·lq, with the first product 0 where p = 0 (xlogy(0, 0) = 0). */
@inline function klTerm(p: v128, ly: v128, lq: v128): v128 {
  const own = v128.andnot(f32x4.mul(p, ly), f32x4.eq(p, f32x4.splat(0)));
  return f32x4.sub(own, f32x4.mul(p, lq));
}

/**
 * f (exp(t − mt)) becomes gy = negS·p, p = f·it; returns Σ klTerm over the row and leaves
 * Σ gy (f32 over 64-element blocks, then f64) in rowGradSum.
 */
function klRow(x: usize, t: usize, f: usize, C: i32, mx: f32, lx: f32, mt: f32, lt: f32,
  it: f32, negS: f32): f64 {
  const MX = f32x4.splat(mx), LX = f32x4.splat(lx), MT = f32x4.splat(mt), LT = f32x4.splat(lt);
  const IT = f32x4.splat(it), NS = f32x4.splat(negS);
  let loss: f64 = 0, sum: f64 = 0;
  let i = 0;
  while (i + 4 <= C) {
    const end = min(C, i + 64);
    let lossAcc = f32x4.splat(0), sumAcc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const p = f32x4.mul(v128.load(at(f, i, 2)), IT);
      const lq = f32x4.sub(f32x4.sub(v128.load(at(x, i, 2)), MX), LX);
      const ly = f32x4.sub(f32x4.sub(v128.load(at(t, i, 2)), MT), LT);
      lossAcc = f32x4.add(lossAcc, klTerm(p, ly, lq));
      const gy = f32x4.mul(NS, p);
      v128.store(at(f, i, 2), gy);
      sumAcc = f32x4.add(sumAcc, gy);
    }
    loss += hsum64(lossAcc);
    sum += hsum64(sumAcc);
  }
  for (; i < C; i++) {
    const p = load<f32>(at(f, i, 2)) * it;
    const lq = (load<f32>(at(x, i, 2)) - mx) - lx;
    const ly = (load<f32>(at(t, i, 2)) - mt) - lt;
    loss += <f64>f32x4.extract_lane(klTerm(f32x4.splat(p), f32x4.splat(ly), f32x4.splat(lq)), 0);
    const gy = negS * p;
    store<f32>(at(f, i, 2), gy);
    sum += <f64>gy;
  }
  rowGradSum = sum;
  return loss;
}

/** g (exp(x − mx)) becomes gy − q·sum with q = e·ix and gy from the scratch row. */
function logSoftmaxBackwardRow(g: usize, gy: usize, C: i32, ix: f32, sum: f32): void {
  const IX = f32x4.splat(ix), S = f32x4.splat(sum);
  let i = 0;
  for (; i + 4 <= C; i += 4) {
    const q = f32x4.mul(v128.load(at(g, i, 2)), IX);
    v128.store(at(g, i, 2), f32x4.sub(v128.load(at(gy, i, 2)), f32x4.mul(q, S)));
  }
  for (; i < C; i++) {
    store<f32>(at(g, i, 2), load<f32>(at(gy, i, 2)) - (load<f32>(at(g, i, 2)) * ix) * sum);
  }
}

/**
 * Per row: loss = Σ xlogy(p, p) − p·log q with q = softmax(x), p = softmax(t); g = the input's
 * gradient for upstream scale s (negS = −s). sc: the scratch block (see scratchRow). Returns
 * Σ loss over rows [r0, r1).
 */
export function kl_softmax_rows(x: usize, t: usize, g: usize, sc: usize, C: i32, negS: f32,
  r0: i32, r1: i32): f64 {
  const f = scratchRow(sc, C, 2);
  let total: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const xr = rowAt(x, r, C, 2), tr = rowAt(t, r, C, 2), gr = rowAt(g, r, C, 2);
    const mx = rowMax(xr, C), mt = rowMax(tr, C);
    const sx = expSum(xr, gr, C, mx);
    const st = expSum(tr, f, C, mt);
    total += klRow(xr, tr, f, C, mx, <f32>Math.log(sx), mt, <f32>Math.log(st), <f32>(1 / st),
      negS);
    logSoftmaxBackwardRow(gr, f, C, <f32>(1 / sx), <f32>rowGradSum);
  }
  return total;
}

// ---- float64 -----------------------------------------------------------------------------------

@inline function klTerm64(p: v128, ly: v128, lq: v128): v128 {
  const own = v128.andnot(f64x2.mul(p, ly), f64x2.eq(p, f64x2.splat(0)));
  return f64x2.sub(own, f64x2.mul(p, lq));
}

/** klRow in doubles. */
function klRow64(x: usize, t: usize, f: usize, C: i32, mx: f64, lx: f64, mt: f64, lt: f64,
  it: f64, negS: f64): f64 {
  const MX = f64x2.splat(mx), LX = f64x2.splat(lx), MT = f64x2.splat(mt), LT = f64x2.splat(lt);
  const IT = f64x2.splat(it), NS = f64x2.splat(negS);
  let lossAcc = f64x2.splat(0), sumAcc = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= C; i += 2) {
    const p = f64x2.mul(v128.load(at(f, i, 3)), IT);
    const lq = f64x2.sub(f64x2.sub(v128.load(at(x, i, 3)), MX), LX);
    const ly = f64x2.sub(f64x2.sub(v128.load(at(t, i, 3)), MT), LT);
    lossAcc = f64x2.add(lossAcc, klTerm64(p, ly, lq));
    const gy = f64x2.mul(NS, p);
    v128.store(at(f, i, 3), gy);
    sumAcc = f64x2.add(sumAcc, gy);
  }
  let loss = f64x2.extract_lane(lossAcc, 0) + f64x2.extract_lane(lossAcc, 1);
  let sum = f64x2.extract_lane(sumAcc, 0) + f64x2.extract_lane(sumAcc, 1);
  for (; i < C; i++) {
    const p = load<f64>(at(f, i, 3)) * it;
    const lq = (load<f64>(at(x, i, 3)) - mx) - lx;
    const ly = (load<f64>(at(t, i, 3)) - mt) - lt;
    loss += f64x2.extract_lane(klTerm64(f64x2.splat(p), f64x2.splat(ly), f64x2.splat(lq)), 0);
    const gy = negS * p;
    store<f64>(at(f, i, 3), gy);
    sum += gy;
  }
  rowGradSum = sum;
  return loss;
}

/** logSoftmaxBackwardRow in doubles. */
function logSoftmaxBackwardRow64(g: usize, gy: usize, C: i32, ix: f64, sum: f64): void {
  const IX = f64x2.splat(ix), S = f64x2.splat(sum);
  let i = 0;
  for (; i + 2 <= C; i += 2) {
    const q = f64x2.mul(v128.load(at(g, i, 3)), IX);
    v128.store(at(g, i, 3), f64x2.sub(v128.load(at(gy, i, 3)), f64x2.mul(q, S)));
  }
  for (; i < C; i++) {
    store<f64>(at(g, i, 3), load<f64>(at(gy, i, 3)) - (load<f64>(at(g, i, 3)) * ix) * sum);
  }
}

/** kl_softmax_rows for doubles. */
export function kl64_softmax_rows(x: usize, t: usize, g: usize, sc: usize, C: i32, negS: f64,
  r0: i32, r1: i32): f64 {
  const f = scratchRow(sc, C, 3);
  let total: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const xr = rowAt(x, r, C, 3), tr = rowAt(t, r, C, 3), gr = rowAt(g, r, C, 3);
    const mx = rowMax64(xr, C), mt = rowMax64(tr, C);
    const sx = expSum64(xr, gr, C, mx);
    const st = expSum64(tr, f, C, mt);
    total += klRow64(xr, tr, f, C, mx, Math.log(sx), mt, Math.log(st), 1 / st, negS);
    logSoftmaxBackwardRow64(gr, f, C, 1 / sx, rowGradSum);
  }
  return total;
}
