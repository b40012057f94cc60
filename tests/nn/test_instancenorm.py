"""InstanceNorm1d/2d/3d against PyTorch: reprs, state, forward/backward (batched and unbatched,
affine, tracked running statistics in training and eval), warnings and errors."""

import warnings

import numpy as np
import pytest
import torch
from optable import assert_raises_like, assert_same, make

import ember

LAYERS = [
    ("InstanceNorm1d(3)", (2, 3, 5)), ("InstanceNorm1d(3)", (3, 5)),
    ("InstanceNorm1d(3, affine=True)", (2, 3, 5)),
    ("InstanceNorm1d(3, track_running_stats=True)", (2, 3, 5)),
    ("InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.3)", (2, 3, 4, 4)),
    ("InstanceNorm2d(3)", (3, 4, 4)), ("InstanceNorm3d(2, affine=True)", (2, 2, 2, 3, 2)),
    ("InstanceNorm3d(2, track_running_stats=True)", (2, 2, 3, 2)),
]


def build(lib, expr):
    return eval(expr, {"__builtins__": {}}, dict(vars(lib.nn)))


@pytest.mark.parametrize("expr,shape", LAYERS)
def test_repr_and_state(expr, shape):
    t, e = build(torch, expr), build(ember, expr)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("expr,shape", LAYERS)
def test_steps_and_eval(expr, shape, dtype):
    res = []
    for lib in (torch, ember):
        m = build(lib, expr).to(getattr(lib, dtype))
        outs = []
        for step in range(3):
            rng = np.random.default_rng(step)
            x = lib.from_numpy(make(shape, dtype, rng=rng) * 2 + 1).requires_grad_()
            y = m(x)
            y.backward(lib.from_numpy(make(shape, dtype, rng=rng)))
            outs += [y, x.grad] + [p.grad for p in m.parameters()]
        m.eval()
        outs.append(m(lib.from_numpy(make(shape, dtype, rng=np.random.default_rng(7)))))
        outs += list(m.buffers())
        res.append((outs, y.grad_fn.name()))
    assert res[1][1] == res[0][1]
    for i, (e, t) in enumerate(zip(res[1][0], res[0][0])):
        assert_same(e, t, 1e-5, 1e-5, f"value {i}")


def test_num_features_mismatch_warns():
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.InstanceNorm1d(4)(lib.ones(2, 3, 5))
        assert "does not match num_features" in str(w[0].message)


ERRORS = [
    lambda lib: lib.nn.InstanceNorm1d(3, affine=True)(lib.ones(2, 4, 5)),
    lambda lib: lib.nn.InstanceNorm1d(3)(lib.ones(2, 3, 1)),
    lambda lib: lib.nn.InstanceNorm1d(3)(lib.ones(2, 3, 1, 1)),
    lambda lib: lib.nn.InstanceNorm2d(3)(lib.ones(3, 4)),
    lambda lib: lib.nn.InstanceNorm3d(3)(lib.ones(3, 4, 2)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    assert_raises_like(ERRORS[i])
