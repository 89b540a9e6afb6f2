/**
 * Broadcasting binary ops, values and gradients summed back to each shape,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "broadcast").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: broadcast", () => {
  for (const c of opCases("broadcast")) {
    test(c.name, () => runOpCase(c));
  }
});
