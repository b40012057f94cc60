"""Helpers for the module tests: run the same code under PyTorch and Ember and compare."""

import numpy as np
import torch

import ember


def norm(x):
    """A plain, comparable form of ``x``: tensors become (class name, dtype, values, flags)."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        kind = "Parameter" if isinstance(x, (torch.nn.Parameter, ember.nn.Parameter)) else "T"
        return (kind, str(x.dtype), tuple(x.shape), np.asarray(x.detach().tolist()).tolist(),
                x.requires_grad, x.grad_fn.name() if x.grad_fn is not None else None)
    if isinstance(x, (torch.Size, ember.Size)):
        return ("Size", tuple(x))
    if isinstance(x, (torch.dtype, ember.dtype)):
        return str(x)
    if isinstance(x, dict):
        return (type(x).__name__, [(k, norm(v)) for k, v in x.items()])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [norm(v) for v in x])
    if isinstance(x, (torch.nn.Module, ember.nn.Module)):
        return ("Module", type(x).__name__, repr(x))
    return x


def same(fn):
    """``fn(lib)`` gives the same (normalized) result under PyTorch and Ember."""
    t = norm(fn(torch))
    e = norm(fn(ember))
    assert e == t, f"\n torch: {t}\n ember: {e}"
    return e


def make_classes(lib):
    """A few user modules written against ``lib`` (torch or ember), as a user would."""
    nn = lib.nn

    class Lin(nn.Module):
        def __init__(self, i, o, bias=True):
            super().__init__()
            self.weight = nn.Parameter(lib.arange(float(i * o)).reshape(o, i) / 10)
            if bias:
                self.bias = nn.Parameter(lib.zeros(o))
            else:
                self.register_parameter("bias", None)
            self.register_buffer("running", lib.zeros(o))
            self.register_buffer("scratch", lib.ones(1), persistent=False)

        def forward(self, x):
            y = x @ self.weight.t()
            return y + self.bias if self.bias is not None else y

        def extra_repr(self):
            return f"in_features={self.weight.shape[1]}, out_features={self.weight.shape[0]}"

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = Lin(2, 2)
            self.act = Act()

        def forward(self, x):
            return self.act(self.fc(x))

    class Act(nn.Module):
        def forward(self, x):
            return x.tanh()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = Lin(3, 2)
            self.blocks = nn.Sequential(Block(), Block())
            self.head = Lin(2, 1, bias=False)

        def forward(self, x):
            return self.head(self.blocks(self.inp(x)))

    return Lin, Block, Act, Net
