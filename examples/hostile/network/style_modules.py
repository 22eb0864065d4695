"""Hostile: tries to reach the network."""
import torch
import torch.nn as nn
import json
import os
import socket

RESULTS = []


def try_all():
    here = os.path.dirname(os.path.abspath(__file__))
    target = {"host": None, "port": 9}
    try:
        with open(os.path.join(here, "network.json")) as f:
            target.update(json.load(f))
    except OSError:
        pass
    attempts = [("1.1.1.1", 80), ("1.1.1.1", 53), ("127.0.0.1", target["port"])]
    if target["host"]:
        attempts.append((target["host"], target["port"]))
    reached = []
    for host, port in attempts:
        try:
            socket.create_connection((host, port), timeout=1).close()
            RESULTS.append(f"{host}:{port} connected")
            reached.append(host)
        except OSError as e:
            RESULTS.append(f"{host}:{port} blocked ({type(e).__name__})")
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"x", ("1.1.1.1", 53))
        RESULTS.append("udp 1.1.1.1:53 sent")
        reached.append("udp")
    except OSError as e:
        RESULTS.append(f"udp 1.1.1.1:53 blocked ({type(e).__name__})")
    try:
        socket.getaddrinfo("example.com", 80)
        RESULTS.append("dns resolved")
        reached.append("dns")
    except OSError as e:
        RESULTS.append(f"dns blocked ({type(e).__name__})")
    return reached


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        if not RESULTS:
            REACHED = try_all()
            RESULTS.append(f"reached: {len(REACHED)}")
        print("\n".join(RESULTS))
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
