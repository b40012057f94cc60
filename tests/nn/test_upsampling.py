"""Upsample / UpsamplingNearest2d / UpsamplingBilinear2d against PyTorch: reprs, attributes,
outputs and gradients."""

import numpy as np
import pytest
import torch

import ember

CASES = [
    (dict(scale_factor=2), (1, 2, 3, 4)),
    (dict(size=5, mode="bilinear"), (1, 2, 3, 4)),
    (dict(scale_factor=(2, 3), mode="bilinear", align_corners=True), (1, 2, 3, 4)),
    (dict(size=(3, 4), mode="nearest-exact"), (2, 1, 5, 7)),
    (dict(scale_factor=1.7, mode="nearest-exact", recompute_scale_factor=True), (2, 1, 5, 7)),
    (dict(scale_factor=1.5, mode="bicubic"), (1, 1, 4, 4)),
    (dict(scale_factor=2, mode="linear"), (2, 3, 5)),
    (dict(size=(2, 3, 4), mode="trilinear"), (1, 1, 3, 3, 3)),
    (dict(scale_factor=0.5, mode="area"), (1, 2, 6, 6)),
]


@pytest.mark.parametrize("kw,shape", CASES, ids=[str(i) for i in range(len(CASES))])
def test_upsample(kw, shape):
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    res = []
    for lib in (torch, ember):
        m = lib.nn.Upsample(**kw)
        xi = lib.from_numpy(x.copy()).requires_grad_(True)
        y = m(xi)
        y.backward(lib.ones_like(y))
        res.append((repr(m), m.scale_factor, m.size, m.mode, m.align_corners, y.detach().numpy(),
                    xi.grad.numpy(), y.grad_fn.name()))
    t, e = res
    assert e[:5] == t[:5] and e[7] == t[7]
    np.testing.assert_allclose(e[5], t[5], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e[6], t[6], rtol=1e-5, atol=1e-5)


def test_deprecated_modules():
    x = np.arange(12, dtype=np.float32).reshape(1, 1, 3, 4)
    for name, kw in (("UpsamplingNearest2d", dict(scale_factor=2)),
                     ("UpsamplingBilinear2d", dict(size=4))):
        outs = [(repr(getattr(lib.nn, name)(**kw)),
                 getattr(lib.nn, name)(**kw)(lib.from_numpy(x.copy())).numpy())
                for lib in (torch, ember)]
        assert outs[1][0] == outs[0][0]
        np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-6)
