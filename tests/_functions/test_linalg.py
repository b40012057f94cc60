"""Linear algebra against PyTorch: matmul and relatives, einsum, tensordot, diagonals, triangles,
norms, solvers and decompositions: values, dtypes, shapes, grad_fn names, gradients, errors."""

import itertools
import math

import numpy as np
import pytest
import torch
from optable import OpCase, assert_raises_like, check_case, gradcheck_case, make, to_ember, to_torch

import ember


def _name(out):
    fn = out.grad_fn
    return None if fn is None else type(fn).__name__


def check_named(case, grad=True):
    """check_case plus: the output's grad_fn has PyTorch's name."""
    check_case(case, check_backward=grad)
    flags = [isinstance(x, np.ndarray) and x.dtype.kind == "f" for x in case.inputs]
    t = case.fn(torch, *[to_torch(x, f) for x, f in zip(case.inputs, flags)])
    e = case.fn(ember, *[to_ember(x, f) for x, f in zip(case.inputs, flags)])
    ts = t if isinstance(t, (tuple, list)) else [t]
    es = e if isinstance(e, (tuple, list)) else [e]
    for a, b in zip(es, ts):
        if isinstance(b, torch.Tensor):
            assert _name(a) == _name(b), f"{case.name}: grad_fn {_name(a)} != {_name(b)}"


# ---------------------------------------------------------------- matmul
MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((2, 5, 2, 3), (5, 3, 4)),
    ((2, 1, 2, 3), (5, 3, 4)), ((2, 3), (5, 3, 4)), ((1, 3), (5, 3, 4)), ((2, 3), (5, 3, 1)),
    ((5, 2, 3), (1, 3, 4)), ((0, 3), (3, 4)), ((2, 0), (0, 4)), ((3, 0, 3), (3, 2)),
    ((2, 3), (0, 3, 4)), ((4, 1, 2, 3), (3, 3, 2)), ((0,), (0,)),
]


def _matmul_cases():
    for (sa, sb), dt, nc in itertools.product(MATMUL_SHAPES, ["float32", "float64"],
                                              [False, True]):
        if nc and len(sa) < 2:
            continue
        a, b = make(sa, dt, noncontig=nc), make(sb, dt, noncontig=nc)
        yield OpCase(f"matmul-{sa}-{sb}-{dt}-{'nc' if nc else 'c'}", lambda lib, x, y: x @ y,
                     [a, b], rtol=1e-4, atol=1e-5)


MATMUL_CASES = list(_matmul_cases())


@pytest.mark.parametrize("case", MATMUL_CASES, ids=str)
def test_matmul_matches_torch(case):
    check_named(case)


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_grad_names_one_side(sa, sb):
    # which operand requires grad changes PyTorch's path (should_fold) and so the grad_fn name
    for ga, gb in [(True, False), (False, True)]:
        a, b = make(sa), make(sb)
        check_named(OpCase("one-side", lambda lib, x, y: lib.matmul(x, y), [a, b],
                           grad=[ga, gb], rtol=1e-4, atol=1e-5))


@pytest.mark.parametrize("case", MATMUL_CASES[::6], ids=str)
def test_matmul_gradgradcheck(case):
    gradcheck_case(case, second_order=True)


@pytest.mark.parametrize("dt", ["int64", "int32", "int16", "int8", "uint8", "float16"])
def test_matmul_int_and_half(dt):
    for sa, sb in [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)),
                   ((3,), (3, 4))]:
        a, b = make(sa, dt, low=0, high=3), make(sb, dt, low=0, high=3)
        check_case(OpCase("int", lambda lib, x, y: x @ y, [a, b], grad=[False, False],
                          rtol=1e-2, atol=1e-2))


def test_matmul_errors():
    n = lambda lib, *s: lib.ones(*s)  # noqa: E731
    d = lambda lib, *s: lib.ones(*s, dtype=lib.float64)  # noqa: E731
    cases = [
        lambda lib: n(lib, 3) @ n(lib, 4),
        lambda lib: n(lib, 2, 3) @ n(lib, 4),
        lambda lib: n(lib, 3) @ n(lib, 4, 2),
        lambda lib: n(lib, 2, 3) @ n(lib, 4, 5),
        lambda lib: n(lib, 5, 2, 3) @ n(lib, 5, 4, 5),
        lambda lib: n(lib, 5, 2, 3) @ n(lib, 4, 3, 5),
        lambda lib: n(lib, 5, 2, 3) @ n(lib, 4),
        lambda lib: n(lib, 4) @ n(lib, 5, 3, 4),
        lambda lib: n(lib, 2, 3) @ n(lib, 5, 4, 5),
        lambda lib: n(lib, 5, 2, 3) @ n(lib, 4, 5),
        lambda lib: n(lib, 3, 5, 2).transpose(0, 1) @ n(lib, 4),
        lambda lib: n(lib, 2, 1, 2, 3) @ n(lib, 5, 4, 4),
        lambda lib: lib.tensor(1.0) @ n(lib, 3),
        lambda lib: n(lib, 3) @ lib.tensor(1.0),
        lambda lib: n(lib, 3) @ d(lib, 3),
        lambda lib: n(lib, 2, 3) @ d(lib, 3, 4),
        lambda lib: n(lib, 2, 3) @ d(lib, 3),
        lambda lib: n(lib, 3) @ d(lib, 3, 2),
        lambda lib: n(lib, 5, 2, 3) @ d(lib, 3, 4),
        lambda lib: n(lib, 5, 2, 3) @ d(lib, 3),
        lambda lib: n(lib, 2, 3) @ d(lib, 5, 3, 4),
        lambda lib: n(lib, 5, 2, 3) @ d(lib, 5, 3, 4),
        lambda lib: n(lib, 2, 3) @ lib.ones(3, 4, dtype=lib.long),
        lambda lib: lib.ones(2, 3, dtype=lib.int32) @ lib.ones(3, 4, dtype=lib.long),
        lambda lib: lib.ones(2, 3, dtype=lib.bool) @ lib.ones(3, 4, dtype=lib.bool),
        lambda lib: lib.ones(3, dtype=lib.bool) @ lib.ones(3, dtype=lib.bool),
        lambda lib: lib.ones(2, 3, dtype=lib.bool) @ lib.ones(3, dtype=lib.bool),
        lambda lib: lib.ones(5, 2, 3, dtype=lib.bool) @ lib.ones(5, 3, 4, dtype=lib.bool),
        lambda lib: lib.ones(3, dtype=lib.int32) @ n(lib, 3),
        lambda lib: n(lib, 3) @ 2,
        lambda lib: lib.matmul(n(lib, 3), 2),
        lambda lib: lib.mm(n(lib, 3), n(lib, 3, 3)),
        lambda lib: lib.mm(n(lib, 2, 3), d(lib, 4, 3)),
        lambda lib: lib.bmm(n(lib, 2, 3), n(lib, 3, 3)),
        lambda lib: lib.bmm(n(lib, 2, 2, 3), d(lib, 2, 3, 3)),
        lambda lib: lib.bmm(n(lib, 2, 2, 3), n(lib, 3, 3, 3)),
        lambda lib: lib.mv(n(lib, 2, 3), n(lib, 4)),
        lambda lib: lib.mv(n(lib, 2, 3, 3), n(lib, 3)),
        lambda lib: lib.mv(n(lib, 2, 3), n(lib, 3, 1)),
        lambda lib: lib.dot(n(lib, 2, 3), n(lib, 3)),
        lambda lib: lib.dot(n(lib, 2), d(lib, 3)),
        lambda lib: lib.vdot(n(lib, 3), d(lib, 3)),
        lambda lib: lib.outer(n(lib, 3, 1), n(lib, 2)),
        lambda lib: lib.addmm(n(lib, 3), n(lib, 2, 3), n(lib, 3, 4)),
        lambda lib: lib.addmm(d(lib, 4), n(lib, 2, 3), n(lib, 3, 4)),
        lambda lib: lib.addmv(n(lib, 3), n(lib, 2, 3), n(lib, 3)),
        lambda lib: lib.addr(n(lib, 3, 3), n(lib, 3), n(lib, 2)),
        lambda lib: lib.baddbmm(n(lib, 3, 3), n(lib, 5, 2, 3), n(lib, 5, 3, 4)),
        lambda lib: lib.addbmm(n(lib, 3, 3), n(lib, 5, 2, 3), n(lib, 5, 3, 4)),
    ]
    for fn in cases:
        assert_raises_like(fn)


def test_matmul_grad_fn_names_and_rmatmul():
    a = ember.ones(2, 3, requires_grad=True)
    assert type((a @ ember.ones(3, 4)).grad_fn).__name__ == "MmBackward0"
    x = np.ones((3, 2), np.float32)
    r = x.T @ ember.ones(3, requires_grad=True)  # ndarray @ Tensor dispatches to Ember
    assert isinstance(r, ember.Tensor) and r.shape == (2,)


def test_matmul_keeps_float32_and_out():
    a = ember.ones(4, 4)
    assert (a @ a).dtype == ember.float32
    out = ember.empty(4, 4)
    r = ember.matmul(a, a, out=out)
    assert r is out and float(out.sum() if hasattr(out, "sum") else 0) in (64.0, 0)


# ---------------------------------------------------------------- mm, bmm, mv, dot, outer, add*
PRODUCTS = [
    OpCase("mm", lambda lib, a, b: lib.mm(a, b), [make((2, 3)), make((3, 4))]),
    OpCase("mm-nc", lambda lib, a, b: a.mm(b), [make((2, 3), noncontig=True), make((3, 4))]),
    OpCase("mm-empty", lambda lib, a, b: lib.mm(a, b), [make((0, 3)), make((3, 4))]),
    OpCase("bmm", lambda lib, a, b: lib.bmm(a, b), [make((5, 2, 3)), make((5, 3, 4))]),
    OpCase("mv", lambda lib, a, b: lib.mv(a, b), [make((2, 3)), make((3,))]),
    OpCase("dot", lambda lib, a, b: lib.dot(a, b), [make((3,)), make((3,))]),
    OpCase("vdot", lambda lib, a, b: lib.vdot(a, b), [make((3,)), make((3,))]),
    OpCase("outer", lambda lib, a, b: lib.outer(a, b), [make((3,)), make((2,))]),
    OpCase("ger", lambda lib, a, b: lib.ger(a, b), [make((3,)), make((2,))]),
    OpCase("addmm", lambda lib, c, a, b: lib.addmm(c, a, b), [make((2, 4)), make((2, 3)),
                                                            make((3, 4))]),
    OpCase("addmm-bcast", lambda lib, c, a, b: lib.addmm(c, a, b, beta=2, alpha=0.5),
           [make((4,)), make((2, 3)), make((3, 4))]),
    OpCase("addmm-beta0", lambda lib, c, a, b: lib.addmm(c, a, b, beta=0),
           [make((2, 4)), make((2, 3)), make((3, 4))]),
    OpCase("addmv", lambda lib, c, a, b: lib.addmv(c, a, b, beta=0.5, alpha=2),
           [make((2,)), make((2, 3)), make((3,))]),
    OpCase("addbmm", lambda lib, c, a, b: lib.addbmm(c, a, b, alpha=2),
           [make((2, 4)), make((5, 2, 3)), make((5, 3, 4))]),
    OpCase("baddbmm", lambda lib, c, a, b: lib.baddbmm(c, a, b, beta=3),
           [make((5, 2, 4)), make((5, 2, 3)), make((5, 3, 4))]),
    OpCase("baddbmm-bcast", lambda lib, c, a, b: lib.baddbmm(c, a, b),
           [make((2, 4)), make((5, 2, 3)), make((5, 3, 4))]),
    OpCase("addr", lambda lib, c, a, b: lib.addr(c, a, b, beta=2, alpha=3),
           [make((3, 2)), make((3,)), make((2,))]),
    OpCase("addmm-method", lambda lib, c, a, b: c.addmm(a, b), [make((2, 4)), make((2, 3)),
                                                              make((3, 4))]),
    OpCase("linalg.matmul", lambda lib, a, b: lib.linalg.matmul(a, b),
           [make((5, 2, 3)), make((3,))]),
    OpCase("multi_dot", lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]),
           [make((2, 3)), make((3, 4)), make((4, 5))]),
    OpCase("vecdot", lambda lib, a, b: lib.linalg.vecdot(a, b), [make((2, 3)), make((3,))]),
    OpCase("vecdot-dim", lambda lib, a, b: lib.linalg.vecdot(a, b, dim=0),
           [make((3, 2)), make((3, 2))]),
    OpCase("inner", lambda lib, a, b: lib.inner(a, b), [make((2, 3)), make((4, 3))]),
    OpCase("inner1", lambda lib, a, b: lib.inner(a, b), [make((3,)), make((3,))]),
    OpCase("inner0", lambda lib, a, b: lib.inner(a, b), [make(()), make((3,))]),
    OpCase("kron", lambda lib, a, b: lib.kron(a, b), [make((2, 3)), make((3, 4))]),
    OpCase("kron-nd", lambda lib, a, b: lib.kron(a, b), [make((3,)), make((2, 2))]),
    OpCase("tensordot2", lambda lib, a, b: lib.tensordot(a, b, dims=2),
           [make((2, 3, 4)), make((3, 4, 5))]),
    OpCase("tensordot0", lambda lib, a, b: lib.tensordot(a, b, dims=0),
           [make((2, 3)), make((3, 4))]),
    OpCase("tensordot-list", lambda lib, a, b: lib.tensordot(a, b, dims=([1, 2], [1, 0])),
           [make((2, 3, 4)), make((4, 3, 5))]),
    OpCase("cross", lambda lib, a, b: lib.linalg.cross(a, b), [make((2, 3)), make((1, 3))]),
    OpCase("cross-dim", lambda lib, a, b: lib.cross(a, b, dim=0), [make((3, 2)), make((3, 2))]),
]


@pytest.mark.parametrize("case", PRODUCTS, ids=str)
def test_products_match_torch(case):
    case.rtol, case.atol = 1e-4, 1e-5
    check_named(case)


@pytest.mark.parametrize("case", PRODUCTS, ids=str)
def test_products_gradgradcheck(case):
    gradcheck_case(case, second_order=True)


def test_product_errors():
    n = lambda lib, *s: lib.ones(*s)  # noqa: E731
    for fn in [
        lambda lib: lib.tensordot(n(lib, 2, 3), n(lib, 4, 5), dims=1),
        lambda lib: lib.tensordot(n(lib, 2, 3), n(lib, 4, 5), dims=-1),
        lambda lib: lib.linalg.cross(n(lib, 2, 4), n(lib, 2, 4)),
        lambda lib: lib.linalg.cross(n(lib, 2, 3), n(lib, 3)),
        lambda lib: lib.inner(n(lib, 2, 3), n(lib, 4, 5)),
        lambda lib: lib.outer(n(lib, 2), n(lib, 2, 2)),
    ]:
        assert_raises_like(fn)


def test_int_products():
    i = make((3, 3), "int64", low=0, high=3)
    v = make((3,), "int64", low=0, high=3)
    for fn in [lambda lib, a, b: lib.mm(a, a), lambda lib, a, b: lib.mv(a, b),
               lambda lib, a, b: lib.dot(b, b), lambda lib, a, b: lib.outer(b, b),
               lambda lib, a, b: lib.einsum("ij,j->i", a, b), lambda lib, a, b: lib.trace(a),
               lambda lib, a, b: lib.tensordot(a, a, 1), lambda lib, a, b: lib.kron(a, b)]:
        check_case(OpCase("int", fn, [i, v], grad=[False, False]))
    check_case(OpCase("outer-promote", lambda lib, a, b: lib.outer(a, b),
                      [v, make((2,))], grad=[False, True]))


# ---------------------------------------------------------------- einsum
EINSUM = [
    ("ij->ij", [(2, 3)]), ("ij", [(2, 3)]), ("ji", [(2, 3)]), ("ij->j", [(2, 3)]),
    ("ii->", [(3, 3)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("iij->j", [(3, 3, 2)]),
    ("...ij->...ji", [(4, 2, 3)]), ("i->", [(3,)]), ("ij,jk", [(2, 3), (3, 4)]),
    ("ij,jk->ki", [(2, 3), (3, 4)]), ("ij,kj->ik", [(2, 3), (4, 3)]),
    ("ij,ij->", [(2, 3), (2, 3)]), ("ij,ij->i", [(2, 3), (2, 3)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]), ("ij,ji->ij", [(2, 3), (3, 2)]), ("i,j", [(2,), (3,)]),
    ("i,j->ji", [(2,), (3,)]), ("ij,k->ijk", [(2, 3), (4,)]), ("ij,j->i", [(2, 3), (3,)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]), ("bij,bjk->bki", [(5, 2, 3), (5, 3, 4)]),
    ("...ij,...jk", [(5, 2, 3), (3, 4)]), ("ij,jk->", [(2, 3), (3, 4)]),
    ("ij,kl->", [(2, 3), (3, 4)]), ("ij,i->j", [(2, 3), (2,)]),
    ("i,i,i->", [(3,), (3,), (3,)]), ("i,i,i->i", [(3,), (3,), (3,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]), ("ij,jk,kl->li", [(2, 3), (3, 4), (4, 5)]),
    ("ij,jk->ijk", [(2, 3), (3, 4)]), ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("Ab,bC->AC", [(2, 3), (3, 4)]), ("...,...->...", [(2, 3), (3,)]),
    ("i...,i...->...", [(2, 3, 1), (2, 1, 4)]), ("ij,ij->ij", [(2, 3), (1, 3)]),
    ("ij,ij->", [(2, 3), (2, 1)]), ("iij,jk->ik", [(3, 3, 2), (2, 4)]),
    ("i j , j k -> i k", [(2, 3), (3, 4)]), ("ij,jk->k", [(2, 3), (3, 4)]),
    ("ii,i->i", [(3, 3), (3,)]), ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("ij,->ij", [(2, 3), ()]), ("i,i->", [(0,), (0,)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_matches_torch(eq, shapes):
    ins = [make(s, "float64") for s in shapes]
    case = OpCase(f"einsum-{eq}", lambda lib, *xs: lib.einsum(eq, *xs), ins)
    check_named(case)
    gradcheck_case(case, second_order=True)


def test_einsum_list_and_sublist_forms():
    a, b = make((2, 3)), make((3, 4))
    check_case(OpCase("list", lambda lib, x, y: lib.einsum("ij,jk", [x, y]), [a, b]))
    check_case(OpCase("sublist", lambda lib, x, y: lib.einsum(x, [0, 1], y, [1, 2], [0, 2]),
                      [a, b]))
    check_case(OpCase("sublist-ell", lambda lib, x, y: lib.einsum(x, [..., 1], y, [1, 2]),
                      [a, b]))


def test_einsum_view_and_float32():
    x = ember.ones(3, 3)
    d = ember.einsum("ii->i", x)
    d.mul_(2) if hasattr(d, "mul_") else None
    assert float(x._data[1, 1]) == 2.0
    assert ember.einsum("ij,jk", ember.ones(2, 3), ember.ones(3, 4)).dtype == ember.float32


def test_einsum_errors():
    n = lambda lib, *s: lib.ones(*s)  # noqa: E731
    for fn in [
        lambda lib: lib.einsum("ij,jk", n(lib, 2, 3), n(lib, 4, 4)),
        lambda lib: lib.einsum("ij,jk->ik", n(lib, 2, 3)),
        lambda lib: lib.einsum("ij", n(lib, 2, 3), n(lib, 2, 3)),
        lambda lib: lib.einsum("ij->k", n(lib, 2, 3)),
        lambda lib: lib.einsum("ij,jk->iik", n(lib, 2, 3), n(lib, 3, 4)),
        lambda lib: lib.einsum("ij->", n(lib, 2, 3, 4)),
        lambda lib: lib.einsum("ijk...->", n(lib, 2, 3)),
        lambda lib: lib.einsum("ij->i.j", n(lib, 2, 3)),
        lambda lib: lib.einsum("i..j", n(lib, 2, 3)),
        lambda lib: lib.einsum("ii", n(lib, 2, 3)),
        lambda lib: lib.einsum("i1", n(lib, 2, 3)),
        lambda lib: lib.einsum("i,i", n(lib, 3), lib.ones(3, dtype=lib.float64)),
        lambda lib: lib.einsum("i,i", lib.ones(3, dtype=lib.long), n(lib, 3)),
    ]:
        assert_raises_like(fn)


# ---------------------------------------------------------------- trace, diag, tril, triu
DIAG = [
    OpCase("trace", lambda lib, x: lib.trace(x), [make((3, 4))]),
    OpCase("trace-m", lambda lib, x: x.trace(), [make((4, 3), noncontig=True)]),
    OpCase("diag1", lambda lib, x: lib.diag(x), [make((3,))]),
    OpCase("diag1+", lambda lib, x: lib.diag(x, 1), [make((3,))]),
    OpCase("diag1-", lambda lib, x: lib.diag(x, -2), [make((3,))]),
    OpCase("diag2", lambda lib, x: lib.diag(x), [make((3, 4))]),
    OpCase("diag2+", lambda lib, x: lib.diag(x, 1), [make((3, 4))]),
    OpCase("diag2-", lambda lib, x: x.diag(-1), [make((3, 4))]),
    OpCase("diag2-far", lambda lib, x: lib.diag(x, 7), [make((3, 4))]),
    OpCase("diagonal", lambda lib, x: lib.diagonal(x), [make((3, 4))]),
    OpCase("diagonal+", lambda lib, x: lib.diagonal(x, 1), [make((3, 4))]),
    OpCase("diagonal-3d", lambda lib, x: lib.diagonal(x, -1, 0, 2), [make((4, 2, 3))]),
    OpCase("diagonal-m", lambda lib, x: x.diagonal(0, -1, -2), [make((2, 3, 3))]),
    OpCase("linalg.diagonal", lambda lib, x: lib.linalg.diagonal(x), [make((2, 3, 3))]),
    OpCase("diag_embed", lambda lib, x: lib.diag_embed(x), [make((2, 3))]),
    OpCase("diag_embed+", lambda lib, x: lib.diag_embed(x, 1, 0, 2), [make((2, 3))]),
    OpCase("tril", lambda lib, x: lib.tril(x), [make((3, 4))]),
    OpCase("tril+", lambda lib, x: lib.tril(x, 1), [make((2, 3, 4))]),
    OpCase("triu", lambda lib, x: lib.triu(x), [make((3, 4), noncontig=True)]),
    OpCase("triu-", lambda lib, x: x.triu(-1), [make((2, 4, 3))]),
    OpCase("tril_", lambda lib, x: (x * 1).tril_(), [make((3, 4))]),
    OpCase("triu_", lambda lib, x: (x * 1).triu_(1), [make((3, 4))]),
    OpCase("tril-empty", lambda lib, x: lib.tril(x), [make((0, 3))]),
]


@pytest.mark.parametrize("case", DIAG, ids=str)
def test_diag_family(case):
    check_named(case)
    gradcheck_case(case, second_order=True)


def test_diag_errors_and_views():
    n = lambda lib, *s: lib.ones(*s)  # noqa: E731
    for fn in [
        lambda lib: lib.trace(n(lib, 3, 3, 3)),
        lambda lib: lib.trace(lib.ones(3, 3, dtype=lib.bool)),
        lambda lib: lib.diag(n(lib, 3, 3, 3)),
        lambda lib: lib.diagonal(n(lib, 3)),
        lambda lib: lib.diagonal(n(lib, 3, 3), 0, 1, 1),
        lambda lib: lib.tril(n(lib, 3)),
        lambda lib: lib.triu(lib.tensor(1.0)),
    ]:
        assert_raises_like(fn)
    x = ember.zeros(3, 3)
    x.diagonal().fill_(1) if hasattr(ember.Tensor, "fill_") else x.diagonal()._data.fill(1)
    assert x._data.trace() == 3
    check_case(OpCase("trace-int", lambda lib, x: lib.trace(x),
                      [make((3, 3), "int32")], grad=[False]))


# ---------------------------------------------------------------- norms
def _nrm(*args, **kw):
    return lambda lib, x: lib.linalg.norm(x, *args, **kw)


NORMS = [
    OpCase("norm", _nrm(), [make((3, 4))]),
    OpCase("norm-v", _nrm(), [make((4,))]),
    OpCase("norm-2", _nrm(2), [make((3, 4))]),
    OpCase("norm--2", _nrm(-2), [make((3, 4))]),
    OpCase("norm-fro", _nrm("fro"), [make((3, 4))]),
    OpCase("norm-nuc", _nrm("nuc"), [make((3, 4))]),
    OpCase("norm-inf", _nrm(math.inf), [make((3, 4))]),
    OpCase("norm--inf", _nrm(-math.inf), [make((3, 4))]),
    OpCase("norm-1", _nrm(1), [make((3, 4))]),
    OpCase("norm--1", _nrm(-1), [make((3, 4))]),
    OpCase("norm-v-inf", _nrm(math.inf), [make((4,))]),
    OpCase("norm-v-3", _nrm(3), [make((4,))]),
    OpCase("norm-v-0.5", _nrm(0.5), [make((4,))]),
    OpCase("norm-v-1.5", _nrm(1.5), [make((4,))]),
    OpCase("norm-dim", _nrm(None, 1, True), [make((3, 4))]),
    OpCase("norm-dim2", _nrm(2, (0, 2)), [make((3, 2, 4))]),
    OpCase("norm-3d", _nrm(), [make((2, 3, 4))]),
    OpCase("vnorm", lambda lib, x: lib.linalg.vector_norm(x), [make((2, 3, 4))]),
    OpCase("vnorm-1", lambda lib, x: lib.linalg.vector_norm(x, 1, dim=(0, 2)),
           [make((2, 3, 4))]),
    OpCase("vnorm-0", lambda lib, x: lib.linalg.vector_norm(x, 0, dim=-1), [make((2, 3))]),
    OpCase("vnorm--inf", lambda lib, x: lib.linalg.vector_norm(x, -math.inf, dim=0),
           [make((2, 3))]),
    OpCase("vnorm-zero", lambda lib, x: lib.linalg.vector_norm(x * 0, 2.0, dim=0),
           [make((2, 3))], gradcheck=False),
    OpCase("vnorm-empty", lambda lib, x: lib.linalg.vector_norm(x), [make((0, 3))]),
    OpCase("vnorm-dtype", lambda lib, x: lib.linalg.vector_norm(x, dtype=lib.float64),
           [make((3,))]),
    OpCase("vnorm-0d", lambda lib, x: lib.linalg.vector_norm(x, 3), [make(())]),
    OpCase("mnorm", lambda lib, x: lib.linalg.matrix_norm(x), [make((2, 3, 4))]),
    OpCase("mnorm-nuc-k", lambda lib, x: lib.linalg.matrix_norm(x, "nuc", keepdim=True),
           [make((2, 3, 4))]),
    OpCase("mnorm-2-dim", lambda lib, x: lib.linalg.matrix_norm(x, 2, dim=(2, 0)),
           [make((3, 2, 4))]),
    OpCase("mnorm-inf-k", lambda lib, x: lib.linalg.matrix_norm(x, math.inf, keepdim=True),
           [make((2, 3, 4))]),
    OpCase("mnorm-1-dim", lambda lib, x: lib.linalg.matrix_norm(x, -1, dim=(0, 2)),
           [make((3, 2, 4))]),
]


@pytest.mark.parametrize("case", NORMS, ids=str)
def test_norms(case):
    case.rtol, case.atol = 1e-4, 1e-5
    check_named(case)
    if case.gradcheck:
        gradcheck_case(case, second_order=True)


def test_norm_errors():
    n = lambda lib, *s: lib.ones(*s)  # noqa: E731
    for fn in [
        lambda lib: lib.linalg.vector_norm(lib.ones(3, dtype=lib.long)),
        lambda lib: lib.linalg.vector_norm(n(lib, 0), math.inf),
        lambda lib: lib.linalg.vector_norm(n(lib, 0), -math.inf),
        lambda lib: lib.linalg.vector_norm(n(lib, 0, 3), math.inf, dim=0),
        lambda lib: lib.linalg.vector_norm(n(lib, 3), "fro"),
        lambda lib: lib.linalg.norm(n(lib, 3), "fro"),
        lambda lib: lib.linalg.norm(n(lib, 2, 3, 3), 2),
        lambda lib: lib.linalg.norm(n(lib, 3, 3), 3),
        lambda lib: lib.linalg.matrix_norm(n(lib, 3)),
        lambda lib: lib.linalg.matrix_norm(n(lib, 3, 3), dim=(0, 0)),
    ]:
        assert_raises_like(fn)


# ---------------------------------------------------------------- solvers, decompositions
def _spd(n, batch=()):
    a = make(batch + (n, n), "float64")
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(np.float64)


def _sym(a):
    return (a + a.mT) / 2


DECOMP = [
    OpCase("inv", lambda lib, a: lib.linalg.inv(a), [_spd(3)]),
    OpCase("inv-b", lambda lib, a: lib.linalg.inv(a), [_spd(3, (2,))]),
    OpCase("inverse", lambda lib, a: lib.inverse(a), [_spd(3)]),
    OpCase("det", lambda lib, a: lib.linalg.det(a), [make((3, 3), "float64")]),
    OpCase("det-b", lambda lib, a: lib.det(a), [make((2, 3, 3), "float64")]),
    OpCase("det-m", lambda lib, a: a.det(), [make((2, 2), "float64")]),
    OpCase("slogdet", lambda lib, a: lib.linalg.slogdet(a)[1], [make((3, 3), "float64")]),
    OpCase("solve", lambda lib, a, b: lib.linalg.solve(a, b), [_spd(3), make((3, 2), "float64")]),
    OpCase("solve-v", lambda lib, a, b: lib.linalg.solve(a, b), [_spd(3), make((3,), "float64")]),
    OpCase("solve-bv", lambda lib, a, b: lib.linalg.solve(a, b),
           [_spd(3, (2,)), make((2, 3), "float64")]),
    OpCase("solve-bc", lambda lib, a, b: lib.linalg.solve(a, b),
           [_spd(3, (2,)), make((3, 2), "float64")]),
    OpCase("solve-right", lambda lib, a, b: lib.linalg.solve(a, b, left=False),
           [_spd(3), make((2, 3), "float64")]),
    OpCase("cholesky", lambda lib, a: lib.linalg.cholesky(_sym(a)), [_spd(3)]),
    OpCase("cholesky-up", lambda lib, a: lib.linalg.cholesky(_sym(a), upper=True),
           [_spd(3, (2,))]),
    OpCase("cholesky-raw", lambda lib, a: lib.linalg.cholesky(a), [_spd(3)], gradcheck=False),
    OpCase("qr", lambda lib, a: lib.linalg.qr(a), [make((4, 3), "float64")]),
    OpCase("qr-sq", lambda lib, a: lib.linalg.qr(a), [make((2, 3, 3), "float64")]),
    OpCase("qr-r", lambda lib, a: lib.linalg.qr(a, "r")[1], [make((4, 3), "float64")],
           grad=[False]),
    OpCase("svdvals", lambda lib, a: lib.linalg.svdvals(a), [make((4, 3), "float64")]),
    OpCase("svd-recon", lambda lib, a: (lambda u, s, vh: (u * s.unsqueeze(-2)) @ vh)(
        *lib.linalg.svd(a, full_matrices=False)), [make((4, 3), "float64")]),
    OpCase("svd-abs", lambda lib, a: [t.abs() if hasattr(t, "abs") else t
                                      for t in lib.linalg.svd(a, full_matrices=False)],
           [make((3, 5), "float64")]),
    OpCase("svd-full-abs", lambda lib, a: [t.abs() if hasattr(t, "abs") else t
                                           for t in lib.linalg.svd(a)][:2],
           [make((4, 3), "float64")], gradcheck=False),
    OpCase("eigvalsh", lambda lib, a: lib.linalg.eigvalsh(_sym(a)), [make((3, 3), "float64")]),
    OpCase("eigh-abs", lambda lib, a: [t.abs() if hasattr(t, "abs") else t
                                       for t in lib.linalg.eigh(_sym(a))],
           [make((2, 3, 3), "float64")]),
    OpCase("eigh-U", lambda lib, a: lib.linalg.eigh(_sym(a), UPLO="U")[0],
           [make((3, 3), "float64")]),
    OpCase("qr-wide", lambda lib, a: lib.linalg.qr(a), [make((3, 5), "float64")]),
    OpCase("matrix_power", lambda lib, a: lib.linalg.matrix_power(a, 3), [make((3, 3), "float64")]),
]


@pytest.mark.parametrize("case", DECOMP, ids=str)
def test_decompositions(case):
    case.rtol, case.atol = 1e-6, 1e-7
    needs_abs = "abs" in case.name
    if needs_abs and not hasattr(ember.Tensor, "abs"):
        pytest.skip("abs not available")
    check_named(case)
    if case.gradcheck:
        gradcheck_case(case, second_order=case.name in (
            "inv", "det", "solve", "solve-v", "solve-right", "cholesky", "svdvals", "eigvalsh",
            "qr", "slogdet", "svd-recon", "matrix_power"))


def test_decomposition_errors():
    n = lambda lib, *s: lib.ones(*s)  # noqa: E731
    lng = lambda lib, *s: lib.ones(*s, dtype=lib.long)  # noqa: E731
    for fn in [
        lambda lib: lib.linalg.inv(n(lib, 2, 3)),
        lambda lib: lib.linalg.inv(lng(lib, 3, 3)),
        lambda lib: lib.linalg.inv(lib.zeros(3, 3)),
        lambda lib: lib.linalg.inv(lib.tensor([[1.0, 2.0], [2.0, 4.0]])),
        lambda lib: lib.linalg.inv(lib.stack([lib.eye(2), lib.zeros(2, 2)])),
        lambda lib: lib.linalg.inv(n(lib, 3)),
        lambda lib: lib.linalg.det(lng(lib, 3, 3)),
        lambda lib: lib.linalg.det(n(lib, 2, 3)),
        lambda lib: lib.linalg.solve(lib.zeros(3, 3), n(lib, 3)),
        lambda lib: lib.linalg.solve(n(lib, 3, 3), n(lib, 4)),
        lambda lib: lib.linalg.solve(n(lib, 3, 3), n(lib, 4, 2)),
        lambda lib: lib.linalg.solve(n(lib, 3, 3), lib.ones(3, dtype=lib.float64)),
        lambda lib: lib.linalg.cholesky(-lib.eye(3)),
        lambda lib: lib.linalg.cholesky(lib.tensor([[1.0, 2, 0], [2, 1, 0], [0, 0, 1]])),
        lambda lib: lib.linalg.cholesky(lib.stack([lib.eye(3), -lib.eye(3)])),
        lambda lib: lib.linalg.cholesky(lng(lib, 3, 3)),
        lambda lib: lib.linalg.qr(lng(lib, 3, 3)),
        lambda lib: lib.linalg.qr(n(lib, 3, 3), mode="x"),
        lambda lib: lib.linalg.eigh(n(lib, 3)),
        lambda lib: lib.linalg.svd(n(lib, 3)),
    ]:
        assert_raises_like(fn)
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)


def test_decomposition_values_float32():
    a = _spd(4).astype(np.float32)
    for name in ("inv", "det", "cholesky", "svdvals", "eigvalsh"):
        e = getattr(ember.linalg, name)(ember.from_numpy(a.copy()))
        t = getattr(torch.linalg, name)(torch.from_numpy(a.copy()))
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-4, atol=1e-4)
    q, r = ember.linalg.qr(ember.from_numpy(make((4, 3))))
    np.testing.assert_allclose((q @ r).numpy(), q.numpy() @ r.numpy(), rtol=1e-5)
    assert repr(type(ember.linalg.qr(ember.ones(2, 2)))).find("linalg_qr") > 0


def test_det_singular_gradient():
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    check_case(OpCase("det-sing", lambda lib, x: lib.linalg.det(x), [a]))


def test_namespace():
    assert ember.linalg.__name__ == "ember.linalg"
    assert callable(ember.linalg.norm) and callable(ember.linalg.vector_norm)
