"""Hostile: fills the scratch space."""
import torch
import torch.nn as nn
import os

DONE = []


def fill(folder, megabytes):
    written = 0
    try:
        with open(os.path.join(folder, "dlgrade-hostile-flood"), "wb") as f:
            for _ in range(megabytes):
                f.write(b"\0" * (1 << 20))
                written += 1
    except OSError as e:
        return f"{folder}: {written} MB then {type(e).__name__}"
    return f"{folder}: {written} MB"


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        if not DONE:
            DONE.append([fill("/tmp", 100), fill("/dev/shm", 100), fill(os.getcwd(), 100)])
        print(DONE[0])
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
