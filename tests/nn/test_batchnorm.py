"""BatchNorm1d/2d/3d against PyTorch: reprs, parameters and buffers (state_dict keys and values),
training steps (outputs, gradients, running statistics, num_batches_tracked, momentum None),
eval mode, track_running_stats=False, load_state_dict, errors."""

import numpy as np
import pytest
import torch
from optable import assert_raises_like, assert_same, make

import ember

LAYERS = [
    ("BatchNorm1d(3)", (6, 3)), ("BatchNorm1d(3)", (4, 3, 5)),
    ("BatchNorm1d(3, momentum=None)", (4, 3, 5)), ("BatchNorm1d(3, affine=False)", (6, 3)),
    ("BatchNorm1d(3, bias=False)", (6, 3)), ("BatchNorm1d(3, eps=0.1, momentum=0.5)", (4, 3)),
    ("BatchNorm2d(4)", (2, 4, 3, 5)), ("BatchNorm2d(4, track_running_stats=False)", (2, 4, 3, 3)),
    ("BatchNorm2d(4, momentum=None, affine=False)", (3, 4, 2, 2)),
    ("BatchNorm3d(2)", (2, 2, 3, 2, 2)), ("BatchNorm3d(2, momentum=0.9)", (2, 2, 2, 2, 3)),
]


def build(lib, expr):
    return eval(expr, {"__builtins__": {}}, dict(vars(lib.nn)))


@pytest.mark.parametrize("expr,shape", LAYERS)
def test_repr_and_state(expr, shape):
    t, e = build(torch, expr), build(ember, expr)
    assert repr(e) == repr(t)
    ts, es = t.state_dict(), e.state_dict()
    assert list(es) == list(ts)
    for k in ts:
        assert_same(es[k], ts[k], 0, 0, k)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    for name in ("num_features", "eps", "momentum", "affine", "track_running_stats"):
        assert getattr(e, name) == getattr(t, name)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("expr,shape", LAYERS)
def test_training_steps_then_eval(expr, shape, dtype):
    res = []
    for lib in (torch, ember):
        m = build(lib, expr).to(getattr(lib, dtype))
        outs = []
        for step in range(4):
            rng = np.random.default_rng(step)
            x = lib.from_numpy(make(shape, dtype, rng=rng) * 2 + 1).requires_grad_()
            y = m(x)
            y.backward(lib.from_numpy(make(shape, dtype, rng=rng)))
            outs += [y, x.grad] + [p.grad for p in m.parameters()]
            for p in m.parameters():
                p.grad = None
        m.eval()
        x = lib.from_numpy(make(shape, dtype, rng=np.random.default_rng(9)))
        outs.append(m(x))
        outs += [b for b in m.buffers()]
        res.append((outs, y.grad_fn.name()))
    assert res[1][1] == res[0][1] == "NativeBatchNormBackward0"
    for i, (e, t) in enumerate(zip(res[1][0], res[0][0])):
        assert_same(e, t, 1e-5, 1e-5, f"value {i}")


def test_outputs_and_running_stats_bit_exact():
    res = []
    for lib in (torch, ember):
        m = lib.nn.BatchNorm2d(3, momentum=None)
        outs = []
        for step in range(5):
            x = lib.from_numpy(make((4, 3, 6, 6), rng=np.random.default_rng(step)) * 3)
            outs.append(m(x))
        m.eval()
        outs += [m(x), m.running_mean, m.running_var, m.num_batches_tracked]
        res.append(outs)
    for e, t in zip(*res[::-1]):
        np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())


def test_eval_without_running_stats_uses_batch():
    for lib in (torch, ember):
        m = lib.nn.BatchNorm1d(3, track_running_stats=False).eval()
        y = m(lib.tensor([[1.0, 2, 3], [3, 2, 1]]))
        assert y.tolist()[0][0] < 0 and m.running_mean is None


def test_reset_and_load_state_dict():
    t, e = torch.nn.BatchNorm1d(3), ember.nn.BatchNorm1d(3)
    x = make((5, 3))
    t(torch.from_numpy(x))
    e.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in t.state_dict().items()})
    assert_same(e.running_var, t.running_var, 0, 0)
    assert e.num_batches_tracked.item() == 1
    e.reset_running_stats()
    assert e.running_mean.tolist() == [0.0] * 3 and e.num_batches_tracked.item() == 0


def test_inference_in_no_grad_and_double():
    for lib in (torch, ember):
        m = lib.nn.BatchNorm1d(2, dtype=lib.float64)
        with lib.no_grad():
            y = m(lib.ones(3, 2, dtype=lib.float64))
        assert y.dtype == lib.float64 and y.grad_fn is None


ERRORS = [
    lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(1, 3)),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(1, 3, 1)),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(2, 3, 4, 4)),
    lambda lib: lib.nn.BatchNorm2d(3)(lib.ones(4, 3)),
    lambda lib: lib.nn.BatchNorm2d(3)(lib.ones(4, 4, 2, 2)),
    lambda lib: lib.nn.BatchNorm3d(3)(lib.ones(4, 3, 2, 2)),
    lambda lib: lib.nn.BatchNorm1d(3, affine=False)(lib.ones(4, 5)),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(4, 3, dtype=lib.float64)),
    lambda lib: lib.nn.BatchNorm1d(3).eval()(lib.ones(1, 4)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    assert_raises_like(ERRORS[i])


def test_one_value_per_channel_message():
    with pytest.raises(ValueError) as info:
        ember.nn.BatchNorm1d(3)(ember.ones(1, 3))
    assert str(info.value) == ("Expected more than 1 value per channel when training, got input "
                               "size torch.Size([1, 3])")
    ember.nn.BatchNorm1d(3).eval()(ember.ones(1, 3))  # fine in eval mode
