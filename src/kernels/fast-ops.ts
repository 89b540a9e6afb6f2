/**
 * WASM SIMD paths of the generic float32 ops (assembly/ops.ts): unary maps, fused backward
 * products, sums and last-dim row reductions, split over the worker pool when large. Each
 * returns false (or null) without doing anything when the WebAssembly kernels do not take the
 * arrays (float64, small, the "js" backend), and the caller runs its JS loop instead.
 */
import { activeBackend, getWasmMinElements, wasmFor } from "./backend.js";
import { type Operand, input, output, pointwise, rowwise } from "./wasm/drive.js";
import { f32View, offsetOf, reusableBlock } from "./wasm/heap.js";
import { wasmRuntime } from "./wasm/runtime.js";

/** Whether float32 work of `n` elements would run here (check before allocating its output). */
export function simdTakes(n: number): boolean {
  return n > 0 && n >= getWasmMinElements() && activeBackend() === "wasm";
}

/**
 * `n` float32 elements of the reusable block `slot` in the kernels' shared memory (resident, so
 * kernels use it in place and threads share it), or null. Every call with the same slot returns
 * the same storage: what it held before is overwritten.
 */
export function scratchFloat32(slot: string, n: number): Float32Array | null {
  if (!simdTakes(n) || !wasmRuntime()?.shared) return null;
  const off = reusableBlock(`scratch:${slot}`, n * 4);
  return off < 0 ? null : f32View(off, n);
}

/** The unary op codes of assembly/ops.ts `op_unary`. */
const UNARY: Partial<Record<string, number>> = { neg: 0, abs: 1, exp: 2, log: 3, sqrt: 4,
  sigmoid: 5, logSigmoid: 6, sign: 7 };

/** `out = op(x)` on WASM SIMD; false when not taken. */
export function unarySimd(op: string, x: ArrayBufferView, out: ArrayBufferView): boolean {
  const code = UNARY[op];
  if (code === undefined || !(x instanceof Float32Array) || !(out instanceof Float32Array)) {
    return false;
  }
  const rt = wasmFor(out);
  if (!rt || out.length === 0 || x.length !== out.length) return false;
  pointwise(rt, "op_unary", [input(x), output(out)], [code], out.length);
  return true;
}

/** Fused backward products of assembly/ops.ts `op_grad`. */
export type GradKind = "clampMin" | "clampMax" | "abs" | "square" | "logSigmoid";
const GRAD: Record<GradKind, number> = { clampMin: 0, clampMax: 1, abs: 2, square: 3,
  logSigmoid: 4 };

/**
 * `out = g·f(x)`: clampMin/clampMax pass g where x ≥ s / x ≤ s (else 0), abs gives g·sign x,
 * square g·(x·2), logSigmoid g·σ(−x). `g` has x's length or is a single value.
 */
export function gradSimd(kind: GradKind, g: ArrayBufferView, x: ArrayBufferView, s: number,
  out: Float32Array): boolean {
  if (!(g instanceof Float32Array) || !(x instanceof Float32Array)) return false;
  const n = out.length;
  const rt = wasmFor(out);
  if (!rt || n === 0 || x.length !== n || (g.length !== n && g.length !== 1)) return false;
  const scalarG = g.length !== n;
  pointwise(rt, "op_grad", [scalarG ? NONE : input(g), input(x), output(out)],
    [scalarG ? g[0] : 0, s, GRAD[kind], scalarG ? 1 : 0], n);
  return true;
}

const NONE: Operand = { data: null, role: "in" };

/** Σ x in double precision, or null when not taken. */
export function sumSimd(x: ArrayBufferView): number | null {
  if (!(x instanceof Float32Array)) return null;
  const rt = wasmFor(x);
  if (!rt || x.length === 0) return null;
  return pointwise(rt, "op_sum", [input(x)], [], x.length);
}

/** A per-row array in the shared memory: `a` itself, or a copy in the scratch block `name`. */
function residentRows(name: string, a: Float32Array, copyIn: boolean): number {
  const own = offsetOf(a);
  if (own >= 0) return own;
  const off = reusableBlock(name, a.length * 4);
  if (off >= 0 && copyIn) f32View(off, a.length).set(a);
  return off;
}

/**
 * Row reductions over the last dim of a `rows × cols` array: `out[r] = Σ x` (mode "sum") or
 * `√Σ x²` ("norm2"), each row in double precision, rounded once.
 */
export function rowsSimd(mode: "sum" | "norm2", x: ArrayBufferView, rows: number, cols: number,
  out: ArrayBufferView): boolean {
  if (!(x instanceof Float32Array) || !(out instanceof Float32Array)) return false;
  const rt = wasmFor(x);
  if (!rt || rows === 0 || cols === 0 || x.length !== rows * cols) return false;
  const at = residentRows("op_rows_out", out, false);
  if (at < 0) return false;
  rowwise(rt, "op_rows", [input(x)], [at, cols, mode === "sum" ? 0 : 1], rows, cols);
  if (offsetOf(out) < 0) out.set(f32View(at, rows));
  return true;
}

/**
 * The gradients of those row reductions: `out[r, c] = g[r]` (mode "sum", a row broadcast) or
 * `g[r]·(x[r, c] / n[r])`, 0 where `n[r]` is 0 ("norm2").
 */
export function rowsBackwardSimd(mode: "sum" | "norm2", g: ArrayBufferView,
  x: ArrayBufferView | null, n: ArrayBufferView | null, rows: number, cols: number,
  out: ArrayBufferView): boolean {
  if (!(g instanceof Float32Array) || !(out instanceof Float32Array)) return false;
  const norm = mode === "norm2";
  if (norm && !(x instanceof Float32Array && n instanceof Float32Array)) return false;
  const rt = wasmFor(out);
  if (!rt || rows === 0 || cols === 0 || out.length !== rows * cols || g.length !== rows) {
    return false;
  }
  const gAt = residentRows("op_rows_g", g, true);
  const nAt = norm ? residentRows("op_rows_n", n as Float32Array, true) : 0;
  if (gAt < 0 || nAt < 0) return false;
  const xs = norm ? input(x as Float32Array) : NONE;
  rowwise(rt, "op_rows_bwd", [xs, output(out)], [gAt, nAt, cols, norm ? 1 : 0], rows, cols);
  return true;
}
