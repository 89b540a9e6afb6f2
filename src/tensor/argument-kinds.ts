/**
 * PyTorch's argument-parser errors for the tensor entry points (`torch.tensor`, the factories,
 * the ops users call directly): a value of the wrong kind is a {@link TorchTypeError} with the
 * binding's sentence, e.g. `one_hot(): argument 'input' (position 1) must be Tensor, not
 * undefined`, instead of a native error from deep inside. The received kind is named as JS
 * names it (see {@link kindName}); arrays given for a tensor get a `torch.tensor(...)` hint.
 */
import { TorchTypeError } from "../errors.js";
import { DType } from "./dtype.js";
import { Tensor } from "./tensor.js";

/** The JS kind of a value, as the messages name it: `undefined`, `Array`, `Float32Array`, … */
export function kindName(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Tensor) return "Tensor";
  if (Array.isArray(v)) return "Array";
  if (typeof v !== "object") return typeof v;
  const name = (v as object).constructor?.name;
  return name === undefined || name === "Object" ? "object" : name;
}

/** Throws `fn(): argument 'name' (position k) must be <expected>, not <kind>`. */
export function argumentError(fn: string, name: string, position: number | undefined,
  expected: string, v: unknown): TorchTypeError {
  const at = position === undefined ? "" : ` (position ${position})`;
  const received = expected === "int" && typeof v === "number" ? "float" : kindName(v);
  const wrap = expected.includes("Tensor") && (Array.isArray(v) || ArrayBuffer.isView(v))
    ? " (wrap it with torch.tensor(...))" : "";
  return new TorchTypeError(`${fn}(): argument '${name}'${at} must be ${expected}, not ` +
    `${received}${wrap}`);
}

/** A positional tensor argument. */
export function expectTensor(fn: string, name: string, position: number, v: unknown): void {
  if (!(v instanceof Tensor)) throw argumentError(fn, name, position, "Tensor", v);
}

/** An optional integer argument (`undefined` means not given). */
export function expectInt(fn: string, name: string, position: number | undefined,
  v: unknown): void {
  if (v !== undefined && !Number.isInteger(v)) throw argumentError(fn, name, position, "int", v);
}

/** An optional number argument (`undefined` means not given). */
export function expectFloat(fn: string, name: string, position: number | undefined,
  v: unknown): void {
  if (v !== undefined && typeof v !== "number") {
    throw argumentError(fn, name, position, "float", v);
  }
}

/** The `dtype` option: a torch dtype such as `torch.float32`, not its name. */
function expectDType(fn: string, v: unknown): void {
  if (v === undefined || v instanceof DType) return;
  const hint = typeof v === "string" ? ` (use torch.${v})` : "";
  throw new TorchTypeError(`${fn}(): argument 'dtype' must be torch.dtype, not ` +
    `${kindName(v)}${hint}`);
}

/** A plain object (`{ dim: 1 }`): not null, an array, a typed array, a tensor, a class instance. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  // The constructor test first: a property load, much cheaper than getPrototypeOf.
  return (v as object).constructor === Object || Object.getPrototypeOf(v) === null;
}

/** An options object: a plain object or absent. */
export function expectOptions(fn: string, v: unknown): void {
  if (v === undefined || isPlainObject(v)) return;
  throw new TorchTypeError(`${fn}(): the options argument must be an object, not ${kindName(v)}`);
}

function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Option objects are checked like Python keyword arguments: a key not in `allowed` is
 * PyTorch's `{where} got an unexpected keyword argument '{key}'` (`where` is `tensor()` or
 * `CrossEntropyLoss.__init__()`). Snake_case keys, the most common porting slip, get a hint
 * naming the camelCase key.
 */
export function expectKnownKeys(where: string, options: object | undefined | null,
  allowed: readonly string[]): void {
  if (options === undefined || options === null) return;
  for (const key in options) {
    if (!Object.hasOwn(options, key) || allowed.includes(key)) continue;
    const suggestion = camelCase(key);
    const hint = suggestion !== key && allowed.includes(suggestion)
      ? ` (torchloss option names are camelCase: use '${suggestion}')` : "";
    throw new TorchTypeError(`${where} got an unexpected keyword argument '${key}'${hint}`);
  }
}

/**
 * A factory's options: an object with only the `allowed` keys, a torch dtype and a boolean
 * requiresGrad (the keys beyond those, e.g. `generator`, are the caller's to check).
 */
export function expectFactoryOptions(fn: string, options: { dtype?: unknown;
  requiresGrad?: unknown } | undefined, allowed: readonly string[]): void {
  expectOptions(fn, options);
  expectKnownKeys(`${fn}()`, options, allowed);
  expectDType(fn, options?.dtype);
  const requiresGrad = options?.requiresGrad;
  if (requiresGrad !== undefined && typeof requiresGrad !== "boolean") {
    throw argumentError(fn, "requiresGrad", undefined, "bool", requiresGrad);
  }
}
