"""Loss modules against PyTorch: reprs, attributes, registered buffers and state_dict, the
legacy size_average/reduce arguments, forward and backward through the module, constructor
errors and warnings."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from optable import assert_raises_like, make

import ember

# constructor calls, written once for both libraries (W: a weight tensor of 4 classes)
LOSSES = [
    "L1Loss()", "L1Loss(reduction='sum')", "L1Loss(size_average=False)", "MSELoss()",
    "MSELoss(reduce=False)", "MSELoss(reduction='none')", "CrossEntropyLoss()",
    "CrossEntropyLoss(weight=W, ignore_index=1, label_smoothing=0.1)",
    "CrossEntropyLoss(reduction='sum')", "NLLLoss()", "NLLLoss(W, ignore_index=2)",
    "NLLLoss(reduction='none')", "BCELoss()", "BCELoss(weight=W)", "BCEWithLogitsLoss()",
    "BCEWithLogitsLoss(pos_weight=W)", "BCEWithLogitsLoss(W, reduction='sum')", "KLDivLoss()",
    "KLDivLoss(reduction='batchmean', log_target=True)", "SmoothL1Loss()",
    "SmoothL1Loss(beta=0.5)", "HuberLoss()", "HuberLoss(delta=2)", "HuberLoss('sum', 0.5)",
    "SoftMarginLoss()", "MultiLabelSoftMarginLoss()", "MultiLabelSoftMarginLoss(W)",
    "MultiMarginLoss()", "MultiMarginLoss(p=2, margin=0.5, weight=W)", "MarginRankingLoss()",
    "MarginRankingLoss(0.5)", "HingeEmbeddingLoss()", "HingeEmbeddingLoss(margin=2.)",
    "CosineEmbeddingLoss()", "CosineEmbeddingLoss(0.3, reduction='none')",
    "TripletMarginLoss()", "TripletMarginLoss(margin=2., p=1., swap=True)",
    "TripletMarginWithDistanceLoss()", "TripletMarginWithDistanceLoss(margin=2., swap=True)",
    "PoissonNLLLoss()", "PoissonNLLLoss(log_input=False, full=True)", "GaussianNLLLoss()",
    "GaussianNLLLoss(full=True, eps=1e-3)", "CTCLoss()", "CTCLoss(blank=1, zero_infinity=True)",
    "MultiLabelMarginLoss()",
]


def build(lib, expr):
    env = dict(vars(lib.nn))
    env["W"] = lib.tensor([1.0, 2.0, 0.5, 1.5])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(expr, {"__builtins__": {}}, env)


@pytest.mark.parametrize("expr", LOSSES)
def test_repr_attributes_and_state_dict(expr):
    t, e = build(torch, expr), build(ember, expr)
    assert repr(e) == repr(t)
    for name in ("reduction", "ignore_index", "label_smoothing", "log_target", "beta", "delta",
                 "p", "margin", "swap", "eps", "full", "log_input", "blank", "zero_infinity"):
        assert getattr(e, name, "absent") == getattr(t, name, "absent"), name
    assert getattr(type(e), "__constants__", None) == getattr(type(t), "__constants__", None)
    assert list(e.state_dict()) == list(t.state_dict())
    for (ne, be), (nt, bt) in zip(e.named_buffers(), t.named_buffers()):
        assert ne == nt
        np.testing.assert_array_equal(be.numpy(), bt.numpy())
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]


def _inputs(expr, dt):
    """NumPy inputs for a loss module's forward."""
    name = expr.split("(")[0]
    if name in ("CrossEntropyLoss", "NLLLoss", "MultiMarginLoss"):
        x = make((5, 4), dt)
        if name == "NLLLoss":
            x = np.log(np.exp(x) / np.exp(x).sum(1, keepdims=True)).astype(dt)
        return [x, np.array([0, 1, 2, 3, 1])]
    if name == "MultiLabelMarginLoss":
        return [make((2, 4), dt), np.array([[3, 0, -1, 1], [1, 2, 3, 0]])]
    if name == "BCELoss":
        return [make((3, 4), dt, 0.05, 0.95), make((3, 4), dt, 0, 1)]
    if name in ("BCEWithLogitsLoss", "MultiLabelSoftMarginLoss"):
        return [make((3, 4), dt), make((3, 4), dt, 0, 1)]
    if name == "KLDivLoss":
        return [make((3, 4), dt), make((3, 4), dt, 0, 1)]
    if name in ("SoftMarginLoss", "HingeEmbeddingLoss"):
        return [make((3, 4), dt), np.sign(make((3, 4), dt))]
    if name in ("MarginRankingLoss",):
        return [make((6,), dt), make((6,), dt), np.sign(make((6,), dt))]
    if name == "CosineEmbeddingLoss":
        return [make((5, 3), dt), make((5, 3), dt), np.sign(make((5,), dt))]
    if name.startswith("TripletMargin"):
        return [make((5, 3), dt), make((5, 3), dt), make((5, 3), dt)]
    if name == "PoissonNLLLoss":
        return [make((3, 4), dt, 0.1, 3), make((3, 4), dt, 0, 4)]
    if name == "GaussianNLLLoss":
        return [make((3, 4), dt), make((3, 4), dt), make((3, 4), dt, 0.1, 2)]
    return [make((3, 4), dt), make((3, 4), dt)]


@pytest.mark.parametrize("expr", [e for e in LOSSES if not e.startswith("CTC")])
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_forward_backward_matches_torch(expr, dt):
    arrays = _inputs(expr, dt)
    res = []
    for lib in (torch, ember):
        m = build(lib, expr).to(getattr(lib, dt))
        ins = [lib.from_numpy(a.copy()) for a in arrays]
        ins[0].requires_grad_()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = m(*ins)
        out.backward(lib.ones_like(out))
        res.append((out.detach().numpy(), ins[0].grad.numpy(), out.grad_fn.name(), str(out.dtype)))
    (ot, gt, nt, dtt), (oe, ge, ne, dte) = res
    assert (ne, dte) == (nt, dtt)
    np.testing.assert_allclose(oe, ot, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ge, gt, rtol=1e-5, atol=1e-6)


def test_ctc_module():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((10, 3, 5)).astype(np.float32)
    res = []
    for lib in (torch, ember):
        xx = lib.from_numpy(x.copy()).requires_grad_()
        m = lib.nn.CTCLoss(blank=4, zero_infinity=True)
        out = m(xx.log_softmax(2), lib.tensor([[1, 2, 2], [0, 1, 3], [2, 2, 2]]),
                lib.tensor([10, 8, 3]), lib.tensor([3, 2, 3]))
        out.backward()
        res.append((out.item(), xx.grad.numpy()))
    assert abs(res[1][0] - res[0][0]) < 1e-5
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-4, atol=1e-5)


def test_module_is_picklable_and_copyable():
    import copy

    m = ember.nn.CrossEntropyLoss(weight=ember.tensor([1.0, 2.0]), label_smoothing=0.1)
    for m2 in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
        assert repr(m2) == repr(m)
        np.testing.assert_array_equal(m2.weight.numpy(), m.weight.numpy())


def test_weight_buffer_follows_dtype_and_loads():
    t = torch.nn.NLLLoss(weight=torch.tensor([1.0, 2.0]))
    e = ember.nn.NLLLoss(weight=ember.tensor([1.0, 2.0]))
    assert str(e.double().weight.dtype) == str(t.double().weight.dtype)
    e.load_state_dict({"weight": ember.tensor([3.0, 4.0], dtype=ember.float64)})
    assert e.weight.tolist() == [3.0, 4.0]


def _warns(lib, expr):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        build_raw(lib, expr)
    return [(x.category.__name__, str(x.message)) for x in w]


def build_raw(lib, expr):
    return eval(expr, {"__builtins__": {}}, dict(vars(lib.nn)))


@pytest.mark.parametrize("expr", ["MSELoss(size_average=False)", "L1Loss(reduce=False)",
                                  "CrossEntropyLoss(size_average=True, reduce=True)",
                                  "NLLLoss2d()", "KLDivLoss(reduce=False)"])
def test_constructor_warnings_match(expr):
    assert _warns(ember, expr) == _warns(torch, expr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert build_raw(ember, expr).reduction == build_raw(torch, expr).reduction


@pytest.mark.parametrize("expr", ["HuberLoss(delta='a')", "MultiMarginLoss(p=3)",
                                  "TripletMarginLoss(margin=-1)",
                                  "TripletMarginWithDistanceLoss(margin=0)",
                                  "MSELoss(reduction='bad')"])
def test_constructor_errors(expr):
    if expr == "MSELoss(reduction='bad')":  # accepted at construction, rejected at forward
        assert_raises_like(lambda lib: build_raw(lib, expr)(lib.ones(2), lib.ones(2)))
        return
    assert_raises_like(lambda lib: build_raw(lib, expr))


def test_multi_margin_weight_dim_error():
    assert_raises_like(lambda lib: lib.nn.MultiMarginLoss(weight=lib.ones(2, 2)))


def test_kl_div_mean_warning_from_module():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="batchmean"):
            lib.nn.KLDivLoss()(lib.zeros(2, 3), lib.ones(2, 3) / 3)


def test_custom_distance_function():
    def dist(a, b):
        return (a - b).abs().sum(-1)

    arrs = [make((4, 3)) for _ in range(3)]
    outs = []
    for lib in (torch, ember):
        m = lib.nn.TripletMarginWithDistanceLoss(distance_function=dist, margin=1.5)
        outs.append(m(*[lib.from_numpy(a.copy()) for a in arrs]).item())
    assert abs(outs[0] - outs[1]) < 1e-6


def test_training_step_prints_like_torch():
    """A few SGD steps of a linear classifier with CrossEntropyLoss: the printed losses match."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 20)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    w0 = (rng.standard_normal((10, 20)) * 0.1).astype(np.float32)
    lines = []
    for lib in (torch, ember):
        w = lib.from_numpy(w0.copy()).requires_grad_()
        lossf = lib.nn.CrossEntropyLoss()
        out = []
        for _ in range(5):
            loss = lossf(lib.from_numpy(x) @ w.t(), lib.from_numpy(y))
            loss.backward()
            with lib.no_grad():
                w -= 0.5 * w.grad
                w.grad = None
            out.append(f"{loss.item():.4f}")
        lines.append(out)
    assert lines[0] == lines[1]
