/**
 * Loads the JSON fixtures written by scripts/fixtures/*.py and decodes their tensors.
 *
 * Tensor data is flat C order: floats as JSON numbers with "nan", "inf", "-inf" and "-0" as
 * strings (a float32 element is stored as its exact double), int64 as decimal strings, bool as
 * true/false.
 */
import { readFileSync } from "node:fs";

import {
  type DType, type DTypeName, type Storage, allocStorage, bool, float32, float64, int64,
} from "../../src/tensor/dtype.js";
import { Tensor } from "../../src/tensor/tensor.js";

export type Encoded = number | string | boolean;

export interface EncodedTensor {
  dtype: DTypeName;
  shape: number[];
  data: Encoded[];
  requires_grad?: boolean;
}

/** Reads `test/fixtures/<file>` as JSON. */
export function loadFixture<T>(file: string): T {
  const url = new URL(`../fixtures/${file}`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as T;
}

/** A float element: a JSON number or one of the special-value strings. */
export function decodeFloat(v: Encoded): number {
  if (typeof v === "number") return v;
  switch (v) {
    case "nan": return NaN;
    case "inf": return Infinity;
    case "-inf": return -Infinity;
    case "-0": return -0;
  }
  throw new Error(`not an encoded float: ${JSON.stringify(v)}`);
}

/** The encoding of a JS value as the Python side writes it (floats special-cased). */
export function encodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(encodeValue);
  if (typeof v !== "number") return v;
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Object.is(v, -0)) return "-0";
  return v;
}

export function decodeStorage(enc: EncodedTensor): Storage {
  const out = allocStorage(dtypeOf(enc.dtype), enc.data.length);
  enc.data.forEach((v, i) => {
    if (out instanceof BigInt64Array) out[i] = BigInt(v as string);
    else if (out instanceof Uint8Array) out[i] = v ? 1 : 0;
    else out[i] = decodeFloat(v);
  });
  return out;
}

/** A fresh leaf tensor with the encoded data (and `requiresGrad` when recorded). */
export function decodeTensor(enc: EncodedTensor): Tensor {
  const t = new Tensor(decodeStorage(enc), enc.shape);
  if (enc.requires_grad) t.requiresGrad = true;
  return t;
}

export function dtypeOf(name: DTypeName): DType {
  return { float32, float64, int64, bool }[name];
}
