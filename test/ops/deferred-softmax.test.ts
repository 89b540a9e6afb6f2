/**
 * Deferred softmax / logSoftmax results (ops/softmax.ts) and the fused klDiv over them
 * (nn/losses/kl-div.ts): what a user can observe must be what the eager computation gives.
 * Each check runs the same program twice on the WebAssembly row kernels: once as written
 * (deferred, fused where klDiv sees both softmaxes unread) and once with every softmax output
 * read as soon as it is made (eager, the unfused kernels). Softmax values must agree bit for
 * bit (a deferred one is computed by the same kernel, later); losses and gradients within the
 * float tolerances, as the fused kernel rounds differently (exp(x − max)/Σ for softmax(x),
 * shifted logits for log p). Upstream gradients are scaled up so that the float32 gradients
 * stand well above the absolute tolerance. Both paths are checked against torch in
 * test/kernels/kl-chain.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import * as F from "../../src/functional.js";
import { noGrad } from "../../src/autograd/grad-mode.js";
import { getWasmMinElements, setWasmMinElements, withBackend } from "../../src/kernels/backend.js";
import { manualSeed } from "../../src/random/generator.js";
import { randn } from "../../src/tensor/random.js";
import { type DType, float32, float64 } from "../../src/tensor/dtype.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { TOLERANCES, floatsClose } from "../helpers/compare.js";

type Data = Float32Array | Float64Array;

/** Reads a tensor as an eager program would have, right after making it. */
type Touch = (t: Tensor) => Tensor;
const eager: Touch = (t) => (void t.data, t);
const deferred: Touch = (t) => t;

function inputs(dtype: DType, shape: number[] = [6, 37]) {
  manualSeed(7);
  const x = randn(shape, { dtype }).mul(2).detach().requiresGrad_(true);
  const t = randn(shape, { dtype }).mul(2).detach();
  return { x, t };
}

function sameBits(actual: Tensor, expected: Tensor, what: string): void {
  const a = actual.data as Data;
  const b = expected.data as Data;
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

function closeGrad(actual: Tensor, expected: Tensor, what: string): void {
  const tol = TOLERANCES[actual.dtype === float32 ? "float32" : "float64"];
  const a = actual.data as Data;
  const b = expected.data as Data;
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    if (!floatsClose(a[i], b[i], tol)) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

function closeLoss(actual: Tensor, expected: Tensor, dtype: DType): void {
  const a = actual.item() as number;
  const b = expected.item() as number;
  const rtol = dtype === float32 ? 1e-6 : 1e-13;
  assert.ok(Math.abs(a - b) <= rtol * Math.abs(b), `loss ${a} vs ${b}`);
}

/** Runs `program` deferred and eager on the WebAssembly kernels at every size. */
function both<T>(program: (touch: Touch) => T): [T, T] {
  return withBackend("wasm", () => [program(deferred), program(eager)]);
}

describe("deferred softmax results and the fused KL chain", () => {
  let previousMin = 0;
  before(() => {
    previousMin = getWasmMinElements();
    setWasmMinElements(0);
  });
  after(() => setWasmMinElements(previousMin));

  for (const dtype of [float32, float64]) {
    const name = dtype.name;

    test(`${name}: logSoftmax/softmax are deferred until read, and read as eager ones`, () => {
      const [lazy, now] = both((touch) => {
        const { x } = inputs(dtype);
        return [touch(F.logSoftmax(x, 1)), touch(F.softmax(x, -1))] as const;
      });
      assert.ok(lazy[0].isDeferred && lazy[1].isDeferred);
      assert.equal(String(lazy[0].gradFn?.name()), "LogSoftmaxBackward0");
      sameBits(lazy[0], now[0], "logSoftmax");
      sameBits(lazy[1], now[1], "softmax");
      assert.ok(!lazy[0].isDeferred);
    });

    for (const reduction of ["batchmean", "sum", "mean"] as const) {
      test(`${name}: klDiv(logSoftmax, softmax, ${reduction}) fused = unfused, loss and grad`, () => {
        const [lazy, now] = both((touch) => {
          const { x, t } = inputs(dtype);
          const lp = touch(F.logSoftmax(x, 1));
          const p = touch(F.softmax(t, 1));
          const loss = F.klDiv(lp, p, { reduction });
          loss.mul(1000).backward();
          return { x, lp, p, loss };
        });
        assert.ok(lazy.lp.isDeferred, "the fused path left logSoftmax uncomputed");
        assert.equal(lazy.loss.gradFn?.name(), now.loss.gradFn?.name());
        closeLoss(lazy.loss, now.loss, dtype);
        closeGrad(lazy.x.grad!, now.x.grad!, "x.grad");
        sameBits(lazy.lp, now.lp, "logSoftmax read after the fused loss");
        sameBits(lazy.p, now.p, "softmax read after the fused loss");
      });
    }

    test(`${name}: writes to the source (or a view of it) after logSoftmax do not reach it`, () => {
      const [lazy, now] = both((touch) => {
        const { x, t } = inputs(dtype);
        const flat = x.view(-1);
        const lp = touch(F.logSoftmax(x, 1));
        const p = touch(F.softmax(t, 1));
        const sameStorage = touch(F.logSoftmax(x.view(6, 37), -1));
        (flat.data as Data).fill(5);
        t.fill_(0);
        return [lp, p, sameStorage];
      });
      sameBits(lazy[0], now[0], "logSoftmax");
      sameBits(lazy[1], now[1], "softmax");
      sameBits(lazy[2], now[0], "logSoftmax of a view");
    });

    test(`${name}: an upstream gradient ≠ 1 after the source changed, and retainGraph`, () => {
      const [lazy, now] = both((touch) => {
        const { x, t } = inputs(dtype);
        const loss = F.klDiv(touch(F.logSoftmax(x, 1)), touch(F.softmax(t, 1)),
          { reduction: "batchmean" });
        const scaled = loss.mul(300);
        const before = (x.data as Data).slice();
        (x.data as Data).fill(-1);
        (t.data as Data).fill(2);
        scaled.backward({ retainGraph: true });
        const once = x.grad!.clone();
        scaled.backward();
        (x.data as Data).set(before);
        return { once, twice: x.grad! };
      });
      closeGrad(lazy.once, now.once, "x.grad after one backward");
      closeGrad(lazy.twice, now.twice, "x.grad after two");
    });

    test(`${name}: log-probabilities used twice accumulate both gradients`, () => {
      const [lazy, now] = both((touch) => {
        const { x, t } = inputs(dtype);
        const lp = touch(F.logSoftmax(x, 1));
        const loss = F.klDiv(lp, touch(F.softmax(t, 1)), { reduction: "sum" })
          .add(lp.mul(lp).sum().mul(0.01));
        loss.backward();
        return x.grad!;
      });
      sameBits(lazy, now, "x.grad");
    });

    test(`${name}: a target that requires grad, and a no-grad forward`, () => {
      const [lazy, now] = both((touch) => {
        const { x, t } = inputs(dtype);
        t.requiresGrad_(true);
        const loss = F.klDiv(touch(F.logSoftmax(x, 1)), touch(F.softmax(t, 1)),
          { reduction: "batchmean" });
        loss.backward();
        const value = noGrad(() => F.klDiv(touch(F.logSoftmax(x, 1)), touch(F.softmax(t, 1)),
          { reduction: "batchmean" }));
        return { gx: x.grad!, gt: t.grad!, loss, value };
      });
      sameBits(lazy.gx, now.gx, "x.grad");
      sameBits(lazy.gt, now.gt, "t.grad");
      closeLoss(lazy.value, now.value, dtype);
      closeLoss(lazy.value, lazy.loss, dtype);
    });
  }

  test("the JS backend computes at once", () => {
    const { x } = inputs(float32);
    assert.equal(withBackend("js", () => F.logSoftmax(x, 1)).isDeferred, false);
  });

  test("non-last dims and losses' own softmaxes compute at once", () => {
    const { x } = inputs(float32, [6, 37]);
    assert.equal(withBackend("wasm", () => F.logSoftmax(x, 0)).isDeferred, false);
  });
});
