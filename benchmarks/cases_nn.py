"""Benchmarks of the nn layers: conv2d forward/backward, Linear forward+backward."""

from harness import case


def _conv_inputs(requires_grad=False):
    import numpy as np
    import torch

    import ember

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 32, 28, 28), dtype=np.float32)
    w = rng.standard_normal((64, 32, 3, 3), dtype=np.float32) * 0.1
    b = rng.standard_normal(64, dtype=np.float32)
    xe, we, be = (ember.from_numpy(a.copy()).requires_grad_(requires_grad) for a in (x, w, b))
    xt, wt, bt = (torch.from_numpy(a.copy()).requires_grad_(requires_grad) for a in (x, w, b))
    return (xe, we, be), (xt, wt, bt)


@case("conv2d forward 64x32x28x28, 3x3 -> 64, pad 1", repeat=7, number=3, target=1.0)
def conv2d_forward():
    import torch.nn.functional as tf

    import ember.nn.functional as ef

    (xe, we, be), (xt, wt, bt) = _conv_inputs()
    return (lambda: ef.conv2d(xe, we, be, padding=1)), (lambda: tf.conv2d(xt, wt, bt, padding=1))


@case("conv2d backward (input+weight grads) 64x32x28x28, 3x3 -> 64", repeat=7, number=2)
def conv2d_backward():
    import numpy as np
    import torch
    import torch.nn.functional as tf

    import ember
    import ember.nn.functional as ef

    (xe, we, be), (xt, wt, bt) = _conv_inputs(requires_grad=True)
    g = np.random.default_rng(1).standard_normal((64, 64, 28, 28), dtype=np.float32)
    ge, gt = ember.from_numpy(g.copy()), torch.from_numpy(g.copy())
    ye = ef.conv2d(xe, we, be, padding=1)
    yt = tf.conv2d(xt, wt, bt, padding=1)

    def run_e():
        return ember.autograd.grad(ye, (xe, we, be), ge, retain_graph=True)

    def run_t():
        return torch.autograd.grad(yt, (xt, wt, bt), gt, retain_graph=True)

    return run_e, run_t


@case("Linear 784->256 forward+backward, batch 64")
def linear_fwd_bwd():
    import numpy as np
    import torch

    import ember

    x = np.random.default_rng(0).standard_normal((64, 784), dtype=np.float32)
    ember.manual_seed(0)
    torch.manual_seed(0)
    le, lt = ember.nn.Linear(784, 256), torch.nn.Linear(784, 256)
    xe, xt = ember.from_numpy(x.copy()), torch.from_numpy(x.copy())

    def run_e():
        le.zero_grad()
        le(xe).sum().backward()

    def run_t():
        lt.zero_grad()
        lt(xt).sum().backward()

    return run_e, run_t
