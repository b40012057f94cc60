"""ember.nn.utils gradient clipping against torch.nn.utils: clip_grad_norm_ (every norm type,
error_if_nonfinite, foreach), clip_grad_value_, get_total_norm, clip_grads_with_norm_."""

import warnings

import numpy as np
import pytest
import torch
from optable import assert_raises_like

import ember

RNG = np.random.default_rng(0)
GRADS = [RNG.standard_normal(s).astype("float32") for s in [(30, 20), (20,), (3, 3, 3), ()]]


def params(lib, grads=GRADS, dtype=None, none_at=None):
    ps = []
    for i, g in enumerate(grads):
        p = lib.nn.Parameter(lib.zeros(g.shape, dtype=getattr(lib, dtype or str(g.dtype))))
        if i != none_at:
            p.grad = lib.tensor(g.astype(dtype or g.dtype))
        ps.append(p)
    return ps


def grads_of(ps):
    return [None if p.grad is None else p.grad.numpy().copy() for p in ps]


def same_grads(e, t, rtol=2e-6):
    for a, b in zip(e, t):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, 0.5, 0, float("inf"), "inf", -float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e4])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_(norm_type, max_norm, dtype):
    out = {}
    for lib in (torch, ember):
        ps = params(lib, dtype=dtype, none_at=1)
        total = lib.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
        out[lib.__name__] = (total, grads_of(ps))
    (tt, tg), (et, eg) = out["torch"], out["ember"]
    assert str(et.dtype) == str(tt.dtype) and et.shape == tt.shape
    rtol = 2e-6 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(et.item(), tt.item(), rtol=rtol)
    same_grads(eg, tg, rtol)


@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_norm_single_tensor_and_foreach(foreach):
    out = []
    for lib in (torch, ember):
        p = params(lib)[0]
        total = lib.nn.utils.clip_grad_norm_(p, 1.0, foreach=foreach)
        out.append((total.item(), p.grad.numpy().copy()))
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=2e-6)
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=2e-6, atol=1e-7)


def test_clip_grad_norm_nonfinite():
    bad = [g.copy() for g in GRADS]
    bad[0][3, 4] = np.inf

    def raises(lib):
        lib.nn.utils.clip_grad_norm_(params(lib, bad), 1.0, error_if_nonfinite=True)

    assert_raises_like(raises)

    def scaled_anyway(lib):
        ps = params(lib, bad)
        total = lib.nn.utils.clip_grad_norm_(ps, 1.0)
        return total.item(), grads_of(ps)

    (tt, tg), (et, eg) = scaled_anyway(torch), scaled_anyway(ember)
    assert et == tt
    for a, b in zip(eg, tg):
        np.testing.assert_array_equal(a, b)  # zeros and nan where torch has them


def test_clip_grad_norm_empty():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="empty generator"):
            total = lib.nn.utils.clip_grad_norm_((p for p in []), 1.0)
        assert total.item() == 0.0 and str(total.dtype) == "torch.float32"
        ps = [lib.nn.Parameter(lib.ones(2))]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert lib.nn.utils.clip_grad_norm_(ps, 1.0).item() == 0.0  # no grads: no warning


def test_clip_grad_norm_deprecated_alias():
    for lib in (torch, ember):
        with pytest.warns(FutureWarning, match="clip_grad_norm_"):
            lib.nn.utils.clip_grad_norm(params(lib), 1.0)


def test_get_total_norm_and_clip_grads_with_norm_():
    out = []
    for lib in (torch, ember):
        ps = params(lib)
        total = lib.nn.utils.get_total_norm([p.grad for p in ps], norm_type=3.0)
        lib.nn.utils.clip_grads_with_norm_(ps, 2.0, total)
        out.append((total.item(), grads_of(ps)))
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=2e-6)
    same_grads(out[1][1], out[0][1])

    def empty_inf_norm(lib):
        lib.nn.utils.get_total_norm([lib.zeros(0)], norm_type="inf")

    assert_raises_like(empty_inf_norm)


@pytest.mark.parametrize("clip_value", [0.5, 2, -1.0])
def test_clip_grad_value_(clip_value):
    out = []
    for lib in (torch, ember):
        ps = params(lib, none_at=2)
        assert lib.nn.utils.clip_grad_value_(ps, clip_value) is None
        out.append(grads_of(ps))
    for a, b in zip(out[1], out[0]):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)


def test_clip_grad_value_nan_and_single_tensor():
    g = np.array([np.nan, -3.0, 0.2, np.inf], dtype="float32")
    out = []
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.zeros(4))
        p.grad = lib.tensor(g)
        lib.nn.utils.clip_grad_value_(p, 1.0)
        out.append(p.grad.numpy())
    np.testing.assert_array_equal(out[1], out[0])


def test_version_counters_bumped():
    for lib in (torch, ember):
        ps = params(lib)
        v0 = [p.grad._version for p in ps]
        lib.nn.utils.clip_grad_norm_(ps, 1e6)
        lib.nn.utils.clip_grad_value_(ps, 1e6)
        assert all(p.grad._version > v for p, v in zip(ps, v0))
