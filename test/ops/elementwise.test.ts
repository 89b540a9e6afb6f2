/**
 * Elementwise ops, values and gradients,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "elementwise").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: elementwise", () => {
  for (const c of opCases("elementwise")) {
    test(c.name, () => runOpCase(c));
  }
});
