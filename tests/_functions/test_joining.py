"""Joining and rearranging ops against PyTorch: values, dtypes, gradients, grad_fn names, errors."""

import numpy as np
import pytest
import torch
from optable import OpCase, assert_raises_like, assert_same, check_case, gradcheck_case, make

import ember

pytestmark = pytest.mark.filterwarnings("ignore:torch.meshgrid")

A = make((2, 3), "float32")
B = make((2, 3), "float32")
C = make((2, 5), "float32")
V3 = make((3,), "float32")
V2 = make((2,), "float32")
NC = make((3, 4), "float32", noncontig=True)

CASES = [
    OpCase("cat0", lambda lib, a, b: lib.cat([a, b]), [A, B]),
    OpCase("cat1", lambda lib, a, c: lib.cat((a, c), dim=1), [A, C]),
    OpCase("cat_neg", lambda lib, a, c: lib.cat([a, c, a], -1), [A, C]),
    OpCase("cat_skip_empty", lambda lib, a: lib.cat([lib.ones(0), a, lib.zeros(0)], 1), [A]),
    OpCase("cat_skip_grad", lambda lib, a, e: lib.cat([e, a], 1), [A, make((0,), "float32")]),
    OpCase("cat_empty_rows", lambda lib, a, e: lib.cat([e, a]), [A, make((0, 3), "float32")]),
    OpCase("cat_promote", lambda lib, a, b: lib.cat([a, b]), [A, make((2, 3), "float64")]),
    OpCase("cat_int_float", lambda lib, a, b: lib.cat([a, b]), [make((2, 3), "int64"), A]),
    OpCase("cat_noncontig", lambda lib, x: lib.cat([x, x * 2], 1), [NC]),
    OpCase("concat", lambda lib, a, b: lib.concat([a, b], dim=1), [A, B]),
    OpCase("concatenate", lambda lib, a, b: lib.concatenate([a, b], axis=1), [A, B]),
    OpCase("stack0", lambda lib, a, b: lib.stack([a, b]), [A, B]),
    OpCase("stack_last", lambda lib, a, b: lib.stack([a, b, a], dim=-1), [A, B]),
    OpCase("stack_0d", lambda lib, a, b: lib.stack([a, b]), [make((), "float32"),
                                                            make((), "float32")]),
    OpCase("stack_promote", lambda lib, a, b: lib.stack([a, b], 1), [A, make((2, 3), "int32")]),
    OpCase("hstack", lambda lib, a, c: lib.hstack([a, c]), [A, C]),
    OpCase("hstack_1d", lambda lib, a, b: lib.hstack([a, b]), [V3, V2]),
    OpCase("hstack_0d", lambda lib, a, b: lib.hstack((a, b)), [make((), "float32"), V2]),
    OpCase("vstack", lambda lib, a, b: lib.vstack([a, b]), [V3, A]),
    OpCase("row_stack", lambda lib, a, b: lib.row_stack([a, b]), [V3, V3]),
    OpCase("dstack", lambda lib, a, b: lib.dstack([a, b]), [V3, V3]),
    OpCase("dstack2d", lambda lib, a, b: lib.dstack([a, b]), [A, B]),
    OpCase("column_stack", lambda lib, a, b: lib.column_stack([a, b]), [V2, make((2, 2), "float32")]),
    OpCase("column_stack_0d", lambda lib, a, b: lib.column_stack([a, b]),
           [make((), "float32"), make((), "float32")]),
    OpCase("flip", lambda lib, x: lib.flip(x, [0]), [A]),
    OpCase("flip_all", lambda lib, x: lib.flip(x, (0, -1)), [NC]),
    OpCase("flip_none", lambda lib, x: lib.flip(x, []), [A]),
    OpCase("flip_method", lambda lib, x: x.flip(0, 1), [A]),
    OpCase("flip_0d", lambda lib, x: x.flip([0]), [make((), "float32")]),
    OpCase("fliplr", lambda lib, x: lib.fliplr(x), [A]),
    OpCase("flipud", lambda lib, x: x.flipud(), [V3]),
    OpCase("roll_flat", lambda lib, x: lib.roll(x, 1), [A]),
    OpCase("roll_flat_neg", lambda lib, x: lib.roll(x, -7), [NC]),
    OpCase("roll_dims", lambda lib, x: lib.roll(x, (1, -1), (0, 1)), [A]),
    OpCase("roll_dim", lambda lib, x: x.roll(2, -1), [A]),
    OpCase("roll_empty", lambda lib, x: x.roll(3), [make((0,), "float32")]),
    OpCase("roll_0d", lambda lib, x: x.roll(3), [make((), "float32")]),
    OpCase("repeat", lambda lib, x: x.repeat(2, 1, 2), [A]),
    OpCase("repeat_tuple", lambda lib, x: x.repeat((2, 2)), [NC]),
    OpCase("repeat_zero", lambda lib, x: x.repeat(0, 2), [A]),
    OpCase("repeat_0d", lambda lib, x: x.repeat(3), [make((), "float32")]),
    OpCase("tile", lambda lib, x: lib.tile(x, (2,)), [A]),
    OpCase("tile_more", lambda lib, x: x.tile((2, 1, 1)), [A]),
    OpCase("ri_int", lambda lib, x: lib.repeat_interleave(x, 2), [A]),
    OpCase("ri_int_dim", lambda lib, x: x.repeat_interleave(2, dim=1), [A]),
    OpCase("ri_tensor", lambda lib, x: lib.repeat_interleave(x, lib.tensor([1, 2]), dim=0), [A]),
    OpCase("ri_tensor1", lambda lib, x: lib.repeat_interleave(x, lib.tensor([2]), dim=-1), [A]),
    OpCase("ri_0d", lambda lib, x: lib.repeat_interleave(x, 3), [make((), "float32")]),
    OpCase("ri_output_size", lambda lib, x: lib.repeat_interleave(x, 2, dim=0, output_size=4),
           [A]),
    OpCase("rot90", lambda lib, x: lib.rot90(x), [A]),
    OpCase("rot90_k2", lambda lib, x: x.rot90(2), [A]),
    OpCase("rot90_neg", lambda lib, x: lib.rot90(x, -1, [1, 0]), [NC]),
    OpCase("rot90_3d", lambda lib, x: lib.rot90(x, 3, [0, 2]), [make((2, 3, 4), "float32")]),
    OpCase("atleast_1d", lambda lib, x: lib.atleast_1d(x), [make((), "float32")]),
    OpCase("atleast_2d", lambda lib, x: lib.atleast_2d(x), [V3]),
    OpCase("atleast_3d_1d", lambda lib, x: lib.atleast_3d(x), [V3]),
    OpCase("atleast_3d_2d", lambda lib, x: lib.atleast_3d(x), [A]),
    OpCase("atleast_3d_0d", lambda lib, x: lib.atleast_3d(x), [make((), "float32")]),
    OpCase("atleast_many", lambda lib, x, y: lib.atleast_2d(x, y), [make((), "float32"), V3]),
    OpCase("meshgrid_ij", lambda lib, x, y: lib.meshgrid(x, y, indexing="ij"), [V3, V2]),
    OpCase("meshgrid_xy", lambda lib, x, y, z: lib.meshgrid([x, y, z], indexing="xy"),
           [V3, V2, make((4,), "float32")]),
    OpCase("meshgrid_0d", lambda lib, x, y: lib.meshgrid(x, y, indexing="ij"),
           [make((), "float32"), V2]),
    OpCase("broadcast_tensors", lambda lib, x, y, z: lib.broadcast_tensors(x, y, z),
           [A, V3, make((1, 1), "float32")]),
    OpCase("cartesian_prod", lambda lib, x, y: lib.cartesian_prod(x, y), [V3, V2]),
    OpCase("cartesian_prod1", lambda lib, x: lib.cartesian_prod(x), [V3]),
    OpCase("block_diag", lambda lib, x, y, z: lib.block_diag(x, y, z),
           [A, V2, make((), "float32")]),
    OpCase("block_diag_promote", lambda lib, x, y: lib.block_diag(x, y),
           [make((2, 2), "int64"), A]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch(case):
    check_case(case)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_gradcheck(case):
    gradcheck_case(case, second_order=True)


def _names(out):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [None if o.grad_fn is None else (
        o.grad_fn.name() if hasattr(o.grad_fn, "name") else type(o.grad_fn).__name__)
        for o in outs]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_grad_fn_names(case):
    t_in = [torch.from_numpy(x.copy()).requires_grad_(x.dtype.kind == "f")
            if isinstance(x, np.ndarray) else x for x in case.inputs]
    e_in = [ember.from_numpy(x.copy()).requires_grad_(x.dtype.kind == "f")
            if isinstance(x, np.ndarray) else x for x in case.inputs]
    assert _names(case.fn(ember, *e_in)) == _names(case.fn(torch, *t_in))


@pytest.mark.parametrize("dt", ["int64", "int32", "uint8", "bool", "float64", "float16"])
def test_dtypes(dt):
    a = make((2, 3), dt)
    for fn in [
        lambda lib, x: lib.cat([x, x], 1),
        lambda lib, x: lib.stack([x, x]),
        lambda lib, x: x.flip([1]),
        lambda lib, x: x.roll(1, 0),
        lambda lib, x: x.repeat(2, 2),
        lambda lib, x: x.repeat_interleave(2, 0),
        lambda lib, x: lib.rot90(x),
        lambda lib, x: lib.block_diag(x, x),
    ]:
        check_case(OpCase(dt, fn, [a]))


def test_cat_promotion_table():
    for da, db in [("int32", "bool"), ("uint8", "int8"), ("int64", "float16"),
                   ("bool", "bool"), ("float16", "float32")]:
        check_case(OpCase("p", lambda lib, x, y: lib.cat([x, y]),
                          [make((2,), da), make((3,), db)], grad=[False, False]))


def test_broadcast_shapes():
    for shapes in [((2,), (3, 1), (1, 1, 1)), ((), (4,)), (3, (2, 1)), ()]:
        assert ember.broadcast_shapes(*shapes) == torch.broadcast_shapes(*shapes)
    assert_same(ember.block_diag(), torch.block_diag())


def test_repeat_interleave_of_repeats():
    for r in [np.array([1, 2, 3]), np.array([0, 2]), np.array([], np.int64)]:
        check_case(OpCase("ri_repeats", lambda lib, x: lib.repeat_interleave(x), [r]))


def test_one_hot():
    F = ember.nn.functional
    for data, n in [([0, 2, 1], -1), ([[0, 1], [3, 1]], 5), ([], 3), (3, 4)]:
        e = F.one_hot(ember.tensor(data, dtype=ember.long), n)
        t = torch.nn.functional.one_hot(torch.tensor(data, dtype=torch.long), n)
        assert_same(e, t)
    for fn in [
        lambda lib: lib.nn.functional.one_hot(lib.tensor([0, 3]), 3),
        lambda lib: lib.nn.functional.one_hot(lib.tensor([-1, 0])),
        lambda lib: lib.nn.functional.one_hot(lib.tensor([0.0, 1.0])),
        lambda lib: lib.nn.functional.one_hot(lib.tensor([], dtype=lib.long)),
    ]:
        assert_raises_like(fn)


def test_errors_match_torch():
    for fn in [
        lambda lib: lib.cat([lib.ones(2, 3), lib.ones(3, 3)], 1),
        lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 2)], 0),
        lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 2, 1)], 0),
        lambda lib: lib.cat([]),
        lambda lib: lib.cat([lib.tensor(1.0), lib.tensor(2.0)]),
        lambda lib: lib.cat([lib.ones(1), lib.tensor(2.0)]),
        lambda lib: lib.cat([lib.ones(2, 3)], 2),
        lambda lib: lib.cat([lib.ones(2), 1]),
        lambda lib: lib.cat(lib.ones(2)),
        lambda lib: lib.cat([lib.ones(2, 0), lib.ones(2, 3)], 0),
        lambda lib: lib.stack([lib.ones(2), lib.ones(3)]),
        lambda lib: lib.stack([lib.ones(2), lib.ones(2), lib.ones(3)]),
        lambda lib: lib.stack([]),
        lambda lib: lib.stack([lib.ones(2, 3)], 3),
        lambda lib: lib.flip(lib.ones(2, 3), 0),
        lambda lib: lib.flip(lib.ones(2, 3), [0, 0]),
        lambda lib: lib.flip(lib.ones(2, 3), [2]),
        lambda lib: lib.fliplr(lib.ones(3)),
        lambda lib: lib.flipud(lib.tensor(1.0)),
        lambda lib: lib.roll(lib.ones(2, 3), (1, -1), (0,)),
        lambda lib: lib.roll(lib.ones(2, 3), (1, -1)),
        lambda lib: lib.ones(2, 3).repeat(2),
        lambda lib: lib.ones(2, 3).repeat(-1, 2),
        lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1, 2, 3]), dim=0),
        lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1, -2]), dim=0),
        lambda lib: lib.repeat_interleave(lib.ones(2, 3), -1, dim=0),
        lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1.0, 2.0]), dim=0),
        lambda lib: lib.rot90(lib.ones(3)),
        lambda lib: lib.rot90(lib.ones(2, 3), 1, [0, 0]),
        lambda lib: lib.meshgrid(lib.ones(3), lib.ones(2), indexing="foo"),
        lambda lib: lib.meshgrid(lib.ones(3), lib.ones(2, dtype=lib.long), indexing="ij"),
        lambda lib: lib.broadcast_tensors(lib.ones(2, 3), lib.ones(4)),
        lambda lib: lib.block_diag(lib.ones(1, 1, 1)),
        lambda lib: lib.hstack([]),
        lambda lib: lib.vstack([]),
        lambda lib: lib.dstack([]),
        lambda lib: lib.column_stack([]),
        lambda lib: lib.broadcast_shapes((2, 1), (3, 2)),
        lambda lib: lib.broadcast_shapes((5, 2, 1), (4, 3)),
        lambda lib: lib.broadcast_shapes((1,), (-1,)),
        lambda lib: lib.nn.functional.one_hot(lib.tensor([], dtype=lib.long), 0),
    ]:
        assert_raises_like(fn)


def test_numpy_dispatch_double_backward():
    # backward of split/unbind (stack, cat) and of these ops under create_graph
    x = ember.from_numpy(make((2, 3), "float64")).requires_grad_()
    for f in [lambda t: ember.cat(ember.split(t * t, 1, 1), 1),
              lambda t: ember.stack(ember.unbind(t * t, 1), 1),
              lambda t: np.flip(t * t, 0), lambda t: np.roll(t * t, 1, 1),
              lambda t: np.tile(t * t, (2, 1)), lambda t: np.repeat(t * t, 2, 0),
              lambda t: np.concatenate([t * t, t], 1), lambda t: np.stack([t * t, t])]:
        assert ember.autograd.gradcheck(f, (x,))
        assert ember.autograd.gradgradcheck(f, (x,))
