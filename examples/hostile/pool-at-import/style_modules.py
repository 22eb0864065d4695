"""Not hostile: a multiprocessing.Pool created when the module is imported and used by every question, as
students do to speed things up. Its processes must live as long as the submission, not be killed between cases."""
import multiprocessing
import torch
import torch.nn as nn

POOL = multiprocessing.Pool(2)


def through_pool(value):
    """Sends a number through the pool's processes and back."""
    return sum(POOL.map(float, [value, 0.0]))


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        return through_pool(1.0) * content_weight * torch.sum((content_current - content_original) ** 2)


class StyleLoss(nn.Module):
    def gram_matrix(self, features, normalize=True):
        N, C, H, W = features.shape
        flat = features.reshape(N, C, H * W)
        gram = torch.bmm(flat, flat.transpose(1, 2)) * through_pool(1.0)
        if normalize:
            gram = gram / (H * W * C)
        return gram

    def forward(self, feats, style_layers, style_targets, style_weights):
        loss = 0.0
        for i, layer in enumerate(style_layers):
            gram = self.gram_matrix(feats[layer])
            loss = loss + style_weights[i] * torch.sum((gram - style_targets[i]) ** 2)
        return loss * through_pool(1.0)


class TotalVariationLoss(nn.Module):
    def forward(self, img, tv_weight):
        vertical = torch.sum((img[:, :, 1:, :] - img[:, :, :-1, :]) ** 2)
        horizontal = torch.sum((img[:, :, :, 1:] - img[:, :, :, :-1]) ** 2)
        return tv_weight * (vertical + horizontal) * through_pool(1.0)
