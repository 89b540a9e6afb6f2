/** Fused mean-squared-error loops: forward (elementwise or summed) and backward. */
import type { Flat } from "./cpu.js";

/** Σ (x − y)², accumulated in double. */
export function mseSum(x: Flat<number>, y: Flat<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    sum += d * d;
  }
  return sum;
}

/** out = (x − y)² elementwise. */
export function mseElementwise(x: Flat<number>, y: Flat<number>, out: Flat<number>): void {
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    out[i] = d * d;
  }
}

/**
 * grad = scale · 2(x − y) · g, where g is one upstream value (`gradOut` of length 1) or one per
 * element. `scale` is 1/n for 'mean', else 1.
 */
export function mseBackward(x: Flat<number>, y: Flat<number>, gradOut: Flat<number>,
  scale: number, grad: Flat<number>): void {
  if (gradOut.length === 1) {
    const g = 2 * scale * gradOut[0];
    for (let i = 0; i < x.length; i++) grad[i] = g * (x[i] - y[i]);
  } else {
    for (let i = 0; i < x.length; i++) grad[i] = 2 * scale * gradOut[i] * (x[i] - y[i]);
  }
}
