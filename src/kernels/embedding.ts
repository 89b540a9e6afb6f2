/**
 * Fused CosineEmbeddingLoss / TripletMarginLoss loops over rows of same-shape (rows × cols)
 * operands: one pass per row for its sums, then its gradient while the row is still in cache.
 * Every intermediate is rounded (`r`) as PyTorch's composite stores it, in the same order; row
 * sums accumulate in double and are rounded once, as the library's `sum` and `norm` do.
 * float32 above the WebAssembly threshold runs assembly/embedding.ts (the same f32 operations;
 * its row sums add in two f64 lanes).
 */
import { wasmFor } from "./backend.js";
import type { Round } from "./pointwise-losses.js";
import { input, output, rowwise } from "./wasm/drive.js";
import { f32View, reusableBlock } from "./wasm/heap.js";

type Data = Float32Array | Float64Array;

/** The operands and options of a fused triplet loss (eps and margin rounded to the dtype). */
export interface TripletRows {
  readonly a: Data;
  readonly p: Data;
  readonly n: Data;
  readonly cols: number;
  readonly eps: number;
  readonly margin: number;
  readonly swap: boolean;
  /**
   * TripletMarginWithDistanceLoss computes (d⁺ − d⁻) + margin; TripletMarginLoss
   * (d⁺ + margin) − d⁻.
   */
  readonly subtractFirst: boolean;
  readonly r: Round;
}

/** Per-row results: the distances and the gradient each distance receives. */
interface TripletRow {
  loss: number;
  dAP: number; dAN: number; dPN: number;
  gAP: number; gAN: number; gPN: number;
}

/** ‖x − y + eps‖₂ of one row, rounded as `norm` of the rounded difference (√ of Σ rounded). */
function rowDistance(x: Data, y: Data, base: number, cols: number, eps: number, r: Round) {
  let acc = 0;
  for (let j = base; j < base + cols; j++) {
    const v = r(r(x[j] - y[j]) + eps);
    acc += v * v;
  }
  return r(Math.sqrt(r(acc)));
}

/**
 * One row's loss and the gradients of its distances for the scale s: ClampMin passes s where
 * the unclamped loss is ≥ 0; swap's MinimumBackward0 splits ties in half and gives NaNs both.
 */
function tripletRow(t: TripletRows, base: number, s: number, row: TripletRow): void {
  const { a, p, n, cols, eps, r } = t;
  row.dAP = rowDistance(a, p, base, cols, eps, r);
  row.dAN = rowDistance(a, n, base, cols, eps, r);
  row.dPN = t.swap ? rowDistance(p, n, base, cols, eps, r) : 0;
  const dNeg = t.swap ? Math.min(row.dAN, row.dPN) : row.dAN;
  const raw = t.subtractFirst ? r(r(row.dAP - dNeg) + t.margin)
    : r(r(row.dAP + t.margin) - dNeg);
  row.loss = raw !== raw ? raw : Math.max(raw, 0);
  const g = raw >= 0 ? s : 0;
  row.gAP = g;
  if (!t.swap) {
    row.gAN = -g;
    return;
  }
  const shared = row.dAN === row.dPN ? r(-g / 2) : -g;
  row.gAN = row.dAN > row.dPN ? 0 : shared;
  row.gPN = row.dPN > row.dAN ? 0 : shared;
}

/** NormBackward1 (p = 2) of one element: g·(v / d), 0 where d is 0. */
function normGrad(g: number, v: number, d: number, r: Round): number {
  return d === 0 ? r(g * 0) : r(g * r(v / d));
}

function emptyRow(): TripletRow {
  return { loss: 0, dAP: 0, dAN: 0, dPN: 0, gAP: 0, gAN: 0, gPN: 0 };
}

/**
 * Σ of the per-row losses; `ga` (if given) receives the anchor's gradient for the scale s:
 * the positive distance's term plus the negative one's (the engine's sum of the two).
 */
export function tripletForward(t: TripletRows, ga: Data | null, s: number): number {
  const fast = tripletWasm(t, ga, s);
  if (fast !== null) return fast;
  const { a, p, n, cols, eps, r } = t;
  const row = emptyRow();
  let sum = 0;
  for (let base = 0; base < a.length; base += cols) {
    tripletRow(t, base, s, row);
    sum += row.loss;
    if (ga === null) continue;
    const { dAP, dAN, gAP, gAN } = row;
    for (let j = base; j < base + cols; j++) {
      const vp = r(r(a[j] - p[j]) + eps);
      const vn = r(r(a[j] - n[j]) + eps);
      ga[j] = r(normGrad(gAP, vp, dAP, r) + normGrad(gAN, vn, dAN, r));
    }
  }
  return sum;
}

/** tripletForward on the WebAssembly kernel, or null when it does not take the operands. */
function tripletWasm(t: TripletRows, ga: Data | null, s: number): number | null {
  const rt = wasmFor(t.a);
  if (!rt || !(t.p instanceof Float32Array) || !(t.n instanceof Float32Array)) return null;
  const flags = (t.swap ? 1 : 0) | (t.subtractFirst ? 2 : 0);
  return rowwise(rt, "triplet_rows",
    [input(t.a as Float32Array), input(t.p), input(t.n), output(ga as Float32Array | null)],
    [t.cols, t.eps, t.margin, s, flags], t.a.length / t.cols, t.cols);
}

/**
 * The positive's (k = 0) or negative's (k = 1) gradient for the scale s: minus its term of
 * d(a, ·), plus (positive) or minus (negative) its term of d(p, n) under swap.
 */
export function tripletOtherGrad(t: TripletRows, k: 0 | 1, s: number, out: Data): void {
  const { a, p, n, cols, eps, r } = t;
  const other = k === 0 ? p : n;
  const row = emptyRow();
  for (let base = 0; base < a.length; base += cols) {
    tripletRow(t, base, s, row);
    const d = k === 0 ? row.dAP : row.dAN;
    const g = k === 0 ? row.gAP : row.gAN;
    for (let j = base; j < base + cols; j++) {
      const own = -normGrad(g, r(r(a[j] - other[j]) + eps), d, r);
      if (!t.swap) {
        out[j] = own;
        continue;
      }
      const pn = normGrad(row.gPN, r(r(p[j] - n[j]) + eps), row.dPN, r);
      out[j] = r(own + (k === 0 ? pn : -pn));
    }
  }
}

/** The operands of a fused CosineEmbeddingLoss: per-row labels 1, −1 or 0 (anything else). */
export interface CosineRows {
  readonly x1: Data;
  readonly x2: Data;
  readonly labels: Int8Array;
  readonly cols: number;
  readonly margin: number;
  /** ATen's EPSILON added to each squared norm, rounded to the dtype. */
  readonly eps: number;
  readonly r: Round;
}

/** One row's loss and the factors its gradients need. */
interface CosineRow {
  loss: number;
  /** ∂/∂(Σ x1·x2), ∂/∂(Σ x1²), ∂/∂(Σ x2²) for the scale s. */
  gProd: number; gMag1: number; gMag2: number;
}

/**
 * cos = Σx1x2 / √((Σx1² + ε)(Σx2² + ε)) and the loss of one row, then backward through the
 * composite's ops: SubBackward0 (1 − cos), ClampMinBackward0 (passes at exactly 0),
 * DivBackward0 (−g·((a / b) / b)), SqrtBackward0 (g / (2√q)), MulBackward0.
 */
function cosineRow(c: CosineRows, row: number, s: number, out: CosineRow): void {
  const { x1, x2, cols, eps, r } = c;
  const base = row * cols;
  let prod = 0;
  let sq1 = 0;
  let sq2 = 0;
  for (let j = base; j < base + cols; j++) {
    const u = x1[j];
    const v = x2[j];
    prod += r(u * v);
    sq1 += r(u * u);
    sq2 += r(v * v);
  }
  const prodSum = r(prod);
  const mag1 = r(r(sq1) + eps);
  const mag2 = r(r(sq2) + eps);
  const denom = r(Math.sqrt(r(mag1 * mag2)));
  const cos = r(prodSum / denom);
  const label = c.labels[row];
  const shifted = r(cos - c.margin);
  const clamped = shifted !== shifted ? shifted : Math.max(shifted, 0);
  out.loss = label === 1 ? r(1 - cos) : label === -1 ? clamped : 0;
  const gCos = label === 1 ? -s : label === -1 && shifted >= 0 ? s : 0;
  out.gProd = r(gCos / denom);
  const gDenom = r(-gCos * r(cos / denom));
  const gProduct = r(gDenom / r(denom * 2));
  out.gMag1 = r(gProduct * mag2);
  out.gMag2 = r(gProduct * mag1);
}

/**
 * The gradient of x (the first of the pair when `first`) for one row: g·y from the product's
 * sum plus g·x twice from x·x (both halves of its MulBackward0, added first).
 */
function cosineGradRow(c: CosineRows, row: number, first: boolean, g: CosineRow,
  out: Data): void {
  const { cols, r } = c;
  const x = first ? c.x1 : c.x2;
  const y = first ? c.x2 : c.x1;
  const gMag = first ? g.gMag1 : g.gMag2;
  for (let j = row * cols; j < (row + 1) * cols; j++) {
    const self = r(gMag * x[j]);
    out[j] = r(r(g.gProd * y[j]) + r(self + self));
  }
}

function emptyCosineRow(): CosineRow {
  return { loss: 0, gProd: 0, gMag1: 0, gMag2: 0 };
}

/** Σ of the per-row losses; `g1` (if given) receives input1's gradient for the scale s. */
export function cosineForward(c: CosineRows, g1: Data | null, s: number): number {
  const fast = cosineWasm(c, g1, s);
  if (fast !== null) return fast;
  const rows = c.labels.length;
  const row = emptyCosineRow();
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    cosineRow(c, i, s, row);
    sum += row.loss;
    if (g1 !== null) cosineGradRow(c, i, true, row, g1);
  }
  return sum;
}

/** cosineForward on the WebAssembly kernel (labels as floats in the shared memory), or null. */
function cosineWasm(c: CosineRows, g1: Data | null, s: number): number | null {
  const rt = wasmFor(c.x1);
  if (!rt || !(c.x2 instanceof Float32Array)) return null;
  const rows = c.labels.length;
  const lab = reusableBlock("cosine-labels", rows * 4);
  if (lab < 0) return null;
  f32View(lab, rows).set(c.labels);
  return rowwise(rt, "cosine_rows",
    [input(c.x1 as Float32Array), input(c.x2), output(g1 as Float32Array | null)],
    [lab, c.cols, c.margin, c.eps, s], rows, c.cols);
}

/** input2's gradient for the scale s. */
export function cosineOtherGrad(c: CosineRows, s: number, out: Data): void {
  const row = emptyCosineRow();
  for (let i = 0; i < c.labels.length; i++) {
    cosineRow(c, i, s, row);
    cosineGradRow(c, i, false, row, out);
  }
}
