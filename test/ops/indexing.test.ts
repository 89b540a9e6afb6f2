/**
 * gather, indexSelect and maskedFill,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "indexing").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: indexing", () => {
  for (const c of opCases("indexing")) {
    test(c.name, () => runOpCase(c));
  }
});
