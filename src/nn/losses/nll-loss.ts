/**
 * NLLLoss: negative log-likelihood of class-index targets.
 *
 * ```text
 * lᵢ = −w[yᵢ] · x[i, yᵢ]           (0 where yᵢ == ignoreIndex)
 * 'mean' = Σ lᵢ / Σ_{yᵢ ≠ ignoreIndex} w[yᵢ]
 * ```
 * Mirrors `torch.nn.functional.nll_loss` (torch 1.13): one fused op with a hand-written
 * gradient (∂L/∂x[i, yᵢ] = −w[yᵢ]·gᵢ·s, 0 elsewhere), `NllLossBackward0` for 1-D/2-D input and
 * `NllLoss2DBackward0` for K-dimensional input (3-D and ≥5-D inputs are viewed as
 * `(N, C, 1, −1)` first, as PyTorch does). The input is expected to hold log-probabilities;
 * nothing checks it. Follows torch 2.x in rejecting a 1-D input with a 1-D target (1.13 silently
 * used `target[0]`).
 *
 * Shape: input `(C)`, `(N, C)` or `(N, C, d1, …, dK)`; target `()`, `(N)` or `(N, d1, …, dK)`
 * (int64); `weight` `(C)`; output scalar, or the target's shape with `reduction: 'none'`.
 *
 * @example
 * const logp = torch.tensor([[-1, -2, -3], [-4, -5, -6]], { dtype: torch.float32 });
 * String(F.nllLoss(logp, torch.tensor([1, 2])))    // 'tensor(4.)'
 */
import { markTransferable } from "../../autograd/engine.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, ValueError, check } from "../../errors.js";
import { type NllLayout, nllBackward, nllForward, targetIndices } from "../../kernels/nll.js";
import { dtypeTitle } from "../../ops/binary.js";
import { allocStorage, float32, float64, int64 } from "../../tensor/dtype.js";
import { listString, numelOf } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import { type Reduction, type ReductionOptions, checkReduction, resolveReduction }
  from "../reduction.js";
import { REDUCTION_KEYS } from "./common.js";

export interface NLLLossOptions extends ReductionOptions {
  /** A manual rescaling weight for each class, `(C)`, of the input's dtype. */
  weight?: Tensor | null;
  /** Targets equal to this value contribute neither loss nor gradient. Default -100. */
  ignoreIndex?: number;
}

export const NLL_KEYS = [...REDUCTION_KEYS, "weight", "ignoreIndex"] as const;

type FloatData = Float32Array | Float64Array;
/** Gradients of at least this many elements take {@link sparseZeros}' lazily zeroed arrays. */
const SPARSE_MIN = 1 << 20;

const NLL_ARGS = signature("nll_loss_nd", "nll_loss()", ["input", "target"], NLL_KEYS,
  { weight: ["Tensor?", 3], ignoreIndex: ["int", 5] }, "NLLLoss");

export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  checkArguments(NLL_ARGS, [input, target], options);
  const reduction = checkReduction(resolveReduction(options, "mean"));
  return nllLossNd(input, target, options.weight ?? null, reduction, options.ignoreIndex ?? -100);
}

/**
 * Computes the loss and records its node once every check has passed: NLL's kernel by default;
 * cross-entropy passes its fused log-softmax + NLL. `target` holds the class indices.
 */
export type NllOp = (name: string, input: Tensor, target: Float64Array, weight: Tensor | null,
  reduction: Reduction, ignoreIndex: number, layout: NllLayout,
  outShape: readonly number[]) => Tensor;

/** PyTorch's `nll_loss_nd`: routes by input rank to the 1-D/2-D or the spatial kernel. */
export function nllLossNd(input: Tensor, target: Tensor, weight: Tensor | null,
  reduction: Reduction, ignoreIndex: number, op: NllOp = nllKernelOp): Tensor {
  check(input.dim() >= 1, () => `Expected 1 or more dimensions (got ${input.dim()})`, ValueError);
  const targetBatch = target.dim() === 0 ? 0 : target.shape[0];
  check(input.dim() === 1 || input.shape[0] === targetBatch, () => "Expected input batch_size " +
    `(${input.shape[0]}) to match target batch_size (${targetBatch}).`, ValueError);
  if (input.dim() <= 2) return nllLoss1d2d(input, target, weight, reduction, ignoreIndex, op);
  if (input.dim() === 4) return nllLoss2d(input, target, weight, reduction, ignoreIndex, op);
  const [n, c, ...spatial] = input.shape;
  const outSize = [n, ...spatial];
  check(listString(target.shape.slice(1)) === listString(spatial), () =>
    `Expected target size ${listString(outSize)}, got ${listString(target.shape)}`);
  const empty = input.numel() === 0;
  const input4 = input.contiguous().view(empty ? [n, c, 0, 0] : [n, c, 1, -1]);
  const target3 = target.contiguous().view(target.numel() === 0 ? [n, 0, 0] : [n, 1, -1]);
  const out = nllLoss2d(input4, target3, weight, reduction, ignoreIndex, op);
  return reduction === "none" ? out.view(outSize) : out;
}

function nllLoss1d2d(input: Tensor, target: Tensor, weight: Tensor | null,
  reduction: Reduction, ignoreIndex: number, op: NllOp): Tensor {
  checkWeightGrad(weight, "nll_loss_forward");
  check(target.dim() <= 1, () => "0D or 1D target tensor expected, multi-target not supported");
  const noBatchDim = input.dim() === 1 && target.dim() === 0;
  check(noBatchDim || input.shape[0] === target.shape[0], () => "size mismatch (got input: " +
    `${listString(input.shape)}, target: ${listString(target.shape)})`);
  check(!(input.dim() === 1 && target.dim() === 1), () => "Expected target to be 0D when input " +
    `is 1D, but got target.dim =${target.dim()}`);
  const classes = input.shape[input.dim() - 1];
  checkWeight(weight, classes, "");
  const layout = { batch: input.dim() === 1 ? 1 : input.shape[0], classes, spatial: 1 };
  const outShape = input.dim() === 2 ? [input.shape[0]] : [];
  return checkedOp(op, "NllLossBackward0", "nll_loss_out_frame", input, target, weight,
    reduction, ignoreIndex, layout, outShape);
}

function nllLoss2d(input: Tensor, target: Tensor, weight: Tensor | null,
  reduction: Reduction, ignoreIndex: number, op: NllOp): Tensor {
  checkWeightGrad(weight, "nll_loss2d_forward");
  check(target.dim() === 3, () => "only batches of spatial targets supported (3D tensors) but " +
    `got targets of dimension: ${target.dim()}`);
  const [n, classes, h, w] = input.shape;
  // The spatial kernel checks only the element count, with its own (shorter) message.
  check(!weight || weight.numel() === classes, () =>
    "weight tensor should be defined either for all or no classes");
  check(n === target.shape[0] && h === target.shape[1] && w === target.shape[2], () =>
    `size mismatch (got input: ${listString(input.shape)} , target: ${listString(target.shape)}`);
  return checkedOp(op, "NllLoss2DBackward0", "nll_loss2d_forward_out_frame", input, target,
    weight, reduction, ignoreIndex, { batch: n, classes, spatial: h * w }, [n, h, w]);
}

function checkWeightGrad(weight: Tensor | null, fn: string): void {
  check(!weight?.requiresGrad, () => `The function '${fn}' is not differentiable with respect ` +
    "to argument 'weight'. This input cannot have requires_grad True.");
}

/** The class-weight check shared by NLL and cross-entropy (`prefix` is `cross_entropy: `). */
export function checkWeight(weight: Tensor | null, classes: number, prefix: string): void {
  check(!weight || (weight.dim() === 1 && weight.numel() === classes), () => `${prefix}weight ` +
    `tensor should be defined either for all ${classes} classes or no classes but got weight ` +
    `tensor of shape: ${listString(weight!.shape)}`);
}

function checkDtypes(kernel: string, input: Tensor, target: Tensor, weight: Tensor | null) {
  if (!input.dtype.isFloatingPoint) {
    throw new RuntimeError(`"${kernel}" not implemented for '${dtypeTitle(input.dtype)}'`);
  }
  check(!weight || weight.dtype === input.dtype, () => `expected scalar type ` +
    `${dtypeTitle(input.dtype)} but found ${dtypeTitle(weight!.dtype)}`);
  check(target.dtype === int64, () =>
    `expected scalar type Long but found ${dtypeTitle(target.dtype)}`);
}

/** The dtype and target-range checks shared by every op, then the op. */
function checkedOp(op: NllOp, name: string, kernel: string, input: Tensor, target: Tensor,
  weight: Tensor | null, reduction: Reduction, ignoreIndex: number, layout: NllLayout,
  outShape: readonly number[]): Tensor {
  checkDtypes(kernel, input, target, weight);
  const t = targetIndices(target.data as BigInt64Array, layout.classes, ignoreIndex);
  return op(name, input, t, weight, reduction, ignoreIndex, layout, outShape);
}

/** The reduced (or 'none') output of a loss from its per-position sums. */
export function nllOutput(input: Tensor, reduction: Reduction, positions: number, total: number,
  totalWeight: number): Tensor {
  // PyTorch sums float32 in float32: a total past its range is inf, and so is the mean
  const sum = input.dtype === float32 ? Math.fround(total) : total;
  const value = positions === 0 ? (reduction === "mean" ? NaN : 0)
    : reduction === "mean" ? sum / totalWeight : sum;
  return new Tensor((allocStorage(input.dtype, 1) as FloatData).fill(value), []);
}

/** NLL's fused forward and its recorded backward for one layout `[N, C, spatial]`. */
function nllKernelOp(name: string, input: Tensor, t: Float64Array, weight: Tensor | null,
  reduction: Reduction, ignoreIndex: number, layout: NllLayout,
  outShape: readonly number[]): Tensor {
  const w = weight ? (weight.data as FloatData) : null;
  const x = input.data as FloatData;
  const positions = layout.batch * layout.spatial;
  let out: Tensor;
  let totalWeight = 0;
  if (reduction === "none") {
    const losses = allocStorage(input.dtype, numelOf(outShape)) as FloatData;
    nllForward(x, t, w, ignoreIndex, layout, losses);
    out = new Tensor(losses, outShape);
  } else {
    const sums = nllForward(x, t, w, ignoreIndex, layout, null,
      input.dtype === float32 ? Math.fround : undefined);
    totalWeight = sums.totalWeight;
    out = nllOutput(input, reduction, positions, sums.total, totalWeight);
  }
  const scale = reduction === "mean" ? 1 / totalWeight : 1;
  return record(name, out, [input, null, null], (g) => {
    const grad = sparseZeros(input.dtype === float32, input.numel());
    nllBackward(t, w, ignoreIndex, layout, g.data as FloatData, scale, grad);
    return [markTransferable(new Tensor(grad, input.shape))];
  });
}

/**
 * A zeroed gradient that NLL's backward writes at one entry per position. Large ones are fresh
 * JS-heap arrays: the system hands those out as untouched zero pages, so only the pages the
 * scatter writes cost anything (a pooled or shared-memory buffer would need an N×C memset).
 * The engine keeps it as `.grad` without a copy (nothing else references it).
 */
function sparseZeros(f32: boolean, n: number): FloatData {
  if (n < SPARSE_MIN) return allocStorage(f32 ? float32 : float64, n) as FloatData;
  return f32 ? new Float32Array(n) : new Float64Array(n);
}

/** Module form of {@link nllLoss}. */
export const NLLLoss = lossModule<[Tensor, Tensor], NLLLossOptions>("NLLLoss", nllLoss, NLL_KEYS,
  { defaults: { weight: null, ignoreIndex: -100 } });
export type NLLLoss = InstanceType<typeof NLLLoss>;

