/**
 * Fused negative-log-likelihood loops over an input laid out as `[batch, classes, spatial]`
 * (spatial = 1 for `(N, C)` input), with class-index targets.
 */
import { IndexError } from "../errors.js";
import type { Flat } from "./cpu.js";

export interface NllLayout {
  readonly batch: number;
  readonly classes: number;
  readonly spatial: number;
}

/** Target indices as numbers, bounds-checked except where equal to `ignoreIndex`. */
export function targetIndices(target: BigInt64Array, classes: number, ignoreIndex: number) {
  const out = new Float64Array(target.length);
  for (let i = 0; i < target.length; i++) {
    const t = Number(target[i]);
    if (t !== ignoreIndex && (t < 0 || t >= classes)) {
      throw new IndexError(`Target ${t} is out of bounds.`);
    }
    out[i] = t;
  }
  return out;
}

/**
 * losses[n·S + s] = −w[t]·x[n, t, s] (0 where t is ignored); returns Σ losses and Σ w[t]
 * over the positions not ignored.
 */
export function nllForward(x: Flat<number>, target: Float64Array, weight: Flat<number> | null,
  ignoreIndex: number, { batch, classes, spatial }: NllLayout, losses: Flat<number> | null) {
  let total = 0;
  let totalWeight = 0;
  for (let n = 0; n < batch; n++) {
    for (let s = 0; s < spatial; s++) {
      const i = n * spatial + s;
      const t = target[i];
      let loss = 0;
      if (t !== ignoreIndex) {
        const w = weight ? weight[t] : 1;
        loss = -w * x[(n * classes + t) * spatial + s];
        totalWeight += w;
        total += loss;
      }
      if (losses) losses[i] = loss;
    }
  }
  return { total, totalWeight };
}

/**
 * grad[n, t, s] = −w[t]·g·scale at each target entry, 0 elsewhere; `gradOut` holds one value
 * (reduced loss) or one per position ('none').
 */
export function nllBackward(target: Float64Array, weight: Flat<number> | null,
  ignoreIndex: number, { batch, classes, spatial }: NllLayout, gradOut: Flat<number>,
  scale: number, grad: Flat<number>): void {
  for (let n = 0; n < batch; n++) {
    for (let s = 0; s < spatial; s++) {
      const i = n * spatial + s;
      const t = target[i];
      if (t === ignoreIndex) continue;
      const g = gradOut.length === 1 ? gradOut[0] : gradOut[i];
      grad[(n * classes + t) * spatial + s] = -(weight ? weight[t] : 1) * g * scale;
    }
  }
}
