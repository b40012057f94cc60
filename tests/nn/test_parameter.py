"""``nn.Parameter`` and ``nn.Buffer`` against PyTorch."""

import copy
import pickle

import numpy as np
import torch
from nn_helpers import same
from optable import assert_raises_like

import ember


def test_parameter_basics_and_repr():
    def fn(lib):
        nn = lib.nn
        p = nn.Parameter(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
        q = nn.Parameter(lib.tensor([1, 2]), requires_grad=False)
        e = nn.Parameter()
        d = nn.Parameter(lib.ones(2, dtype=lib.float64))
        s = nn.Parameter(lib.tensor(3.5))
        return [repr(p), str(p), repr(q), repr(e), repr(d), repr(s),
                p.is_leaf, p.grad_fn, p.requires_grad, q.requires_grad,
                isinstance(p, lib.Tensor), type(p).__name__, e.shape, e.dtype]

    same(fn)


def test_parameter_shares_memory_and_version_with_data():
    def fn(lib):
        a = lib.ones(3)
        p = lib.nn.Parameter(a)
        a.add_(1)
        out = [p, p._version, a._version]
        with lib.no_grad():
            p.mul_(2)
        out += [a, p._version, a._version]
        return out

    same(fn)


def test_parameter_from_non_leaf_is_a_new_leaf():
    def fn(lib):
        x = lib.ones(2, requires_grad=True)
        p = lib.nn.Parameter(x * 3)
        y = (p * p).sum()
        y.backward()
        return p.is_leaf, p.grad_fn, p.grad, x.grad

    same(fn)


def test_parameter_ops_return_plain_tensors():
    def fn(lib):
        p = lib.nn.Parameter(lib.ones(2, 2))
        return [type(r).__name__ for r in (p * 2, p.detach(), p.data, p[0], p.clone(),
                                            p.t(), p.sum(), p.view(4))]

    same(fn)


def test_parameter_errors():
    assert_raises_like(lambda lib: lib.nn.Parameter(lib.tensor([1, 2])))
    assert_raises_like(lambda lib: lib.nn.Parameter(lib.tensor([True])))


def test_parameter_deepcopy_and_pickle():
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        p.grad = lib.ones(2)
        c = copy.deepcopy(p)
        assert type(c) is lib.nn.Parameter and c.requires_grad and c.grad is None
        assert lib.equal(c, p) and c.data_ptr() != p.data_ptr()
        memo = {}
        assert copy.deepcopy([p, p], memo)[0] is memo[id(p)]
        q = lib.nn.Parameter(lib.ones(1), requires_grad=False)
        for obj in (p, q):
            r = pickle.loads(pickle.dumps(obj))
            assert type(r) is lib.nn.Parameter
            assert r.requires_grad == obj.requires_grad and lib.equal(r, obj)
        p.tag = "hello"
        r = pickle.loads(pickle.dumps(p))
        assert r.tag == "hello"


def test_parameter_in_optimizer_style_update():
    def fn(lib):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        (p ** 2).sum().backward()
        with lib.no_grad():
            p -= 0.1 * p.grad
        return p, type(p).__name__, p.grad

    same(fn)


def test_buffer():
    def fn(lib):
        nn = lib.nn
        b = nn.Buffer(lib.ones(2))
        nb = nn.Buffer(lib.zeros(1), persistent=False)
        g = nn.Buffer(lib.ones(1, requires_grad=True))
        m = nn.Module()
        m.b = b
        m.nb = nb
        m.g = g
        return [type(b).__name__, isinstance(b, nn.Buffer), isinstance(lib.ones(1), nn.Buffer),
                isinstance(b, nn.Parameter), b.persistent, nb.persistent, repr(b),
                g.requires_grad, g.is_leaf, list(m._buffers), list(m.state_dict()),
                m.b is b, sorted(m._non_persistent_buffers_set), repr(nn.Buffer())]

    same(fn)
    assert_raises_like(lambda lib: setattr(lib.nn.Module(), "b", lib.nn.Buffer(3)))


def test_buffer_shares_memory():
    for lib in (torch, ember):
        a = lib.ones(2)
        b = lib.nn.Buffer(a)
        a.add_(1)
        assert lib.equal(b, a)


def test_uninitialized_parameter():
    p = ember.nn.parameter.UninitializedParameter()
    assert repr(p) == repr(torch.nn.parameter.UninitializedParameter()) == \
        "<UninitializedParameter>"
    assert ember.nn.parameter.is_lazy(p) and p.requires_grad
    p.materialize((2, 3))
    assert type(p) is ember.nn.Parameter and p.shape == (2, 3) and p.requires_grad


def test_parameter_numpy_interop():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    assert np.allclose(p.detach().numpy(), [1.0, 2.0])
    assert isinstance(np.exp(p), ember.Tensor)
