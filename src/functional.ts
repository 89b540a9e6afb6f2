/**
 * `torch.nn.functional` (also exported as `torch.F`): activations and the functional form of
 * every loss.
 */
export { logSoftmax, softmax } from "./ops/softmax.js";
export { logSigmoid, softplus } from "./ops/activation.js";
export { sigmoid } from "./ops/unary.js";
export { oneHot } from "./ops/indexing.js";

export { l1Loss } from "./nn/losses/l1-loss.js";
export type { L1LossOptions } from "./nn/losses/l1-loss.js";
export { mseLoss } from "./nn/losses/mse-loss.js";
export type { MSELossOptions } from "./nn/losses/mse-loss.js";
export { nllLoss } from "./nn/losses/nll-loss.js";
export type { NLLLossOptions } from "./nn/losses/nll-loss.js";
export { crossEntropy } from "./nn/losses/cross-entropy.js";
export type { CrossEntropyLossOptions } from "./nn/losses/cross-entropy.js";
export { klDiv } from "./nn/losses/kl-div.js";
export type { KLDivLossOptions } from "./nn/losses/kl-div.js";
