/**
 * Reductions, softmax and chains on bigger tensors,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "large").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: large", () => {
  for (const c of opCases("large")) {
    test(c.name, () => runOpCase(c));
  }
});
