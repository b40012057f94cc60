"""gradcheck / gradgradcheck (mirrors ``ember/autograd/gradcheck.py``): they pass correct
backwards and catch wrong ones, like PyTorch's."""

import numpy as np
import pytest
import torch

import ember

LIBS = (ember, torch)


def make_fns(lib):
    F = lib.autograd.Function

    class WrongFirst(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2 * x

    class WrongSecond(F):
        """Right first derivative (3 x^2 g), wrong second one: backward is not differentiable
        in x because it detaches it."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x.detach() * x.detach()

    return WrongFirst, WrongSecond


def _inputs(lib):
    return (lib.tensor(np.array([0.5, -1.25, 2.0]), requires_grad=True),
            lib.tensor(np.array([[1.5], [-0.5]]), requires_grad=True))


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_correct_backwards_pass(lib):
    x, w = _inputs(lib)
    assert lib.autograd.gradcheck(lambda a, b: a * b + a / (b + 3), (x, w))
    assert lib.autograd.gradgradcheck(lambda a, b: a * b * a - b ** 3, (x, w))
    assert lib.autograd.gradcheck(lambda a: (a * 2, a.reshape(3, 1).t() * a), (x,))
    assert lib.autograd.gradcheck(lambda a: a[1:] * a[:2], x)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_wrong_backward_detected(lib):
    WrongFirst, WrongSecond = make_fns(lib)
    x, _ = _inputs(lib)
    assert lib.autograd.gradcheck(WrongFirst.apply, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to "
                                           "input 0"):
        lib.autograd.gradcheck(WrongFirst.apply, (x,))
    assert lib.autograd.gradcheck(WrongSecond.apply, (x,))
    assert lib.autograd.gradgradcheck(WrongSecond.apply, (x,), raise_exception=False) is False


def test_gradcheck_error_class():
    WrongFirst, _ = make_fns(ember)
    x, _ = _inputs(ember)
    from ember.autograd.gradcheck import GradcheckError

    with pytest.raises(GradcheckError):
        ember.autograd.gradcheck(WrongFirst.apply, (x,))
    assert issubclass(GradcheckError, RuntimeError)


def test_non_differentiable_inputs_are_skipped():
    x = ember.tensor(np.array([1.0, 2.0]), requires_grad=True)
    c = ember.tensor(np.array([3.0, 4.0]))
    assert ember.autograd.gradcheck(lambda a, b, k: a * b * k, (x, c, 2.0))


def test_single_precision_warns():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="double precision"):
        ember.autograd.gradcheck(lambda a: a * 2, (x,), atol=1e-2, rtol=1e-2, eps=1e-3)
