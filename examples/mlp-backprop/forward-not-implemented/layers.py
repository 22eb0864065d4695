"""Layers of a multilayer perceptron: every backward written, but the ReLU and cross-entropy forwards left as the starter has them."""
import math

import torch


class Module:
    """Base class. Calling a module saves its inputs for backward, then runs forward."""

    def __call__(self, *inputs):
        self.inputs = inputs          # saved for backward
        return self.forward(*inputs)

    def forward(self, *inputs):
        raise NotImplementedError

    def backward(self, *grads):
        raise NotImplementedError

    def parameters(self):
        return []


class Linear(Module):
    def __init__(self, in_features, out_features):
        self.in_features = in_features
        self.out_features = out_features
        bound = 1.0 / math.sqrt(in_features)
        self.weight = torch.empty(out_features, in_features).uniform_(-bound, bound)
        self.bias = torch.empty(out_features).uniform_(-bound, bound)

    def forward(self, x):
        return x @ self.weight.T + self.bias

    def backward(self, dLdout):
        (x,) = self.inputs
        self.weight.grad = dLdout.T @ x
        self.bias.grad = dLdout.sum(dim=0)
        return dLdout @ self.weight

    def parameters(self):
        return [self.weight, self.bias]


class ReLU(Module):
    def forward(self, x):
        raise NotImplementedError("ReLU.forward")

    def backward(self, dLdout):
        (x,) = self.inputs
        return dLdout * (x > 0).to(dLdout.dtype)


def softmax(logits):
    # Subtracting the row maximum leaves the softmax unchanged and keeps exp from overflowing.
    shifted = logits - logits.max(dim=1, keepdim=True).values
    exp = torch.exp(shifted)
    return exp / exp.sum(dim=1, keepdim=True)


class CrossEntropyLoss(Module):
    def forward(self, logits, target):
        raise NotImplementedError("CrossEntropyLoss.forward")

    def backward(self):
        logits, target = self.inputs
        batch = logits.shape[0]
        grad = softmax(logits)
        grad[torch.arange(batch), target] -= 1
        return grad / batch
