/**
 * Runs loss fixture files on one kernel path: the pure-JS loops (`setBackend("js")`) or the
 * WebAssembly kernels down to `minElements` (0: every size; small fixtures otherwise take the JS
 * loops even on the "wasm" backend). Restores the previous backend afterwards.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  type BackendName, activeBackend, getBackend, getWasmMinElements, setBackend, setWasmMinElements,
} from "../../src/kernels/backend.js";
import { loadLossCases, runLossCase } from "../losses/helpers.js";

/** Pairs of a fixture name (`losses-<name>.json`) and a label for the test titles. */
export type LossFixtures = readonly (readonly [string, string])[];

/**
 * Inside a `describe`: sets the WebAssembly size threshold (and `path`, if given) before its
 * tests and restores the previous backend and threshold after them.
 */
export function useBackend(minElements: number, path?: BackendName): void {
  let previous: BackendName = "wasm";
  let previousMin = 0;
  before(() => {
    previous = getBackend();
    previousMin = getWasmMinElements();
    if (path) setBackend(path);
    setWasmMinElements(minElements);
  });
  after(() => {
    setBackend(previous);
    setWasmMinElements(previousMin);
  });
}

export function onBackendPath(path: BackendName, minElements: number, losses: LossFixtures): void {
  useBackend(minElements, path);
  test(`runs on the ${path} kernels`, () => assert.equal(activeBackend(), path));
  for (const [loss, label] of losses) {
    describe(`${label} against torch 1.13 (test/fixtures/losses-${loss}.json)`, () => {
      for (const c of loadLossCases(loss)) test(c.name, () => runLossCase(c));
    });
  }
}
