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
 * over the positions not ignored. The sums are PyTorch's: a cascade of partial sums in the
 * input's dtype (`round`: Math.fround for float32), so float32 overflows where PyTorch's does.
 */
export function nllForward(x: Flat<number>, target: Float64Array, weight: Flat<number> | null,
  ignoreIndex: number, { batch, classes, spatial }: NllLayout, losses: Flat<number> | null,
  round: (v: number) => number = (v) => v) {
  const lossSum = new CascadeSum(batch * spatial, round);
  const weightSum = new CascadeSum(batch * spatial, round);
  let kept = 0;
  for (let n = 0; n < batch; n++) {
    for (let s = 0; s < spatial; s++) {
      const i = n * spatial + s;
      const t = target[i];
      let loss = 0;
      if (t !== ignoreIndex) {
        const w = weight ? weight[t] : 1;
        const v = x[(n * classes + t) * spatial + s];
        loss = -w * v;
        lossSum.subtract(i, weight ? round(v * w) : v);
        weightSum.add(i, w);
        kept++;
      }
      if (losses) losses[i] = loss;
    }
  }
  return { total: lossSum.total(), totalWeight: weight ? weightSum.total() : kept };
}

/**
 * PyTorch's `nll_loss` reduction: 8 levels of partial sums; after element i, level j moves up
 * into level j + 1 while the j-th group of `power` bits of i is zero (power = max(4,
 * ⌈log2 n⌉ / 8)). Every addition is rounded to the dtype.
 */
class CascadeSum {
  private readonly partial = new Float64Array(8);
  private readonly power: number;

  constructor(n: number, private readonly round: (v: number) => number) {
    this.power = Math.max(4, Math.floor(Math.ceil(Math.log2(Math.max(n, 1))) / 8));
  }

  add(i: number, v: number): void {
    this.partial[0] = this.round(this.partial[0] + v);
    this.carry(i);
  }

  subtract(i: number, v: number): void {
    this.partial[0] = this.round(this.partial[0] - v);
    this.carry(i);
  }

  private carry(i: number): void {
    const mask = (1 << this.power) - 1;
    const p = this.partial;
    for (let j = 0; j < 7; j++) {
      if (Math.floor(i / 2 ** (j * this.power)) % (mask + 1) !== 0) break;
      p[j + 1] = this.round(p[j + 1] + p[j]);
      p[j] = 0;
    }
  }

  total(): number {
    let sum = 0;
    for (const v of this.partial) sum = this.round(sum + v);
    return sum;
  }
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
