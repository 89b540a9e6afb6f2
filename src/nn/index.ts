/** `torch.nn`: the 21 loss modules, in the order of PyTorch's documentation, and `nn.functional`. */
export * as functional from "../functional.js";
export { Module } from "./module.js";
export type { LossModule, LossModuleClass } from "./module.js";
export type { Reduction, ReductionOptions } from "./reduction.js";

export { L1Loss } from "./losses/l1-loss.js";
export { MSELoss } from "./losses/mse-loss.js";
export { CrossEntropyLoss } from "./losses/cross-entropy.js";
export { NLLLoss } from "./losses/nll-loss.js";
export { KLDivLoss } from "./losses/kl-div.js";
export { BCELoss } from "./losses/bce-loss.js";
export { BCEWithLogitsLoss } from "./losses/bce-with-logits-loss.js";
export { HuberLoss } from "./losses/huber-loss.js";
export { SmoothL1Loss } from "./losses/smooth-l1-loss.js";
export { SoftMarginLoss } from "./losses/soft-margin-loss.js";
export { MultiLabelSoftMarginLoss } from "./losses/multilabel-soft-margin-loss.js";
export { MultiLabelMarginLoss } from "./losses/multilabel-margin-loss.js";
export { MultiMarginLoss } from "./losses/multi-margin-loss.js";
export { HingeEmbeddingLoss } from "./losses/hinge-embedding-loss.js";
export { CosineEmbeddingLoss } from "./losses/cosine-embedding-loss.js";
export { MarginRankingLoss } from "./losses/margin-ranking-loss.js";
export { TripletMarginLoss } from "./losses/triplet-margin-loss.js";
export { TripletMarginWithDistanceLoss } from "./losses/triplet-margin-with-distance-loss.js";
export { PoissonNLLLoss } from "./losses/poisson-nll-loss.js";
export { GaussianNLLLoss } from "./losses/gaussian-nll-loss.js";
export { CTCLoss } from "./losses/ctc-loss.js";
