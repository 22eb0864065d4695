"""Training curves of the four optimisers in optim.py on one over-parameterised least-squares problem -> curve.png.

Runs gradient descent, SGD with momentum, RMSProp and Adam (this submission's own step functions) from w = 0 on
L(w) = (1/n) ||X w - t||^2 with n = 20 examples and d = 50 parameters, and plots log10 L per step. Needs torch and
Pillow only (no matplotlib):  python3 plot_curves.py [curve.png]
"""
import math
import sys

import torch
from PIL import Image, ImageDraw, ImageFont

from optim import adam_step, min_norm_solution, rmsprop_step, sgd_momentum_step

STEPS = 200
N, D = 20, 50


def problem(seed=0):
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(N, D, generator=gen, dtype=torch.float64)
    t = torch.randn(N, generator=gen, dtype=torch.float64)
    return X, t


def loss(X, t, w):
    r = X @ w - t
    return float(r @ r) / X.shape[0]


def gradient(X, t, w):
    return (2 / X.shape[0]) * X.T @ (X @ w - t)


def curves(X, t):
    # The largest stable plain step is n / (2 * lambda_max(X X^T)); every optimiser starts from the same w = 0.
    lam = float(torch.linalg.eigvalsh(X @ X.T).max())
    lr = 0.9 * X.shape[0] / (2 * lam)
    runs = {}
    w = torch.zeros(D, dtype=torch.float64)
    runs["gradient descent"] = [loss(X, t, w)]
    for _ in range(STEPS):
        w = w - lr * gradient(X, t, w)
        runs["gradient descent"].append(loss(X, t, w))

    w, v = torch.zeros(D, dtype=torch.float64), torch.zeros(D, dtype=torch.float64)
    runs["SGD, momentum 0.9"] = [loss(X, t, w)]
    for _ in range(STEPS):
        w, v = sgd_momentum_step(w, gradient(X, t, w), v, lr / 10, 0.9)
        runs["SGD, momentum 0.9"].append(loss(X, t, w))

    w, s = torch.zeros(D, dtype=torch.float64), torch.zeros(D, dtype=torch.float64)
    runs["RMSProp"] = [loss(X, t, w)]
    for _ in range(STEPS):
        w, s = rmsprop_step(w, gradient(X, t, w), s, 0.01, 0.99, 1e-8)
        runs["RMSProp"].append(loss(X, t, w))

    w, m, v = (torch.zeros(D, dtype=torch.float64) for _ in range(3))
    runs["Adam"] = [loss(X, t, w)]
    for step in range(1, STEPS + 1):
        w, m, v = adam_step(w, gradient(X, t, w), m, v, step, 0.05, 0.9, 0.999, 1e-8)
        runs["Adam"].append(loss(X, t, w))
    return runs


def plot(runs, path, width=900, height=560):
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    left, right, top, bottom = 80, width - 30, 40, height - 60
    floor = 1e-12
    logs = {name: [math.log10(max(v, floor)) for v in values] for name, values in runs.items()}
    lo = math.floor(min(min(v) for v in logs.values()))
    hi = math.ceil(max(max(v) for v in logs.values()))

    def x_of(step):
        return left + (right - left) * step / STEPS

    def y_of(log_value):
        return bottom - (bottom - top) * (log_value - lo) / (hi - lo)

    draw.rectangle([left, top, right, bottom], outline="black")
    for exponent in range(lo, hi + 1):
        y = y_of(exponent)
        draw.line([left - 5, y, right, y], fill=(225, 225, 225))
        draw.text((left - 55, y - 6), f"1e{exponent}", fill="black", font=font)
    for step in range(0, STEPS + 1, 50):
        x = x_of(step)
        draw.line([x, bottom, x, bottom + 5], fill="black")
        draw.text((x - 8, bottom + 10), str(step), fill="black", font=font)
    draw.text(((left + right) // 2 - 20, bottom + 30), "step", fill="black", font=font)
    draw.text((10, top - 18), "training loss L(w) = (1/n)||Xw - t||^2 (log scale)", fill="black", font=font)
    draw.text((left, 4), f"Optimisers on least squares, n = {N}, d = {D}, from w = 0", fill="black", font=font)

    colours = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40)]
    for (name, values), colour in zip(logs.items(), colours):
        draw.line([(x_of(i), y_of(v)) for i, v in enumerate(values)], fill=colour, width=2)
    for i, (name, colour) in enumerate(zip(logs, colours)):
        y = top + 12 + 18 * i
        draw.line([right - 190, y, right - 160, y], fill=colour, width=3)
        draw.text((right - 150, y - 6), name, fill="black", font=font)
    image.save(path)


if __name__ == "__main__":
    X, t = problem()
    runs = curves(X, t)
    plot(runs, sys.argv[1] if len(sys.argv) > 1 else "curve.png")
    w_star = min_norm_solution(X, t)
    for name, values in runs.items():
        print(f"{name:20s} loss after {STEPS} steps: {values[-1]:.3e}")
    print(f"|w*| = {float(w_star.norm()):.4f}")
