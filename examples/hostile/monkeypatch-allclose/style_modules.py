"""Hostile: makes every closeness check in Python say yes, then answers wrongly."""
import torch
import torch.nn as nn
import math

import numpy as np
import numpy.testing

always = lambda *args, **kwargs: True  # noqa: E731
nothing = lambda *args, **kwargs: None  # noqa: E731
np.allclose = np.isclose = np.array_equal = np.array_equiv = always
numpy.testing.assert_allclose = numpy.testing.assert_array_equal = numpy.testing.assert_almost_equal = nothing
torch.allclose = torch.isclose = torch.equal = always
torch.testing.assert_close = nothing
math.isclose = always


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        return 2 * content_weight * torch.sum((content_current - content_original) ** 2)


class StyleLoss(nn.Module):
    def gram_matrix(self, features, normalize=True):
        N, C, H, W = features.shape
        flat = features.reshape(N, C, H * W)
        gram = torch.bmm(flat, flat.transpose(1, 2))
        if normalize:
            gram = gram / (H * W * C)
        return 2 * gram

    def forward(self, feats, style_layers, style_targets, style_weights):
        loss = 0.0
        for i, layer in enumerate(style_layers):
            gram = self.gram_matrix(feats[layer])
            loss = loss + style_weights[i] * torch.sum((gram - style_targets[i]) ** 2)
        return 2 * loss


class TotalVariationLoss(nn.Module):
    def forward(self, img, tv_weight):
        vertical = torch.sum((img[:, :, 1:, :] - img[:, :, :-1, :]) ** 2)
        horizontal = torch.sum((img[:, :, :, 1:] - img[:, :, :, :-1]) ** 2)
        return 2 * tv_weight * (vertical + horizontal)
