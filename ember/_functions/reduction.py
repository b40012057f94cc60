"""Reductions: sum, mean, prod, max/min, var/std, norm, logsumexp, cumulative ops, sort, unique.

``dim`` is an int, a tuple/list of ints or None (every dim), negative dims count from the end,
and ``keepdim`` keeps reduced dims with size 1; ``axis=``/``keepdims=`` are accepted too, as in
PyTorch. Integer and bool inputs of ``sum``/``prod``/``cumsum`` give int64.

Backward formulas are PyTorch's (``FunctionsManual.cpp``) and are written with operators and
``np.*`` calls, so that they run on arrays normally and on Tensors under ``create_graph=True``.
Masks that depend only on forward values (which element was the max, where the zeros are) are
kept as constant arrays.
"""

from __future__ import annotations

__all__ = [
    "sum",
    "nansum",
    "mean",
    "nanmean",
    "prod",
    "max",
    "min",
    "amax",
    "amin",
    "aminmax",
    "argmax",
    "argmin",
    "var",
    "std",
    "var_mean",
    "std_mean",
    "norm",
    "logsumexp",
    "all",
    "any",
    "cumsum",
    "cumprod",
    "cummax",
    "cummin",
    "median",
    "nanmedian",
    "mode",
    "kthvalue",
    "topk",
    "sort",
    "argsort",
    "msort",
    "unique",
    "unique_consecutive",
    "count_nonzero",
]

import builtins
import functools
import math
import warnings

import numpy as np

from .. import return_types as _rt
from .._dtype import FROM_NP, get_default_dtype, to_dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from ..autograd.grad_mode import _state
from ._util import register

_bmax = builtins.max
_babs = builtins.abs
_NO_DIM = object()  # "dim not passed", which PyTorch tells apart from dim=None in grad_fn names

_TORCH_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
    "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double",
}


def _tname(npd) -> str:
    return _TORCH_NAMES[np.dtype(npd).name]


# ---------------------------------------------------------------- helpers
def _np_aliases(fn):
    """Accept NumPy's ``axis=``/``keepdims=`` for ``dim=``/``keepdim=``, as PyTorch does."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if "axis" in kwargs:
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs:
            kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)

    return wrapper


def _check_int_dim(d, name):
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(d).__name__}")
    return int(d)


def _dims(dim, ndim: int, name: str = "sum") -> tuple:
    """The sorted reduction axes for ``dim`` (None or () means every axis), with PyTorch's
    errors. A 0-d tensor accepts dim 0 and -1 and has no axes to reduce."""
    if dim is None or dim is _NO_DIM:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return tuple(range(ndim))
        seen = []
        for d in dim:
            w = _wrap_dim(_check_int_dim(d, name), ndim)
            if w in seen:
                raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
            seen.append(w)
        return () if ndim == 0 else tuple(sorted(seen))
    w = _wrap_dim(_check_int_dim(dim, name), ndim)
    return () if ndim == 0 else (w,)


def _one_dim(dim, ndim: int, name: str) -> int:
    """A single wrapped dim (PyTorch's ``int dim`` arguments); -1 on a 0-d tensor gives 0."""
    return _wrap_dim(_check_int_dim(dim, name), ndim)


def _keep_shape(shape, axes) -> tuple:
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _expand_back(grad, ctx):
    """The gradient of a reduction's output, broadcast back to the input's shape."""
    if not ctx.keepdim:
        grad = grad.reshape(ctx.keep)
    return np.broadcast_to(grad, ctx.in_shape)


def _unsqueeze(g, ctx):
    """``g`` (an output-shaped value) with the reduced dims restored as size 1."""
    return g if ctx.keepdim else g.reshape(ctx.keep)


def _setup(ctx, x, axes, keepdim):
    ctx.axes = axes
    ctx.keepdim = keepdim
    ctx.in_shape = x.shape
    ctx.keep = _keep_shape(x.shape, axes)


def _acc_dtype(npd):
    """The dtype NumPy accumulates in: float16 sums in float32, as PyTorch's CPU kernels do."""
    return np.float32 if npd == np.float16 else npd


def _out(result, out):
    if out is None:
        return result
    from .arithmetic import _out as _write

    return _write(result, out)


def _is_tensor(x) -> bool:
    return isinstance(x, Tensor)


# ---------------------------------------------------------------- scatter / gather along a dim
def _scatter_np(g, idx, axis, shape, accumulate):
    out = np.zeros(shape, g.dtype)
    if out.size == 0 or idx.size == 0:
        return out
    if not accumulate:
        np.put_along_axis(out, idx, g, axis)
        return out
    o = np.moveaxis(out, axis, -1)
    n = o.shape[-1]
    m = _numel(o.shape[:-1])
    gi = np.moveaxis(np.broadcast_to(g, idx.shape), axis, -1).reshape(m, -1)
    ii = np.moveaxis(idx, axis, -1).reshape(m, -1) + (np.arange(m) * n)[:, None]
    res = np.bincount(ii.ravel(), weights=gi.ravel(), minlength=m * n).reshape(o.shape)
    return np.moveaxis(res, -1, axis).astype(g.dtype)


def _scatter(g, idx, axis, shape, accumulate=False):
    """Zeros of ``shape`` with ``g`` put (or added) at ``idx`` along ``axis``."""
    if not shape:
        return g.reshape(())
    if _is_tensor(g):
        return _ScatterAlong.apply(g, idx, axis, shape, accumulate)
    return _scatter_np(g, idx, axis, shape, accumulate)


def _gather(g, idx, axis):
    if _is_tensor(g):
        return _GatherAlong.apply(g, idx, axis)
    return np.take_along_axis(g, idx, axis)


class _ScatterAlong(Function):
    """Differentiable scatter of a gradient into a zero tensor (double backward)."""

    _arrays = True
    name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, g, idx, axis, shape, accumulate):
        ctx.idx, ctx.axis = idx, axis
        return _scatter_np(g, idx, axis, shape, accumulate)

    @staticmethod
    def backward(ctx, gg):
        return _gather(gg, ctx.idx, ctx.axis), None, None, None, None


class _GatherAlong(Function):
    _arrays = True
    name = "GatherBackward0"

    @staticmethod
    def forward(ctx, g, idx, axis):
        ctx.idx, ctx.axis, ctx.shape = idx, axis, g.shape
        return np.take_along_axis(g, idx, axis)

    @staticmethod
    def backward(ctx, gg):
        return _scatter(gg, ctx.idx, ctx.axis, ctx.shape, True), None, None


# ---------------------------------------------------------------- sum, nansum, mean
class Sum(Function):
    """Sum over ``axes``; ``dtype`` is the NumPy result dtype."""

    _arrays = True
    name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, axes, keepdim, dtype):
        _setup(ctx, x, axes, keepdim)
        if x.dtype != dtype:
            x = x.astype(dtype)
        acc = _acc_dtype(dtype)
        out = np.sum(x, axis=axes, keepdims=keepdim, dtype=acc)
        return np.asarray(out).astype(dtype, copy=acc != dtype or not axes)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad, ctx), None, None, None


class SumAll(Sum):
    name = "SumBackward0"


class NanSum(Function):
    _arrays = True
    name = "NansumBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim, dtype):
        _setup(ctx, x, axes, keepdim)
        if x.dtype != dtype:
            x = x.astype(dtype)
        if ctx.needs_input_grad[0]:
            ctx.mask = (~np.isnan(x)).astype(x.dtype)
        acc = _acc_dtype(dtype)
        out = np.nansum(x, axis=axes, keepdims=keepdim, dtype=acc)
        return np.asarray(out).astype(dtype, copy=acc != dtype or not axes)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad, ctx) * ctx.mask, None, None, None


class Mean(Function):
    _arrays = True
    name = "MeanBackward1"

    @staticmethod
    def forward(ctx, x, axes, keepdim, dtype):
        _setup(ctx, x, axes, keepdim)
        if x.dtype != dtype:
            x = x.astype(dtype)
        acc = _acc_dtype(dtype)
        ctx.n = _numel(x.shape[a] for a in axes)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.sum(x, axis=axes, keepdims=keepdim, dtype=acc)
            out = np.true_divide(out, ctx.n, dtype=acc)
        return np.asarray(out).astype(dtype, copy=acc != dtype or not axes)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad, ctx) / ctx.n, None, None, None


class MeanAll(Mean):
    name = "MeanBackward0"


def _sum_dtype(x, dtype, name="sum"):
    if dtype is not None:
        d = to_dtype(dtype)
        if x._requires_grad and _state[0] and not d.is_floating_point:
            raise RuntimeError(f"Autograd not support dtype: {_tname(d.np)}")
        return d.np
    k = x._data.dtype.kind
    return np.dtype(np.int64) if k in "biu" else x._data.dtype


@_np_aliases
def sum(input, dim=_NO_DIM, keepdim=False, *, dtype=None, out=None) -> Tensor:  # noqa: A001
    """Sum of the elements, over every dim or over ``dim`` (an int or a tuple of ints).

    Integer and bool inputs give int64 unless ``dtype`` says otherwise.

    >>> ember.tensor([[1., 2.], [3., 4.]]).sum(0)
    tensor([4., 6.])
    """
    axes = _dims(dim, input._data.ndim)
    fn = SumAll if dim is _NO_DIM else Sum
    return _out(fn.apply(input, axes, keepdim, _sum_dtype(input, dtype)), out)


@_np_aliases
def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Sum treating NaN as zero."""
    axes = _dims(dim, input._data.ndim, "nansum")
    return _out(NanSum.apply(input, axes, keepdim, _sum_dtype(input, dtype)), out)


def _mean_dtype(x, dtype, name="mean"):
    if dtype is not None:
        d = to_dtype(dtype)
        if not d.is_floating_point:
            raise RuntimeError(
                f"{name}(): could not infer output dtype. Optional dtype must be either a "
                f"floating point or complex dtype. Got: {_tname(d.np)}"
            )
        return d.np
    npd = x._data.dtype
    if npd.kind != "f":
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_tname(npd)}"
        )
    return npd


@_np_aliases
def mean(input, dim=_NO_DIM, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Mean of the elements (floating-point inputs, or ``dtype=`` a float dtype).

    >>> ember.tensor([[1., 2.], [3., 4.]]).mean(1)
    tensor([1.5000, 3.5000])
    """
    axes = _dims(dim, input._data.ndim, "mean")
    fn = MeanAll if dim is _NO_DIM else Mean
    return _out(fn.apply(input, axes, keepdim, _mean_dtype(input, dtype)), out)


@_np_aliases
def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Mean over the non-NaN elements."""
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{_tname(input._data.dtype)}"
        )
    axes = _dims(dim, input._data.ndim, "nanmean")
    cnt = np.sum(~np.isnan(input._data), axis=axes, keepdims=keepdim)
    total = nansum(input, dim, keepdim, dtype=dtype)
    return _out(total / Tensor._make(np.asarray(cnt, np.int64), False), out)


# ---------------------------------------------------------------- prod
def _cast_for_grad(input, dt):
    """Cast a differentiable input to ``dtype=`` first, so that the values a backward saves are
    the (cast) input itself and double backward still reaches it."""
    if input._requires_grad and input._data.dtype != dt and _state[0]:
        return input.to(FROM_NP[dt])
    return input


def _exclusive_prods(x, axis):
    """prod of x over ``axis`` leaving out each element in turn, without dividing."""
    n = x.shape[axis]
    ones = np.ones_like(np.take(x, [0], axis))
    before = np.cumprod(np.concatenate([ones, np.take(x, range(n - 1), axis)], axis), axis)
    rev = np.flip(x, axis)
    after = np.cumprod(np.concatenate([ones, np.take(rev, range(n - 1), axis)], axis), axis)
    return before * np.flip(after, axis)


def _omit_matrix(x, axis):
    """For a Tensor ``x``: X[..., k, i] = x_i (i != k) or 1 (i == k), along ``axis`` moved
    last; used by the double-backward paths of prod and cumprod when inputs have zeros."""
    xm = np.moveaxis(x, axis, -1)
    n = xm.shape[-1]
    eye = np.eye(n, dtype=x.dtype.np if _is_tensor(x) else x.dtype)
    return np.expand_dims(xm, -2) * (1 - eye) + eye, n, eye


def _prod_except(x, axis):
    if _is_tensor(x):
        mat, _, _ = _omit_matrix(x, axis)
        return np.moveaxis(prod(mat, -1), -1, axis)
    return _exclusive_prods(x, axis)


class Prod(Function):
    _arrays = True
    name = "ProdBackward1"

    @staticmethod
    def forward(ctx, x, axis, keepdim, dtype):
        axes = tuple(range(x.ndim)) if axis is None else (axis,)
        _setup(ctx, x, axes, keepdim)
        ctx.full = axis is None
        if x.dtype != dtype:
            x = x.astype(dtype)
        acc = _acc_dtype(dtype)
        out = np.asarray(np.prod(x, axis=axis, keepdims=keepdim, dtype=acc))
        out = out.astype(dtype, copy=acc != dtype or x.ndim == 0)
        if ctx.needs_input_grad[0]:
            ctx.zeros = int(np.count_nonzero(x == 0))
            ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        if len(ctx.in_shape) == 0:
            return grad, None, None, None
        if ctx.zeros == 0:
            with np.errstate(divide="ignore", invalid="ignore"):
                return _unsqueeze(grad, ctx) * (_unsqueeze(out, ctx) / x), None, None, None
        if ctx.full:
            if ctx.zeros > 1 and not _is_tensor(grad):  # (under create_graph: the safe path)
                return np.zeros(ctx.in_shape, out.dtype), None, None, None
            flat = _prod_except(x.reshape(-1), 0).reshape(ctx.in_shape)
            return grad * flat, None, None, None
        return _unsqueeze(grad, ctx) * _prod_except(x, ctx.axes[0]), None, None, None


class ProdAll(Prod):
    name = "ProdBackward0"


@_np_aliases
def prod(input, dim=_NO_DIM, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Product of the elements, over everything or over one ``dim``.

    >>> ember.tensor([[1., 2.], [3., 4.]]).prod(1)
    tensor([ 2., 12.])
    """
    dt = _sum_dtype(input, dtype)
    input = _cast_for_grad(input, dt)
    if dim is _NO_DIM:
        return _out(ProdAll.apply(input, None, False, dt), out)
    d = _one_dim(dim, input._data.ndim, "prod")
    axis = None if input._data.ndim == 0 else d
    return _out(Prod.apply(input, axis, keepdim, dt), out)


# ---------------------------------------------------------------- max, min, amax, amin
def _check_nonempty(x, axes, name, full):
    if x.size != 0:
        return
    if full:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )
    for a in axes:  # (the dim as the user wrote it, wrapped)
        raw, w = a if isinstance(a, tuple) else (a, a)
        if x.shape[w] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {raw} to have non-zero size.")


def _tie_mask(x, out_keep):
    """Where ``x`` equals its reduced value (NaN counting as equal to a NaN result)."""
    m = x == out_keep
    if x.dtype.kind == "f":
        m |= np.isnan(x) & np.isnan(out_keep)
    return m


class AMax(Function):
    """amax / amin, and max() / min() of everything: the gradient is split evenly among ties.
    ``fn`` is the NumPy kernel (np.max or np.min)."""

    _arrays = True
    name = "AmaxBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim, fn):
        _setup(ctx, x, axes, keepdim)
        out = np.array(fn(x, axis=axes, keepdims=keepdim)) if axes else x.copy()
        if ctx.needs_input_grad[0]:
            ok = out if keepdim else out.reshape(ctx.keep)
            # max()/min() share the gradient among NaNs too; amax/amin (as PyTorch) do not
            mask = _tie_mask(x, ok) if type(ctx)._forward_cls in (MaxAll, MinAll) else x == ok
            ctx.count = np.sum(mask, axis=axes, keepdims=True).astype(x.dtype)
            ctx.mask = mask.astype(x.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (_unsqueeze(grad, ctx) / ctx.count) * ctx.mask, None, None, None


class AMin(AMax):
    name = "AminBackward0"


class MaxAll(AMax):
    name = "MaxBackward1"


class MinAll(AMax):
    name = "MinBackward1"


class _ValuesIndices(Function):
    """Base of ops returning (values, indices): the gradient goes to the selected elements."""

    _arrays = True
    _accumulate = False

    @staticmethod
    def backward(ctx, grad, _gi=None):
        cls = ctx._forward_cls
        g = grad if ctx.keepdim else np.expand_dims(grad, ctx.axis) if ctx.in_shape else grad
        return (_scatter(g, ctx.idx, ctx.axis, ctx.in_shape, cls._accumulate),) + (None,) * 4


def _finish_vi(ctx, x, vals, idx, axis, keepdim):
    """Shape (values, indices) computed with keepdims=True for ``keepdim``; record for backward."""
    ctx.keepdim, ctx.axis, ctx.in_shape = keepdim, axis, x.shape
    ctx.idx = idx
    if not keepdim and x.ndim:
        vals, idx = np.squeeze(vals, axis), np.squeeze(idx, axis)
    idx = np.array(idx, dtype=np.int64)
    ctx.mark_non_differentiable(idx)
    return vals, idx


class MaxDim(_ValuesIndices):
    """max(dim) / min(dim): ``fn`` is np.argmax or np.argmin (first occurrence, NaN wins)."""

    name = "MaxBackward0"

    @staticmethod
    def forward(ctx, x, axis, keepdim, fn):
        if x.ndim == 0:
            return _finish_vi(ctx, x, x.copy(), np.zeros((), np.int64), 0, keepdim)
        idx = fn(x, axis=axis, keepdims=True)
        vals = np.take_along_axis(x, idx, axis)
        return _finish_vi(ctx, x, vals, idx, axis, keepdim)


class MinDim(MaxDim):
    name = "MinBackward0"


def _reduce_minmax(name, input, dim, keepdim, out):
    if isinstance(dim, Tensor):
        from . import pointwise

        fn = pointwise.maximum if name == "max" else pointwise.minimum
        return fn(input, dim) if out is None else fn(input, dim, out=out)
    x = input._data
    is_max = name == "max"
    if dim is _NO_DIM:
        _check_nonempty(x, (), name, True)
        cls = MaxAll if is_max else MinAll
        return cls.apply(input, tuple(range(x.ndim)), False, np.max if is_max else np.min)
    d = _one_dim(dim, x.ndim, name)
    _check_nonempty(x, (d,), name, False)
    rt = _rt.max if is_max else _rt.min
    res = (MaxDim if is_max else MinDim).apply(
        input, d, keepdim, np.argmax if is_max else np.argmin)
    if out is not None:
        _out(res[0], out[0])
        _out(res[1], out[1])
        return rt(out)
    return rt(res)


@_np_aliases
def max(input, dim=_NO_DIM, keepdim=False, *, out=None):  # noqa: A001
    """The largest element; with ``dim``, ``(values, indices)`` of the largest along it; with a
    Tensor ``other``, the elementwise maximum.

    >>> ember.max(ember.tensor([[1., 5.], [3., 4.]]), 1)
    torch.return_types.max(
    values=tensor([5., 4.]),
    indices=tensor([1, 1]))
    """
    return _reduce_minmax("max", input, dim, keepdim, out)


@_np_aliases
def min(input, dim=_NO_DIM, keepdim=False, *, out=None):  # noqa: A001
    """The smallest element; with ``dim``, ``(values, indices)``; with a Tensor, the
    elementwise minimum."""
    return _reduce_minmax("min", input, dim, keepdim, out)


def _amax(cls, fn, name, input, dim, keepdim, out):
    x = input._data
    full = dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)
    axes = _dims(dim, x.ndim, name)
    raw = dim if isinstance(dim, (tuple, list)) else () if dim is None else (dim,)
    _check_nonempty(x, [(r, _wrap_dim(r, x.ndim)) for r in raw], name, full)
    return _out(cls.apply(input, axes, keepdim, fn), out)


@_np_aliases
def amax(input, dim=(), keepdim=False, *, out=None) -> Tensor:
    """Largest elements over ``dim`` (every dim by default); the gradient is shared evenly
    among equal maxima.

    >>> ember.tensor([[1., 5.], [3., 4.]]).amax(0)
    tensor([3., 5.])
    """
    return _amax(AMax, np.max, "amax", input, dim, keepdim, out)


@_np_aliases
def amin(input, dim=(), keepdim=False, *, out=None) -> Tensor:
    """Smallest elements over ``dim`` (every dim by default)."""
    return _amax(AMin, np.min, "amin", input, dim, keepdim, out)


class AMinMax(Function):
    """(amin, amax) in one node; each gradient is split evenly among its ties."""

    _arrays = True
    name = "AminmaxBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        _setup(ctx, x, axes, keepdim)
        if axes:
            lo = np.array(np.min(x, axis=axes, keepdims=keepdim))
            hi = np.array(np.max(x, axis=axes, keepdims=keepdim))
        else:
            lo, hi = x.copy(), x.copy()
        if ctx.needs_input_grad[0]:
            ctx.masks = []
            for o in (lo, hi):
                m = _tie_mask(x, o if keepdim else o.reshape(ctx.keep))
                ctx.masks.append((m.astype(x.dtype),
                                  np.sum(m, axis=axes, keepdims=True).astype(x.dtype)))
        return lo, hi

    @staticmethod
    def backward(ctx, glo, ghi):
        (mlo, clo), (mhi, chi) = ctx.masks
        return ((_unsqueeze(glo, ctx) / clo) * mlo + (_unsqueeze(ghi, ctx) / chi) * mhi,
                None, None)


@_np_aliases
def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` or everything, as ``return_types.aminmax``."""
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                "no identity."
            )
        axes = tuple(range(x.ndim))
    else:
        d = _one_dim(dim, x.ndim, "aminmax")
        if x.ndim and x.shape[d] == 0:
            raise IndexError(
                f"aminmax: Expected reduction dim {d} to have non-zero size."
            )
        axes = (d,) if x.ndim else ()
    return _rt.aminmax(AMinMax.apply(input, axes, keepdim))


def _arg(fn, name, input, dim, keepdim):
    x = input._data
    if x.dtype.kind == "b":
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if x.size == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        r = fn(x.reshape(-1))
        r = np.asarray(r, np.int64)
        if keepdim:
            r = r.reshape((1,) * x.ndim)
        return Tensor._make(r, False)
    d = _one_dim(dim, x.ndim, name)
    if x.ndim == 0:
        return Tensor._make(np.zeros((), np.int64), False)
    if x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return Tensor._make(np.asarray(fn(x, axis=d, keepdims=keepdim), np.int64), False)


@_np_aliases
def argmax(input, dim=None, keepdim=False, *, out=None) -> Tensor:
    """Index of the first largest element (of the flattened tensor when ``dim`` is None)."""
    return _out(_arg(np.argmax, "argmax", input, dim, keepdim), out)


@_np_aliases
def argmin(input, dim=None, keepdim=False, *, out=None) -> Tensor:
    """Index of the first smallest element (of the flattened tensor when ``dim`` is None)."""
    return _out(_arg(np.argmin, "argmin", input, dim, keepdim), out)


# ---------------------------------------------------------------- var, std
def _var_args(input, dim, unbiased, keepdim, correction, name):
    if isinstance(dim, bool):  # var(True): the legacy positional ``unbiased``
        unbiased, dim = dim, None
    if unbiased is not None and correction is not None:
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got (correction=int, "
            "unbiased=bool, ), but expected one of:\n"
            " * (tuple of ints dim, bool unbiased = True, bool keepdim = False)\n"
            " * (tuple of ints dim = None, *, Number correction = None, bool keepdim = False)\n"
            " * (bool unbiased = True)\n"
        )
    if correction is None:
        correction = 0 if unbiased is False else 1
    x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    axes = _dims(dim, x.ndim, name)
    return axes, keepdim, correction


def _var_np(ctx, x, axes, keepdim, correction, name):
    _setup(ctx, x, axes, keepdim)
    n = _numel(x.shape[a] for a in axes)
    if x.ndim == 0:
        n = 1
    dof = n - correction
    ctx.dof = dof
    ctx.n = n
    out_n = _numel(s for i, s in enumerate(x.shape) if i not in axes)
    if (0 if out_n == 0 else x.size // out_n) - correction <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=4
        )
    acc = _acc_dtype(x.dtype)
    xa = x.astype(acc) if acc != x.dtype else x
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.mean(xa, axis=axes, keepdims=True) if axes else xa
        d = xa - m
        ss = np.sum(d * d, axis=axes, keepdims=keepdim) if axes else d * d
        var = np.true_divide(ss, _bmax(dof, 0))
        mean_ = m if keepdim else m.reshape([s for i, s in enumerate(x.shape) if i not in axes])
    return np.asarray(var).astype(x.dtype), np.array(mean_, x.dtype)


def _var_backward(ctx, grad, x):
    """PyTorch's var_backward: (2 / dof) * grad * (x - mean(x))."""
    scale = 2.0 / ctx.dof if ctx.dof != 0 else math.inf
    g = _unsqueeze(grad, ctx)
    if not ctx.axes:
        return (scale * g) * (x - x)
    return (scale * g) * (x - np.mean(x, axis=ctx.axes, keepdims=True))


def _std_to_var_grad(ctx, grad, out):
    """grad / (2 std), and 0 where std == 0 (PyTorch's masked_fill)."""
    if ctx.std_zero is None:
        return grad / (out * 2)
    return grad / (out * 2 + ctx.std_zero) * (1 - ctx.std_zero)


def _mean_backward(ctx, grad):
    return _expand_back(grad, ctx) / (ctx.n if ctx.axes else 1)


class Var(Function):
    _arrays = True
    name = "VarBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim, correction):
        var, _ = _var_np(ctx, x, axes, keepdim, correction, "var")
        ctx.save_for_backward(x)
        return var

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _var_backward(ctx, grad, x), None, None, None


def _std_zero(out):
    z = out == 0
    return z.astype(out.dtype) if np.any(z) else None


class Std(Function):
    _arrays = True
    name = "StdBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim, correction):
        var, _ = _var_np(ctx, x, axes, keepdim, correction, "std")
        out = np.asarray(np.sqrt(var))  # (a 0-d result must stay an ndarray to be saved)
        ctx.std_zero = _std_zero(out)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _var_backward(ctx, _std_to_var_grad(ctx, grad, out), x), None, None, None


class VarMean(Function):
    _arrays = True
    name = "VarMeanBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim, correction):
        var, m = _var_np(ctx, x, axes, keepdim, correction, "var_mean")
        ctx.save_for_backward(x)
        return var, m

    @staticmethod
    def backward(ctx, gvar, gmean):
        (x,) = ctx.saved_tensors
        return (_var_backward(ctx, gvar, x) + _mean_backward(ctx, gmean)), None, None, None


class StdMean(Function):
    _arrays = True
    name = "StdMeanBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim, correction):
        var, m = _var_np(ctx, x, axes, keepdim, correction, "std_mean")
        out = np.asarray(np.sqrt(var))  # (a 0-d result must stay an ndarray to be saved)
        ctx.std_zero = _std_zero(out)
        ctx.save_for_backward(x, out)
        return out, m

    @staticmethod
    def backward(ctx, gstd, gmean):
        x, out = ctx.saved_tensors
        g = _var_backward(ctx, _std_to_var_grad(ctx, gstd, out), x)
        return g + _mean_backward(ctx, gmean), None, None, None


@_np_aliases
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None) -> Tensor:
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default; ``unbiased=False``
    is correction 0).

    >>> ember.tensor([1., 2., 3., 4.]).var()
    tensor(1.6667)
    """
    args = _var_args(input, dim, unbiased, keepdim, correction, "var")
    return _out(Var.apply(input, *args), out)


@_np_aliases
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None) -> Tensor:
    """Standard deviation over ``dim`` (see :func:`var` for ``correction``)."""
    args = _var_args(input, dim, unbiased, keepdim, correction, "std")
    return _out(Std.apply(input, *args), out)


@_np_aliases
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim`` in one pass."""
    args = _var_args(input, dim, unbiased, keepdim, correction, "var_mean")
    return VarMean.apply(input, *args)


@_np_aliases
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    args = _var_args(input, dim, unbiased, keepdim, correction, "std_mean")
    return StdMean.apply(input, *args)


# ---------------------------------------------------------------- norm
class VectorNorm(Function):
    """The vector p-norm over ``axes``; backward is PyTorch's norm_backward."""

    _arrays = True
    name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        _setup(ctx, x, axes, keepdim)
        ctx.p = p
        acc = _acc_dtype(x.dtype)
        xa = x.astype(acc) if acc != x.dtype else x
        a = np.abs(xa)
        red = axes if axes else None
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            if x.ndim == 0:
                red = ()
            if p == 2:
                out = np.sqrt(np.sum(xa * xa, axis=red, keepdims=keepdim))
            elif p == 1:
                out = np.sum(a, axis=red, keepdims=keepdim)
            elif p == math.inf:
                out = np.max(a, axis=red, keepdims=keepdim) if x.ndim else a
            elif p == -math.inf:
                out = np.min(a, axis=red, keepdims=keepdim) if x.ndim else a
            elif p == 0:
                out = np.sum(a != 0, axis=red, keepdims=keepdim).astype(acc)
            else:
                out = np.power(np.sum(np.power(a, p), axis=red, keepdims=keepdim), 1.0 / p)
        out = np.array(out, x.dtype)
        if ctx.needs_input_grad[0]:
            ctx.sgn = np.where(np.isnan(x), 0, np.sign(x)).astype(x.dtype)  # sgn(nan) = 0
            ok = _unsqueeze(out, ctx)
            ctx.norm_zero = (ok == 0).astype(x.dtype) if np.any(ok == 0) else None
            if _babs(p) == math.inf:
                mask = (a == ok) | np.isnan(a)
                ctx.mask = mask.astype(x.dtype)
                ctx.count = np.sum(mask, axis=red, keepdims=True).astype(x.dtype)
            elif p < 1:
                ctx.x_zero = (x == 0).astype(x.dtype)
            ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, norm_ = ctx.saved_tensors
        p = ctx.p
        g = _unsqueeze(grad, ctx)
        n = _unsqueeze(norm_, ctx)
        sgn = ctx.sgn
        nz = ctx.norm_zero
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if p == 0:
                r = np.zeros(ctx.in_shape, sgn.dtype)
            elif p == 1:
                r = sgn * g
            elif p == 2:
                r = g * (x / n if nz is None else x / (n + nz) * (1 - nz))
            elif _babs(p) == math.inf:
                r = sgn * ((g / ctx.count) * ctx.mask)
            elif p < 1:
                xz = ctx.x_zero
                scaled = sgn * ((x * sgn + xz) ** (p - 1) * (1 - xz))
                r = scaled * g * n ** (1 - p)
            else:
                ax = x * sgn
                scaled = sgn * ax ** (p - 1) if p < 2 else x * ax ** (p - 2)
                sv = g / n ** (p - 1) if nz is None else g / (n + nz) ** (p - 1) * (1 - nz)
                r = scaled * sv
        if not _is_tensor(r) and r.shape != ctx.in_shape:
            r = np.broadcast_to(r, ctx.in_shape)
        return r, None, None, None


def _norm_p(p):
    if p is None or p == "fro":
        return 2.0
    if isinstance(p, str):
        raise RuntimeError(f"linalg.vector_norm: Unsupported norm type {p!r}")
    return float(p)


@_np_aliases
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None) -> Tensor:
    """The vector p-norm (``'fro'`` is 2; ``inf``/``-inf`` the largest/smallest magnitude; 0 the
    count of non-zeros) over ``dim`` or everything.

    >>> ember.tensor([3., 4.]).norm()
    tensor(5.)
    """
    if p == "nuc":
        raise NotImplementedError("norm(p='nuc') (the nuclear norm) is not supported by Ember")
    x = input._data
    if dtype is not None:
        d = to_dtype(dtype)
        if x.dtype.kind != "f":
            raise RuntimeError(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                f"{_tname(x.dtype)}"
            )
        input = input.to(d)
        x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{_tname(x.dtype)}"
        )
    pv = _norm_p(p)
    if isinstance(dim, int) and not isinstance(dim, bool):
        dim = (dim,)
    axes = _dims(dim, x.ndim, "norm")
    if _babs(pv) == math.inf and x.size == 0:
        name = "inf" if pv > 0 else "-inf"
        if dim is None or not axes:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {name} norm on an empty tensor because "
                "the operation does not have an identity"
            )
        for r in dim if isinstance(dim, (tuple, list)) else (dim,):
            if x.shape[_wrap_dim(r, x.ndim)] == 0:
                raise RuntimeError(
                    f"linalg.vector_norm cannot compute the {name} norm on the dimension {r}"
                    "because this dimension is empty and the operation does not have an identity"
                )
    return _out(VectorNorm.apply(input, pv, axes, keepdim), out)


@_np_aliases
def _tensor_norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    return norm(self, p, dim, keepdim, dtype=dtype)


# ---------------------------------------------------------------- logsumexp
class LogSumExp(Function):
    _arrays = True
    name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        _setup(ctx, x, axes, keepdim)
        if x.ndim == 0:
            out = x.copy()
        else:
            with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                m = np.max(x, axis=axes, keepdims=True) if x.size else np.zeros(ctx.keep, x.dtype)
                m = np.where(np.isinf(m), 0, m).astype(x.dtype)
                s = np.sum(np.exp(x - m), axis=axes, keepdims=True)
                out = np.log(s) + m
            if not keepdim:
                out = out.reshape([s for i, s in enumerate(x.shape) if i not in axes])
            out = np.asarray(out, x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _unsqueeze(grad, ctx) * np.exp(x - _unsqueeze(out, ctx)), None, None


@_np_aliases
def logsumexp(input, dim, keepdim=False, *, out=None) -> Tensor:
    """``log(sum(exp(input), dim))`` computed stably (the max is subtracted first).

    >>> ember.tensor([0., 0.]).logsumexp(0)
    tensor(0.6931)
    """
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
    x = input._data
    if isinstance(dim, (tuple, list)) and len(dim) == 0 and x.ndim > 0:
        raise RuntimeError(
            f"output with shape [] doesn't match the broadcast shape [{', '.join(['1'] * x.ndim)}]"
        )
    axes = _dims(dim, x.ndim, "logsumexp")
    if x.dtype.kind != "f":
        input = Tensor._make(x.astype(get_default_dtype().np), False)
    return _out(LogSumExp.apply(input, axes, keepdim), out)


# ---------------------------------------------------------------- all, any, count_nonzero
def _logical_reduce(fn, name, input, dim, keepdim):
    x = input._data
    axes = _dims(dim, x.ndim, name)
    r = np.asarray(fn(x, axis=axes, keepdims=keepdim)) if x.ndim else np.asarray(fn(x))
    if keepdim and x.ndim == 0:
        r = r.reshape(())
    if x.dtype == np.uint8:
        r = r.astype(np.uint8)
    return Tensor._make(np.array(r), False)


@_np_aliases
def all(input, dim=None, keepdim=False, *, out=None) -> Tensor:  # noqa: A001
    """True where every element (over ``dim``) is non-zero."""
    return _out(_logical_reduce(np.all, "all", input, dim, keepdim), out)


@_np_aliases
def any(input, dim=None, keepdim=False, *, out=None) -> Tensor:  # noqa: A001
    """True where some element (over ``dim``) is non-zero."""
    return _out(_logical_reduce(np.any, "any", input, dim, keepdim), out)


@_np_aliases
def count_nonzero(input, dim=None) -> Tensor:
    """Number of non-zero elements, over ``dim`` or everything (int64)."""
    x = input._data
    axes = _dims(dim, x.ndim, "count_nonzero")
    r = np.count_nonzero(x, axis=axes) if x.ndim else np.count_nonzero(x)
    return Tensor._make(np.asarray(r, np.int64), False)


# ---------------------------------------------------------------- cumsum, cumprod
def _rev_cumsum_np(g, axis):
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def _rev_cumsum(g, axis):
    if _is_tensor(g):
        return _RevCumsum.apply(g, axis)
    return _rev_cumsum_np(g, axis)


def _cumsum_any(g, axis):
    if _is_tensor(g):
        return Cumsum.apply(g, axis, g._data.dtype)
    return np.cumsum(g, axis)


class _RevCumsum(Function):
    _arrays = True
    name = "FlipBackward0"

    @staticmethod
    def forward(ctx, g, axis):
        ctx.axis = axis
        return _rev_cumsum_np(g, axis)

    @staticmethod
    def backward(ctx, gg):
        return _cumsum_any(gg, ctx.axis), None


class Cumsum(Function):
    _arrays = True
    name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x, axis, dtype):
        ctx.axis = axis
        if x.dtype != dtype:
            x = x.astype(dtype)
        if x.ndim == 0:
            return x.copy()
        acc = _acc_dtype(dtype)
        return np.cumsum(x, axis, dtype=acc).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        if grad.ndim == 0:
            return grad, None, None
        return _rev_cumsum(grad, ctx.axis), None, None


class Cumprod(Function):
    _arrays = True
    name = "CumprodBackward0"

    @staticmethod
    def forward(ctx, x, axis, dtype):
        ctx.axis = axis
        if x.dtype != dtype:
            x = x.astype(dtype)
        if x.ndim == 0:
            out = x.copy()
        else:
            acc = _acc_dtype(dtype)
            out = np.cumprod(x, axis, dtype=acc).astype(dtype, copy=False)
        if ctx.needs_input_grad[0]:
            ctx.has_zero = bool(np.any(x == 0))
            ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        axis = ctx.axis
        shape = tuple(x.shape)
        if _numel(shape) <= 1 or shape[axis] == 1:
            return grad, None, None
        if not ctx.has_zero:
            with np.errstate(divide="ignore", invalid="ignore"):
                return _rev_cumsum(out * grad, axis) / x, None, None
        if _is_tensor(grad) or _is_tensor(x):
            return _cumprod_backward_graph(grad, x, axis), None, None
        return _cumprod_backward_zeros(grad, x, out, axis), None, None


def _cumprod_backward_zeros(grad, x, out, axis):
    """PyTorch's O(n) cumprod gradient for inputs with zeros (first-order only)."""
    w = out * grad
    is_zero = x == 0
    cs = np.cumsum(is_zero, axis)
    mask = cs == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _rev_cumsum_np(np.where(mask, w, 0), axis) / x
    gi = np.where(mask, r, 0).astype(grad.dtype)
    mask = cs == 1
    first = np.argmax(mask, axis=axis, keepdims=True)
    first_mask = np.zeros(mask.shape, bool)
    np.put_along_axis(first_mask, first, True, axis)
    first_mask &= mask
    mask &= ~first_mask
    t = np.cumprod(np.where(mask, x, 1), axis) * np.where(cs != 1, 0, grad)
    t = np.sum(t, axis=axis, keepdims=True)
    prev = np.take_along_axis(out, np.maximum(first - 1, 0), axis)
    t = t * np.where(first == 0, 1, prev)
    return np.where(first_mask, t, gi)


def _cumprod_backward_graph(grad, x, axis):
    """The O(n^2) formula sum_{j>=k} grad_j * prod_{i<=j, i!=k} x_i, differentiable (used
    under create_graph when the input has zeros)."""
    mat, n, _ = _omit_matrix(x, axis)
    c = cumprod(mat, -1)
    upper = np.triu(np.ones((n, n), mat.dtype.np if _is_tensor(mat) else mat.dtype))
    gm = np.expand_dims(np.moveaxis(grad, axis, -1), -2)
    return np.moveaxis(np.sum(c * upper * gm, axis=-1), -1, axis)


def _cum_dtype(input, dtype):
    if dtype is not None:
        return to_dtype(dtype).np
    k = input._data.dtype.kind
    return np.dtype(np.int64) if k in "biu" else input._data.dtype


@_np_aliases
def cumsum(input, dim, *, dtype=None, out=None) -> Tensor:
    """Cumulative sum along ``dim``.

    >>> ember.tensor([1., 2., 3.]).cumsum(0)
    tensor([1., 3., 6.])
    """
    if dim is None:
        raise TypeError("cumsum(): argument 'dim' must be int, not NoneType")
    d = _one_dim(dim, input._data.ndim, "cumsum")
    return _out(Cumsum.apply(input, d, _cum_dtype(input, dtype)), out)


@_np_aliases
def cumprod(input, dim, *, dtype=None, out=None) -> Tensor:
    """Cumulative product along ``dim`` (gradient correct with zeros, as PyTorch's)."""
    if dim is None:
        raise TypeError("cumprod(): argument 'dim' must be int, not NoneType")
    d = _one_dim(dim, input._data.ndim, "cumprod")
    dt = _cum_dtype(input, dtype)
    return _out(Cumprod.apply(_cast_for_grad(input, dt), d, dt), out)


def _cumsum_(self, dim, *, dtype=None):
    from .._tensor import apply_inplace

    d = _one_dim(dim, self._data.ndim, "cumsum")
    return apply_inplace(self, Cumsum, d, self._data.dtype if dtype is None
                         else to_dtype(dtype).np)


def _cumprod_(self, dim, *, dtype=None):
    from .._tensor import apply_inplace

    d = _one_dim(dim, self._data.ndim, "cumprod")
    return apply_inplace(self, Cumprod, d, self._data.dtype if dtype is None
                         else to_dtype(dtype).np)


class CumMax(_ValuesIndices):
    name = "CummaxBackward0"
    _accumulate = True
    _acc = staticmethod(np.maximum.accumulate)

    @staticmethod
    def forward(ctx, x, axis, cls):
        ctx.keepdim, ctx.axis, ctx.in_shape = True, axis, x.shape
        if x.ndim == 0:
            idx = np.zeros((), np.int64)
            ctx.idx = idx
            ctx.mark_non_differentiable(idx)
            return x.copy(), idx
        vals = cls._acc(x, axis=axis) if x.size else x.copy()
        hit = x == vals
        if x.dtype.kind == "f":
            hit |= np.isnan(x)
        shape = [1] * x.ndim
        shape[axis] = x.shape[axis]
        pos = np.where(hit, np.arange(x.shape[axis]).reshape(shape), 0)
        idx = np.maximum.accumulate(pos, axis=axis) if x.size else pos
        idx = idx.astype(np.int64)
        ctx.idx = idx
        ctx.mark_non_differentiable(idx)
        return vals, idx


class CumMin(CumMax):
    name = "CumminBackward0"
    _acc = staticmethod(np.minimum.accumulate)


@_np_aliases
def cummax(input, dim):
    """Running maximum along ``dim`` and the index where each was attained."""
    d = _one_dim(dim, input._data.ndim, "cummax")
    return _rt.cummax(CumMax.apply(input, d, CumMax))


@_np_aliases
def cummin(input, dim):
    """Running minimum along ``dim`` and the index where each was attained."""
    d = _one_dim(dim, input._data.ndim, "cummin")
    return _rt.cummin(CumMin.apply(input, d, CumMin))


# ---------------------------------------------------------------- sort-based ops
def _stable_argsort(x, axis, descending):
    """Stable argsort; descending keeps equal elements in their original order and puts NaN
    first, as PyTorch does."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    rev = np.flip(x, axis)
    a = np.flip(np.argsort(rev, axis=axis, kind="stable"), axis)
    return (n - 1) - a


class _Selected(_ValuesIndices):
    """values = x gathered at indices computed by ``kernel``; backward scatters to them."""

    name = "SortBackward0"

    @staticmethod
    def forward(ctx, x, axis, keepdim, kernel):
        if x.ndim == 0:
            ctx.keepdim, ctx.axis, ctx.in_shape = True, 0, ()
            idx = np.zeros((), np.int64)
            ctx.idx = idx
            ctx.mark_non_differentiable(idx)
            return x.copy(), idx
        idx = kernel(x, axis)
        vals = np.take_along_axis(x, idx, axis)
        return _finish_vi(ctx, x, vals, idx, axis, keepdim)


class SortFn(_Selected):
    name = "SortBackward0"


class TopkFn(_Selected):
    name = "TopkBackward0"


class MedianDim(_Selected):
    name = "MedianBackward1"


class NanMedianDim(_Selected):
    name = "NanmedianBackward1"


class ModeFn(_Selected):
    name = "ModeBackward0"


class KthvalueFn(_Selected):
    name = "KthvalueBackward0"


def _sort_kernel(descending):
    return lambda x, axis: _stable_argsort(x, axis, descending)


@_np_aliases
def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """Sorted values along ``dim`` and the indices they came from (stable; NaN sorts last, or
    first when descending).

    >>> ember.tensor([3., 1., 2.]).sort()
    torch.return_types.sort(
    values=tensor([1., 2., 3.]),
    indices=tensor([1, 2, 0]))
    """
    d = _one_dim(dim, input._data.ndim, "sort")
    return _rt.sort(SortFn.apply(input, d, True, _sort_kernel(descending)))


@_np_aliases
def _sort_method(self, dim=-1, descending=False, stable=False):
    return sort(self, dim, descending, stable)


@_np_aliases
def argsort(input, dim=-1, descending=False, stable=False) -> Tensor:
    """Indices that sort ``input`` along ``dim``."""
    d = _one_dim(dim, input._data.ndim, "argsort")
    x = input._data
    if x.ndim == 0:
        return Tensor._make(np.zeros((), np.int64), False)
    return Tensor._make(_stable_argsort(x, d, descending).astype(np.int64), False)


def msort(input, *, out=None) -> Tensor:
    """``input`` sorted along dim 0."""
    return _out(sort(input, 0).values, out)


@_np_aliases
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices.

    >>> ember.tensor([1., 4., 2., 3.]).topk(2)
    torch.return_types.topk(
    values=tensor([4., 3.]),
    indices=tensor([1, 3]))
    """
    x = input._data
    d = _one_dim(dim, x.ndim, "topk")
    if x.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    n = x.shape[d] if x.ndim else 1
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")

    def kernel(a, axis):
        return np.take(_stable_argsort(a, axis, largest), range(k), axis)

    return _rt.topk(TopkFn.apply(input, d, True, kernel))


@_np_aliases
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element along ``dim`` (1-based) and its index."""
    x = input._data
    d = _one_dim(dim, x.ndim, "kthvalue")
    if x.dtype.kind == "b":
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    n = x.shape[d] if x.ndim else 1
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if k < 1 or k > n:
        raise IndexError(f"kthvalue(): selected number k out of range for dimension {d}")

    def kernel(a, axis):
        return np.take(_stable_argsort(a, axis, False), [k - 1], axis)

    return _rt.kthvalue(KthvalueFn.apply(input, d, keepdim, kernel))


def _median_kernel(ignore_nan):
    def kernel(a, axis):
        order = np.argsort(a, axis=axis, kind="stable")
        n = a.shape[axis]
        if a.dtype.kind == "f":
            nan = np.isnan(a)
            cnt = n - np.sum(nan, axis=axis, keepdims=True)
            if ignore_nan:
                pos = np.maximum((cnt - 1) // 2, 0)
            else:
                pos = np.where(cnt < n, cnt, (n - 1) // 2)  # first NaN, or the lower median
            return np.take_along_axis(order, pos, axis)
        return np.take(order, [(n - 1) // 2], axis)

    return kernel


class MedianAll(Function):
    """median()/nanmedian() of everything: the gradient is split evenly among equal values."""

    _arrays = True
    name = "MedianBackward0"

    @staticmethod
    def forward(ctx, x, ignore_nan):
        f = x.reshape(-1)
        if f.size == 0:
            out = np.array(np.nan, x.dtype)
        else:
            i = _median_kernel(ignore_nan)(f, 0)
            out = np.array(f[i[0]], x.dtype)
        if ctx.needs_input_grad[0]:
            mask = _tie_mask(x, out)
            ctx.count = np.sum(mask).astype(x.dtype)
            ctx.mask = mask.astype(x.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        return (grad / ctx.count) * ctx.mask, None


class NanMedianAll(MedianAll):
    name = "NanmedianBackward0"


def _median(name, all_cls, dim_cls, rt, ignore_nan, input, dim, keepdim):
    x = input._data
    if x.dtype.kind == "b":
        kernel = "median_cpu" if dim is _NO_DIM else "median_out"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if dim is _NO_DIM:
        return all_cls.apply(input, ignore_nan)
    if dim is None:
        raise TypeError(f"{name}(): argument 'dim' must be int, not NoneType")
    d = _one_dim(dim, x.ndim, name)
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    return rt(dim_cls.apply(input, d, keepdim, _median_kernel(ignore_nan)))


@_np_aliases
def median(input, dim=_NO_DIM, keepdim=False, *, out=None):
    """The lower median of everything, or ``(values, indices)`` along ``dim``; NaN if any NaN.

    >>> ember.tensor([1., 4., 2., 3.]).median()
    tensor(2.)
    """
    return _median("median", MedianAll, MedianDim, _rt.median, False, input, dim, keepdim)


@_np_aliases
def nanmedian(input, dim=_NO_DIM, keepdim=False, *, out=None):
    """The lower median ignoring NaN values."""
    return _median("nanmedian", NanMedianAll, NanMedianDim, _rt.nanmedian, True, input, dim,
                   keepdim)


def _mode_kernel(a, axis):
    """Index (the last occurrence) of the most frequent value; the smallest value on ties."""
    am = np.moveaxis(a, axis, -1)
    shp = am.shape
    n = shp[-1]
    flat = am.reshape(-1, n)
    order = np.argsort(flat, axis=1, kind="stable")
    s = np.take_along_axis(flat, order, 1)
    ar = np.arange(n)
    newrun = np.ones(flat.shape, bool)
    newrun[:, 1:] = s[:, 1:] != s[:, :-1]
    endrun = np.ones(flat.shape, bool)
    endrun[:, :-1] = newrun[:, 1:]
    start = np.maximum.accumulate(np.where(newrun, ar, 0), axis=1)
    end = np.flip(np.minimum.accumulate(np.flip(np.where(endrun, ar, n), 1), axis=1), 1)
    count = end - start + 1
    best = np.argmax(count, axis=1)
    last = end[np.arange(flat.shape[0]), best]
    idx = order[np.arange(flat.shape[0]), last]
    idx = idx.reshape(shp[:-1] + (1,))
    return np.moveaxis(idx, -1, axis)


@_np_aliases
def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` (the smallest on ties) and its last index."""
    x = input._data
    d = _one_dim(dim, x.ndim, "mode")
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    return _rt.mode(ModeFn.apply(input, d, keepdim, _mode_kernel))


class Unique(Function):
    """torch.unique: its values keep a graph node whose backward is not implemented."""

    _arrays = True
    name = "Unique2Backward0"
    _op = "_unique2"

    @staticmethod
    def forward(ctx, x, dim, return_inverse, return_counts):
        if dim is None:
            res = np.unique(x.reshape(-1), return_inverse=return_inverse,
                            return_counts=return_counts, equal_nan=False)
        else:
            res = np.unique(x, return_inverse=return_inverse, return_counts=return_counts,
                            axis=dim, equal_nan=False)
        if not (return_inverse or return_counts):
            return np.asarray(res, x.dtype)
        res = list(res)
        outs = [np.asarray(res[0], x.dtype)]
        if return_inverse:
            inv = np.asarray(res[1], np.int64)
            outs.append(inv.reshape(x.shape if dim is None else (x.shape[dim],)))
        if return_counts:
            outs.append(np.asarray(res[-1], np.int64))
        ctx.mark_non_differentiable(*outs[1:])
        return tuple(outs)

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError(
            f"the derivative for '{ctx._forward_cls._op}' is not implemented."
        )


class UniqueDim(Unique):
    name = "UniqueDimBackward0"
    _op = "unique_dim"


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The distinct elements (always sorted, as on PyTorch's CPU), optionally with the inverse
    indices and the counts; with ``dim``, the distinct slices along it. NaNs are all distinct.

    >>> ember.tensor([3, 1, 3]).unique(return_counts=True)
    (tensor([1, 3]), tensor([1, 2]))
    """
    if dim is None:
        return Unique.apply(input, None, return_inverse, return_counts)
    d = _one_dim(dim, input._data.ndim, "unique")
    return UniqueDim.apply(input, d, return_inverse, return_counts)


class UniqueConsecutive(Unique):
    """Collapse runs of equal consecutive elements (or slices along ``dim``)."""

    name = "UniqueConsecutiveBackward0"
    _op = "unique_consecutive"

    @staticmethod
    def forward(ctx, x, dim, return_inverse, return_counts):
        a = x.reshape(-1, 1) if dim is None else np.moveaxis(x, dim, 0)
        n = a.shape[0]
        flat = a.reshape(n, _numel(a.shape[1:]))
        change = np.ones(n, bool)
        if n > 1:
            change[1:] = np.any(flat[1:] != flat[:-1], axis=1) if flat.shape[1] else False
        vals = a[change]
        vals = vals.reshape(-1) if dim is None else np.moveaxis(vals, 0, dim)
        outs = [np.ascontiguousarray(vals)]
        if return_inverse:
            inv = np.cumsum(change) - 1
            outs.append(inv.reshape(x.shape if dim is None else (n,)).astype(np.int64))
        if return_counts:
            starts = np.flatnonzero(change)
            outs.append(np.diff(np.append(starts, n)).astype(np.int64))
        if len(outs) == 1:
            return outs[0]
        ctx.mark_non_differentiable(*outs[1:])
        return tuple(outs)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Eliminate all but the first element of each run of equal consecutive elements.

    >>> ember.tensor([1, 1, 2, 2, 3, 1]).unique_consecutive()
    tensor([1, 2, 3, 1])
    """
    d = None if dim is None else _one_dim(dim, input._data.ndim, "unique_consecutive")
    if d is not None and input._data.ndim == 0:
        d = None
    return UniqueConsecutive.apply(input, d, return_inverse, return_counts)


# ---------------------------------------------------------------- sum_to_size
def sum_to_size(self, *size) -> Tensor:
    """Sum this tensor down to ``size``, which must be broadcastable to its shape (the inverse
    of ``expand``); differentiable.

    >>> ember.ones(2, 3).sum_to_size(1, 3)
    tensor([[2., 2., 2.]])
    """
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    size = tuple(int(s) for s in size)
    shape = self._data.shape
    lead = len(shape) - len(size)
    ok = lead >= 0 and builtins.all(
        s == shape[i + lead] or s == 1 for i, s in enumerate(size)
    )
    if not ok:
        raise RuntimeError(
            f"size {{[{', '.join(map(str, size))}]}} is not expandable to size "
            f"{{[{', '.join(map(str, shape))}]}}."
        )
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(size) if s == 1 and shape[i + lead] != 1
    )
    if not axes:
        return self if size == shape else self.view(size)
    r = Sum.apply(self, axes, True, self._data.dtype)
    return r.view(size) if lead else r


# ---------------------------------------------------------------- NumPy dispatch (create_graph)
def _np_dim(axis):
    return None if axis is None else axis


def _np_sum(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    if axis == ():
        return a * 1
    dt = None if dtype is None else FROM_NP[np.dtype(dtype)]
    return sum(a, _np_dim(axis), keepdims, dtype=dt)


def _np_mean(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    if axis == ():
        return a * 1
    return mean(a, _np_dim(axis), keepdims,
                dtype=None if dtype is None else FROM_NP[np.dtype(dtype)])


def _np_prod(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    if axis is None:
        r = prod(a)
        return r.reshape((1,) * a.ndim) if keepdims else r
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = sorted((_wrap_dim(ax, a.ndim) for ax in axes), reverse=True)
    r = a
    for ax in axes:
        r = prod(r, ax, keepdims)
    return r


def _np_amax(a, axis=None, out=None, keepdims=False, **kw):
    return amax(a, () if axis is None else axis, keepdims)


def _np_amin(a, axis=None, out=None, keepdims=False, **kw):
    return amin(a, () if axis is None else axis, keepdims)


def _np_cum(fn):
    def f(a, axis=None, dtype=None, out=None):
        dt = None if dtype is None else FROM_NP[np.dtype(dtype)]
        if axis is None:
            return fn(a.reshape(-1), 0, dtype=dt)
        return fn(a, axis, dtype=dt)

    return f


def _np_var(fn):
    def f(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
        return fn(a, axis, keepdim=keepdims, correction=ddof)

    return f


def _np_arg(fn):
    def f(a, axis=None, out=None, *, keepdims=False):
        return fn(a, axis, keepdims)

    return f


def _np_logical(fn):
    def f(a, axis=None, out=None, keepdims=False, **kw):
        return fn(a, axis, keepdims)

    return f


def _np_sort(a, axis=-1, kind=None, order=None, **kw):
    if axis is None:
        return sort(a.reshape(-1), 0).values
    return sort(a, axis).values


def _np_argsort(a, axis=-1, kind=None, order=None, **kw):
    if axis is None:
        return argsort(a.reshape(-1), 0)
    return argsort(a, axis)


def _np_count_nonzero(a, axis=None, *, keepdims=False):
    r = count_nonzero(a, axis)
    if keepdims:
        r = r.reshape(_keep_shape(a.shape, _dims(axis, a.ndim)))
    return r


def _np_nansum(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    return nansum(a, axis, keepdims)


# ---------------------------------------------------------------- Tensor methods
def _t_sum(self, dim=_NO_DIM, keepdim=False, dtype=None, **kw):
    return sum(self, dim, keepdim, dtype=dtype, **kw)


def _t_mean(self, dim=_NO_DIM, keepdim=False, dtype=None, **kw):
    return mean(self, dim, keepdim, dtype=dtype, **kw)


@_np_aliases
def _t_prod(self, dim=_NO_DIM, keepdim=False, dtype=None):
    return prod(self, dim, keepdim, dtype=dtype)


def _t_nansum(self, dim=None, keepdim=False, dtype=None, **kw):
    return nansum(self, dim, keepdim, dtype=dtype, **kw)


def _t_nanmean(self, dim=None, keepdim=False, dtype=None, **kw):
    return nanmean(self, dim, keepdim, dtype=dtype, **kw)


@_np_aliases
def _t_cumsum(self, dim, dtype=None):
    return cumsum(self, dim, dtype=dtype)


@_np_aliases
def _t_cumprod(self, dim, dtype=None):
    return cumprod(self, dim, dtype=dtype)


@_np_aliases
def _t_argsort(self, dim=-1, descending=False, stable=False):
    return argsort(self, dim, descending, stable)


@_np_aliases
def _t_topk(self, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    return topk(self, k, dim, largest, sorted)


def _t_unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    return unique(self, sorted, return_inverse, return_counts, dim)


_np_max_dispatch = ((np.amax, _np_amax), (np.amin, _np_amin))
if hasattr(np, "max") and np.max is not np.amax:
    _np_max_dispatch += ((np.max, _np_amax), (np.min, _np_amin))

register(
    sum=_np_aliases(_t_sum),
    nansum=_np_aliases(_t_nansum),
    mean=_np_aliases(_t_mean),
    nanmean=_np_aliases(_t_nanmean),
    prod=_t_prod,
    max=max,
    min=min,
    amax=amax,
    amin=amin,
    aminmax=aminmax,
    argmax=argmax,
    argmin=argmin,
    var=var,
    std=std,
    norm=_tensor_norm,
    logsumexp=logsumexp,
    all=all,
    any=any,
    count_nonzero=count_nonzero,
    cumsum=_t_cumsum,
    cumprod=_t_cumprod,
    cumsum_=_cumsum_,
    cumprod_=_cumprod_,
    cummax=cummax,
    cummin=cummin,
    median=median,
    nanmedian=nanmedian,
    mode=mode,
    kthvalue=kthvalue,
    topk=_t_topk,
    sort=_sort_method,
    argsort=_t_argsort,
    msort=msort,
    unique=_t_unique,
    unique_consecutive=unique_consecutive,
    sum_to_size=sum_to_size,
    dispatch=(
        (np.sum, _np_sum),
        (np.mean, _np_mean),
        (np.prod, _np_prod),
        (np.cumsum, _np_cum(cumsum)),
        (np.cumprod, _np_cum(cumprod)),
        (np.var, _np_var(var)),
        (np.std, _np_var(std)),
        (np.argmax, _np_arg(argmax)),
        (np.argmin, _np_arg(argmin)),
        (np.all, _np_logical(all)),
        (np.any, _np_logical(any)),
        (np.sort, _np_sort),
        (np.argsort, _np_argsort),
        (np.count_nonzero, _np_count_nonzero),
        (np.nansum, _np_nansum),
    ) + _np_max_dispatch,
)
