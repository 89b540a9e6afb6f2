/**
 * Shape ops: reshape/view, flatten, squeeze, permute, transpose, expand, clone,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "shape").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: shape", () => {
  for (const c of opCases("shape")) {
    test(c.name, () => runOpCase(c));
  }
});
