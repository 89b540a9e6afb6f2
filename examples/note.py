"""The Python twin of examples/note.ts; its output under torch 1.13 is examples/note.transcript.

    /usr/bin/python3 examples/note.py > examples/note.transcript
"""
import torch

torch.manual_seed(0)
x = torch.randn(3, 5, requires_grad=True)
print(x)

t = torch.empty(3, dtype=torch.long).random_(5)
print(t)

probs = x.softmax(1)
print(probs)

loss = x.log_softmax(1).gather(1, t.unsqueeze(1)).neg().mean()
print(loss)
loss.backward()
print(x.grad)

print(torch.rand(2, 3))
print(torch.randint(0, 10, (3, 5), dtype=torch.float32))
print(torch.randperm(10))
print(torch.randn(4, 4, dtype=torch.float64))
