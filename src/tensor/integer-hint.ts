/**
 * JS has no float literal, so `torch.tensor([1, 2, 3])` is int64 exactly as in PyTorch, even
 * when the user meant floats. When such an inferred int64 tensor causes an error where a
 * floating tensor is needed, the error keeps PyTorch's text and adds the fix.
 */
import { TorchError } from "../errors.js";
import type { Storage } from "./dtype.js";
import { Tensor } from "./tensor.js";

/** Storages created by `tensor()` from JS integers; views share the storage, so keep the mark. */
const inferredFromIntegers = new WeakSet<Storage>();

export const FLOAT_HINT = " (hint: this int64 tensor was inferred from JS integers; pass " +
  "{ dtype: torch.float32 } to torch.tensor() if you meant floats)";

export function markInferredInt64(t: Tensor): Tensor {
  inferredFromIntegers.add(t.data);
  return t;
}

export function isInferredInt64(value: unknown): boolean {
  return value instanceof Tensor && inferredFromIntegers.has(value.data);
}

/** Errors that say an integral dtype was given where a floating one is needed. */
const WANTS_FLOAT = /Long|int64|[Ii]ntegral|floating point/;
const WANTS_LONG = /expected scalar type Long/;

function wantsFloat(message: string): boolean {
  return WANTS_FLOAT.test(message) && !WANTS_LONG.test(message) && !message.endsWith(FLOAT_HINT);
}

/** The tensors among `args` and the values of a trailing options object. */
function tensorsIn(args: readonly unknown[]): unknown[] {
  const last = args[args.length - 1];
  const options = last !== null && typeof last === "object" && !(last instanceof Tensor)
    ? Object.values(last) : [];
  return [...args, ...options];
}

/**
 * `error` with the hint appended when one of `args` (or of the values of a trailing options
 * object) is an inferred int64 tensor and the error asks for a floating dtype.
 */
export function withIntegerHint(error: unknown, args: readonly unknown[]): unknown {
  if (!(error instanceof TorchError) || !wantsFloat(error.message)) return error;
  if (!tensorsIn(args).some(isInferredInt64)) return error;
  const Kind = error.constructor as new (message: string) => TorchError;
  return new Kind(error.message + FLOAT_HINT);
}

/** Wraps a public function so its dtype errors carry the hint (see {@link withIntegerHint}). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function hintIntegerInputs<F extends (...args: any[]) => any>(fn: F): F {
  const wrapped = (...args: Parameters<F>): ReturnType<F> => {
    try {
      return fn(...args);
    } catch (error) {
      throw withIntegerHint(error, args);
    }
  };
  Object.defineProperty(wrapped, "name", { value: fn.name });
  return wrapped as F;
}
