/**
 * backward(): accumulation, retained graphs, explicit gradients,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "autograd").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: autograd", () => {
  for (const c of opCases("autograd")) {
    test(c.name, () => runOpCase(c));
  }
});
