"""Factory functions: ``tensor``, ``zeros``, ``arange``, ``linspace``... (PyTorch dtype rules)."""

from __future__ import annotations

import builtins
import math

import numpy as np

from . import _dtype
from ._dtype import FROM_NP, get_default_dtype, to_dtype
from ._tensor import Size, Tensor, _check_device


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    if requires_grad and arr.dtype.kind != "f":
        raise RuntimeError(
            "Only Tensors of floating point and complex dtype can require gradients"
        )
    return Tensor._make(arr, bool(requires_grad))


def _infer_array(data) -> np.ndarray:
    """Turn nested Python data into an ndarray with PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        if data.dtype not in FROM_NP:
            _dtype.from_numpy_dtype(data.dtype)
        return data.copy()
    if isinstance(data, (np.generic,)):
        return np.array(data)
    if isinstance(data, (builtins.bool, int, float)):
        a = np.array(data)
    else:
        _check_nested(data)
        a = np.array(_untensor(data))
    if a.dtype == np.float64 and not _has_float64(data):
        a = a.astype(get_default_dtype().np)
    elif a.dtype.kind in "US" or a.dtype == object:
        raise TypeError(f"new(): invalid data type '{type(_first_leaf(data)).__name__}'")
    elif a.dtype.kind == "i" and a.dtype != np.int64:
        a = a.astype(np.int64)
    return a


def _first_leaf(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


def _untensor(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_untensor(d) for d in data]
    return data


def _has_float64(data) -> bool:
    """Whether nested data holds float64 arrays/tensors (which keep their dtype)."""
    if isinstance(data, Tensor):
        return data._data.dtype == np.float64
    if isinstance(data, np.ndarray) or isinstance(data, np.float64):
        return data.dtype == np.float64
    if isinstance(data, (list, tuple)):
        return builtins.any(_has_float64(d) for d in data)
    return False


def _check_nested(data, dim=0):
    """PyTorch's ValueError for ragged nested sequences."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    first = data[0]
    if isinstance(first, (list, tuple)):
        n = len(first)
        for d in data:
            if not isinstance(d, (list, tuple)):
                raise ValueError(
                    f"expected sequence of length {n} at dim {dim + 1} (got {type(d).__name__})"
                )
            if len(d) != n:
                raise ValueError(f"expected sequence of length {n} at dim {dim + 1} (got {len(d)})")
        for d in data:
            _check_nested(d, dim + 1)


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """Make a tensor by copying ``data`` (nested lists, numbers, ndarrays, tensors).

    >>> ember.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    """
    _check_device(device)
    arr = _infer_array(data)
    if dtype is not None:
        arr = arr.astype(to_dtype(dtype).np, copy=False)
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a Tensor or ndarray when no conversion is needed."""
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(to_dtype(dtype))
    if isinstance(data, np.ndarray) and data.dtype in FROM_NP:
        if dtype is None or to_dtype(dtype).np == data.dtype:
            return Tensor._make(data, False)
        return Tensor._make(data.astype(to_dtype(dtype).np), False)
    return tensor(data, dtype=dtype)


asarray = as_tensor


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (writes through either are seen by both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray, False)


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)):
            raise TypeError(
                f"zeros(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {len(out)}"
            )
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(size)}"
            )
        out.append(int(s))
    return tuple(out)


def _np_dtype(dtype):
    return get_default_dtype().np if dtype is None else to_dtype(dtype).np


def _fill(size, value, dtype, device, requires_grad, out=None):
    _check_device(device)
    shape = _size(size)
    if out is not None:
        out._data = np.full(shape, value, out._data.dtype)
        return out
    return _finish(np.full(shape, value, _np_dtype(dtype)), requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _fill(size, 0, dtype, device, requires_grad, out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, memory_format=None) -> Tensor:
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``."""
    return _fill(size, 1, dtype, device, requires_grad, out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:
    """An uninitialized tensor (Ember fills it with zeros, so programs stay deterministic)."""
    return _fill(size, 0, dtype, device, requires_grad, out)


def _scalar_fill_dtype(value):
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, (builtins.bool, np.bool_)):
        return _dtype.bool
    if isinstance(value, (int, np.integer)):
        return _dtype.int64
    return get_default_dtype()


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from the value)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = to_dtype(dtype) if dtype is not None else _scalar_fill_dtype(fill_value)
    return _fill((size,) if not isinstance(size, (int, np.integer)) else (size,), fill_value,
                 dt, device, requires_grad, out)


def _like(input, dtype):
    return input._data.dtype if dtype is None else to_dtype(dtype).np


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    _check_device(device)
    return _finish(np.zeros(input._data.shape, _like(input, dtype)), requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    _check_device(device)
    return _finish(np.ones(input._data.shape, _like(input, dtype)), requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    _check_device(device)
    return _finish(np.zeros(input._data.shape, _like(input, dtype)), requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    _check_device(device)
    return _finish(np.full(input._data.shape, fill_value, _like(input, dtype)), requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``: ``arange(5)``,
    ``arange(0, 1, 0.1)``.
    """
    _check_device(device)
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_float = builtins.any(isinstance(v, (float, np.floating)) for v in (start, end, step))
        dt = get_default_dtype() if is_float else _dtype.int64
    else:
        dt = to_dtype(dtype)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt.is_floating_point or builtins.any(isinstance(v, float) for v in (start, end, step)):
        n = math.ceil((float(end) - float(start)) / float(step))
    else:
        n = -((start - end) // step) if step > 0 else -((end - start) // -step)
    n = builtins.max(int(n), 0)
    if dt.is_floating_point:
        # PyTorch computes start + i * step in double for float/double outputs
        arr = (float(start) + np.arange(n, dtype=np.float64) * float(step)).astype(dt.np)
    elif builtins.all(isinstance(v, (int, np.integer)) for v in (start, step)):
        arr = (int(start) + np.arange(n, dtype=np.int64) * int(step)).astype(dt.np)
    else:
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    return _finish(arr, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:  # noqa: A001
    """Deprecated in PyTorch: like arange but includes ``end``; float dtype by default."""
    if end is None:
        start, end = 0, start
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    n = int(math.floor((end - start) / step)) + 1
    arr = (start + np.arange(builtins.max(n, 0), dtype=np.float64) * step).astype(dt.np)
    return _finish(arr, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (PyTorch's arithmetic:
    the first half counts up from ``start``, the second half down from ``end``)."""
    _check_device(device)
    start, end = _num(start), _num(end)
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    steps = int(steps)
    if steps == 0:
        arr = np.zeros(0, dt.np)
    elif steps == 1:
        arr = np.full(1, start, dt.np)
    elif dt.is_floating_point:
        ct = dt.np
        s, e = ct.type(start), ct.type(end)
        step = (e - s) / ct.type(steps - 1)
        idx = np.arange(steps)
        half = steps // 2
        arr = np.empty(steps, ct)
        arr[:half] = s + step * idx[:half].astype(ct)
        arr[half:] = e - step * (steps - idx[half:] - 1).astype(ct)
    else:
        step = (float(end) - float(start)) / (steps - 1)
        idx = np.arange(steps, dtype=np.float64)
        half = steps // 2
        vals = np.where(idx < half, start + step * idx, end - step * (steps - idx - 1))
        arr = vals.astype(dt.np)
    return _finish(arr, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    _check_device(device)
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    steps = int(steps)
    if steps == 0:
        return _finish(np.zeros(0, dt.np), requires_grad)
    if steps == 1:
        return _finish(np.array([base ** start], dtype=np.float64).astype(dt.np), requires_grad)
    step = (float(end) - float(start)) / (steps - 1)
    idx = np.arange(steps, dtype=np.float64)
    half = steps // 2
    exps = np.where(idx < half, start + step * idx, end - step * (steps - idx - 1))
    return _finish(np.power(float(base), exps).astype(dt.np), requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    """The ``n`` x ``m`` identity matrix."""
    _check_device(device)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    _check_device(device)
    return _finish(np.array(s, dtype=_np_dtype(dtype)), requires_grad)


def _legacy_tensor_init(self, args, kwargs):
    """``torch.Tensor(2, 3)`` (uninitialized float) and ``torch.Tensor([1, 2])`` (float copy)."""
    _check_device(kwargs.pop("device", None))
    dt = get_default_dtype().np
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        arr = _infer_array(args[0]).astype(dt)
    elif len(args) == 1 and isinstance(args[0], Size):
        arr = np.zeros(tuple(args[0]), dt)
    else:
        arr = np.zeros(_size(args), dt)
    Tensor._init_from(self, arr, False)
