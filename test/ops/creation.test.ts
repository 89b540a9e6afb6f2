/**
 * Tensor creation and dtype inference,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "creation").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: creation", () => {
  for (const c of opCases("creation")) {
    test(c.name, () => runOpCase(c));
  }
});
