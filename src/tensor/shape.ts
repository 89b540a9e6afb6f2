/** Shape arithmetic shared by every op: sizes, strides, dims, broadcasting, size arguments. */
import { IndexError, RuntimeError, TorchTypeError, check } from "../errors.js";

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d];
  return n;
}

/** C-order strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** PyTorch's contiguity test: size-1 dims may have any stride. */
export function isContiguousStrides(shape: Shape, strides: readonly number[]): boolean {
  if (numelOf(shape) === 0) return true;
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/**
 * The strides of a copy that preserves the layout (clone, `to`): the source's own strides
 * when it is dense, else contiguous (null). Expanded (stride-0) sources are not dense.
 */
export function denseStrides(shape: Shape, strides: readonly number[] | null): number[] | null {
  if (!strides || strides.some((s, i) => s === 0 && shape[i] > 1)) return null;
  return [...strides];
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `torch.Size([2, 3])` as PyTorch prints it in messages. */
export function sizeString(shape: Shape): string {
  return `torch.Size([${shape.join(", ")}])`;
}

/** `[2, 3]` as PyTorch prints a shape list in messages. */
export function listString(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Wraps a possibly negative `dim` into [0, ndim); a 0-dim tensor accepts dims -1 and 0. */
export function normalizeDim(dim: number, ndim: number): number {
  const rank = Math.max(ndim, 1);
  check(Number.isInteger(dim), () => `dim must be an integer, got ${String(dim)}`, TorchTypeError);
  check(
    dim >= -rank && dim < rank,
    () => `Dimension out of range (expected to be in range of [${-rank}, ${rank - 1}], ` +
      `but got ${dim})`,
    IndexError,
  );
  return dim < 0 ? dim + rank : dim;
}

/** Normalizes a list of dims and rejects repeats, as PyTorch's dim-list reductions do. */
export function normalizeDims(dims: readonly number[], ndim: number): number[] {
  const out = dims.map((d) => normalizeDim(d, ndim));
  const seen = new Set<number>();
  for (const d of out) {
    check(!seen.has(d), () => `dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  return out;
}

/**
 * The broadcast shape of `a` and `b`, with PyTorch's error when they do not broadcast
 * (checked from the last dim, so the message names the last mismatching one).
 */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new RuntimeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) ` +
          `at non-singleton dimension ${i}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read a contiguous tensor of `shape` as if it had `target` shape:
 * broadcast dims get stride 0. `target` must be a broadcast of `shape`.
 */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const strides = contiguousStrides(shape);
  const offset = target.length - shape.length;
  const out = new Array<number>(target.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    out[i + offset] = shape[i] === 1 && target[i + offset] !== 1 ? 0 : strides[i];
  }
  return out;
}

/**
 * Splits PyTorch-style size arguments, `(2, 3)` or `([2, 3])`, optionally followed by an
 * options object, into the shape and the options.
 */
export function parseSizeArgs<O extends object>(
  fn: string,
  args: readonly unknown[],
): { shape: number[]; options: O } {
  let rest = args;
  let options = {} as O;
  const last = rest[rest.length - 1];
  if (last !== null && typeof last === "object" && !Array.isArray(last)) {
    options = last as O;
    rest = rest.slice(0, -1);
  }
  const list: readonly unknown[] = rest.length === 1 && Array.isArray(rest[0]) ? rest[0] : rest;
  const bad = list.findIndex((s) => !Number.isInteger(s));
  check(bad < 0, () => `${fn}(): argument 'size' must be tuple of SymInts, but found element ` +
    `of type ${pythonTypeName(list[bad])} at pos ${bad + 1}`, TorchTypeError);
  const shape = list as readonly number[];
  for (const s of shape) {
    check(s >= 0, () => `Trying to create tensor with negative dimension ${s}: ` +
      `[${shape.join(", ")}]`);
  }
  return { shape: [...shape], options };
}

/** The Python type a JS value stands for, as PyTorch's argument errors name it. */
function pythonTypeName(v: unknown): string {
  if (typeof v === "number") return "float";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (v === null || v === undefined) return "NoneType";
  return Array.isArray(v) ? "list" : "dict";
}

/** Resolves a `-1` in a reshape/view target, with PyTorch's errors for impossible shapes. */
export function inferShape(target: readonly number[], numel: number): number[] {
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < target.length; i++) {
    const s = target[i];
    if (s === -1) {
      check(inferred < 0, () => "only one dimension can be inferred");
      inferred = i;
    } else {
      check(Number.isInteger(s) && s >= 0, () => `invalid shape dimension ${s}`);
      known *= s;
    }
  }
  const out = [...target];
  if (inferred >= 0) {
    check(
      known !== 0 && numel % known === 0,
      () => known === 0
        ? `cannot reshape tensor of 0 elements into shape ${listString(target)} because the ` +
          "unspecified dimension size -1 can be any value and is ambiguous"
        : `shape '${listString(target)}' is invalid for input of size ${numel}`,
    );
    out[inferred] = numel / known;
  } else {
    check(known === numel, () => `shape '${listString(target)}' is invalid for input of size ${numel}`);
  }
  return out;
}
