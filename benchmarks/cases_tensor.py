"""The foundation's cases: per-op overhead with autograd, large pointwise ops, matmul."""

import numpy as np
from harness import case


def _pair(*shape, dtype="float32", seed=0):
    import torch

    import ember

    arr = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return ember.from_numpy(arr.copy()), torch.from_numpy(arr.copy())


def _chain(lib, x, n=150):
    """150 small pointwise ops (4x4) recorded for autograd, then the backward pass."""
    y = x
    for _ in range(n // 5):
        y = y * 1.01
        y = y + x
        y = y.sigmoid()
        y = y - 0.5
        y = y.tanh()
    y.backward(lib.ones(4, 4))
    x.grad = None


@case("chain of 150 small (4x4) ops + backward", repeat=15, target=1.5)
def chain():
    import torch

    import ember

    xe, xt = _pair(4, 4)
    xe.requires_grad_(True)
    xt.requires_grad_(True)
    return (lambda: _chain(ember, xe)), (lambda: _chain(torch, xt))


@case("pointwise x * y + 1 (10^7 float32)", repeat=7)
def pointwise_large():
    (xe, xt), (ye, yt) = _pair(10**7), _pair(10**7, seed=1)
    return (lambda: xe * ye + 1), (lambda: xt * yt + 1)


@case("exp (10^7 float32)", repeat=7)
def exp_large():
    xe, xt = _pair(10**7)
    return (lambda: xe.exp()), (lambda: xt.exp())


@case("sum (10^7 float32)", repeat=7)
def sum_large():
    xe, xt = _pair(10**7)
    return (lambda: xe.sum()), (lambda: xt.sum())


@case("matmul 1024x1024 float32", repeat=7)
def matmul_large():
    (ae, at), (be, bt) = _pair(1024, 1024), _pair(1024, 1024, seed=1)
    return (lambda: ae @ be), (lambda: at @ bt)


@case("matmul 256x256 float32 + backward", repeat=9)
def matmul_backward():
    (ae, at), (be, bt) = _pair(256, 256), _pair(256, 256, seed=1)
    ae.requires_grad_(True)
    at.requires_grad_(True)
    ge, gt = _pair(256, 256, seed=2)

    def run(a, b, g):
        (a @ b).backward(g)
        a.grad = None

    return (lambda: run(ae, be, ge)), (lambda: run(at, bt, gt))
