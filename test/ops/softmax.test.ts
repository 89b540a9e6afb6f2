/**
 * softmax and logSoftmax along every dim, extreme values included,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "softmax").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: softmax", () => {
  for (const c of opCases("softmax")) {
    test(c.name, () => runOpCase(c));
  }
});
