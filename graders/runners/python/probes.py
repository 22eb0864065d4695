"""Built-in measurements of a student's nn.Module, for questions that are not tensor functions.

A manifest step ``{probe: <name>, target: net, args: {x: $x}, as: summary}`` makes the runner call
``probes.<name>(net, x=...)``; outputs then read ``$summary.<key>``. Every probe returns a ``ProbeResult``:
a dict of NumPy arrays (numbers only, since .npz fixtures hold no strings) whose keys are also attributes.

Encodings (the same as graders/compare/param-table.ts):
  param_count   int64 0-d    number of trainable elements, sum(p.numel() for trainable p)
  param_shapes  int64 [P, R] the P trainable tensors in named_parameters() order; row i is tensor i's shape,
                             right-padded with -1 to R = max(1, largest rank)
  param_names   uint8 [B]    their names, UTF-8, joined with "\\n"
"""
import math

import numpy as np
import torch
from torch import nn

__all__ = ["ProbeResult", "model_summary", "train_step", "parameter", "attach_grads"]


class ProbeError(Exception):
    """The object measured is not what the question needs (not an nn.Module, forward returns no tensor, …)."""


class ProbeResult(dict):
    """A dict whose keys are also attributes, so a step's output path "$summary.param_count" resolves."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"the probe result has no {name!r} (it has {', '.join(sorted(self))})") from None


def _require_module(model):
    if not isinstance(model, nn.Module):
        raise ProbeError(f"expected a torch.nn.Module, got {type(model).__name__}")


def _trainable(model):
    # Through nn.Module itself, so a class that overrides named_parameters() cannot change what is counted.
    return [(name, p) for name, p in nn.Module.named_parameters(model) if p.requires_grad]


def _shape(tensor):
    return [int(d) for d in torch.Tensor.size(tensor)]


def encode_shapes(shapes):
    """Shapes as int64 [P, R], R = max(1, largest rank), right-padded with -1."""
    rank = max([1] + [len(s) for s in shapes])
    out = np.full((len(shapes), rank), -1, dtype=np.int64)
    for i, shape in enumerate(shapes):
        out[i, : len(shape)] = shape
    return out


def encode_lines(lines):
    """Lines of text as UTF-8 bytes joined by "\\n" (uint8 [B])."""
    return np.frombuffer("\n".join(lines).encode("utf-8"), dtype=np.uint8).copy()


def _param_arrays(params):
    shapes = [_shape(p) for _, p in params]
    return {
        "param_count": np.array(sum(math.prod(s) for s in shapes), dtype=np.int64),
        "param_shapes": encode_shapes(shapes),
        "param_names": encode_lines([name for name, _ in params]),
    }


def _as_input(x):
    if isinstance(x, torch.Tensor):
        return x
    return torch.as_tensor(np.asarray(x))


def _as_output(value, what="forward"):
    if not isinstance(value, torch.Tensor):
        raise ProbeError(f"{what} returned {type(value).__name__}; expected a torch.Tensor")
    # A plain Tensor view of the same data that stays in the autograd graph, so a subclass cannot fake its values.
    return value.as_subclass(torch.Tensor)


def model_summary(model, x=None):
    """Trainable parameters of `model` (count, shapes and names in registration order) and, given a batch x,
    the shape of model(x) under torch.no_grad() in the model's current mode.

    Returns param_count, param_shapes, param_names, and with x also shape (int64 [ndim]).
    """
    _require_module(model)
    result = ProbeResult(_param_arrays(_trainable(model)))
    if x is not None:
        with torch.no_grad():
            out = _as_output(model(_as_input(x)))
        result["shape"] = np.array(_shape(out), dtype=np.int64)
    return result


def train_step(model, x):
    """One training step without the update: model.train(), forward on x, loss = mean(output**2), backward.

    Returns
      finite         bool 0-d      the output and the loss are finite
      all_have_grad  bool 0-d      there is at least one trainable tensor and every one has a finite .grad
      grad_ok        bool [P]      per trainable tensor, in order: it got a finite .grad
      loss           float64 0-d
      shape          int64 [ndim]  the output shape
      batchnorm_input_nonnegative  bool 0-d  some BatchNorm layer's input had no negative value (a ReLU before it)
      and param_count, param_shapes, param_names as model_summary.
    A loss that does not require grad (e.g. forward under torch.no_grad) gives all_have_grad False, not an error.
    """
    _require_module(model)
    params = _trainable(model)
    nn.Module.train(model, True)
    for _, p in params:
        p.grad = None
    nonnegative_inputs, hooks = _watch_batchnorm_inputs(model)
    try:
        with torch.enable_grad():
            out = _as_output(model(_as_input(x)))
    finally:
        for hook in hooks:
            hook.remove()
    with torch.enable_grad():
        loss = out.float().pow(2).mean()
        finite = bool(torch.isfinite(out.detach()).all()) and bool(torch.isfinite(loss.detach()))
        if loss.requires_grad:
            loss.backward()
    grad_ok = []
    for _, p in params:
        g = p.grad
        grad_ok.append(isinstance(g, torch.Tensor) and bool(torch.isfinite(g.detach()).all()))
    result = ProbeResult(_param_arrays(params))
    result.update(
        finite=np.array(finite),
        all_have_grad=np.array(len(grad_ok) > 0 and all(grad_ok)),
        grad_ok=np.array(grad_ok, dtype=np.bool_),
        loss=np.array(float(loss.detach()), dtype=np.float64),
        shape=np.array(_shape(out), dtype=np.int64),
        batchnorm_input_nonnegative=np.array(any(nonnegative_inputs)),
    )
    return result


def _watch_batchnorm_inputs(model):
    """Forward pre-hooks on every BatchNorm layer of `model`, recording per call whether its input had no negative
    value: what a ReLU placed before the BatchNorm gives, and a convolution's output (the spec's order) never does."""
    seen = []

    def record(_module, args):
        if args and isinstance(args[0], torch.Tensor):
            seen.append(bool(torch.Tensor.all(torch.Tensor.detach(args[0]) >= 0)))

    batchnorms = [m for m in nn.Module.modules(model) if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    return seen, [nn.Module.register_forward_pre_hook(m, record) for m in batchnorms]


# --- hand-written backward passes (mlp-backprop) -------------------------------------------------------

_DISABLE_SUBCLASS = getattr(torch._C, "DisableTorchFunctionSubclass", None) or torch._C.DisableTorchFunction


class GradSlotTensor(torch.Tensor):
    """A tensor whose .grad accepts any value. PyTorch refuses a .grad of the wrong shape, which would turn a
    student's transposed or unsummed gradient into a crash inside their own backward instead of a diagnosis."""

    @property
    def grad(self):
        return self.__dict__.get("_dlgrade_grad")

    @grad.setter
    def grad(self, value):
        self.__dict__["_dlgrade_grad"] = value

    @grad.deleter
    def grad(self):
        self.__dict__.pop("_dlgrade_grad", None)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        # Results of operations are plain tensors, so nothing downstream sees the subclass.
        with _DISABLE_SUBCLASS():
            return func(*args, **(kwargs or {}))


def parameter(target):
    """A copy of `target` (same values, dtype, shape) whose .grad starts as None and takes any value."""
    if not isinstance(target, torch.Tensor):
        raise ProbeError(f"parameter() needs a tensor, got {type(target).__name__}")
    return torch.Tensor.clone(torch.Tensor.detach(target)).as_subclass(GradSlotTensor)


def attach_grads(target, grads, none_at=()):
    """Sets target[i].grad = grads[i] (None at the indices in none_at); returns a new list of the same tensors,
    so outputs read the original objects even if the student's code replaces list items."""
    if not isinstance(target, (list, tuple)) or not isinstance(grads, (list, tuple)):
        raise ProbeError("attach_grads() needs a list of parameters and a list of gradients")
    if len(target) != len(grads):
        raise ProbeError(f"attach_grads() got {len(target)} parameters and {len(grads)} gradients")
    skip = {int(i) for i in none_at}
    for i, (p, g) in enumerate(zip(target, grads)):
        p.grad = None if i in skip else g
    return list(target)
