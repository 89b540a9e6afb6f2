/**
 * The loss fixtures of cross-entropy, NLL, MSE and L1 on each kernel path: the pure-JS loops
 * (`setBackend("js")`), and the WebAssembly kernels for every size (by default, problems below
 * 1024 elements, such as all of these fixtures, take the JS loops even on the "wasm" backend).
 */
import { describe } from "node:test";

import { onBackendPath } from "./backend-path.js";

const LOSSES = [["ce", "crossEntropy"], ["nll", "nllLoss"], ["mse", "mseLoss"],
  ["l1", "l1Loss"]] as const;

describe("on the JS kernels", () => onBackendPath("js", 1024, LOSSES));
describe("on the WebAssembly kernels at every size", () => onBackendPath("wasm", 0, LOSSES));
