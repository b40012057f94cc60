"""Benchmarks of the normalization and dropout layers: BatchNorm2d and LayerNorm forward +
backward, Dropout forward."""

from harness import case


def _module_fwd_bwd(make_module, shape):
    import numpy as np
    import torch

    import ember

    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape, dtype=np.float32)
    g = rng.standard_normal(shape, dtype=np.float32)
    me, mt = make_module(ember), make_module(torch)
    xe = ember.from_numpy(x.copy()).requires_grad_()
    xt = torch.from_numpy(x.copy()).requires_grad_()
    ge, gt = ember.from_numpy(g.copy()), torch.from_numpy(g.copy())

    def run_e():
        me(xe).backward(ge)

    def run_t():
        mt(xt).backward(gt)

    return run_e, run_t


@case("BatchNorm2d(64) forward+backward, 16x64x32x32", repeat=7, number=3)
def batchnorm2d_fwd_bwd():
    return _module_fwd_bwd(lambda lib: lib.nn.BatchNorm2d(64), (16, 64, 32, 32))


@case("LayerNorm(512) forward+backward, 64x128x512", repeat=7, number=3)
def layernorm_fwd_bwd():
    return _module_fwd_bwd(lambda lib: lib.nn.LayerNorm(512), (64, 128, 512))


@case("Dropout(0.5) forward, 64x1024", repeat=7, number=10)
def dropout_fwd():
    import numpy as np
    import torch

    import ember

    x = np.random.default_rng(0).standard_normal((64, 1024), dtype=np.float32)
    xe, xt = ember.from_numpy(x.copy()), torch.from_numpy(x.copy())
    de, dt = ember.nn.Dropout(0.5), torch.nn.Dropout(0.5)
    return (lambda: de(xe)), (lambda: dt(xt))
