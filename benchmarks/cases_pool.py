"""Benchmarks of pooling and upsampling: MaxPool2d(2) forward+backward at the two sizes of the
issue's CNN training step, a padded 3x3/stride-2 max pool (ResNet's stem), average and adaptive
pooling, and bilinear upsampling."""

from harness import case


def _pair(shape, seed=0):
    import numpy as np
    import torch

    import ember

    a = np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)
    return (ember.from_numpy(a.copy()).requires_grad_(True),
            torch.from_numpy(a.copy()).requires_grad_(True))


def _fwd_bwd(shape, fn_name, *args, **kwargs):
    import torch.nn.functional as tf

    import ember.nn.functional as ef

    xe, xt = _pair(shape)
    fe, ft = getattr(ef, fn_name), getattr(tf, fn_name)

    def run_e():
        xe.grad = None
        fe(xe, *args, **kwargs).sum().backward()

    def run_t():
        xt.grad = None
        ft(xt, *args, **kwargs).sum().backward()

    return run_e, run_t


@case("max_pool2d(2) forward+backward (64, 32, 28, 28)", number=20)
def max_pool_cnn1():
    return _fwd_bwd((64, 32, 28, 28), "max_pool2d", 2)


@case("max_pool2d(2) forward+backward (64, 64, 14, 14)", number=40)
def max_pool_cnn2():
    return _fwd_bwd((64, 64, 14, 14), "max_pool2d", 2)


@case("max_pool2d(3, 2, 1) forward+backward (16, 64, 56, 56)", number=10)
def max_pool_stem():
    return _fwd_bwd((16, 64, 56, 56), "max_pool2d", 3, 2, 1)


@case("avg_pool2d(2) forward+backward (64, 32, 28, 28)", number=20)
def avg_pool():
    return _fwd_bwd((64, 32, 28, 28), "avg_pool2d", 2)


@case("adaptive_avg_pool2d((7, 7)) forward+backward (32, 64, 15, 15)", number=20)
def adaptive_avg():
    return _fwd_bwd((32, 64, 15, 15), "adaptive_avg_pool2d", (7, 7))


@case("interpolate bilinear x2 forward+backward (16, 32, 32, 32)", number=10)
def upsample_bilinear():
    return _fwd_bwd((16, 32, 32, 32), "interpolate", scale_factor=2, mode="bilinear")
