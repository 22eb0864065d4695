"""Hostile: forges results.json files everywhere it can think of; its answers are all wrong."""
import torch
import torch.nn as nn
import json
import os

FAKE = {"score": 4, "max_score": 4, "output": "all tests passed", "tests": [{"name": "all", "score": 4, "max_score": 4, "status": "passed"}]}
WROTE = []
for folder in [os.path.dirname(os.path.abspath(__file__)), os.getcwd(), "/tmp", "..", "../..", "/", "/job", "/job/outputs", "/job/status", "/autograder/results"]:
    try:
        with open(os.path.join(folder, "results.json"), "w") as f:
            json.dump(FAKE, f)
        WROTE.append(folder)
    except OSError:
        pass


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        print('forged results.json in:', WROTE)
        return 0 * torch.sum(content_current)


class StyleLoss(nn.Module):
    def gram_matrix(self, features, normalize=True):
        return torch.zeros(features.shape[0], features.shape[1], features.shape[1])

    def forward(self, feats, style_layers, style_targets, style_weights):
        return torch.tensor(0.0)


class TotalVariationLoss(nn.Module):
    def forward(self, img, tv_weight):
        return torch.tensor(0.0)
