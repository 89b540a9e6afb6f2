/**
 * torchloss: PyTorch's loss functions for TypeScript.
 *
 * ```ts
 * import * as torch from "torchloss";
 * const F = torch.nn.functional;
 * ```
 */
import * as torch from "./torch.js";

export * from "./torch.js";
export default torch;
