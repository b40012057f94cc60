"""Arithmetic ops against PyTorch: values, dtypes, broadcasting, gradients, errors."""

import itertools

import numpy as np
import pytest
from optable import ALL_DTYPES, OpCase, assert_raises_like, check_case, gradcheck_case, make

import ember

BINARY = {
    "add": lambda lib, a, b: lib.add(a, b),
    "add_alpha": lambda lib, a, b: lib.add(a, b, alpha=2),
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "pow": lambda lib, a, b: lib.pow(a, b),
}
SHAPE_PAIRS = [((), ()), ((3,), ()), ((2, 3), (3,)), ((4, 1), (1, 5)), ((0, 3), (3,)),
               ((2, 1, 3), (4, 1))]


def _cases():
    for (name, fn), (sa, sb), nc in itertools.product(BINARY.items(), SHAPE_PAIRS, [False, True]):
        pos = name == "pow"
        a = make(sa, "float32", positive=pos, noncontig=nc)
        b = make(sb, "float32", positive=name in ("div", "pow"), low=0.5, high=2.0)
        yield OpCase(f"{name}-{sa}-{sb}-{'nc' if nc else 'c'}", fn, [a, b], rtol=1e-5, atol=1e-5)


CASES = list(_cases())


@pytest.mark.parametrize("case", CASES, ids=str)
def test_binary_matches_torch(case):
    check_case(case)


@pytest.mark.parametrize("case", CASES[::3], ids=str)
def test_binary_gradcheck(case):
    gradcheck_case(case, second_order=True)


@pytest.mark.parametrize("da,db", list(itertools.product(ALL_DTYPES, ALL_DTYPES)))
def test_promotion_tensor_tensor(da, db):
    a, b = make((3,), da, low=1, high=4), make((3,), db, low=1, high=4)
    for fn in (lambda lib, x, y: x + y, lambda lib, x, y: x * y, lambda lib, x, y: x / y):
        check_case(OpCase("promote", fn, [a, b], grad=[False, False], atol=1e-2, rtol=1e-2))


@pytest.mark.parametrize("dt", ALL_DTYPES)
@pytest.mark.parametrize("scalar", [2, 2.5, True])
@pytest.mark.parametrize("zero_dim", [False, True])
def test_promotion_with_python_scalars(dt, scalar, zero_dim):
    a = make(() if zero_dim else (3,), dt, low=1, high=4)
    for fn in (lambda lib, x: x + scalar, lambda lib, x: scalar * x, lambda lib, x: x / scalar):
        check_case(OpCase("scalar", fn, [a], grad=[False], atol=1e-2, rtol=1e-2))


def test_zero_dim_tensor_promotion():
    # a 0-d float64 tensor does not promote a float32 tensor; a 0-d float tensor does promote ints
    for a, b in [(make((3,), "float32"), make((), "float64")),
                 (make((3,), "int64"), make((), "float64")),
                 (make((), "int32"), make((), "int8"))]:
        check_case(OpCase("zero-dim", lambda lib, x, y: x + y, [a, b], grad=[False, False]))


def test_integer_wraparound_and_floor_division():
    a = np.array([5, -5, 7], np.int64)
    b = np.array([2, 2, -3], np.int64)
    for fn in (lambda lib, x, y: x // y, lambda lib, x, y: lib.div(x, y, rounding_mode="trunc"),
               lambda lib, x, y: lib.div(x, y, rounding_mode="floor"), lambda lib, x, y: x / y):
        check_case(OpCase("intdiv", fn, [a, b]))
    check_case(OpCase("wrap", lambda lib, x: x + 1000, [np.array([1, 2], np.int8)]))


def test_errors_match_torch():
    assert_raises_like(lambda lib: lib.ones(2) + lib.ones(3))
    assert_raises_like(lambda lib: lib.tensor([True]) - lib.tensor([True]))
    assert_raises_like(lambda lib: -lib.tensor([True]))
    assert_raises_like(lambda lib: lib.tensor([True]) - lib.tensor([1.0]))
    assert_raises_like(lambda lib: lib.tensor([1.0]) - lib.tensor([True]))
    assert_raises_like(lambda lib: 1 - lib.tensor([True]))
    assert_raises_like(lambda lib: lib.tensor([True]) - True)
    assert_raises_like(lambda lib: lib.tensor([1, 2]) ** -1)
    assert_raises_like(lambda lib: lib.add(lib.tensor([1]), lib.tensor([1]), alpha=2.5))
    assert_raises_like(lambda lib: lib.ones(2, dtype=lib.long).mul_(2.5))


def test_inplace_ops_and_version_counter():
    for lib in (ember,):
        x = lib.ones(3)
        v0 = x._version
        x.add_(1).mul_(3).sub_(1).div_(2)
        assert x._version == v0 + 4
    check_case(OpCase("inplace-chain", lambda lib, x: (x * 1).add_(2).mul_(x).div_(3),
                      [make((4,), "float32")]))
