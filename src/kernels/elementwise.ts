/**
 * Monomorphic elementwise loops over float arrays: the hot paths of the generic ops.
 *
 * `cpu.ts`'s `binary`/`unary` call a closure per element, which V8 cannot inline once many
 * ops share the loop. Here each op has its own loop (per operand pattern: same shape, scalar
 * left, scalar right), so every call site sees one function. Each result is rounded by its
 * output array exactly as the closure version rounded it: the arithmetic is the same double
 * expression, stored once.
 */

import { wasmFor } from "./backend.js";
import { type Operand, input, output, pointwise } from "./wasm/drive.js";
import { f32View, reusableBlock } from "./wasm/heap.js";
import { unarySimd } from "./fast-ops.js";

export type FloatArray = Float32Array | Float64Array;

/** The WASM SIMD op codes of assembly/elementwise.ts. */
const WASM_OPS: Partial<Record<string, number>> = { add: 0, sub: 1, mul: 2, div: 3,
  clampMin: 4, clampMax: 5 };
const WASM_CMP: Partial<Record<string, number>> = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 };
/** `x op y` as `y op' x`, for a scalar left operand. */
const FLIPPED: Partial<Record<string, number>> = { eq: 0, ne: 1, lt: 4, le: 5, gt: 2, ge: 3 };

/** The binary ops with a fast loop; comparisons write 0/1 into a Uint8Array. */
export type FastBinaryOp =
  | "add" | "sub" | "mul" | "div" | "clampMin" | "clampMax"
  | "eq" | "ne" | "lt" | "le" | "gt" | "ge";

type Out = FloatArray | Uint8Array;

/**
 * `out = a op b` where each of `a`, `b` has `out.length` elements or exactly one (a scalar).
 * Returns false (doing nothing) when the operand lengths need strided broadcasting.
 */
export function binaryFast(op: FastBinaryOp, a: FloatArray, b: FloatArray, out: Out): boolean {
  const n = out.length;
  const sameA = a.length === n;
  const sameB = b.length === n;
  if (simd(op, a, b, out)) return true;
  if (sameA && sameB) return same(op, a, b, out);
  if (sameA && b.length === 1) return right(op, a, b[0], out);
  if (sameB && a.length === 1) return left(op, a[0], b, out);
  return false;
}

/** Large float32 add/sub/mul/div/clamp on the WASM SIMD backend (same f32 roundings). */
function simd(op: FastBinaryOp, a: FloatArray, b: FloatArray, out: Out): boolean {
  if (out instanceof Uint8Array) return compareSimd(op, a, b, out);
  const code = WASM_OPS[op];
  if (code === undefined || !(out instanceof Float32Array)) return false;
  if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) return false;
  const rt = wasmFor(out);
  const n = out.length;
  if (!rt || n === 0) return false;
  if (a.length === n && b.length === n) {
    pointwise(rt, "ew_vv", [input(a), input(b), output(out)], [code], n);
  } else if (a.length === n && b.length === 1) {
    pointwise(rt, "ew_vs", [input(a), output(out)], [b[0], code, 0], n);
  } else if (b.length === n && a.length === 1) {
    pointwise(rt, "ew_vs", [input(b), output(out)], [a[0], code, 1], n);
  } else {
    return false;
  }
  return true;
}

/** Large float32 comparisons on WASM SIMD, into a scratch block copied to `out`. */
function compareSimd(op: FastBinaryOp, a: FloatArray, b: FloatArray, out: Uint8Array) {
  if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) return false;
  const n = out.length;
  const flip = a.length !== n;
  const code = flip ? FLIPPED[op] : WASM_CMP[op];
  const [x, y] = flip ? [b, a] : [a, b];
  if (code === undefined || x.length !== n || (y.length !== n && y.length !== 1)) return false;
  const rt = wasmFor(x);
  if (!rt || n === 0) return false;
  const off = reusableBlock("ew_cmp_out", n);
  if (off < 0) return false;
  const scalarY = y.length !== n;
  pointwise(rt, "ew_cmp", [input(x), scalarY ? NONE : input(y)],
    [off, scalarY ? y[0] : 0, code, scalarY ? 1 : 0], n);
  out.set(new Uint8Array(f32View(off, 0).buffer, off, n));
  return true;
}

function same(op: FastBinaryOp, a: FloatArray, b: FloatArray, out: Out): boolean {
  const n = out.length;
  switch (op) {
    case "add": for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return true;
    case "sub": for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return true;
    case "mul": for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return true;
    case "div": for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; return true;
    case "clampMin": for (let i = 0; i < n; i++) out[i] = lower(a[i], b[i]); return true;
    case "clampMax": for (let i = 0; i < n; i++) out[i] = upper(a[i], b[i]); return true;
    case "eq": for (let i = 0; i < n; i++) out[i] = +(a[i] === b[i]); return true;
    case "ne": for (let i = 0; i < n; i++) out[i] = +(a[i] !== b[i]); return true;
    case "lt": for (let i = 0; i < n; i++) out[i] = +(a[i] < b[i]); return true;
    case "le": for (let i = 0; i < n; i++) out[i] = +(a[i] <= b[i]); return true;
    case "gt": for (let i = 0; i < n; i++) out[i] = +(a[i] > b[i]); return true;
    case "ge": for (let i = 0; i < n; i++) out[i] = +(a[i] >= b[i]); return true;
  }
}

function right(op: FastBinaryOp, a: FloatArray, y: number, out: Out): boolean {
  const n = out.length;
  switch (op) {
    case "add": for (let i = 0; i < n; i++) out[i] = a[i] + y; return true;
    case "sub": for (let i = 0; i < n; i++) out[i] = a[i] - y; return true;
    case "mul": for (let i = 0; i < n; i++) out[i] = a[i] * y; return true;
    case "div": for (let i = 0; i < n; i++) out[i] = a[i] / y; return true;
    case "clampMin": for (let i = 0; i < n; i++) out[i] = lower(a[i], y); return true;
    case "clampMax": for (let i = 0; i < n; i++) out[i] = upper(a[i], y); return true;
    case "eq": for (let i = 0; i < n; i++) out[i] = +(a[i] === y); return true;
    case "ne": for (let i = 0; i < n; i++) out[i] = +(a[i] !== y); return true;
    case "lt": for (let i = 0; i < n; i++) out[i] = +(a[i] < y); return true;
    case "le": for (let i = 0; i < n; i++) out[i] = +(a[i] <= y); return true;
    case "gt": for (let i = 0; i < n; i++) out[i] = +(a[i] > y); return true;
    case "ge": for (let i = 0; i < n; i++) out[i] = +(a[i] >= y); return true;
  }
}

function left(op: FastBinaryOp, x: number, b: FloatArray, out: Out): boolean {
  const n = out.length;
  switch (op) {
    case "add": for (let i = 0; i < n; i++) out[i] = x + b[i]; return true;
    case "sub": for (let i = 0; i < n; i++) out[i] = x - b[i]; return true;
    case "mul": for (let i = 0; i < n; i++) out[i] = x * b[i]; return true;
    case "div": for (let i = 0; i < n; i++) out[i] = x / b[i]; return true;
    case "clampMin": for (let i = 0; i < n; i++) out[i] = lower(x, b[i]); return true;
    case "clampMax": for (let i = 0; i < n; i++) out[i] = upper(x, b[i]); return true;
    case "eq": for (let i = 0; i < n; i++) out[i] = +(x === b[i]); return true;
    case "ne": for (let i = 0; i < n; i++) out[i] = +(x !== b[i]); return true;
    case "lt": for (let i = 0; i < n; i++) out[i] = +(x < b[i]); return true;
    case "le": for (let i = 0; i < n; i++) out[i] = +(x <= b[i]); return true;
    case "gt": for (let i = 0; i < n; i++) out[i] = +(x > b[i]); return true;
    case "ge": for (let i = 0; i < n; i++) out[i] = +(x >= b[i]); return true;
  }
}

/** clamp_min: NaN input stays NaN, a NaN bound propagates (as Math.max). */
function lower(v: number, lo: number): number {
  return v !== v ? v : Math.max(v, lo);
}

function upper(v: number, hi: number): number {
  return v !== v ? v : Math.min(v, hi);
}

/** The unary float ops with a fast loop. */
export type FastUnaryOp =
  | "neg" | "abs" | "sign" | "exp" | "log" | "log1p" | "expm1" | "sqrt" | "sigmoid"
  | "logSigmoid";

export function unaryFast(op: FastUnaryOp, x: FloatArray, out: FloatArray): void {
  if (unarySimd(op, x, out)) return;
  const n = out.length;
  switch (op) {
    case "neg": for (let i = 0; i < n; i++) out[i] = -x[i]; return;
    case "abs": for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); return;
    case "sign": for (let i = 0; i < n; i++) out[i] = signOf(x[i]); return;
    case "exp": for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); return;
    case "log": for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); return;
    case "log1p": for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]); return;
    case "expm1": for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]); return;
    case "sqrt": for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); return;
    case "sigmoid": for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i])); return;
    case "logSigmoid": for (let i = 0; i < n; i++) out[i] = logSigmoidOf(x[i]); return;
  }
}

function signOf(v: number): number {
  return v !== v ? 0 : Math.sign(v) + 0;
}

/** log σ(x) = min(x, 0) − log1p(e^(−|x|)). */
function logSigmoidOf(v: number): number {
  return Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v)));
}

/** softplus(x) = log1p(e^(βx)) / β, linear where βx > threshold. */
export function softplusFast(x: FloatArray, out: FloatArray, beta: number, threshold: number) {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    out[i] = v * beta > threshold ? v : Math.log1p(Math.exp(v * beta)) / beta;
  }
}

/**
 * `out[i] = cond[i] ? a[i] : b[i]`, each of `cond`, `a`, `b` either full length or a single
 * element. Returns false when an operand needs strided broadcasting.
 */
export function whereFast(cond: Uint8Array, a: Out, b: Out, out: Out): boolean {
  const n = out.length;
  if (cond.length !== n) return false;
  if ((a.length !== n && a.length !== 1) || (b.length !== n && b.length !== 1)) return false;
  if (whereSimd(cond, a, b, out)) return true;
  if (out instanceof Float32Array || out instanceof Float64Array) {
    whereBits(cond, words(a), words(b), words(out), out instanceof Float64Array ? 2 : 1);
    return true;
  }
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = cond[i] ? a[i] : b[i];
  } else if (a.length === n) {
    const y = b[0];
    for (let i = 0; i < n; i++) out[i] = cond[i] ? a[i] : y;
  } else if (b.length === n) {
    const x = a[0];
    for (let i = 0; i < n; i++) out[i] = cond[i] ? x : b[i];
  } else {
    const x = a[0];
    const y = b[0];
    for (let i = 0; i < n; i++) out[i] = cond[i] ? x : y;
  }
  return true;
}

const NONE: Operand = { data: null, role: "in" };

/** Large float32 `where` on WASM SIMD: the bool bytes are first copied into its memory. */
function whereSimd(cond: Uint8Array, a: Out, b: Out, out: Out): boolean {
  if (!(out instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array)) {
    return false;
  }
  const rt = wasmFor(out);
  const n = out.length;
  if (!rt || n === 0) return false;
  const off = reusableBlock("ew_where_cond", n);
  if (off < 0) return false;
  new Uint8Array(f32View(off, 0).buffer, off, n).set(cond);
  const scalarA = a.length !== n;
  const scalarB = b.length !== n;
  pointwise(rt, "ew_where",
    [scalarA ? NONE : input(a), scalarB ? NONE : input(b), output(out)],
    [off, scalarA ? a[0] : 0, scalarB ? b[0] : 0, (scalarA ? 1 : 0) | (scalarB ? 2 : 0)], n);
  return true;
}

/** The bits of a float array as 32-bit words (2 per float64). */
function words(x: Out): Int32Array {
  return new Int32Array(x.buffer, x.byteOffset, x.byteLength >> 2);
}

/**
 * `where` as a branchless bit select over `w` words per element: the picked element's bits
 * are copied unchanged (NaN payloads and signed zeros included), so no rounding is involved.
 */
function whereBits(cond: Uint8Array, a: Int32Array, b: Int32Array, out: Int32Array, w: number) {
  const n = cond.length;
  const fullA = a.length === out.length;
  const fullB = b.length === out.length;
  if (w === 1 && fullA && fullB) {
    for (let i = 0; i < n; i++) {
      const m = cond[i] !== 0 ? -1 : 0;
      out[i] = (a[i] & m) | (b[i] & ~m);
    }
  } else if (w === 1 && fullA) {
    const y = b[0];
    for (let i = 0; i < n; i++) {
      const m = cond[i] !== 0 ? -1 : 0;
      out[i] = (a[i] & m) | (y & ~m);
    }
  } else if (w === 1 && fullB) {
    const x = a[0];
    for (let i = 0; i < n; i++) {
      const m = cond[i] !== 0 ? -1 : 0;
      out[i] = (x & m) | (b[i] & ~m);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const m = cond[i] !== 0 ? -1 : 0;
      for (let k = 0; k < w; k++) {
        const x = a[fullA ? i * w + k : k];
        const y = b[fullB ? i * w + k : k];
        out[i * w + k] = (x & m) | (y & ~m);
      }
    }
  }
}

/** Row sums in double precision, in order (the same values as `sumNumbers` with inner = 1). */
export function rowSums(x: FloatArray | Uint8Array, outer: number, size: number, out: Out) {
  for (let o = 0; o < outer; o++) {
    let acc = 0;
    const base = o * size;
    for (let r = 0; r < size; r++) acc += x[base + r];
    out[o] = acc;
  }
}
