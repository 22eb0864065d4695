"""Hostile: tries to become root and read what only root may."""
import torch
import torch.nn as nn
import os

REPORT = []


def attempt(what, fn):
    try:
        fn()
        REPORT.append(f"{what}: succeeded")
    except Exception as e:  # noqa: BLE001
        REPORT.append(f"{what}: denied ({type(e).__name__})")


def read(path):
    with open(path, "rb") as f:
        f.read(1)


def write(path):
    with open(path, "wb") as f:
        f.write(b"x")


def attack():
    here = os.path.dirname(os.path.abspath(__file__))
    REPORT.append(f"uid={os.getuid()} euid={os.geteuid()} gid={os.getgid()}")
    attempt("setuid(0)", lambda: os.setuid(0))
    attempt("setgid(0)", lambda: os.setgid(0))
    attempt("seteuid(0)", lambda: os.seteuid(0))
    attempt("read /etc/shadow", lambda: read("/etc/shadow"))
    attempt("read root-only secret.txt", lambda: read(os.path.join(here, "secret.txt")))
    attempt("write /usr", lambda: write("/usr/dlgrade-hostile"))
    attempt("write submission", lambda: write(os.path.join(here, "dlgrade-hostile")))
    attempt("write job.json", lambda: write("/job/job.json"))
    attempt("unshare user namespace", lambda: os.unshare(os.CLONE_NEWUSER) if hasattr(os, "unshare") else (_ for _ in ()).throw(OSError("no os.unshare")))


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        if not REPORT:
            attack()
        print("\n".join(REPORT))
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
