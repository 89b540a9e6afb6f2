/**
 * `torch._tensor_str._Formatter`: one formatter per tensor, built from every element shown,
 * which fixes the mode (int / fixed / scientific) and a common width.
 */

import type { DType, Storage } from "../tensor/dtype.js";
import { formatFixed, formatSci } from "./pyfloat.js";
import type { PrintOptions } from "./options.js";

export interface ElementFormatter {
  readonly maxWidth: number;
  /** The element at flat index `i` of the storage, left-padded to `maxWidth`. */
  format(i: number): string;
}

/** Flat indices of the elements the formatter looks at; `null` means all of them. */
export type ShownIndices = readonly number[] | null;

function forEachShown(data: Storage, shown: ShownIndices, fn: (i: number) => void): void {
  if (shown === null) {
    for (let i = 0; i < data.length; i++) fn(i);
  } else {
    for (const i of shown) fn(i);
  }
}

/** `"{}".format(value)` for int64 and bool elements. */
function plainString(data: Storage, i: number): string {
  if (data instanceof Uint8Array) return data[i] ? "True" : "False";
  return String(data[i]);
}

class PlainFormatter implements ElementFormatter {
  readonly maxWidth: number;

  constructor(private readonly data: Storage, shown: ShownIndices) {
    let width = 1;
    forEachShown(data, shown, (i) => {
      width = Math.max(width, plainString(data, i).length);
    });
    this.maxWidth = width;
  }

  format(i: number): string {
    return plainString(this.data, i).padStart(this.maxWidth);
  }
}

/** Finite non-zero values: the only ones that decide the mode and width (nan, inf, ±0 don't). */
function decidingValues(data: Storage, shown: ShownIndices): number[] {
  const values: number[] = [];
  forEachShown(data, shown, (i) => {
    const v = Number(data[i]);
    if (Number.isFinite(v) && v !== 0) values.push(v);
  });
  return values;
}

function maxLength(values: readonly number[], fmt: (v: number) => string): number {
  let width = 1;
  for (const v of values) width = Math.max(width, fmt(v).length);
  return width;
}

class FloatFormatter implements ElementFormatter {
  readonly maxWidth: number;
  private readonly intMode: boolean;
  private readonly sciMode: boolean;
  private readonly precision: number;

  constructor(private readonly data: Storage, shown: ShownIndices, opts: PrintOptions) {
    const p = opts.precision;
    this.precision = p;
    const values = decidingValues(data, shown);
    if (values.length === 0) {
      // torch returns early here, before applying the sci_mode print option.
      this.intMode = true;
      this.sciMode = false;
      this.maxWidth = 1;
      return;
    }
    let amin = Infinity;
    let amax = 0;
    for (const v of values) {
      amin = Math.min(amin, Math.abs(v));
      amax = Math.max(amax, Math.abs(v));
    }
    this.intMode = values.every((v) => v === Math.ceil(v));
    const wide = amax / amin > 1000 || amax > 1e8;
    let sci: boolean;
    if (this.intMode) {
      sci = wide;
      this.maxWidth = sci
        ? maxLength(values, (v) => formatSci(v, p))
        : maxLength(values, (v) => formatFixed(v, 0)) + 1;
    } else {
      sci = wide || amin < 1e-4;
      this.maxWidth = maxLength(values, (v) => (sci ? formatSci(v, p) : formatFixed(v, p)));
    }
    this.sciMode = opts.sciMode ?? sci;
  }

  format(i: number): string {
    const v = this.data[i] as number;
    let s: string;
    if (this.sciMode) s = formatSci(v, this.precision);
    else if (this.intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? "." : "");
    else s = formatFixed(v, this.precision);
    return s.padStart(this.maxWidth);
  }
}

export function makeFormatter(
  data: Storage,
  dtype: DType,
  shown: ShownIndices,
  opts: PrintOptions,
): ElementFormatter {
  return dtype.isFloatingPoint
    ? new FloatFormatter(data, shown, opts)
    : new PlainFormatter(data, shown);
}
