/**
 * The loss fixtures of cross-entropy, NLL, MSE and L1 on each kernel path: the pure-JS loops
 * (`setBackend("js")`), and the WebAssembly kernels for every size (by default, problems below
 * 1024 elements, such as all of these fixtures, take the JS loops even on the "wasm" backend).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  type BackendName, activeBackend, getBackend, getWasmMinElements, setBackend, setWasmMinElements,
} from "../../src/kernels/backend.js";
import { loadLossCases, runLossCase } from "../losses/helpers.js";

const LOSSES = [["ce", "crossEntropy"], ["nll", "nllLoss"], ["mse", "mseLoss"],
  ["l1", "l1Loss"]] as const;

function onPath(path: BackendName, minElements: number): void {
  let previous: BackendName = "wasm";
  let previousMin = 0;
  before(() => {
    previous = getBackend();
    previousMin = getWasmMinElements();
    setBackend(path);
    setWasmMinElements(minElements);
  });
  after(() => {
    setBackend(previous);
    setWasmMinElements(previousMin);
  });
  test(`runs on the ${path} kernels`, () => assert.equal(activeBackend(), path));
  for (const [loss, label] of LOSSES) {
    describe(`${label} against torch 1.13 (test/fixtures/losses-${loss}.json)`, () => {
      for (const c of loadLossCases(loss)) test(c.name, () => runLossCase(c));
    });
  }
}

describe("on the JS kernels", () => onPath("js", 1024));
describe("on the WebAssembly kernels at every size", () => onPath("wasm", 0));
