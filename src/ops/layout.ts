/**
 * The memory layout PyTorch's TensorIterator gives an elementwise result. Storage here is
 * always contiguous; the layout only sets `torchStrides`, so that `isContiguous`, `view` and
 * the `reshape` node names follow PyTorch after ops on permuted tensors (`x.t().exp()` is
 * not contiguous there).
 */
import { isContiguousStrides } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

/** An operand's strides over the broadcast `shape`: 0 on broadcast and missing dims. */
function iterationStrides(t: Tensor, shape: readonly number[]): number[] {
  const own = t.torchStrides ?? contiguous(t.shape);
  const offset = shape.length - t.dim();
  return shape.map((s, d) => {
    if (d < offset) return 0;
    return t.shape[d - offset] === 1 && s !== 1 ? 0 : own[d - offset];
  });
}

function contiguous(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; s *= shape[d--]) out[d] = s;
  return out;
}

/**
 * TensorIterator's should_swap: the first operand with unequal, non-zero strides decides
 * (1: dim0 goes after dim1, -1: before); equal strides put the smaller size first.
 */
function shouldSwap(strides: readonly number[][], shape: readonly number[], d0: number,
  d1: number): number {
  for (const s of strides) {
    if (s[d0] === 0 || s[d1] === 0) continue;
    if (s[d0] !== s[d1]) return s[d0] < s[d1] ? -1 : 1;
    if (shape[d0] > shape[d1]) return 1;
  }
  return 0;
}

/**
 * The strides of the result of an elementwise op over `operands` (non-tensors, i.e. JS
 * scalars, are ignored) with broadcast `shape`; null when the result is contiguous.
 */
export function elementwiseStrides(operands: readonly unknown[], shape: readonly number[]) {
  const tensors = operands.filter((x): x is Tensor => x instanceof Tensor);
  if (shape.length < 2 || tensors.every((t) => t.torchStrides === null)) return null;
  const strides = tensors.map((t) => iterationStrides(t, shape));
  // perm lists dims from fastest to slowest; an insertion sort that stops on ambiguity.
  const perm = shape.map((_, i) => shape.length - 1 - i);
  for (let i = 1; i < perm.length; i++) {
    for (let j = i - 1, k = i; j >= 0; j--) {
      const order = shouldSwap(strides, shape, perm[j], perm[k]);
      if (order < 0) break;
      if (order > 0) {
        [perm[j], perm[k]] = [perm[k], perm[j]];
        k = j;
      }
    }
  }
  const out = new Array<number>(shape.length);
  let next = 1;
  for (const d of perm) {
    out[d] = next;
    next *= shape[d];
  }
  return isContiguousStrides(shape, out) ? null : out;
}

/** Sets the elementwise layout of `out` from its operands; returns `out`. */
export function withLayout(out: Tensor, operands: readonly unknown[]): Tensor {
  out.torchStrides = elementwiseStrides(operands, out.shape);
  return out;
}
