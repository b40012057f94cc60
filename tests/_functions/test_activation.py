"""Activation Functions against PyTorch: values, dtypes, shapes, gradients (first and second
order), in-place variants and their autograd, errors. The functional API is ``nn.functional``."""

import itertools
import warnings

import numpy as np
import pytest
import torch
from optable import (
    SHAPES,
    OpCase,
    assert_raises_like,
    assert_same,
    check_case,
    gradcheck_case,
    make,
)

import ember


def F(lib):
    return lib.nn.functional


# name -> (fn(lib, x), smooth: gradcheck + gradgradcheck on it)
UNARY = {
    "relu": (lambda lib, x: F(lib).relu(x), False),
    "relu6": (lambda lib, x: F(lib).relu6(x), False),
    "leaky_relu": (lambda lib, x: F(lib).leaky_relu(x), False),
    "leaky_relu_0.2": (lambda lib, x: F(lib).leaky_relu(x, 0.2), False),
    "elu": (lambda lib, x: F(lib).elu(x), False),
    "elu_0.5": (lambda lib, x: F(lib).elu(x, 0.5), False),
    "selu": (lambda lib, x: F(lib).selu(x), False),
    "torch.selu": (lambda lib, x: lib.selu(x), False),
    "celu": (lambda lib, x: F(lib).celu(x, 1.5), False),
    "gelu": (lambda lib, x: F(lib).gelu(x), True),
    "gelu_tanh": (lambda lib, x: F(lib).gelu(x, approximate="tanh"), True),
    "silu": (lambda lib, x: F(lib).silu(x), True),
    "mish": (lambda lib, x: F(lib).mish(x), True),
    "sigmoid": (lambda lib, x: F(lib).sigmoid(x), True),
    "tanh": (lambda lib, x: F(lib).tanh(x), True),
    "hardtanh": (lambda lib, x: F(lib).hardtanh(x), False),
    "hardtanh_2": (lambda lib, x: F(lib).hardtanh(x, -2.0, 0.5), False),
    "hardsigmoid": (lambda lib, x: F(lib).hardsigmoid(x), False),
    "hardswish": (lambda lib, x: F(lib).hardswish(x), False),
    "softplus": (lambda lib, x: F(lib).softplus(x), True),
    "softplus_beta": (lambda lib, x: F(lib).softplus(x, 2.0, 3.0), False),
    "softsign": (lambda lib, x: F(lib).softsign(x), False),
    "softshrink": (lambda lib, x: F(lib).softshrink(x), False),
    "softshrink_1": (lambda lib, x: F(lib).softshrink(x, 1.0), False),
    "hardshrink": (lambda lib, x: F(lib).hardshrink(x), False),
    "torch.hardshrink": (lambda lib, x: lib.hardshrink(x, 1.0), False),
    "tanhshrink": (lambda lib, x: F(lib).tanhshrink(x), True),
    "threshold": (lambda lib, x: F(lib).threshold(x, 0.5, -2.0), False),
    "logsigmoid": (lambda lib, x: F(lib).logsigmoid(x), True),
    "softmax_last": (lambda lib, x: F(lib).softmax(x, -1), True),
    "softmax_0": (lambda lib, x: F(lib).softmax(x, 0), True),
    "log_softmax_last": (lambda lib, x: F(lib).log_softmax(x, -1), True),
    "log_softmax_0": (lambda lib, x: F(lib).log_softmax(x, 0), True),
    "softmin": (lambda lib, x: F(lib).softmin(x, -1), True),
    "torch.softmax": (lambda lib, x: lib.softmax(x, 0), True),
    "torch.log_softmax": (lambda lib, x: lib.log_softmax(x, -1), True),
    "Tensor.softmax": (lambda lib, x: x.softmax(-1), True),
    "Tensor.log_softmax": (lambda lib, x: x.log_softmax(0), True),
    "softmax_dtype": (lambda lib, x: F(lib).softmax(x, 0, dtype=lib.float64), False),
    "log_softmax_dtype": (lambda lib, x: lib.log_softmax(x, -1, dtype=lib.float32), False),
}
SHAPES_NC = [(s, False) for s in SHAPES] + [((3, 4), True), ((4, 5), True)]


def _cases():
    for (name, (fn, _)), (shape, nc), dt in itertools.product(
            UNARY.items(), SHAPES_NC, ["float32", "float64"]):
        x = make(shape, dt, low=-4.0, high=4.0, noncontig=nc)
        tag = f"{name}-{shape}-{dt}{'-nc' if nc else ''}"
        yield OpCase(tag, fn, [x], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", list(_cases()), ids=str)
def test_matches_torch(case):
    check_case(case)


@pytest.mark.parametrize("name", [n for n, (_, smooth) in UNARY.items() if smooth])
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
def test_gradcheck_smooth(name, shape):
    fn = UNARY[name][0]
    x = make(shape, "float64", low=-3.0, high=3.0)
    gradcheck_case(OpCase(name, fn, [x]), second_order=True)


@pytest.mark.parametrize("name", [n for n, (_, smooth) in UNARY.items()
                                  if not smooth and "dtype" not in n])
def test_gradcheck_piecewise(name):
    # away from the kinks, the piecewise ones are smooth too (first and second order)
    fn = UNARY[name][0]
    x = make((6,), "float64", low=-3.0, high=3.0)
    x = np.where(np.abs(np.abs(x) - 1) < 0.1, x + 0.3, x)  # keep clear of +-1, +-0.5, +-3
    x = np.where(np.abs(np.abs(x) - 0.5) < 0.1, x + 0.3, x)
    x = np.where(np.abs(np.abs(x) - 3) < 0.1, x - 0.3, x)
    x = np.where(np.abs(x) < 0.1, x + 0.3, x)
    gradcheck_case(OpCase(name, fn, [x]), second_order=True)


def test_float16():
    x = make((3, 8), "float16", low=-4.0, high=4.0)
    for name, (fn, _) in UNARY.items():
        if "dtype" in name:
            continue
        check_case(OpCase(name, fn, [x], rtol=2e-3, atol=2e-3), check_backward=False)


@pytest.mark.parametrize("dt", ["int64", "int32", "uint8", "bool"])
def test_integer_inputs_as_torch(dt):
    x = make((4,), dt, low=0, high=5)
    for name, (fn, _) in UNARY.items():
        try:
            fn(torch, torch.from_numpy(x.copy()))
        except Exception:
            assert_raises_like(lambda lib, fn=fn: fn(lib, lib.from_numpy(x.copy())))
            continue
        check_case(OpCase(name, fn, [x], grad=[False]))


def test_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -1e-30, 30.0, -30.0, 100.0, -100.0,
                  0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0], np.float32)
    for name, (fn, _) in UNARY.items():
        if "softmax" in name or "softmin" in name:
            continue
        check_case(OpCase(name, fn, [x], rtol=1e-5, atol=1e-6), check_backward=False)
    big = np.array([[1000.0, 0.0, -1000.0], [-np.inf, 0.0, 1.0], [1e30, 1e30, 1e30]], np.float32)
    for name in ["softmax_last", "log_softmax_last", "softmax_0", "log_softmax_0", "softmin"]:
        check_case(OpCase(name, UNARY[name][0], [big]))
    allneg = np.full((2, 3), -np.inf, np.float32)
    check_case(OpCase("softmax-inf", UNARY["softmax_last"][0], [allneg]), check_backward=False)


def test_boundary_gradients():
    # the gradient at the kinks follows PyTorch's conventions
    x = np.array([-3.0, 3.0, -1.0, 1.0, 0.0, -0.5, 0.5, 6.0, 0.5], np.float32)
    for name in ["relu", "relu6", "leaky_relu", "elu", "hardtanh", "hardsigmoid", "hardswish",
                 "softshrink", "hardshrink", "threshold", "selu", "celu"]:
        check_case(OpCase(name, UNARY[name][0], [x]))


def test_softplus_threshold_branch():
    x = np.array([-30.0, -1.0, 0.0, 1.0, 1.4, 1.6, 10.0, 19.9, 20.1, 50.0], np.float32)
    for args in [(), (1.0, 20.0), (2.0, 3.0), (0.5, 1.0), (-1.0, 5.0)]:
        check_case(OpCase("softplus", lambda lib, t, a=args: F(lib).softplus(t, *a), [x]))


def test_glu():
    for shape, dim in [((2, 4), -1), ((4, 3), 0), ((2, 6, 3), 1), ((0, 4), -1), ((2, 0), 1),
                       ((2,), 0)]:
        for nc in (False, True):
            x = make(shape, "float32", noncontig=nc)
            check_case(OpCase("glu", lambda lib, t, d=dim: F(lib).glu(t, d), [x]))
    gradcheck_case(OpCase("glu", lambda lib, t: F(lib).glu(t, 1), [make((2, 4, 3), "float64")]),
                   second_order=True)


def test_prelu():
    rng = np.random.default_rng(5)
    for shape, wshape in [((2, 3), (3,)), ((2, 3, 4), (3,)), ((2, 3, 4, 5), (3,)), ((4,), (1,)),
                          ((2, 3), (1,)), ((), (1,)), ((2, 3), ()), ((0, 3), (3,)), ((3,), ())]:
        x = make(shape, "float32")
        w = rng.uniform(-0.5, 0.5, size=wshape).astype(np.float32)
        check_case(OpCase("prelu", lambda lib, a, b: F(lib).prelu(a, b), [x, w]))
        check_case(OpCase("torch.prelu", lambda lib, a, b: lib.prelu(a, b), [x, w]))
        check_case(OpCase("Tensor.prelu", lambda lib, a, b: a.prelu(b), [x, w]))
    gradcheck_case(OpCase("prelu", lambda lib, a, b: F(lib).prelu(a, b),
                          [make((2, 3, 4), "float64"), np.array([0.1, -0.2, 0.3])]),
                   second_order=True)


def test_prelu_graph_as_torch():
    for lib in (torch, ember):
        x = lib.ones(2, 3, 4, requires_grad=True)
        w = lib.full((3,), 0.25, requires_grad=True)
        y = lib.nn.functional.prelu(x, w)
        names = [type(f).__name__ if f is not None else None for f, _ in y.grad_fn.next_functions]
        assert type(y.grad_fn).__name__ == "PreluKernelBackward0"
        assert names == ["AccumulateGrad", "ViewBackward0"]


GRAD_FN = {
    "relu": "ReluBackward0", "relu6": "HardtanhBackward0", "leaky_relu": "LeakyReluBackward0",
    "elu": "EluBackward0", "selu": "EluBackward0", "celu": "CeluBackward0",
    "gelu": "GeluBackward0", "silu": "SiluBackward0", "mish": "MishBackward0",
    "hardtanh": "HardtanhBackward0", "hardsigmoid": "HardsigmoidBackward0",
    "hardswish": "HardswishBackward0", "softplus": "SoftplusBackward0",
    "softsign": "DivBackward0", "softshrink": "SoftshrinkBackward0",
    "hardshrink": "HardshrinkBackward0", "tanhshrink": "SubBackward0",
    "threshold": "ThresholdBackward0", "logsigmoid": "LogSigmoidBackward0",
    "softmax_last": "SoftmaxBackward0", "log_softmax_last": "LogSoftmaxBackward0",
    "softmin": "SoftmaxBackward0", "sigmoid": "SigmoidBackward0", "tanh": "TanhBackward0",
}


@pytest.mark.parametrize("name", list(GRAD_FN))
def test_grad_fn_names(name):
    fn = UNARY[name][0]
    outs = []
    for lib in (torch, ember):
        x = lib.ones(2, 4, requires_grad=True)
        y = fn(lib, x)
        nxt = [type(f).__name__ if f is not None else None for f, _ in y.grad_fn.next_functions]
        outs.append((type(y.grad_fn).__name__, nxt))
    assert outs[0] == outs[1]
    assert outs[0][0] == GRAD_FN[name]


# ---------------------------------------------------------------- in-place variants
INPLACE = {
    "relu": lambda lib, x: F(lib).relu(x, inplace=True),
    "relu_": lambda lib, x: F(lib).relu_(x),
    "torch.relu_": lambda lib, x: lib.relu_(x),
    "Tensor.relu_": lambda lib, x: x.relu_(),
    "relu6": lambda lib, x: F(lib).relu6(x, inplace=True),
    "leaky_relu": lambda lib, x: F(lib).leaky_relu(x, 0.2, inplace=True),
    "leaky_relu_": lambda lib, x: F(lib).leaky_relu_(x, 0.3),
    "elu": lambda lib, x: F(lib).elu(x, 0.7, inplace=True),
    "elu_": lambda lib, x: F(lib).elu_(x),
    "selu": lambda lib, x: F(lib).selu(x, inplace=True),
    "selu_": lambda lib, x: lib.selu_(x),
    "celu": lambda lib, x: F(lib).celu(x, 2.0, inplace=True),
    "celu_": lambda lib, x: lib.celu_(x),
    "silu": lambda lib, x: F(lib).silu(x, inplace=True),
    "mish": lambda lib, x: F(lib).mish(x, inplace=True),
    "hardtanh": lambda lib, x: F(lib).hardtanh(x, -0.5, 0.5, inplace=True),
    "hardtanh_": lambda lib, x: F(lib).hardtanh_(x),
    "hardsigmoid": lambda lib, x: F(lib).hardsigmoid(x, inplace=True),
    "hardswish": lambda lib, x: F(lib).hardswish(x, inplace=True),
    "threshold": lambda lib, x: F(lib).threshold(x, 0.1, 2.0, inplace=True),
    "threshold_": lambda lib, x: F(lib).threshold_(x, 0.1, -2.0),
    "torch.threshold_": lambda lib, x: lib.threshold_(x, 0.5, 5.0),
}


@pytest.mark.parametrize("name", list(INPLACE))
@pytest.mark.parametrize("nc", [False, True])
def test_inplace_on_non_leaf(name, nc):
    fn = INPLACE[name]
    x = make((4, 5), "float32", low=-4.0, high=4.0, noncontig=nc)
    g = make((4, 5), "float32")
    res = {}
    for lib in (torch, ember):
        leaf = (torch.from_numpy(x.copy()) if lib is torch else ember.from_numpy(x.copy()))
        leaf.requires_grad_()
        y = leaf * 1.5
        if nc:
            y = y.t().t()
        out = fn(lib, y)
        assert out is y
        assert y._version == 1
        grad_fn = type(y.grad_fn).__name__
        y.backward(lib.from_numpy(g.copy()) if lib is ember else torch.from_numpy(g.copy()))
        res[lib.__name__] = (y, leaf.grad, grad_fn)
    assert res["torch"][2] == res["ember"][2]
    assert_same(res["ember"][0], res["torch"][0])
    assert_same(res["ember"][1], res["torch"][1])


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_no_grad_and_leaf_errors(name):
    fn = INPLACE[name]
    x = make((3, 4), "float32", low=-4.0, high=4.0)
    check_case(OpCase(name, lambda lib, t: (fn(lib, t), t)[1], [x], grad=[False]))
    assert_raises_like(lambda lib: fn(lib, lib.ones(3, requires_grad=True)))


def test_inplace_on_view_of_leaf_base():
    for name in ["relu", "elu", "hardtanh", "threshold", "silu"]:
        fn = INPLACE[name]
        x = make((4, 3), "float32", low=-3.0, high=3.0)
        res = []
        for lib in (torch, ember):
            leaf = lib.tensor(x.tolist(), requires_grad=True)
            base = leaf * 2
            fn(lib, base[1:3])
            base.sum().backward()
            res.append((base, leaf.grad, type(base.grad_fn).__name__))
        assert res[0][2] == res[1][2]
        assert_same(res[1][0], res[0][0])
        assert_same(res[1][1], res[0][1])


def test_inplace_double_backward():
    for name in ["elu", "celu", "selu", "silu", "leaky_relu"]:
        fn = INPLACE[name]
        x = make((5,), "float64", low=-2.0, high=2.0)
        out = []
        for lib in (torch, ember):
            leaf = lib.tensor(x.tolist(), dtype=lib.float64, requires_grad=True)
            y = fn(lib, leaf * 1.0)
            (g,) = lib.autograd.grad((y * y).sum(), leaf, create_graph=True)
            (gg,) = lib.autograd.grad(g.sum(), leaf)
            out.append((g, gg))
        assert_same(out[1][0], out[0][0], 1e-10, 1e-12)
        assert_same(out[1][1], out[0][1], 1e-10, 1e-12)


def test_leaky_relu_inplace_negative_slope_backward_error():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        y = F(lib).leaky_relu(x * 1, -0.1, inplace=True)
        y.sum().backward()

    assert_raises_like(run)


def test_inplace_version_error():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        y = F(lib).gelu(x * 1)
        z = y * 1
        base = x * 1
        w = F(lib).elu(base)
        F(lib).relu_(base)  # elu saved base: modified in place
        (w.sum() + z.sum()).backward()

    assert_raises_like(run)


# ---------------------------------------------------------------- softmax dims and warnings
@pytest.mark.parametrize("shape", [(), (4,), (3, 4), (2, 3, 4), (2, 3, 4, 2)])
@pytest.mark.parametrize("fname", ["softmax", "log_softmax", "softmin"])
def test_softmax_implicit_dim(shape, fname):
    x = make(shape, "float32")
    res = []
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = getattr(lib.nn.functional, fname)(lib.from_numpy(x.copy()))
        res.append((y, [(c.category, str(c.message), c.lineno) for c in w]))
    assert_same(res[1][0], res[0][0])
    assert res[1][1] == res[0][1]


def test_softmax_all_dims():
    x = make((2, 3, 4), "float32")
    for d in range(-3, 3):
        for name in ["softmax", "log_softmax"]:
            check_case(OpCase(name, lambda lib, t, d=d, n=name: getattr(lib, n)(t, d), [x]))


def test_softmax_large_rows_and_dtype_cast_grad():
    for shape in [(3, 1000), (1000, 3), (40, 40)]:
        x = make(shape, "float32", low=-10, high=10)
        for name in ["softmax_last", "softmax_0", "log_softmax_last", "log_softmax_0"]:
            check_case(OpCase(name, UNARY[name][0], [x], atol=1e-6))
    for lib in (torch, ember):
        x = lib.ones(2, 3, requires_grad=True)
        y = F(lib).softmax(x, 1, dtype=lib.float64)
        assert y.dtype == lib.float64
        assert type(y.grad_fn.next_functions[0][0]).__name__ == "ToCopyBackward0"


# ---------------------------------------------------------------- errors
ERRORS = [
    lambda lib: F(lib).glu(lib.ones(2, 3)),
    lambda lib: F(lib).glu(lib.ones(3, 2), 0),
    lambda lib: F(lib).glu(lib.tensor(1.0)),
    lambda lib: F(lib).glu(lib.ones(2, 4), 2),
    lambda lib: F(lib).softmax(lib.ones(2, 3), 2),
    lambda lib: F(lib).log_softmax(lib.ones(2, 3), -3),
    lambda lib: F(lib).softmax(lib.tensor(1.0), 1),
    lambda lib: lib.softmax(lib.ones(2, 3)),
    lambda lib: lib.ones(2, 3).softmax(),
    lambda lib: lib.ones(2, 3).log_softmax("a"),
    lambda lib: F(lib).softmax(lib.ones(2, 3, dtype=lib.int64), 1),
    lambda lib: F(lib).softmax(lib.ones(2, 3, dtype=lib.int64), 0),
    lambda lib: F(lib).log_softmax(lib.ones(2, 3, dtype=lib.int64), 1),
    lambda lib: F(lib).log_softmax(lib.ones(2, 3, dtype=lib.int64), 0),
    lambda lib: F(lib).softmax(lib.ones(2, 3), 0, dtype=lib.int64),
    lambda lib: F(lib).softmax(1.0, 0),
    lambda lib: F(lib).softmin(lib.tensor([True]), 0),
    lambda lib: F(lib).prelu(lib.ones(2, 3), lib.ones(2)),
    lambda lib: F(lib).prelu(lib.tensor(1.0), lib.ones(3)),
    lambda lib: F(lib).prelu(lib.ones(3), lib.ones(3)),
    lambda lib: F(lib).prelu(lib.ones(2, 3), lib.ones(3, 1)),
    lambda lib: F(lib).prelu(lib.ones(2, 3, dtype=lib.float64), lib.ones(3)),
    lambda lib: F(lib).prelu(lib.ones(2, 3, dtype=lib.int64), lib.ones(3)),
    lambda lib: F(lib).prelu(lib.ones(2, 3), 0.25),
    lambda lib: F(lib).hardtanh(lib.ones(2), 2.0, 1.0),
    lambda lib: F(lib).hardtanh(lib.ones(2, dtype=lib.uint8)),
    lambda lib: F(lib).relu6(lib.tensor([True])),
    lambda lib: F(lib).relu(lib.tensor([True])),
    lambda lib: F(lib).gelu(lib.ones(2), approximate="foo"),
    lambda lib: F(lib).gelu(lib.ones(2), "tanh"),
    lambda lib: F(lib).softshrink(lib.ones(2), -1.0),
    lambda lib: F(lib).softshrink(lib.ones(2, dtype=lib.float64), -0.5),
    lambda lib: F(lib).celu(lib.ones(2), 0.0),
    lambda lib: F(lib).relu(1.0),
    lambda lib: F(lib).relu([1.0]),
    lambda lib: F(lib).gelu(1.0),
    lambda lib: F(lib).elu(1.0),
    lambda lib: F(lib).softplus(1.0),
    lambda lib: F(lib).logsigmoid(1.0),
    lambda lib: F(lib).threshold(1.0, 0.0, 1.0),
    lambda lib: F(lib).sigmoid(1.0),
    lambda lib: F(lib).softsign(1.0),
    lambda lib: F(lib).threshold(lib.tensor([True]), 0.0, 1.0),
    lambda lib: F(lib).elu(lib.ones(2, dtype=lib.int64)),
    lambda lib: F(lib).gelu(lib.ones(2, dtype=lib.int32)),
    lambda lib: F(lib).logsigmoid(lib.ones(2, dtype=lib.int32)),
    lambda lib: F(lib).glu(lib.ones(2, dtype=lib.int64)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    assert_raises_like(ERRORS[i])
