"""Padding layers against PyTorch: reprs, attributes, outputs and gradients, input checks."""

import numpy as np
import pytest
import torch

import ember
from tests.optable import assert_raises_like

CASES = [
    ("ZeroPad1d", (2,), (2, 3, 5)), ("ZeroPad1d", ((1, -1),), (3, 5)),
    ("ZeroPad2d", ((1, 2, 3, 4),), (2, 3, 4, 5)), ("ZeroPad3d", (1,), (1, 2, 3, 4, 5)),
    ("ConstantPad1d", (2, 3.5), (2, 3, 5)), ("ConstantPad2d", ((1, 2, 0, 1), 1), (2, 3, 4, 5)),
    ("ConstantPad3d", (1, 0.0), (2, 3, 4, 5)),
    ("ReflectionPad1d", (2,), (2, 3, 5)), ("ReflectionPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4, 5)),
    ("ReplicationPad1d", ((3, 1),), (3, 5)), ("ReplicationPad2d", (2,), (2, 3, 4, 5)),
    ("ReplicationPad3d", ((1, 0, 2, 1, 0, 1),), (2, 3, 4, 5)),
    ("CircularPad1d", (2,), (2, 3, 5)), ("CircularPad2d", ((1, 1, 2, 0),), (3, 4, 5)),
    ("CircularPad3d", ((1, 1, 1, 1, 1, 1),), (1, 2, 3, 4, 5)),
]


@pytest.mark.parametrize("name,args,shape", CASES, ids=[c[0] + str(i)
                                                        for i, c in enumerate(CASES)])
def test_padding(name, args, shape):
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    res = []
    for lib in (torch, ember):
        m = getattr(lib.nn, name)(*args)
        xi = lib.from_numpy(x.copy()).requires_grad_(True)
        y = m(xi)
        g = np.cos(np.arange(y.numel(), dtype=np.float32)).reshape(tuple(y.shape))
        y.backward(lib.from_numpy(g))
        res.append((repr(m), m.padding, y.detach().numpy(), xi.grad.numpy()))
    t, e = res
    assert e[:2] == t[:2]
    np.testing.assert_array_equal(e[2], t[2])
    np.testing.assert_allclose(e[3], t[3], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.CircularPad1d(1)(lib.ones(5)),
    lambda lib: lib.nn.CircularPad2d(1)(lib.ones(5, 5)),
    lambda lib: lib.nn.CircularPad3d(1)(lib.ones(5, 5, 5)),
    lambda lib: lib.nn.ReflectionPad1d(3)(lib.ones(1, 2, 3)),
])
def test_errors(fn):
    assert_raises_like(fn)


def test_zero_pad_value():
    assert ember.nn.ZeroPad2d(1).value == torch.nn.ZeroPad2d(1).value
