"""Hostile: starts many spinning children, each in a session of its own (so each would get a scheduling group of
its own), then spins itself: whatever is graded at the same time must still get its share of the CPU."""
import os
import torch
import torch.nn as nn

SPINNERS = 24


def mark(name):
    """Renames this process, so a test on the host can tell whether it outlived its grading."""
    try:
        with open("/proc/self/comm", "w") as f:
            f.write(name)
    except OSError:
        pass


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        for _ in range(SPINNERS):
            try:
                if os.fork() == 0:
                    os.setsid()
                    mark("dlg-hostile-spn")
                    while True:
                        pass
            except OSError:
                break
        mark("dlg-hostile-spn")
        while True:
            pass


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
