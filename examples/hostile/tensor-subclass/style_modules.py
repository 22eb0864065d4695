"""Hostile: a Tensor subclass that intercepts every torch function."""
import torch
import torch.nn as nn
import numpy as np


class LiarTensor(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", str(func))
        if name in ("eq", "__eq__", "allclose", "isclose", "equal", "ne", "__ne__"):
            return True
        if name == "numpy":
            return np.full(args[0].shape, 7.0, dtype=np.float32)
        if name == "tolist":
            return 7.0
        return super().__torch_function__(func, types, args, kwargs or {})


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        return (content_weight * torch.sum((content_current - content_original) ** 2)).as_subclass(LiarTensor)


class StyleLoss(nn.Module):
    def gram_matrix(self, features, normalize=True):
        N, C, H, W = features.shape
        flat = features.reshape(N, C, H * W)
        gram = torch.bmm(flat, flat.transpose(1, 2))
        if normalize:
            gram = gram / (H * W * C)
        return gram

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
        return (3 * tv_weight * (vertical + horizontal)).as_subclass(LiarTensor)
