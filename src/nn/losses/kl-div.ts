/**
 * KLDivLoss: the Kullback–Leibler divergence of the target from the input, both given as
 * (log-)probabilities.
 *
 * ```text
 * lₙ = yₙ·(log yₙ − xₙ)          (logTarget false; 0 where yₙ = 0)
 * lₙ = e^(yₙ)·(yₙ − xₙ)          (logTarget true)
 * 'batchmean' = Σ lₙ / input.size(0)
 * ```
 * Mirrors `torch.nn.functional.kl_div` (torch 1.13): a composite `xlogy(t, t) − t·x` (or
 * `exp(t)·(t − x)`), so `grad_fn` is `SubBackward0`/`MulBackward0` for 'none', `MeanBackward0`,
 * `SumBackward0`, and `DivBackward0` for 'batchmean'. The default 'mean' divides by every
 * element and warns, as PyTorch does; 'batchmean' is the mathematical KL divergence.
 *
 * Same-shape float operands of one dtype with a reduction run as one fused node carrying the
 * composite's top name: forward and the input's gradient (−t·s, or −e^t·s) in one pass, the
 * target's (log t + 1 − x)·s (NaN where t = 0, as PyTorch's s·t/t) in backward. Its
 * `nextFunctions` lead straight to the operands, skipping the composite's inner nodes.
 * Broadcasting, mixed dtypes and 'none' take the composite path.
 *
 * Shape: input `(*)`; target broadcastable to it; output scalar, or the broadcast shape with
 * `reduction: 'none'`.
 *
 * @example
 * const input = F.logSoftmax(torch.tensor([[1, 2, 3], [1, 1, 1]], { dtype: torch.float32 }), 1);
 * const target = F.softmax(torch.tensor([[3, 2, 1], [0, 0, 1]], { dtype: torch.float32 }), 1);
 * String(F.klDiv(input, target, { reduction: "batchmean" }))    // 'tensor(0.6369)'
 */
import { check, warn } from "../../errors.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { type Lease, lease, freshBuffer, spend } from "../../kernels/buffers.js";
import {
  klForward, klInputGrad, klLogForward, klLogTargetGrad, klTargetGrad,
} from "../../kernels/kl.js";
import { asTensorOf } from "../../ops/promote.js";
import { xlogy } from "../../ops/special.js";
import { float32, float64 } from "../../tensor/dtype.js";
import { sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import { type Reduction, applyReduction, checkReduction, resolveReduction } from "../reduction.js";
import { REDUCTION_KEYS, roundingOf } from "./common.js";

export interface KLDivLossOptions {
  /** 'mean' (default, warns) | 'batchmean' | 'sum' | 'none' */
  reduction?: Reduction | "batchmean";
  /** The target holds log-probabilities. Default false. */
  logTarget?: boolean;
  /** Deprecated (PyTorch warns): use `reduction`. */
  sizeAverage?: boolean | null;
  /** Deprecated (PyTorch warns): use `reduction`. */
  reduce?: boolean | null;
}

const KL_KEYS = [...REDUCTION_KEYS, "logTarget"] as const;

const MEAN_WARNING = "reduction: 'mean' divides the total loss by both the batch size and the " +
  "support size.'batchmean' divides only by the batch size, and aligns with the KL div math " +
  "definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.";

const KL_ARGS = signature("kl_div", "kl_div()", ["input", "target"], KL_KEYS,
  { logTarget: ["bool"] }, "KLDivLoss");

export function klDiv(input: Tensor, target: Tensor, options: KLDivLossOptions = {}): Tensor {
  checkArguments(KL_ARGS, [input, target], options);
  const requested = options.reduction ?? "mean";
  const legacy = (options.sizeAverage ?? null) !== null || (options.reduce ?? null) !== null;
  if (!legacy && requested === "mean") warn(MEAN_WARNING);
  const resolved = legacy ? resolveReduction<string>(options, "mean") : requested;
  const reduction = resolved === "batchmean" ? "sum" : checkReduction(resolved);
  check(input.dtype.isFloatingPoint && target.dtype.isFloatingPoint, () =>
    "kl_div: Integral inputs not supported.");
  const batchmean = requested === "batchmean" && input.dim() !== 0;
  // (Legacy flags can ask for 'mean' and then 'batchmean': that rare pair stays composite.)
  if (reduction !== "none" && !(reduction === "mean" && batchmean) && fusable(input, target)) {
    return fusedKlDiv(input, target, options.logTarget ?? false, reduction, batchmean);
  }
  const pointwise = options.logTarget
    ? target.exp().mul(target.sub(input))
    : xlogy(target, target).sub(target.mul(input));
  const reduced = applyReduction(pointwise, reduction);
  // 1.13 checks the requested string here, even when the legacy flags replaced it.
  return batchmean ? reduced.div(input.shape[0]) : reduced;
}

type FloatData = Float32Array | Float64Array;

function fusable(input: Tensor, target: Tensor): boolean {
  return input.dtype === target.dtype && (input.dtype === float32 || input.dtype === float64) &&
    sameShape(input.shape, target.shape);
}

/** The fused 'mean'/'sum'/'batchmean' node (see the doc comment above). */
function fusedKlDiv(input: Tensor, target: Tensor, logTarget: boolean, reduction: "mean" | "sum",
  batchmean: boolean): Tensor {
  const dtype = input.dtype;
  const kind = dtype === float32 ? "float32" : "float64";
  const r = roundingOf(dtype);
  const x = input.data as FloatData;
  const t = target.data as FloatData;
  const n = x.length;
  // MeanBackward0 / DivBackward0 hand on r(g / divisor); SumBackward0 g itself.
  const divisor = reduction === "mean" ? n : batchmean ? input.shape[0] : 1;
  const scale = (g: number) => (divisor === 1 ? g : r(g / divisor));
  const held = isGradEnabled() && input.requiresGrad ? lease(kind, n) : null;
  const gx = held?.data ?? null;
  const sum = logTarget ? klLogForward(x, t, r, gx, scale(1)) : klForward(x, t, r, gx, scale(1));
  // PyTorch sums in the dtype (float32 overflows to inf), then divides.
  const value = reduction === "mean" ? r(r(sum) / n) : batchmean ? r(r(sum) / divisor) : r(sum);
  const out = new Tensor(new (dtype === float32 ? Float32Array : Float64Array)([value]), []);
  const name = reduction === "mean" ? "MeanBackward0" : batchmean ? "DivBackward0" : "SumBackward0";
  return record(name, out, [input, target], (grad) => {
    const u = (asTensorOf(grad, dtype).data as FloatData)[0];
    const s = scale(u);
    const inputGrad = (buffer: Lease) => {
      const reuse = buffer.valid && u === 1;
      const data = reuse ? buffer.data : freshBuffer(kind, n);
      spend(buffer);
      if (!reuse) klInputGrad(t, logTarget, s, r, data);
      return new Tensor(data, input.shape);
    };
    const targetGrad = () => {
      const data = freshBuffer(kind, n);
      (logTarget ? klLogTargetGrad : klTargetGrad)(x, t, s, r, data);
      return new Tensor(data, target.shape);
    };
    return [held ? inputGrad(held) : null, target.requiresGrad ? targetGrad() : null];
  });
}

/** Module form of {@link klDiv}. */
export const KLDivLoss = lossModule<[Tensor, Tensor], KLDivLossOptions>("KLDivLoss", klDiv,
  KL_KEYS, { defaults: { logTarget: false } });
export type KLDivLoss = InstanceType<typeof KLDivLoss>;
