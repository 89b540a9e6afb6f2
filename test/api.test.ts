// The public API contract of ../shared/design/API.md: entry points, naming, module calls.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import torchDefault, * as torch from "../src/index.js";

const { nn } = torch;
const F = torch.nn.functional;

test("entry points: namespace import, default import, nn.functional and F", () => {
  assert.equal(torchDefault.tensor, torch.tensor);
  assert.equal(torch.F, torch.nn.functional);
  assert.equal(typeof F.crossEntropy, "function");
  assert.equal(typeof F.logSoftmax, "function");
});

test("dtypes print as torch.<name>, with PyTorch's aliases", () => {
  assert.equal(String(torch.float32), "torch.float32");
  assert.equal(torch.float, torch.float32);
  assert.equal(torch.double, torch.float64);
  assert.equal(torch.long, torch.int64);
  assert.equal(inspect(torch.bool), "torch.bool");
});

test("the API.md seed snippet prints what torch prints", () => {
  const inputs = torch.tensor([1, 2, 3], { dtype: torch.float32 }).reshape([1, 1, 1, 3]);
  const targets = torch.tensor([1, 2, 5], { dtype: torch.float32 }).reshape([1, 1, 1, 3]);
  const loss = new nn.L1Loss();
  assert.equal(inspect(loss(inputs, targets)), "tensor(0.6667)");
  assert.equal(String(loss.forward(inputs, targets)), "tensor(0.6667)");
  assert.equal(String(nn.L1Loss()(inputs, targets)), "tensor(0.6667)");

  torch.manualSeed(0);
  const x = torch.randn(3, 5, { requiresGrad: true });
  const t = torch.empty(3, { dtype: torch.long }).random_(5);
  const out = new nn.CrossEntropyLoss()(x, t);
  assert.equal(String(out), "tensor(2.2729, grad_fn=<NllLossBackward0>)");
  out.backward();
  assert.ok(x.grad instanceof torch.Tensor);
  assert.equal(out.gradFn?.name(), "NllLossBackward0");
  x.grad = null;
  assert.equal(x.grad, null);
});

test("module instances are callable, print their class, and expose their options", () => {
  const loss = new nn.CrossEntropyLoss({ ignoreIndex: 3, labelSmoothing: 0.1 });
  assert.equal(typeof loss, "function");
  assert.ok(loss instanceof nn.CrossEntropyLoss);
  assert.ok(loss instanceof nn.Module);
  assert.equal(String(loss), "CrossEntropyLoss()");
  assert.equal(inspect(loss), "CrossEntropyLoss()");
  assert.equal(loss.reduction, "mean");
  assert.equal(loss.ignoreIndex, 3);
  assert.equal(loss.labelSmoothing, 0.1);
});

test("a mistyped option key is a TypeError naming the camelCase key", () => {
  assert.throws(() => new nn.CrossEntropyLoss({ ignore_index: 1 } as never), {
    name: "TypeError",
    message: "CrossEntropyLoss.__init__() got an unexpected keyword argument 'ignore_index' " +
      "(torchloss option names are camelCase: use 'ignoreIndex')",
  });
  assert.throws(() => F.klDiv(torch.zeros(2), torch.zeros(2), { log_target: true } as never), {
    name: "TypeError",
    message: "kl_div() got an unexpected keyword argument 'log_target' " +
      "(torchloss option names are camelCase: use 'logTarget')",
  });
  assert.throws(() => F.l1Loss(torch.zeros(2), torch.zeros(2), { foo: 1 } as never), {
    name: "TypeError",
    message: "l1_loss() got an unexpected keyword argument 'foo'",
  });
});

test("errors are Error subclasses with PyTorch's text", () => {
  assert.throws(() => torch.tensor([[1, 2], [3]]), (e: unknown) => e instanceof Error &&
    e instanceof torch.ValueError && e.message === "expected sequence of length 2 at dim 1 (got 1)");
  assert.throws(() => torch.ones(6).reshape(7), {
    name: "RuntimeError", message: "shape '[7]' is invalid for input of size 6",
  });
  assert.throws(() => torch.ones(2).add(torch.ones(4)), {
    name: "RuntimeError",
    message: "The size of tensor a (2) must match the size of tensor b (4) at non-singleton " +
      "dimension 0",
  });
});

test("shape arguments may be given as (2, 3) or ([2, 3])", () => {
  assert.deepEqual(torch.zeros(2, 3).shape, [2, 3]);
  assert.deepEqual(torch.zeros([2, 3]).shape, [2, 3]);
  assert.deepEqual(torch.ones(2, 3).reshape(3, 2).shape, [3, 2]);
  assert.deepEqual(torch.ones(2, 3).reshape([-1]).shape, [6]);
});

test("typed arrays become tensors of their kind", () => {
  assert.equal(torch.tensor(new Float32Array([1, 2])).dtype, torch.float32);
  assert.equal(torch.tensor(new Float64Array([1, 2])).dtype, torch.float64);
  assert.equal(torch.tensor(new BigInt64Array([1n, 2n])).dtype, torch.int64);
  assert.equal(String(torch.tensor(new Float32Array([1.5, 2])).reshape(2, 1)),
    "tensor([[1.5000],\n        [2.0000]])");
});

test("module fields hold PyTorch's constructor defaults", () => {
  const ce = new nn.CrossEntropyLoss();
  assert.equal(ce.reduction, "mean");
  assert.equal(ce.ignoreIndex, -100);
  assert.equal(ce.labelSmoothing, 0);
  assert.equal(ce.weight, null);
  assert.equal(new nn.CTCLoss().blank, 0);
  assert.equal(new nn.TripletMarginLoss().margin, 1);
  assert.equal(new nn.PoissonNLLLoss().logInput, true);
});

test("an int64 tensor inferred from JS integers gets the float hint, an explicit one does not",
  () => {
    const hint = " (hint: this int64 tensor was inferred from JS integers; pass " +
      "{ dtype: torch.float32 } to torch.tensor() if you meant floats)";
    assert.throws(() => torch.tensor([1, 2, 3], { requiresGrad: true }), {
      name: "RuntimeError",
      message: "Only Tensors of floating point and complex dtype can require gradients" + hint,
    });
    assert.throws(() => new nn.MSELoss()(torch.tensor([1, 2, 3]).reshape(1, 3),
      torch.tensor([1, 2, 5]).reshape(1, 3)), {
      name: "RuntimeError", message: "\"mse_cpu\" not implemented for 'Long'" + hint,
    });
    assert.throws(() => F.klDiv(torch.tensor([1, 2]), torch.tensor([0.5, 0.5]),
      { reduction: "sum" }), {
      name: "RuntimeError", message: "kl_div: Integral inputs not supported." + hint,
    });
    assert.throws(() => F.crossEntropy(torch.randn(2, 3), torch.tensor([0, 1]),
      { weight: torch.tensor([1, 2, 3]) }), {
      name: "RuntimeError", message: "expected scalar type Float but found Long" + hint,
    });
    assert.throws(() => F.mseLoss(torch.tensor([1, 2], { dtype: torch.int64 }),
      torch.tensor([1, 2], { dtype: torch.int64 })), {
      name: "RuntimeError", message: "\"mse_cpu\" not implemented for 'Long'",
    });
    assert.throws(() => F.nllLoss(torch.randn(2, 3), torch.tensor([0.5, 1.5])), {
      name: "RuntimeError", message: "expected scalar type Long but found Float",
    });
  });
