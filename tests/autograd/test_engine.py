# ruff: noqa: B023 - the lambdas run at once, inside the loop
"""The backward engine and the Tensor autograd surface against PyTorch (mirrors
``ember/autograd/engine.py`` and ``ember/autograd/__init__.py``)."""

import gc
import time
import warnings
import weakref

import numpy as np
import pytest
import torch
from optable import assert_raises_like, assert_same

import ember

LIBS = (ember, torch)


def both(fn, rtol=1e-6, atol=1e-6):
    """Run ``fn(lib)`` in both libraries and compare what it returns (tensors, lists, values)."""
    e, t = fn(ember), fn(torch)
    assert_same(e, t, rtol=rtol, atol=atol)
    return e, t


def _x(lib, data=(1.0, -2.0, 3.0), dtype=None):
    return lib.tensor(list(data), dtype=dtype, requires_grad=True)


# ---------------------------------------------------------------- graph structure
def test_leaf_and_non_leaf_state():
    for lib in LIBS:
        x = _x(lib)
        c = lib.tensor([1.0, 2.0, 3.0])
        y = x * 2
        z = c * 2
        assert x.is_leaf and x.requires_grad and x.grad is None and x.grad_fn is None
        assert not y.is_leaf and y.requires_grad and type(y.grad_fn).__name__ == "MulBackward0"
        assert z.is_leaf and not z.requires_grad and z.grad_fn is None
        assert (x + c).requires_grad and not (c + c).requires_grad


def test_next_functions_structure():
    names = {}
    for lib in LIBS:
        x, w = _x(lib), _x(lib, (0.5, 0.5, 0.5))
        y = (x * w + x) * 3
        fn = y.grad_fn

        def walk(node, depth=0):
            if node is None:
                return ["None"]
            out = [f"{depth}:{type(node).__name__}"]
            for nxt, nr in node.next_functions:
                out.append(f"nr={nr}")
                out += walk(nxt, depth + 1)
            return out

        names[lib.__name__] = walk(fn)
        acc = fn.next_functions[0][0].next_functions[1][0]
        assert type(acc).__name__ == "AccumulateGrad" and acc.variable is x
        assert acc.next_functions == ()
        # the same leaf gives the same AccumulateGrad node while the graph is alive
        assert fn.next_functions[0][0].next_functions[0][0].next_functions[0][0] is acc
    assert names["ember"] == names["torch"]


def test_grad_fn_names_of_arithmetic():
    for lib in LIBS:
        x = _x(lib)
        got = [type(f(x).grad_fn).__name__ for f in (
            lambda x: x + 1, lambda x: x - x, lambda x: x * x, lambda x: x / 2, lambda x: -x,
            lambda x: x ** 2, lambda x: 2 ** x, lambda x: 1 - x, lambda x: 1 / x,
            lambda x: x.double(), lambda x: x.clone(), lambda x: x.view(3))]
        if lib is ember:
            e = got
    assert e == got


# ---------------------------------------------------------------- backward()
def test_backward_scalar_and_gradient_argument():
    def fn(lib):
        x = _x(lib)
        (x * x * 3).backward(lib.tensor([1.0, 0.5, 2.0]))
        g1 = x.grad.clone()
        y = (x * x).sum() if hasattr(x, "sum") else None
        del y
        return g1

    both(fn)


def test_backward_errors():
    assert_raises_like(lambda lib: (_x(lib) * 2).backward())
    assert_raises_like(lambda lib: lib.ones(1).backward())
    assert_raises_like(lambda lib: (_x(lib) * 2).backward(lib.ones(2)))
    assert_raises_like(lambda lib: lib.autograd.grad(_x(lib) * 2, _x(lib)))
    assert_raises_like(lambda lib: lib.autograd.grad(_x(lib) * 1, [lib.ones(3)],
                                                     grad_outputs=lib.ones(3)))
    assert_raises_like(lambda lib: (_x(lib) * 2).backward(lib.ones(3), inputs=[]))
    assert_raises_like(lambda lib: lib.autograd.backward(lib.ones(3) * 2, lib.ones(3)))

    def twice(lib):
        x = _x(lib)
        y = x * x
        y.backward(lib.ones(3))
        y.backward(lib.ones(3))

    assert_raises_like(twice)

    def int_out(lib):
        x = _x(lib)
        (x * 2).long().backward(lib.ones(3, dtype=lib.long))

    assert_raises_like(int_out)


def test_retain_graph_and_accumulation():
    def fn(lib):
        x = _x(lib)
        y = x * x * x
        y.backward(lib.ones(3), retain_graph=True)
        g1 = x.grad.clone()
        y.backward(lib.ones(3))  # accumulates
        return g1, x.grad

    both(fn)


def test_grad_accumulates_in_place():
    for lib in LIBS:
        x = _x(lib)
        (x * 2).backward(lib.ones(3))
        g = x.grad
        (x * 3).backward(lib.ones(3))
        assert x.grad is g and x.grad.tolist() == [5.0, 5.0, 5.0]
        x.grad = None
        (x * 1).backward(lib.ones(3))
        assert x.grad.tolist() == [1.0, 1.0, 1.0] and not x.grad.requires_grad


def test_tensor_used_twice_and_diamond():
    def fn(lib):
        x = _x(lib)
        a = x * 2
        b = x * x
        c = a * b + a - b * 3
        c.backward(lib.tensor([1.0, 2.0, -1.0]))
        return x.grad

    both(fn)

    def fn2(lib):
        x = _x(lib)
        y = x * x
        (y * y).backward(lib.ones(3))
        return x.grad

    both(fn2)


def test_broadcast_and_dtype_of_grads():
    def fn(lib):
        a = lib.tensor([[1.0], [2.0]], requires_grad=True)
        b = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        s = lib.tensor(2.0, requires_grad=True)
        out = a * b * s
        out.backward(lib.ones(2, 3, dtype=lib.float64))
        return a.grad, b.grad, s.grad

    both(fn)


def test_backward_inputs_argument():
    def fn(lib):
        x, w = _x(lib), _x(lib, (2.0, 2.0, 2.0))
        y = x * w
        y.backward(lib.ones(3), inputs=[w])
        return w.grad, x.grad is None

    e, t = fn(ember), fn(torch)
    assert_same(e[0], t[0]) and e[1] == t[1]

    def fn2(lib):
        x, w = _x(lib), _x(lib, (2.0, 2.0, 2.0))
        h = x * w
        y = h * h
        y.backward(lib.ones(3), inputs=[h, x], retain_graph=True)
        return x.grad, h.grad, w.grad is None

    for lib in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fn2(lib)
        if lib is ember:
            e = r
    assert_same(e[:2], r[:2]) and e[2] == r[2]


def test_multiple_roots():
    def fn(lib):
        x = _x(lib)
        a, b = x * 2, x * x
        lib.autograd.backward([a, b], [lib.ones(3), lib.tensor([1.0, 0.0, 2.0])])
        return x.grad

    both(fn)


# ---------------------------------------------------------------- autograd.grad
def test_grad_basic_and_grad_outputs():
    def fn(lib):
        x, w = _x(lib), _x(lib, (0.5, 1.5, -1.0))
        y = x * w * x
        gx, gw = lib.autograd.grad(y, (x, w), grad_outputs=lib.tensor([1.0, 2.0, 3.0]))
        return gx, gw, x.grad is None

    e, t = fn(ember), fn(torch)
    assert_same(e[:2], t[:2]) and e[2] and t[2]


def test_grad_single_input_returns_tuple():
    for lib in LIBS:
        x = _x(lib)
        r = lib.autograd.grad(x * 2, x, lib.ones(3))
        assert isinstance(r, tuple) and len(r) == 1


def test_grad_allow_unused_and_materialize():
    assert_raises_like(lambda lib: lib.autograd.grad(_x(lib) * 1, [_x(lib)], lib.ones(3)))

    def unused(lib):
        x, u = _x(lib), _x(lib)
        return lib.autograd.grad(x * 2, [x, u], lib.ones(3), allow_unused=True)

    e, t = unused(ember), unused(torch)
    assert e[1] is None and t[1] is None
    assert_same(e[0], t[0])

    def mat(lib):
        x, u = _x(lib), _x(lib)
        return lib.autograd.grad(x * 2, [x, u], lib.ones(3), materialize_grads=True)

    both(mat)


def test_higher_order_x_cubed():
    def fn(lib):
        x = lib.tensor(2.0, requires_grad=True)
        y = x ** 3
        (g1,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g1, x, create_graph=True)
        (g3,) = lib.autograd.grad(g2, x)
        return g1, g2, g3, g1.requires_grad, g3.requires_grad

    e, t = fn(ember), fn(torch)
    assert_same(list(e[:3]), list(t[:3]))
    assert e[3:] == t[3:]
    assert type(fn(ember)[0].grad_fn).__name__ != "NoneType"


def test_create_graph_through_products_and_views():
    def fn(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True)
        w = lib.tensor([0.5, -2.0], requires_grad=True)
        y = (x.t() * w).reshape(4)[1:] * x.view(4)[:3]
        (gx,) = lib.autograd.grad(y, x, lib.ones(3), create_graph=True)
        z = gx * gx * w
        z.backward(lib.ones(2, 2))
        return gx, x.grad, w.grad

    both(fn)


def test_backward_create_graph_accumulates_graph():
    def fn(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x * x * x).backward(lib.ones(2), create_graph=True)
        g = x.grad
        assert g.requires_grad
        (gg,) = lib.autograd.grad(g, x, lib.ones(2))
        return g.detach(), gg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about the reference cycle
        both(fn)


# ---------------------------------------------------------------- non-leaf grads and hooks
def test_non_leaf_grad_warning():
    msgs = []
    for lib in LIBS:
        y = _x(lib) * 2
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            assert y.grad is None
        assert len(w) == 1 and w[0].category is UserWarning
        msgs.append(str(w[0].message))
    assert msgs[0] == msgs[1]


def test_retain_grad():
    def fn(lib):
        x = _x(lib)
        z = x * 3
        z.retain_grad()
        z.retain_grad()  # twice is fine
        (z * z).backward(lib.ones(3), retain_graph=True)
        g1 = z.grad.clone()
        (z * z).backward(lib.ones(3))
        return g1, z.grad, z.retains_grad, x.retains_grad, x.grad

    e, t = fn(ember), fn(torch)
    assert_same(list(e[:2]) + [e[4]], list(t[:2]) + [t[4]])
    assert e[2:4] == t[2:4]
    assert_raises_like(lambda lib: lib.ones(2).retain_grad())
    for lib in LIBS:
        x = _x(lib)
        x.retain_grad()  # a no-op on leaves
        assert x.retains_grad is False


def test_register_hook_leaf_and_non_leaf():
    def fn(lib):
        x = _x(lib)
        seen = []
        a = x * 1
        a.register_hook(lambda g: seen.append(g.clone()))
        a.register_hook(lambda g: g * 10)
        h = x.register_hook(lambda g: g + 1)
        (a * a).backward(lib.ones(3))
        g1 = x.grad.clone()
        h.remove()
        x.grad = None
        (x * 1).backward(lib.ones(3))
        return seen[0], g1, x.grad

    both(fn)
    assert_raises_like(lambda lib: lib.ones(2).register_hook(lambda g: g))


def test_hook_on_retained_grad_sees_modified_gradient():
    def fn(lib):
        x = _x(lib)
        a = x * 2
        a.retain_grad()
        a.register_hook(lambda g: g * 3)
        a.backward(lib.ones(3))
        return a.grad, x.grad

    both(fn)


def test_node_hooks():
    def fn(lib):
        x = _x(lib)
        y = x * 2
        log = []
        h1 = y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
        h2 = y.grad_fn.register_hook(
            lambda gi, go: log.append((gi[0].clone(), gi[1] is None, go[0].clone())))
        y.backward(lib.ones(3), retain_graph=True)
        g1 = x.grad.clone()
        h1.remove()
        h2.remove()
        y.backward(lib.ones(3))
        return g1, x.grad, log[0][0], log[0][2], log[0][1], len(log)

    e, t = fn(ember), fn(torch)
    assert_same(list(e[:4]), list(t[:4]))
    assert e[4:] == t[4:]


def test_post_accumulate_grad_hook():
    def fn(lib):
        x = _x(lib)
        seen = []
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (x * 2).backward(lib.ones(3))
        return seen[0]

    both(fn)


# ---------------------------------------------------------------- detach / requires_grad_
def test_detach_and_requires_grad_():
    for lib in LIBS:
        x = _x(lib)
        y = x * 2
        d = y.detach()
        assert not d.requires_grad and d.is_leaf and d._version == y._version
        y2 = x * 3
        y2.detach_()
        assert not y2.requires_grad and y2.is_leaf and y2.grad_fn is None
        x.requires_grad_(False)
        assert not x.requires_grad
        x.requires_grad = True
        assert x.requires_grad
        assert (x * 2).requires_grad_(True).requires_grad
    assert_raises_like(lambda lib: (_x(lib) * 2).requires_grad_(False))
    assert_raises_like(lambda lib: lib.ones(2, dtype=lib.long).requires_grad_())
    assert_raises_like(lambda lib: lib.ones(2, dtype=lib.bool).requires_grad_())
    assert_raises_like(lambda lib: (_x(lib) * 2)[1:].detach_())


# ---------------------------------------------------------------- version counter
def test_version_counter_errors():
    def saved_leaf(lib):
        x, y = _x(lib), _x(lib)
        z = x * y
        with lib.no_grad():
            x.add_(1)
        z.backward(lib.ones(3))

    def saved_op_output_as_input(lib):
        x = _x(lib)
        h = x * 2
        z = h * h
        h.add_(1)
        z.backward(lib.ones(3))

    def saved_output(lib):
        x = _x(lib)
        h = x ** 2
        z = 2 ** h  # saves its output
        z.mul_(2)
        z.backward(lib.ones(3))

    def saved_view(lib):
        x = _x(lib, (1.0, 2.0, 3.0, 4.0))
        h = (x * 2)[0:2]
        z = h * h
        h.add_(1)
        z.backward(lib.ones(2))

    def float64(lib):
        x = _x(lib, dtype=lib.float64)
        h = x / 3
        z = h * h
        h.sub_(1)
        z.backward(lib.ones(3, dtype=lib.float64))

    for fn in (saved_leaf, saved_op_output_as_input, saved_output, saved_view, float64):
        assert_raises_like(fn)


def test_version_bumps():
    for lib in LIBS:
        x = lib.ones(3)
        v0 = x._version
        x.add_(1)
        x.mul_(2)
        assert x._version == v0 + 2
        y = x * 1
        assert y._version == 0


def test_inplace_on_leaf_errors():
    assert_raises_like(lambda lib: _x(lib).add_(1))
    assert_raises_like(lambda lib: _x(lib).mul_(lib.ones(3)))
    for lib in LIBS:
        x = _x(lib)
        with lib.no_grad():
            x.mul_(2)
        assert x.tolist() == [2.0, -4.0, 6.0] and x.is_leaf and x.requires_grad


def test_inplace_gradients():
    def fn(lib):
        x, w = _x(lib), _x(lib, (0.5, 2.0, -1.0))
        h = x * 1
        h.mul_(w)
        h.add_(x, alpha=2)
        h.div_(2)
        h.pow_(2)
        h.backward(lib.ones(3))
        return h, x.grad, w.grad, type(h.grad_fn).__name__ == "PowBackward0"

    e, t = fn(ember), fn(torch)
    assert_same(list(e[:3]), list(t[:3]))
    assert e[3] == t[3]


# ---------------------------------------------------------------- memory and depth
def test_saved_values_freed_after_backward():
    x = ember.tensor(np.ones(1000), requires_grad=True)
    h = x * 2
    y = h * h
    node = y.grad_fn
    assert node._saved is not None
    y.backward(ember.ones(1000))
    assert node._saved is None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        _ = node.saved_tensors

    # the saved intermediate and its array are released once backward has run
    x = ember.tensor(np.ones(10), requires_grad=True)
    h = x * 2
    y = h * h  # the node saves h
    arr_ref = weakref.ref(h._data)
    del h
    gc.collect()
    assert arr_ref() is not None  # the graph keeps it alive until backward
    y.backward(ember.ones(10))
    gc.collect()
    assert arr_ref() is None


def test_retain_graph_keeps_saved():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.backward(ember.ones(2), retain_graph=True)
    assert y.grad_fn._saved is not None
    y.backward(ember.ones(2))
    assert x.grad.tolist() == [4.0, 8.0]


def test_deep_chain_is_iterative():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    n = 100_000
    for _ in range(n):
        y = y * 1.0
    start = time.perf_counter()
    y.backward(ember.ones(1))
    elapsed = time.perf_counter() - start
    assert x.grad.tolist() == [1.0]
    assert elapsed < 30  # generous: no recursion, no quadratic behaviour


def test_no_grad_output_has_no_graph():
    for lib in LIBS:
        x = _x(lib)
        with lib.no_grad():
            y = x * 2
        assert not y.requires_grad and y.grad_fn is None
        assert_raises_like(lambda lib: (lib.ones(1) * 2).backward())


def test_leaf_gradients_never_alias_other_arrays():
    """AccumulateGrad keeps a gradient array only when nothing else holds it: two leaves fed the
    same gradient, a leaf fed the caller's gradient, and a retained graph's saved values each get
    their own memory, so an in-place change of one .grad touches nothing else."""
    a, b = ember.randn(3, requires_grad=True), ember.randn(3, requires_grad=True)
    (a + b).backward(ember.ones(3))
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    u = ember.randn(2, 3)
    for make in (lambda c: c, lambda c: c + 0, lambda c: c.view(2, 3), lambda c: c.t().t()):
        c = ember.randn(2, 3, requires_grad=True)
        make(c).backward(u)
        assert not np.shares_memory(c.grad.numpy(), u.numpy())
        c.grad.zero_()
        assert u.abs().sum().item() > 0
    w = ember.randn(4, requires_grad=True)
    y = (w * 3).sum()
    y.backward(retain_graph=True)
    w.grad.mul_(0)
    y.backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.full(4, 3, np.float32))
    p1, p2 = ember.randn(2, 2, requires_grad=True), ember.randn(4, requires_grad=True)
    (p1.reshape(4) + p2).sum().backward()
    assert not np.shares_memory(p1.grad.numpy(), p2.grad.numpy())


@pytest.mark.parametrize("transposed", [False, True])
def test_leaf_gradient_strides_follow_torch(transposed):
    """A gradient that reaches a leaf in another layout (through k.transpose(-2, -1) in an
    attention score) is stored with the leaf's strides, as PyTorch's layout contract does."""
    q0 = np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32)
    out = []
    for lib in LIBS:
        q = lib.from_numpy(q0.copy()).requires_grad_(True)
        k = lib.from_numpy(q0[:, ::-1].copy()).requires_grad_(True)
        kt = k.transpose(-2, -1) if transposed else k.transpose(-2, -1).contiguous()
        (q @ kt).sum().backward()
        out.append((q.grad.stride(), k.grad.stride(), q.grad.numpy().round(5).tolist(),
                    k.grad.numpy().round(5).tolist()))
    assert out[0] == out[1]
