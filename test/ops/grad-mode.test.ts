/**
 * Grad mode (`torch.no_grad`, `torch.enable_grad`, `torch.set_grad_enabled`) and typed-array
 * creation: behaviour the JSON program fixtures cannot express (callbacks, typed arrays).
 * Expectations are PyTorch 1.13's, e.g.
 *   with torch.no_grad(): y = x * 2   →  y.requires_grad False, y.grad_fn None
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/torch.js";

const x = () => torch.tensor([1.5, -2], { requiresGrad: true });

describe("grad mode", () => {
  test("noGrad records no graph and returns the callback's value", () => {
    const y = torch.noGrad(() => x().mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.deepEqual(y.tolist(), [3, -4]);
  });

  test("enableGrad inside noGrad records again", () => {
    const y = torch.noGrad(() => torch.enableGrad(() => x().mul(2)));
    assert.equal(y.gradFn?.name(), "MulBackward0");
  });

  test("setGradEnabled switches recording until switched back", () => {
    assert.equal(torch.isGradEnabled(), true);
    torch.setGradEnabled(false);
    try {
      assert.equal(torch.isGradEnabled(), false);
      assert.equal(x().exp().requiresGrad, false);
    } finally {
      torch.setGradEnabled(true);
    }
    assert.equal(x().exp().gradFn?.name(), "ExpBackward0");
  });

  test("noGrad restores the mode when its callback throws", () => {
    assert.throws(() => torch.noGrad(() => {
      throw new Error("boom");
    }), /boom/);
    assert.equal(torch.isGradEnabled(), true);
  });

  test("gradients are computed without recording a graph", () => {
    const a = x();
    a.mul(a).sum().backward();
    assert.ok(a.grad);
    assert.equal(a.grad.requiresGrad, false);
    assert.equal(a.grad.gradFn, null);
    assert.deepEqual(a.grad.tolist(), [3, -4]);
  });

  test("x.grad = null clears the gradient; the next backward starts afresh", () => {
    const a = x();
    a.sum().backward();
    a.grad = null;
    a.mul(3).sum().backward();
    assert.deepEqual((a.grad as torch.Tensor | null)?.tolist(), [3, 3]);
  });
});

describe("tensor() from typed arrays", () => {
  test("Float32Array → float32, Float64Array → float64, BigInt64Array → int64", () => {
    assert.equal(torch.tensor(new Float32Array([0.1, 2])).dtype, torch.float32);
    assert.equal(torch.tensor(new Float64Array([0.1, 2])).dtype, torch.float64);
    assert.equal(torch.tensor(new BigInt64Array([1n, -2n])).dtype, torch.int64);
    assert.deepEqual(torch.tensor(new BigInt64Array([1n, -2n])).tolist(), [1, -2]);
  });

  test("other integer arrays → int64; a dtype option converts", () => {
    assert.equal(torch.tensor(new Int32Array([1, -2])).dtype, torch.int64);
    assert.equal(torch.tensor(new Uint8Array([1, 0])).dtype, torch.int64);
    const f = torch.tensor(new Int32Array([1, -2]), { dtype: torch.float64 });
    assert.equal(f.dtype, torch.float64);
    assert.deepEqual(f.tolist(), [1, -2]);
  });

  test("a Float32Array keeps its exact float32 values and is copied", () => {
    const src = new Float32Array([0.1, -3.5]);
    const t = torch.tensor(src);
    src[0] = 7;
    assert.deepEqual(t.tolist(), [Math.fround(0.1), -3.5]);
  });
});
