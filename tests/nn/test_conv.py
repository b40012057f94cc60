"""Conv and ConvTranspose modules against PyTorch: initial weights to the bit, reprs, forward
and backward over strides, paddings, dilations, groups, padding modes; constructor errors."""

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.optable import assert_raises_like

CONFIGS = [
    ("Conv1d", (4, 6, 3), {}),
    ("Conv1d", (4, 6, 5), dict(groups=2, padding="same", padding_mode="reflect")),
    ("Conv1d", (2, 3, 2), dict(stride=2, padding=1, padding_mode="circular", bias=False)),
    ("Conv2d", (3, 1, 3), dict(padding=1)),
    ("Conv2d", (3, 8, (3, 2)), dict(stride=(2, 1), padding=(1, 0), dilation=(2, 1))),
    ("Conv2d", (4, 8, 3), dict(groups=4, padding=1, padding_mode="replicate")),
    ("Conv2d", (4, 4, 3), dict(groups=4, padding="same", bias=False)),
    ("Conv2d", (3, 5, 4), dict(padding="same", padding_mode="reflect")),
    ("Conv2d", (3, 5, 3), dict(padding="valid", padding_mode="circular")),
    ("Conv2d", (3, 6, 3), dict(padding=2, padding_mode="circular", stride=2)),
    ("Conv2d", (3, 4, 1), {}),
    ("Conv3d", (2, 4, 3), dict(padding=1)),
    ("Conv3d", (2, 4, (2, 3, 1)), dict(stride=(1, 2, 1), groups=2, padding_mode="replicate",
                                       padding=(1, 0, 1))),
    ("ConvTranspose1d", (3, 5, 4), dict(dilation=2, stride=2, output_padding=1)),
    ("ConvTranspose2d", (4, 6, 3), dict(groups=2, stride=2, output_padding=1)),
    ("ConvTranspose2d", (4, 2, (2, 3)), dict(padding=(1, 0), bias=False)),
    ("ConvTranspose3d", (2, 4, 2), dict(stride=2)),
]


def _build(lib, name, args, kw, seed):
    lib.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(lib.nn, name)(*args, **kw)


@pytest.mark.parametrize("name,args,kw", CONFIGS, ids=[f"{c[0]}-{i}" for i, c in
                                                     enumerate(CONFIGS)])
def test_fresh_weights_repr_forward_backward(name, args, kw):
    for seed in (0, 7):
        mt = _build(torch, name, args, kw, seed)
        me = _build(ember, name, args, kw, seed)
        for (nt, pt), (ne, pe) in zip(mt.named_parameters(), me.named_parameters()):
            assert nt == ne
            assert pe.detach().numpy().tobytes() == pt.detach().numpy().tobytes()
        assert len(list(mt.parameters())) == len(list(me.parameters()))
        assert repr(me) == repr(mt)
    d = int(name[-2])
    cin = args[0]
    spatial = (7, 6, 5)[:d]
    rng = np.random.default_rng(3)
    for shape in [(2, cin) + spatial, (1, cin) + spatial, (cin,) + spatial]:
        x = rng.standard_normal(shape).astype(np.float32)
        res = []
        for lib, m in ((torch, mt), (ember, me)):
            m.zero_grad()
            xi = lib.from_numpy(x.copy()).requires_grad_(True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                y = m(xi)
            g = np.cos(np.arange(y.numel(), dtype=np.float32)).reshape(tuple(y.shape))
            y.backward(lib.from_numpy(g))
            res.append([y.detach().numpy(), xi.grad.numpy()]
                       + [p.grad.numpy() for p in m.parameters()])
        for a, b in zip(res[1], res[0]):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_conv_transpose_output_size():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
        x = lib.ones(1, 3, 4, 5)
        return [tuple(m(x, output_size=s).shape) for s in ([7, 9], [8, 10], [1, 2, 8, 9])]

    assert run(ember) == run(torch)


def test_double_and_float64():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Conv2d(2, 3, 3, padding=1).double()
        x = lib.arange(50, dtype=lib.float64).reshape(1, 2, 5, 5).requires_grad_(True)
        y = m(x)
        y.sum().backward()
        return y.detach().numpy(), x.grad.numpy(), m.weight.grad.numpy(), str(y.dtype)

    e, t = run(ember), run(torch)
    for a, b in zip(e[:3], t[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert e[3] == t[3]


def test_dtype_kwarg():
    for lib in (ember, torch):
        m = lib.nn.Conv2d(2, 3, 3, dtype=lib.float64)
        assert str(m.weight.dtype) == "torch.float64"


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2),
    lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2),
    lambda lib: lib.nn.Conv2d(4, 4, 3, groups=0),
    lambda lib: lib.nn.Conv2d(4, 4, 3, padding="same", stride=2),
    lambda lib: lib.nn.Conv2d(-1, 4, 3),
    lambda lib: lib.nn.Conv2d(4, -4, 3),
    lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
    lambda lib: lib.nn.Conv2d(3, 64, 3)(lib.ones(8, 4, 32, 32)),
    lambda lib: lib.nn.Conv2d(3, 64, 3)(lib.ones(8, 3)),
    lambda lib: lib.nn.Conv2d(3, 64, 5)(lib.ones(1, 3, 4, 4)),
    lambda lib: lib.nn.Conv1d(3, 4, 3)(lib.ones(1, 3, 4, 4)),
    lambda lib: lib.nn.Conv2d(3, 4, 3, padding=3, padding_mode="reflect")(lib.ones(1, 3, 3, 3)),
    lambda lib: lib.nn.ConvTranspose2d(3, 2, 3, stride=2)(lib.ones(1, 3, 4, 4), output_size=[20, 20]),
    lambda lib: lib.nn.ConvTranspose2d(3, 2, 3, stride=2)(lib.ones(1, 3, 4, 4), output_size=[9]),
])
def test_errors(fn):
    assert_raises_like(fn)


@pytest.mark.parametrize("kw", [dict(padding="full"), dict(padding_mode="mirror")])
def test_errors_listing_a_set(kw):
    # the message shows a set, whose order differs from run to run in PyTorch itself
    import re

    msgs = []
    for lib in (torch, ember):
        with pytest.raises(ValueError) as info:
            lib.nn.Conv2d(4, 4, 3, **kw)
        text = str(info.value)
        items = re.search(r"\{(.*)\}", text).group(1)
        msgs.append((text.replace(items, ""), sorted(items.split(", "))))
    assert msgs[0] == msgs[1]
