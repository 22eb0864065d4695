"""Hostile: searches the whole visible file system for the answer key."""
import torch
import torch.nn as nn
import glob
import os
import time

import numpy as np

FOUND = None


def search():
    """Everything that looks like fixtures, reference code or expected outputs, within a few seconds."""
    report = {"npz": [], "answer_keys": [], "reference": [], "environ_vars": set(), "entries": 0}
    deadline = time.time() + 2.5
    # Everything but /usr first (that is where a harness would keep things), then "..", /proc/1/root and /usr.
    tops = ["/" + name for name in sorted(os.listdir("/")) if name not in ("usr", "proc") and not os.path.islink("/" + name)]
    tops += ["..", "/proc/1/root", "/usr"]
    for top in tops:
        for folder, dirs, files in os.walk(top):
            if "/proc/1/root/usr" in folder or "/proc/1/root/proc" in folder:
                dirs[:] = []
            report["entries"] += len(files)
            for name in files:
                path = os.path.join(folder, name)
                if name.endswith(".npz"):
                    report["npz"].append(path)
                if name.endswith(".ts") or name in ("fixtures.lock.json", "manifest.yaml") or ("/fixtures/" in path and name.endswith(".npz")):
                    report["reference"].append(path)
            if time.time() > deadline:
                break
    for path in report["npz"]:
        try:
            with np.load(path, allow_pickle=False) as z:
                for key in z.files:
                    if key.startswith("out.") or key.startswith("mistake.") or key in ("loss", "expected", "cl_out"):
                        report["answer_keys"].append((path, key, z[key].tolist()))
        except Exception:
            pass
    for environ in glob.glob("/proc/*/environ"):
        try:
            with open(environ, "rb") as f:
                report["environ_vars"].update(v.split(b"=")[0].decode() for v in f.read().split(b"\0") if v)
        except OSError:
            pass
    return report


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        global FOUND
        if FOUND is None:
            FOUND = search()
        print("npz files seen:", sorted(set(FOUND["npz"]))[:20])
        print("answer keys found:", len(FOUND["answer_keys"]))
        print("reference files found:", len(FOUND["reference"]), FOUND["reference"][:5])
        print("environment variables seen in /proc:", sorted(FOUND["environ_vars"]))
        print("entries walked:", FOUND["entries"])
        if FOUND["answer_keys"]:
            return torch.tensor(FOUND["answer_keys"][0][2])
        return torch.tensor(0.0)


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
