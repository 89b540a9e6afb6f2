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
 * Broadcasting, mixed dtypes and 'none' take the composite path. The usual call,
 * `klDiv(logSoftmax(x, -1), softmax(t, -1))` with a target that needs no gradient, goes further
 * on the WebAssembly kernels: the two softmaxes are deferred (ops/softmax.ts) and one pass per
 * row over x and t gives the loss and x's gradient, never writing either intermediate.
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
import { bufferKind, freshBuffer, lease, spend } from "../../kernels/buffers.js";
import {
  klForward, klInputGrad, klLogForward, klLogTargetGrad, klTargetGrad,
} from "../../kernels/kl.js";
import { klSoftmaxRows } from "../../kernels/kl-softmax.js";
import { deferredRowsOf, fuseThroughLogSoftmax } from "../../ops/softmax.js";
import { xlogy } from "../../ops/special.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import { type Reduction, applyReduction, checkReduction, resolveReduction } from "../reduction.js";
import { REDUCTION_KEYS, roundingOf } from "./common.js";
import { fusedLoss, sameFloatOperands } from "./fused-node.js";

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
  if (reduction !== "none" && !(reduction === "mean" && batchmean) && sameFloatOperands(input, target)) {
    const chain = options.logTarget ? null : softmaxChain(input, target, reduction, batchmean);
    return chain ?? fusedKlDiv(input, target, options.logTarget ?? false, reduction, batchmean);
  }
  const pointwise = options.logTarget
    ? target.exp().mul(target.sub(input))
    : xlogy(target, target).sub(target.mul(input));
  const reduced = applyReduction(pointwise, reduction);
  // 1.13 checks the requested string here, even when the legacy flags replaced it.
  return batchmean ? reduced.div(input.shape[0]) : reduced;
}

type FloatData = Float32Array | Float64Array;

/** The fused 'mean'/'sum'/'batchmean' node (see the doc comment above). */
function fusedKlDiv(input: Tensor, target: Tensor, logTarget: boolean, reduction: "mean" | "sum",
  batchmean: boolean): Tensor {
  const r = roundingOf(input.dtype);
  const x = input.data as FloatData;
  const t = target.data as FloatData;
  return fusedLoss({
    reduction: batchmean ? "batchmean" : reduction, input, others: [target],
    forward(gx, s) {
      return (logTarget ? klLogForward : klForward)(x, t, r, gx, s);
    },
    otherGrad(_, s, out) {
      (logTarget ? klLogTargetGrad : klTargetGrad)(x, t, s, r, out);
    },
  })!;
}

/**
 * `klDiv(logSoftmax(x), softmax(t))` while neither softmax has been computed (ops/softmax.ts
 * defers them): one pass per row over x and t gives the loss and x's gradient through
 * LogSoftmaxBackward0, and neither N×C intermediate is written. The graph is the unfused one:
 * this node's gradient for the log-probabilities is computed only if something other than
 * their LogSoftmaxBackward0 needs it. Null when the chain does not apply (a target that
 * requires grad, mismatched rows, no kernel).
 */
function softmaxChain(input: Tensor, target: Tensor, reduction: "mean" | "sum",
  batchmean: boolean): Tensor | null {
  const x = deferredRowsOf(input);
  const t = deferredRowsOf(target);
  if (!x || !t || !x.log || t.log || x.rows !== t.rows || x.size !== t.size ||
    target.requiresGrad) return null;
  const kind = bufferKind(input.dtype);
  const n = input.numel();
  const rows = (out: FloatData, s: number) =>
    klSoftmaxRows(x.source.read() as FloatData, t.source.read() as FloatData, out, x.rows,
      x.size, -s);
  // Without a gradient to fill, the kernel still needs its rows of scratch.
  const forward = (gx: FloatData | null, s: number) => {
    if (gx) return rows(gx, s);
    const scratch = lease(kind, n);
    spend(scratch);
    return rows(scratch.data, s);
  };
  const wantsGrad = isGradEnabled() && input.requiresGrad;
  const out = fusedLoss({
    reduction: batchmean ? "batchmean" : reduction, input, others: [target], forward,
    inputGrad(inputGrad, s) {
      // −s·softmax(t), what LogSoftmaxBackward0 receives in the unfused graph
      const logpGrad = Tensor.deferred(input.shape, input.dtype, () => {
        const data = freshBuffer(kind, n);
        klInputGrad(target.data as FloatData, false, s, roundingOf(input.dtype), data);
        return data;
      });
      return fuseThroughLogSoftmax(logpGrad, input, inputGrad);
    },
  });
  // The node's backward may read x and t again (another upstream gradient).
  if (out && wantsGrad) [x.source, t.source].forEach((cell) => cell.retain());
  return out;
}

/** Module form of {@link klDiv}. */
export const KLDivLoss = lossModule<[Tensor, Tensor], KLDivLossOptions>("KLDivLoss", klDiv,
  KL_KEYS, { defaults: { logTarget: false } });
export type KLDivLoss = InstanceType<typeof KLDivLoss>;
