/**
 * The argument-kind checks of the losses' functional and module forms: PyTorch's argument
 * parser, in JS. A wrong kind (a string or a plain array where a tensor goes, `1.5` for an int
 * option, a number for `distanceFunction`) is a {@link TorchTypeError} with the binding's text,
 *
 *   `cross_entropy_loss(): argument 'input' (position 1) must be Tensor, not undefined`
 *   `cross_entropy_loss(): argument 'ignoreIndex' (position 5) must be int, not float`
 *
 * never a native `TypeError` from deep inside an op. The function name and the positions are
 * those of PyTorch's binding (`cross_entropy_loss()`, `nll_loss_nd()`), so the text matches what
 * torch 1.13 prints. Where torch checks in Python and fails with an AttributeError or an
 * operator error (`'NoneType' object has no attribute 'size'`, `'int' object is not callable`),
 * the binding-style sentence is used, naming the Python function and its parameter positions.
 *
 * JS adaptations: option names are camelCase; the received kind is the JS one (`undefined`,
 * `null`, `string`, `number`, `boolean`, `bigint`, `Array`, `Float32Array`, `object`,
 * `function`, `Tensor`), except that a non-integral number given for an int is `float` as in
 * PyTorch; arrays and typed arrays given for a tensor get a hint to wrap them with
 * `torch.tensor(...)`. JS is stricter than Python in two places: a boolean is not accepted as a
 * number (Python's `True` is 1), and a bool option must be a boolean (PyTorch's Python-level
 * losses accept any truthy value). An option given as `undefined` counts as not given. NaN and
 * ±Infinity pass these checks, as they pass PyTorch's parser; the losses' value checks decide.
 */
import { TorchTypeError, ValueError } from "../errors.js";
import { isPlainObject, kindName } from "../tensor/argument-kinds.js";
import { Tensor } from "../tensor/tensor.js";
import { checkOptions } from "./options.js";

/**
 * What an argument must be. `Tensor?` and `bool?` also take null (PyTorch's `None`); `Number`
 * is PyTorch's name for a Scalar; `Tensor or float` is GaussianNLLLoss's variance;
 * `reduction`/`reduction*` only reject non-strings (the value check is the loss's own), with
 * the long or the short ({@link checkReductionShort}) ValueError text.
 */
export type ArgumentKind = "Tensor" | "Tensor?" | "int" | "float" | "Number" | "bool" | "bool?" |
  "callable?" | "Tensor or float" | "reduction" | "reduction*";

/** One argument: its (camelCase) name, its kind, and its position in PyTorch's binding. */
export interface ArgumentSpec {
  name: string;
  kind: ArgumentKind;
  position?: number;
}

/** The arguments a loss checks: the positional tensors, then its options. */
export interface Signature {
  /** PyTorch's name for the function in its argument errors: `cross_entropy_loss`. */
  readonly binding: string;
  /** The name in the unknown-option error: `cross_entropy()`. */
  readonly where: string;
  readonly positional: readonly ArgumentSpec[];
  readonly options: Readonly<Record<string, ArgumentSpec>>;
  readonly optionKeys: readonly string[];
}

const bySignatureModule = new Map<string, Signature>();

/** The kinds of the options most losses share, unless a signature says otherwise. */
const SHARED: Record<string, [ArgumentKind, number?]> = {
  reduction: ["reduction"], sizeAverage: ["bool?"], reduce: ["bool?"],
};

/**
 * Declares a loss's arguments. `positional` are the positional arguments in order (positions
 * 1, 2, …), tensors unless a kind is given; `options` maps option keys to their kind and
 * PyTorch position (`reduction`, `sizeAverage` and `reduce` default to {@link SHARED}; other
 * keys not listed are not kind-checked); `module` registers the signature for the module
 * form's constructor.
 */
export function signature(binding: string, where: string,
  positional: readonly (string | [string, ArgumentKind])[],
  optionKeys: readonly string[], options: Record<string, [ArgumentKind, number?]>,
  module?: string): Signature {
  const kinds = { ...SHARED, ...options };
  const sig: Signature = {
    binding, where, optionKeys,
    positional: positional.map((arg, i) => {
      const [name, kind] = typeof arg === "string" ? [arg, "Tensor" as const] : arg;
      return { name, kind, position: i + 1 };
    }),
    options: Object.fromEntries(optionKeys.filter((key) => key in kinds).map((name) => {
      const [kind, position] = kinds[name];
      return [name, { name, kind, position }];
    })),
  };
  if (module !== undefined) bySignatureModule.set(module, sig);
  return sig;
}

/** The signature registered for a module class name, if any. */
function signatureOf(module: string): Signature | undefined {
  return bySignatureModule.get(module);
}

/**
 * Checks a functional call as PyTorch does: the option keys first (an unknown key is a
 * keyword error), then the arguments in position order, positional tensors before options.
 * One pass over the option keys, so a valid call costs a few property tests.
 */
export function checkArguments(sig: Signature, tensors: readonly unknown[],
  options: unknown): void {
  const badOption = options === undefined ? undefined
    : checkOptionKeys(sig.where, sig, options, sig.optionKeys);
  const positional = sig.positional;
  for (let i = 0; i < positional.length; i++) {
    const v = tensors[i];
    if (!(v instanceof Tensor) && !fits(positional[i].kind, v)) {
      throwKind(sig.binding, positional[i], v);
    }
  }
  if (badOption !== undefined) {
    throwKind(sig.binding, badOption, (options as Options)[badOption.name]);
  }
}

/** The module constructor's checks: the options object, its keys and its values. */
export function checkModuleOptions(className: string, options: unknown,
  optionKeys: readonly string[]): void {
  if (options === undefined) return;
  const sig = signatureOf(className);
  const bad = checkOptionKeys(`${className}.__init__()`, sig, options, optionKeys);
  if (bad !== undefined) throwKind(sig!.binding, bad, (options as Options)[bad.name]);
}

type Options = Record<string, unknown>;

/**
 * Throws for options that are not a plain object, or hold an unknown key; returns the spec of
 * the first option (by PyTorch position) whose value is of the wrong kind, if any.
 */
function checkOptionKeys(where: string, sig: Signature | undefined, options: unknown,
  optionKeys: readonly string[]): ArgumentSpec | undefined {
  checkOptionsObject(where, options);
  let bad: ArgumentSpec | undefined;
  for (const key in options as Options) {
    const spec = sig?.options[key];
    if (spec === undefined) {
      if (!optionKeys.includes(key)) checkOptions(where, options as object, optionKeys);
      continue;
    }
    const value = (options as Options)[key];
    if (value !== undefined && !fits(spec.kind, value) && before(spec, bad)) bad = spec;
  }
  return bad;
}

function before(spec: ArgumentSpec, other: ArgumentSpec | undefined): boolean {
  return other === undefined || (spec.position ?? Infinity) < (other.position ?? Infinity);
}

/** Options must be a plain object (or absent), not a reduction string or a tensor. */
function checkOptionsObject(where: string, options: unknown): void {
  if (options === undefined || isPlainObject(options)) return;
  const hint = typeof options === "string" ? ` (write { reduction: '${options}' })` : "";
  throw new TorchTypeError(`${where}: the options argument must be an object, not ` +
    `${kindName(options)}${hint}`);
}

function fits(kind: ArgumentKind, v: unknown): boolean {
  switch (kind) {
    case "Tensor": return v instanceof Tensor;
    case "Tensor?": return v === null || v instanceof Tensor;
    case "int": return Number.isInteger(v);
    case "float": case "Number": return typeof v === "number";
    case "Tensor or float": return typeof v === "number" || v instanceof Tensor;
    case "bool": return typeof v === "boolean";
    case "bool?": return v === null || typeof v === "boolean";
    case "callable?": return v === null || typeof v === "function";
    case "reduction": case "reduction*": return typeof v === "string";
  }
}

const EXPECTED: Record<ArgumentKind, string> = {
  "Tensor": "Tensor", "Tensor?": "Tensor", "int": "int", "float": "float", "Number": "Number",
  "bool": "bool", "bool?": "bool", "callable?": "callable", "Tensor or float": "Tensor or float",
  "reduction": "", "reduction*": "",
};

function throwKind(binding: string, spec: ArgumentSpec, v: unknown): never {
  if (spec.kind === "reduction") {
    throw new ValueError(`${String(v)} is not a valid value for reduction`);
  }
  if (spec.kind === "reduction*") throw new ValueError(`${String(v)} is not valid`);
  const position = spec.position === undefined ? "" : ` (position ${spec.position})`;
  const received = spec.kind === "int" && typeof v === "number" ? "float" : kindName(v);
  const wrap = isTensorLike(spec.kind) && (Array.isArray(v) || ArrayBuffer.isView(v))
    ? " (wrap it with torch.tensor(...))" : "";
  throw new TorchTypeError(`${binding}(): argument '${spec.name}'${position} must be ` +
    `${EXPECTED[spec.kind]}, not ${received}${wrap}`);
}

function isTensorLike(kind: ArgumentKind): boolean {
  return kind === "Tensor" || kind === "Tensor?" || kind === "Tensor or float";
}
