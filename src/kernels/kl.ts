/**
 * Fused KL-divergence loops: the forward sum of PyTorch's composite `xlogy(t, t) − t·x` (or
 * `exp(t)·(t − x)` for log targets) with the input's gradient in the same pass, and the
 * gradients its autograd graph would produce. Every intermediate is rounded (`r`) to the dtype
 * PyTorch's composite stores it in, in the same order, so float32 results match its ops.
 */
import { wasmFor } from "./backend.js";
import type { Round } from "./pointwise-losses.js";
import { driveAny, reads, writes, wasm64For } from "./wasm/drive64.js";

type Data = Float32Array | Float64Array;

/** torch.xlogy(a, b) as the composite computes it: NaN for NaN b, 0 for a = 0, else a·log b. */
function xlogy(a: number, b: number, r: Round): number {
  if (b !== b) return NaN;
  return a === 0 ? 0 : r(a * Math.log(b));
}

/**
 * Σ (xlogy(t, t) − t·x), accumulated in double; when `gx` is given it also receives the input's
 * gradient for the scale s = upstream/divisor: (−s)·t (SubBackward0 then MulBackward0).
 */
export function klForward(x: Data, t: Data, r: Round, gx: Data | null, s: number): number {
  const rt = x instanceof Float32Array ? wasmFor(x) : null;
  if (rt && x instanceof Float32Array && t instanceof Float32Array &&
    (gx === null || gx instanceof Float32Array)) {
    // float32 log by the SIMD kernel (≈ 1 ulp), everything else as below.
    const sum = driveAny(rt, "kl_fwd", [reads(x), reads(t), writes(gx)], [Math.fround(-s)],
      x.length);
    if (sum !== null) return sum;
  }
  const rt64 = x instanceof Float64Array ? wasm64For(x) : null;
  if (rt64 && x instanceof Float64Array && t instanceof Float64Array &&
    (gx === null || gx instanceof Float64Array)) {
    // fdlibm's log lane-wise (as Math.log), partial sums in two lanes.
    const sum = driveAny(rt64, "kl64_fwd", [reads(x), reads(t), writes(gx)], [-s], x.length);
    if (sum !== null) return sum;
  }
  let sum = 0;
  const negS = -s;
  for (let i = 0; i < x.length; i++) {
    const ti = t[i];
    sum += r(xlogy(ti, ti, r) - r(ti * x[i]));
    if (gx !== null) gx[i] = r(negS * ti);
  }
  return sum;
}

/** Σ exp(t)·(t − x); `gx` (if given) = −(s·exp(t)). */
export function klLogForward(x: Data, t: Data, r: Round, gx: Data | null, s: number): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const ti = t[i];
    const e = r(Math.exp(ti));
    sum += r(e * r(ti - x[i]));
    if (gx !== null) gx[i] = -r(s * e);
  }
  return sum;
}

/** The input's gradient alone: (−s)·t, or −(s·exp(t)) for log targets. */
export function klInputGrad(t: Data, logTarget: boolean, s: number, r: Round, out: Data): void {
  if (logTarget) {
    for (let i = 0; i < t.length; i++) out[i] = -r(s * r(Math.exp(t[i])));
  } else {
    for (let i = 0; i < t.length; i++) out[i] = r(-s * t[i]);
  }
}

/**
 * The target's gradient as the composite's graph sums it: XlogyBackward0's two parts
 * (xlogy(s, t), 0 where t = 0; then s·t/t, NaN where t = 0) and MulBackward0's (−s)·x.
 */
export function klTargetGrad(x: Data, t: Data, s: number, r: Round, out: Data): void {
  const negS = -s;
  for (let i = 0; i < t.length; i++) {
    const ti = t[i];
    const a = ti === 0 ? 0 : xlogy(s, ti, r);
    const b = r(r(s * ti) / ti);
    out[i] = r(r(a + b) + r(negS * x[i]));
  }
}

/** Log targets: s·exp(t) (SubBackward0's self part) + (s·(t − x))·exp(t) (ExpBackward0). */
export function klLogTargetGrad(x: Data, t: Data, s: number, r: Round, out: Data): void {
  for (let i = 0; i < t.length; i++) {
    const ti = t[i];
    const e = r(Math.exp(ti));
    out[i] = r(r(s * e) + r(r(s * r(ti - x[i])) * e));
  }
}
