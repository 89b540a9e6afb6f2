import { test } from "node:test";
import assert from "node:assert/strict";

import { DType } from "../tensor/dtype.js";
import { tensorRepr } from "./format.js";
import { DEFAULT_PRINT_OPTIONS, getPrintoptions, setPrintoptions } from "./options.js";

test("set_printoptions semantics: profiles, persistence, sci_mode reset", () => {
  try {
    assert.deepEqual(getPrintoptions(), DEFAULT_PRINT_OPTIONS);
    setPrintoptions({ precision: 2, sciMode: true });
    assert.deepEqual(getPrintoptions(), { ...DEFAULT_PRINT_OPTIONS, precision: 2, sciMode: true });
    // Options not passed keep their value, except sci_mode, which goes back to None.
    setPrintoptions({ linewidth: 100 });
    assert.deepEqual(getPrintoptions(),
      { ...DEFAULT_PRINT_OPTIONS, precision: 2, linewidth: 100 });
    setPrintoptions({ profile: "short" });
    assert.deepEqual(getPrintoptions(), { ...DEFAULT_PRINT_OPTIONS, precision: 2, edgeitems: 2 });
    setPrintoptions({ profile: "full", precision: 6 });
    assert.deepEqual(getPrintoptions(),
      { ...DEFAULT_PRINT_OPTIONS, threshold: Infinity, precision: 6 });
    setPrintoptions({ profile: "bogus" as "short" });
    assert.equal(getPrintoptions().precision, 6);
  } finally {
    setPrintoptions({ profile: "default" });
  }
  assert.deepEqual(getPrintoptions(), DEFAULT_PRINT_OPTIONS);
});

test("getPrintoptions returns a copy; tensorRepr reads the global options", () => {
  getPrintoptions().precision = 9;
  assert.equal(getPrintoptions().precision, 4);
  const t = { data: new Float32Array([1.12345]), shape: [1], dtype: DType.float32 };
  try {
    setPrintoptions({ precision: 2 });
    assert.equal(tensorRepr(t), "tensor([1.12])");
  } finally {
    setPrintoptions({ profile: "default" });
  }
  assert.equal(tensorRepr(t), "tensor([1.1235])");
});
