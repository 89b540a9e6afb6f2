/**
 * Fused loops of MultiMarginLoss and MultiLabelMarginLoss, after PyTorch's CPU kernels
 * (`LossMultiMargin.cpp`, `LossMultiLabelMargin.cpp`). Each frame is one row of `classes`
 * inputs. `round` is `Math.fround` for float32 (the kernels compute in the input's scalar type,
 * so the strict `z > 0` test sees float32 values) and the identity for float64.
 */
import type { Flat } from "./cpu.js";

export type Round = (v: number) => number;

/** The common arguments of the MultiMargin loops. */
export interface MultiMarginArgs {
  readonly x: Flat<number>;
  /** One class index in [0, classes) per frame. */
  readonly target: Int32Array;
  /** The class weight, or null. */
  readonly weight: Flat<number> | null;
  readonly p: 1 | 2;
  /** The margin, already rounded to the input's dtype. */
  readonly margin: number;
  readonly classes: number;
  readonly round: Round;
}

/**
 * Per-frame losses `Σ_{i≠y, z>0} zᵖ·w[y] / C` with z = margin − x[y] + x[i]: the weight
 * multiplies after the power, and NaN terms fail `z > 0` and drop out.
 */
export function multiMarginForward(a: MultiMarginArgs, out: Flat<number>): void {
  const { x, target, weight, p, margin, classes: c, round } = a;
  for (let n = 0; n < target.length; n++) {
    const base = n * c;
    const y = target[n];
    const marginMinusTarget = round(margin - x[base + y]);
    let sum = 0;
    for (let i = 0; i < c; i++) {
      if (i === y) continue;
      const z = round(marginMinusTarget + x[base + i]);
      if (!(z > 0)) continue;
      let h = p === 1 ? z : round(z * z);
      if (weight) h = round(h * weight[y]);
      sum = round(sum + h);
    }
    out[n] = round(sum / c);
  }
}

/**
 * ∂/∂x[i] = g·w[y]·p·z^(p−1) for the active terms, ∂/∂x[y] = −Σ of them, then times the
 * upstream gradient: `gradOut` holds one value, or one per frame. `g` is 1/(N·C) for 'mean',
 * else 1/C, in the input's dtype.
 */
export function multiMarginBackward(a: MultiMarginArgs, g: number, gradOut: Flat<number>,
  grad: Flat<number>): void {
  const { x, target, weight, p, margin, classes: c, round } = a;
  const twoG = round(2 * g);
  for (let n = 0; n < target.length; n++) {
    const base = n * c;
    const y = target[n];
    const marginMinusTarget = round(margin - x[base + y]);
    let gradTarget = 0;
    for (let i = 0; i < c; i++) {
      if (i === y) continue;
      const z = round(marginMinusTarget + x[base + i]);
      let h = 0;
      if (z > 0) {
        h = p === 1 ? g : round(twoG * z);
        if (weight) h = round(h * weight[y]);
        gradTarget = round(gradTarget - h);
      }
      grad[base + i] = h;
    }
    grad[base + y] = gradTarget;
  }
  scaleRows(grad, c, gradOut, round);
}

/** The common arguments of the MultiLabelMargin loops. */
export interface MultilabelMarginArgs {
  readonly x: Flat<number>;
  /** Per frame, `classes` entries: class indices up to the first −1. */
  readonly target: Int32Array;
  readonly frames: number;
  readonly classes: number;
  readonly round: Round;
}

/** Marks the classes listed before the row's first −1. */
function markTargets(target: Int32Array, base: number, classes: number, isTarget: Uint8Array) {
  isTarget.fill(0);
  for (let k = 0; k < classes; k++) {
    const j = target[base + k];
    if (j < 0) break;
    isTarget[j] = 1;
  }
}

/**
 * Per-frame sums `Σ_{j listed} Σ_{i not listed, z>0} z` with z = 1 − x[j] + x[i], accumulated
 * in double as PyTorch does, then rounded to the input's dtype (not yet divided by C).
 */
export function multilabelMarginForward(a: MultilabelMarginArgs, out: Flat<number>): void {
  const { x, target, frames, classes: c, round } = a;
  const isTarget = new Uint8Array(c);
  for (let n = 0; n < frames; n++) {
    const base = n * c;
    markTargets(target, base, c, isTarget);
    let sum = 0;
    for (let k = 0; k < c; k++) {
      const j = target[base + k];
      if (j < 0) break;
      const oneMinusTarget = round(1 - x[base + j]);
      for (let i = 0; i < c; i++) {
        if (isTarget[i]) continue;
        const z = round(oneMinusTarget + x[base + i]);
        if (z > 0) sum += z;
      }
    }
    out[n] = round(sum);
  }
}

/**
 * For each active term (j, i): ∂/∂x[i] += g, ∂/∂x[j] −= g, accumulated in the input's dtype,
 * then times the upstream gradient (one value, or one per frame). `grad` must start at zero.
 */
export function multilabelMarginBackward(a: MultilabelMarginArgs, g: number,
  gradOut: Flat<number>, grad: Flat<number>): void {
  const { x, target, frames, classes: c, round } = a;
  const isTarget = new Uint8Array(c);
  for (let n = 0; n < frames; n++) {
    const base = n * c;
    markTargets(target, base, c, isTarget);
    for (let k = 0; k < c; k++) {
      const j = target[base + k];
      if (j < 0) break;
      const oneMinusTarget = round(1 - x[base + j]);
      for (let i = 0; i < c; i++) {
        if (isTarget[i]) continue;
        if (!(round(oneMinusTarget + x[base + i]) > 0)) continue;
        grad[base + j] = round(grad[base + j] - g);
        grad[base + i] = round(grad[base + i] + g);
      }
    }
  }
  scaleRows(grad, c, gradOut, round);
}

/** grad[n, ·] *= gradOut[n] (or gradOut[0] when it holds a single value). */
function scaleRows(grad: Flat<number>, classes: number, gradOut: Flat<number>, round: Round) {
  if (gradOut.length === 1) {
    const d = gradOut[0];
    for (let k = 0; k < grad.length; k++) grad[k] = round(grad[k] * d);
    return;
  }
  for (let n = 0, k = 0; n < gradOut.length; n++) {
    const d = gradOut[n];
    for (let i = 0; i < classes; i++, k++) grad[k] = round(grad[k] * d);
  }
}
