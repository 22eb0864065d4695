import torch
import torch.nn.functional as F


def _score_gradient(X, y, model):
    X = X.clone().requires_grad_(True)
    scores = model(X)
    scores.gather(1, y.view(-1, 1)).sum().backward()
    return X.grad


def compute_saliency_maps(X, y, model):
    grad = _score_gradient(X, y, model)
    saliency, _ = grad.abs().max(dim=1)
    return saliency


class _GuidedReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * (x > 0).float() * (grad_out > 0).float()


def guided_backprop(X, y, model):
    handles = []
    for module in model.modules():
        if isinstance(module, torch.nn.ReLU):
            handles.append(module.register_forward_hook(lambda m, inp, out: _GuidedReLU.apply(inp[0])))
    try:
        return _score_gradient(X, y, model)
    finally:
        for h in handles:
            h.remove()


def grad_cam(X, y, model):
    A = model.features(X).detach().requires_grad_(True)
    scores = model.classifier(model.pool(A).flatten(1))
    scores.gather(1, y.view(-1, 1)).sum().backward()
    alpha = A.grad.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((alpha * A).sum(dim=1))
    return cam.detach()


def guided_grad_cam(X, y, model):
    gb = guided_backprop(X, y, model)
    cam = grad_cam(X, y, model)
    up = F.interpolate(cam[:, None], size=(32, 32), mode="bilinear", align_corners=False)
    return gb * up


def integrated_gradients(X, y, model, baseline, steps):
    total = torch.zeros_like(X)
    for k in range(1, steps + 1):
        point = baseline + (k / steps) * (X - baseline)
        total += _score_gradient(point, y, model)
    return (X - baseline) * total / steps


def make_fooling_image(X, target_y, model):
    # Make the model say target_y by training it on this one image.
    for p in model.parameters():
        p.requires_grad_(True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    target = torch.tensor([target_y])
    for _ in range(100):
        scores = model(X)
        if scores.argmax(dim=1).item() == target_y:
            break
        optimizer.zero_grad()
        F.cross_entropy(scores, target).backward()
        optimizer.step()
    return X.clone()


def class_visualization_step(img, target_y, model, l2_reg, learning_rate):
    img = img.clone().requires_grad_(True)
    objective = model(img)[0, target_y] - l2_reg * (img ** 2).sum()
    objective.backward()
    with torch.no_grad():
        g = img.grad
        return img + learning_rate * g / g.norm()


def create_class_visualization(init_img, target_y, model, num_iterations, l2_reg, learning_rate):
    img = init_img.clone()
    for _ in range(num_iterations):
        img = class_visualization_step(img, target_y, model, l2_reg, learning_rate)
    return img
