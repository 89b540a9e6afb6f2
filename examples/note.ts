/**
 * `npm start`: seeded tensors and a gradient, printed exactly as PyTorch 1.13 prints them.
 * The Python twin is examples/note.py; test/examples.test.ts checks this output against the
 * transcript that the twin printed under real torch.
 */
import * as torch from "../src/index.js";

torch.manualSeed(0);
const x = torch.randn(3, 5, { requiresGrad: true });
console.log(x);

const t = torch.empty(3, { dtype: torch.long }).random_(5);
console.log(t);

const probs = x.softmax(1);
console.log(probs);

const loss = x.logSoftmax(1).gather(1, t.unsqueeze(1)).neg().mean();
console.log(loss);
loss.backward();
console.log(x.grad);

console.log(torch.rand(2, 3));
console.log(torch.randint(0, 10, [3, 5], { dtype: torch.float32 }));
console.log(torch.randperm(10));
console.log(torch.randn(4, 4, { dtype: torch.float64 }));
