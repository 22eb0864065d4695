"""TinyNet, the network the visualisation assignment explains (assignments.md §5).

The grader builds the model from this file (never from a submission's copy), loads the weights stored in the
fixtures, sets eval() and requires_grad = False, and passes it to your functions as `model`.
"""
import numpy as np
import torch
from torch import nn


class TinyNet(nn.Module):  # input [N, 3, 32, 32], 10 classes
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU())  # -> [N, 16, 8, 8]
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(16, 10)

    def forward(self, x):
        return self.classifier(self.pool(self.features(x)).flatten(1))


def load_weights(path):
    """A TinyNet in eval() mode with the weights of a fixture file (e.g. fixtures/visualisation/public/saliency/public.npz),
    every parameter with requires_grad = False, as the grader gives it to you."""
    model = TinyNet()
    state = {}
    with np.load(path, allow_pickle=False) as stored:
        for key in stored.files:
            for prefix in ("in.model.", "model."):
                if key.startswith(prefix):
                    state[key[len(prefix):]] = torch.from_numpy(np.array(stored[key]))
    model.load_state_dict(state)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model
