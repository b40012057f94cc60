# ruff: noqa: B023 - the classes and lambdas are used at once, inside the loop
"""User-defined ``autograd.Function`` against PyTorch (mirrors ``ember/autograd/function.py``)."""

import numpy as np
import pytest
import torch
from optable import assert_raises_like, assert_same

import ember

LIBS = (ember, torch)


def make_functions(lib):
    """The same custom Functions, written once against ``lib``'s API."""
    F = lib.autograd.Function

    class MyExpLike(F):
        """y = x * x * c (c a non-tensor argument), saving the input."""

        @staticmethod
        def forward(ctx, x, c):
            ctx.save_for_backward(x)
            ctx.c = c
            return x * x * c

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x * ctx.c, None

    class MulAdd(F):
        """Two inputs, two outputs; records needs_input_grad."""

        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            ctx.needs = tuple(ctx.needs_input_grad)
            return a * b, a + b

        @staticmethod
        def backward(ctx, g_prod, g_sum):
            a, b = ctx.saved_tensors
            ga = g_prod * b + g_sum if ctx.needs_input_grad[0] else None
            gb = g_prod * a + g_sum if ctx.needs_input_grad[1] else None
            return ga, gb

    class WithIndex(F):
        """A float output and an integer output marked non-differentiable."""

        @staticmethod
        def forward(ctx, x):
            idx = (x > 0).long()
            ctx.mark_non_differentiable(idx)
            return x * 3, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            ctx.g_idx_was_none = g_idx is None
            return g * 3

    class ScaleInPlace(F):
        """An in-place custom op: mark_dirty."""

        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class NoMaterialize(F):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.seen = (g1 is None, g2 is None)
            out = None
            if g1 is not None:
                out = g1
            if g2 is not None:
                out = g2 * 2 if out is None else out + g2 * 2
            return out

    class Identity(F):
        """Returns its input unchanged (PyTorch makes the output a view with this node)."""

        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    class Wrong(F):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    class TooMany(F):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    return dict(MyExpLike=MyExpLike, MulAdd=MulAdd, WithIndex=WithIndex,
                ScaleInPlace=ScaleInPlace, NoMaterialize=NoMaterialize, Identity=Identity,
                Wrong=Wrong, TooMany=TooMany)


FNS = {lib.__name__: make_functions(lib) for lib in LIBS}


def fns(lib):
    return FNS[lib.__name__]


def test_forward_backward_and_non_tensor_args():
    def run(lib):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = fns(lib)["MyExpLike"].apply(x, 1.5)
        y.backward(lib.ones(3))
        return y, x.grad, type(y.grad_fn).__name__

    e, t = run(ember), run(torch)
    assert_same(list(e[:2]), list(t[:2]))
    assert e[2] == t[2] == "MyExpLikeBackward"


def test_grad_fn_structure():
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = fns(lib)["MyExpLike"].apply(x * 1, 2.0)
        nf = y.grad_fn.next_functions
        # only Tensor arguments are graph inputs
        assert len(nf) == 1 and type(nf[0][0]).__name__ == "MulBackward0"


def test_multiple_outputs_and_needs_input_grad():
    def run(lib, b_grad):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, -1.0], requires_grad=b_grad)
        p, s = fns(lib)["MulAdd"].apply(a, b)
        (p * s).backward(lib.ones(2))
        return p, s, a.grad, p.grad_fn.needs, b.grad

    for b_grad in (True, False):
        e, t = run(ember, b_grad), run(torch, b_grad)
        assert_same(list(e[:3]), list(t[:3]))
        assert e[3] == t[3]
        assert (e[4] is None) == (t[4] is None)
        if t[4] is not None:
            assert_same(e[4], t[4])


def test_only_one_output_used():
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, -1.0], requires_grad=True)
        p, s = fns(lib)["MulAdd"].apply(a, b)
        p.backward(lib.ones(2))  # the gradient of s is materialized as zeros
        return a.grad, b.grad

    assert_same(run(ember), run(torch))


def test_mark_non_differentiable():
    def run(lib):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y, idx = fns(lib)["WithIndex"].apply(x)
        y.backward(lib.ones(3))
        return y, idx, x.grad, idx.requires_grad, y.grad_fn.g_idx_was_none

    e, t = run(ember), run(torch)
    assert_same(list(e[:3]), list(t[:3]))
    assert e[3:] == t[3:]


def test_mark_dirty_inplace():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1
        y = fns(lib)["ScaleInPlace"].apply(h)
        assert y is h
        version = h._version
        (y * y).backward(lib.ones(2))
        return y, x.grad, type(h.grad_fn).__name__, version

    e, t = run(ember), run(torch)
    assert_same(list(e[:2]), list(t[:2]))
    assert e[2] == t[2] == "ScaleInPlaceBackward"
    assert e[3] == t[3]
    assert_raises_like(lambda lib: fns(lib)["ScaleInPlace"].apply(
        lib.tensor([1.0], requires_grad=True)))


def test_set_materialize_grads():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b = fns(lib)["NoMaterialize"].apply(x)
        b.backward(lib.ones(2))
        return x.grad, b.grad_fn.seen

    e, t = run(ember), run(torch)
    assert_same(e[0], t[0]) and e[1] == t[1] == (True, False)


def test_returning_an_input():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = fns(lib)["Identity"].apply(x)
        assert y is not x and not y.is_leaf
        y.backward(lib.ones(2))
        return x.grad, type(y.grad_fn).__name__

    e, t = run(ember), run(torch)
    assert_same(e[0], t[0]) and e[1] == t[1]


def test_no_grad_inputs_give_no_graph():
    for lib in LIBS:
        y = fns(lib)["MyExpLike"].apply(lib.ones(2), 2.0)
        assert not y.requires_grad and y.grad_fn is None
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            y = fns(lib)["MyExpLike"].apply(x, 2.0)
        assert not y.requires_grad


def test_forward_runs_without_grad():
    for lib in LIBS:
        class Probe(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mode = lib.is_grad_enabled()
                return x * 1

            @staticmethod
            def backward(ctx, g):
                return g

        y = Probe.apply(lib.ones(1, requires_grad=True))
        assert y.grad_fn.mode is False


def test_wrong_number_of_grads():
    assert_raises_like(lambda lib: fns(lib)["TooMany"].apply(
        lib.ones(2, requires_grad=True)).backward(lib.ones(2)))


def test_saved_tensors_freed_and_retained():
    assert_raises_like(lambda lib: _twice(lib))


def _twice(lib):
    x = lib.ones(2, requires_grad=True)
    y = fns(lib)["MyExpLike"].apply(x, 2.0)
    y.backward(lib.ones(2))
    y.backward(lib.ones(2))


def test_saved_tensor_modified_in_place():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        h = x * 1
        y = fns(lib)["MyExpLike"].apply(h, 2.0)
        h.add_(1)
        y.backward(lib.ones(2))

    assert_raises_like(run)


def test_save_for_backward_rejects_non_tensors():
    for lib in LIBS:
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x * 1

            @staticmethod
            def backward(ctx, g):
                return g

        with pytest.raises(TypeError):
            Bad.apply(lib.ones(1, requires_grad=True))


def test_double_backward_through_custom_function():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = fns(lib)["MyExpLike"].apply(x, 3.0)
        (g,) = lib.autograd.grad(y, x, lib.ones(2), create_graph=True)
        (gg,) = lib.autograd.grad(g, x, lib.ones(2))
        return g, gg

    assert_same(run(ember), run(torch))


def make_once(lib):
    from importlib import import_module

    once = import_module(lib.__name__ + ".autograd.function").once_differentiable

    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert not lib.is_grad_enabled()
            return 2 * x * g

    return Square


def test_once_differentiable():
    def first(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = make_once(lib).apply(x)
        (y * y).backward(lib.ones(2))
        return x.grad

    assert_same(first(ember), first(torch))

    def create_graph(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = make_once(lib).apply(x)
        (g,) = lib.autograd.grad(y * y, x, lib.ones(2), create_graph=True)
        assert g.requires_grad and type(g.grad_fn).__name__ == "Error"
        return g

    assert_same(create_graph(ember), create_graph(torch))

    def twice(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = make_once(lib).apply(x)
        (g,) = lib.autograd.grad(y * y, x, lib.ones(2), create_graph=True)
        g.backward(lib.ones(2))

    assert_raises_like(twice)


def test_gradcheck_on_custom_functions():
    x = ember.tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    f = fns(ember)
    assert ember.autograd.gradcheck(lambda x: f["MyExpLike"].apply(x, 2.0), (x,))
    assert ember.autograd.gradgradcheck(lambda x: f["MyExpLike"].apply(x, 2.0), (x,))
    y = ember.tensor(np.array([1.0, 2.0, -0.5]), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: f["MulAdd"].apply(a, b), (x, y))
    assert not ember.autograd.gradcheck(lambda x: f["Wrong"].apply(x), (x,),
                                        raise_exception=False)
