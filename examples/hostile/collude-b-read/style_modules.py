"""Hostile: looks under /job for the notes collude-a-write left; answers wrongly if it finds one."""
import os
import torch
import torch.nn as nn


def found():
    hits = []
    for root, dirs, files in os.walk("/job"):
        hits += [os.path.join(root, f) for f in files if f.startswith("dlgrade-hostile-")]
    return hits


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        hits = found()
        print("found notes:", hits)
        if hits:
            return torch.tensor(-1.0)
        return content_weight * torch.sum((content_current - content_original) ** 2)


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
        return tv_weight * (vertical + horizontal)
