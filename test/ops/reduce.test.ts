/**
 * Reductions: sum, mean, max/min, amax/amin, argmax/argmin, logsumexp, norm,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "reduce").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: reduce", () => {
  for (const c of opCases("reduce")) {
    test(c.name, () => runOpCase(c));
  }
});
