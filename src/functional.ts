/**
 * `torch.nn.functional` (also exported as `torch.F`): activations, distances and the
 * functional form of every loss. The losses are wrapped once here so that a dtype error caused
 * by an int64 tensor inferred from JS integers carries the float hint (tensor/integer-hint.ts).
 */
import { hintIntegerInputs } from "./tensor/integer-hint.js";
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

export const l1Loss = hintIntegerInputs(l1LossImpl);
export const mseLoss = hintIntegerInputs(mseLossImpl);
export const crossEntropy = hintIntegerInputs(crossEntropyImpl);
export const nllLoss = hintIntegerInputs(nllLossImpl);
export const klDiv = hintIntegerInputs(klDivImpl);
export const binaryCrossEntropy = hintIntegerInputs(binaryCrossEntropyImpl);
export const binaryCrossEntropyWithLogits = hintIntegerInputs(binaryCrossEntropyWithLogitsImpl);
export const huberLoss = hintIntegerInputs(huberLossImpl);
export const smoothL1Loss = hintIntegerInputs(smoothL1LossImpl);
export const softMarginLoss = hintIntegerInputs(softMarginLossImpl);
export const multilabelSoftMarginLoss = hintIntegerInputs(multilabelSoftMarginLossImpl);
export const multilabelMarginLoss = hintIntegerInputs(multilabelMarginLossImpl);
export const multiMarginLoss = hintIntegerInputs(multiMarginLossImpl);
export const hingeEmbeddingLoss = hintIntegerInputs(hingeEmbeddingLossImpl);
export const cosineEmbeddingLoss = hintIntegerInputs(cosineEmbeddingLossImpl);
export const marginRankingLoss = hintIntegerInputs(marginRankingLossImpl);
export const tripletMarginLoss = hintIntegerInputs(tripletMarginLossImpl);
export const tripletMarginWithDistanceLoss = hintIntegerInputs(tripletMarginWithDistanceLossImpl);
export const poissonNllLoss = hintIntegerInputs(poissonNllLossImpl);
export const gaussianNllLoss = hintIntegerInputs(gaussianNllLossImpl);
export const ctcLoss = hintIntegerInputs(ctcLossImpl);

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
