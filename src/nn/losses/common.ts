/** Checks shared by several losses. */
import { warn } from "../../errors.js";
import { sameShape, sizeString } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

/** L1/MSE/Huber/SmoothL1 warn (and then broadcast) when the target's size differs. */
export function warnIfSizesDiffer(input: Tensor, target: Tensor): void {
  if (sameShape(input.shape, target.shape)) return;
  warn(`Using a target size (${sizeString(target.shape)}) that is different to the input size ` +
    `(${sizeString(input.shape)}). This will likely lead to incorrect results due to ` +
    "broadcasting. Please ensure they have the same size.");
}

/** The option keys every loss with `reduction` accepts. */
export const REDUCTION_KEYS = ["reduction", "sizeAverage", "reduce"] as const;
