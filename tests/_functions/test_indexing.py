"""Indexing ops against PyTorch: advanced getitem/setitem, gather/scatter, index_*, masked_*."""

import numpy as np
import pytest
import torch
from optable import OpCase, assert_raises_like, assert_same, check_case, gradcheck_case, make

import ember

pytestmark = [
    pytest.mark.filterwarnings("ignore:Using a non-tuple sequence"),
    pytest.mark.filterwarnings("ignore:indexing with dtype torch.uint8"),
]


def _keys(lib):
    """Keys for a (3, 4, 5) tensor, built with ``lib`` so tensors are that library's."""
    t = lib.tensor
    return {
        "list": [0, 2, 2],
        "tensor": t([2, 0, 1, 0]),
        "tensor2d": t([[0, 1], [2, 2]]),
        "neg": t([-1, -3]),
        "int32": t([1, 2], dtype=lib.int32),
        "bool_list": [True, False, True],
        "mask1": t([True, False, True]),
        "mask2": t([[True, False, True, False]] * 3),
        "mask3": lib.from_numpy(np.arange(60).reshape(3, 4, 5) % 3 == 0),
        "two": ([0, 1, 2], [3, 2, 1]),
        "two_bcast": (t([[0], [2]]), t([1, 3])),
        "separated": ([0, 1], slice(None), [4, 0]),
        "int_then_list": (0, slice(None), [0, 1]),
        "list_then_int": ([0, 2], 1),
        "slice_list": (slice(1, None), [0, 3]),
        "ellipsis_list": (Ellipsis, [0, 4]),
        "none_list": (None, [0, 1]),
        "list_none_list": ([0, 1], None, [0, 1]),
        "mask_slice": (t([[True, False, True, False]] * 3), slice(1, 4)),
        "mask_then_list": (t([[True, False, True, False]] * 3), [0, 0, 1, 4, 2, 3]),
        "step_list": (slice(None, None, 2), [3, 3]),
        "true": True,
        "false": False,
        "true_t": t(True),
        "int_true_t": (0, t(True)),
        "list_true": ([0, 1], True),
        "zero_d_int": (t(1), [0, 3]),
        "empty_list": [],
        "empty_long": lib.zeros(0, dtype=lib.long),
        "empty_2d": lib.zeros(0, 2, dtype=lib.long),
        "all_false": lib.zeros(3, 4, 5, dtype=lib.bool),
        "nested_list": [[0, 1], [1, 0]],
        "list_of_tensors": [t([0, 1]), t([1, 0])],
        "uint8": t([1, 0, 1], dtype=lib.uint8),
        "dup": [1, 1, 1],
    }


KEY_NAMES = list(_keys(ember))


@pytest.mark.parametrize("name", KEY_NAMES)
@pytest.mark.parametrize("noncontig", [False, True])
def test_getitem_matches_torch(name, noncontig):
    x = make((3, 4, 5), "float32", noncontig=False)
    if noncontig:
        x = np.ascontiguousarray(x.transpose(2, 1, 0)).transpose(2, 1, 0)
    fn = lambda lib, a: a[_keys(lib)[name]]  # noqa: E731
    check_case(OpCase(name, fn, [x]))


@pytest.mark.parametrize("name", ["list", "dup", "mask2", "separated", "two_bcast",
                                  "mask_then_list", "true", "int_then_list"])
def test_getitem_gradcheck(name):
    fn = lambda lib, a: a[_keys(lib)[name]]  # noqa: E731
    gradcheck_case(OpCase(name, fn, [make((3, 4, 5), "float64")]), second_order=True)


def test_getitem_dtypes_and_grad_fn():
    for dt in ["int64", "int32", "uint8", "bool", "float64"]:
        check_case(OpCase(dt, lambda lib, a: a[[1, 0]], [make((3, 2), dt)]))
    x = ember.ones(3, 4, requires_grad=True)
    assert type(x[[0, 1]].grad_fn).__name__ == "IndexBackward0"
    assert type(x[1:, [0, 1]].grad_fn.next_functions[0][0]).__name__ == "SliceBackward0"
    z = ember.tensor(5.0)
    assert z[True].shape == (1,)
    assert z[ember.tensor(False)].shape == (0,)


def test_getitem_errors_match_torch():
    for key in [
        lambda lib: [5],
        lambda lib: (slice(None), [5]),
        lambda lib: (0, slice(None), [7]),
        lambda lib: [-4],
        lambda lib: lib.tensor([0.0]),
        lambda lib: lib.tensor([0], dtype=lib.int16),
        lambda lib: lib.tensor([True, False]),
        lambda lib: lib.ones(3, 3, dtype=lib.bool),
        lambda lib: (slice(None), lib.tensor([True, False])),
        lambda lib: ([0, 1], [0, 1, 2]),
        lambda lib: ([0, 1], [0, 1, 2], [0]),
        lambda lib: ([0], [0], [0], [0]),
        lambda lib: ([0], [9]),
        lambda lib: ([0], slice(None), [9]),
        lambda lib: 1.5,
    ]:
        assert_raises_like(lambda lib, key=key: lib.zeros(3, 4, 5)[key(lib)])
    assert_raises_like(lambda lib: lib.zeros(0, 3)[[0]])
    assert_raises_like(lambda lib: lib.tensor(5.0)[[0]])


# ---------------------------------------------------------------- setitem
SET_CASES = {
    "int": (lambda lib: 0, lambda lib: 1.5),
    "slice_tensor": (lambda lib: (slice(None), 0), lambda lib: lib.tensor([1.0, 2, 3])),
    "prefix_ones": (lambda lib: 0, lambda lib: lib.ones(1, 1, 4)),
    "adv_prefix_ones": (lambda lib: [0, 1], lambda lib: lib.ones(1, 1, 4)),
    "basic_f64": (lambda lib: 0, lambda lib: lib.ones(4, dtype=lib.float64)),
    "mask": (lambda lib: lib.tensor([True, False, True]), lambda lib: 7.0),
    "mask2d": (lambda lib: lib.from_numpy(np.arange(12).reshape(3, 4) > 5), lambda lib: 7.0),
    "false": (lambda lib: False, lambda lib: 7.0),
    "true": (lambda lib: True, lambda lib: 7.0),
    "dup": (lambda lib: [0, 0], lambda lib: lib.tensor([[1.0] * 4, [2.0] * 4])),
    "ellipsis": (lambda lib: Ellipsis, lambda lib: 3.0),
    "full_slice": (lambda lib: slice(None), lambda lib: lib.arange(4.0)),
    "zero_d": (lambda lib: 0, lambda lib: lib.tensor(5.0)),
    "adv_zero_d": (lambda lib: [0, 2], lambda lib: lib.tensor(5.0)),
    "adv_mixed": (lambda lib: (0, [1, 2]), lambda lib: lib.tensor([5.0, 6.0])),
    "adv_slice": (lambda lib: ([0, 2], slice(1, 3)), lambda lib: 9.0),
    "none": (lambda lib: (None, 1), lambda lib: 2.0),
    "list_value_col": (lambda lib: (slice(None), [1, 3]), lambda lib: lib.tensor([[1.0], [2.0],
                                                                                  [3.0]])),
}


@pytest.mark.parametrize("name", list(SET_CASES))
def test_setitem_matches_torch(name):
    key, val = SET_CASES[name]

    def fn(lib):
        a = lib.zeros(3, 4)
        a[key(lib)] = val(lib)
        return a

    assert_same(fn(ember), fn(torch))


def test_setitem_dtype_casts():
    for lib_fn in [
        lambda lib: lib.zeros(3, 4, dtype=lib.long),
        lambda lib: lib.zeros(3, 4, dtype=lib.bool),
        lambda lib: lib.zeros(3, 4, dtype=lib.uint8),
    ]:
        def fn(lib, lib_fn=lib_fn):
            a = lib_fn(lib)
            a[0] = 2.7
            a[[1]] = 1
            a[2, 1:] = lib.tensor([0.5, 3.0, 1.0])
            return a

        assert_same(fn(ember), fn(torch))


def test_setitem_errors_match_torch():
    def put(key, val):
        def f(lib):
            a = lib.zeros(3, 4)
            a[key(lib)] = val(lib)

        return f

    assert_raises_like(put(lambda lib: (slice(None), 0), lambda lib: lib.ones(2)))
    assert_raises_like(put(lambda lib: [0, 1], lambda lib: lib.ones(3, 4)))
    assert_raises_like(put(lambda lib: [0, 1], lambda lib: lib.ones(4, dtype=lib.float64)))
    assert_raises_like(put(lambda lib: [0], lambda lib: lib.ones(2, 1, 4)))
    assert_raises_like(put(lambda lib: [5], lambda lib: 1.0))
    for bad in [[1.0, 2.0, 3.0, 4.0], np.arange(4.0), (1, 2, 3, 4), "a", None]:
        assert_raises_like(put(lambda lib: 0, lambda lib, bad=bad: bad))
    for dt in ["int8", "uint8", "int16", "int32", "int64"]:
        def big(lib, dt=dt):
            a = lib.zeros(3, dtype=getattr(lib, dt))
            a[0] = 1e30

        assert_raises_like(big)

    def leaf(key):
        def f(lib):
            a = lib.zeros(3, requires_grad=True)
            a[key(lib)] = 1.0

        return f

    for key in [lambda lib: 0, lambda lib: [0], lambda lib: Ellipsis,
                lambda lib: lib.tensor([True, False, True])]:
        assert_raises_like(leaf(key))


@pytest.mark.parametrize("key", [
    lambda lib: (0,), lambda lib: ([0, 0],), lambda lib: (0, [0, 1, 2, 3]),
    lambda lib: Ellipsis, lambda lib: slice(None), lambda lib: lib.tensor([True, False, True]),
    lambda lib: slice(0, 2), lambda lib: (None, [2]),
])
@pytest.mark.parametrize("scalar", [False, True])
def test_setitem_autograd_matches_torch(key, scalar):
    def run(lib):
        a = lib.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4), requires_grad=True)
        b = a * 2
        v = lib.tensor(3.0, requires_grad=True) if scalar else lib.tensor(
            [1.0, 2.0, 3.0, 4.0], requires_grad=True)
        b[key(lib)] = v
        name = type(b.grad_fn).__name__ if lib is ember else b.grad_fn.name()
        (b * lib.arange(12.0).reshape(3, 4)).sum().backward()
        return name.replace("torch::autograd::", ""), b, a.grad, v.grad

    e, t = run(ember), run(torch)
    assert e[0] == t[0]
    for x, y in zip(e[1:], t[1:]):
        assert_same(x, y)


def test_setitem_under_no_grad_and_version():
    x = ember.zeros(3, requires_grad=True)
    with ember.no_grad():
        x[0] = 1.0
        x[[1]] = 2.0
    assert x.tolist() == [1.0, 2.0, 0.0]
    y = ember.zeros(4)
    v = y._version
    y[[0, 1]] = 1.0
    y[2:] = 2.0
    assert y._version == v + 2


def test_setitem_double_backward():
    def f(a, v):
        b = a * a
        b[[0, 2]] = v * v
        b[1] = v.sum()
        return b

    a = ember.from_numpy(make((3, 2), "float64")).requires_grad_()
    v = ember.from_numpy(make((2,), "float64")).requires_grad_()
    assert ember.autograd.gradcheck(f, (a, v))
    assert ember.autograd.gradgradcheck(f, (a, v))


# ---------------------------------------------------------------- gather / scatter family
I2 = np.array([[0, 1, 3], [2, 0, 0]], np.int64)
I2U = np.array([[0, 1, 3], [2, 0, 1]], np.int64)  # no repeats in a row: scatter is deterministic
X = make((3, 4), "float32")
SRC = make((2, 3), "float32")
SRC_BIG = make((3, 4), "float32")


def _t(lib, a):
    return lib.from_numpy(a.copy())


def M(lib, x, thr=0):
    """``x > thr`` as a bool tensor, computed in NumPy (keeps this file off the comparison ops)."""
    return lib.from_numpy(np.ascontiguousarray(x.detach().numpy() > thr))


FUNC_CASES = [
    OpCase("gather1", lambda lib, x: lib.gather(x, 1, _t(lib, I2)), [X]),
    OpCase("gather0", lambda lib, x: x.gather(0, _t(lib, I2[:, :2] % 3)), [X]),
    OpCase("gather_neg_dim", lambda lib, x: x.gather(-1, _t(lib, I2).int()), [X]),
    OpCase("gather_0d", lambda lib, x: x.gather(0, lib.tensor([0, 0])), [make((), "float32")]),
    OpCase("index_select", lambda lib, x: lib.index_select(x, 1, lib.tensor([0, 2, 2])), [X]),
    OpCase("index_select0", lambda lib, x: x.index_select(0, lib.tensor([2, 0])), [X]),
    OpCase("index_select_empty", lambda lib, x: x.index_select(0, lib.tensor([], dtype=lib.long)),
           [X]),
    OpCase("scatter", lambda lib, x, s: x.scatter(1, _t(lib, I2U), s), [X, SRC]),
    OpCase("scatter_big_src", lambda lib, x, s: x.scatter(1, _t(lib, I2[:, :2]), s),
           [X, SRC_BIG], grad=[True, False]),
    OpCase("scatter_value", lambda lib, x: lib.scatter(x, 1, _t(lib, I2), 5.0), [X]),
    OpCase("scatter_add", lambda lib, x, s: x.scatter_add(1, _t(lib, I2), s), [X, SRC]),
    OpCase("scatter_add0", lambda lib, x, s: lib.scatter_add(x, 0, _t(lib, I2 % 3), s),
           [X, SRC]),
    OpCase("scatter_reduce_sum", lambda lib, x, s: x.scatter_reduce(1, _t(lib, I2), s, "sum"),
           [X, SRC]),
    OpCase("scatter_reduce_mean_ex",
           lambda lib, x, s: x.scatter_reduce(1, _t(lib, I2), s, "mean", include_self=False),
           [X, SRC]),
    OpCase("scatter_reduce_mean", lambda lib, x, s: x.scatter_reduce(1, _t(lib, I2), s, "mean"),
           [X, SRC]),
    OpCase("scatter_reduce_amax", lambda lib, x, s: x.scatter_reduce(1, _t(lib, I2), s, "amax"),
           [X, SRC], gradcheck=False),
    OpCase("scatter_reduce_amin_ex",
           lambda lib, x, s: x.scatter_reduce(1, _t(lib, I2), s, "amin", include_self=False),
           [X, SRC], gradcheck=False),
    OpCase("scatter_reduce_prod", lambda lib, x, s: x.scatter_reduce(1, _t(lib, I2), s, "prod"),
           [X, SRC]),
    OpCase("index_add", lambda lib, x, s: x.index_add(0, lib.tensor([0, 0]), s, alpha=2),
           [X, make((2, 4), "float32")]),
    OpCase("index_add1", lambda lib, x, s: lib.index_add(x, 1, lib.tensor([3, 1, 3]), s),
           [X, make((3, 3), "float32")]),
    OpCase("index_copy", lambda lib, x, s: x.index_copy(0, lib.tensor([0, 2]), s),
           [X, make((2, 4), "float32")]),
    OpCase("index_fill", lambda lib, x: x.index_fill(1, lib.tensor([0, -2]), -1.0), [X]),
    OpCase("index_fill_t", lambda lib, x, v: lib.index_fill(x, 1, lib.tensor([0, 2, 2]), v),
           [X, make((), "float32")]),
    OpCase("index_put", lambda lib, x: x.index_put((lib.tensor([0, 1]),), x.new_tensor(1.0)),
           [X]),
    OpCase("index_put_acc", lambda lib, x, v: x.index_put(
        (lib.tensor([0, 0]), lib.tensor([1, 1])), v, accumulate=True),
        [X, make((2,), "float32")]),
    OpCase("index_put_mask", lambda lib, x, v: lib.index_put(x, (lib.tensor([True, False, True]),),
                                                              v), [X, make((4,), "float32")]),
    OpCase("masked_fill", lambda lib, x: x.masked_fill(M(lib, x), 0.0), [X]),
    OpCase("masked_fill_bcast", lambda lib, x: x.masked_fill(lib.tensor([True, False] * 2), 1.0),
           [X]),
    OpCase("masked_fill_t", lambda lib, x, v: lib.masked_fill(x, M(lib, x), v),
           [X, make((), "float32")]),
    OpCase("masked_fill_mask_bigger", lambda lib, x: lib.masked_fill(x, lib.ones(
        3, 4, dtype=lib.bool), 2.0), [make((4,), "float32")]),
    OpCase("masked_select", lambda lib, x: lib.masked_select(x, M(lib, x)), [X]),
    OpCase("masked_select_bcast", lambda lib, x: x.masked_select(lib.tensor([True, False] * 2)),
           [X]),
    OpCase("masked_select_grow", lambda lib, x: x.masked_select(lib.tensor(
        [[True], [False]])), [make((4,), "float32")]),
    OpCase("masked_scatter", lambda lib, x, s: x.masked_scatter(M(lib, x), s),
           [X, make((3, 4), "float32")]),
    OpCase("take", lambda lib, x: lib.take(x, lib.tensor([[0, 11], [-1, 5]])), [X]),
    OpCase("take_along_dim", lambda lib, x: lib.take_along_dim(x, lib.tensor([[0], [1], [3]]), 1),
           [X]),
    OpCase("take_along_dim_bcast", lambda lib, x: lib.take_along_dim(x, lib.tensor([[0, 1]]), 1),
           [X]),
    OpCase("take_along_dim_flat", lambda lib, x: x.take_along_dim(lib.tensor([0, 5, 11])), [X]),
    OpCase("put", lambda lib, x, s: x.put(lib.tensor([0, 7, 5]), s), [X, make((3,), "float32")]),
    OpCase("put_acc", lambda lib, x, s: x.put(lib.tensor([0, 0, 5]), s, accumulate=True),
           [X, make((3,), "float32")]),
    OpCase("inplace_chain", lambda lib, x, s: (x * 1).index_add_(0, lib.tensor([1]), s[:1])
           .masked_fill_(M(lib, x, 1), 0.5).scatter_(1, _t(lib, I2U), s[:, :3])
           .index_fill_(0, lib.tensor([2]), 3.0), [X, make((2, 4), "float32")]),
    OpCase("inplace_more", lambda lib, x, s: (x * 1).scatter_add_(1, _t(lib, I2), s)
           .index_copy_(1, lib.tensor([0]), x[:, :1]).put_(lib.tensor([1]), s[0, :1])
           .index_put_((lib.tensor([2]),), s[1, 0], accumulate=True), [X, SRC]),
]


@pytest.mark.parametrize("case", FUNC_CASES, ids=str)
def test_functions_match_torch(case):
    check_case(case)


@pytest.mark.parametrize("case", [c for c in FUNC_CASES if c.gradcheck], ids=str)
def test_functions_gradcheck(case):
    gradcheck_case(case, second_order=True)


def test_int_and_bool_inputs():
    a = make((3, 4), "int64")
    for fn in [
        lambda lib, x: x.gather(1, _t(lib, I2)),
        lambda lib, x: x.masked_fill(M(lib, x), 2.5),
        lambda lib, x: x.index_fill(0, lib.tensor([1]), 7),
        lambda lib, x: x.scatter_reduce(1, _t(lib, I2), x[:2, :3], "mean"),
        lambda lib, x: x.scatter_reduce(1, _t(lib, I2), x[:2, :3], "amax", include_self=False),
        lambda lib, x: lib.nonzero(x),
        lambda lib, x: lib.argwhere(x),
        lambda lib, x: lib.nonzero(x, as_tuple=True),
        lambda lib, x: x.masked_select(M(lib, x)),
    ]:
        check_case(OpCase("int", fn, [a]))
    b = make((3, 4), "bool")
    check_case(OpCase("bool", lambda lib, x: x.masked_fill(x, 2), [b]))
    check_case(OpCase("nz0d", lambda lib, x: lib.nonzero(x), [np.array(3)]))
    check_case(OpCase("nz0dt", lambda lib, x: lib.nonzero(x, as_tuple=True), [np.array(0)]))
    check_case(OpCase("ms0d", lambda lib, x: x.masked_select(lib.tensor(True)),
                      [make((), "float32")]))
    check_case(OpCase("range", lambda lib, x: x[range(1, 3)], [X]))
    check_case(OpCase("scatter_reduce_max_alias", lambda lib, x, s: x.scatter_reduce(
        1, _t(lib, I2), s, "max"), [X, SRC], grad=[False, False]))

    def wrap(lib):
        a = lib.zeros(3, dtype=lib.uint8)
        a[[0]] = -1
        a[1] = -3
        return a

    assert_same(wrap(ember), wrap(torch))


def test_index_put_embed_double_backward():
    from ember._functions.indexing import index_put_embed

    pos = np.array([0, 3, 3, 5])

    def f(g):
        return index_put_embed(g * g, pos, (2, 3))

    g = ember.from_numpy(make((4,), "float64")).requires_grad_()
    assert ember.autograd.gradcheck(f, (g,))
    assert ember.autograd.gradgradcheck(f, (g,))


def test_function_errors_match_torch():
    cases = [
        lambda lib: lib.gather(lib.ones(3, 4), 1, lib.tensor([[0.0]])),
        lambda lib: lib.gather(lib.ones(3, 4), 1, lib.tensor([0, 1])),
        lambda lib: lib.gather(lib.ones(3, 4), 1, lib.zeros(4, 2, dtype=lib.long)),
        lambda lib: lib.gather(lib.ones(3, 4), 1, lib.tensor([[0, 5]])),
        lambda lib: lib.gather(lib.ones(3, 4), 1, lib.tensor([[0, -1]])),
        lambda lib: lib.gather(lib.ones(3, 4), 2, lib.tensor([[0]])),
        lambda lib: lib.index_select(lib.ones(3, 4), 1, lib.tensor([0.0])),
        lambda lib: lib.index_select(lib.ones(3, 4), 1, lib.tensor([[0]])),
        lambda lib: lib.index_select(lib.ones(3, 4), 1, lib.tensor([7])),
        lambda lib: lib.index_select(lib.tensor(2.0), 0, lib.tensor([0, 0])),
        lambda lib: lib.ones(3, 4).scatter(1, lib.tensor([[0]]), lib.ones(1, 1).double()),
        lambda lib: lib.ones(3, 4).scatter(1, lib.tensor([[0.0]]), 1.0),
        lambda lib: lib.ones(3, 4).scatter(1, lib.tensor([[0, 1], [2, 0]]), lib.ones(1, 1)),
        lambda lib: lib.ones(3, 4).scatter(1, lib.tensor([[9]]), 1.0),
        lambda lib: lib.ones(3, 4).scatter_add(1, lib.tensor([[1]]), lib.ones(1, 1).double()),
        lambda lib: lib.ones(3, 4).index_add_(0, lib.tensor([0]), lib.ones(1, 4).double()),
        lambda lib: lib.ones(3, 4).index_add_(0, lib.tensor([0, 0]), lib.ones(2, 3)),
        lambda lib: lib.ones(3, 4).index_add_(0, lib.tensor([0, 5]), lib.ones(2, 4)),
        lambda lib: lib.ones(3, 4).index_fill(1, lib.tensor([0]), lib.tensor([-1.0])),
        lambda lib: lib.ones(3, 4).masked_fill(lib.ones(3, 4), 0.0),
        lambda lib: lib.ones(3, 4).masked_fill(lib.ones(3, 4, dtype=lib.uint8), 0.0),
        lambda lib: lib.ones(3, 4).masked_fill(lib.ones(3, 4, dtype=lib.bool), lib.tensor([1.0])),
        lambda lib: lib.ones(4).masked_fill_(lib.ones(3, 4, dtype=lib.bool), 1.0),
        lambda lib: lib.ones(3, 4).masked_select(lib.ones(3, 4)),
        lambda lib: lib.ones(3, 4).masked_scatter(lib.ones(3, 4, dtype=lib.bool), lib.ones(2)),
        lambda lib: lib.take(lib.ones(3, 4), lib.tensor([12])),
        lambda lib: lib.zeros(3, 4).scatter(1, lib.tensor([[-1]]), 1.0),
        lambda lib: lib.zeros(3, 4).scatter_add(1, lib.tensor([[-1]]), lib.ones(1, 1)),
        lambda lib: lib.zeros(3, 4).index_add(0, lib.tensor([-1]), lib.ones(1, 4)),
        lambda lib: lib.zeros(3, 4).index_copy(0, lib.tensor([-1]), lib.ones(1, 4)),
        lambda lib: lib.zeros(3, 4).index_copy(0, lib.tensor([5]), lib.ones(1, 4)),
        lambda lib: lib.zeros(3, 4).index_fill(0, lib.tensor([-4]), 1.0),
        lambda lib: lib.zeros(3, 4).scatter_reduce(1, lib.tensor([[-1]]), lib.ones(1, 1), "sum"),
        lambda lib: lib.ones(3).put_(lib.tensor([0, 1]), lib.tensor([1.0])),
        lambda lib: lib.ones(3).masked_scatter(lib.tensor([True, False, True]),
                                               lib.ones(3, dtype=lib.float64)),
        lambda lib: lib.ones(3).masked_scatter_(lib.tensor([True, False, True]),
                                                lib.ones(3, dtype=lib.float64)),
        lambda lib: lib.ones(3).masked_scatter(lib.ones(3), lib.ones(3)),
        lambda lib: lib.ones(3, 4, 5).index_copy(0, lib.tensor([0]), lib.ones(1, 3, 5)),
        lambda lib: lib.ones(3, 4).index_copy(0, lib.tensor([0], dtype=lib.int32), lib.ones(1, 4)),
        lambda lib: lib.ones(3, 4).index_copy(0, lib.tensor([[0]]), lib.ones(1, 4)),
        lambda lib: lib.ones(3, 4).index_add(0, lib.tensor([0, 1]), lib.ones(1, 4)),
        lambda lib: lib.ones(3, 4).index_add(0, lib.tensor([0.0]), lib.ones(1, 4)),
        lambda lib: lib.ones(3, 4).index_add(0, lib.tensor([[0]]), lib.ones(1, 4)),
        lambda lib: lib.ones(3, 4).index_fill(0, lib.tensor([0], dtype=lib.int32), 1.0),
        lambda lib: lib.ones(3, 4).index_fill(0, lib.tensor([[0]]), 1.0),
        lambda lib: lib.ones(3, 4).scatter(0, lib.tensor([0]), 1.0),
        lambda lib: lib.ones(3, 4).scatter_add(0, lib.tensor([0]), lib.ones(1)),
        lambda lib: lib.zeros(3).scatter_reduce(0, lib.tensor([0, 0]), lib.ones(2), "foo"),
        lambda lib: lib.ones(3, dtype=lib.int8).masked_fill(lib.ones(3, dtype=lib.bool), 300),
        lambda lib: lib.ones(3, dtype=lib.int8).index_fill(0, lib.tensor([0]), 300),
        lambda lib: lib.ones(3, dtype=lib.int8).scatter(0, lib.tensor([0]), 300),
        lambda lib: lib.ones(3).masked_fill(lib.ones(3, dtype=lib.long), 1.0),
        lambda lib: lib.ones(3).masked_fill(lib.ones(3, dtype=lib.int16), 1.0),
        lambda lib: lib.take_along_dim(lib.ones(3, 4), lib.tensor([0]), 1),
        lambda lib: lib.take_along_dim(lib.ones(3, 4), lib.tensor([[0.0]]), 1),
        lambda lib: lib.take(lib.ones(3, 4), lib.tensor([0.0])),
        lambda lib: lib.ones(3).index_put_((lib.tensor([0, 1]),), lib.ones(2).double()),
        lambda lib: lib.ones(3).index_put_((lib.tensor([0, 1]),), lib.ones(3)),
    ]
    for fn in cases:
        assert_raises_like(fn)


def test_leaf_inplace_error():
    assert_raises_like(lambda lib: lib.ones(3, requires_grad=True).masked_fill_(
        lib.tensor([True, False, True]), 0.0))
    assert_raises_like(lambda lib: lib.ones(3, requires_grad=True).index_put_(
        (lib.tensor([0]),), lib.tensor(1.0)))


def test_uses_do_not_break_on_empty():
    for fn in [
        lambda lib, x: x[[]],
        lambda lib, x: x.masked_select(M(lib, x, 10)),
        lambda lib, x: x.gather(1, lib.zeros(3, 0, dtype=lib.long)),
        lambda lib, x: x.index_select(1, lib.zeros(0, dtype=lib.long)),
    ]:
        check_case(OpCase("empty", fn, [X]))
    check_case(OpCase("empty-in", lambda lib, x: x[lib.zeros(0, 5, dtype=lib.bool)],
                      [make((0, 5), "float32")]))


@pytest.mark.parametrize("key", [0, (slice(None),), ([0, 2],), (Ellipsis,)])
def test_setitem_grad_flows_to_value_only(key):
    def run(lib):
        a = lib.zeros(3, 4)
        v = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        a[key] = v * 2
        (a * lib.arange(12.0).reshape(3, 4)).sum().backward()
        name = a.grad_fn.name() if lib is torch else type(a.grad_fn).__name__
        return name.replace("torch::autograd::", ""), a, v.grad

    e, t = run(ember), run(torch)
    assert e[0] == t[0]
    assert_same(e[1], t[1])
    assert_same(e[2], t[2])


def test_augmented_assignment_through_indexing():
    def run(lib):
        a = lib.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4), requires_grad=True)
        b = a * 1
        b[0] += 1
        b[[1, 2]] *= 2
        b[:, 1] = b[:, 2] * 3
        b[lib.from_numpy(b.detach().numpy() > 20)] = 0.5
        (b * 1).sum().backward()
        return b, a.grad

    for x, y in zip(run(ember), run(torch)):
        assert_same(x, y)
