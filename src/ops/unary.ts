/** Elementwise unary ops with their gradients, and in-place fill. */
import { markTransferable as fresh } from "../autograd/engine.js";
import { record } from "../autograd/record.js";
import { RuntimeError, check } from "../errors.js";
import * as kernels from "../kernels/cpu.js";
import { type FastUnaryOp, unaryFast } from "../kernels/elementwise.js";
import { type DType, bool, float32 } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { withLayout } from "./layout.js";
import { asTensorOf } from "./promote.js";
import { fusedGrad, resultStorage } from "./binary.js";

/** Float ops on integral input compute in the default dtype (`torch.exp(long)` is float32). */
function floatingDtype(x: Tensor): DType {
  return x.dtype.isFloatingPoint ? x.dtype : float32;
}

/** Applies a float function elementwise, promoting integral input to float32. */
function mapFloat(x: Tensor, op: FastUnaryOp): Tensor {
  const dtype = floatingDtype(x);
  const src = asTensorOf(x, dtype);
  const out = resultStorage(dtype, x.numel()) as Float32Array | Float64Array;
  unaryFast(op, src.data as Float32Array | Float64Array, out);
  return withLayout(new Tensor(out, x.shape), [x]);
}

/** Applies a dtype-preserving function: numbers for float and bool, bigints for int64. */
function mapSameDtype(
  x: Tensor, number: (v: number) => number, bigint: (v: bigint) => bigint, outDtype = x.dtype,
  fast?: FastUnaryOp,
): Tensor {
  const out = resultStorage(outDtype, x.numel());
  if (fast && (x.data instanceof Float32Array || x.data instanceof Float64Array) &&
    (out instanceof Float32Array || out instanceof Float64Array)) {
    unaryFast(fast, x.data, out);
  } else if (x.data instanceof BigInt64Array) {
    kernels.unary(x.data, out as kernels.Flat<bigint | number>, bigint);
  } else {
    kernels.unary(x.data as kernels.Flat<number>, out as kernels.Flat<number>, number);
  }
  return withLayout(new Tensor(out, x.shape), [x]);
}

export function neg(x: Tensor): Tensor {
  check(x.dtype !== bool, () => "Negation, the `-` operator, on a bool tensor is not " +
    "supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator " +
    "instead.");
  const out = mapSameDtype(x, (v) => -v, (v) => BigInt.asIntN(64, -v), x.dtype, "neg");
  return record("NegBackward0", out, [x], (g) => [fresh(g.neg())], { savesTensors: false });
}

export function abs(x: Tensor): Tensor {
  const out = mapSameDtype(x, Math.abs, (v) => BigInt.asIntN(64, v < 0n ? -v : v), x.dtype,
    "abs");
  return record("AbsBackward0", out, [x], (g) => [fusedGrad("abs", g, x) ?? g.mul(x.sign())]);
}

export function sign(x: Tensor): Tensor {
  const out = mapSameDtype(x, (v) => (v !== v ? 0 : Math.sign(v) + 0),
    (v) => (v > 0n ? 1n : v < 0n ? -1n : 0n), x.dtype, "sign");
  return record("SignBackward0", out, [x], (g) => [g.zerosLike()], { savesTensors: false });
}

export function exp(x: Tensor): Tensor {
  const out = mapFloat(x, "exp");
  return record("ExpBackward0", out, [x], (g) => [fresh(g.mul(out))]);           // d/dx eˣ = eˣ
}

export function log(x: Tensor): Tensor {
  return record("LogBackward0", mapFloat(x, "log"), [x], (g) => [fresh(g.div(x))]);
}

export function log1p(x: Tensor): Tensor {
  return record("Log1PBackward0", mapFloat(x, "log1p"), [x], (g) => [g.div(x.add(1))]);
}

export function expm1(x: Tensor): Tensor {
  const out = mapFloat(x, "expm1");
  return record("Expm1Backward0", out, [x], (g) => [g.mul(out.add(1))]);
}

export function sqrt(x: Tensor): Tensor {
  const out = mapFloat(x, "sqrt");
  return record("SqrtBackward0", out, [x], (g) => [g.div(out.mul(2))]);   // 1 / (2√x)
}

export function sigmoid(x: Tensor): Tensor {
  const out = mapFloat(x, "sigmoid");
  return record("SigmoidBackward0", out, [x], (g) => [g.mul(out).mul(out.rsub(1))]);
}

export function logicalNot(x: Tensor): Tensor {
  return mapSameDtype(x, (v) => +(v === 0), (v) => BigInt(+(v === 0n)), bool);
}

export function isnan(x: Tensor): Tensor {
  return mapSameDtype(x, (v) => +(v !== v), () => 0n, bool);
}

/**
 * `t.fill_(value)`; refuses leaves that require grad, as PyTorch does. On a tensor with a
 * history the new values are constants: its grad_fn becomes `name`, passing zeros back.
 */
export function fillInPlace(t: Tensor, value: number | boolean, name = "FillBackward2"): void {
  checkInPlace(t);
  if (t.gradFn) {
    const history = new Tensor(t.data, t.shape);
    history.setGradFn(t.gradFn);
    record(name, t, [history], (g) => [g.zerosLike()], { savesTensors: false });
  }
  const data = t.data;
  if (data instanceof BigInt64Array) {
    const v = Number(value);
    check(Number.isFinite(v) && Math.abs(v) < 2 ** 63, () => "value cannot be converted to " +
      "type int64_t without overflow");
    data.fill(BigInt(Math.trunc(v)));
  } else if (data instanceof Uint8Array) {
    data.fill(value ? 1 : 0);
  } else {
    data.fill(Number(value));
  }
}

/** PyTorch's guard against in-place writes into a leaf that requires grad. */
export function checkInPlace(t: Tensor): void {
  if (t.isLeaf && t.requiresGrad) {
    throw new RuntimeError("a leaf Variable that requires grad is being used in an in-place " +
      "operation.");
  }
}

