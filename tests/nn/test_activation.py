"""Activation layers against PyTorch: reprs, forward and backward (in-place included), PReLU's
parameter, constructor and input errors, the implicit-dim warning of the softmax layers."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from optable import assert_raises_like, assert_same, make

import ember

# constructor calls, written once for both libraries
LAYERS = [
    "ReLU()", "ReLU(True)", "ReLU(inplace=True)", "ReLU6()", "ReLU6(inplace=True)",
    "LeakyReLU()", "LeakyReLU(0.2, True)", "LeakyReLU(1)", "PReLU()", "PReLU(4, 0.1)",
    "ELU()", "ELU(0.5, True)", "ELU(1)", "SELU()", "SELU(True)", "CELU()", "CELU(2., True)",
    "GELU()", "GELU('tanh')", "GELU(approximate='tanh')", "SiLU()", "SiLU(True)", "Mish()",
    "Mish(True)", "Sigmoid()", "Tanh()", "Hardtanh()", "Hardtanh(-2, 3, True)",
    "Hardtanh(-2., 3.)", "Hardtanh(min_val=-0.5, max_val=0.5)", "Hardsigmoid()",
    "Hardsigmoid(True)", "Hardswish()", "Hardswish(True)", "Softplus()", "Softplus(2, 10)",
    "Softplus(2.5, 1.5)", "Softsign()", "Softshrink()", "Softshrink(1)", "Hardshrink()",
    "Hardshrink(2)", "Tanhshrink()", "Threshold(0.1, 20)", "Threshold(1, 2, True)",
    "LogSigmoid()", "GLU()", "GLU(1)", "Softmax(dim=1)", "Softmax(-1)", "Softmax(dim=0)",
    "LogSoftmax(1)", "LogSoftmax(dim=-1)", "Softmin(1)", "Softmin(dim=0)", "Softmax2d()",
]


def build(lib, expr):
    return eval(expr, {"__builtins__": {}}, dict(vars(lib.nn)))


@pytest.mark.parametrize("expr", LAYERS + ["Softmax()", "LogSoftmax()", "Softmin()"])
def test_repr_matches_torch(expr):
    assert repr(build(ember, expr)) == repr(build(torch, expr))


def test_repr_in_sequential_and_attributes():
    for lib in (torch, ember):
        m = lib.nn.Sequential(lib.nn.Tanh(), lib.nn.ReLU(inplace=True), lib.nn.PReLU(4),
                              lib.nn.Softmax(dim=-1), lib.nn.GELU("tanh"), lib.nn.GELU("tanh"))
        text = repr(m)
        if lib is torch:
            expected = text
    assert text == expected
    for expr in LAYERS:
        t, e = build(torch, expr), build(ember, expr)
        for name in ("inplace", "negative_slope", "alpha", "approximate", "min_val", "max_val",
                     "beta", "threshold", "value", "lambd", "dim", "num_parameters", "init"):
            assert getattr(e, name, "absent") == getattr(t, name, "absent"), (expr, name)
        assert getattr(type(e), "__constants__", None) == getattr(type(t), "__constants__", None)
        assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]


def _input_for(expr, shape, nc):
    if expr.startswith("GLU(1)"):
        shape = (3, 4, 2)
    elif expr.startswith("Softmax2d"):
        shape = (2, 3, 4, 2)
    elif expr.startswith("PReLU(4"):
        shape = (3, 4, 2)
    return make(shape, "float32", low=-4.0, high=4.0, noncontig=nc)


@pytest.mark.parametrize("expr", LAYERS)
@pytest.mark.parametrize("shape,nc", [((3, 4), False), ((4, 6), True), ((2, 4, 6), False),
                                      ((0, 4), False)])
def test_forward_backward_matches_torch(expr, shape, nc):
    x = _input_for(expr, shape, nc)
    if expr.startswith(("GLU(1)", "Softmax2d", "PReLU(4")) and shape != (3, 4):
        return
    res = []
    for lib in (torch, ember):
        m = build(lib, expr)
        leaf = lib.from_numpy(np.array(x)).requires_grad_()
        inp = leaf * 1.0  # a non-leaf, so in-place layers are allowed
        y = m(inp)
        if "True" in expr:
            assert y is inp
        g = make(tuple(y.shape), "float32", rng=np.random.default_rng(3))
        y.backward(lib.from_numpy(g))
        params = [p.grad for p in m.parameters()]
        res.append((y, leaf.grad, params, type(y.grad_fn).__name__))
    (ty, tg, tp, tn), (ey, eg, ep, en) = res
    assert en == tn
    assert_same(ey, ty)
    assert_same(eg, tg, 1e-4, 1e-5)
    for a, b in zip(ep, tp):
        assert_same(a, b, 1e-4, 1e-5)


@pytest.mark.parametrize("expr", [e for e in LAYERS if "True" in e])
def test_inplace_layers_on_leaf_raise(expr):
    assert_raises_like(lambda lib: build(lib, expr)(lib.ones(2, 4, requires_grad=True)))


@pytest.mark.parametrize("expr", [e for e in LAYERS if "True" in e])
def test_inplace_layers_under_no_grad(expr):
    x = make((2, 4), "float32", low=-3, high=3)
    out = []
    for lib in (torch, ember):
        t = lib.from_numpy(x.copy())
        with lib.no_grad():
            y = build(lib, expr)(t)
        assert y is t and t._version == 1
        out.append(t)
    assert_same(out[1], out[0])


def test_prelu_parameter():
    for n, init in [(1, 0.25), (3, 0.1), (5, -0.5)]:
        t, e = torch.nn.PReLU(n, init), ember.nn.PReLU(n, init)
        assert repr(e.weight) == repr(t.weight)
        assert isinstance(e.weight, ember.nn.Parameter)
        assert list(e.state_dict()) == list(t.state_dict()) == ["weight"]
        assert_same(e.state_dict()["weight"], t.state_dict()["weight"])
    e = ember.nn.PReLU(3, dtype=ember.float64)
    t = torch.nn.PReLU(3, dtype=torch.float64)
    assert repr(e.weight) == repr(t.weight)
    x = make((2, 3, 5), "float64")
    for lib, m in ((torch, t), (ember, e)):
        m(lib.from_numpy(x.copy())).pow(2).sum().backward()
    assert_same(e.weight.grad, t.weight.grad, 1e-10, 1e-12)
    with ember.no_grad():
        e.weight.fill_(1.0)
    e.reset_parameters()
    assert e.weight.tolist() == [0.25] * 3


def test_prelu_gradcheck():
    m = ember.nn.PReLU(3, dtype=ember.float64)
    x = ember.from_numpy(make((2, 3, 4), "float64")).requires_grad_()
    assert ember.autograd.gradcheck(lambda a, w: ember.nn.functional.prelu(a, w),
                                    (x, m.weight))
    assert ember.autograd.gradgradcheck(lambda a, w: ember.nn.functional.prelu(a, w),
                                        (x, m.weight))


ERRORS = [
    lambda lib: lib.nn.Hardtanh(1, 1),
    lambda lib: lib.nn.Hardtanh(2.0, -1.0),
    lambda lib: lib.nn.Softmax2d()(lib.ones(2, 3)),
    lambda lib: lib.nn.Softmax2d()(lib.ones(1, 2, 3, 4, 5)),
    lambda lib: lib.nn.GELU("foo")(lib.ones(2)),
    lambda lib: lib.nn.GLU()(lib.ones(2, 3)),
    lambda lib: lib.nn.GLU(0)(lib.ones(3, 2)),
    lambda lib: lib.nn.PReLU(3)(lib.ones(2, 4)),
    lambda lib: lib.nn.PReLU(3)(lib.tensor(1.0)),
    lambda lib: lib.nn.PReLU()(lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.nn.Softmax(2)(lib.ones(2, 3)),
    lambda lib: lib.nn.Softshrink(-1)(lib.ones(2)),
    lambda lib: lib.nn.CELU(0.0)(lib.ones(2)),
    lambda lib: lib.nn.ELU()(lib.ones(2, dtype=lib.int64)),
    lambda lib: lib.nn.ReLU()(lib.tensor([True])),
    lambda lib: lib.nn.ReLU()(1.0),
    lambda lib: lib.nn.Sigmoid()(1.0),
    lambda lib: lib.nn.Tanh()([1.0]),
    lambda lib: lib.nn.LeakyReLU(-0.1, True)(lib.ones(3, requires_grad=True) * 1).sum()
    .backward(),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    assert_raises_like(ERRORS[i])


@pytest.mark.parametrize("cls", ["Softmax", "LogSoftmax", "Softmin"])
@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_softmax_layers_implicit_dim(cls, shape):
    x = make(shape, "float32")
    res = []
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = getattr(lib.nn, cls)()(lib.from_numpy(x.copy()))
        res.append((y, [(c.category, str(c.message)) for c in w]))
    assert_same(res[1][0], res[0][0])
    assert res[1][1] == res[0][1]


def test_softmax_layer_pickle_and_old_state():
    m = ember.nn.Softmax(dim=1)
    m2 = pickle.loads(pickle.dumps(m))
    assert repr(m2) == "Softmax(dim=1)"
    state = dict(m.__dict__)
    del state["dim"]
    m3 = ember.nn.Softmax.__new__(ember.nn.Softmax)
    m3.__setstate__(state)
    assert m3.dim is None


def test_train_eval_and_hooks_pass_through():
    for lib in (torch, ember):
        m = lib.nn.Sequential(lib.nn.ReLU(), lib.nn.Tanh())
        seen = []
        m[0].register_forward_hook(lambda mod, inp, out, s=seen: s.append(type(mod).__name__))
        m.eval()
        m(lib.ones(2))
        assert seen == ["ReLU"] and not m[1].training
