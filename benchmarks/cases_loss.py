"""Benchmarks of the losses: cross_entropy forward+backward on a classifier's logits (every
training step runs it), MSE and BCE-with-logits."""

from harness import case


def _pair(shape, requires_grad=True, seed=0):
    import numpy as np
    import torch

    import ember

    a = np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)
    return (ember.from_numpy(a.copy()).requires_grad_(requires_grad),
            torch.from_numpy(a.copy()).requires_grad_(requires_grad))


@case("cross_entropy forward+backward (64, 10)", number=200)
def cross_entropy_64x10():
    import numpy as np
    import torch
    import torch.nn.functional as tf

    import ember
    import ember.nn.functional as ef

    xe, xt = _pair((64, 10))
    t = np.random.default_rng(1).integers(0, 10, 64)
    te, tt = ember.from_numpy(t.copy()), torch.from_numpy(t.copy())

    def run_e():
        ef.cross_entropy(xe, te).backward()

    def run_t():
        tf.cross_entropy(xt, tt).backward()

    return run_e, run_t


@case("mse_loss forward+backward (64, 128)", number=200)
def mse_64x128():
    import torch.nn.functional as tf

    import ember.nn.functional as ef

    (xe, xt), (ye, yt) = _pair((64, 128)), _pair((64, 128), False, 1)
    return (lambda: ef.mse_loss(xe, ye).backward()), (lambda: tf.mse_loss(xt, yt).backward())


@case("binary_cross_entropy_with_logits forward+backward (64, 128)", number=200)
def bce_logits_64x128():
    import torch.nn.functional as tf

    import ember.nn.functional as ef

    (xe, xt), (ye, yt) = _pair((64, 128)), _pair((64, 128), False, 1)
    ye, yt = ye.sigmoid(), yt.sigmoid()
    return ((lambda: ef.binary_cross_entropy_with_logits(xe, ye).backward()),
            (lambda: tf.binary_cross_entropy_with_logits(xt, yt).backward()))
