/**
 * float64 cross-entropy on the WebAssembly kernel (assembly/ce64.ts, f64x2 with fdlibm's exp)
 * against the pure-JS loops (`Math.exp`), at sizes that stage several chunks and split rows
 * across threads, with weights, ignored targets, every reduction and non-finite logits; and
 * gradcheck through the kernel. The torch fixtures run on both paths in backend-losses.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as torch from "../../src/index.js";
import { gradcheck } from "../../src/autograd/gradcheck.js";
import { withBackend } from "../../src/kernels/backend.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { TOLERANCES, floatsClose } from "../helpers/compare.js";
import { useBackend } from "./backend-path.js";

const F = torch.F;

function lossAndGrad(backend: "js" | "wasm", x: Tensor, target: Tensor,
  options: Parameters<typeof F.crossEntropy>[2]): [Float64Array, Float64Array] {
  return withBackend(backend, () => {
    const leaf = x.detach().clone().requiresGrad_();
    const loss = F.crossEntropy(leaf, target, options);
    loss.sum().backward();
    return [Float64Array.from(loss.data as Float64Array),
      Float64Array.from(leaf.grad!.data as Float64Array)];
  });
}

function assertClose(actual: Float64Array, expected: Float64Array, label: string): void {
  const bad = [...expected.keys()].filter((i) =>
    !floatsClose(actual[i], expected[i], TOLERANCES.float64) ||
    (expected[i] === 0 && !Object.is(actual[i], expected[i])));
  assert.equal(bad.length, 0, `${label}: ${bad.length} differ, e.g. [${bad[0]}] ` +
    `${actual[bad[0]]} vs ${expected[bad[0]]}`);
}

function targets(n: number, c: number, ignored: number): Tensor {
  return torch.tensor(Array.from({ length: n }, (_, i) => (i % 17 === 3 ? ignored : (i * 31) % c)));
}

describe("float64 cross-entropy: WebAssembly kernel = JS loops", () => {
  useBackend(0);
  const shapes = [[3, 1003], [300, 5000], [40, 7]] as const;
  for (const [n, c] of shapes) {
    for (const reduction of ["mean", "sum", "none"] as const) {
      test(`${n}×${c} ${reduction}, class weights, ignored targets`, () => {
        const x = torch.randn([n, c], { dtype: torch.float64 }).mul(4);
        const weight = torch.rand([c], { dtype: torch.float64 });
        const t = targets(n, c, -100);
        const options = { reduction, weight };
        const [lw, gw] = lossAndGrad("wasm", x, t, options);
        const [lj, gj] = lossAndGrad("js", x, t, options);
        assertClose(lw, lj, "loss");
        assertClose(gw, gj, "grad");
      });
    }
  }

  test("non-finite logits: ±inf and NaN rows, huge spreads", () => {
    const c = 9;
    const rows = [
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
      [-Infinity, 1, 2, -Infinity, 4, 5, 6, 7, 8],
      [Infinity, 1, 2, 3, 4, 5, 6, 7, 8],
      [NaN, 1, 2, 3, 4, 5, 6, 7, 8],
      [-1e308, 1e308, 0, 700, -700, 745, -745, 1, 2],
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, 0],
    ];
    const x = torch.tensor(rows, { dtype: torch.float64 });
    const t = torch.tensor([1, 0, 0, 3, 4, 8]);
    for (const reduction of ["none", "sum"] as const) {
      const [lw, gw] = lossAndGrad("wasm", x, t, { reduction });
      const [lj, gj] = lossAndGrad("js", x, t, { reduction });
      assertClose(lw, lj, `${reduction} loss`);
      assertClose(gw, gj, `${reduction} grad`);
    }
    assert.equal(x.shape[1], c);
  });

  test("gradcheck through the kernel", () => {
    const x = torch.randn([5, 11], { dtype: torch.float64, requiresGrad: true });
    const t = torch.tensor([0, 3, 10, 7, 2]);
    const weight = torch.rand([11], { dtype: torch.float64 });
    withBackend("wasm", () => {
      assert.ok(gradcheck((z: Tensor) => F.crossEntropy(z, t), [x]));
      assert.ok(gradcheck((z: Tensor) => F.crossEntropy(z, t, { weight, reduction: "sum" }), [x]));
    });
  });
});
