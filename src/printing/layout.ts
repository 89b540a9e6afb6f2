/**
 * Line layout and summarisation: `_tensor_str`, `_tensor_str_with_formatter`, `_vector_str`
 * and `get_summarized_data` from `torch/_tensor_str.py`.
 */

import { RuntimeError } from "../errors.js";
import type { DType, Storage } from "../tensor/dtype.js";
import { makeFormatter, type ElementFormatter } from "./formatter.js";
import type { PrintOptions } from "./options.js";

interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly fmt: ElementFormatter;
  readonly opts: PrintOptions;
  readonly summarize: boolean;
}

function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

/** Python's clamping of a slice bound `a[start:]` / `a[:stop]` on a length-n axis. */
function sliceBound(bound: number, n: number): number {
  return bound < 0 ? Math.max(0, bound + n) : Math.min(bound, n);
}

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i < hi; i++) out.push(i);
  return out;
}

/** 1-D summary: `a[:e]` and `a[-e:]` (so edgeitems=0 keeps the whole axis as the tail). */
function vectorEdges(n: number, e: number): [number[], number[]] {
  return [range(0, sliceBound(e, n)), range(sliceBound(-e, n), n)];
}

/** N-D summary: `range(0, e)` and `range(n - e, n)`. */
function blockEdges(n: number, e: number): [number[], number[]] {
  return [range(0, e), range(n - e, n)];
}

/** Flat indices seen by the formatter when summarising (`get_summarized_data`). */
function summarizedIndices(
  shape: readonly number[],
  strides: readonly number[],
  e: number,
  dim = 0,
  offset = 0,
  out: number[] = [],
): number[] {
  if (dim === shape.length) {
    out.push(offset);
    return out;
  }
  const n = shape[dim]!;
  const isVector = dim === shape.length - 1;
  let rows = range(0, n);
  if (n > 2 * e) rows = (isVector ? vectorEdges(n, e) : blockEdges(n, e)).flat();
  if (rows.length === 0) throw new RuntimeError("stack expects a non-empty TensorList");
  for (const i of rows) {
    summarizedIndices(shape, strides, e, dim + 1, offset + i * strides[dim]!, out);
  }
  return out;
}

function vectorStr(lay: Layout, dim: number, offset: number, indent: number): string {
  const { fmt, opts } = lay;
  const n = lay.shape[dim]!;
  const stride = lay.strides[dim]!;
  const item = (i: number): string => fmt.format(offset + i * stride);
  let items: string[];
  if (lay.summarize && n > 2 * opts.edgeitems) {
    const [head, tail] = vectorEdges(n, opts.edgeitems);
    items = [...head.map(item), " ...", ...tail.map(item)];
  } else {
    items = range(0, n).map(item);
  }
  const perLine = Math.max(1, Math.floor((opts.linewidth - indent) / (fmt.maxWidth + 2)));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) {
    lines.push(items.slice(i, i + perLine).join(", "));
  }
  return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
}

function blockStr(lay: Layout, dim: number, offset: number, indent: number): string {
  if (dim === lay.shape.length) return lay.fmt.format(offset);
  if (dim === lay.shape.length - 1) return vectorStr(lay, dim, offset, indent);
  const n = lay.shape[dim]!;
  const e = lay.opts.edgeitems;
  const sub = (i: number): string =>
    blockStr(lay, dim + 1, offset + i * lay.strides[dim]!, indent + 1);
  let slices: string[];
  if (lay.summarize && n > 2 * e) {
    const [head, tail] = blockEdges(n, e);
    slices = [...head.map(sub), "...", ...tail.map(sub)];
  } else {
    slices = range(0, n).map(sub);
  }
  const remaining = lay.shape.length - dim;
  return `[${slices.join(`,${"\n".repeat(remaining - 1)}${" ".repeat(indent + 1)}`)}]`;
}

/** `_tensor_str`: the bracketed body of a non-empty tensor, laid out from column `indent`. */
export function tensorBody(
  data: Storage,
  shape: readonly number[],
  dtype: DType,
  indent: number,
  opts: PrintOptions,
): string {
  const strides = contiguousStrides(shape);
  const numel = shape.reduce((a, b) => a * b, 1);
  const summarize = numel > opts.threshold;
  const shown = summarize ? summarizedIndices(shape, strides, opts.edgeitems) : null;
  const fmt = makeFormatter(data.subarray(0, numel), dtype, shown, opts);
  return blockStr({ shape, strides, fmt, opts, summarize }, 0, 0, indent);
}
