/**
 * `torch.nn.functional` (also exported as `torch.F`): activations, distances and the
 * functional form of every loss. The losses are wrapped once here so that a dtype error caused
 * by an int64 tensor inferred from JS integers carries the float hint (tensor/integer-hint.ts).
 */
import { hintIntegerInputs } from "./tensor/integer-hint.js";
import { withTemporaries } from "./autograd/temporaries.js";
import type { Tensor } from "./tensor/tensor.js";
import { l1Loss as l1LossImpl } from "./nn/losses/l1-loss.js";
import { mseLoss as mseLossImpl } from "./nn/losses/mse-loss.js";
import { crossEntropy as crossEntropyImpl } from "./nn/losses/cross-entropy.js";
import { nllLoss as nllLossImpl } from "./nn/losses/nll-loss.js";
import { klDiv as klDivImpl } from "./nn/losses/kl-div.js";
import { binaryCrossEntropy as binaryCrossEntropyImpl } from "./nn/losses/bce-loss.js";
import { binaryCrossEntropyWithLogits as binaryCrossEntropyWithLogitsImpl } from "./nn/losses/bce-with-logits-loss.js";
import { huberLoss as huberLossImpl } from "./nn/losses/huber-loss.js";
import { smoothL1Loss as smoothL1LossImpl } from "./nn/losses/smooth-l1-loss.js";
import { softMarginLoss as softMarginLossImpl } from "./nn/losses/soft-margin-loss.js";
import { multilabelSoftMarginLoss as multilabelSoftMarginLossImpl } from "./nn/losses/multilabel-soft-margin-loss.js";
import { multilabelMarginLoss as multilabelMarginLossImpl } from "./nn/losses/multilabel-margin-loss.js";
import { multiMarginLoss as multiMarginLossImpl } from "./nn/losses/multi-margin-loss.js";
import { hingeEmbeddingLoss as hingeEmbeddingLossImpl } from "./nn/losses/hinge-embedding-loss.js";
import { cosineEmbeddingLoss as cosineEmbeddingLossImpl } from "./nn/losses/cosine-embedding-loss.js";
import { marginRankingLoss as marginRankingLossImpl } from "./nn/losses/margin-ranking-loss.js";
import { tripletMarginLoss as tripletMarginLossImpl } from "./nn/losses/triplet-margin-loss.js";
import { tripletMarginWithDistanceLoss as tripletMarginWithDistanceLossImpl } from "./nn/losses/triplet-margin-with-distance-loss.js";
import { poissonNllLoss as poissonNllLossImpl } from "./nn/losses/poisson-nll-loss.js";
import { gaussianNllLoss as gaussianNllLossImpl } from "./nn/losses/gaussian-nll-loss.js";
import { ctcLoss as ctcLossImpl } from "./nn/losses/ctc-loss.js";

export { logSoftmax, softmax } from "./ops/softmax.js";
export { logSigmoid, softplus } from "./ops/activation.js";
export { sigmoid } from "./ops/unary.js";
export { oneHot } from "./ops/indexing.js";
export { pairwiseDistance, cosineSimilarity } from "./ops/distance.js";
export type { PairwiseDistanceOptions, CosineSimilarityOptions } from "./ops/distance.js";

/**
 * A loss as users call it: int64-hint on dtype errors, and its temporaries released as soon as
 * nothing can read them (autograd/temporaries.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function publicLoss<F extends (...args: any[]) => Tensor>(fn: F): F {
  const scoped = (...args: Parameters<F>) => withTemporaries(() => fn(...args));
  Object.defineProperty(scoped, "name", { value: fn.name });
  return hintIntegerInputs(scoped as F);
}

export const l1Loss = publicLoss(l1LossImpl);
export const mseLoss = publicLoss(mseLossImpl);
export const crossEntropy = publicLoss(crossEntropyImpl);
export const nllLoss = publicLoss(nllLossImpl);
export const klDiv = publicLoss(klDivImpl);
export const binaryCrossEntropy = publicLoss(binaryCrossEntropyImpl);
export const binaryCrossEntropyWithLogits = publicLoss(binaryCrossEntropyWithLogitsImpl);
export const huberLoss = publicLoss(huberLossImpl);
export const smoothL1Loss = publicLoss(smoothL1LossImpl);
export const softMarginLoss = publicLoss(softMarginLossImpl);
export const multilabelSoftMarginLoss = publicLoss(multilabelSoftMarginLossImpl);
export const multilabelMarginLoss = publicLoss(multilabelMarginLossImpl);
export const multiMarginLoss = publicLoss(multiMarginLossImpl);
export const hingeEmbeddingLoss = publicLoss(hingeEmbeddingLossImpl);
export const cosineEmbeddingLoss = publicLoss(cosineEmbeddingLossImpl);
export const marginRankingLoss = publicLoss(marginRankingLossImpl);
export const tripletMarginLoss = publicLoss(tripletMarginLossImpl);
export const tripletMarginWithDistanceLoss = publicLoss(tripletMarginWithDistanceLossImpl);
export const poissonNllLoss = publicLoss(poissonNllLossImpl);
export const gaussianNllLoss = publicLoss(gaussianNllLossImpl);
export const ctcLoss = publicLoss(ctcLossImpl);

export type { L1LossOptions } from "./nn/losses/l1-loss.js";
export type { MSELossOptions } from "./nn/losses/mse-loss.js";
export type { CrossEntropyLossOptions } from "./nn/losses/cross-entropy.js";
export type { NLLLossOptions } from "./nn/losses/nll-loss.js";
export type { KLDivLossOptions } from "./nn/losses/kl-div.js";
export type { BCELossOptions } from "./nn/losses/bce-loss.js";
export type { BCEWithLogitsLossOptions } from "./nn/losses/bce-with-logits-loss.js";
export type { HuberLossOptions } from "./nn/losses/huber-loss.js";
export type { SmoothL1LossOptions } from "./nn/losses/smooth-l1-loss.js";
export type { SoftMarginLossOptions } from "./nn/losses/soft-margin-loss.js";
export type { MultiLabelSoftMarginLossOptions } from "./nn/losses/multilabel-soft-margin-loss.js";
export type { MultiLabelMarginLossOptions } from "./nn/losses/multilabel-margin-loss.js";
export type { MultiMarginLossOptions } from "./nn/losses/multi-margin-loss.js";
export type { HingeEmbeddingLossOptions } from "./nn/losses/hinge-embedding-loss.js";
export type { CosineEmbeddingLossOptions } from "./nn/losses/cosine-embedding-loss.js";
export type { MarginRankingLossOptions } from "./nn/losses/margin-ranking-loss.js";
export type { TripletMarginLossOptions } from "./nn/losses/triplet-margin-loss.js";
export type {
  TripletMarginWithDistanceLossOptions,
} from "./nn/losses/triplet-margin-with-distance-loss.js";
export type { PoissonNLLLossOptions } from "./nn/losses/poisson-nll-loss.js";
export type { GaussianNLLLossOptions } from "./nn/losses/gaussian-nll-loss.js";
export type { CTCLossOptions, Lengths as CTCLengths } from "./nn/losses/ctc-loss.js";
