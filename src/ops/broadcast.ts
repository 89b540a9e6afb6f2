/** `torch.broadcast_tensors`: every tensor expanded to the common broadcast shape. */
import { broadcastShapes, sameShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

export function broadcastTensors(...tensors: Tensor[]): Tensor[] {
  const shape = tensors.reduce<readonly number[]>((s, t) => broadcastShapes(s, t.shape), []);
  return tensors.map((t) => (sameShape(t.shape, shape) ? t : t.expand(shape)));
}
