/**
 * The inner loops of the tensor core, in plain JS over typed arrays.
 *
 * Ops decide dtypes, shapes and broadcasting; these loops only see flat arrays, sizes and
 * strides. A faster backend (WebAssembly SIMD, worker threads) replaces a loop here without
 * touching the ops above.
 */

import { rowSums } from "./elementwise.js";

/** A flat array of one element kind: numbers (float32/float64/bool) or bigints (int64). */
export interface Flat<T> {
  readonly length: number;
  [index: number]: T;
}

export function unary<T, R>(x: Flat<T>, out: Flat<R>, fn: (v: T) => R): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = fn(x[i]);
}

/**
 * `out[i] = fn(a[ia], b[ib])` over the broadcast `shape`, where `aStrides`/`bStrides` read
 * each contiguous input as the broadcast shape (stride 0 on broadcast dims).
 */
export function binary<A, B, R>(
  a: Flat<A>, aStrides: readonly number[],
  b: Flat<B>, bStrides: readonly number[],
  out: Flat<R>, shape: readonly number[],
  fn: (x: A, y: B) => R,
): void {
  const n = out.length;
  if (n === 0) return;
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = fn(a[i], b[i]);
  } else if (b.length === 1 && a.length === n) {
    const bv = b[0];
    for (let i = 0; i < n; i++) out[i] = fn(a[i], bv);
  } else if (a.length === 1 && b.length === n) {
    const av = a[0];
    for (let i = 0; i < n; i++) out[i] = fn(av, b[i]);
  } else {
    stridedBinary(a, aStrides, b, bStrides, out, shape, fn);
  }
}

function stridedBinary<A, B, R>(
  a: Flat<A>, aStrides: readonly number[],
  b: Flat<B>, bStrides: readonly number[],
  out: Flat<R>, shape: readonly number[],
  fn: (x: A, y: B) => R,
): void {
  const nd = shape.length;
  const last = shape[nd - 1];
  const sa = aStrides[nd - 1];
  const sb = bStrides[nd - 1];
  const index = new Array<number>(nd).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < out.length; o += last) {
    for (let j = 0; j < last; j++) out[o + j] = fn(a[ia + j * sa], b[ib + j * sb]);
    for (let d = nd - 2; d >= 0; d--) {
      index[d]++;
      ia += aStrides[d];
      ib += bStrides[d];
      if (index[d] < shape[d]) break;
      ia -= aStrides[d] * shape[d];
      ib -= bStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/** Gathers a strided view (e.g. a permutation or broadcast) of `x` into contiguous `out`. */
export function gatherStrided<T>(
  x: Flat<T>, strides: readonly number[], out: Flat<T>, shape: readonly number[],
): void {
  const nd = shape.length;
  const n = out.length;
  if (n === 0) return;
  if (nd === 0) {
    out[0] = x[0];
    return;
  }
  const last = shape[nd - 1];
  const s = strides[nd - 1];
  const index = new Array<number>(nd).fill(0);
  let ix = 0;
  for (let o = 0; o < n; o += last) {
    for (let j = 0; j < last; j++) out[o + j] = x[ix + j * s];
    for (let d = nd - 2; d >= 0; d--) {
      index[d]++;
      ix += strides[d];
      if (index[d] < shape[d]) break;
      ix -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/**
 * A reduction seen as `[outer, size, inner]`: out[o * inner + i] reduces the `size` elements
 * x[(o * size + r) * inner + i]. Every reduction below uses this layout.
 */
export interface ReduceLayout {
  readonly outer: number;
  readonly size: number;
  readonly inner: number;
}

/** Sum in double precision (then rounded by the output array). */
export function sumNumbers(x: Flat<number>, { outer, size, inner }: ReduceLayout, out: Flat<number>) {
  if (inner === 1) {
    // The same in-order double sums as below, without the accumulator array.
    rowSums(x as Float64Array, outer, size, out as Float64Array);
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    const base = o * size * inner;
    for (let r = 0; r < size; r++) {
      const row = base + r * inner;
      for (let i = 0; i < inner; i++) acc[i] += x[row + i];
    }
    for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i];
  }
}

export function sumBigInts(x: Flat<bigint>, { outer, size, inner }: ReduceLayout, out: Flat<bigint>) {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0n;
      for (let r = 0; r < size; r++) acc += x[(o * size + r) * inner + i];
      out[o * inner + i] = BigInt.asIntN(64, acc);
    }
  }
}

export function prodNumbers(x: Flat<number>, { outer, size, inner }: ReduceLayout, out: Flat<number>) {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 1;
      for (let r = 0; r < size; r++) acc *= x[(o * size + r) * inner + i];
      out[o * inner + i] = acc;
    }
  }
}

/**
 * Max (or min, with `sign = -1`) and the index of its first occurrence; NaN wins, as in
 * PyTorch. Works on numbers and bigints alike.
 */
export function extremum<T extends number | bigint>(
  x: Flat<T>, { outer, size, inner }: ReduceLayout, sign: 1 | -1,
  values: Flat<T>, indices: Int32Array | null,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let best = x[base];
      let at = 0;
      for (let r = 1; r < size && best === best; r++) {
        const v = x[base + r * inner];
        if (v !== v || (sign > 0 ? v > best : v < best)) {
          best = v;
          at = r;
        }
      }
      values[o * inner + i] = best;
      if (indices) indices[o * inner + i] = at;
    }
  }
}

/** log Σ exp, stabilised by the max; an all -inf slice gives -inf, a +inf gives +inf. */
export function logSumExp(x: Flat<number>, { outer, size, inner }: ReduceLayout, out: Flat<number>) {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let max = -Infinity;
      for (let r = 0; r < size; r++) max = Math.max(max, x[base + r * inner]);
      if (!Number.isFinite(max)) {
        out[o * inner + i] = size === 0 ? -Infinity : max;
        continue;
      }
      let sum = 0;
      for (let r = 0; r < size; r++) sum += Math.exp(x[base + r * inner] - max);
      out[o * inner + i] = Math.log(sum) + max;
    }
  }
}

/** The p-norm of each slice: p = 2 (default), 1, inf, -inf, 0 or any other real. */
export function pNorm(
  x: Flat<number>, { outer, size, inner }: ReduceLayout, p: number, out: Flat<number>,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let acc = p === -Infinity ? Infinity : 0;
      for (let r = 0; r < size; r++) {
        const a = Math.abs(x[base + r * inner]);
        if (p === 2) acc += a * a;
        else if (p === 1) acc += a;
        else if (p === Infinity) acc = a > acc || a !== a ? a : acc;
        else if (p === -Infinity) acc = a < acc || a !== a ? a : acc;
        else if (p === 0) acc += a !== 0 ? 1 : 0;
        else acc += Math.pow(a, p);
      }
      // PyTorch accumulates a float32 norm in float32: Σ|x|^p overflows to inf before the root
      if (out instanceof Float32Array) acc = Math.fround(acc);
      if (p === 2) acc = Math.sqrt(acc);
      else if (p !== 1 && p !== 0 && Number.isFinite(p)) acc = Math.pow(acc, 1 / p);
      out[o * inner + i] = acc;
    }
  }
}

/** Softmax (or log-softmax) along the middle axis of the layout, stabilised by the max. */
export function softmax(
  x: Flat<number>, { outer, size, inner }: ReduceLayout, log: boolean, out: Flat<number>,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let max = -Infinity;
      for (let r = 0; r < size; r++) {
        const v = x[base + r * inner];
        if (v > max || v !== v) max = v;
      }
      let sum = 0;
      for (let r = 0; r < size; r++) sum += Math.exp(x[base + r * inner] - max);
      if (log) {
        const logSum = Math.log(sum);
        for (let r = 0; r < size; r++) out[base + r * inner] = x[base + r * inner] - max - logSum;
      } else {
        for (let r = 0; r < size; r++) out[base + r * inner] = Math.exp(x[base + r * inner] - max) / sum;
      }
    }
  }
}

/**
 * The input gradient of (log-)softmax from its output y and output gradient g, as the composed
 * formulas compute it op by op (each result stored, so rounded by `r`; sums in double, in
 * order): log-softmax g − exp(y)·Σg, softmax g·y − y·Σ(g·y).
 */
export function softmaxBackward(
  y: Flat<number>, g: Flat<number>, { outer, size, inner }: ReduceLayout, log: boolean,
  r: (v: number) => number, out: Flat<number>,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let sum = 0;
      for (let k = 0; k < size; k++) {
        const at = base + k * inner;
        sum += log ? g[at] : r(g[at] * y[at]);
      }
      const total = r(sum);
      for (let k = 0; k < size; k++) {
        const at = base + k * inner;
        out[at] = log ? r(g[at] - r(r(Math.exp(y[at])) * total))
          : r(r(g[at] * y[at]) - r(y[at] * total));
      }
    }
  }
}
