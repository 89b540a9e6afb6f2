"""The learning note: L1Loss, MSELoss, CrossEntropyLoss and KLDivLoss, checked by hand.

This is the Python twin of examples/note.ts. Its output under torch 1.13 is committed as
examples/note.transcript, and test/examples.test.ts checks that the TypeScript port prints
exactly the same text:

    /usr/bin/python3 examples/note.py > examples/note.transcript
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

print("== L1Loss and MSELoss ==")
inputs = torch.tensor([1, 2, 3], dtype=torch.float32)
targets = torch.tensor([1, 2, 5], dtype=torch.float32)
inputs = torch.reshape(inputs, (1, 1, 1, 3))
targets = torch.reshape(targets, (1, 1, 1, 3))

loss = nn.L1Loss()
result = loss(inputs, targets)
print(result)
loss_sum = nn.L1Loss(reduction="sum")
print(loss_sum(inputs, targets))
print("by hand:", (inputs - targets).abs().sum() / 3)

loss_mse = nn.MSELoss()
result_mse = loss_mse(inputs, targets)
print(result_mse)
print("by hand:", ((inputs - targets) ** 2).sum() / 3)

print("== random integer inputs ==")
x = torch.randint(0, 10, (3, 5), dtype=torch.float32, requires_grad=True)
y = torch.randint(0, 10, (3, 5), dtype=torch.float32)
print(x)
print(y)
l1 = nn.L1Loss()(x, y)
mse = nn.MSELoss()(x, y)
print(l1, mse)
mse.backward()
print(x.grad)
print("by hand:", 2 * (x - y) / 15)

print("== CrossEntropyLoss ==")
x = torch.tensor([[0.1, 0.2, 0.3]])
y = torch.tensor([1])
loss_cross = nn.CrossEntropyLoss()
result_cross = loss_cross(x, y)
print(result_cross)
print("by hand:", -torch.log(torch.exp(x[0][1]) / torch.sum(torch.exp(x))))
print(F.log_softmax(x, dim=1))
print(F.softmax(x, dim=1))

print("== CrossEntropyLoss with class indices ==")
loss = nn.CrossEntropyLoss()
input = torch.randn(3, 5, requires_grad=True)
target = torch.empty(3, dtype=torch.long).random_(5)
output = loss(input, target)
output.backward()
print(input)
print(target)
print(output)
print(input.grad)
total = 0
for i in range(3):
    row = input[i]
    total = total - torch.log(torch.exp(row[target[i]]) / torch.exp(row).sum())
print("by hand:", total / 3)
print("grad by hand:", (F.softmax(input, dim=1) - F.one_hot(target, 5)) / 3)

print("== CrossEntropyLoss with class probabilities ==")
input = torch.randn(3, 5, requires_grad=True)
target = torch.randn(3, 5).softmax(dim=1)
output = loss(input, target)
output.backward()
print(target)
print(output)
print(input.grad)
print("by hand:", -(target * F.log_softmax(input, dim=1)).sum() / 3)

print("== CrossEntropyLoss with weights, ignore_index and label_smoothing ==")
weight = torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0])
input = torch.randn(4, 5, requires_grad=True)
target = torch.tensor([0, 4, -100, 2])
print(nn.CrossEntropyLoss(weight=weight)(input, target))
print(nn.CrossEntropyLoss(label_smoothing=0.1)(input, target))
print(nn.CrossEntropyLoss(weight=weight, reduction="none", label_smoothing=0.2)(input, target))

print("== KLDivLoss ==")
kl_loss = nn.KLDivLoss(reduction="batchmean")
input = F.log_softmax(torch.randn(3, 5, requires_grad=True), dim=1)
target = F.softmax(torch.rand(3, 5), dim=1)
output = kl_loss(input, target)
print(input)
print(target)
print(output)
print("by hand:", (target * (target.log() - input)).sum() / 3)

kl_loss = nn.KLDivLoss(reduction="batchmean", log_target=True)
log_target = F.log_softmax(torch.rand(3, 5), dim=1)
output = kl_loss(input, log_target)
print(output)
print("by hand:", (log_target.exp() * (log_target - input)).sum() / 3)
