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
 * grad = norm · (x − y) · g with norm = 2·scale, as PyTorch's `mse_loss_backward` (the target's
 * gradient is this with x and y swapped, so a tie gives +0 to both). `gradOut` holds one
 * upstream value or one per element; `scale` is 1/n for 'mean', else 1.
 */
export function mseBackward(x: Flat<number>, y: Flat<number>, gradOut: Flat<number>,
  scale: number, grad: Flat<number>): void {
  const norm = 2 * scale;
  if (gradOut.length === 1) {
    const g = gradOut[0];
    for (let i = 0; i < x.length; i++) grad[i] = norm * (x[i] - y[i]) * g;
  } else {
    for (let i = 0; i < x.length; i++) grad[i] = norm * (x[i] - y[i]) * gradOut[i];
  }
}
