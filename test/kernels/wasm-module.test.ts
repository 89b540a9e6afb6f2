/** The committed src/kernels/wasm/module.generated.ts must be a fresh build of assembly/. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { GENERATED_PATH, generateModuleSource } from "../../scripts/build-wasm.js";

test("module.generated.ts equals a fresh compile of assembly/", async () => {
  const committed = readFileSync(GENERATED_PATH, "utf8");
  assert.ok(committed === await generateModuleSource(),
    "src/kernels/wasm/module.generated.ts is stale: run `npm run build:wasm`");
});
