"""ember.nn.utils.parameters_to_vector / vector_to_parameters against torch."""

import numpy as np
import torch
from optable import assert_raises_like

import ember


def model(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))


def test_parameters_to_vector():
    out = []
    for lib in (torch, ember):
        m = model(lib)
        vec = lib.nn.utils.parameters_to_vector(m.parameters())
        vec.sum().backward()  # differentiable: a concatenation of views
        out.append((vec.detach().numpy().copy(), vec.grad_fn.name(), vec.requires_grad,
                    [p.grad.numpy().copy() for p in m.parameters()]))
    (tv, tn, tr, tg), (ev, en, er, eg) = out
    np.testing.assert_array_equal(ev, tv)
    assert (en, er) == (tn, tr)
    for a, b in zip(eg, tg):
        np.testing.assert_array_equal(a, b)


def test_vector_to_parameters_shares_memory():
    out = []
    for lib in (torch, ember):
        m = model(lib)
        n = sum(p.numel() for p in m.parameters())
        vec = lib.arange(float(n))
        lib.nn.utils.vector_to_parameters(vec, m.parameters())
        vec[0] = -5.0  # the parameters now view slices of vec
        out.append([p.detach().numpy().copy() for p in m.parameters()]
                   + [isinstance(p, lib.nn.Parameter) for p in m.parameters()])
    for a, b in zip(out[1], out[0]):
        np.testing.assert_array_equal(a, b)


def test_vector_to_parameters_type_error():
    assert_raises_like(lambda lib: lib.nn.utils.vector_to_parameters(
        [1.0, 2.0], model(lib).parameters()))
