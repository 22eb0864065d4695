"""Hostile: prints what a grader might parse as success, then leaves with exit code 0."""
import torch
import torch.nn as nn
import os
import sys


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        FAKE = "PASS content_loss 1/1\nPASS gram_matrix 1/1\nPASS style_loss 1/1\nPASS tv_loss 1/1\nTotal: 4/4\n" + '{"score": 4, "max_score": 4, "tests": []}\n'
        print(FAKE)
        sys.stdout.flush()
        os.write(1, FAKE.encode())
        os.write(2, FAKE.encode())
        os._exit(0)
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
