/**
 * CTCLoss: the connectionist temporal classification loss, −log of the total probability of all
 * alignments of an input sequence to a (shorter) target sequence.
 *
 * ```text
 * l' = [blank, y₁, blank, y₂, …, y_L, blank]
 * α₀(0) = lp[0, blank],  α₀(1) = lp[0, y₁]
 * α_t(s) = lp[t, l'_s] + logsumexp(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) if l'_s ≠ l'_{s−2})
 * lₙ = −logsumexp(α_{Tₙ−1}(2L), α_{Tₙ−1}(2L−1))        'mean' = meanₙ(lₙ / max(Lₙ, 1))
 * ```
 * Mirrors `torch.nn.functional.ctc_loss` (torch 1.13): one fused op (`CtcLossBackward0`) whose
 * gradient w.r.t. `logProbs` is PyTorch's `exp(lp) − posterior`: the true gradient only once it
 * flows back through a `logSoftmax`. 'mean' divides each loss by its clamped target length
 * (`DivBackward0`) and then averages (`MeanBackward0`); `zeroInfinity` zeroes +inf losses
 * (`WhereBackward0`) and their gradients. Float targets are truncated to labels and get no
 * gradient. Where 1.13 reads out of bounds we follow torch 2.x: an input length of 0 gives loss 0
 * (empty target) or +inf and no gradient, and negative lengths are errors (2.x's text, naming
 * `ctc_loss_cpu` as 1.13 does). A label equal to `blank` is accepted and computed, as in torch.
 * Deviation: labels outside [0, C) are an error here ("Expected targets to have value at most
 * …"); 1.13 and 2.x read other memory.
 *
 * Shape: `logProbs` `(T, N, C)` or unbatched `(T, C)`; `targets` `(N, S)` padded (S ≥ max
 * target length) or `(ΣLₙ)` concatenated, `(S)` or `(1, S)` unbatched; `inputLengths`,
 * `targetLengths` N integers (int64 tensors, any shape, or arrays); output scalar, or `(N)`
 * (`()` unbatched) with `reduction: 'none'`.
 *
 * @example
 * const logProbs = torch.full([3, 2], Math.log(0.5));    // T = 3, C = 2, unbatched
 * String(F.ctcLoss(logProbs, torch.tensor([1]), [3], [1]))    // 'tensor(0.2877)'
 */
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, TorchTypeError, check } from "../../errors.js";
import { type Lease, bufferKind, lease, spend } from "../../kernels/buffers.js";
import {
  type CtcPlan, alphaSize, ctcBackward, ctcForward, ctcFused, ctcPlan, ctcRuntime,
  ctcScaleGradient,
} from "../../kernels/ctc.js";
import { dtypeTitle, where } from "../../ops/binary.js";
import { asTensorOf } from "../../ops/promote.js";
import {
  deferredIntoLease, fuseThroughLogSoftmax, logSoftmaxInputGrad,
} from "../../ops/softmax.js";
import { type DType, allocStorage, bool, float64 } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { lossModule } from "../module.js";
import { checkArguments as checkArgumentKinds, signature } from "../arguments.js";
import { type Reduction, checkReduction } from "../reduction.js";

/** Per-sample lengths: an integer tensor (any shape, N elements) or an array of integers. */
export type Lengths = Tensor | readonly (number | bigint)[];

export interface CTCLossOptions {
  /** The blank label, in [0, C). Default 0. */
  blank?: number;
  /** 'mean' (default) | 'sum' | 'none' */
  reduction?: Reduction;
  /** Replace infinite losses (impossible alignments) and their gradients by 0. Default false. */
  zeroInfinity?: boolean;
}

const CTC_KEYS = ["blank", "reduction", "zeroInfinity"] as const;
const CHECKING = "(while checking arguments for ctc_loss_cpu)";

type FloatData = Float32Array | Float64Array;

const CTC_ARGS = signature("ctc_loss", "ctc_loss()", [], CTC_KEYS, {}, "CTCLoss");

export function ctcLoss(logProbs: Tensor, targets: Tensor, inputLengths: Lengths,
  targetLengths: Lengths, options: CTCLossOptions = {}): Tensor {
  checkArgumentKinds(CTC_ARGS, [], options);
  const reduction = checkReduction(options.reduction ?? "mean");
  const { blank = 0, zeroInfinity = false } = options;
  checkOverloads([logProbs, targets, inputLengths, targetLengths, blank, 0, zeroInfinity]);
  const il = lengthsOf(inputLengths, "input_lengths");
  const tl = lengthsOf(targetLengths, "target_lengths");
  const batched = logProbs.dim() === 3;
  let res = ctcLossOp(batched ? logProbs : logProbs.unsqueeze(1), targets, il, tl, blank,
    zeroInfinity);
  if (zeroInfinity) res = where(res.eq(Infinity), 0, res);
  if (reduction === "mean") return res.div(clampedLengths(tl, res.dtype)).mean();
  if (reduction === "sum") return res.sum();
  return batched ? res : res.squeeze(0);
}

// ---- argument kinds, as PyTorch's argument parser checks them -----------------------------

const SIGNATURES = ["tuple of ints", "Tensor"].map((lengths) => "(Tensor log_probs, Tensor " +
  `targets, ${lengths} input_lengths, ${lengths} target_lengths, int blank, int reduction, ` +
  "bool zero_infinity)");

/** The Python type name PyTorch's messages would show for a JS value. */
function pyType(v: unknown): string {
  if (v instanceof Tensor) return "Tensor";
  if (Array.isArray(v)) return "list";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "bigint") return "int";
  if (typeof v === "boolean") return "bool";
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "string") return "str";
  const name = (v as object).constructor?.name;
  return name === undefined || name === "Object" ? "dict" : name;
}

/** An int list as the parser first sees it: an array, empty or starting with an int. */
function isIntList(v: unknown): boolean {
  return Array.isArray(v) && (v.length === 0 || pyType(v[0]) === "int");
}

/**
 * Which `torch.ctc_loss` overload the arguments fit (lengths as int lists or as tensors); a
 * TypeError with PyTorch's text if neither does. PyTorch's message marks every argument of a
 * "tuple of ints" parameter as invalid, whatever it was, so the message does too.
 */
function checkOverloads(args: unknown[]): void {
  const common = (v: unknown, i: number) => i === 4 ? pyType(v) === "int"
    : i === 6 ? typeof v === "boolean" : i === 5 || v instanceof Tensor;
  const isLength = (i: number) => i === 2 || i === 3;
  const intLists = args.map((v, i) => (isLength(i) ? isIntList(v) : common(v, i)));
  const tensors = args.map((v, i) => common(v, i));
  if (intLists.every(Boolean) || tensors.every(Boolean)) return;
  const types = args.map(pyType);
  const marks = [intLists.map((ok, i) => ok && !isLength(i)), tensors];
  const marked = (f: boolean[]) => types.map((t, i) => (f[i] ? t : `!${t}!`)).join(", ");
  throw new TorchTypeError("ctc_loss() received an invalid combination of arguments - got " +
    `(${types.join(", ")}), but expected one of:\n` + SIGNATURES.map((s, k) => ` * ${s}\n` +
    `      didn't match because some of the arguments have invalid types: (${marked(marks[k])})\n`)
    .join(""));
}

/** The lengths as numbers: integral tensors are read, arrays converted element by element. */
function lengthsOf(lengths: Lengths, name: string): number[] {
  if (lengths instanceof Tensor) {
    check(!lengths.dtype.isFloatingPoint && lengths.dtype !== bool, () =>
      `${name} must be integral`);
    return Array.from(lengths.data as BigInt64Array, Number);
  }
  return lengths.map((v: unknown, i) => {
    // Python's bool is an int: only the first element is checked for being a "real" int.
    if (pyType(v) === "int" || (i > 0 && typeof v === "boolean")) return Number(v);
    throw new TorchTypeError(`ctc_loss(): argument '${name}' must be tuple of ints, but found ` +
      `element of type ${pyType(v)} at pos ${i + 1}`);
  });
}

function clampedLengths(lengths: number[], dtype: DType): Tensor {
  const data = allocStorage(dtype, lengths.length) as FloatData;
  lengths.forEach((l, b) => (data[b] = Math.max(l, 1)));
  return new Tensor(data, [lengths.length]);
}

// ---- the fused op: checks in ATen's order, then the kernel ---------------------------------

/** Where each sample's labels start in `targets`, after checking sizes as ATen does. */
function checkLayout(targets: Tensor, tl: number[]): number[] {
  const start: number[] = [];
  tl.forEach((l, b) => {
    check(l >= 0, () => `Expected target_lengths to have value at least 0, but got value ${l} ` +
      CHECKING);
    start.push(targets.dim() === 1 ? (start[b - 1] ?? 0) + (tl[b - 1] ?? 0) : b * targets.size(1));
  });
  const expected = targets.dim() === 1 ? tl.reduce((a, l) => a + l, 0) : tl.length;
  check(targets.size(0) === expected, () => `Expected tensor to have size ${expected} at ` +
    `dimension 0, but got size ${targets.size(0)} for argument #2 'targets' ${CHECKING}`);
  const longest = Math.max(0, ...tl);
  check(targets.dim() === 1 || targets.size(1) >= longest, () => "Expected tensor to have size " +
    `at least ${longest} at dimension 1, but got size ${targets.size(1)} for argument #2 ` +
    `'targets' ${CHECKING}`);
  return start;
}

function checkArguments(lp: Tensor, targets: Tensor, il: number[], tl: number[],
  blank: number): number[] {
  if (!lp.dtype.isFloatingPoint) {
    throw new RuntimeError(`"ctc_loss_cpu" not implemented for '${dtypeTitle(lp.dtype)}'`);
  }
  check(lp.dim() === 3, () => `Expected 3-dimensional tensor, but got ${lp.dim()}-dimensional ` +
    `tensor for argument #1 'log_probs' ${CHECKING}`);
  check(targets.dim() >= 1 && targets.dim() <= 2, () => "Expected 1 to 2 dimensions, but got " +
    `${targets.dim()}-dimensional tensor for argument #2 'targets' ${CHECKING}`);
  const [maxTime, batch, classes] = lp.shape;
  check(blank >= 0 && blank < classes, () => "blank must be in label range");
  check(il.length === batch, () => "input_lengths must be of size batch_size");
  check(tl.length === batch, () => "target_lengths must be of size batch_size");
  const start = checkLayout(targets, tl);
  for (const l of il) {
    check(l >= 0, () => `Expected input_lengths to have value at least 0, but got value ${l} ` +
      CHECKING);
    check(l <= maxTime, () => `Expected input_lengths to have value at most ${maxTime}, but ` +
      `got value ${l} ${CHECKING}`);
  }
  // ATen fills α's first time step with a narrow(1, 0, 1), which fails for T = 0.
  check(maxTime > 0, () => "start (0) + length (1) exceeds dimension size (0).");
  return start;
}

/** The labels as `targets.to(torch.long)` reads them (floats truncate; NaN as x86 converts). */
function labelsOf(targets: Tensor): bigint[] {
  const data = targets.data;
  if (data instanceof BigInt64Array) return Array.from(data);
  return Array.from(data as FloatData | Uint8Array, (v) => Number.isFinite(v) &&
    Math.abs(v) < 2 ** 63 ? BigInt(Math.trunc(v)) : -(2n ** 63n));
}

/** The labels each sample uses, checked to lie in [0, C), back to back. */
function usedLabels(targets: Tensor, start: number[], tl: number[], classes: number): Int32Array {
  const all = labelsOf(targets);
  const out = new Int32Array(tl.reduce((a, l) => a + l, 0));
  let k = 0;
  tl.forEach((l, b) => {
    for (let i = start[b]; i < start[b] + l; i++) {
      const v = all[i];
      check(v >= 0n, () => `Expected targets to have value at least 0, but got value ${v} ` +
        CHECKING);
      check(v < BigInt(classes), () => `Expected targets to have value at most ${classes - 1}, ` +
        `but got value ${v} ${CHECKING}`);
      out[k++] = Number(v);
    }
  });
  return out;
}

/** A copy of the kernel's float64 values as `dtype` storage (float32 values convert exactly). */
function storageOf(dtype: DType, values: Float64Array): FloatData {
  return dtype === float64 ? values.slice() : Float32Array.from(values);
}

/** `torch._ctc_loss` on `(T, N, C)` log-probs: the per-sample losses `(N)`. */
function ctcLossOp(lp: Tensor, targets: Tensor, il: number[], tl: number[], blank: number,
  zeroInfinity: boolean): Tensor {
  const start = checkArguments(lp, targets, il, tl, blank);
  const [maxTime, batch, classes] = lp.shape;
  const labels = usedLabels(targets, start, tl, classes);
  const labelStart = new Int32Array(batch);
  for (let b = 1; b < batch; b++) labelStart[b] = labelStart[b - 1] + tl[b - 1];
  const plan = ctcPlan(maxTime, classes, blank, Int32Array.from(il), Int32Array.from(tl),
    labels, labelStart);
  // logSoftmax(x) not read yet: its rows go to a pooled buffer, not a user-visible tensor
  const chain = ctcRuntime() ? deferredIntoLease(lp) : null;
  const values = () => (chain?.valid ? chain.data : lp.data as FloatData);
  const nll = new Float64Array(batch);
  const held = isGradEnabled() && lp.requiresGrad
    ? lease(bufferKind(lp.dtype), lp.numel()) : null;
  if (ctcFused(plan, values(), zeroInfinity, nll, held?.data ?? null)) {
    if (!held && chain) spend(chain);
    let firstBackward = true;
    return record("CtcLossBackward0", new Tensor(storageOf(lp.dtype, nll), [batch]), [lp], (g) => {
      const upstream = asTensorOf(g, lp.dtype).data as FloatData;
      let grad = firstBackward && held?.valid ? held.data : null;
      firstBackward = false;
      if (held && !chain) spend(held);
      if (!grad) {
        // a second backward: the lease was spent, run the kernel again
        grad = allocStorage(lp.dtype, lp.numel()) as FloatData;
        if (!ctcFused(plan, values(), zeroInfinity, new Float64Array(batch), grad)) {
          return [jsGradient(plan, lp, zeroInfinity, upstream)];
        }
      }
      ctcScaleGradient(plan, grad, upstream, zeroInfinity, nll);
      return [chain ? throughLogSoftmax(lp, grad, chain, held) : new Tensor(grad, lp.shape)];
    });
  }
  if (held) spend(held);
  if (chain) spend(chain);
  const js = jsForward(plan, lp);
  return record("CtcLossBackward0", new Tensor(storageOf(lp.dtype, js.nll), [batch]), [lp],
    (g) => [jsGradient(plan, lp, zeroInfinity, asTensorOf(g, lp.dtype).data as FloatData, js)]);
}

/**
 * The log-probabilities' gradient for their LogSoftmaxBackward0, which takes x's gradient from
 * the pooled values instead of reading `lp` (fuseThroughLogSoftmax) when it reaches that node
 * untouched; both leases are spent only then, as the engine is done with them.
 */
function throughLogSoftmax(lp: Tensor, grad: FloatData, values: Lease,
  held: Lease | null): Tensor {
  const lpGrad = Tensor.deferred(lp.shape, lp.dtype, () => grad);
  return fuseThroughLogSoftmax(lpGrad, lp, () => {
    const inputGrad = logSoftmaxInputGrad(values.valid ? values.data : lp.data as FloatData,
      grad, lp);
    spend(values);
    if (held) spend(held);
    return inputGrad;
  });
}

interface JsForward {
  logProbs: Float64Array;
  alpha: Float64Array;
  nll: Float64Array;
}

/**
 * The JS loops' forward. They work on float64 arrays; float32 values convert exactly both ways,
 * and `single` makes them round every step as float32 arithmetic would.
 */
function jsForward(plan: CtcPlan, lp: Tensor): JsForward {
  const logProbs = Float64Array.from(lp.data as FloatData);
  const alpha = new Float64Array(alphaSize(plan));
  const nll = new Float64Array(plan.batch);
  ctcForward(plan, logProbs, lp.dtype !== float64, alpha, nll);
  return { logProbs, alpha, nll };
}

function jsGradient(plan: CtcPlan, lp: Tensor, zeroInfinity: boolean, upstream: FloatData,
  forward = jsForward(plan, lp)): Tensor {
  const { logProbs, alpha, nll } = forward;
  const grad = new Float64Array(lp.numel());
  ctcBackward(plan, logProbs, lp.dtype !== float64, alpha, nll, Float64Array.from(upstream),
    zeroInfinity, grad);
  return new Tensor(storageOf(lp.dtype, grad), lp.shape);
}

/** Module form of {@link ctcLoss}: `new CTCLoss(options)(logProbs, targets, inputLengths, …)`. */
export const CTCLoss = lossModule<[Tensor, Tensor, Lengths, Lengths], CTCLossOptions>("CTCLoss",
  ctcLoss, CTC_KEYS, { defaults: { blank: 0, zeroInfinity: false } });
export type CTCLoss = InstanceType<typeof CTCLoss>;
