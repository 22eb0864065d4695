"""Layers of a multilayer perceptron, with hand-written backward passes. See handout.md.

Do not use autograd: no .backward() on tensors, no torch.autograd, no torch.nn layers or losses.
Tensors are float32; the batch is the first dimension.
"""
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
        """The tensors an optimiser updates (each gets a .grad from backward)."""
        return []


class Linear(Module):
    """y = x @ W.T + b, with weight W of shape [out_features, in_features] and bias b of shape [out_features]."""

    def __init__(self, in_features, out_features):
        self.in_features = in_features
        self.out_features = out_features
        bound = 1.0 / math.sqrt(in_features)
        self.weight = torch.empty(out_features, in_features).uniform_(-bound, bound)
        self.bias = torch.empty(out_features).uniform_(-bound, bound)

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape [B, in_features]

        Returns:
        - tensor of shape [B, out_features]
        """
        raise NotImplementedError("Linear.forward")

    def backward(self, dLdout):
        """
        Inputs:
        - dLdout: gradient of the loss with respect to this layer's output, shape [B, out_features]

        Sets:
        - self.weight.grad: dL/dW, shape [out_features, in_features]
        - self.bias.grad: dL/db, shape [out_features]

        Returns:
        - dLdin: gradient of the loss with respect to the input x, shape [B, in_features]
        """
        raise NotImplementedError("Linear.backward")

    def parameters(self):
        return [self.weight, self.bias]


class ReLU(Module):
    """max(0, x), elementwise."""

    def forward(self, x):
        raise NotImplementedError("ReLU.forward")

    def backward(self, dLdout):
        """Returns dLdin, the same shape as the input. The gradient at exactly 0 is 0."""
        raise NotImplementedError("ReLU.backward")


class CrossEntropyLoss(Module):
    """Softmax followed by the negative log-likelihood, averaged over the batch."""

    def forward(self, logits, target):
        """
        Inputs:
        - logits: tensor of shape [B, C]
        - target: int64 tensor of shape [B] with class indices in [0, C)

        Returns:
        - the loss, a scalar tensor: mean over the batch of -log softmax(logits)[i, target[i]]
        """
        raise NotImplementedError("CrossEntropyLoss.forward")

    def backward(self):
        """Returns dL/dlogits, shape [B, C]. Call after forward."""
        raise NotImplementedError("CrossEntropyLoss.backward")
