"""Identity, Linear, Bilinear against PyTorch: initial weights to the bit, reprs, forward and
backward, errors."""

import numpy as np
import pytest
import torch

import ember
from tests.optable import assert_raises_like


def build(lib, name, *args, seed=0, **kw):
    lib.manual_seed(seed)
    return getattr(lib.nn, name)(*args, **kw)


def params_bytes(m):
    return [(n, tuple(p.shape), str(p.dtype), p.detach().numpy().tobytes())
            for n, p in m.named_parameters()]


@pytest.mark.parametrize("name,args,kw", [
    ("Linear", (3, 4), {}),
    ("Linear", (784, 256), {}),
    ("Linear", (5, 2), dict(bias=False)),
    ("Linear", (1, 1), {}),
    ("Linear", (0, 3), {}),
    ("Linear", (3, 4), dict(dtype="float64")),
    ("Bilinear", (3, 5, 4), {}),
    ("Bilinear", (2, 2, 1), dict(bias=False)),
    ("Identity", (54,), dict(unused=1)),
])
def test_fresh_weights_and_repr(name, args, kw):
    kwt = dict(kw)
    kwe = dict(kw)
    if "dtype" in kw:
        kwt["dtype"] = getattr(torch, kw["dtype"])
        kwe["dtype"] = getattr(ember, kw["dtype"])
    for seed in (0, 1, 1234):
        with pytest.warns(UserWarning) if 0 in args else _nullcontext():
            mt = build(torch, name, *args, seed=seed, **kwt)
        with pytest.warns(UserWarning) if 0 in args else _nullcontext():
            me = build(ember, name, *args, seed=seed, **kwe)
        assert params_bytes(me) == params_bytes(mt)
        assert repr(me) == repr(mt)
        # the stream is left where PyTorch leaves it
        assert ember.rand(4).numpy().tobytes() == torch.rand(4).numpy().tobytes()


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def _run(lib, module_fn, inputs, noncontig=False):
    m = module_fn(lib)
    ins = []
    for a in inputs:
        t = lib.from_numpy(a.copy()).requires_grad_(True)
        ins.append(t)
    out = m(*ins)
    g = np.linspace(-1, 1, out.numel(), dtype=np.float32).reshape(tuple(out.shape))
    out.backward(lib.from_numpy(g.astype(str(out.dtype).replace("torch.", ""))))
    grads = [p.grad.numpy() for p in m.parameters()] + [t.grad.numpy() for t in ins]
    return out.detach().numpy(), grads, out.grad_fn.name()


@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3), (1, 3), (2, 2, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_backward(shape, bias):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    e = _run(ember, lambda lib: build(lib, "Linear", 3, 5, bias=bias), [x])
    t = _run(torch, lambda lib: build(lib, "Linear", 3, 5, bias=bias), [x])
    np.testing.assert_allclose(e[0], t[0], rtol=1e-5, atol=1e-6)
    for a, b in zip(e[1], t[1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert e[2] == t[2]


def test_linear_float64_and_noncontiguous():
    def run(lib):
        m = build(lib, "Linear", 3, 4, dtype=lib.float64)
        x = lib.arange(24, dtype=lib.float64).reshape(4, 2, 3).transpose(0, 1) / 7
        x.requires_grad_(True)
        y = m(x)
        y.sum().backward()
        return y.detach().numpy(), x.grad.numpy(), m.weight.grad.numpy(), y.grad_fn.name()

    e, t = run(ember), run(torch)
    for a, b in zip(e[:3], t[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert e[3] == t[3]


def test_linear_gradcheck():
    ember.manual_seed(0)
    m = ember.nn.Linear(3, 2).double()
    x = ember.randn(4, 3, dtype=ember.float64, requires_grad=True)
    w, b = m.weight, m.bias
    f = ember.nn.functional.linear
    assert ember.autograd.gradcheck(lambda x, w, b: f(x, w, b), (x, w, b))
    assert ember.autograd.gradgradcheck(lambda x, w, b: f(x, w, b), (x, w, b))


@pytest.mark.parametrize("s1,s2", [((2, 3), (2, 5)), ((3,), (5,)), ((2, 2, 3), (2, 2, 5))])
def test_bilinear_forward_backward(s1, s2):
    rng = np.random.default_rng(1)
    x1 = rng.standard_normal(s1).astype(np.float32)
    x2 = rng.standard_normal(s2).astype(np.float32)
    e = _run(ember, lambda lib: build(lib, "Bilinear", 3, 5, 4), [x1, x2])
    t = _run(torch, lambda lib: build(lib, "Bilinear", 3, 5, 4), [x1, x2])
    np.testing.assert_allclose(e[0], t[0], rtol=1e-5, atol=1e-6)
    for a, b in zip(e[1], t[1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert e[2] == t[2]


def test_identity_passes_through():
    x = ember.ones(2, 3)
    assert ember.nn.Identity()(x) is x
    assert repr(ember.nn.Identity()) == repr(torch.nn.Identity()) == "Identity()"


@pytest.mark.parametrize("fn", [
    lambda lib: build(lib, "Linear", 3, 4)(lib.ones(2, 5)),
    lambda lib: build(lib, "Linear", 3, 4)(lib.ones(2, 2, 5)),
    lambda lib: build(lib, "Linear", 3, 4)(lib.ones(())),
    lambda lib: build(lib, "Linear", 3, 4)(lib.ones(2, 3, dtype=lib.float64)),
    lambda lib: build(lib, "Linear", -1, 4),
    lambda lib: build(lib, "Linear", 3, -2),
    lambda lib: build(lib, "Bilinear", 0, 2, 3),
    lambda lib: build(lib, "Bilinear", 3, 5, 4)(lib.ones(2, 3), lib.ones(2, 4)),
    lambda lib: build(lib, "Bilinear", 3, 5, 4)(lib.ones(2, 3), lib.ones(3, 5)),
])
def test_errors(fn):
    assert_raises_like(fn)


@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3), (300, 3)])
def test_linear_graph_and_gradient_layouts_match_torch(shape):
    """AddmmBackward0's three edges, and the gradients' strides (PyTorch's
    mm_mat1/mat2_backward layouts: the weight's gradient is C-contiguous like the weight)."""
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    seen = []
    for lib in (ember, torch):
        lin = build(lib, "Linear", 3, 2)
        xs = lib.from_numpy(x.copy()).requires_grad_(True)
        y = lin(xs)
        node = y.grad_fn if len(shape) == 2 else y.grad_fn.next_functions[0][0]
        y.backward(lib.ones(y.shape))
        seen.append((type(node).__name__, [type(f).__name__ for f, _ in node.next_functions],
                     lin.weight.grad.stride(), lin.bias.grad.stride(), xs.grad.stride(),
                     y.stride(), y.detach().numpy().round(4).tolist(),
                     lin.weight.grad.numpy().round(4).tolist()))
    assert seen[0] == seen[1]
