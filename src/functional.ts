/**
 * `torch.nn.functional` (also exported as `torch.F`): the functional forms of activations
 * and, as they land, of every loss.
 */
export { logSoftmax, softmax } from "./ops/softmax.js";
export { logSigmoid, softplus } from "./ops/activation.js";
export { sigmoid } from "./ops/unary.js";
