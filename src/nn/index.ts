/** `torch.nn`: the loss modules, and `nn.functional`. */
export * as functional from "../functional.js";
export { Module } from "./module.js";
export type { LossModule, LossModuleClass } from "./module.js";
export type { Reduction, ReductionOptions } from "./reduction.js";
export { L1Loss } from "./losses/l1-loss.js";
export { MSELoss } from "./losses/mse-loss.js";
export { NLLLoss } from "./losses/nll-loss.js";
export { CrossEntropyLoss } from "./losses/cross-entropy.js";
export { KLDivLoss } from "./losses/kl-div.js";
