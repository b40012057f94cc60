"""Loss functions against PyTorch: values and gradients over reductions and options (float32
and float64), the graph's node names, float64 gradcheck, the exact sums of nll_loss, CTC, and
PyTorch's errors for bad input."""

import warnings

import numpy as np
import pytest
import torch
from optable import (
    OpCase,
    _grad_flags,
    assert_raises_like,
    check_case,
    gradcheck_case,
    make,
    to_ember,
    to_torch,
)

import ember
from ember._functions.loss import _cascade_sum_loop, cascade_sum

RNG = np.random.default_rng(7)
REDS = ["none", "mean", "sum"]


def F(lib):
    return lib.nn.functional


def idx(shape, c, ignore=False):
    t = RNG.integers(0, c, shape).astype(np.int64)
    if ignore:
        t[RNG.random(shape) < 0.3] = -100
    return t


def sign(shape, dt):
    return np.where(RNG.random(shape) < 0.5, -1.0, 1.0).astype(dt)


def _cases(dt, red):
    k = {"reduction": red}
    m = make
    return [
        OpCase("mse", lambda lib, x, y: F(lib).mse_loss(x, y, **k), [m((3, 4), dt), m((3, 4), dt)]),
        OpCase("mse broadcast", lambda lib, x, y: F(lib).mse_loss(x, y, **k),
               [m((3, 4), dt), m((4,), dt)]),
        OpCase("mse weight", lambda lib, x, y, w: F(lib).mse_loss(x, y, weight=w, **k),
               [m((3, 4), dt), m((3, 4), dt), m((3, 4), dt, 0, 1)], grad=[True, True, False]),
        OpCase("l1", lambda lib, x, y: F(lib).l1_loss(x, y, **k), [m((3, 4), dt), m((3, 4), dt)]),
        OpCase("l1 weight", lambda lib, x, y, w: F(lib).l1_loss(x, y, weight=w, **k),
               [m((3, 4), dt), m((3, 4), dt), m((3, 4), dt, 0, 1)], grad=[True, True, False]),
        OpCase("smooth_l1", lambda lib, x, y: F(lib).smooth_l1_loss(x, y, beta=0.7, **k),
               [m((3, 4), dt), m((3, 4), dt)]),
        OpCase("smooth_l1 beta0", lambda lib, x, y: F(lib).smooth_l1_loss(x, y, beta=0., **k),
               [m((3, 4), dt), m((3, 4), dt)]),
        OpCase("huber", lambda lib, x, y: F(lib).huber_loss(x, y, delta=1.3, **k),
               [m((3, 4), dt), m((3, 4), dt)]),
        OpCase("huber weight", lambda lib, x, y, w: F(lib).huber_loss(x, y, weight=w, **k),
               [m((3, 4), dt), m((3, 4), dt), m((3, 4), dt, 0, 1)], grad=[True, True, False]),
        OpCase("soft_margin", lambda lib, x, y: F(lib).soft_margin_loss(x, y, **k),
               [m((3, 4), dt), sign((3, 4), dt)], grad=[True, False]),
        OpCase("bce", lambda lib, x, y: F(lib).binary_cross_entropy(x, y, **k),
               [m((3, 4), dt, 0.05, 0.95), m((3, 4), dt, 0, 1)]),
        OpCase("bce weight", lambda lib, x, y, w: F(lib).binary_cross_entropy(x, y, w, **k),
               [m((3, 4), dt, 0.05, 0.95), m((3, 4), dt, 0, 1), m((4,), dt, 0, 1)],
               grad=[True, True, False]),
        OpCase("bce_logits", lambda lib, x, y: F(lib).binary_cross_entropy_with_logits(x, y, **k),
               [m((3, 4), dt, -30, 30), m((3, 4), dt, 0, 1)]),
        OpCase("bce_logits pos_weight",
               lambda lib, x, y, w, pw: F(lib).binary_cross_entropy_with_logits(
                   x, y, weight=w, pos_weight=pw, **k),
               [m((3, 4), dt), m((3, 4), dt, 0, 1), m((3, 4), dt, 0, 1), m((4,), dt, 0.5, 3)],
               grad=[True, True, False, False]),
        OpCase("kl_div", lambda lib, x, y: F(lib).kl_div(x, y, **k),
               [m((3, 4), dt), m((3, 4), dt, 0, 1)]),
        OpCase("kl_div log_target", lambda lib, x, y: F(lib).kl_div(x, y, log_target=True, **k),
               [m((3, 4), dt), m((3, 4), dt)]),
        OpCase("cross_entropy", lambda lib, x, t: F(lib).cross_entropy(x, t, **k),
               [m((5, 4), dt), idx((5,), 4)]),
        OpCase("cross_entropy noncontig", lambda lib, x, t: F(lib).cross_entropy(x, t, **k),
               [m((5, 4), dt, noncontig=True), idx((5,), 4)]),
        OpCase("cross_entropy ignore weight",
               lambda lib, x, t, w: F(lib).cross_entropy(x, t, weight=w, **k),
               [m((7, 4), dt), idx((7,), 4, True), m((4,), dt, 0.1, 2)],
               grad=[True, False, False]),
        OpCase("cross_entropy unbatched", lambda lib, x, t: F(lib).cross_entropy(x, t, **k),
               [m((4,), dt), np.array(2)]),
        OpCase("cross_entropy 3d", lambda lib, x, t: F(lib).cross_entropy(x, t, **k),
               [m((2, 4, 3), dt), idx((2, 3), 4, True)]),
        OpCase("cross_entropy 4d weight",
               lambda lib, x, t, w: F(lib).cross_entropy(x, t, weight=w, **k),
               [m((2, 4, 3, 2), dt), idx((2, 3, 2), 4, True), m((4,), dt, 0.1, 2)],
               grad=[True, False, False]),
        OpCase("cross_entropy 5d", lambda lib, x, t: F(lib).cross_entropy(x, t, **k),
               [m((2, 3, 2, 2, 2), dt), idx((2, 2, 2, 2), 3)]),
        OpCase("cross_entropy probs", lambda lib, x, t: F(lib).cross_entropy(x, t, **k),
               [m((5, 4), dt), m((5, 4), dt, 0, 1)]),
        OpCase("cross_entropy probs weight smoothing",
               lambda lib, x, t, w: F(lib).cross_entropy(x, t, weight=w, label_smoothing=0.2,
                                                         **k),
               [m((5, 4, 2), dt), m((5, 4, 2), dt, 0, 1), m((4,), dt, 0.1, 2)],
               grad=[True, True, False]),
        OpCase("cross_entropy smoothing",
               lambda lib, x, t: F(lib).cross_entropy(x, t, label_smoothing=0.15, **k),
               [m((6, 4), dt), idx((6,), 4, True)]),
        OpCase("cross_entropy smoothing weight",
               lambda lib, x, t, w: F(lib).cross_entropy(x, t, weight=w, label_smoothing=0.15,
                                                         **k),
               [m((6, 4, 3), dt), idx((6, 3), 4, True), m((4,), dt, 0.1, 2)],
               grad=[True, False, False]),
        OpCase("nll", lambda lib, x, t: F(lib).nll_loss(x, t, ignore_index=1, **k),
               [m((6, 4), dt), idx((6,), 4)]),
        OpCase("nll uint8 target", lambda lib, x, t: F(lib).nll_loss(x, t, **k),
               [m((6, 4), dt), idx((6,), 4).astype(np.uint8)]),
        OpCase("nll empty batch", lambda lib, x, t: F(lib).nll_loss(x, t, **k),
               [m((0, 4), dt), idx((0,), 4)]),
        OpCase("multi_margin", lambda lib, x, t: F(lib).multi_margin_loss(x, t, **k),
               [m((5, 4), dt), idx((5,), 4)]),
        OpCase("multi_margin p2 weight",
               lambda lib, x, t, w: F(lib).multi_margin_loss(x, t, p=2, margin=0.7, weight=w,
                                                             **k),
               [m((5, 4), dt), idx((5,), 4), m((4,), dt, 0, 1)], grad=[True, False, False]),
        OpCase("multi_margin unbatched", lambda lib, x, t: F(lib).multi_margin_loss(x, t, **k),
               [m((4,), dt), np.array(1)]),
        OpCase("multilabel_margin", lambda lib, x, t: F(lib).multilabel_margin_loss(x, t, **k),
               [m((3, 4), dt), np.array([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 1, 1, 1]])]),
        OpCase("multilabel_soft_margin",
               lambda lib, x, t, w: F(lib).multilabel_soft_margin_loss(x, t, weight=w, **k),
               [m((3, 4), dt), m((3, 4), dt, 0, 1), m((4,), dt, 0, 1)],
               grad=[True, True, False]),
        OpCase("margin_ranking",
               lambda lib, a, b, t: F(lib).margin_ranking_loss(a, b, t, margin=0.3, **k),
               [m((5,), dt), m((5,), dt), sign((5,), dt)], grad=[True, True, False]),
        OpCase("hinge_embedding",
               lambda lib, a, t: F(lib).hinge_embedding_loss(a, t, margin=0.5, **k),
               [m((3, 5), dt), sign((3, 5), dt)], grad=[True, False]),
        OpCase("cosine_embedding",
               lambda lib, a, b, t: F(lib).cosine_embedding_loss(a, b, t, margin=0.2, **k),
               [m((5, 3), dt), m((5, 3), dt), sign((5,), dt)], grad=[True, True, False]),
        OpCase("cosine_embedding unbatched",
               lambda lib, a, b, t: F(lib).cosine_embedding_loss(a, b, t, margin=0.2, **k),
               [m((3,), dt), m((3,), dt), np.array(-1., dtype=dt)], grad=[True, True, False]),
        OpCase("triplet_margin",
               lambda lib, a, b, c: F(lib).triplet_margin_loss(a, b, c, margin=2., **k),
               [m((5, 3), dt), m((5, 3), dt), m((5, 3), dt)]),
        OpCase("triplet_margin swap p1",
               lambda lib, a, b, c: F(lib).triplet_margin_loss(a, b, c, p=1, swap=True,
                                                               margin=2., **k),
               [m((5, 3), dt), m((5, 3), dt), m((5, 3), dt)]),
        OpCase("triplet_margin_with_distance",
               lambda lib, a, b, c: F(lib).triplet_margin_with_distance_loss(
                   a, b, c, margin=2., swap=True, **k),
               [m((5, 3), dt), m((5, 3), dt), m((5, 3), dt)]),
        OpCase("poisson_nll", lambda lib, x, y: F(lib).poisson_nll_loss(x, y, **k),
               [m((3, 4), dt), m((3, 4), dt, 0, 4)]),
        OpCase("poisson_nll full, not log",
               lambda lib, x, y: F(lib).poisson_nll_loss(x, y, log_input=False, full=True, **k),
               [m((3, 4), dt, 0.1, 3), m((3, 4), dt, 0.1, 4)]),
        OpCase("gaussian_nll", lambda lib, x, y, v: F(lib).gaussian_nll_loss(x, y, v, **k),
               [m((3, 4), dt), m((3, 4), dt), m((3, 4), dt, 0.1, 2)]),
        OpCase("gaussian_nll var one dim short, full",
               lambda lib, x, y, v: F(lib).gaussian_nll_loss(x, y, v, full=True, **k),
               [m((3, 4), dt), m((3, 4), dt), m((3,), dt, 0.1, 2)]),
        OpCase("gaussian_nll var broadcast",
               lambda lib, x, y, v: F(lib).gaussian_nll_loss(x, y, v, eps=0.05, **k),
               [m((3, 4), dt), m((3, 4), dt), m((3, 1), dt, 0.1, 2)]),
    ]


CASES = [(dt, red, c) for dt in ("float32", "float64") for red in REDS for c in _cases(dt, red)]


def _chain(out, depth=6):
    """The node names of the graph behind ``out``, breadth first."""
    names, frontier = [], [out.grad_fn]
    for _ in range(depth):
        nxt = []
        for fn in frontier:
            if fn is None:
                continue
            names.append(fn.name().replace("torch::autograd::", ""))
            nxt += [f for f, _ in fn.next_functions]
        frontier = nxt
    return names


@pytest.mark.parametrize("dt,red,case", CASES, ids=[f"{c.name}-{dt}-{r}" for dt, r, c in CASES])
def test_matches_torch(dt, red, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_case(case)
        flags = _grad_flags(case)
        t = case.fn(torch, *[to_torch(x, f) for x, f in zip(case.inputs, flags)])
        e = case.fn(ember, *[to_ember(x, f) for x, f in zip(case.inputs, flags)])
    assert _chain(e) == _chain(t)


GRADCHECK = [c for dt, red, c in CASES if dt == "float64" and red != "none"]


@pytest.mark.parametrize("case", GRADCHECK, ids=[c.name for c in GRADCHECK])
def test_gradcheck(case):
    second = any(s in case.name for s in ("cross_entropy", "bce", "nll", "mse", "huber"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradcheck_case(case, second_order=second)


def test_legacy_reduction_args():
    x, y = make((3, 4)), make((3, 4))
    for sa, rd in [(None, False), (False, None), (True, True), (False, True), (None, None)]:
        for fn in ("mse_loss", "l1_loss", "soft_margin_loss", "smooth_l1_loss"):
            with warnings.catch_warnings(record=True) as wt:
                warnings.simplefilter("always")
                t = getattr(torch.nn.functional, fn)(torch.from_numpy(x), torch.from_numpy(y),
                                                     size_average=sa, reduce=rd)
            with warnings.catch_warnings(record=True) as we:
                warnings.simplefilter("always")
                e = getattr(ember.nn.functional, fn)(ember.from_numpy(x), ember.from_numpy(y),
                                                     size_average=sa, reduce=rd)
            np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)
            assert [str(w.message) for w in we] == [str(w.message) for w in wt]


def test_warnings_match():
    def msgs(lib, fn):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            fn(lib)
        return [(w_.category.__name__, str(w_.message)) for w_ in w]

    for fn in [
        lambda lib: F(lib).mse_loss(lib.ones(3, 4), lib.ones(4)),
        lambda lib: F(lib).l1_loss(lib.ones(3, 4), lib.ones(4)),
        lambda lib: F(lib).huber_loss(lib.ones(3, 4), lib.ones(4)),
        lambda lib: F(lib).smooth_l1_loss(lib.ones(3, 4), lib.ones(4)),
        lambda lib: F(lib).kl_div(lib.ones(3, 4), lib.ones(3, 4)),
        lambda lib: F(lib).kl_div(lib.ones(3, 4), lib.ones(3, 4), reduction="batchmean"),
        lambda lib: F(lib).cross_entropy(lib.ones(3, 4), lib.tensor([0, 1, 2]),
                                         reduction="elementwise_mean"),
    ]:
        assert msgs(ember, fn) == msgs(torch, fn)


# ---------------------------------------------------------------- exact sums
@pytest.mark.parametrize("n", [0, 1, 15, 16, 17, 63, 64, 65, 256, 257, 4097, 70000])
def test_cascade_sum_matches_the_loop(n):
    for dt in (np.float32, np.float64):
        v = (RNG.standard_normal(n) * 10).astype(dt)
        assert cascade_sum(v) == _cascade_sum_loop(v, np.ones(n, bool), np.dtype(dt))
        valid = RNG.random(n) < 0.8
        valid[::16] = True
        assert cascade_sum(v, valid) == _cascade_sum_loop(v, valid, np.dtype(dt))
        valid[::32] = False  # an ignored sample where PyTorch would carry: the loop path
        assert cascade_sum(v, valid) == _cascade_sum_loop(v, valid, np.dtype(dt))


@pytest.mark.parametrize("shape", [(64, 10), (1000, 7), (5, 3, 4, 4), (7, 5, 9)])
@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["plain", "weight", "ignore"])
def test_nll_loss_bit_exact(shape, dt, kind):
    x = RNG.standard_normal(shape).astype(dt) * 3
    t = RNG.integers(0, shape[1], (shape[0],) + shape[2:])
    w = RNG.random(shape[1]).astype(dt) if kind == "weight" else None
    if kind == "ignore":
        t[RNG.random(t.shape) < 0.3] = 2
    for red in REDS:
        outs = []
        for lib in (torch, ember):
            xx = lib.from_numpy(x.copy()).requires_grad_()
            out = F(lib).nll_loss(xx, lib.from_numpy(t.copy()), None if w is None else
                                  lib.from_numpy(w.copy()), reduction=red,
                                  ignore_index=2 if kind == "ignore" else -100)
            out.backward(lib.from_numpy(np.full(out.shape, 0.7, dt)))
            outs.append((out.detach().numpy(), xx.grad.numpy()))
        np.testing.assert_array_equal(outs[1][0], outs[0][0])
        np.testing.assert_array_equal(outs[1][1], outs[0][1])


def test_cross_entropy_double_backward():
    x = make((4, 5), "float64")
    t = idx((4,), 5)
    res = []
    for lib in (torch, ember):
        xx = lib.from_numpy(x.copy()).requires_grad_()
        loss = F(lib).cross_entropy(xx, lib.from_numpy(t.copy()), label_smoothing=0.1)
        (g,) = lib.autograd.grad(loss, xx, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), xx)
        res.append(gg.numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- CTC
def _ctc(t_len, n, c, s, dt, red, zi, concat=False, blank=0, il=None, tl=None):
    x = RNG.standard_normal((t_len, n, c)).astype(dt)
    tl = RNG.integers(0, s + 1, n) if tl is None else np.array(tl)
    il = RNG.integers(1, t_len + 1, n) if il is None else np.array(il)
    tg = RNG.choice([lab for lab in range(c) if lab != blank], (n, s)).astype(np.int64)
    if concat:
        tg = np.concatenate([tg[i, :tl[i]] for i in range(n)])
    g0 = RNG.standard_normal(n).astype(dt)
    res = []
    for lib in (torch, ember):
        xx = lib.from_numpy(x.copy()).requires_grad_()
        loss = F(lib).ctc_loss(xx.log_softmax(2), lib.from_numpy(tg.copy()),
                               lib.from_numpy(il.copy()), lib.from_numpy(tl.copy()),
                               blank=blank, reduction=red, zero_infinity=zi)
        g = g0.copy() if red == "none" else np.ones((), dt)
        loss.backward(lib.from_numpy(g))
        res.append((loss.detach().numpy(), xx.grad.numpy(), _chain(loss)))
    tol = 1e-4 if dt == "float32" else 1e-9
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=tol, atol=tol)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=tol, atol=tol)
    assert res[1][2] == res[0][2]


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("red", REDS)
@pytest.mark.parametrize("zi", [False, True])
@pytest.mark.parametrize("concat", [False, True])
def test_ctc_matches_torch(dt, red, zi, concat):
    _ctc(12, 4, 5, 4, dt, red, zi, concat)
    _ctc(20, 3, 6, 7, dt, red, zi, concat, blank=2)
    # an empty input, an empty target, repeated labels that need separating blanks
    _ctc(5, 3, 4, 3, dt, red, zi, concat, il=[5, 2, 0], tl=[3, 0, 2])


def test_ctc_unbatched_and_list_lengths():
    x = RNG.standard_normal((8, 5))
    tg = np.array([1, 2, 2])
    outs = []
    for lib in (torch, ember):
        xx = lib.from_numpy(x.copy()).requires_grad_()
        lp = xx.log_softmax(1)
        a = F(lib).ctc_loss(lp, lib.from_numpy(tg), lib.tensor(8), lib.tensor(3),
                            reduction="none")
        b = F(lib).ctc_loss(lp[:, None], lib.from_numpy(tg[None]), [8], (3,), reduction="sum")
        (a + b).backward()
        outs.append((a.detach().numpy(), b.detach().numpy(), xx.grad.numpy(), _chain(a)))
    for e, t in zip(outs[1], outs[0]):
        if isinstance(t, list):
            assert e == t
        else:
            np.testing.assert_allclose(e, t, rtol=1e-10)


def test_ctc_gradcheck_through_log_softmax():
    x = ember.from_numpy(RNG.standard_normal((6, 2, 4))).requires_grad_()
    tg = ember.tensor([[1, 2], [3, 3]])

    def f(x):
        return F(ember).ctc_loss(x.log_softmax(2), tg, [6, 5], [2, 2], reduction="sum")

    assert ember.autograd.gradcheck(f, (x,), eps=1e-6, atol=1e-5, rtol=1e-3)


# ---------------------------------------------------------------- bad input
def _x(lib, *s):
    return lib.ones(*s) * 0.5


def _t(lib, v):
    return lib.tensor(v)


_LP = (6, 3, 5)


def _ctc_args(lib):
    return (lib.zeros(*_LP).log_softmax(2), lib.ones(3, 3, dtype=lib.long), lib.tensor([6, 5, 4]),
            lib.tensor([3, 2, 1]))


def _ctc_with(lib, i, v, **kw):
    args = list(_ctc_args(lib))
    args[i] = v
    return F(lib).ctc_loss(*args, **kw)


BAD = {
    "target out of bounds": lambda lib: F(lib).cross_entropy(_x(lib, 3, 5), _t(lib, [0, 5, 1])),
    "negative target": lambda lib: F(lib).cross_entropy(_x(lib, 3, 5), _t(lib, [0, -1, 1])),
    "target out of bounds, none": lambda lib: F(lib).nll_loss(_x(lib, 3, 5), _t(lib, [0, 7, 1]),
                                                              reduction="none"),
    "target out of bounds 4d": lambda lib: F(lib).cross_entropy(_x(lib, 2, 5, 2, 2),
                                                                lib.full((2, 2, 2), 9)),
    "float target": lambda lib: F(lib).cross_entropy(_x(lib, 3, 5), _t(lib, [0., 1, 1])),
    "int32 target": lambda lib: F(lib).nll_loss(_x(lib, 3, 5), _t(lib, [0, 1, 1]).int()),
    "bool target": lambda lib: F(lib).nll_loss(_x(lib, 3, 5), _t(lib, [0, 1, 1]).bool()),
    "batch size": lambda lib: F(lib).cross_entropy(_x(lib, 3, 5), _t(lib, [0, 1])),
    "0-d input": lambda lib: F(lib).nll_loss(_t(lib, 1.), _t(lib, 0)),
    "0-d input ce": lambda lib: F(lib).cross_entropy(_t(lib, 1.), _t(lib, 0)),
    "2-d target": lambda lib: F(lib).nll_loss(_x(lib, 3, 5), lib.zeros(3, 2, dtype=lib.long)),
    "3d size": lambda lib: F(lib).cross_entropy(_x(lib, 2, 5, 3), lib.zeros(2, 4, dtype=lib.long)),
    "4d size": lambda lib: F(lib).cross_entropy(_x(lib, 2, 5, 3, 3),
                                                lib.zeros(2, 4, 3, dtype=lib.long)),
    "4d target dims": lambda lib: F(lib).cross_entropy(_x(lib, 2, 5, 3, 3),
                                                       lib.zeros(2, 3, dtype=lib.long)),
    "weight size": lambda lib: F(lib).cross_entropy(_x(lib, 3, 5), _t(lib, [0, 1, 1]),
                                                    weight=lib.ones(4)),
    "weight size probs": lambda lib: F(lib).cross_entropy(_x(lib, 3, 5), _x(lib, 3, 5),
                                                          weight=lib.ones(4)),
    "int probs": lambda lib: F(lib).cross_entropy(_x(lib, 3, 5), lib.ones(3, 5, dtype=lib.long)),
    "probs ignore_index": lambda lib: F(lib).cross_entropy(_x(lib, 3, 5), _x(lib, 3, 5),
                                                           ignore_index=1),
    "label_smoothing > 1": lambda lib: F(lib).cross_entropy(_x(lib, 3, 5), _t(lib, [0, 1, 1]),
                                                            label_smoothing=1.5),
    "label_smoothing > 1 probs": lambda lib: F(lib).cross_entropy(_x(lib, 3, 5), _x(lib, 3, 5),
                                                                  label_smoothing=2.0),
    "bad reduction": lambda lib: F(lib).cross_entropy(_x(lib, 3, 5), _t(lib, [0, 1, 1]),
                                                      reduction="foo"),
    "int input": lambda lib: F(lib).cross_entropy(lib.ones(3, 5, dtype=lib.long),
                                                  _t(lib, [0, 1, 1])),
    "int input nll": lambda lib: F(lib).nll_loss(lib.ones(3, 5, dtype=lib.long),
                                                 _t(lib, [0, 1, 1])),
    "weight dtype": lambda lib: F(lib).nll_loss(_x(lib, 3, 5).double(), _t(lib, [0, 1, 1]),
                                                weight=lib.ones(5)),
    "weight 2d": lambda lib: F(lib).nll_loss(_x(lib, 3, 4), _t(lib, [0, 1, 2]),
                                             weight=lib.ones(1, 4)),
    "1d input, 2 targets": lambda lib: F(lib).nll_loss(_x(lib, 4), _t(lib, [1, 2])),
    "0-d target, 2d input": lambda lib: F(lib).nll_loss(_x(lib, 3, 4), _t(lib, 1)),
    "input not a tensor": lambda lib: F(lib).cross_entropy([1.0], _t(lib, [1])),
    "nll weight requires grad": lambda lib: F(lib).nll_loss(
        _x(lib, 3, 4), _t(lib, [0, 1, 2]), weight=lib.ones(4, requires_grad=True)),
    "bce size": lambda lib: F(lib).binary_cross_entropy(_x(lib, 3), _x(lib, 3, 1)),
    "bce input > 1": lambda lib: F(lib).binary_cross_entropy(_t(lib, [1.5, 0.5]), _x(lib, 2)),
    "bce input nan": lambda lib: F(lib).binary_cross_entropy(_t(lib, [float("nan"), 0.5]),
                                                             _x(lib, 2)),
    "bce target range": lambda lib: F(lib).binary_cross_entropy(_t(lib, [0.5, 0.5]),
                                                                _t(lib, [2., -1])),
    "bce target first": lambda lib: F(lib).binary_cross_entropy(_t(lib, [0.5, 2.]),
                                                                _t(lib, [2., 0.5])),
    "bce int": lambda lib: F(lib).binary_cross_entropy(_t(lib, [1, 0]), _t(lib, [1, 0])),
    "bce dtypes": lambda lib: F(lib).binary_cross_entropy(_x(lib, 2), _x(lib, 2).double()),
    "bce weight shape": lambda lib: F(lib).binary_cross_entropy(_x(lib, 2, 3), _x(lib, 2, 3),
                                                                weight=_x(lib, 2)),
    "bce weight requires grad": lambda lib: F(lib).binary_cross_entropy(
        _x(lib, 2, 3), _x(lib, 2, 3), weight=lib.ones(3, requires_grad=True)),
    "bce_logits size": lambda lib: F(lib).binary_cross_entropy_with_logits(_x(lib, 3),
                                                                           _x(lib, 3, 1)),
    "bce_logits int target": lambda lib: F(lib).binary_cross_entropy_with_logits(
        _x(lib, 3), _t(lib, [1, 0, 1])),
    "bce_logits int input": lambda lib: F(lib).binary_cross_entropy_with_logits(
        _t(lib, [1, 0, 1]), _x(lib, 3)),
    "bce_logits pos_weight shape": lambda lib: F(lib).binary_cross_entropy_with_logits(
        _x(lib, 3, 4), _x(lib, 3, 4), pos_weight=lib.ones(3)),
    "bce_logits pos_weight grad": lambda lib: F(lib).binary_cross_entropy_with_logits(
        _x(lib, 3, 4), _x(lib, 3, 4), pos_weight=lib.ones(4, requires_grad=True)),
    "mse int": lambda lib: F(lib).mse_loss(_t(lib, [1, 2]), _t(lib, [1, 3])),
    "mse broadcast": lambda lib: F(lib).mse_loss(_x(lib, 2, 3), _x(lib, 2)),
    "mse weight size": lambda lib: F(lib).mse_loss(_x(lib, 2, 3), _x(lib, 2, 3),
                                                   weight=_x(lib, 3)),
    "l1 int": lambda lib: F(lib).l1_loss(_t(lib, [1, 2]), _t(lib, [1, 3])),
    "smooth_l1 int": lambda lib: F(lib).smooth_l1_loss(_t(lib, [1, 2]), _t(lib, [1, 3])),
    "smooth_l1 beta": lambda lib: F(lib).smooth_l1_loss(_x(lib, 2), _x(lib, 2), beta=-1.),
    "huber delta": lambda lib: F(lib).huber_loss(_x(lib, 2), _x(lib, 2), delta=-1.),
    "huber int": lambda lib: F(lib).huber_loss(_t(lib, [1, 2]), _t(lib, [1, 3])),
    "huber int input": lambda lib: F(lib).huber_loss(_t(lib, [1, 2]), _x(lib, 2)),
    "soft_margin int input": lambda lib: F(lib).soft_margin_loss(_t(lib, [1, 2]), _x(lib, 2)),
    "soft_margin target grad": lambda lib: F(lib).soft_margin_loss(
        _x(lib, 2), lib.ones(2, requires_grad=True)),
    "kl_div int": lambda lib: F(lib).kl_div(_t(lib, [1, 2]), _t(lib, [1, 3])),
    "multi_margin p": lambda lib: F(lib).multi_margin_loss(_x(lib, 3, 5), _t(lib, [0, 1, 1]),
                                                           p=3),
    "multi_margin target range": lambda lib: F(lib).multi_margin_loss(_x(lib, 3, 5),
                                                                      _t(lib, [0, 5, 1])),
    "multi_margin weight 2d": lambda lib: F(lib).multi_margin_loss(
        _x(lib, 3, 5), _t(lib, [0, 1, 1]), weight=lib.ones(1, 5)),
    "multi_margin target size": lambda lib: F(lib).multi_margin_loss(_x(lib, 3, 5),
                                                                     _t(lib, [0, 1])),
    "multi_margin 3d": lambda lib: F(lib).multi_margin_loss(_x(lib, 2, 3, 4), _t(lib, [0, 1])),
    "multi_margin float target": lambda lib: F(lib).multi_margin_loss(_x(lib, 3, 5),
                                                                      _t(lib, [0., 1, 1])),
    "multi_margin weight dtype": lambda lib: F(lib).multi_margin_loss(
        _x(lib, 3, 4), _t(lib, [0, 1, 2]), weight=lib.ones(4).double()),
    "multi_margin int": lambda lib: F(lib).multi_margin_loss(lib.ones(3, 4, dtype=lib.long),
                                                             _t(lib, [0, 1, 2])),
    "multi_margin weight size": lambda lib: F(lib).multi_margin_loss(
        _x(lib, 3, 4), _t(lib, [0, 1, 2]), weight=lib.ones(3)),
    "multilabel_margin target range": lambda lib: F(lib).multilabel_margin_loss(
        _x(lib, 2, 3), _t(lib, [[0, 5, -1], [1, 1, 1]])),
    "multilabel_margin target size": lambda lib: F(lib).multilabel_margin_loss(
        _x(lib, 2, 3), _t(lib, [[0, 1, -1]])),
    "margin_ranking dims": lambda lib: F(lib).margin_ranking_loss(_x(lib, 3), _x(lib, 3, 1),
                                                                  _x(lib, 3)),
    "cosine_embedding 2d target": lambda lib: F(lib).cosine_embedding_loss(
        _x(lib, 3, 2), _x(lib, 3, 2), _x(lib, 3, 1)),
    "cosine_embedding 1d inputs": lambda lib: F(lib).cosine_embedding_loss(
        _x(lib, 3), _x(lib, 3), _x(lib, 3)),
    "cosine_embedding 0d target": lambda lib: F(lib).cosine_embedding_loss(
        _x(lib, 3, 2), _x(lib, 3, 2), _t(lib, 1.)),
    "triplet margin": lambda lib: F(lib).triplet_margin_loss(
        _x(lib, 3, 5), _x(lib, 3, 5), _x(lib, 3, 5), margin=0),
    "triplet dims": lambda lib: F(lib).triplet_margin_loss(_x(lib, 3, 5), _x(lib, 3, 5),
                                                           _x(lib, 5)),
    "triplet distance dims": lambda lib: F(lib).triplet_margin_with_distance_loss(
        _x(lib, 3, 5), _x(lib, 3, 5), _x(lib, 5)),
    "triplet distance reduction": lambda lib: F(lib).triplet_margin_with_distance_loss(
        _x(lib, 3, 5), _x(lib, 3, 5), _x(lib, 5), reduction="x"),
    "poisson reduction": lambda lib: F(lib).poisson_nll_loss(_x(lib, 3), _x(lib, 3),
                                                             reduction="foo"),
    "gaussian negative var": lambda lib: F(lib).gaussian_nll_loss(_x(lib, 3, 5), _x(lib, 3, 5),
                                                                  -lib.ones(3, 5)),
    "gaussian negative float var": lambda lib: F(lib).gaussian_nll_loss(
        _x(lib, 3, 5), _x(lib, 3, 5), -1.),
    "gaussian var size": lambda lib: F(lib).gaussian_nll_loss(_x(lib, 3, 5), _x(lib, 3, 5),
                                                              lib.ones(2)),
    "gaussian reduction": lambda lib: F(lib).gaussian_nll_loss(
        _x(lib, 3, 5), _x(lib, 3, 5), lib.ones(3, 5), reduction="x"),
    "multilabel_soft_margin reduction": lambda lib: F(lib).multilabel_soft_margin_loss(
        _x(lib, 3, 5), _x(lib, 3, 5), reduction="foo"),
    "ctc blank": lambda lib: F(lib).ctc_loss(*_ctc_args(lib), blank=5),
    "ctc input length too long": lambda lib: _ctc_with(lib, 2, lib.tensor([7, 5, 5])),
    "ctc negative input length": lambda lib: _ctc_with(lib, 2, lib.tensor([-1, 5, 5])),
    "ctc negative target length": lambda lib: _ctc_with(lib, 3, lib.tensor([-1, 5, 5])),
    "ctc target length too long": lambda lib: _ctc_with(lib, 3, lib.tensor([4, 1, 1])),
    "ctc input lengths size": lambda lib: _ctc_with(lib, 2, lib.tensor([6, 5])),
    "ctc target lengths size": lambda lib: _ctc_with(lib, 3, lib.tensor([6, 5])),
    "ctc float lengths": lambda lib: _ctc_with(lib, 2, lib.tensor([6., 5, 4])),
    "ctc concatenated size": lambda lib: _ctc_with(lib, 1, lib.ones(4, dtype=lib.long)),
    "ctc 4d log_probs": lambda lib: _ctc_with(lib, 0, lib.zeros(1, *_LP)),
    "ctc int log_probs": lambda lib: _ctc_with(lib, 0, lib.zeros(*_LP, dtype=lib.long)),
    "ctc 3d targets": lambda lib: _ctc_with(lib, 1, lib.ones(1, 3, 3, dtype=lib.long)),
    "ctc targets batch": lambda lib: _ctc_with(lib, 1, lib.ones(2, 3, dtype=lib.long)),
    "ctc reduction": lambda lib: F(lib).ctc_loss(*_ctc_args(lib), reduction="x"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_raises_like_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_like(BAD[name])


def test_tensor_level_functions():
    x, y = make((3, 4)), make((3, 4), low=0, high=1)
    for name, args in [("kl_div", (x, y, 2)), ("kl_div", (x, y)),
                       ("binary_cross_entropy_with_logits", (x, y)),
                       ("binary_cross_entropy_with_logits", (x, y, None, None, 1)),
                       ("cosine_embedding_loss", (x, y, np.sign(y[:, 0] - 0.5))),
                       ("triplet_margin_loss", (x, y, x * 2)),
                       ("poisson_nll_loss", (x, y, True, False, 1e-8, 1)),
                       ("hinge_embedding_loss", (x, np.sign(y - 0.5), 1.0, 2)),
                       ("margin_ranking_loss", (x, y, np.sign(y - 0.5), 0.1, 0)),
                       ("triplet_margin_loss", (x, y, x * 2, 1.0, 2.0, 1e-6, False, 1))]:
        t = getattr(torch, name)(*[torch.from_numpy(a) if isinstance(a, np.ndarray) else a
                                   for a in args])
        e = getattr(ember, name)(*[ember.from_numpy(a) if isinstance(a, np.ndarray) else a
                                   for a in args])
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


def test_ctc_tensor_level_defaults_to_no_reduction():
    res = []
    for lib in (torch, ember):
        lp = lib.zeros(5, 2, 4).log_softmax(2)
        res.append(lib.ctc_loss(lp, lib.ones(2, 2, dtype=lib.long), [5, 5], [2, 2]).numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-6)
    for lib in (torch, ember):  # every argument is required (the message is Python's own)
        with pytest.raises(TypeError):
            lib.poisson_nll_loss(lib.ones(2), lib.ones(2), True, False, 1e-8)
