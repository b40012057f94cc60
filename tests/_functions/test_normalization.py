"""Normalization ops against PyTorch: batch/layer/group/instance/RMS norm, local response norm
and normalize (values, dtypes, gradients, grad_fn names, running statistics), gradcheck and
gradgradcheck, and PyTorch's errors."""

import numpy as np
import pytest
import torch
from optable import OpCase, assert_raises_like, assert_same, check_case, gradcheck_case, make

import ember

RNG = np.random.default_rng(7)


def _bn(training, affine=True, stats=True, momentum=0.1, eps=1e-5):
    def fn(lib, x, *params):
        c = x.shape[1]
        dt = x.dtype
        w, b = (params + (None, None))[:2] if affine else (None, None)
        rm = lib.linspace(-1, 1, c, dtype=dt) if stats else None
        rv = lib.linspace(0.5, 2, c, dtype=dt) if stats else None
        return lib.nn.functional.batch_norm(x, rm, rv, w, b, training, momentum, eps)
    return fn


CASES = []
for dt in ("float32", "float64"):
    for shape, nc in (((4, 3), False), ((4, 3, 5), False), ((2, 3, 4, 5), False),
                      ((5, 4), True), ((2, 3, 2, 2, 3), False)):
        x = make(shape, dt, noncontig=nc, rng=RNG) * 2 + 0.5
        c = shape[1]
        w, b = make((c,), dt, rng=RNG), make((c,), dt, rng=RNG)
        CASES += [
            OpCase(f"bn train {dt} {shape} nc={nc}", _bn(True), [x, w, b]),
            OpCase(f"bn train noaffine {dt} {shape}", _bn(True, affine=False), [x]),
            OpCase(f"bn train nostats {dt} {shape}", _bn(True, stats=False), [x, w, b]),
            OpCase(f"bn eval {dt} {shape}", _bn(False), [x, w, b]),
            OpCase(f"bn eval noaffine {dt} {shape}", _bn(False, affine=False), [x]),
        ]
    x = make((4, 6, 5), dt, rng=RNG) * 3 - 1
    w5, b5 = make((5,), dt, rng=RNG), make((5,), dt, rng=RNG)
    w65, b65 = make((6, 5), dt, rng=RNG), make((6, 5), dt, rng=RNG)
    w6, b6 = make((6,), dt, rng=RNG), make((6,), dt, rng=RNG)
    xn = make((6, 4), dt, noncontig=True, rng=RNG)
    w4 = make((4,), dt, rng=RNG)
    CASES += [
        OpCase(f"ln {dt}", lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (5,), w, b),
               [x, w5, b5]),
        OpCase(f"ln 2d {dt}", lambda lib, x, w, b: lib.nn.functional.layer_norm(x, [6, 5], w, b),
               [x, w65, b65]),
        OpCase(f"ln noaffine {dt}", lambda lib, x: lib.nn.functional.layer_norm(x, (6, 5)), [x]),
        OpCase(f"ln weight only {dt}",
               lambda lib, x, w: lib.nn.functional.layer_norm(x, (5,), w, eps=0.1), [x, w5]),
        OpCase(f"ln noncontig {dt}",
               lambda lib, x, w: lib.nn.functional.layer_norm(x, (4,), w), [xn, w4]),
        OpCase(f"torch.layer_norm {dt}", lambda lib, x: lib.layer_norm(x, [5]), [x]),
        OpCase(f"gn {dt}", lambda lib, x, w, b: lib.nn.functional.group_norm(x, 3, w, b),
               [x, w6, b6]),
        OpCase(f"gn noaffine {dt}", lambda lib, x: lib.nn.functional.group_norm(x, 2), [x]),
        OpCase(f"gn 1 group {dt}", lambda lib, x, w: lib.nn.functional.group_norm(x, 1, w),
               [x, w6]),
        OpCase(f"gn 4d {dt}", lambda lib, x, w, b: lib.nn.functional.group_norm(
            x.reshape(2, 6, 2, 5), 6, w, b), [x, w6, b6]),
        OpCase(f"in {dt}", lambda lib, x: lib.nn.functional.instance_norm(x), [x]),
        OpCase(f"in affine {dt}", lambda lib, x, w, b: lib.nn.functional.instance_norm(
            x, weight=w, bias=b), [x, w6, b6]),
        OpCase(f"rms {dt}", lambda lib, x, w: lib.nn.functional.rms_norm(x, (5,), w), [x, w5]),
        OpCase(f"rms default eps {dt}", lambda lib, x: lib.nn.functional.rms_norm(x, (6, 5)),
               [x]),
        OpCase(f"rms eps {dt}", lambda lib, x: lib.nn.functional.rms_norm(x, [5], eps=0.5), [x]),
        OpCase(f"lrn 3d {dt}", lambda lib, x: lib.nn.functional.local_response_norm(x, 3), [x]),
        OpCase(f"lrn 4d {dt}", lambda lib, x: lib.nn.functional.local_response_norm(
            x.reshape(2, 6, 2, 5), 2, 0.1, 0.5, 2.0), [x]),
        OpCase(f"normalize {dt}", lambda lib, x: lib.nn.functional.normalize(x), [x]),
        OpCase(f"normalize p1 {dt}", lambda lib, x: lib.nn.functional.normalize(x, 1.0, -1),
               [x]),
    ]


def _grad_fn_name(out):
    return None if out.grad_fn is None else out.grad_fn.name()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch(case):
    check_case(case)
    # the same node names as PyTorch
    ins_t = [torch.from_numpy(a.copy()).requires_grad_() if isinstance(a, np.ndarray) else a
             for a in case.inputs]
    ins_e = [ember.from_numpy(a.copy()).requires_grad_() if isinstance(a, np.ndarray) else a
             for a in case.inputs]
    assert _grad_fn_name(case.fn(ember, *ins_e)) == _grad_fn_name(case.fn(torch, *ins_t))


GRADCHECK = [c for c in CASES if c.name.endswith("float64") or "float64 (" in c.name]


@pytest.mark.parametrize("case", [c for c in GRADCHECK if (
    c.name.startswith(("bn", "ln", "gn", "in ", "in affine", "rms"))) and (
    "(2, 3, 2, 2, 3)" not in c.name)], ids=str)
def test_gradcheck_and_gradgradcheck(case):
    gradcheck_case(case, second_order=True)


def test_batch_norm_forward_bit_exact():
    # output = x * alpha + beta with FMAs, as PyTorch's CPU kernel computes it
    for dt in ("float32", "float64"):
        x = make((8, 4, 5, 6), dt, rng=RNG) * 3 + 1
        w, b = make((4,), dt, rng=RNG), make((4,), dt, rng=RNG)
        rm, rv = make((4,), dt, rng=RNG), make((4,), dt, positive=True, rng=RNG)
        outs = []
        for lib in (torch, ember):
            rmt, rvt = lib.from_numpy(rm.copy()), lib.from_numpy(rv.copy())
            args = (lib.from_numpy(x), lib.from_numpy(w), lib.from_numpy(b))
            y = lib.nn.functional.batch_norm(args[0], rmt, rvt, *args[1:], training=True)
            y2 = lib.nn.functional.batch_norm(args[0], rmt, rvt, *args[1:], training=False)
            outs.append([y.numpy(), y2.numpy(), rmt.numpy(), rvt.numpy()])
        for a, e in zip(*outs):
            np.testing.assert_array_equal(e, a)


@pytest.mark.parametrize("momentum", [0.1, 0.5, 0.0, 1.0])
def test_running_stats_several_steps(momentum):
    res = []
    for lib in (torch, ember):
        rm, rv = lib.zeros(3), lib.ones(3)
        for s in range(5):
            x = lib.from_numpy(make((6, 3, 4), rng=np.random.default_rng(s)))
            lib.nn.functional.batch_norm(x, rm, rv, training=True, momentum=momentum)
        res.append((rm, rv, rm._version))
    assert_same(res[1][0], res[0][0], 0, 0)
    assert_same(res[1][1], res[0][1], 0, 0)
    assert res[1][2] == res[0][2]


def test_instance_norm_running_stats():
    res = []
    for lib in (torch, ember):
        rm, rv = lib.zeros(3), lib.ones(3)
        x = lib.from_numpy(make((4, 3, 5), rng=np.random.default_rng(1)))
        y = lib.nn.functional.instance_norm(x, rm, rv, momentum=0.3)
        y2 = lib.nn.functional.instance_norm(x, rm, rv, use_input_stats=False)
        res.append((y, y2, rm, rv))
    for e, t in zip(res[1], res[0]):
        assert_same(e, t)


def test_empty_and_zero_batch():
    for shape in [(0, 3), (0, 3, 4)]:
        x = make(shape)
        check_case(OpCase("bn empty", _bn(True), [x, make((3,)), make((3,))]))
        check_case(OpCase("ln empty", lambda lib, x: lib.nn.functional.layer_norm(
            x, (x.shape[-1],)), [x]))


def test_native_outputs():
    x = make((4, 3, 5), rng=RNG)
    t = torch.native_batch_norm(torch.from_numpy(x), None, None, None, None, True, 0.1, 1e-5)
    e = ember.native_batch_norm(ember.from_numpy(x), None, None, None, None, True, 0.1, 1e-5)
    assert_same(e, t, 0, 0)
    t = torch.native_layer_norm(torch.from_numpy(x), [5], None, None, 1e-5)
    e = ember.native_layer_norm(ember.from_numpy(x), [5], None, None, 1e-5)
    assert_same(e, t)


def _t(lib, *shape, dtype=None):
    return lib.ones(*shape, dtype=dtype)


ERRORS = [
    lambda lib: lib.nn.functional.batch_norm(_t(lib, 1, 3), None, None, training=True),
    lambda lib: lib.nn.functional.batch_norm(_t(lib, 1, 3, 1), None, None, training=True),
    lambda lib: lib.nn.functional.batch_norm(_t(lib, 4, 4), _t(lib, 3), _t(lib, 3)),
    lambda lib: lib.nn.functional.batch_norm(_t(lib, 4, 3), _t(lib, 3), _t(lib, 4)),
    lambda lib: lib.nn.functional.batch_norm(_t(lib, 4, 3), _t(lib, 3), _t(lib, 3), _t(lib, 4)),
    lambda lib: lib.nn.functional.batch_norm(_t(lib, 4, 3), _t(lib, 3), _t(lib, 3), None,
                                             _t(lib, 4)),
    lambda lib: lib.nn.functional.batch_norm(_t(lib, 4, 3), None, None),
    lambda lib: lib.nn.functional.batch_norm(_t(lib, 4, 3), None, None, training=True, eps=0),
    lambda lib: lib.nn.functional.batch_norm(_t(lib, 4, 3), _t(lib, 3), _t(lib, 3), eps=-1),
    lambda lib: lib.nn.functional.batch_norm(lib.ones(4, 3, dtype=lib.long), None, None,
                                             training=True),
    lambda lib: lib.nn.functional.batch_norm(_t(lib, 4, 3), _t(lib, 3), _t(lib, 3),
                                             _t(lib, 3, dtype=lib.float64)),
    lambda lib: lib.nn.functional.layer_norm(_t(lib, 4, 3), (4,)),
    lambda lib: lib.nn.functional.layer_norm(_t(lib, 4, 3), [2, 4, 3]),
    lambda lib: lib.nn.functional.layer_norm(_t(lib, 4, 3), (3,), _t(lib, 4)),
    lambda lib: lib.nn.functional.layer_norm(_t(lib, 4, 3), (3,), None, _t(lib, 4)),
    lambda lib: lib.nn.functional.layer_norm(_t(lib, 4, 3), ()),
    lambda lib: lib.nn.functional.layer_norm(_t(lib, 4, 3), 3),
    lambda lib: lib.nn.functional.layer_norm(lib.ones(4, 3, dtype=lib.long), (3,)),
    lambda lib: lib.nn.functional.layer_norm(_t(lib, 4, 3), (3,), _t(lib, 3, dtype=lib.float64)),
    lambda lib: lib.nn.functional.group_norm(_t(lib, 4, 6, 2), 4),
    lambda lib: lib.nn.functional.group_norm(_t(lib, 4, 6, 2), 3, _t(lib, 5)),
    lambda lib: lib.nn.functional.group_norm(_t(lib, 4, 6, 2), 3, None, _t(lib, 5)),
    lambda lib: lib.nn.functional.group_norm(_t(lib, 4, 6, 2), 3, _t(lib, 6), _t(lib, 5)),
    lambda lib: lib.nn.functional.group_norm(_t(lib, 4), 2),
    lambda lib: lib.nn.functional.group_norm(_t(lib, 1, 3), 3),
    lambda lib: lib.nn.functional.group_norm(lib.ones(4, 6, 2, dtype=lib.long), 3),
    lambda lib: lib.nn.functional.instance_norm(_t(lib, 2, 3, 1)),
    lambda lib: lib.nn.functional.instance_norm(_t(lib, 2, 3, 4), use_input_stats=False),
    lambda lib: lib.nn.functional.rms_norm(_t(lib, 4, 3), (4,)),
    lambda lib: lib.nn.functional.rms_norm(_t(lib, 4, 3), (3,), _t(lib, 4)),
    lambda lib: lib.nn.functional.rms_norm(lib.ones(4, 3, dtype=lib.long), (3,)),
    lambda lib: lib.nn.functional.local_response_norm(_t(lib, 4, 3), 2),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    assert_raises_like(ERRORS[i])
