/**
 * Finite-difference gradcheck (float64, PyTorch's eps 1e-6, atol 1e-5, rtol 1e-3) of every
 * differentiable op, on seeded inputs kept away from kinks and ties; and proof that the check
 * fails on a wrong gradient.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/torch.js";
import { GradcheckError } from "../../src/autograd/gradcheck.js";
import { noGrad } from "../../src/autograd/grad-mode.js";
import { record } from "../../src/autograd/record.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { Prng } from "../helpers/prng.js";

const F = torch.F;
const { gradcheck } = torch.autograd;

type Fn = (...xs: Tensor[]) => Tensor | Tensor[];

interface Case {
  name: string;
  fn: Fn;
  inputs: (r: Prng) => Tensor[];
}

const randn = (...shape: number[]) => (r: Prng) => [r.tensor(shape)];
const positive = (r: Prng, shape: number[], lo = 0.5, hi = 2) =>
  r.tensor(shape, () => r.uniform(lo, hi));
/** `a` in (-1, 1) and `b` at ±(2..3): every pair is far from a tie, either side may win. */
const untied = (r: Prng, aShape: number[], bShape: number[]) => [
  r.tensor(aShape, () => r.uniform(-1, 1)),
  r.tensor(bShape, () => (r.next() < 0.5 ? -1 : 1) * r.uniform(2, 3)),
];
const long = (values: number[], shape = [values.length]) =>
  torch.tensor(values).reshape(shape);

const ELEMENTWISE: Case[] = [
  { name: "add", fn: (a, b) => a.add(b), inputs: (r) => [r.tensor([2, 3]), r.tensor([3])] },
  { name: "add alpha", fn: (a, b) => a.add(b, { alpha: -1.5 }),
    inputs: (r) => [r.tensor([2, 1]), r.tensor([1, 3])] },
  { name: "add scalar", fn: (a) => a.add(2.5), inputs: randn(4) },
  { name: "sub alpha", fn: (a, b) => a.sub(b, { alpha: 0.5 }),
    inputs: (r) => [r.tensor([3, 1, 2]), r.tensor([4, 1])] },
  { name: "rsub tensor", fn: (a, b) => torch.rsub(a, b, { alpha: 2 }),
    inputs: (r) => [r.tensor([3]), r.tensor([2, 3])] },
  { name: "rsub scalar", fn: (a) => torch.rsub(a, 1), inputs: randn(3) },
  { name: "mul", fn: (a, b) => a.mul(b), inputs: (r) => [r.tensor([2, 3]), r.tensor([2, 1])] },
  { name: "mul self", fn: (a) => a.mul(a), inputs: randn(4) },
  { name: "div", fn: (a, b) => a.div(b), inputs: (r) => [r.tensor([2, 3]), positive(r, [3])] },
  { name: "div scalar", fn: (a) => a.div(-3), inputs: randn(4) },
  { name: "pow 2", fn: (a) => a.pow(2), inputs: randn(5) },
  { name: "pow 3", fn: (a) => a.pow(3), inputs: randn(5) },
  { name: "pow 0.5", fn: (a) => a.pow(0.5), inputs: (r) => [positive(r, [5])] },
  { name: "pow -1.5", fn: (a) => a.pow(-1.5), inputs: (r) => [positive(r, [5])] },
  { name: "pow tensor", fn: (a, b) => a.pow(b),
    inputs: (r) => [positive(r, [2, 3]), r.tensor([3])] },
  { name: "pow scalar base", fn: (a) => torch.pow(2.5, a), inputs: randn(4) },
  { name: "square", fn: (a) => a.square(), inputs: randn(4) },
  { name: "maximum", fn: (a, b) => torch.maximum(a, b), inputs: (r) => untied(r, [2, 3], [3]) },
  { name: "minimum", fn: (a, b) => torch.minimum(a, b), inputs: (r) => untied(r, [6], [6]) },
  { name: "clamp", fn: (a) => a.clamp(-0.5, 0.5), inputs: (r) => [r.awayFrom([8], [-0.5, 0.5])] },
  { name: "clamp min only", fn: (a) => a.clamp(0.2), inputs: (r) => [r.awayFrom([8], [0.2])] },
  { name: "clamp tensor bounds", fn: (x, lo, hi) => x.clamp(lo, hi),
    inputs: (r) => [r.awayFrom([6], [-0.5, 0.5]),
      r.tensor([6], () => -0.5), r.tensor([6], () => 0.5)] },
  { name: "clampMin", fn: (a) => a.clampMin(0), inputs: (r) => [r.awayFrom([6], [0])] },
  { name: "clampMax", fn: (a, m) => a.clampMax(m),
    inputs: (r) => [r.awayFrom([6], [0.3]), r.tensor([1], () => 0.3)] },
  { name: "where", fn: (a, b) => torch.where(torch.tensor([[true, false, true]]), a, b),
    inputs: (r) => [r.tensor([2, 3]), r.tensor([3])] },
  { name: "neg", fn: (a) => a.neg(), inputs: randn(4) },
  { name: "abs", fn: (a) => a.abs(), inputs: (r) => [r.awayFrom([6], [0])] },
  { name: "exp", fn: (a) => a.exp(), inputs: randn(2, 3) },
  { name: "log", fn: (a) => a.log(), inputs: (r) => [positive(r, [2, 3])] },
  { name: "log1p", fn: (a) => a.log1p(), inputs: (r) => [positive(r, [5], -0.5, 2)] },
  { name: "expm1", fn: (a) => a.expm1(), inputs: randn(5) },
  { name: "sqrt", fn: (a) => a.sqrt(), inputs: (r) => [positive(r, [5])] },
  { name: "sigmoid", fn: (a) => a.sigmoid(), inputs: randn(5) },
  { name: "logSigmoid", fn: (a) => F.logSigmoid(a),
    inputs: (r) => [r.tensor([6], () => 4 * r.normal())] },
  { name: "softplus", fn: (a) => F.softplus(a), inputs: randn(6) },
  { name: "softplus beta threshold", fn: (a) => F.softplus(a, { beta: 2, threshold: 3 }),
    inputs: (r) => [r.tensor([8], () => r.uniform(-3, 1.4))] },
  { name: "xlogy", fn: (a, b) => torch.xlogy(a, b),
    inputs: (r) => [r.tensor([2, 3]), positive(r, [3])] },
  { name: "float64 cast chain", fn: (a) => a.to(torch.float64).mul(2).double(), inputs: randn(3) },
];

const REDUCTIONS: Case[] = [
  { name: "sum", fn: (a) => a.sum(), inputs: randn(2, 3) },
  { name: "sum dims keepdim", fn: (a) => a.sum([0, 2], true), inputs: randn(2, 3, 4) },
  { name: "mean", fn: (a) => a.mean(), inputs: randn(2, 3) },
  { name: "mean dim", fn: (a) => a.mean(-1), inputs: randn(2, 3, 4) },
  { name: "mean dims", fn: (a) => a.mean([0, 2]), inputs: randn(2, 3, 4) },
  { name: "max all", fn: (a) => a.max(), inputs: (r) => [r.distinct([3, 4])] },
  { name: "max dim", fn: (a) => a.max(1).values, inputs: (r) => [r.distinct([3, 4])] },
  { name: "min dim keepdim", fn: (a) => a.min(0, true).values,
    inputs: (r) => [r.distinct([3, 4])] },
  { name: "min all", fn: (a) => a.min(), inputs: (r) => [r.distinct([5])] },
  { name: "amax", fn: (a) => a.amax([0, 2]), inputs: (r) => [r.distinct([2, 3, 2])] },
  { name: "amin", fn: (a) => a.amin(-1, true), inputs: (r) => [r.distinct([3, 4])] },
  { name: "logsumexp", fn: (a) => a.logsumexp(1), inputs: randn(3, 4) },
  { name: "logsumexp dims", fn: (a) => a.logsumexp([0, 2], true), inputs: randn(2, 3, 2) },
  { name: "norm", fn: (a) => a.norm(), inputs: randn(3, 4) },
  { name: "norm p1 dim", fn: (a) => a.norm(1, 1), inputs: (r) => [r.awayFrom([3, 4], [0])] },
  { name: "norm inf dim", fn: (a) => a.norm(Infinity, 0), inputs: (r) => [r.distinct([3, 4])] },
  { name: "norm -inf", fn: (a) => a.norm(-Infinity), inputs: (r) => [r.awayFrom([5], [0], 0.3)] },
  { name: "norm p3 keepdim", fn: (a) => a.norm(3, [0, 1], true), inputs: randn(2, 3) },
  { name: "norm p1.5", fn: (a) => a.norm(1.5, 1), inputs: (r) => [r.awayFrom([2, 3], [0])] },
  { name: "norm p0.5", fn: (a) => a.norm(0.5, 1), inputs: (r) => [r.awayFrom([2, 3], [0], 0.2)] },
];

const SHAPES: Case[] = [
  { name: "reshape", fn: (a) => a.reshape(3, -1), inputs: randn(2, 3) },
  { name: "reshape non-contiguous", fn: (a) => a.t().reshape(-1), inputs: randn(2, 3) },
  { name: "view", fn: (a) => a.view([6]), inputs: randn(2, 3) },
  { name: "flatten", fn: (a) => a.flatten(1), inputs: randn(2, 3, 2) },
  { name: "unflatten", fn: (a) => a.unflatten(1, [2, -1]), inputs: randn(3, 4) },
  { name: "squeeze", fn: (a) => a.squeeze(), inputs: randn(1, 3, 1) },
  { name: "unsqueeze", fn: (a) => a.unsqueeze(-1), inputs: randn(2, 3) },
  { name: "permute", fn: (a) => a.permute(2, 0, 1), inputs: randn(2, 3, 4) },
  { name: "transpose", fn: (a) => a.transpose(0, 2), inputs: randn(2, 3, 4) },
  { name: "t", fn: (a) => a.t(), inputs: randn(2, 3) },
  { name: "T", fn: (a) => a.T, inputs: randn(2, 3) },
  { name: "movedim", fn: (a) => a.movedim([0, 1], [2, 0]), inputs: randn(2, 3, 4) },
  { name: "expand", fn: (a) => a.expand(2, 3, 4), inputs: randn(3, 1) },
  { name: "contiguous", fn: (a) => a.transpose(0, 1).contiguous(), inputs: randn(2, 3) },
  { name: "clone", fn: (a) => a.clone(), inputs: randn(2, 3) },
  { name: "broadcastTensors", fn: (a, b) => torch.broadcastTensors(a, b),
    inputs: (r) => [r.tensor([2, 1]), r.tensor([3])] },
];

const INDEXING: Case[] = [
  { name: "gather", fn: (a) => a.gather(1, long([0, 0, 2, 1, 1, 1], [3, 2])), inputs: randn(3, 4) },
  { name: "indexSelect", fn: (a) => a.indexSelect(0, long([2, 0, 2])), inputs: randn(3, 2) },
  { name: "select", fn: (a) => a.select(1, -1), inputs: randn(2, 3, 2) },
  { name: "maskedFill", fn: (a, v) => a.maskedFill(torch.tensor([true, false, true]), v),
    inputs: (r) => [r.tensor([2, 3]), r.tensor([])] },
  { name: "softmax", fn: (a) => a.softmax(1), inputs: randn(2, 3, 2) },
  { name: "softmax dim 0", fn: (a) => F.softmax(a, 0), inputs: randn(3, 2) },
  { name: "logSoftmax", fn: (a) => a.logSoftmax(-1), inputs: randn(2, 4) },
  { name: "logSoftmax dim 0", fn: (a) => F.logSoftmax(a, { dim: 0 }), inputs: randn(3, 2, 2) },
];

function runCases(group: string, cases: Case[], seed: number): void {
  describe(`gradcheck: ${group}`, () => {
    cases.forEach((c, i) => {
      test(c.name, () => {
        const inputs = c.inputs(new Prng(seed + i));
        assert.equal(gradcheck(c.fn, inputs), true);
      });
    });
  });
}

runCases("elementwise", ELEMENTWISE, 1000);
runCases("reductions", REDUCTIONS, 2000);
runCases("shape ops", SHAPES, 3000);
runCases("indexing and softmax", INDEXING, 4000);

/** exp with a gradient 1% too large: the kind of slip gradcheck exists to catch. */
function wrongExp(x: Tensor): Tensor {
  const out = noGrad(() => x.exp());
  return record("ExpBackward0", out, [x], (g) => [g.mul(out).mul(1.01)]);
}

/** mul whose gradient forgets the other factor for the second input. */
function wrongMul(a: Tensor, b: Tensor): Tensor {
  const out = noGrad(() => a.mul(b));
  return record("MulBackward0", out, [a, b], (g) => [g.mul(b), g]);
}

describe("gradcheck itself", () => {
  test("fails (returns false) on a wrong gradient", () => {
    const x = new Prng(1).tensor([4]);
    assert.equal(gradcheck(wrongExp, [x], { raiseException: false }), false);
  });

  test("throws GradcheckError naming the output and input on a wrong gradient", () => {
    const [a, b] = [new Prng(2).tensor([3]), new Prng(3).tensor([3])];
    assert.throws(() => gradcheck(wrongMul, [a, b]), (e: unknown) => {
      assert.ok(e instanceof GradcheckError);
      assert.match(e.message, /^Jacobian mismatch for output 0 with respect to input 1,/);
      return true;
    });
  });

  test("leaves no gradients behind, pass or fail", () => {
    const x = new Prng(4).tensor([3]);
    gradcheck((t) => t.exp(), [x]);
    assert.equal(x.grad, null);
    gradcheck(wrongExp, [x], { raiseException: false });
    assert.equal(x.grad, null);
  });
});
