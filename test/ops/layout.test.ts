/**
 * Result layouts (TensorIterator's strides), seen through contiguity, view and reshape,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "layout").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: layout", () => {
  for (const c of opCases("layout")) {
    test(c.name, () => runOpCase(c));
  }
});
