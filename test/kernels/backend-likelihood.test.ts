/**
 * The loss fixtures of PoissonNLLLoss and GaussianNLLLoss on each kernel path: the pure-JS loops
 * (`setBackend("js")`) and the WebAssembly kernels for every size (small fixtures otherwise take
 * the JS loops on the "wasm" backend).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { type BackendName, activeBackend } from "../../src/kernels/backend.js";
import { runGaussianCase } from "../losses/gaussian-cases.js";
import { loadLossCases, runLossCase } from "../losses/helpers.js";
import { useBackend } from "./backend-path.js";

function onPath(path: BackendName, minElements: number): void {
  useBackend(minElements, path);
  test(`runs on the ${path} kernels`, () => assert.equal(activeBackend(), path));
  describe("poissonNllLoss against torch 1.13 (losses-poisson-nll.json)", () => {
    for (const c of loadLossCases("poisson-nll")) test(c.name, () => runLossCase(c));
  });
  describe("gaussianNllLoss against torch 1.13 (losses-gaussian-nll.json)", () => {
    for (const c of loadLossCases("gaussian-nll")) test(c.name, () => runGaussianCase(c));
  });
}

describe("on the JS kernels", () => onPath("js", 1024));
describe("on the WebAssembly kernels at every size", () => onPath("wasm", 0));
