"""Hostile: answers that execute code when unpickled."""
import torch
import torch.nn as nn
import os

import numpy as np

SENTINEL = "/tmp/dlgrade-hostile-reduce-sentinel"


class Evil:
    def __reduce__(self):
        return (os.system, (f"touch {SENTINEL}; touch /job/outputs/reduce-sentinel",))


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        return np.array([Evil()], dtype=object)


class StyleLoss(nn.Module):
    def gram_matrix(self, features, normalize=True):
        return Evil()

    def forward(self, feats, style_layers, style_targets, style_weights):
        loss = 0.0
        for i, layer in enumerate(style_layers):
            gram = self.gram_matrix(feats[layer])
            loss = loss + style_weights[i] * torch.sum((gram - style_targets[i]) ** 2)
        return loss


class TotalVariationLoss(nn.Module):
    def forward(self, img, tv_weight):
        vertical = torch.sum((img[:, :, 1:, :] - img[:, :, :-1, :]) ** 2)
        horizontal = torch.sum((img[:, :, :, 1:] - img[:, :, :, :-1]) ** 2)
        return tv_weight * (vertical + horizontal)
