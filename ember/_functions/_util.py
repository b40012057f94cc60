"""Helpers shared by the op families: dtype promotion on arrays, method registration."""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._dtype import FROM_NP, get_default_dtype
from .._tensor import _NP_DISPATCH, Tensor

_KIND = {"b": 0, "u": 1, "i": 1, "f": 2}


def register(*names, dispatch=(), **methods):
    """Attach functions to ``Tensor`` as methods (``register(exp=exp)``) and, with
    ``dispatch=((np.exp, exp), ...)``, make NumPy calls on Tensors run the Ember op."""
    for name, fn in methods.items():
        setattr(Tensor, name, fn)
    for np_fn, fn in dispatch:
        _NP_DISPATCH[np_fn] = fn


def as_operand(x):
    """Tensors pass through; ndarrays become constant tensors; numbers stay Python numbers."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x, False)
    if isinstance(x, (bool, int, float)):
        return x
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"expected Tensor or number as operand, but got {type(x).__name__}")


def _scalar_kind(x) -> int:
    t = type(x)
    if t is bool:
        return 0
    if t is int:
        return 1
    return 2


def result_np_dtype(a, b):
    """PyTorch's result dtype (as a NumPy dtype) for two operands that are ndarrays (0-d ones
    count as 0-d tensors) or Python scalars."""
    ta, tb = type(a) is np.ndarray, type(b) is np.ndarray
    if ta and tb:
        da, db = a.dtype, b.dtype
        if da == db:
            return da
        if (a.ndim == 0) == (b.ndim == 0):
            return _dtype.promote_types(FROM_NP[da], FROM_NP[db]).np
        dim, zero = (a, b) if b.ndim == 0 else (b, a)
        return _dtype._combine(FROM_NP[dim.dtype], FROM_NP[zero.dtype]).np
    if ta or tb:
        arr, sc = (a, b) if ta else (b, a)
        k = _KIND[arr.dtype.kind]
        sk = _scalar_kind(sc)
        if sk <= k:
            return arr.dtype
        if sk == 2:
            return get_default_dtype().np
        return np.dtype(np.int64)
    # two scalars
    return _dtype.result_type(a, b).np


def operands(a, b):
    """Cast two operands to their PyTorch result dtype; returns ``(a, b, dtype)``.

    Also checks that two arrays broadcast, raising PyTorch's message if they don't.
    """
    ta, tb = type(a) is np.ndarray, type(b) is np.ndarray
    if ta and tb:
        if a.shape != b.shape:
            check_broadcast(a.shape, b.shape)
        if a.dtype == b.dtype:
            return a, b, a.dtype
    elif ta and type(b) is float and a.dtype.kind == "f":
        return a, b, a.dtype
    rt = result_np_dtype(a, b)
    return _cast_operand(a, rt), _cast_operand(b, rt), rt


def check_broadcast(sa, sb) -> None:
    """Raise PyTorch's RuntimeError if shapes ``sa`` and ``sb`` do not broadcast."""
    na, nb = len(sa), len(sb)
    n = max(na, nb)
    for i in range(1, n + 1):
        x = sa[-i] if i <= na else 1
        y = sb[-i] if i <= nb else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {n - i}"
            )


def _cast_operand(x, rt):
    if type(x) is np.ndarray:
        return x if x.dtype == rt else x.astype(rt)
    if rt.kind == "f":
        return float(x) if type(x) is not float else x
    if rt.kind == "b":
        return bool(x)
    info = np.iinfo(rt)
    x = int(x)
    if info.min <= x <= info.max:
        return x
    return np.array(x).astype(rt)  # wraps around, as PyTorch's integer arithmetic does


def float_dtype(x):
    """The dtype of a float op's result: the input's if floating, else the default dtype."""
    d = x.dtype
    return d if d.kind == "f" else get_default_dtype().np


def to_float(x):
    """An array in the dtype float ops compute in (integers and bools become the default dtype)."""
    return x if x.dtype.kind == "f" else x.astype(get_default_dtype().np)
