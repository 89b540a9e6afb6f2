/**
 * Error classes named after the Python exceptions PyTorch raises, so that a ported snippet
 * fails with the same kind of error and the same text users search for.
 */

export class TorchError extends Error {
  override name = "TorchError";
}

/** PyTorch's `RuntimeError` (most TORCH_CHECK failures). */
export class RuntimeError extends TorchError {
  override name = "RuntimeError";
}

/** PyTorch's `ValueError` (bad option values such as an unknown reduction). */
export class ValueError extends TorchError {
  override name = "ValueError";
}

/** PyTorch's `TypeError` (wrong argument kinds, unknown keyword arguments). */
export class TorchTypeError extends TorchError {
  override name = "TypeError";
}

/** PyTorch's `IndexError` (dimension or index out of range). */
export class IndexError extends TorchError {
  override name = "IndexError";
}

type ErrorClass = new (message: string) => TorchError;

/** Throws `kind` with the lazily built `message` unless `condition` holds (`torch._check`). */
export function check(
  condition: boolean,
  message: () => string,
  kind: ErrorClass = RuntimeError,
): asserts condition {
  if (!condition) throw new kind(message());
}

/** PyTorch's UserWarning: printed once per distinct message, like Python's default filter. */
const warned = new Set<string>();
export type WarningHandler = (message: string) => void;
let warningHandler: WarningHandler = (message) => console.warn(`UserWarning: ${message}`);

export function warn(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  warningHandler(message);
}

/** Replaces the warning sink (tests capture warnings with this); returns the previous one. */
export function setWarningHandler(handler: WarningHandler): WarningHandler {
  const previous = warningHandler;
  warningHandler = handler;
  return previous;
}

/** Forgets which warnings were already shown (Python's `warnings.resetwarnings`). */
export function resetWarnings(): void {
  warned.clear();
}
