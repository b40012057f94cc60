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


def _result(out, arr: np.ndarray, requires_grad: bool = False) -> Tensor:
    """A factory's result: a new tensor, or written into ``out=`` (resized if its shape differs,
    as PyTorch does)."""
    if out is None:
        return _finish(arr, requires_grad)
    if out._data.shape == arr.shape:
        np.copyto(out._data, arr, casting="unsafe")
    else:
        out._data = arr.astype(out._data.dtype)
    out._vc[0] += 1
    return out


def _scalar_type(data) -> _dtype.dtype:
    """PyTorch's ``infer_scalar_type``: the dtype of nested data, promoting across elements
    (Python float -> default dtype, int -> int64, bool -> bool; NumPy values and tensors keep
    theirs; an empty sequence -> default dtype)."""
    t = type(data)
    if t is float:
        return get_default_dtype()
    if t is builtins.bool:
        return _dtype.bool
    if t is int:
        return _dtype.int64
    if isinstance(data, Tensor):
        return FROM_NP[data._data.dtype]
    if isinstance(data, (np.ndarray, np.generic)):
        return _dtype.from_numpy_dtype(data.dtype)
    if isinstance(data, (list, tuple)):
        if not data:
            return get_default_dtype()
        kinds = set(map(type, data))
        if kinds <= {float, int, builtins.bool}:  # fast path for flat Python numbers
            if float in kinds:
                return get_default_dtype()
            return _dtype.int64 if int in kinds else _dtype.bool
        result = None
        for d in data:
            dt = _scalar_type(d)
            result = dt if result is None else _dtype.promote_types(result, dt)
        return result
    if isinstance(data, (float, int)):  # subclasses of Python numbers
        return _scalar_type(float(data) if isinstance(data, float) else int(data))
    raise TypeError(f"new(): invalid data type '{type(data).__name__}'")


def _infer_array(data) -> np.ndarray:
    """Turn nested Python data into a new ndarray with PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        return data.copy()
    dt = _scalar_type(data)
    if isinstance(data, (list, tuple)):
        _check_nested(data)
        data = _untensor(data)
    return np.array(data, dtype=dt.np)


def _untensor(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_untensor(d) for d in data]
    return data


def _is_seq(x) -> bool:
    return isinstance(x, (list, tuple)) or (
        isinstance(x, (np.ndarray, Tensor)) and x.ndim > 0)


def _check_nested(data, dim=0):
    """PyTorch's errors for ragged nested sequences."""
    if not data:
        return
    first = data[0]
    if _is_seq(first):
        n = len(first)
        for d in data:
            if not _is_seq(d):
                raise TypeError("not a sequence")
            if len(d) != n:
                raise ValueError(f"expected sequence of length {n} at dim {dim + 1} (got {len(d)})")
        for d in data:
            if isinstance(d, (list, tuple)):
                _check_nested(d, dim + 1)
    else:
        for d in data:
            if isinstance(d, (list, tuple)):
                raise TypeError(f"'{type(d).__name__}' object cannot be interpreted as an integer")


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """Make a tensor by copying ``data`` (nested lists, numbers, ndarrays, tensors).

    >>> ember.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    """
    _check_device(device)
    if dtype is None or isinstance(data, (Tensor, np.ndarray)):
        arr = _infer_array(data)
        if dtype is not None:
            arr = arr.astype(to_dtype(dtype).np, copy=False)
    else:
        _scalar_type(data)  # type errors for unsupported data
        if isinstance(data, (list, tuple)):
            _check_nested(data)
            data = _untensor(data)
        arr = np.array(data, dtype=to_dtype(dtype).np)
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


def _size(size, name="zeros") -> tuple:
    """A shape from varargs ints, one tuple/list/Size, or 0-d integer tensors."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
        packed = True
    else:
        packed = False
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if isinstance(s, builtins.bool) or not isinstance(s, (int, np.integer)):
            if packed:
                raise TypeError(
                    f"{name}(): argument 'size' failed to unpack the object at pos {len(out) + 1} "
                    f"with error \"type must be tuple of ints,but got {type(s).__name__}\""
                )
            raise TypeError(
                f"{name}(): argument 'size' (position {len(out) + 1}) must be tuple of ints, not "
                f"{type(s).__name__}"
            )
        out.append(int(s))
    if builtins.any(s < 0 for s in out):
        if name == "zeros":
            raise RuntimeError("zeros: Dimension size must be non-negative.")
        neg = next(s for s in out if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {out}")
    return tuple(out)


def _np_dtype(dtype):
    return get_default_dtype().np if dtype is None else to_dtype(dtype).np


def _fill(size, value, dtype, device, requires_grad, out=None, name="zeros"):
    _check_device(device)
    shape = _size(size, name)
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
    return _fill(size, 1, dtype, device, requires_grad, out, "ones")


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:
    """An uninitialized tensor (Ember fills it with zeros, so programs stay deterministic)."""
    return _fill(size, 0, dtype, device, requires_grad, out, "empty")


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
    return _fill((size,), fill_value, dt, device, requires_grad, out, "full")


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


def _fma(a, b, c):
    """``a * b + c`` in float64 with a single rounding, as PyTorch's compiled kernels compute it
    (error-free transformations: Dekker's product and Knuth's sum)."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    p = a * b
    ca, cb = a * 134217729.0, b * 134217729.0  # split into 26-bit halves
    ah = ca - (ca - a)
    bh = cb - (cb - b)
    al, bl = a - ah, b - bh
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    with np.errstate(invalid="ignore", over="ignore"):
        s = p + c
        bb = s - p
        t = (p - (s - bb)) + (c - bb)
        r = s + (t + err)
    return np.where(np.isfinite(r), r, p + c)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``: ``arange(5)``,
    ``arange(0, 1, 0.1)``.
    """
    _check_device(device)
    if out is not None and dtype is None:
        dtype = out.dtype  # PyTorch computes in out='s dtype
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_float = builtins.any(isinstance(v, (float, np.floating)) for v in (start, end, step))
        dt = get_default_dtype() if is_float else _dtype.int64
    else:
        dt = to_dtype(dtype)
    if dt is _dtype.int64 and step != 0 and int(step) == 0:
        raise ValueError("step must be nonzero")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt.is_floating_point:
        n = math.ceil((float(end) - float(start)) / float(step))
        # PyTorch computes start + i * step in the accumulate type (double; float for half)
        vals = _fma(float(step), np.arange(n, dtype=np.float64), float(start))
        if dt is _dtype.float16:
            vals = vals.astype(np.float32)
        arr = vals.astype(dt.np)
    else:
        # integer outputs: start and step are truncated to integers first
        xs, xe, xst = int(start), int(end), int(step)
        if dt is _dtype.int64:
            sgn = (xst > 0) - (xst < 0)
            num = xe - xs + xst - sgn
            n = builtins.abs(num) // builtins.abs(xst) * (1 if (num >= 0) == (xst > 0) else -1)
        else:
            n = math.ceil((float(end) - float(start)) / float(step))
        n = builtins.max(int(n), 0)
        arr = (xs + np.arange(n, dtype=np.int64) * xst).astype(dt.np)
    return _result(out, arr, requires_grad)


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
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Bit-identical to PyTorch's CPU kernel: the step is computed in the output dtype (double for
    integer outputs); the first half counts up from ``start`` and the second half down from
    ``end``, each value as one fused multiply-add.

    >>> ember.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    _check_device(device)
    start, end = _num(start), _num(end)
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    return _result(out, _linspace_values(start, end, int(steps), dt.np), requires_grad)


def _linspace_values(start, end, steps, npdt) -> np.ndarray:
    if steps == 0:
        return np.zeros(0, npdt)
    if steps == 1:
        return np.full(1, start).astype(npdt)
    idx = np.arange(steps, dtype=np.int64)
    first = idx < steps // 2
    up = idx.astype(np.float64)
    down = (steps - idx - 1).astype(np.float64)
    if npdt == np.float16:  # Half arithmetic: every operation rounds to half
        h = np.float16
        s, e = h(start), h(end)
        step = h(h(e - s) / h(steps - 1))
        return np.where(first, s + step * up.astype(h), e - step * down.astype(h))
    if npdt.kind == "f":
        ct = npdt.type
        s, e = ct(start), ct(end)
        step = ct((e - s) / ct(steps - 1))
        vals = np.where(first, _fma(step, up, s), _fma(-step, down, e))
        return vals.astype(npdt)
    # integer outputs: start/end converted to the integer type, step in double
    s = float(np.array(start).astype(npdt))
    e = float(np.array(end).astype(npdt))
    step = (e - s) / (steps - 1)
    vals = np.where(first, _fma(step, up, s), _fma(-step, down, e))
    return np.trunc(vals).astype(np.int64).astype(npdt)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``base ** linspace(start, end, steps)``, computed as PyTorch's CPU kernel does."""
    _check_device(device)
    if out is not None and dtype is None:
        dtype = out.dtype  # PyTorch fills out= in its own dtype
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    start, end = _num(start), _num(end)
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    steps = int(steps)
    npdt = dt.np
    if steps == 0:
        return _result(out, np.zeros(0, npdt), requires_grad)
    if steps == 1:
        arr = np.array([float(base) ** float(start)]).astype(npdt)
        return _result(out, arr, requires_grad)
    ct = npdt.type if npdt.kind == "f" else np.float64
    if npdt == np.float16:
        ct = np.float32
    s, e = ct(start), ct(end)
    step = ct((e - s) / ct(steps - 1))
    idx = np.arange(steps, dtype=np.int64)
    exps = np.where(idx < steps // 2, _fma(step, idx.astype(np.float64), s),
                    _fma(-step, (steps - idx - 1).astype(np.float64), e)).astype(ct)
    vals = np.power(ct(base), exps)
    if npdt.kind != "f":
        vals = np.trunc(vals)
    return _result(out, vals.astype(npdt), requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    """The ``n`` x ``m`` identity matrix."""
    _check_device(device)
    if out is not None and dtype is None:
        dtype = out.dtype  # PyTorch fills out= in its own dtype
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _result(out, np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    _check_device(device)
    return _finish(np.array(s, dtype=_np_dtype(dtype)), requires_grad)


def _legacy_tensor_init(self, args, kwargs):
    """``torch.Tensor(2, 3)`` (uninitialized float) and ``torch.Tensor([1, 2])`` (float copy)."""
    _check_device(kwargs.pop("device", None))
    dt = get_default_dtype().np
    if not args:
        arr = np.zeros(0, dt)
    elif len(args) == 1 and isinstance(args[0], Size):
        arr = np.zeros(tuple(args[0]), dt)
    elif len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        arr = _infer_array(args[0]).astype(dt)
    else:
        arr = np.zeros(_size(args), dt)
    Tensor._init_from(self, arr, False)
