"""The op-table harness: run one op in Ember and in PyTorch on the same inputs and compare
values, dtypes, shapes and gradients; confirm Ember's backward numerically with gradcheck.

Family test files describe their ops as ``OpCase`` rows and call ``check_case``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import ember

RNG = np.random.default_rng(1234)

# shapes every pointwise-style op is run on: 0-d, empty, vectors, matrices, 3-d
SHAPES = [(), (0,), (5,), (3, 4), (2, 3, 4), (2, 0, 3)]
FLOAT_DTYPES = ["float32", "float64"]
ALL_DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def make(shape, dtype="float32", low=-3.0, high=3.0, positive=False, noncontig=False, rng=RNG):
    """A NumPy array of ``shape``/``dtype`` with values in [low, high); ``noncontig`` makes a
    transposed (non-contiguous) array with the same shape."""
    if noncontig and len(shape) >= 2:
        arr = make(shape[::-1], dtype, low, high, positive, False, rng).T
        return arr
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if positive:
        low = max(low, 0.1)
    vals = rng.uniform(low, high, size=shape)
    if np.dtype(dtype).kind in "iu":
        lo = 0 if np.dtype(dtype).kind == "u" else low
        vals = np.floor(rng.uniform(lo, high + 1, size=shape))
    return np.asarray(vals).astype(dtype)


def to_torch(x, requires_grad=False):
    if isinstance(x, np.ndarray):
        t = torch.from_numpy(x.copy() if x.flags.c_contiguous else x.copy(order="K"))
        if not x.flags.c_contiguous:  # keep the non-contiguous layout
            t = torch.from_numpy(np.ascontiguousarray(x.T)).T if x.ndim == 2 else t
        return t.requires_grad_(requires_grad)
    return x


def to_ember(x, requires_grad=False):
    if isinstance(x, np.ndarray):
        arr = x.copy() if x.flags.c_contiguous else np.ascontiguousarray(x.T).T if x.ndim == 2 \
            else x.copy()
        return ember.from_numpy(arr).requires_grad_(requires_grad)
    return x


def assert_same(e, t, rtol=1e-5, atol=1e-6, what="output"):
    """Ember result ``e`` equals torch result ``t``: type, dtype, shape and values."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{what}: torch gave a sequence, Ember {type(e)}"
        assert len(e) == len(t), f"{what}: length {len(e)} != {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, rtol, atol, f"{what}[{i}]")
        return
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: expected a Tensor, got {type(e)}"
        assert str(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} != {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} != {tuple(t.shape)}"
        ev = e.detach().numpy()
        tv = t.detach().numpy()
        if tv.dtype.kind == "f":
            np.testing.assert_allclose(ev.astype(np.float64), tv.astype(np.float64), rtol=rtol,
                                       atol=atol, equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(ev, tv, err_msg=what)
        return
    assert e == t or (e != e and t != t), f"{what}: {e!r} != {t!r}"


@dataclasses.dataclass
class OpCase:
    """One row of an op table.

    ``fn(lib, *args)`` calls the op through ``lib`` (``ember`` or ``torch``) so one lambda
    serves both, e.g. ``lambda lib, x: lib.exp(x)`` or ``lambda lib, x: x.sum(dim=1)``.
    ``inputs`` are NumPy arrays (turned into tensors) or plain values passed through.
    ``grad`` lists which inputs get ``requires_grad`` (default: every float array).
    """

    name: str
    fn: Callable
    inputs: list
    grad: Any = None
    rtol: float = 1e-5
    atol: float = 1e-6
    gradcheck: bool = True

    def __str__(self) -> str:
        return self.name


def _grad_flags(case):
    if case.grad is not None:
        return list(case.grad)
    return [isinstance(x, np.ndarray) and x.dtype.kind == "f" for x in case.inputs]


def _outputs(out):
    if isinstance(out, (tuple, list)):
        return [o for o in out if hasattr(o, "requires_grad")]
    return [out]


def check_case(case: OpCase, check_backward=True):
    """Forward and backward in both libraries, compared; then float64 gradcheck in Ember."""
    flags = _grad_flags(case)
    t_in = [to_torch(x, f) for x, f in zip(case.inputs, flags)]
    e_in = [to_ember(x, f) for x, f in zip(case.inputs, flags)]
    t_out = case.fn(torch, *t_in)
    e_out = case.fn(ember, *e_in)
    assert_same(e_out, t_out, case.rtol, case.atol, f"{case.name} forward")
    if not check_backward or not any(flags):
        return
    t_outs = [o for o in _outputs(t_out) if o.requires_grad]
    e_outs = [o for o in _outputs(e_out) if o.requires_grad]
    assert len(t_outs) == len(e_outs), f"{case.name}: differentiable outputs differ"
    if not t_outs:
        return
    gos = [make(tuple(o.shape), str(o.dtype).replace("torch.", "")) for o in t_outs]
    torch.autograd.backward(t_outs, [torch.from_numpy(g.copy()) for g in gos])
    ember.autograd.backward(e_outs, [ember.from_numpy(g.copy()) for g in gos])
    for i, (te, ee, f) in enumerate(zip(t_in, e_in, flags)):
        if not f:
            continue
        if te.grad is None:
            assert ee.grad is None or not ee.grad.detach().numpy().any(), \
                f"{case.name}: grad of input {i}: torch None"
            continue
        assert ee.grad is not None, f"{case.name}: Ember gave no grad for input {i}"
        assert_same(ee.grad, te.grad, case.rtol * 10, case.atol * 10, f"{case.name} grad {i}")


def gradcheck_case(case: OpCase, second_order=False):
    """Ember's backward against finite differences, on float64 copies of the inputs."""
    flags = _grad_flags(case)
    ins = []
    for x, f in zip(case.inputs, flags):
        if isinstance(x, np.ndarray):
            a = x.astype(np.float64) if x.dtype.kind == "f" else x.copy()
            ins.append(ember.from_numpy(a).requires_grad_(f))
        else:
            ins.append(x)
    if not any(flags):
        return

    def f(*args):
        out = case.fn(ember, *args)
        return out

    assert ember.autograd.gradcheck(f, ins, eps=1e-6, atol=1e-5, rtol=1e-3)
    if second_order:
        assert ember.autograd.gradgradcheck(f, ins, eps=1e-6, atol=1e-4, rtol=1e-3)


def assert_raises_like(fn, exc_type=None):
    """Ember raises the same exception class and message as PyTorch for ``fn(lib)``."""
    import pytest

    with pytest.raises(Exception) as t_info:
        fn(torch)
    with pytest.raises(Exception) as e_info:
        fn(ember)
    t_exc, e_exc = t_info.value, e_info.value
    assert isinstance(e_exc, type(t_exc)) or type(t_exc).__name__ == type(e_exc).__name__, \
        f"torch raised {type(t_exc).__name__}, Ember {type(e_exc).__name__}: {e_exc}"
    assert str(e_exc) == str(t_exc), f"messages differ:\n  torch: {t_exc}\n  ember: {e_exc}"
