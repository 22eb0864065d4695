"""Writes style-answers.npz the way the course shipped its answers: named keys, computed in NumPy (float64).

Independent of dlgrade's TensorFlow.js reference on purpose: `dlgrade validate style-transfer` checks that
the reference reproduces these numbers. Run with Debian's python3 (NumPy): python3 make_style_answers.py
"""
import os

import numpy as np

rng = np.random.default_rng(20170531)


def relu_features(*shape):
    return np.maximum(rng.standard_normal(shape), 0).astype(np.float32)


def gram(features, normalize=True):
    n, c, h, w = features.shape
    flat = features.astype(np.float64).reshape(n, c, h * w)
    g = flat @ flat.transpose(0, 2, 1)
    return g / (h * w * c) if normalize else g


answers = {}
# Content loss at a SqueezeNet layer-3-like map (128 x 47 x 47 for a 192-pixel image).
cl_current, cl_original = relu_features(1, 128, 47, 47), relu_features(1, 128, 47, 47)
answers.update(cl_current=cl_current, cl_original=cl_original, cl_weight=np.float64(6e-2))
answers["cl_out"] = 6e-2 * np.sum((cl_current.astype(np.float64) - cl_original) ** 2)

gm_features = relu_features(1, 64, 47, 47)
answers.update(gm_features=gm_features, gm_normalize=np.bool_(True), gm_out=gram(gm_features))

# Style loss over five layers, two of which are style layers.
feats = [relu_features(1, 16, 24, 24), relu_features(1, 32, 12, 12), relu_features(1, 8, 3, 3), relu_features(1, 64, 6, 6), relu_features(1, 4, 2, 2)]
layers, weights = [1, 3], np.array([2000.0, 30.0], dtype=np.float32)
targets = [gram(relu_features(*feats[l].shape)).astype(np.float32) for l in layers]
for i, f in enumerate(feats):
    answers[f"sl_feat_{i}"] = f
for i, t in enumerate(targets):
    answers[f"sl_target_{i}"] = t
answers.update(sl_layers=np.array(layers, dtype=np.int64), sl_weights=weights)
answers["sl_out"] = sum(float(w) * np.sum((gram(feats[l]) - t) ** 2) for l, w, t in zip(layers, weights, targets))

tv_img = rng.standard_normal((1, 3, 64, 80)).astype(np.float32)
img = tv_img.astype(np.float64)
answers.update(tv_img=tv_img, tv_weight=np.float64(2e-2))
answers["tv_out"] = 2e-2 * (np.sum((img[:, :, 1:, :] - img[:, :, :-1, :]) ** 2) + np.sum((img[:, :, :, 1:] - img[:, :, :, :-1]) ** 2))

np.savez_compressed(os.path.join(os.path.dirname(os.path.abspath(__file__)), "style-answers.npz"), **answers)
