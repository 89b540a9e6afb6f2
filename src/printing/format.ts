/** `repr(tensor)` exactly as PyTorch 1.13 prints it (`torch._tensor_str._str_intern`). */

import type { DType, Storage } from "../tensor/dtype.js";
import { tensorBody } from "./layout.js";
import { getPrintoptions, type PrintOptions } from "./options.js";

export interface Printable {
  readonly data: Storage;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface ReprSuffix {
  requiresGrad?: boolean;
  gradFnName?: string | null;
  parameter?: boolean;
}

const PREFIX = "tensor(";
const DEFAULT_DTYPE = "float32";

/** `str(tuple(shape))`: `(0,)`, `(2, 0)`. */
function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

function dataSuffixes(t: Printable, numel: number): string[] {
  const suffixes: string[] = [];
  const name = t.dtype.name;
  if (numel === 0) {
    if (t.shape.length !== 1) suffixes.push(`size=${pyTuple(t.shape)}`);
    // An empty tensor shows every non-default dtype, int64 and bool included.
    if (name !== DEFAULT_DTYPE) suffixes.push(`dtype=${t.dtype.toString()}`);
  } else if (name !== DEFAULT_DTYPE && name !== "int64" && name !== "bool") {
    suffixes.push(`dtype=${t.dtype.toString()}`);
  }
  return suffixes;
}

/** nn.Parameter defaults to requires_grad=True, so a parameter shows it unless told otherwise. */
function gradSuffix(suffix: ReprSuffix): string | null {
  const name = suffix.gradFnName;
  if (name !== undefined && name !== null) return `grad_fn=<${name}>`;
  const requiresGrad = suffix.requiresGrad ?? suffix.parameter ?? false;
  return requiresGrad ? "requires_grad=True" : null;
}

/**
 * `_add_suffixes`. torch measures the last line as its visible length + 2 (rfind quirk),
 * but a suffix placed on a fresh line resets the count to its true length.
 */
function addSuffixes(body: string, suffixes: readonly string[], indent: number,
  linewidth: number): string {
  let out = body;
  let lastLineLen = body.length - body.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > linewidth) {
      out += `,\n${" ".repeat(indent)}${suffix}`;
      lastLineLen = indent + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLineLen += suffix.length + 2;
    }
  }
  return `${out})`;
}

/** Exactly torch's `repr(t)`; `data` is contiguous C-order and a 0-dim tensor has shape []. */
export function tensorRepr(
  t: Printable,
  suffix: ReprSuffix = {},
  options: PrintOptions = getPrintoptions(),
): string {
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length < numel) {
    throw new RangeError(`tensorRepr: ${t.data.length} values for shape [${t.shape}]`);
  }
  const indent = PREFIX.length;
  const body = numel === 0 ? "[]" : tensorBody(t.data, t.shape, t.dtype, indent, options);
  const suffixes = dataSuffixes(t, numel);
  const grad = gradSuffix(suffix);
  if (grad !== null) suffixes.push(grad);
  const repr = addSuffixes(PREFIX + body, suffixes, indent, options.linewidth);
  return suffix.parameter ? `Parameter containing:\n${repr}` : repr;
}
