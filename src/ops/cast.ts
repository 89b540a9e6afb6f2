/** dtype conversion of storage and tensors (`Tensor.to`, `.float()`, `.double()`, …). */
import { record } from "../autograd/record.js";
import {
  type DType, type Storage, allocStorage, copyStorage, dtypeOfStorage,
} from "../tensor/dtype.js";
import { denseStrides } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

const INT64_MIN = -(2n ** 63n);

/** float → int64 truncates toward zero; NaN and out-of-range values give INT64_MIN, as on x86. */
function floatToBigInt(v: number): bigint {
  if (!Number.isFinite(v) || Math.abs(v) >= 2 ** 63) return INT64_MIN;
  return BigInt(Math.trunc(v));
}

/** Converts `data` to a new storage of `dtype` (a copy even when the dtype is unchanged). */
export function castStorage(data: Storage, dtype: DType): Storage {
  const from = dtypeOfStorage(data);
  if (from === dtype) return copyStorage(data);
  const out = allocStorage(dtype, data.length);
  if (out instanceof BigInt64Array) {
    if (data instanceof BigInt64Array) out.set(data);
    else for (let i = 0; i < data.length; i++) out[i] = floatToBigInt(Number(data[i]));
  } else if (out instanceof Uint8Array) {
    // NaN converts to true, as C++'s static_cast<bool> does.
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]) !== 0 ? 1 : 0;
  } else if (data instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  } else {
    out.set(data);
  }
  return out;
}

/**
 * `t.to(dtype)`: the same tensor when the dtype already matches, else a copy. A cast to an
 * integral or bool dtype ends the graph (its result cannot require grad).
 */
export function toDtype(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = new Tensor(castStorage(t.data, dtype), t.shape);
  out.torchStrides = denseStrides(t.shape, t.torchStrides);
  if (!dtype.isFloatingPoint) return out;
  return record("ToCopyBackward0", out, [t], (grad) => [grad], { savesTensors: false });
}
