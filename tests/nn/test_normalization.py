"""LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm against PyTorch: reprs, parameters, forward
and backward over dtypes, constructor and input errors."""

import numpy as np
import pytest
import torch
from optable import assert_raises_like, assert_same, make

import ember

LAYERS = [
    ("LayerNorm(5)", (4, 3, 5)), ("LayerNorm([3, 5])", (4, 3, 5)),
    ("LayerNorm(5, elementwise_affine=False)", (2, 5)), ("LayerNorm(5, bias=False)", (2, 5)),
    ("LayerNorm((5,), eps=0.1)", (5,)), ("GroupNorm(2, 4)", (3, 4, 5)),
    ("GroupNorm(1, 4, affine=False)", (3, 4, 2, 2)), ("GroupNorm(4, 4, bias=False)", (3, 4, 6)),
    ("GroupNorm(2, 6, eps=0.01)", (2, 6)), ("RMSNorm(5)", (4, 3, 5)),
    ("RMSNorm([3, 5], eps=1e-3)", (4, 3, 5)), ("RMSNorm(5, elementwise_affine=False)", (2, 5)),
    ("LocalResponseNorm(2)", (2, 5, 4)), ("LocalResponseNorm(3, 0.1, 0.5, 2.)", (2, 5, 3, 3)),
    ("LocalResponseNorm(4)", (2, 5, 2, 2, 2)),
]


def build(lib, expr):
    return eval(expr, {"__builtins__": {}}, dict(vars(lib.nn)))


@pytest.mark.parametrize("expr,shape", LAYERS)
def test_repr_and_parameters(expr, shape):
    t, e = build(torch, expr), build(ember, expr)
    assert repr(e) == repr(t)
    ts, es = t.state_dict(), e.state_dict()
    assert list(es) == list(ts)
    for k in ts:
        assert_same(es[k], ts[k], 0, 0, k)
    assert getattr(type(e), "__constants__", None) == getattr(type(t), "__constants__", None)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("expr,shape", LAYERS)
def test_forward_backward(expr, shape, dtype):
    x = make(shape, dtype, rng=np.random.default_rng(0)) * 2 + 0.3
    g = make(shape, dtype, rng=np.random.default_rng(1))
    res = []
    for lib in (torch, ember):
        m = build(lib, expr).to(getattr(lib, dtype))
        with lib.no_grad():
            for p in m.parameters():
                p.copy_(lib.from_numpy(make(tuple(p.shape), dtype,
                                            rng=np.random.default_rng(2))))
        xt = lib.from_numpy(x.copy()).requires_grad_()
        y = m(xt)
        y.backward(lib.from_numpy(g.copy()))
        res.append([y, xt.grad] + [p.grad for p in m.parameters()] + [y.grad_fn.name()])
    assert res[1][-1] == res[0][-1]
    for i, (e, t) in enumerate(zip(res[1][:-1], res[0][:-1])):
        assert_same(e, t, 1e-5, 1e-5, f"value {i}")


ERRORS = [
    lambda lib: lib.nn.GroupNorm(3, 4),
    lambda lib: lib.nn.LayerNorm(4)(lib.ones(2, 5)),
    lambda lib: lib.nn.LayerNorm([3, 4])(lib.ones(2, 4)),
    lambda lib: lib.nn.GroupNorm(2, 4)(lib.ones(2, 6, 3)),
    lambda lib: lib.nn.GroupNorm(2, 4)(lib.ones(4)),
    lambda lib: lib.nn.RMSNorm(4)(lib.ones(2, 5)),
    lambda lib: lib.nn.LocalResponseNorm(2)(lib.ones(2, 5)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    assert_raises_like(ERRORS[i])
