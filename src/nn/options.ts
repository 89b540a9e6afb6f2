/**
 * Option objects are checked like Python keyword arguments: an unknown key is a TypeError
 * with PyTorch's text. Snake_case keys, the most common porting slip, get a hint naming the
 * camelCase key.
 */
import { TorchTypeError } from "../errors.js";

function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Throws for any key of `options` not in `allowed`.
 * `where` is PyTorch's function name in the message: `cross_entropy()` or
 * `CrossEntropyLoss.__init__()`.
 */
export function checkOptions(where: string, options: object | undefined,
  allowed: readonly string[]): void {
  if (options === undefined || options === null) return;
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const suggestion = camelCase(key);
    const hint = suggestion !== key && allowed.includes(suggestion)
      ? ` (torchloss option names are camelCase: use '${suggestion}')` : "";
    throw new TorchTypeError(`${where} got an unexpected keyword argument '${key}'${hint}`);
  }
}
