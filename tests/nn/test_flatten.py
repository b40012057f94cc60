"""Flatten and Unflatten against PyTorch."""

import pytest
import torch

import ember
from tests.optable import assert_raises_like


def test_flatten_unflatten():
    def run(lib):
        x = lib.arange(120.0).reshape(2, 3, 4, 5).requires_grad_(True)
        out = []
        for m in (lib.nn.Flatten(), lib.nn.Flatten(0, 2), lib.nn.Flatten(-3, -2),
                  lib.nn.Unflatten(1, (3, 1)), lib.nn.Unflatten(-1, [5, 1]),
                  lib.nn.Unflatten(2, (2, -1))):
            y = m(x)
            out.append((repr(m), tuple(y.shape), y.grad_fn.name(), y.sum().item()))
        seq = lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Unflatten(1, (3, 20)))
        y = seq(x)
        y.sum().backward()
        out.append((repr(seq), tuple(y.shape), x.grad.sum().item()))
        return out

    assert run(ember) == run(torch)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.Unflatten(1, 3),
    lambda lib: lib.nn.Unflatten(1, (3, 2.0)),
    lambda lib: lib.nn.Unflatten(1, (3, 2))(lib.ones(2, 5)),
    lambda lib: lib.nn.Flatten(3)(lib.ones(2, 5)),
])
def test_errors(fn):
    assert_raises_like(fn)
