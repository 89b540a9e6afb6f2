/**
 * Type promotion across dtypes, 0-dim tensors and JS-number scalars,
 * against PyTorch 1.13 (test/fixtures/ops.json, group "promotion").
 */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: promotion", () => {
  for (const c of opCases("promotion")) {
    test(c.name, () => runOpCase(c));
  }
});
