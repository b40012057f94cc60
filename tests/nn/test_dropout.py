"""Dropout against PyTorch: masks bit-identical for the same seed (and the random stream left in
the same state), for every variant, float32/float64, non-contiguous inputs, in-place forms,
gradients and grad_fn names; eval mode is the identity; reprs and errors."""

import warnings

import numpy as np
import pytest
import torch
from optable import assert_raises_like, make

import ember

CASES = [
    ("dropout", lambda L, x: L.nn.functional.dropout(x, 0.3), (5, 7)),
    ("dropout p=0.9", lambda L, x: L.nn.functional.dropout(x, 0.9), (40,)),
    ("dropout noncontig", lambda L, x: L.nn.functional.dropout(x.t(), 0.3), (5, 7)),
    ("dropout float64", lambda L, x: L.nn.functional.dropout(x.double(), 0.6), (50,)),
    ("dropout p=1", lambda L, x: L.nn.functional.dropout(x, 1.0), (5, 7)),
    ("dropout inplace", lambda L, x: L.nn.functional.dropout(x * 1, 0.4, inplace=True), (5, 7)),
    ("dropout1d", lambda L, x: L.nn.functional.dropout1d(x, 0.5), (4, 6, 3)),
    ("dropout1d unbatched", lambda L, x: L.nn.functional.dropout1d(x, 0.5), (6, 3)),
    ("dropout2d", lambda L, x: L.nn.functional.dropout2d(x, 0.5), (4, 6, 3, 2)),
    ("dropout2d inplace", lambda L, x: L.nn.functional.dropout2d(x * 1, 0.4, inplace=True),
     (5, 7, 2, 2)),
    ("dropout3d", lambda L, x: L.nn.functional.dropout3d(x, 0.5), (2, 6, 3, 2, 2)),
    ("dropout3d unbatched", lambda L, x: L.nn.functional.dropout3d(x, 0.5), (6, 3, 2, 2)),
    ("alpha_dropout", lambda L, x: L.nn.functional.alpha_dropout(x, 0.2, True), (5, 7)),
    ("alpha_dropout inplace",
     lambda L, x: L.nn.functional.alpha_dropout(x * 1, 0.4, True, inplace=True), (5, 7)),
    ("feature_alpha_dropout",
     lambda L, x: L.nn.functional.feature_alpha_dropout(x, 0.2, True), (5, 7, 3)),
    ("torch.dropout", lambda L, x: L.dropout(x, 0.25, True), (64,)),
    ("torch.feature_dropout", lambda L, x: L.feature_dropout(x, 0.25, True), (3, 4, 2)),
    ("Dropout", lambda L, x: L.nn.Dropout(0.25)(x), (100,)),
    ("Dropout2d", lambda L, x: L.nn.Dropout2d()(x), (2, 8, 3, 3)),
    ("AlphaDropout", lambda L, x: L.nn.AlphaDropout(0.5)(x), (10, 4)),
    ("FeatureAlphaDropout", lambda L, x: L.nn.FeatureAlphaDropout(0.5)(x), (10, 4, 2)),
]


@pytest.mark.parametrize("name,fn,shape", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("seed", [0, 5])
def test_same_mask_values_and_grad(name, fn, shape, seed):
    x0 = make(shape, rng=np.random.default_rng(seed))
    res = []
    for lib in (torch, ember):
        x = lib.from_numpy(x0.copy()).requires_grad_()
        lib.manual_seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = fn(lib, x)
        y.backward(lib.from_numpy(make(tuple(y.shape), str(y.dtype)[6:],
                                       rng=np.random.default_rng(1))))
        res.append((y.detach().numpy(), x.grad.numpy(), y.grad_fn.name(), y.dtype,
                    lib.rand(3).tolist()))
    t, e = res
    np.testing.assert_array_equal(e[0], t[0])
    np.testing.assert_array_equal(e[1], t[1])
    assert e[2:] == (t[2], e[3]) + (t[4],) and str(e[3]) == str(t[3])


@pytest.mark.parametrize("fname", ["dropout", "alpha_dropout", "feature_alpha_dropout",
                                   "dropout1d", "dropout2d", "dropout3d"])
def test_eval_and_p0_are_identity(fname):
    for lib in (torch, ember):
        x = {"dropout1d": lib.ones(2, 3, 4), "dropout3d": lib.ones(2, 3, 4, 4, 2)}.get(
            fname, lib.ones(2, 3, 4, 4))
        f = getattr(lib.nn.functional, fname)
        assert f(x, 0.5, training=False) is x
        assert f(x, 0.0, training=True) is x


def test_modules_repr_and_eval():
    for expr in ["Dropout()", "Dropout(0.2, True)", "Dropout1d(0.1)", "Dropout2d(p=0.3)",
                 "Dropout3d()", "AlphaDropout(0.4)", "FeatureAlphaDropout()"]:
        t = eval("torch.nn." + expr)
        e = eval("ember.nn." + expr)
        assert repr(e) == repr(t)
        x = ember.ones(2, 3, 4)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert bool((e.eval()(x) == x).all())


def test_random_stream_training_loop():
    """A small model with dropout gives PyTorch's numbers step after step."""
    res = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(6, 8), lib.nn.ReLU(), lib.nn.Dropout(0.3),
                              lib.nn.Linear(8, 2))
        x = lib.from_numpy(make((16, 6), rng=np.random.default_rng(3)))
        outs = [m(x) for _ in range(3)]
        res.append([o.detach().numpy() for o in outs])
    for e, t in zip(res[1], res[0]):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-6)


def test_integer_input():
    for lib in (torch, ember):
        x = lib.arange(4)
        assert lib.nn.functional.dropout(x, 0.5, training=False) is x
    assert_raises_like(lambda lib: lib.dropout(lib.arange(6), 0.5, True))


ERRORS = [
    lambda lib: lib.nn.functional.dropout(lib.ones(3), 1.5),
    lambda lib: lib.nn.functional.dropout(lib.ones(3), -0.1),
    lambda lib: lib.nn.Dropout(2.0),
    lambda lib: lib.dropout(lib.ones(3), 1.5, True),
    lambda lib: lib.feature_dropout(lib.ones(3), 0.5, True),
    lambda lib: lib.nn.functional.dropout1d(lib.ones(2, 3, 4, 5), 0.5),
    lambda lib: lib.nn.functional.alpha_dropout(lib.ones(3), 2.0),
    lambda lib: lib.nn.functional.dropout(lib.ones(3, requires_grad=True), 0.5, inplace=True),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_like(ERRORS[i])
