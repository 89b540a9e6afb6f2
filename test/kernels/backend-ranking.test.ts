/**
 * The loss fixtures of HingeEmbeddingLoss and MarginRankingLoss on each kernel path: the pure-JS
 * loops (`setBackend("js")`) and the WebAssembly kernels for every size (small fixtures otherwise
 * take the JS loops on the "wasm" backend).
 */
import { describe } from "node:test";

import { onBackendPath } from "./backend-path.js";

const LOSSES = [["hinge-embedding", "hingeEmbeddingLoss"],
  ["margin-ranking", "marginRankingLoss"]] as const;

describe("on the JS kernels", () => onBackendPath("js", 1024, LOSSES));
describe("on the WebAssembly kernels at every size", () => onBackendPath("wasm", 0, LOSSES));
