/**
 * MultiLabelMarginLoss: the multi-class multi-label hinge loss. Each target row lists class
 * indices, ended by the first −1 (later entries are ignored, but must still lie in [−1, C)).
 *
 * ```text
 * lₙ = Σ_{j ∈ Jₙ} Σ_{i ∉ Jₙ} max(0, 1 − (x[n, j] − x[n, i])) / C      (Jₙ: the listed classes)
 * ```
 * Mirrors `torch.nn.functional.multilabel_margin_loss` (torch 1.13): one fused op
 * (`MultilabelMarginLossBackward0`, lower-case "label") with the hand-written gradient: each
 * term z = 1 − x[n, j] + x[n, i] > 0 adds g·s/C to ∂/∂x[n, i] and −g·s/C to ∂/∂x[n, j]
 * (s = 1/N for 'mean'). The test is strict: z = 0 and NaN terms add neither loss nor gradient.
 * A class listed twice counts twice. One deviation: an empty batch gives nan for 'mean' and 0
 * for 'sum' (1.13 returns uninitialised memory, spec §1.4).
 *
 * Shape: input `(C)` or `(N, C)` (a 0-dim input is one class); target int64 of the same shape;
 * output scalar, or `(N)` with `reduction: 'none'` and a 2-D input.
 *
 * @example
 * const x = torch.tensor([[0.1, 0.2, 0.4, 0.8]], { dtype: torch.float32 });
 * String(F.multilabelMarginLoss(x, torch.tensor([[3, 0, -1, 1]])))    // 'tensor(0.8500)'
 */
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, check } from "../../errors.js";
import { lease } from "../../kernels/buffers.js";
import {
  type MultilabelMarginArgs, multilabelMarginBackward, multilabelMarginForward,
  int64Labels, multilabelMarginFused, onMarginKernel,
} from "../../kernels/margin-losses.js";
import { dtypeTitle } from "../../ops/binary.js";
import { asTensorOf } from "../../ops/promote.js";
import { type FloatStorage, allocStorage, float32, int64 } from "../../tensor/dtype.js";
import { listString } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import { type Reduction, type ReductionOptions, checkReduction, resolveReduction }
  from "../reduction.js";
import { REDUCTION_KEYS } from "./common.js";
import { heldGradient, marginFrames, roundingOf } from "./multi-margin-loss.js";

export type MultiLabelMarginLossOptions = ReductionOptions;

const MULTILABEL_MARGIN_ARGS = signature("multilabel_margin_loss", "multilabel_margin_loss()",
  ["input", "target"], REDUCTION_KEYS, {}, "MultiLabelMarginLoss");

export function multilabelMarginLoss(input: Tensor, target: Tensor,
  options: MultiLabelMarginLossOptions = {}): Tensor {
  checkArguments(MULTILABEL_MARGIN_ARGS, [input, target], options);
  const reduction = checkReduction(resolveReduction(options, "mean"));
  const frames = marginFrames(input);
  const classes = input.dim() === 0 ? 1 : input.shape[input.dim() - 1];
  const sameShape = input.dim() <= 1
    ? target.dim() <= 1 && target.numel() === classes
    : target.dim() === 2 && target.shape[0] === frames && target.shape[1] === classes;
  check(sameShape, () =>
    `inconsistent size ${listString(target.shape)} for argument #2 'target'`);
  const outShape = reduction === "none" && target.dim() === 2 ? [frames] : [];
  return multilabelMarginOp(input, target, reduction, frames, classes, outShape);
}

/** The fused `multilabel_margin_loss` once the shapes are checked. */
function multilabelMarginOp(input: Tensor, target: Tensor, reduction: Reduction,
  frames: number, classes: number, outShape: number[]): Tensor {
  const empty = input.numel() === 0;
  const round = roundingOf(input);
  const x = input.data as FloatStorage;
  const wantGrad = isGradEnabled() && input.requiresGrad && !empty;
  // the fused kernel's targets may live in a reusable block: a second backward rereads them
  const args: MultilabelMarginArgs = {
    x, target: targetRows(target, classes, wantGrad && onMarginKernel(x)), frames, classes, round,
  };
  checkKernelDtypes(input, empty ? null : target);
  const sums = new Float64Array(args.frames);
  const g = round(reduction === "mean" ? 1 / (frames * classes) : 1 / classes);
  const held = wantGrad ? lease(input.dtype === float32 ? "float32" : "float64", input.numel())
    : null;
  if (held) multilabelMarginFused(args, g, sums, held.data);
  else multilabelMarginForward(args, sums);
  const out = reduceSums(sums, input, reduction, classes, outShape);
  return record("MultilabelMarginLossBackward0", out, [input], (gradOut) => {
    const up = asTensorOf(gradOut, input.dtype).data as FloatStorage;
    let grad = heldGradient(held, up, classes, round);
    if (!grad) {
      grad = allocStorage(input.dtype, input.numel()) as FloatStorage;
      multilabelMarginBackward({ ...args, target: targetRows(target, classes, false) }, g, up,
        grad);
    }
    return [new Tensor(grad, input.shape)];
  });
}

/**
 * Per frame Σ z / C as `outShape` ('none' with a 2-D target), else the double-precision sum of
 * the frames' Σ z, ÷ C (and ÷ N for 'mean': nan for an empty batch).
 */
function reduceSums(sums: Float64Array, input: Tensor, reduction: Reduction, classes: number,
  outShape: number[]): Tensor {
  const out = allocStorage(input.dtype, outShape.length ? sums.length : 1) as FloatStorage;
  if (outShape.length) {
    for (let n = 0; n < sums.length; n++) out[n] = sums[n] / classes;
  } else {
    let total = 0;
    for (const v of sums) total += v;
    total /= classes;
    out[0] = reduction === "mean" ? total / sums.length : total;
  }
  return new Tensor(out, outShape);
}

/**
 * PyTorch range-checks every target entry (also those after the −1) before the kernel, whose
 * dtype dispatch and int64 target check come next.
 */
function targetRows(target: Tensor, classes: number, scratch: boolean): Int32Array {
  const data = target.data;
  if (data instanceof BigInt64Array) {
    const rows = int64Labels(data, classes, scratch);
    if (rows) return rows;
  }
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    // PyTorch reads target.min() and target.max() as int64, truncating float targets
    const v = Math.trunc(Number(data[i]));
    check(v >= -1 && v < classes, () => "argument #2 'target' is out of range");
    out[i] = v;
  }
  return out;
}

function checkKernelDtypes(input: Tensor, target: Tensor | null): void {
  if (!input.dtype.isFloatingPoint) {
    throw new RuntimeError(`"multilabel_margin_loss_forward_out_frame" not implemented for ` +
      `'${dtypeTitle(input.dtype)}'`);
  }
  check(!target || target.dtype === int64, () =>
    `expected scalar type Long but found ${dtypeTitle(target!.dtype)}`);
}

/** Module form of {@link multilabelMarginLoss}. */
export const MultiLabelMarginLoss = lossModule<[Tensor, Tensor], MultiLabelMarginLossOptions>(
  "MultiLabelMarginLoss", multilabelMarginLoss, REDUCTION_KEYS);
export type MultiLabelMarginLoss = InstanceType<typeof MultiLabelMarginLoss>;
