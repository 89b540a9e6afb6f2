/**
 * `npm start`: the learning note. L1Loss, MSELoss, CrossEntropyLoss and KLDivLoss on small
 * tensors, each value checked by hand, printed exactly as PyTorch 1.13 prints them.
 *
 * A line-by-line port of its Python twin, examples/note.py; test/examples.test.ts checks
 * that this prints examples/note.transcript, the twin's output under real torch.
 */
import * as torch from "../src/index.js";

const { nn } = torch;
const F = torch.nn.functional;

torch.manualSeed(0);

console.log("== L1Loss and MSELoss ==");
let inputs = torch.tensor([1, 2, 3], { dtype: torch.float32 });
let targets = torch.tensor([1, 2, 5], { dtype: torch.float32 });
inputs = torch.reshape(inputs, [1, 1, 1, 3]);
targets = torch.reshape(targets, [1, 1, 1, 3]);

let loss = new nn.L1Loss();
const result = loss(inputs, targets);
console.log(result);
const lossSum = new nn.L1Loss({ reduction: "sum" });
console.log(lossSum(inputs, targets));
console.log("by hand:", inputs.sub(targets).abs().sum().div(3));

const lossMse = new nn.MSELoss();
const resultMse = lossMse(inputs, targets);
console.log(resultMse);
console.log("by hand:", inputs.sub(targets).pow(2).sum().div(3));

console.log("== random integer inputs ==");
let x = torch.randint(0, 10, [3, 5], { dtype: torch.float32, requiresGrad: true });
let y = torch.randint(0, 10, [3, 5], { dtype: torch.float32 });
console.log(x);
console.log(y);
const l1 = new nn.L1Loss()(x, y);
const mse = new nn.MSELoss()(x, y);
console.log(l1, mse);
mse.backward();
console.log(x.grad);
console.log("by hand:", x.sub(y).mul(2).div(15));

console.log("== CrossEntropyLoss ==");
x = torch.tensor([[0.1, 0.2, 0.3]]);
y = torch.tensor([1]);
const lossCross = new nn.CrossEntropyLoss();
const resultCross = lossCross(x, y);
console.log(resultCross);
console.log("by hand:", torch.log(torch.exp(x.select(0, 0).select(0, 1))
  .div(torch.sum(torch.exp(x)))).neg());
console.log(F.logSoftmax(x, 1));
console.log(F.softmax(x, 1));

console.log("== CrossEntropyLoss with class indices ==");
loss = new nn.CrossEntropyLoss();
let input = torch.randn(3, 5, { requiresGrad: true });
let target = torch.empty(3, { dtype: torch.long }).random_(5);
let output = loss(input, target);
output.backward();
console.log(input);
console.log(target);
console.log(output);
console.log(input.grad);
let total = torch.zeros([]);
for (let i = 0; i < 3; i++) {
  const row = input.select(0, i);
  const picked = row.select(0, Number(target.select(0, i).item()));
  total = total.sub(torch.log(torch.exp(picked).div(torch.exp(row).sum())));
}
console.log("by hand:", total.div(3));
console.log("grad by hand:", F.softmax(input, 1).sub(F.oneHot(target, 5)).div(3));

console.log("== CrossEntropyLoss with class probabilities ==");
input = torch.randn(3, 5, { requiresGrad: true });
target = torch.randn(3, 5).softmax(1);
output = loss(input, target);
output.backward();
console.log(target);
console.log(output);
console.log(input.grad);
console.log("by hand:", target.mul(F.logSoftmax(input, 1)).sum().neg().div(3));

console.log("== CrossEntropyLoss with weights, ignore_index and label_smoothing ==");
const weight = torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0]);
input = torch.randn(4, 5, { requiresGrad: true });
target = torch.tensor([0, 4, -100, 2]);
console.log(new nn.CrossEntropyLoss({ weight })(input, target));
console.log(new nn.CrossEntropyLoss({ labelSmoothing: 0.1 })(input, target));
console.log(new nn.CrossEntropyLoss({ weight, reduction: "none", labelSmoothing: 0.2 })(input,
  target));

console.log("== KLDivLoss ==");
let klLoss = new nn.KLDivLoss({ reduction: "batchmean" });
input = F.logSoftmax(torch.randn(3, 5, { requiresGrad: true }), 1);
target = F.softmax(torch.rand(3, 5), 1);
output = klLoss(input, target);
console.log(input);
console.log(target);
console.log(output);
console.log("by hand:", target.mul(target.log().sub(input)).sum().div(3));

klLoss = new nn.KLDivLoss({ reduction: "batchmean", logTarget: true });
const logTarget = F.logSoftmax(torch.rand(3, 5), 1);
output = klLoss(input, logTarget);
console.log(output);
console.log("by hand:", logTarget.exp().mul(logTarget.sub(input)).sum().div(3));
