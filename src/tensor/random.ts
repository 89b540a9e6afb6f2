/** The seeded random constructors and in-place samplers, on PyTorch's CPU streams. */
import { RuntimeError, check } from "../errors.js";
import { checkInPlace } from "../ops/unary.js";
import {
  normal_, randomDefault_, random_, randperm_, uniform_,
} from "../random/distributions.js";
import { Generator, defaultGenerator } from "../random/generator.js";
import { argumentError, expectFactoryOptions } from "./argument-kinds.js";
import { type DType, allocStorage, float32, int64 } from "./dtype.js";
import { numelOf, parseSizeArgs } from "./shape.js";
import { Tensor } from "./tensor.js";

export interface RandomOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  generator?: Generator;
}

type SizeArgs = (number | readonly number[] | RandomOptions)[];

function sampled(fn: string, args: SizeArgs, defaultDtype: DType,
  fill: (t: Tensor, gen: Generator) => void): Tensor {
  const { shape, options } = parseSizeArgs<RandomOptions>(fn, args);
  checkRandomOptions(fn, options);
  const out = new Tensor(allocStorage(options.dtype ?? defaultDtype, numelOf(shape)), shape);
  fill(out, options.generator ?? defaultGenerator);
  if (options.requiresGrad) out.requiresGrad = true;
  return out;
}

const RANDOM_KEYS = ["dtype", "requiresGrad", "generator"];

/** The options object, its dtype and its generator (a `torch.Generator`). */
function checkRandomOptions(fn: string, options: RandomOptions): void {
  expectFactoryOptions(fn, options, RANDOM_KEYS);
  const { generator } = options;
  if (generator !== undefined && !(generator instanceof Generator)) {
    throw argumentError(fn, "generator", undefined, "torch.Generator", generator);
  }
}

function floatData(t: Tensor, fn: string): Float32Array | Float64Array {
  check(t.dtype.isFloatingPoint, () => `"${fn}" not implemented for '${dtypeName(t)}'`);
  return t.data as Float32Array | Float64Array;
}

function dtypeName(t: Tensor): string {
  return { float32: "Float", float64: "Double", int64: "Long", bool: "Bool" }[t.dtype.name];
}

/** `torch.rand(2, 3)`: uniform on [0, 1). */
export function rand(...args: SizeArgs): Tensor {
  return sampled("rand", args, float32, (t, gen) => uniform_(floatData(t, "check_uniform_bounds"),
    0, 1, gen));
}

/** `torch.randn(2, 3)`: standard normal. */
export function randn(...args: SizeArgs): Tensor {
  return sampled("randn", args, float32, (t, gen) => normal_(floatData(t, "normal_kernel_cpu"),
    0, 1, gen));
}

/** `torch.randint(high, size)` or `torch.randint(low, high, size)`; int64 by default. */
export function randint(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  const sizeAt = args.findIndex((a) => Array.isArray(a));
  check(sizeAt >= 1, () => "randint() missing required argument 'size'");
  const bounds = args.slice(0, sizeAt) as number[];
  const names = bounds.length === 1 ? ["high"] : ["low", "high"];
  bounds.forEach((v, i) => {
    if (!Number.isInteger(v) || i >= names.length) {
      throw argumentError("randint", names[i] ?? "size", i + 1, "int", v);
    }
  });
  const [low, high] = bounds.length === 1 ? [0, bounds[0]] : bounds;
  return sampled("randint", args.slice(sizeAt), int64, (t, gen) =>
    random_(t.data, low, high, gen));
}

/** `torch.randperm(n)`: a random permutation of 0..n-1 (int64 by default). */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n)) throw argumentError("randperm", "n", 1, "int", n);
  return sampled("randperm", [[n], options], int64, (t, gen) => randperm_(t.data, gen));
}

/** `t.random_()`, `t.random_(to)`, `t.random_(from, to)`. */
export function randomInPlace(t: Tensor, from?: number | bigint | null,
  to?: number | bigint | null, gen: Generator = defaultGenerator): void {
  checkBound("from", 1, from);
  checkBound("to", 2, to);
  checkInPlace(t);
  if (from === undefined || from === null) {
    if (to === undefined || to === null) randomDefault_(t.data, gen);
    else random_(t.data, 0, to, gen);
  } else if (to === undefined) {
    random_(t.data, 0, from, gen);
  } else {
    random_(t.data, from, to, gen);
  }
}

/** random_'s bounds: integers (numbers or bigints), or absent. */
function checkBound(name: string, position: number, v: unknown): void {
  if (v === undefined || v === null || typeof v === "bigint" || Number.isInteger(v)) return;
  throw argumentError("random_", name, position, "int", v);
}

export function uniformInPlace(t: Tensor, from: number, to: number,
  gen: Generator = defaultGenerator): void {
  checkInPlace(t);
  uniform_(floatData(t, "check_uniform_bounds"), from, to, gen);
}

export function normalInPlace(t: Tensor, mean: number, std: number,
  gen: Generator = defaultGenerator): void {
  checkInPlace(t);
  if (!t.dtype.isFloatingPoint) throw new RuntimeError(`"normal_kernel_cpu" not implemented ` +
    `for '${dtypeName(t)}'`);
  normal_(t.data as Float32Array | Float64Array, mean, std, gen);
}
