/** The `torch` namespace: everything `import * as torch from "torchloss"` exposes. */
export { Tensor } from "./tensor/tensor.js";
export type { TensorOrScalar } from "./tensor/tensor.js";
export {
  DType, bool, float32, float64, int64,
  float32 as float, float64 as double, int64 as long,
} from "./tensor/dtype.js";
export {
  arange, empty, emptyLike, full, fullLike, ones, onesLike, tensor, zeros, zerosLike,
} from "./tensor/creation.js";
export type { FactoryOptions, TensorOptions } from "./tensor/creation.js";
export { rand, randint, randn, randperm } from "./tensor/random.js";
export type { RandomOptions } from "./tensor/random.js";
export { Generator, defaultGenerator, initialSeed, manualSeed } from "./random/generator.js";

export { add, clamp, clampMax, clampMin, div, eq, ge, gt, le, lt, maximum, minimum, mul, ne,
  pow, rsub, sub, where } from "./ops/binary.js";
export { abs, exp, expm1, isnan, log, log1p, logicalNot, neg, sigmoid, sign, sqrt }
  from "./ops/unary.js";
export { amax, amin, argmax, argmin, logsumexp, max, mean, min, norm, sum }
  from "./ops/reduce.js";
export { flatten, movedim, permute, reshape, squeeze, transpose, unsqueeze }
  from "./ops/shape.js";
export { gather, indexSelect, maskedFill, select } from "./ops/indexing.js";
export { xlogy } from "./ops/special.js";
export { broadcastTensors } from "./ops/broadcast.js";
export { logSoftmax, softmax } from "./ops/softmax.js";

export { enableGrad, isGradEnabled, noGrad, setGradEnabled } from "./autograd/grad-mode.js";
export * as autograd from "./autograd/index.js";
export { getPrintoptions, setPrintoptions } from "./printing/options.js";
export {
  IndexError, RuntimeError, TorchError, TorchTypeError, ValueError,
} from "./errors.js";

export * as nn from "./nn/index.js";
export * as F from "./functional.js";
