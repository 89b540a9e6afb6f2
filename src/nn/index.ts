/** `torch.nn`: loss modules land here; `nn.functional` is the functional namespace. */
export * as functional from "../functional.js";
