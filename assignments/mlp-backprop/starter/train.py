"""Training utilities for the MLP. See handout.md."""
import torch

from layers import CrossEntropyLoss, Linear, ReLU


def sgd_step(params, lr):
    """
    One step of stochastic gradient descent, in place.

    Inputs:
    - params: list of tensors; each has a .grad set by backward, or .grad None (skip those)
    - lr: learning rate, a float

    Updates every parameter whose grad is not None: p <- p - lr * p.grad. The tensors in `params`
    must change in place (the layers hold the same objects). Returns nothing.
    """
    raise NotImplementedError("sgd_step")


def accuracy(logits, targets):
    """
    Inputs:
    - logits: tensor of shape [B, C]
    - targets: int64 tensor of shape [B]

    Returns:
    - the fraction of rows whose highest logit is at the target class, a float in [0, 1]
    """
    raise NotImplementedError("accuracy")


# ---- Given: a training loop built from your pieces (not graded) ------------------------------------
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
            loss = loss_fn(logits, y[idx])
            fc1.backward(relu.backward(fc2.backward(loss_fn.backward())))
            sgd_step(params, lr)
        logits = fc2(relu(fc1(x)))
        print(f"epoch {epoch + 1}: loss {float(loss_fn(logits, y)):.4f}, accuracy {accuracy(logits, y):.3f}")


if __name__ == "__main__":
    # A quick smoke test on random, linearly separable data; replace with CIFAR-10 once everything passes.
    torch.manual_seed(0)
    x = torch.randn(1024, 20)
    y = (x[:, :5].sum(dim=1) > 0).long() + 2 * (x[:, 5] > 0).long()
    train(x, y, hidden=32, epochs=5)
