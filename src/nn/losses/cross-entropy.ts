/**
 * CrossEntropyLoss: log-softmax over the class dimension followed by the negative
 * log-likelihood, for class-index targets or class-probability targets.
 *
 * ```text
 * class indices:  lᵢ = (1 − ε)·(−w[yᵢ]·log pᵢ[yᵢ]) + (ε/C)·(−Σ_c w[c]·log pᵢ[c])
 *                 'mean' divides by Σ_{yᵢ ≠ ignoreIndex} w[yᵢ] (both terms)
 * probabilities:  lᵢ = −Σ_c w[c]·t'ᵢ[c]·log pᵢ[c],  t' = (1 − ε)·t + ε/C
 *                 'mean' divides by N·d1·…·dK
 * ```
 * where p = softmax(input) over the class dim and ε = `labelSmoothing`.
 *
 * Mirrors `torch.nn.functional.cross_entropy` (torch 1.13), including its graph's top node: class
 * indices without smoothing give `NllLossBackward0` (or `NllLoss2DBackward0`/`ViewBackward0` for
 * K-dim input). That case runs fused: one pass per row computes log-softmax, the loss and (when
 * the input requires grad) the finished gradient, so its node's `nextFunctions` lead straight to
 * the input, without PyTorch's inner `LogSoftmaxBackward0`. Smoothing adds a composed term
 * (`AddBackward0`); probability targets are composed (`DivBackward1` for 'mean',
 * `NegBackward0` otherwise). The target kind is decided by shape alone, as in PyTorch: a target
 * of the input's shape holds probabilities. A negative `labelSmoothing` is ignored, as in 1.13.
 *
 * Shape: input `(C)`, `(N, C)` or `(N, C, d1, …, dK)`; target `()`, `(N)` or `(N, d1, …, dK)`
 * int64 class indices, or the input's shape (floating) for probabilities; output scalar, or
 * `()`/`(N)`/`(N, d1, …, dK)` with `reduction: 'none'`.
 *
 * @example
 * const input = torch.tensor([[0.1, 0.2, 0.3]]);
 * String(F.crossEntropy(input, torch.tensor([1])))    // 'tensor(1.1019)'
 */
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { IndexError, check } from "../../errors.js";
import { Lease, bufferKind, freshBuffer, lease, spend } from "../../kernels/buffers.js";
import {
  type CrossEntropyTargets, crossEntropyForward, crossEntropyTargets, scaleByUpstream,
} from "../../kernels/ce.js";
import type { NllLayout } from "../../kernels/nll.js";
import { dtypeTitle } from "../../ops/binary.js";
import { divScalar, mulScalar } from "../../ops/scalar.js";
import { logSoftmax } from "../../ops/softmax.js";
import { allocStorage } from "../../tensor/dtype.js";
import { sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments, signature } from "../arguments.js";
import { type Reduction, checkReduction, resolveReduction } from "../reduction.js";
import {
  NLL_KEYS, type NLLLossOptions, checkWeight, nllLossNd, nllOutput,
} from "./nll-loss.js";

export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** ε in [0, 1]: mixes the target with the uniform distribution. Default 0. */
  labelSmoothing?: number;
}

const CE_KEYS = [...NLL_KEYS, "labelSmoothing"] as const;

const CE_ARGS = signature("cross_entropy_loss", "cross_entropy()", ["input", "target"], CE_KEYS,
  { weight: ["Tensor?", 3], ignoreIndex: ["int", 5], labelSmoothing: ["float", 6] },
  "CrossEntropyLoss");

export function crossEntropy(input: Tensor, target: Tensor,
  options: CrossEntropyLossOptions = {}): Tensor {
  checkArguments(CE_ARGS, [input, target], options);
  const reduction = checkReduction(resolveReduction(options, "mean"));
  const weight = options.weight ?? null;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const smoothing = options.labelSmoothing ?? 0;
  if (sameShape(input.shape, target.shape)) {
    check(target.dtype.isFloatingPoint, () => "Expected floating point type for target with " +
      `class probabilities, got ${dtypeTitle(target.dtype)}`);
    check(ignoreIndex < 0, () => "ignore_index is not supported for floating point target");
    return probabilityTarget(input, target, weight, reduction, smoothing);
  }
  const classDim = input.dim() === 1 ? 0 : 1;
  if (smoothing > 0) {
    checkSmoothing(smoothing);
    return smoothedIndexTarget(input, target, weight, reduction, ignoreIndex, smoothing);
  }
  if (input.dtype.isFloatingPoint && input.dim() >= 1 && input.numel() > 0) {
    return nllLossNd(input, target, weight, reduction, ignoreIndex, fusedCrossEntropy);
  }
  return nllLossNd(logSoftmax(input, classDim), target, weight, reduction, ignoreIndex);
}

type FloatData = Float32Array | Float64Array;

/**
 * log_softmax + nll_loss on logits laid out `[N, C, spatial]`, as one node named like NLL's.
 * With grad required, the forward also writes dL/dx for an upstream gradient of 1 into a leased
 * buffer; the backward only scales it (nothing to do for 1), or recomputes it when a retained
 * graph runs backward again after the buffer was handed out.
 */
function fusedCrossEntropy(name: string, input: Tensor, t: Float64Array, weight: Tensor | null,
  reduction: Reduction, ignoreIndex: number, layout: NllLayout,
  outShape: readonly number[]): Tensor {
  const x = input.data as FloatData;
  const kind = bufferKind(input.dtype);
  const { targets, totalWeight } = crossEntropyTargets(t, weight ? (weight.data as FloatData)
    : null, ignoreIndex, reduction === "mean", kind === "float32");
  const positions = layout.batch * layout.spatial;
  const losses = new Float64Array(positions);
  const held = isGradEnabled() && input.requiresGrad ? lease(kind, x.length) : null;
  const total = crossEntropyForward(x, held?.data ?? null, targets, layout, losses);
  let out: Tensor;
  if (reduction === "none") {
    const data = allocStorage(input.dtype, positions) as FloatData;
    data.set(losses);
    out = new Tensor(data, outShape);
  } else {
    out = nllOutput(input, reduction, positions, total, totalWeight);
  }
  if (!held) return out;
  return record(name, out, [input, null, null], (g) => [new Tensor(
    fusedGradient(held, x, targets, layout, g.data as FloatData), input.shape)]);
}

function fusedGradient(held: Lease, x: FloatData, targets: CrossEntropyTargets,
  layout: NllLayout, upstream: FloatData): FloatData {
  let grad = held.data;
  if (!held.valid) {
    grad = freshBuffer(x instanceof Float32Array ? "float32" : "float64", x.length);
    crossEntropyForward(x, grad, targets, layout, new Float64Array(targets.target.length));
  }
  spend(held);
  scaleByUpstream(grad, upstream, targets, layout);
  return grad;
}

function checkSmoothing(smoothing: number): void {
  // C++ streams a double: 2 as "2", 1.5 as "1.5", infinity as "inf".
  const shown = smoothing === Infinity ? "inf" : String(smoothing);
  check(smoothing <= 1, () => `label_smoothing must be between 0.0 and 1.0. Got: ${shown}`);
}

function classCount(input: Tensor, classDim: number): number {
  if (input.dim() === 0) {
    throw new IndexError(`Dimension specified as ${classDim} but tensor has no dimensions`);
  }
  return input.shape[classDim];
}

/** `weight` viewed as `(1, C, 1, …)` to broadcast along the class dim of `input`. */
function classWeight(weight: Tensor, input: Tensor): Tensor {
  if (input.dim() <= 1) return weight;
  // PyTorch sizes the view by weight.size(0), so a (1, C) weight fails here with view's error.
  return weight.view(input.shape.map((_, d) => (d === 1 ? weight.shape[0] : 1)));
}

function probabilityTarget(input: Tensor, target: Tensor, weight: Tensor | null,
  reduction: Reduction, smoothing: number): Tensor {
  const classDim = input.dim() === 1 ? 0 : 1;
  const classes = classCount(input, classDim);
  checkWeight(weight, classes, "cross_entropy: ");
  const logp = logSoftmax(input, classDim);
  let t = target;
  if (smoothing > 0) {
    checkSmoothing(smoothing);
    t = mulScalar(target, 1 - smoothing).add(smoothing / classes);
  }
  let terms = logp.mul(t);
  if (weight) terms = terms.mul(classWeight(weight, logp));
  if (reduction === "none") return terms.sum(classDim).neg();
  if (reduction === "sum") return terms.sum().neg();
  // PyTorch fills the (empty) sum with NaN before negating: NegBackward0, not DivBackward1.
  if (input.numel() === 0) return mulScalar(terms.sum(), NaN).neg();
  return divScalar(terms.sum().neg(), Math.trunc(input.numel() / classes));
}

function smoothedIndexTarget(input: Tensor, target: Tensor, weight: Tensor | null,
  reduction: Reduction, ignoreIndex: number, smoothing: number): Tensor {
  const classDim = input.dim() === 1 ? 0 : 1;
  const logp = logSoftmax(input, classDim);
  const nll = nllLossNd(logp, target, weight, reduction, ignoreIndex);
  const classes = logp.shape[classDim];
  const weighted = weight ? logp.mul(classWeight(weight, logp)) : logp;
  const ignored = target.eq(ignoreIndex);
  const smooth = weighted.sum(classDim).neg().maskedFill(ignored, 0);
  let reduced: Tensor;
  if (reduction === "none") reduced = smooth;
  else if (reduction === "sum") reduced = smooth.sum();
  else reduced = smooth.sum().div(keptTargetWeight(target, ignored, weight));
  return mulScalar(nll, 1 - smoothing).add(mulScalar(reduced, smoothing / classes));
}

/** Σ w[yᵢ] over the targets not ignored (their count without weights): the 'mean' divisor. */
function keptTargetWeight(target: Tensor, ignored: Tensor, weight: Tensor | null): Tensor {
  const kept = ignored.logicalNot();
  if (!weight) return kept.sum();
  const mask = kept.data as Uint8Array;
  const indices = (target.data as BigInt64Array).filter((_, i) => mask[i] === 1);
  return weight.indexSelect(0, new Tensor(indices, [indices.length])).sum();
}

/** Module form of {@link crossEntropy}. */
export const CrossEntropyLoss = lossModule<[Tensor, Tensor], CrossEntropyLossOptions>(
  "CrossEntropyLoss", crossEntropy, CE_KEYS,
  { defaults: { weight: null, ignoreIndex: -100, labelSmoothing: 0 } });
export type CrossEntropyLoss = InstanceType<typeof CrossEntropyLoss>;

