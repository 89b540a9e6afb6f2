/** dtype casts, item and tolist, against PyTorch 1.13 (test/fixtures/ops.json, group "cast"). */
import { describe, test } from "node:test";

import { opCases, runOpCase } from "../helpers/op-cases.js";

describe("ops fixtures: cast", () => {
  for (const c of opCases("cast")) {
    test(c.name, () => runOpCase(c));
  }
});
