/** A seeded PRNG for tests (never Math.random): mulberry32, plus float64 tensor makers. */
import { Tensor } from "../../src/tensor/tensor.js";
import { numelOf } from "../../src/tensor/shape.js";

export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform on [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A float64 leaf of `shape` requiring grad, filled by `sample`. */
  tensor(shape: readonly number[], sample: () => number = () => this.normal()): Tensor {
    const data = Float64Array.from({ length: numelOf(shape) }, sample);
    return new Tensor(data, shape).requiresGrad_();
  }

  /** Normal samples, redrawn while within `gap` of any of `avoid` (kinks, ties, bounds). */
  awayFrom(shape: readonly number[], avoid: readonly number[], gap = 0.05): Tensor {
    return this.tensor(shape, () => {
      let v = this.normal();
      while (avoid.some((a) => Math.abs(v - a) < gap)) v = this.normal();
      return v;
    });
  }

  /** Distinct values (no ties anywhere), |differences| ≥ `gap`, in shuffled order. */
  distinct(shape: readonly number[], gap = 0.1): Tensor {
    const n = numelOf(shape);
    const values = Array.from({ length: n },
      (_, i) => (i - n / 2) * gap + this.uniform(0, gap / 4));
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [values[i], values[j]] = [values[j], values[i]];
    }
    return new Tensor(Float64Array.from(values), shape).requiresGrad_();
  }
}
