"""Indexing and selection: advanced ``t[key]``, ``t[key] = v``, gather/scatter, index_*, masked_*.

Advanced indexing follows PyTorch's two steps: the basic part of a key (ints, slices, None,
Ellipsis) is applied first as a view, recording the tensor indices (integer tensors, lists,
boolean masks) against the view's dims; then ``index`` gathers with NumPy's placement rule (the
indexed dims stay in place when the index tensors are adjacent, else they go first). Backward
of a gather is a scatter-add into zeros, so repeated indices accumulate.

Every backward here is itself built from the Functions of this module, so it can be
differentiated again (``create_graph=True``).
"""

from __future__ import annotations

__all__ = [
    "index_select",
    "gather",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "index_add",
    "index_copy",
    "index_fill",
    "index_put",
    "index_put_",
    "masked_fill",
    "masked_select",
    "masked_scatter",
    "nonzero",
    "argwhere",
    "take",
    "take_along_dim",
    "put",
]

import builtins
import warnings

import numpy as np

from .._tensor import _TYPE_NAMES, Tensor, _check_inplace, _wrap_dim, apply_inplace
from ..autograd.function import Function
from ..autograd.grad_mode import _state
from ._util import register

_SEQ_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
    "a different result"
)
_UINT8_WARNING = (
    "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead."
)
# C++ type names PyTorch prints in some messages (masked_fill's mask dtype)
_C_NAMES = {
    "float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
    "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
    "bool": "bool",
}


def _tname(np_dtype) -> str:
    return _TYPE_NAMES[np.dtype(np_dtype).name]


_INT_C_NAMES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int",
                "int64": "int64_t"}


def _check_fits(value, np_dtype) -> None:
    """PyTorch's checked scalar conversion: a number out of an integer dtype's range raises
    (unsigned types accept negatives down to -max, which wrap)."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype.kind not in "iu" or isinstance(value, (bool, np.bool_)):
        return
    if not isinstance(value, (int, float, np.number)):
        return
    info = np.iinfo(np_dtype)
    lo = -int(info.max) if np_dtype.kind == "u" else int(info.min)
    v = float(value) if isinstance(value, (float, np.floating)) else int(value)
    if v != v or v < lo or v > int(info.max):
        raise RuntimeError(
            f"value cannot be converted to type {_INT_C_NAMES[np_dtype.name]} without overflow"
        )


def _to_dtype_scalar(value, np_dtype):
    """A Python number as a 0-d array of ``np_dtype`` (wrapping like a C cast for unsigned)."""
    if np.dtype(np_dtype).kind in "iu" and isinstance(value, (int, np.integer)):
        return np.array(int(value)).astype(np_dtype)
    return np.asarray(value).astype(np_dtype)


def _is_tensor_mode(g) -> bool:
    return isinstance(g, Tensor)


def _const(arr) -> Tensor:
    return Tensor._make(arr, False)


# ================================================================ Functions
class AdvIndex(Function):
    """``x[key]`` for a NumPy advanced key (index arrays and full slices): a copy."""

    _arrays = True
    name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, key):
        ctx.key = key
        ctx.shape = x.shape
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        return _embed_add(grad, ctx.shape, ctx.key), None


def _embed_add(grad, shape, key):
    """Zeros of ``shape`` with ``grad`` added at ``key`` (duplicates accumulate)."""
    if _is_tensor_mode(grad):
        return IndexEmbed.apply(grad, shape, key)
    out = np.zeros(shape, grad.dtype)
    np.add.at(out, key, grad)
    return out


def _gather_key(grad, key):
    """``grad[key]``, differentiable in tensor mode."""
    if _is_tensor_mode(grad):
        return AdvIndex.apply(grad, key)
    return grad[key]


class IndexEmbed(Function):
    """Backward of ``AdvIndex``: zeros with ``grad`` accumulated at ``key``."""

    _arrays = True
    name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, grad, shape, key):
        ctx.key = key
        out = np.zeros(shape, grad.dtype)
        np.add.at(out, key, grad)
        return out

    @staticmethod
    def backward(ctx, gg):
        return _gather_key(gg, ctx.key), None, None


class IndexPut(Function):
    """``x.index_put(key, values, accumulate)`` out of place (``values`` broadcast to the
    indexed shape)."""

    _arrays = True
    name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, values, key, accumulate):
        ctx.key = key
        ctx.accumulate = accumulate
        out = x.copy()
        if accumulate:
            np.add.at(out, key, np.asarray(values, dtype=x.dtype))
        else:
            out[key] = values
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            gx = grad if ctx.accumulate else _zero_at(grad, ctx.key)
        if need[1]:
            gv = _gather_key(grad, ctx.key)
        return gx, gv, None, None


def _zero_at(grad, key):
    """``grad`` with zeros written at ``key`` (a copy)."""
    if _is_tensor_mode(grad):
        return IndexPut.apply(grad, 0, key, False)
    g = grad.copy()
    g[key] = 0
    return g


class IndexPutEmbed(Function):
    """Zeros of ``prod(base_shape)``, ``grad_flat`` added at flat ``positions``, reshaped."""

    _arrays = True
    name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, grad_flat, positions, base_shape):
        ctx.positions = positions
        out = np.zeros(int(np.prod(base_shape)), grad_flat.dtype)
        np.add.at(out, positions, grad_flat)
        return out.reshape(base_shape)

    @staticmethod
    def backward(ctx, gg):
        if _is_tensor_mode(gg):
            return AdvIndex.apply(gg.reshape(-1), (ctx.positions,)), None, None
        return np.ascontiguousarray(gg).reshape(-1)[ctx.positions], None, None


def index_put_embed(grad_flat, positions, base_shape):
    """Differentiable scatter-add of ``grad_flat`` into zeros of ``base_shape`` at the flat
    ``positions`` (used by view backward under ``create_graph``)."""
    return IndexPutEmbed.apply(grad_flat, np.asarray(positions, np.int64).ravel(),
                               tuple(base_shape))


# ---------------------------------------------------------------- gather / scatter
def _scatter_key(index, dim):
    """The NumPy key addressing, for every element of ``index``, the position along ``dim``
    given by it and its own position along the other dims."""
    nd = index.ndim
    key = []
    for d in range(nd):
        if d == dim:
            key.append(index)
        else:
            shp = [1] * nd
            shp[d] = index.shape[d]
            key.append(np.arange(index.shape[d]).reshape(shp))
    return tuple(key)


def _crop(a, shape):
    """The leading ``shape`` corner of ``a`` (gather/scatter use only that part)."""
    if a.shape == tuple(shape):
        return a
    return a[tuple(slice(0, s) for s in shape)]


class Gather(Function):
    _arrays = True
    name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape = x.shape
        ctx.dim = dim
        ctx.index = index
        if x.ndim == 0:
            return np.broadcast_to(x, index.shape).copy()
        return x[_scatter_key(index, dim)]

    @staticmethod
    def backward(ctx, grad):
        return _scatter_add_into_zeros(grad, ctx.shape, ctx.dim, ctx.index), None, None


def _scatter_add_into_zeros(grad, shape, dim, index):
    if _is_tensor_mode(grad):
        zeros = _const(np.zeros(shape, grad._data.dtype))
        return ScatterAdd.apply(zeros, dim, index, grad)
    out = np.zeros(shape, grad.dtype)
    if len(shape) == 0:
        return np.asarray(grad.sum(), grad.dtype)
    np.add.at(out, _scatter_key(index, dim), grad)
    return out


def _gather_grad(grad, dim, index, src_shape):
    """``grad.gather(dim, index)`` padded with zeros to ``src_shape``."""
    if _is_tensor_mode(grad):
        g = Gather.apply(grad, dim, index)
        if tuple(g._data.shape) != tuple(src_shape):
            from .shape import Embed

            g = Embed.apply(g, tuple(src_shape), tuple(slice(0, s) for s in g._data.shape))
        return g
    if grad.ndim == 0:
        g = np.broadcast_to(grad, index.shape).copy()
    else:
        g = grad[_scatter_key(index, dim)]
    if g.shape != tuple(src_shape):
        out = np.zeros(src_shape, g.dtype)
        out[tuple(slice(0, s) for s in g.shape)] = g
        g = out
    return g


class ScatterAdd(Function):
    _arrays = True
    name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        out = x.copy()
        if x.ndim == 0:
            if index.size:
                out = out + _crop(src.reshape(-1), (index.size,)).sum(dtype=x.dtype)
            return np.asarray(out, x.dtype)
        np.add.at(out, _scatter_key(index, dim), _crop(src, index.shape))
        return out

    @staticmethod
    def backward(ctx, grad):
        gsrc = None
        if ctx.needs_input_grad[3]:
            gsrc = _gather_grad(grad, ctx.dim, ctx.index, ctx.src_shape)
        return grad, None, None, gsrc


class Scatter(Function):
    """``x.scatter(dim, index, src)`` (src a tensor); ``reduce`` 'add'/'multiply' optional."""

    _arrays = True
    name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce=None):
        ctx.dim, ctx.index, ctx.reduce = dim, index, reduce
        ctx.src_shape = np.shape(src)
        out = x.copy()
        if isinstance(src, np.ndarray) and src.ndim:
            vals = _crop(src, index.shape) if x.ndim else src.reshape(-1)[: index.size]
        else:
            vals = np.asarray(src, x.dtype)
        if x.ndim == 0:
            key = (np.zeros(index.size, np.int64),)
            out = out.reshape(1)
            vals = np.broadcast_to(vals, (index.size,))
        else:
            key = _scatter_key(index, dim)
        if reduce is None:
            out[key] = vals
        elif reduce == "add":
            np.add.at(out, key, np.asarray(vals, x.dtype))
        else:
            np.multiply.at(out, key, np.asarray(vals, x.dtype))
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        if ctx.reduce is not None:
            raise RuntimeError("derivative for aten::scatter is not implemented")
        need = ctx.needs_input_grad
        gx = gsrc = None
        if need[0]:
            if _is_tensor_mode(grad):
                gx = ScatterValue.apply(grad, ctx.dim, ctx.index, 0)
            else:
                gx = Scatter.forward(_NOCTX, grad, ctx.dim, ctx.index, 0)
        if len(need) > 3 and need[3]:
            gsrc = _gather_grad(grad, ctx.dim, ctx.index, ctx.src_shape)
        return gx, None, None, gsrc, None


class ScatterValue(Scatter):
    name = "ScatterBackward1"


class _NoCtxStub:
    needs_input_grad = (False,) * 8

    def save_for_backward(self, *a):
        pass


_NOCTX = _NoCtxStub()


class ScatterReduce(Function):
    """``x.scatter_reduce(dim, index, src, reduce, include_self)``."""

    _arrays = True
    name = "ScatterReduceBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        key = _scatter_key(index, dim)
        vals = _crop(src, index.shape)
        out = x.copy()
        count = None
        if not include_self:
            init = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
            if init is None:
                if x.dtype.kind == "f":
                    init = -np.inf if reduce == "amax" else np.inf
                else:
                    info = np.iinfo(x.dtype) if x.dtype.kind != "b" else None
                    init = (info.min if reduce == "amax" else info.max) if info else (
                        reduce != "amax")
            out[key] = init
        if reduce in ("sum", "mean"):
            np.add.at(out, key, vals)
            if reduce == "mean":
                count = np.ones(x.shape, np.int64) if include_self else np.zeros(x.shape, np.int64)
                np.add.at(count, key, 1)
                count = np.maximum(count, 1)
                if out.dtype.kind == "f":
                    out = out / count.astype(out.dtype)
                else:
                    out = np.floor_divide(out, count).astype(out.dtype)
        elif reduce == "prod":
            np.multiply.at(out, key, vals)
        elif reduce == "amax":
            np.maximum.at(out, key, vals)
        else:
            np.minimum.at(out, key, vals)
        ctx.dim, ctx.index, ctx.key, ctx.reduce, ctx.shape = dim, index, key, reduce, x.shape
        ctx.include_self, ctx.src_shape, ctx.count = include_self, src.shape, count
        if reduce in ("amax", "amin", "prod") and any(ctx.needs_input_grad):
            ctx.x_arr, ctx.src_arr, ctx.out_arr = x, vals, out
            # without zeros, prod's backward is grad * out / x: differentiable again
            ctx.smooth = reduce == "prod" and include_self and bool(
                np.all(x != 0) and np.all(vals != 0))
            if ctx.smooth:
                ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        reduce, key, dim, index = ctx.reduce, ctx.key, ctx.dim, ctx.index
        scattered = np.zeros(ctx.shape, bool)
        scattered[key] = True
        gx = gsrc = None
        if reduce == "sum":
            gx = grad
            gs = grad
        elif reduce == "mean":
            gx = grad / ctx.count.astype(_np_dtype(grad))
            gs = gx
        elif reduce == "prod" and ctx.smooth:
            x, src, out = ctx.saved_tensors
            gout = grad * out
            gx = gout / x
            gsrc = _gather_grad(gout, dim, index, ctx.src_shape) / src
            gs = None
        elif reduce == "prod":
            x, out = ctx.x_arr, ctx.out_arr
            with np.errstate(divide="ignore", invalid="ignore"):
                fx = np.where(x != 0, out / np.where(x != 0, x, 1), 0)
                fs = np.where(ctx.src_arr != 0,
                              out[key] / np.where(ctx.src_arr != 0, ctx.src_arr, 1), 0)
            gx = grad * fx.astype(_np_dtype(grad))
            gsrc = _gather_grad(grad, dim, index, ctx.src_shape) * _pad(fs, ctx.src_shape)
            gs = None
        else:
            x, out, src = ctx.x_arr, ctx.out_arr, ctx.src_arr
            self_is = (x == out)
            if not ctx.include_self:
                self_is = self_is & ~scattered
            src_is = (src == out[key])
            n = self_is.astype(np.int64)
            np.add.at(n, key, src_is.astype(np.int64))
            n = np.maximum(n, 1).astype(_np_dtype(grad))
            dist = grad / n
            gx = dist * self_is.astype(_np_dtype(grad))
            gsrc = _gather_grad(dist, dim, index, ctx.src_shape) * _pad(
                src_is.astype(_np_dtype(grad)), ctx.src_shape)
            gs = None
        if reduce in ("sum", "mean") and not ctx.include_self:
            gx = gx * (~scattered).astype(_np_dtype(grad))
        if gs is not None and len(need) > 3 and need[3]:
            gsrc = _gather_grad(gs, dim, index, ctx.src_shape)
        return (gx if need[0] else None), None, None, (gsrc if need[3] else None), None, None


def _np_dtype(a):
    return a._data.dtype if isinstance(a, Tensor) else a.dtype


def _pad(a, shape):
    if a.shape == tuple(shape):
        return a
    out = np.zeros(shape, a.dtype)
    out[tuple(slice(0, s) for s in a.shape)] = a
    return out


# ---------------------------------------------------------------- index_* along one dim
def _dim_key(dim, index):
    return (slice(None),) * dim + (index,)


class IndexSelect(Function):
    _arrays = True
    name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        if x.ndim == 0:
            return x.copy()
        return np.take(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        if len(ctx.shape) == 0:
            return grad, None, None
        if _is_tensor_mode(grad):
            zeros = _const(np.zeros(ctx.shape, grad._data.dtype))
            return IndexAdd.apply(zeros, ctx.dim, ctx.index, grad, 1), None, None
        out = np.zeros(ctx.shape, grad.dtype)
        np.add.at(out, _dim_key(ctx.dim, ctx.index), grad)
        return out, None, None


class IndexAdd(Function):
    _arrays = True
    name = "IndexAddBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, alpha):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = x.copy()
        if x.ndim == 0:
            if index.size:
                out = np.asarray(out + (src * alpha if alpha != 1 else src).sum(), x.dtype)
            return out
        np.add.at(out, _dim_key(dim, index), src * alpha if alpha != 1 else src)
        return out

    @staticmethod
    def backward(ctx, grad):
        gsrc = None
        if ctx.needs_input_grad[3]:
            if grad.ndim == 0:
                gsrc = grad
            elif _is_tensor_mode(grad):
                gsrc = IndexSelect.apply(grad, ctx.dim, ctx.index)
            else:
                gsrc = np.take(grad, ctx.index, axis=ctx.dim)
            if ctx.alpha != 1:
                gsrc = gsrc * ctx.alpha
        return grad, None, None, gsrc, None


class IndexCopy(Function):
    _arrays = True
    name = "IndexCopyBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        if x.ndim == 0:
            return np.asarray(src, x.dtype).reshape(()).copy() if index.size else out
        out[_dim_key(dim, index)] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = gsrc = None
        if grad.ndim == 0:
            return (grad * 0 if need[0] else None), None, None, (grad if need[3] else None)
        if need[0]:
            gx = _zero_at(grad, _dim_key(ctx.dim, ctx.index))
        if need[3]:
            if _is_tensor_mode(grad):
                gsrc = IndexSelect.apply(grad, ctx.dim, ctx.index)
            else:
                gsrc = np.take(grad, ctx.index, axis=ctx.dim)
        return gx, None, None, gsrc


class IndexFill(Function):
    _arrays = True
    name = "IndexFillBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, value):
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        if x.ndim == 0:
            if index.size:
                out = np.asarray(value).astype(x.dtype).reshape(())
            return out
        out[_dim_key(dim, index)] = np.asarray(value).astype(x.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = gv = None
        key = _dim_key(ctx.dim, ctx.index) if grad.ndim else ()
        if need[0]:
            gx = _zero_at(grad, key) if grad.ndim else grad * 0
        if len(need) > 3 and need[3]:
            # each filled position counts once, even when the index repeats
            uniq = np.unique(ctx.index)
            sel = _gather_key(grad, _dim_key(ctx.dim, uniq)) if grad.ndim else grad
            gv = np.sum(sel)
        return gx, None, None, gv


class IndexFillTensor(IndexFill):
    name = "IndexFillBackward1"


class MaskedFill(Function):
    _arrays = True
    name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        val = np.asarray(value).astype(x.dtype)
        return np.where(mask, val, x)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            if _is_tensor_mode(grad):
                gx = MaskedFill.apply(grad, ctx.mask, 0)
            else:
                gx = np.where(ctx.mask, np.zeros((), grad.dtype), grad)
        if len(need) > 2 and need[2]:
            shape = np.broadcast_shapes(grad.shape, ctx.mask.shape)
            mask = np.broadcast_to(ctx.mask, shape)
            if _is_tensor_mode(grad):
                gv = np.sum(MaskedSelect.apply(grad, mask))
            else:
                gv = np.asarray(np.broadcast_to(grad, shape)[mask].sum(), grad.dtype)
        return gx, None, gv


class MaskedFillTensor(MaskedFill):
    name = "MaskedFillBackward1"


class MaskedSelect(Function):
    _arrays = True
    name = "MaskedSelectBackward0"

    @staticmethod
    def forward(ctx, x, mask):
        shape = np.broadcast_shapes(x.shape, mask.shape) or (1,)
        mb = np.broadcast_to(mask, shape)
        key = np.nonzero(mb)
        ctx.key, ctx.shape = key, shape
        return np.broadcast_to(x, shape)[key]

    @staticmethod
    def backward(ctx, grad):
        return _embed_add(grad, ctx.shape, ctx.key), None


class MaskedScatter(Function):
    _arrays = True
    name = "MaskedScatterBackward0"

    @staticmethod
    def forward(ctx, x, mask, src):
        shape = np.broadcast_shapes(x.shape, mask.shape)
        mb = np.broadcast_to(mask, shape)
        n = int(np.count_nonzero(mb))
        if src.size < n:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        out = np.array(np.broadcast_to(x, shape))
        out[mb] = src.reshape(-1)[:n]
        ctx.mask, ctx.n, ctx.src_shape = mb, n, src.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = gsrc = None
        if need[0]:
            if _is_tensor_mode(grad):
                gx = MaskedFill.apply(grad, ctx.mask, 0)
            else:
                gx = np.where(ctx.mask, np.zeros((), grad.dtype), grad)
        if need[2]:
            size = int(np.prod(ctx.src_shape))
            if _is_tensor_mode(grad):
                from .shape import Embed

                sel = MaskedSelect.apply(grad, ctx.mask)
                gsrc = Embed.apply(sel, (size,), (slice(0, ctx.n),)).reshape(ctx.src_shape)
            else:
                flat = np.zeros(size, grad.dtype)
                flat[: ctx.n] = grad[ctx.mask]
                gsrc = flat.reshape(ctx.src_shape)
        return gx, None, gsrc


class Take(Function):
    _arrays = True
    name = "TakeBackward0"

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        return np.ascontiguousarray(x).reshape(-1)[index]

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.shape
        size = int(np.prod(shape))
        if _is_tensor_mode(grad):
            return IndexEmbed.apply(grad, (size,), (ctx.index,)).reshape(shape), None
        out = np.zeros(size, grad.dtype)
        np.add.at(out, ctx.index, grad)
        return out.reshape(shape), None


class Put(Function):
    _arrays = True
    name = "PutBackward0"

    @staticmethod
    def forward(ctx, x, index, source, accumulate):
        ctx.shape, ctx.index, ctx.accumulate = x.shape, index.ravel(), accumulate
        ctx.src_shape = source.shape
        out = np.array(x, order="C")
        flat = out.reshape(-1)
        src = source.reshape(-1)
        if accumulate:
            np.add.at(flat, ctx.index, src)
        else:
            flat[ctx.index] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = gsrc = None
        if need[0]:
            if ctx.accumulate:
                gx = grad
            elif _is_tensor_mode(grad):
                gx = IndexPut.apply(grad.reshape(-1), 0, (ctx.index,), False).reshape(ctx.shape)
            else:
                g = np.array(grad, order="C")
                g.reshape(-1)[ctx.index] = 0
                gx = g
        if need[2]:
            if _is_tensor_mode(grad):
                gsrc = AdvIndex.apply(grad.reshape(-1), (ctx.index,)).reshape(ctx.src_shape)
            else:
                gsrc = np.ascontiguousarray(grad).reshape(-1)[ctx.index].reshape(ctx.src_shape)
        return gx, None, gsrc, None


class Fill(Function):
    """``x.fill_(value)`` with a 0-d tensor value (what ``x[...] = scalar`` records)."""

    _arrays = True
    name = "FillBackward3"

    @staticmethod
    def forward(ctx, x, value):
        return np.full(x.shape, value, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (grad * 0 if need[0] else None), (np.sum(grad) if need[1] else None)


class CopyInto(Function):
    """``x.copy_(src)`` (src broadcast to x's shape and cast to its dtype)."""

    _arrays = True
    name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        return np.broadcast_to(np.asarray(src), x.shape).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (grad * 0 if need[0] else None), (grad if need[1] else None)


# ================================================================ advanced getitem / setitem
def _seq_as_tuple(key) -> bool:
    """PyTorch's (NumPy's old) heuristic: a short list holding a sequence, slice, tensor,
    Ellipsis or None is a tuple of indices."""
    if not isinstance(key, list) or len(key) >= 32:
        return False
    for k in key:
        if isinstance(k, (Tensor, list, tuple, slice, np.ndarray)) or k is None or k is Ellipsis:
            return True
    return False


def _seq_to_array(seq) -> np.ndarray:
    """A list (or ndarray) used as an index, as PyTorch's ``torch.tensor(seq)`` would make it."""
    if isinstance(seq, np.ndarray):
        arr = seq
    else:
        arr = np.asarray(_untensor(seq))
    if arr.dtype.kind == "b":
        return arr
    if arr.dtype.kind in "iu" and arr.dtype != np.uint8:
        return arr.astype(np.int64, copy=False)
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype.kind == "f" and not isinstance(seq, np.ndarray):
        return arr.astype(np.int64)  # x[[0.]]: PyTorch converts Python floats in a list
    if arr.size == 0:
        return arr.astype(np.int64)
    return arr


def _untensor(x):
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (list, tuple)):
        return [_untensor(i) for i in x]
    return x


def _parse_key(ndim, key):
    """Split ``key`` into the basic key (a tuple for ``shape.getitem``, or None when it leaves
    the tensor as it is) and a list of (view dim, index ndarray) records."""
    if isinstance(key, list) and _seq_as_tuple(key):
        warnings.warn(_SEQ_WARNING, UserWarning, stacklevel=4)
        key = tuple(key)
    elif not isinstance(key, tuple):
        key = (key,)
    items = []
    specified = 0
    for k in key:
        if k is None or k is Ellipsis:
            items.append(("n" if k is None else "e", k))
        elif isinstance(k, (bool, np.bool_)):
            items.append(("b", bool(k)))
        elif isinstance(k, slice):
            items.append(("s", k))
            specified += 1
        elif isinstance(k, Tensor):
            a = k._data
            if a.ndim == 0 and a.dtype.kind in "iu" and a.dtype != np.uint8:
                items.append(("i", int(a)))
                specified += 1
            elif a.ndim == 0 and (a.dtype.kind == "b" or a.dtype == np.uint8):
                items.append(("b", bool(a)))
            else:
                items.append(("t", a))
                specified += a.ndim if a.dtype.kind == "b" or a.dtype == np.uint8 else 1
        elif isinstance(k, (int, np.integer)):
            items.append(("i", int(k)))
            specified += 1
        elif isinstance(k, (list, np.ndarray, range)) or (isinstance(k, tuple) and len(key) > 1):
            items.append(("t", _seq_to_array(k)))
            specified += 1
        elif hasattr(k, "__index__") and not isinstance(k, float):
            items.append(("i", k.__index__()))
            specified += 1
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                f"are valid indices (got {type(k).__name__})"
            )
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic = []
    records = []
    rdim = 0  # dim in the view being built
    trivial = True
    for kind, k in items:
        if kind == "n":
            basic.append(None)
            rdim += 1
            trivial = False
        elif kind == "e":
            n = ndim - specified
            basic.extend([slice(None)] * n)
            rdim += n
            specified = ndim  # a second Ellipsis expands to nothing (PyTorch does not raise)
        elif kind == "b":
            basic.append(None)
            records.append((rdim, np.zeros(1 if k else 0, np.int64)))
            rdim += 1
            trivial = False
        elif kind == "s":
            basic.append(k)
            rdim += 1
            if not (k.start in (None, 0) and k.stop is None and k.step in (None, 1)):
                trivial = False
        elif kind == "i":
            basic.append(k)
            trivial = False
        else:
            span = k.ndim if (k.dtype.kind == "b" or k.dtype == np.uint8) else 1
            basic.extend([slice(None)] * span)
            records.append((rdim, k))
            rdim += span
    return (None if trivial else tuple(basic)), records


def _view_for(x, basic):
    if basic is None:
        return x
    from .shape import getitem

    return getitem(x, basic)


def _index_key(shape, records):
    """The NumPy key for ``records`` (view dim, index array) on a tensor of ``shape``, with
    PyTorch's checks; bool masks become their nonzero() columns."""
    nd = len(shape)
    slots = [None] * nd
    for pos, idx in records:
        kind = idx.dtype.kind
        if idx.dtype == np.uint8:
            warnings.warn(_UINT8_WARNING, UserWarning, stacklevel=5)
            idx = idx.astype(bool)
            kind = "b"
        if kind == "b":
            for j in range(idx.ndim):
                if pos + j >= nd or idx.shape[j] != shape[pos + j]:
                    raise IndexError(
                        f"The shape of the mask {list(idx.shape)} at index {j} does not match the "
                        f"shape of the indexed tensor {list(shape)} at index {pos + j}"
                    )
            if idx.ndim == 0:
                continue
            for j, col in enumerate(np.nonzero(idx)):
                slots[pos + j] = col
        elif kind in "iu" and idx.dtype in (np.int64, np.int32):
            slots[pos] = idx
        else:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    defined = [s for s in slots if s is not None]
    if len(defined) > 1:
        shapes = [s.shape for s in defined]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise IndexError(
                "shape mismatch: indexing tensors could not be broadcast together with shapes "
                + ", ".join(str(list(s)) for s in shapes)
            ) from None
    k = 0
    for d, s in enumerate(slots):
        if s is None:
            continue
        size = shape[d]
        if s.size:
            bad = (s >= size) | (s < -size)
            if bad.any():
                if size == 0:
                    raise IndexError("index is out of bounds for dimension with size 0")
                v = int(s.ravel()[np.argmax(bad.ravel())])
                raise IndexError(f"index {v} is out of bounds for dimension {k} with size {size}")
        k += 1
    return tuple(slice(None) if s is None else s for s in slots)


def advanced_getitem(x: Tensor, key):
    """``x[key]`` when ``key`` holds integer tensors, lists or boolean masks."""
    basic, records = _parse_key(x._data.ndim, key)
    view = _view_for(x, basic)
    if not records:
        return view
    np_key = _index_key(view._data.shape, records)
    return AdvIndex.apply(view, np_key)


def _strip_prefix_ones(value: Tensor) -> Tensor:
    shape = value._data.shape
    i = 0
    while i < len(shape) and shape[i] == 1:
        i += 1
    if i == 0:
        return value
    from .shape import reshape

    return reshape(value, shape[i:])


def _index_put_inplace(target: Tensor, np_key, values, accumulate):
    """Write ``values`` (Tensor or number) into ``target`` at ``np_key``, recording autograd."""
    tgt = target._data
    if isinstance(values, Tensor) and values._data.ndim:
        vshape = values._data.shape
        res_shape = _key_shape(tgt.shape, np_key)
        try:
            ok = np.broadcast_shapes(vshape, res_shape) == tuple(res_shape)
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to "
                f"indexing result of shape {list(res_shape)}"
            )
    needs_graph = _state[0] and (target._requires_grad or (
        isinstance(values, Tensor) and values._requires_grad))
    if not needs_graph:
        _check_inplace(target)
        v = values._data if isinstance(values, Tensor) else values
        if accumulate:
            np.add.at(tgt, np_key, np.asarray(v, tgt.dtype))
        else:
            tgt[np_key] = v
        target._vc[0] += 1
        return target
    return apply_inplace(target, IndexPut, values, np_key, accumulate)


def _key_shape(shape, np_key):
    """The shape ``a[np_key]`` has for ``a`` of ``shape`` (computed on a zero-stride dummy)."""
    return np.broadcast_to(np.zeros((), np.bool_), shape)[np_key].shape


def _copy_into(target: Tensor, value: Tensor) -> Tensor:
    copy_ = getattr(Tensor, "copy_", None)
    if copy_ is not None:
        return copy_(target, value)
    return apply_inplace(target, CopyInto, value)


def _fast_key(key) -> bool:
    """True for keys NumPy and PyTorch treat alike: ints, positive-step slices, None, `...`."""
    for k in (key if type(key) is tuple else (key,)):
        t = type(k)
        if t is int or k is None or k is Ellipsis:
            continue
        if t is slice:
            if k.step is not None and (type(k.step) is not int or k.step <= 0):
                return False
            continue
        return False
    return True


def setitem(self: Tensor, key, value) -> None:
    """``t[key] = value``: basic keys write through a view; tensor indices use index_put_."""
    if key is False or (isinstance(key, np.bool_) and not key):
        return
    # fast path: nothing to record, a basic key -> write into the array directly
    tv = type(value)
    if (tv is float or tv is int or (tv is Tensor and not value._requires_grad)) and not (
            _state[0] and self._requires_grad) and _fast_key(key):
        if tv is Tensor:
            v = value._data
        else:
            _check_fits(value, self._data.dtype)
            v = _to_dtype_scalar(value, self._data.dtype) if tv is int else value
        try:
            self._data[key] = v
        except (IndexError, ValueError, TypeError, OverflowError):
            pass  # the general path below raises PyTorch's error
        else:
            self._vc[0] += 1
            return
    if isinstance(value, Tensor):
        val = value
    elif isinstance(value, (bool, int, float, np.number, np.bool_)):
        val = None
    else:
        tp = type(value)
        tn = tp.__name__ if tp.__module__ == "builtins" else f"{tp.__module__}.{tp.__name__}"
        raise TypeError(f"can't assign a {tn} to a torch.{_tname(self._data.dtype)}Tensor")
    basic, records = _parse_key(self._data.ndim, key)
    target = _view_for(self, basic)
    if not records:
        if val is None:
            _check_fits(value, self._data.dtype)
            v = _to_dtype_scalar(value, self._data.dtype)
            return _fill_inplace(target, Tensor._make(v, False))
        if val._data.shape == target._data.shape:
            _copy_into(target, val)
            return
        if val._data.ndim == 0:
            _fill_inplace(target, val)
            return
        from .shape import expand

        src = expand(_strip_prefix_ones(val), target._data.shape)
        _copy_into(target, src)
        return
    np_key = _index_key(target._data.shape, records)
    if val is None:
        val = Tensor._make(_to_dtype_scalar(value, self._data.dtype), False)
    elif val._data.dtype != target._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{_tname(target._data.dtype)} for the destination and {_tname(val._data.dtype)} for "
            "the source."
        )
    _index_put_inplace(target, np_key, _strip_prefix_ones(val), False)


def _fill_inplace(target: Tensor, value: Tensor):
    if not (_state[0] and (target._requires_grad or value._requires_grad)):
        _check_inplace(target)
        target._data[...] = value._data
        target._vc[0] += 1
        return target
    return apply_inplace(target, Fill, value)


# ================================================================ functional API
def _index_arg(index, what: str, allow_int32: bool = True) -> np.ndarray:
    if not isinstance(index, Tensor):
        raise TypeError(f"{what}(): argument 'index' must be Tensor, not {type(index).__name__}")
    return index._data


def _check_long(idx: np.ndarray, msg: str) -> np.ndarray:
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(msg)
    return idx.astype(np.int64, copy=False)


def _check_bounds(idx, size, dim, exc=RuntimeError, allow_neg=False, prefix=""):
    if idx.size:
        bad = (idx >= size) | (idx < (-size if allow_neg else 0))
        if bad.any():
            v = int(idx.ravel()[np.argmax(bad.ravel())])
            raise exc(f"{prefix}index {v} is out of bounds for dimension {dim} with size {size}")


def _wrap_index(idx, size):
    return np.where(idx < 0, idx + size, idx) if idx.size and (idx < 0).any() else idx


def index_select(input: Tensor, dim: int, index: Tensor, *, out=None) -> Tensor:
    """The slices of ``input`` along ``dim`` at the positions in the 1-D ``index``.

    >>> ember.index_select(ember.tensor([[1, 2], [3, 4]]), 0, ember.tensor([1, 1]))
    tensor([[3, 4],
            [3, 4]])
    """
    idx = _index_arg(index, "index_select")
    idx = _check_long(idx, "index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    nd = input._data.ndim
    d = _wrap_dim(dim, nd)
    if nd == 0:
        if idx.size != 1:
            raise RuntimeError(
                f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)"
            )
        if int(idx.ravel()[0]) != 0:
            raise IndexError("index_select(): Index out of range")
        return _out(IndexSelect.apply(input, d, idx.reshape(-1)), out)
    size = input._data.shape[d]
    idx = idx.reshape(-1)
    if idx.size and ((idx >= size) | (idx < 0)).any():
        v = int(idx[np.argmax((idx >= size) | (idx < 0))])
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={v} axis_dim={size}")
    return _out(IndexSelect.apply(input, d, idx), out)


def _check_gather_shapes(input, dim, idx, what, src=None):
    xs = input._data.shape
    if idx.ndim != len(xs) and not (len(xs) == 0 and idx.ndim <= 1) and not (
            idx.ndim == 0 and len(xs) <= 1):
        raise RuntimeError(
            "Index tensor must have the same number of dimensions as "
            + ("input" if what == "gather" else "self") + " tensor"
        )
    if idx.size == 0 or len(xs) == 0:
        return
    for d in range(len(xs)):
        if d == dim:
            continue
        if idx.shape[d] > xs[d] or (src is not None and idx.shape[d] > src.shape[d]):
            if what == "gather":
                raise RuntimeError(
                    f"Size does not match at dimension {d} expected index {list(idx.shape)} to be "
                    f"no larger than self {list(xs)} apart from dimension {dim}"
                )
            raise RuntimeError(
                f"Expected index {list(idx.shape)} to be no larger than self {list(xs)} apart "
                f"from dimension {dim}"
                + (f" and to be no larger size than src {list(src.shape)}" if src is not None
                   else "")
            )
    if src is not None and idx.shape[dim] > src.shape[dim]:
        raise RuntimeError(
            f"Expected index {list(idx.shape)} to be no larger than self {list(xs)} apart from "
            f"dimension {dim} and to be no larger size than src {list(src.shape)}"
        )


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad=False, out=None) -> Tensor:
    """``out[i][j] = input[i][index[i][j]]`` for ``dim=1`` (and likewise for other dims).

    >>> ember.gather(ember.tensor([[1, 2], [3, 4]]), 1, ember.tensor([[0, 0], [1, 0]]))
    tensor([[1, 1],
            [4, 3]])
    """
    idx = _index_arg(index, "gather")
    d = _wrap_dim(dim, input._data.ndim)
    idx = _check_long(idx, "gather(): Expected dtype int32/int64 for index")
    _check_gather_shapes(input, d, idx, "gather")
    size = input._data.shape[d] if input._data.ndim else 1
    _check_bounds(idx, size, d)
    if input._data.ndim == 0:
        if idx.size and (idx != 0).any():
            _check_bounds(idx, 0, d)
        return _out(Gather.apply(input, d, idx), out)
    return _out(Gather.apply(input, d, _wrap_index(idx, size)), out)


def _scatter_args(input, dim, index, src, what):
    idx = _index_arg(index, what)
    if not isinstance(src, Tensor):
        _check_fits(src, input._data.dtype)
    d = _wrap_dim(dim, input._data.ndim)
    idx = _check_long(idx, "scatter(): Expected dtype int32/int64 for index")
    srca = src._data if isinstance(src, Tensor) else None
    if srca is not None and srca.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if srca is not None and srca.ndim != idx.ndim and idx.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    _check_gather_shapes(input, d, idx, "scatter", srca if srca is not None and srca.ndim else
                         None)
    size = input._data.shape[d] if input._data.ndim else 1
    _check_bounds(idx, size, d)
    return d, _wrap_index(idx, size)


def _scatter_value(value):
    if isinstance(value, Tensor):
        return value._data
    return value


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None,
            out=None) -> Tensor:
    """Write ``src`` (a tensor, or a number ``value``) into a copy of ``input`` at the
    positions ``index`` gives along ``dim``; ``reduce='add'|'multiply'`` combines instead."""
    if src is None:
        src = value
    d, idx = _scatter_args(input, dim, index, src, "scatter")
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if isinstance(src, Tensor):
        return _out(Scatter.apply(input, d, idx, src, reduce), out)
    return _out(ScatterValue.apply(input, d, idx, src, reduce), out)


def _scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    if src is None:
        src = value
    d, idx = _scatter_args(self, dim, index, src, "scatter_")
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    cls = Scatter if isinstance(src, Tensor) else ScatterValue
    return apply_inplace(self, cls, d, idx, src, reduce)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor, *, out=None) -> Tensor:
    """Add ``src`` into a copy of ``input`` at ``index`` along ``dim`` (duplicates add up)."""
    d, idx = _scatter_args(input, dim, index, src, "scatter_add")
    return _out(ScatterAdd.apply(input, d, idx, src), out)


def _scatter_add_(self, dim, index, src):
    d, idx = _scatter_args(self, dim, index, src, "scatter_add_")
    return apply_inplace(self, ScatterAdd, d, idx, src)


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _reduce_arg(reduce):
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)  # PyTorch's legacy names
    if reduce not in _REDUCES:
        raise RuntimeError(
            "reduce argument must be either sum, prod, mean, amax or amin, got " + str(reduce)
        )
    return reduce


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True, out=None) -> Tensor:
    """Reduce ``src`` into a copy of ``input`` at ``index`` with ``reduce`` in 'sum', 'prod',
    'mean', 'amax', 'amin' (``include_self`` keeps ``input``'s values in the reduction)."""
    reduce = _reduce_arg(reduce)
    d, idx = _scatter_args(input, dim, index, src, "scatter_reduce")
    return _out(ScatterReduce.apply(input, d, idx, src, reduce, include_self), out)


def _scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    reduce = _reduce_arg(reduce)
    d, idx = _scatter_args(self, dim, index, src, "scatter_reduce_")
    return apply_inplace(self, ScatterReduce, d, idx, src, reduce, include_self)


def _index_dim_args(self, dim, index, src, what):
    idx = _index_arg(index, what)
    nd = self._data.ndim
    d = _wrap_dim(dim, nd)
    kind = what.rstrip("_")
    if kind == "index_add":
        if idx.dtype not in (np.int64, np.int32):
            raise RuntimeError(
                "index_add_(): Expected dtype int32/int64 for index but got: "
                + _tname(idx.dtype)
            )
        if idx.ndim > 1:
            raise IndexError(
                f"index_add_(): Index is supposed to be a vector, but got dim: {idx.ndim} with "
                f"type: {_tname(idx.dtype)} and size: {list(idx.shape)}"
            )
    elif kind == "index_copy":
        if idx.dtype != np.int64:
            raise RuntimeError(
                f"index_copy_(): Expected a long tensor for index, but got {_tname(idx.dtype)}"
            )
        if idx.ndim > 1:
            raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    else:
        if idx.dtype != np.int64:
            raise IndexError("index_fill_(): Expected dtype int64 for index.")
        if idx.ndim > 1:
            raise RuntimeError("Index has to be a vector/scalar")
    idx = idx.reshape(-1).astype(np.int64, copy=False)
    if src is not None:
        sa = src._data
        if what.startswith("index_add") and sa.dtype != self._data.dtype:
            raise RuntimeError(
                f"index_add_(): self ({_tname(self._data.dtype)}) and source "
                f"({_tname(sa.dtype)}) must have the same scalar type"
            )
        if what.startswith("index_copy") and sa.dtype != self._data.dtype:
            raise RuntimeError(
                f"index_copy_(): self and source expected to have the same dtype, but got "
                f"(self) {_tname(self._data.dtype)} and (source) {_tname(sa.dtype)}"
            )
        ssh = list(self._data.shape)
        osh = list(sa.shape)
        if nd and (len(ssh) != len(osh) or any(
                a != b for i, (a, b) in enumerate(zip(ssh, osh)) if i != d)):
            if what.startswith("index_add"):
                raise RuntimeError(
                    "source tensor shape must match self tensor shape, excluding the specified "
                    f"dimension. Got self.shape = {ssh} source.shape = {osh}"
                )
            dst = " ".join(str(v) for v in ssh[:d] + ssh[d + 1:])
            srcs = " ".join(str(v) for v in osh[:d] + osh[d + 1:])
            raise RuntimeError(
                "index_copy_(): Source/destination tensor must have same slice shapes. "
                f"Destination slice shape: {dst} at dimension {d} and source slice shape: {srcs} "
                f"at dimension {d}."
            )
        if nd and sa.ndim and sa.shape[d] != idx.size:
            if what.startswith("index_add"):
                raise RuntimeError(
                    f"index_add_(): Number of indices ({idx.size}) should be equal to "
                    f"source.size(dim): ({sa.shape[d]}), for dim: {d}"
                )
            raise IndexError(
                f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                f"source.size(dim) ({sa.shape[d]})"
            )
    size = self._data.shape[d] if nd else 1
    if what.startswith("index_fill"):
        _check_bounds(idx, size, d, IndexError, allow_neg=True)
    elif what.startswith("index_copy"):
        _check_bounds(idx, size, d, IndexError, prefix="index_copy_(): ")
    else:
        _check_bounds(idx, size, d)
    return d, _wrap_index(idx, size)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1,
              out=None) -> Tensor:
    """Add ``alpha * source`` into a copy of ``input`` at ``index`` along ``dim``."""
    d, idx = _index_dim_args(input, dim, index, source, "index_add")
    return _out(IndexAdd.apply(input, d, idx, source, alpha), out)


def _index_add_(self, dim, index, source, *, alpha=1):
    d, idx = _index_dim_args(self, dim, index, source, "index_add_")
    return apply_inplace(self, IndexAdd, d, idx, source, alpha)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor, *, out=None) -> Tensor:
    """Copy the slices of ``source`` into a copy of ``input`` at ``index`` along ``dim``."""
    d, idx = _index_dim_args(input, dim, index, source, "index_copy")
    return _out(IndexCopy.apply(input, d, idx, source), out)


def _index_copy_(self, dim, index, source):
    d, idx = _index_dim_args(self, dim, index, source, "index_copy_")
    return apply_inplace(self, IndexCopy, d, idx, source)


def _fill_value(value, what, np_dtype=None):
    if np_dtype is not None and not isinstance(value, Tensor):
        _check_fits(value, np_dtype)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                f"{what} only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        return value, True
    return value, False


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """A copy of ``input`` with the slices at ``index`` along ``dim`` set to ``value``."""
    value, is_t = _fill_value(value, "index_fill_", input._data.dtype)
    d, idx = _index_dim_args(input, dim, index, None, "index_fill")
    return (IndexFillTensor if is_t else IndexFill).apply(input, d, idx, value)


def _index_fill_(self, dim, index, value):
    value, is_t = _fill_value(value, "index_fill_", self._data.dtype)
    d, idx = _index_dim_args(self, dim, index, None, "index_fill_")
    return apply_inplace(self, IndexFillTensor if is_t else IndexFill, d, idx, value)


def _index_put_key(self, indices):
    if not isinstance(indices, (tuple, list)):
        raise TypeError(
            "index_put(): argument 'indices' (position 1) must be tuple of Tensors, not "
            + type(indices).__name__
        )
    if len(indices) > self._data.ndim:
        raise IndexError(
            f"too many indices for tensor of dimension {self._data.ndim} (got {len(indices)})"
        )
    records = []
    pos = 0
    for t in indices:
        if t is None:
            pos += 1
            continue
        a = t._data if isinstance(t, Tensor) else _seq_to_array(t)
        records.append((pos, a))
        pos += a.ndim if (a.dtype.kind == "b" or a.dtype == np.uint8) else 1
    return _index_key(self._data.shape, records)


def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` written (or added, ``accumulate=True``) at the
    positions the tuple of index tensors selects."""
    key = _index_put_key(input, indices)
    _check_put_values(input, key, values)
    return IndexPut.apply(input, values, key, accumulate)


def _check_put_values(input, key, values):
    if not isinstance(values, Tensor):
        raise TypeError("index_put(): argument 'values' must be Tensor, not "
                        + type(values).__name__)
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{_tname(input._data.dtype)} for the destination and {_tname(values._data.dtype)} "
            "for the source."
        )
    res = _key_shape(input._data.shape, key)
    try:
        ok = np.broadcast_shapes(values._data.shape, res) == tuple(res)
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(values._data.shape)} cannot be "
            f"broadcast to indexing result of shape {list(res)}"
        )


def index_put_(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """In-place :func:`index_put`."""
    key = _index_put_key(input, indices)
    _check_put_values(input, key, values)
    return _index_put_inplace(input, key, values, accumulate)


def _mask_arg(mask, what):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{what}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"{what} only supports boolean masks, but got mask with dtype {_C_NAMES[m.dtype.name]}"
        )
    return m


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` (a number or 0-d tensor) where ``mask`` is True
    (``mask`` broadcasts with ``input``)."""
    m = _mask_arg(mask, "masked_fill_")
    value, is_t = _fill_value(value, "masked_fill_", input._data.dtype)
    try:
        np.broadcast_shapes(input._data.shape, m.shape)
    except ValueError:
        _broadcast_error(input._data.shape, m.shape)
    return (MaskedFillTensor if is_t else MaskedFill).apply(input, m, value)


def _broadcast_error(a, b):
    a, b = list(a), list(b)
    n = builtins.max(len(a), len(b))
    a = [1] * (n - len(a)) + a
    b = [1] * (n - len(b)) + b
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            raise RuntimeError(
                f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                f"non-singleton dimension {i}"
            )


def _masked_fill_(self, mask, value):
    m = _mask_arg(mask, "masked_fill_")
    value, is_t = _fill_value(value, "masked_fill_", self._data.dtype)
    try:
        shape = np.broadcast_shapes(self._data.shape, m.shape)
    except ValueError:
        shape = None
        _broadcast_error(self._data.shape, m.shape)
    if shape != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(shape)}"
        )
    val_t = value if is_t else None
    if not (_state[0] and (self._requires_grad or (val_t is not None and val_t._requires_grad))):
        _check_inplace(self)
        v = value._data if is_t else value
        np.copyto(self._data, np.asarray(v).astype(self._data.dtype), where=m)
        self._vc[0] += 1
        return self
    return apply_inplace(self, MaskedFillTensor if is_t else MaskedFill, m, value)


def masked_select(input: Tensor, mask: Tensor, *, out=None) -> Tensor:
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor (they broadcast)."""
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    try:
        np.broadcast_shapes(input._data.shape, mask._data.shape)
    except ValueError:
        _broadcast_error(input._data.shape, mask._data.shape)
    return _out(MaskedSelect.apply(input, mask._data), out)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with the first elements of ``source`` written where ``mask`` is
    True, in order."""
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with dtype "
                           + _tname(mask._data.dtype))
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{_tname(input._data.dtype)} and {_tname(source._data.dtype)}"
        )
    return MaskedScatter.apply(input, mask._data, source)


def _masked_scatter_(self, mask, source):
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with dtype "
                           + _tname(mask._data.dtype))
    if source._data.dtype != self._data.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{_tname(self._data.dtype)} and {_tname(source._data.dtype)}"
        )
    return apply_inplace(self, MaskedScatter, mask._data, source)


def nonzero(input: Tensor, *, out=None, as_tuple: bool = False):
    """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or a tuple of 1-D
    index tensors with ``as_tuple=True``."""
    a = input._data
    if as_tuple:
        if a.ndim == 0:
            return (Tensor._make(np.zeros(1 if a.item() else 0, np.int64)),)
        return tuple(Tensor._make(c.astype(np.int64)) for c in np.nonzero(a))
    if a.ndim == 0:
        res = np.zeros((1 if a.item() else 0, 0), np.int64)
    else:
        res = np.argwhere(a).astype(np.int64)
    return _out(Tensor._make(res), out)


def argwhere(input: Tensor) -> Tensor:
    """Indices of the non-zero elements, one row per element (same as :func:`nonzero`)."""
    return nonzero(input)


def take(input: Tensor, index: Tensor) -> Tensor:
    """Elements of ``input`` viewed as 1-D, at ``index`` (the result has ``index``'s shape)."""
    idx = _index_arg(index, "take")
    if idx.dtype != np.int64:
        raise RuntimeError(
            f"take(): Expected a long tensor for index, but got {_tname(idx.dtype)}"
        )
    n = input._data.size
    if idx.size:
        bad = (idx >= n) | (idx < -n)
        if bad.any():
            v = int(idx.ravel()[np.argmax(bad.ravel())])
            raise IndexError(f"out of range: tried to access index {v} on a tensor of {n} "
                             "elements.")
    return Take.apply(input, _wrap_index(idx, n))


def take_along_dim(input: Tensor, indices: Tensor, dim=None) -> Tensor:
    """Values of ``input`` at ``indices`` along ``dim`` (both broadcast outside ``dim``); with
    no ``dim``, on the flattened input."""
    idx = indices._data
    if idx.dtype not in (np.int64, np.int32) and idx.dtype.kind != "b":
        raise RuntimeError(
            f"torch.take_along_dim(): dtype of indices should be Long but got {_tname(idx.dtype)}"
        )
    from .shape import expand, reshape

    if dim is None:
        return gather(reshape(input, (-1,)), 0, reshape(indices, (-1,)))
    xs, isz = input._data.shape, idx.shape
    if len(xs) != len(isz):
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {len(xs)} dimensions for input, and {len(isz)} dimensions for "
            "indices"
        )
    d = _wrap_dim(dim, len(xs))
    s1 = list(xs)
    s1[d] = isz[d]
    ishape = np.broadcast_shapes(tuple(s1), isz)
    s2 = list(isz)
    s2[d] = xs[d]
    xshape = np.broadcast_shapes(tuple(s2), xs)
    ind = expand(indices, ishape) if tuple(ishape) != isz else indices
    inp = expand(input, xshape) if tuple(xshape) != xs else input
    return gather(inp, d, ind)


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` (viewed as 1-D) with ``source`` written at ``index``."""
    idx = _put_index(input, index, source)
    return Put.apply(input, idx, source, accumulate)


def _put_index(input, index, source):
    idx = _index_arg(index, "put")
    if idx.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_tname(idx.dtype)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{_tname(input._data.dtype)} and source.dtype = {_tname(source._data.dtype)}"
        )
    if idx.size != source._data.size:
        raise IndexError(
            f"put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {idx.size}"
        )
    n = input._data.size
    if idx.size:
        bad = (idx >= n) | (idx < -n)
        if bad.any():
            v = int(idx.ravel()[np.argmax(bad.ravel())])
            raise IndexError(f"out of range: tried to access index {v} on a tensor of {n} "
                             "elements.")
    return _wrap_index(idx, n)


def _put_(self, index, source, accumulate=False):
    idx = _put_index(self, index, source)
    return apply_inplace(self, Put, idx, source, accumulate)


def _out(result: Tensor, out):
    if out is None:
        return result
    from .arithmetic import _out as _write_out

    return _write_out(result, out)


register(
    __setitem__=setitem,
    index_select=index_select,
    gather=gather,
    scatter=scatter,
    scatter_=_scatter_,
    scatter_add=scatter_add,
    scatter_add_=_scatter_add_,
    scatter_reduce=scatter_reduce,
    scatter_reduce_=_scatter_reduce_,
    index_add=index_add,
    index_add_=_index_add_,
    index_copy=index_copy,
    index_copy_=_index_copy_,
    index_fill=index_fill,
    index_fill_=_index_fill_,
    index_put=index_put,
    index_put_=index_put_,
    masked_fill=masked_fill,
    masked_fill_=_masked_fill_,
    masked_select=masked_select,
    masked_scatter=masked_scatter,
    masked_scatter_=_masked_scatter_,
    nonzero=nonzero,
    argwhere=argwhere,
    take=take,
    take_along_dim=take_along_dim,
    put=put,
    put_=_put_,
    dispatch=(
        (np.take_along_axis, lambda arr, indices, axis: take_along_dim(arr, indices, axis)),
    ),
)
