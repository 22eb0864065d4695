"""Network visualisation: fill in every function (see handout.md).

X is a float32 tensor [N, 3, 32, 32] of standardised images, y an int64 tensor [N] of target classes, target_y a
Python int. `model` is a TinyNet (tinynet.py) in eval() mode whose parameters do not require gradients: compute
gradients with respect to the images, and never change the model's weights. s = model(X) are the raw class scores
(no softmax); "the gradient of s_y" means the gradient of sum_n s[n, y[n]].

To try your code locally: from tinynet import load_weights; model = load_weights("<a fixture .npz>").
"""
import torch
import torch.nn.functional as F


def compute_saliency_maps(X, y, model):
    """S[n, h, w] = max_c |d s_y / d X[n, c, h, w]|, shape [N, 32, 32]."""
    raise NotImplementedError("compute_saliency_maps")


def guided_backprop(X, y, model):
    """The gradient of s_y w.r.t. X when every ReLU's backward is grad_out * [x > 0] * [grad_out > 0]; [N, 3, 32, 32]."""
    raise NotImplementedError("guided_backprop")


def grad_cam(X, y, model):
    """A = model.features(X) [N, 16, 8, 8]; alpha = mean_ij d s_y / d A; relu(sum_k alpha_k A_k), [N, 8, 8]."""
    raise NotImplementedError("grad_cam")


def guided_grad_cam(X, y, model):
    """guided_backprop(X, y, model) * the Grad-CAM map upsampled bilinearly to 32x32 (align_corners=False)."""
    raise NotImplementedError("guided_grad_cam")


def integrated_gradients(X, y, model, baseline, steps):
    """(X - baseline) * (1/steps) * sum_{k=1..steps} grad_X s_y at baseline + (k/steps)(X - baseline)."""
    raise NotImplementedError("integrated_gradients")


def make_fooling_image(X, target_y, model):
    """An image close to X ([1, 3, 32, 32]) that the model classifies as target_y."""
    raise NotImplementedError("make_fooling_image")


def class_visualization_step(img, target_y, model, l2_reg, learning_rate):
    """One ascent step: g = grad_img (s_target(img) - l2_reg * ||img||^2); return img + learning_rate * g / ||g||_2."""
    raise NotImplementedError("class_visualization_step")


def create_class_visualization(init_img, target_y, model, num_iterations, l2_reg, learning_rate):
    """num_iterations class_visualization_step calls from init_img (no jitter, no blur); returns the image."""
    raise NotImplementedError("create_class_visualization")
