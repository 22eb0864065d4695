"""Optimisers and over-parameterised least squares.

Every tensor you receive is float64; keep your arithmetic in float64 (do not call .float()).
Functions that return several values return a tuple, in the order the docstring gives.

Least squares: X is [n, d] with d > n and full row rank, t is [n],
L(w) = (1/n) * ||X w - t||^2, and for a starting point w0, a = X w0 - t.
"""
import torch


def sgd_momentum_step(w, grad, velocity, lr, momentum):
    """One step of SGD with momentum, as torch.optim.SGD takes it.

    v' = momentum * v + grad;  w' = w - lr * v'.   Returns (w', v').
    """
    raise NotImplementedError("sgd_momentum_step")


def rmsprop_step(w, grad, square_avg, lr, alpha, eps):
    """One step of RMSProp, as torch.optim.RMSprop takes it.

    s' = alpha * s + (1 - alpha) * grad^2;  w' = w - lr * grad / (sqrt(s') + eps).   Returns (w', s').
    """
    raise NotImplementedError("rmsprop_step")


def adam_step(w, grad, m, v, t, lr, beta1, beta2, eps):
    """Step number t (t >= 1) of Adam, as torch.optim.Adam takes it.

    m' = beta1 * m + (1 - beta1) * grad;  v' = beta2 * v + (1 - beta2) * grad^2;
    w' = w - lr * (m' / (1 - beta1^t)) / (sqrt(v' / (1 - beta2^t)) + eps).   Returns (w', m', v').
    """
    raise NotImplementedError("adam_step")


def min_norm_solution(X, t):
    """The minimum-norm w with X w = t: w* = X^T (X X^T)^-1 t.   Returns w* [d]."""
    raise NotImplementedError("min_norm_solution")


def gradient_descent(X, t, lr, steps):
    """`steps` full-batch gradient-descent steps on L from w = 0:  w <- w - lr * (2/n) X^T (X w - t).   Returns w [d]."""
    raise NotImplementedError("gradient_descent")


def loss_after_one_step(X, t, w0, lr):
    """L after one gradient-descent step from w0 with learning rate lr:  L1(lr) = (1/n) ||a - (2 lr/n) X X^T a||^2."""
    raise NotImplementedError("loss_after_one_step")


def optimal_learning_rate(X, t, w0):
    """The lr that minimises L1:  eta* = (n/2) a^T X X^T a / (a^T X X^T X X^T a)."""
    raise NotImplementedError("optimal_learning_rate")


def hypergradient(X, t, w0, lr):
    """dL1/d(lr) = -(4/n^2) a^T (I - (2 lr/n) X X^T) X X^T a."""
    raise NotImplementedError("hypergradient")
