"""nn.init against PyTorch: same values to the bit after the same seed, the random stream left
in the same place, same errors and warnings."""

import math
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.optable import assert_raises_like

CASES = [
    ("uniform_", (3, 5), {}),
    ("uniform_", (4,), dict(a=-2.0, b=0.5)),
    ("normal_", (3, 5), dict(mean=1.0, std=2.0)),
    ("normal_", (17,), {}),
    ("trunc_normal_", (50, 40), {}),
    ("trunc_normal_", (50, 40), dict(mean=0.0, std=1.0, a=0.5, b=3.0)),
    ("trunc_normal_", (20, 30), dict(std=0.02)),
    ("trunc_normal_", (7, 9), dict(mean=1.0, std=0.5, a=-1.0, b=1.5)),
    ("constant_", (2, 3), dict(val=0.3)),
    ("ones_", (2, 3), {}),
    ("zeros_", (2, 3), {}),
    ("eye_", (3, 5), {}),
    ("eye_", (4, 2), {}),
    ("dirac_", (6, 4, 3, 3), dict(groups=2)),
    ("dirac_", (4, 2, 3), {}),
    ("dirac_", (2, 3, 3, 2, 4), {}),
    ("xavier_uniform_", (4, 6, 3), {}),
    ("xavier_normal_", (4, 6), dict(gain=2.0)),
    ("kaiming_uniform_", (8, 3, 3, 3), dict(a=math.sqrt(5))),
    ("kaiming_uniform_", (8, 3), dict(mode="fan_out", nonlinearity="relu")),
    ("kaiming_normal_", (8, 3, 3), dict(mode="fan_out", nonlinearity="relu")),
    ("kaiming_normal_", (5, 4), dict(a=0.2)),
    ("sparse_", (10, 6), dict(sparsity=0.3)),
    ("sparse_", (4, 3), dict(sparsity=0.5, std=1.0)),
]


@pytest.mark.parametrize("name,shape,kw", CASES, ids=[f"{c[0]}-{i}" for i, c in
                                                    enumerate(CASES)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bit_exact(name, shape, kw, dtype):
    out = []
    for lib in (torch, ember):
        lib.manual_seed(11)
        t = lib.empty(*shape, dtype=getattr(lib, dtype))
        r = getattr(lib.nn.init, name)(t, **kw)
        assert r is t
        out.append((t.numpy().tobytes(), lib.rand(3).numpy().tobytes()))
    assert out[0] == out[1]


def test_generator_argument():
    out = []
    for lib in (torch, ember):
        g = lib.Generator().manual_seed(5)
        t = lib.empty(4, 4)
        lib.nn.init.kaiming_normal_(t, generator=g)
        lib.nn.init.xavier_uniform_(t, generator=g)
        out.append(t.numpy().tobytes())
    assert out[0] == out[1]


@pytest.mark.parametrize("shape,kw", [((5, 8), {}), ((8, 5), {}), ((4, 3, 2, 2), dict(gain=1.5))])
def test_orthogonal(shape, kw):
    # QR runs in NumPy's LAPACK, so the values agree to rounding, not always to the bit
    out = []
    for lib in (torch, ember):
        lib.manual_seed(3)
        t = lib.empty(*shape)
        lib.nn.init.orthogonal_(t, **kw)
        out.append((t.numpy(), lib.rand(3).numpy().tobytes()))
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-5, atol=1e-6)
    assert out[0][1] == out[1][1]
    q = out[1][0].reshape(shape[0], -1)
    gain = kw.get("gain", 1.0)
    small = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
    np.testing.assert_allclose(small, gain**2 * np.eye(len(small)), atol=1e-5)


def test_no_grad_and_parameters():
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.empty(3, 4))
        lib.nn.init.normal_(p)
        lib.nn.init.kaiming_uniform_(p)
        assert p.grad_fn is None and p.requires_grad and p.is_leaf


@pytest.mark.parametrize("args", [
    ("linear",), ("conv2d",), ("conv_transpose3d",), ("sigmoid",), ("tanh",), ("relu",),
    ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 1), ("selu",),
])
def test_calculate_gain(args):
    assert ember.nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


def test_fan_in_and_fan_out():
    for shape in [(3, 4), (3, 4, 5), (2, 3, 4, 5)]:
        assert ember.nn.init._calculate_fan_in_and_fan_out(ember.empty(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.init.calculate_gain("foo"),
    lambda lib: lib.nn.init.calculate_gain("leaky_relu", "x"),
    lambda lib: lib.nn.init.calculate_gain("leaky_relu", True),
    lambda lib: lib.nn.init._calculate_fan_in_and_fan_out(lib.empty(3)),
    lambda lib: lib.nn.init.xavier_uniform_(lib.empty(3)),
    lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3, 4), mode="fan_avg"),
    lambda lib: lib.nn.init.eye_(lib.empty(3, 4, 5)),
    lambda lib: lib.nn.init.dirac_(lib.empty(3, 4)),
    lambda lib: lib.nn.init.dirac_(lib.empty(3, 4, 3), groups=2),
    lambda lib: lib.nn.init.orthogonal_(lib.empty(3)),
    lambda lib: lib.nn.init.sparse_(lib.empty(3, 4, 5), 0.1),
])
def test_errors(fn):
    assert_raises_like(fn)


def test_warnings():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            lib.nn.init.kaiming_uniform_(lib.empty(0, 3))
        with pytest.warns(UserWarning, match="mean is more than 2 std"):
            lib.nn.init.trunc_normal_(lib.empty(3), mean=10.0)
        with pytest.warns(FutureWarning, match="nn.init.normal` is now deprecated"):
            lib.nn.init.normal(lib.empty(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.nn.init.kaiming_uniform_(ember.empty(2, 3))
