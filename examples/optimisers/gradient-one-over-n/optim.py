"""Optimisers and over-parameterised least squares: a full-marks solution."""
import torch


def sgd_momentum_step(w, grad, velocity, lr, momentum):
    velocity = momentum * velocity + grad
    return w - lr * velocity, velocity


def rmsprop_step(w, grad, square_avg, lr, alpha, eps):
    square_avg = alpha * square_avg + (1 - alpha) * grad ** 2
    return w - lr * grad / (square_avg.sqrt() + eps), square_avg


def adam_step(w, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (v_hat.sqrt() + eps), m, v


def min_norm_solution(X, t):
    return X.T @ torch.linalg.solve(X @ X.T, t)


def gradient_descent(X, t, lr, steps):
    n = X.shape[0]
    w = torch.zeros(X.shape[1], dtype=X.dtype)
    for _ in range(steps):
        w = w - lr * X.T @ (X @ w - t) / n
    return w


def _one_step(X, t, w0):
    n = X.shape[0]
    a = X @ w0 - t
    K = X @ X.T
    return n, a, K


def loss_after_one_step(X, t, w0, lr):
    n, a, K = _one_step(X, t, w0)
    r = a - (lr / n) * K @ a
    return (r @ r) / n


def optimal_learning_rate(X, t, w0):
    n, a, K = _one_step(X, t, w0)
    Ka = K @ a
    return n * (a @ Ka) / (Ka @ Ka)


def hypergradient(X, t, w0, lr):
    n, a, K = _one_step(X, t, w0)
    Ka = K @ a
    return -(2 / n ** 2) * (a - (lr / n) * Ka) @ Ka
