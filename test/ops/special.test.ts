/**
 * xlogy, broadcastTensors, select and F.oneHot,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "special").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: special", () => {
  for (const c of opCases("special")) {
    test(c.name, () => runOpCase(c));
  }
});
