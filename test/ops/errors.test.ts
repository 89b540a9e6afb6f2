/**
 * Errors: PyTorch's exception class and exact message,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "errors").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: errors", () => {
  for (const c of opCases("errors")) {
    test(c.name, () => runOpCase(c));
  }
});
