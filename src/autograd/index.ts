/** `torch.autograd`: gradcheck and the graph node types. */
export { gradcheck } from "./gradcheck.js";
export type { GradcheckOptions } from "./gradcheck.js";
export { AccumulateGrad, FunctionNode, Node } from "./node.js";
export { backward } from "./engine.js";
