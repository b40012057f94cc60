"""Pooling modules against PyTorch: reprs, attributes, forward/backward, return_indices with
MaxUnpool, fractional pooling's random draws, constructor errors."""

import numpy as np
import pytest
import torch

import ember
from tests.nn_helpers import same

MODULES = [
    ("MaxPool1d", (2,), {}, (2, 3, 9)),
    ("MaxPool1d", (3,), dict(stride=2, padding=1, dilation=1, ceil_mode=True), (3, 9)),
    ("MaxPool2d", (2,), {}, (2, 3, 8, 8)),
    ("MaxPool2d", ((2, 3),), dict(stride=1, padding=1, dilation=2, ceil_mode=True), (2, 3, 8, 9)),
    ("MaxPool3d", (2,), {}, (1, 2, 4, 4, 6)),
    ("AvgPool1d", (2,), {}, (2, 3, 9)),
    ("AvgPool2d", (3, 2, 1, True, False), {}, (2, 3, 8, 9)),
    ("AvgPool2d", (2,), dict(divisor_override=3), (3, 8, 8)),
    ("AvgPool3d", (2,), dict(count_include_pad=False, padding=1), (1, 2, 4, 4, 6)),
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 10)),
    ("AdaptiveAvgPool2d", ((3, None),), {}, (2, 3, 7, 9)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 7, 9)),
    ("AdaptiveAvgPool3d", (2,), {}, (1, 2, 5, 4, 6)),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 10)),
    ("AdaptiveMaxPool2d", (2,), {}, (2, 3, 7, 9)),
    ("AdaptiveMaxPool3d", ((2, 3, 2),), {}, (1, 2, 5, 4, 6)),
    ("LPPool1d", (2, 3), {}, (2, 3, 9)),
    ("LPPool2d", (2.5, 3, 2, True), {}, (2, 3, 8, 9)),
    ("LPPool3d", (2, 2), {}, (1, 2, 4, 4, 6)),
]


@pytest.mark.parametrize("name,args,kw,shape", MODULES, ids=[m[0] + str(i)
                                                              for i, m in enumerate(MODULES)])
def test_module(name, args, kw, shape):
    x = np.abs(np.random.default_rng(0).standard_normal(shape)).astype(np.float32) + 0.1

    def run(lib):
        m = getattr(lib.nn, name)(*args, **kw)
        xi = lib.from_numpy(x.copy()).requires_grad_(True)
        y = m(xi)
        y.backward(lib.ones_like(y) * 0.5)
        return repr(m), y, xi.grad, sorted(k for k in m.__dict__ if not k.startswith("_"))

    t, e = run(torch), run(ember)
    assert e[0] == t[0]
    assert e[3] == t[3]
    assert e[1].shape == t[1].shape and e[1].grad_fn.name() == t[1].grad_fn.name()
    np.testing.assert_allclose(e[1].detach().numpy(), t[1].detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(e[2].numpy(), t[2].numpy(), rtol=1e-5, atol=1e-6)


def test_maxpool_unpool_roundtrip():
    def run(lib):
        pool = lib.nn.MaxPool2d(2, stride=2, return_indices=True)
        unpool = lib.nn.MaxUnpool2d(2, stride=2)
        x = lib.arange(64.0).reshape(1, 1, 8, 8).flip(-1)
        out, idx = pool(x)
        return repr(unpool), out, idx, unpool(out, idx), unpool(out, idx, output_size=[1, 1, 9, 9])

    same(run)

    def run13(lib):
        p1, u1 = lib.nn.MaxPool1d(2, return_indices=True), lib.nn.MaxUnpool1d(2)
        p3, u3 = lib.nn.MaxPool3d(2, return_indices=True), lib.nn.MaxUnpool3d(2, 2, 0)
        x1 = lib.arange(16.0).reshape(1, 2, 8)
        x3 = lib.arange(64.0).reshape(1, 1, 4, 4, 4)
        return repr(u1), repr(u3), u1(*p1(x1)), u3(*p3(x3))

    same(run13)


def test_adaptive_max_return_indices():
    same(lambda lib: lib.nn.AdaptiveMaxPool2d((2, 3), return_indices=True)(
        lib.arange(70.0).reshape(1, 2, 5, 7).cos()))


def test_fractional():
    def run(lib):
        lib.manual_seed(4)
        m = lib.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5))
        m2 = lib.nn.FractionalMaxPool2d(2, output_size=4, return_indices=True)
        m3 = lib.nn.FractionalMaxPool3d(2, output_size=(2, 3, 3))
        x = (lib.arange(200.0) * 7 % 13).reshape(2, 1, 10, 10)
        return (repr(m), repr(m3), m.kernel_size, m.output_ratio, m2.output_size, m(x), m2(x),
                m3(x.unsqueeze(2).expand(2, 1, 4, 10, 10)), dict(m.state_dict()),
                list(m.named_buffers()))

    same(run)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.FractionalMaxPool2d(2),
    lambda lib: lib.nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5),
    lambda lib: lib.nn.FractionalMaxPool2d(2, output_ratio=1.5),
    lambda lib: lib.nn.FractionalMaxPool3d(2),
    lambda lib: lib.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.5, 1.0)),
])
def test_constructor_errors(make):
    from tests.optable import assert_raises_like

    assert_raises_like(make)


def test_cnn_block_training_step():
    """Conv -> ReLU -> MaxPool2d -> Linear: the same loss and gradients as PyTorch."""
    def run(lib):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3), lib.nn.ReLU(), lib.nn.MaxPool2d(2),
                                lib.nn.AvgPool2d(2, ceil_mode=True), lib.nn.Flatten(),
                                lib.nn.Linear(144, 3))
        x = lib.randn(5, 1, 27, 27)
        loss = net(x).pow(2).mean()
        loss.backward()
        return round(loss.item(), 5), [np.round(p.grad.numpy(), 5).tolist()
                                       for p in net.parameters()]

    t, e = run(torch), run(ember)
    assert e[0] == t[0]
    for a, b in zip(e[1], t[1]):
        np.testing.assert_allclose(a, b, atol=2e-5)


def test_ember_module_repr_in_sequential():
    same(lambda lib: repr(lib.nn.Sequential(lib.nn.MaxPool2d(3, 2, 1), lib.nn.AvgPool1d(2),
                                            lib.nn.AdaptiveAvgPool2d((1, 1)))))
    assert ember.nn.MaxPool2d(2).stride == 2
