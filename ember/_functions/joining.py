"""Joining and rearranging: cat, stack, the *stack helpers, flip, roll, repeat, tile,
repeat_interleave, rot90, atleast_*d, meshgrid, broadcast_tensors, block_diag, one_hot.

``cat`` and ``stack`` promote their inputs to a common dtype, as PyTorch does; each input's
gradient is cast back to its own dtype by the engine.
"""

from __future__ import annotations

__all__ = [
    "cat",
    "concat",
    "concatenate",
    "stack",
    "hstack",
    "vstack",
    "row_stack",
    "dstack",
    "column_stack",
    "flip",
    "fliplr",
    "flipud",
    "roll",
    "tile",
    "repeat_interleave",
    "rot90",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "meshgrid",
    "broadcast_tensors",
    "broadcast_shapes",
    "cartesian_prod",
    "block_diag",
]

import builtins
import warnings

import numpy as np

from .. import _dtype
from .._dtype import FROM_NP
from .._tensor import Size, Tensor, _wrap_dim
from ..autograd.function import Function
from ._util import register


def _is_tm(g) -> bool:
    return isinstance(g, Tensor)


def _promote(arrays):
    d = FROM_NP[arrays[0].dtype]
    for a in arrays[1:]:
        if a.dtype != d.np:
            d = _dtype.promote_types(d, FROM_NP[a.dtype])
    return d.np


# ================================================================ Functions
class Cat(Function):
    """Concatenation along ``dim``; inputs flagged in ``skip`` (legacy 1-D empties) are left
    out but still get an (empty) gradient."""

    _arrays = True
    name = "CatBackward0"

    @staticmethod
    def forward(ctx, dim, skip, *arrays):
        used = [a for a, s in zip(arrays, skip) if not s]
        dt = _promote(list(arrays))
        ctx.dim = dim
        ctx.sizes = [0 if s else a.shape[dim] for a, s in zip(arrays, skip)]
        ctx.skip = skip
        if not used:
            return np.zeros((0,), dt)
        return np.concatenate([a.astype(dt, copy=False) for a in used], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        out = [None, None]
        start = 0
        nd = grad.ndim
        for size, s, need in zip(ctx.sizes, ctx.skip, ctx.needs_input_grad[2:]):
            if s:
                out.append(np.zeros((0,), _np_dtype(grad)) if need else None)
                continue
            if need:
                key = (slice(None),) * ctx.dim + (slice(start, start + size),)
                out.append(grad[key] if nd else grad)
            else:
                out.append(None)
            start += size
        return tuple(out)


def _np_dtype(a):
    return a._data.dtype if isinstance(a, Tensor) else a.dtype


class Stack(Function):
    _arrays = True
    name = "StackBackward0"

    @staticmethod
    def forward(ctx, dim, *arrays):
        dt = _promote(list(arrays))
        ctx.dim = dim
        return np.stack([a.astype(dt, copy=False) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        out = [None]
        pre = (slice(None),) * ctx.dim
        for i, need in enumerate(ctx.needs_input_grad[1:]):
            out.append(grad[pre + (i,)] if need else None)
        return tuple(out)


class Flip(Function):
    _arrays = True
    name = "FlipBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims).copy() if dims and x.ndim else x.copy()

    @staticmethod
    def backward(ctx, grad):
        if _is_tm(grad):
            return Flip.apply(grad, ctx.dims), None
        return np.flip(grad, ctx.dims) if ctx.dims and grad.ndim else grad, None


class Roll(Function):
    _arrays = True
    name = "RollBackward0"

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if dims is None:
            return np.roll(x.reshape(-1), shifts[0]).reshape(x.shape)
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        neg = tuple(-s for s in ctx.shifts)
        if _is_tm(grad):
            return Roll.apply(grad, neg, ctx.dims), None, None
        return Roll.forward(_Ctx(), grad, neg, ctx.dims), None, None


class _Ctx:
    pass


class Repeat(Function):
    _arrays = True
    name = "RepeatBackward0"

    @staticmethod
    def forward(ctx, x, repeats):
        ctx.in_shape = x.shape
        ctx.repeats = repeats
        xs = (1,) * (len(repeats) - x.ndim) + x.shape
        ctx.padded = xs
        return np.tile(x.reshape(xs), repeats)

    @staticmethod
    def backward(ctx, grad):
        # out dims (r0*s0, r1*s1, ...) -> (r0, s0, r1, s1, ...), summed over the r axes
        inter = []
        for r, s in zip(ctx.repeats, ctx.padded):
            inter.extend((r, s))
        g = grad.reshape(tuple(inter))
        axes = tuple(range(0, 2 * len(ctx.repeats), 2))
        if axes:
            if isinstance(g, np.ndarray) and g.dtype == np.float16:
                # PyTorch accumulates half sums in float32 and rounds once
                g = g.astype(np.float32).sum(axis=axes).astype(np.float16)
            else:
                g = np.sum(g, axis=axes)
        return g.reshape(ctx.in_shape), None


class Rot90(Function):
    _arrays = True
    name = "Rot90Backward0"

    @staticmethod
    def forward(ctx, x, k, dims):
        ctx.k, ctx.dims = k, dims
        return np.rot90(x, k, axes=dims).copy()

    @staticmethod
    def backward(ctx, grad):
        if _is_tm(grad):
            return Rot90.apply(grad, -ctx.k, ctx.dims), None, None
        return np.rot90(grad, -ctx.k, axes=ctx.dims), None, None


class BlockDiag(Function):
    _arrays = True
    name = "BlockDiagBackward0"

    @staticmethod
    def forward(ctx, *arrays):
        dt = _promote(list(arrays))
        mats = [a.reshape(1, -1) if a.ndim == 1 else a.reshape(1, 1) if a.ndim == 0 else a
                for a in arrays]
        rows = builtins.sum(m.shape[0] for m in mats)
        cols = builtins.sum(m.shape[1] for m in mats)
        out = np.zeros((rows, cols), dt)
        r = c = 0
        boxes = []
        for m in mats:
            out[r:r + m.shape[0], c:c + m.shape[1]] = m
            boxes.append((slice(r, r + m.shape[0]), slice(c, c + m.shape[1])))
            r += m.shape[0]
            c += m.shape[1]
        ctx.boxes = boxes
        ctx.shapes = [a.shape for a in arrays]
        return out

    @staticmethod
    def backward(ctx, grad):
        out = []
        for box, shape, need in zip(ctx.boxes, ctx.shapes, ctx.needs_input_grad):
            out.append(grad[box].reshape(shape) if need else None)
        return tuple(out)


# ================================================================ functional API
def _tensor_list(tensors, what):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{what}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{type(tensors).__name__}"
        )
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return list(tensors)


def cat(tensors, dim: int = 0, *, axis=None, out=None) -> Tensor:
    """Concatenate tensors along an existing dim (sizes must match elsewhere); inputs are
    promoted to a common dtype.

    >>> ember.cat([ember.tensor([1, 2]), ember.tensor([3])])
    tensor([1, 2, 3])
    """
    if axis is not None:
        dim = axis
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    # legacy: 1-D empty tensors are skipped whatever the other shapes
    skip = tuple(t._data.shape == (0,) for t in tensors)
    ref = next((t for t, s in zip(tensors, skip) if not s), None)
    if ref is None:
        d = _wrap_dim(dim, 1)
    else:
        nd = ref._data.ndim
        d = _wrap_dim(dim, nd)
        rs = ref._data.shape
        for i, (t, s) in enumerate(zip(tensors, skip)):
            if s:
                continue
            ts = t._data.shape
            if len(ts) != nd:
                raise RuntimeError(
                    f"Tensors must have same number of dimensions: got {nd} and {len(ts)}"
                )
            for j in range(nd):
                if j != d and ts[j] != rs[j]:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {d}. Expected size "
                        f"{rs[j]} but got size {ts[j]} for tensor number {i} in the list."
                    )
    result = Cat.apply(d, skip, *tensors)
    if out is not None:
        from .arithmetic import _out

        return _out(result, out)
    return result


concat = cat


def concatenate(tensors, axis: int = 0, out=None) -> Tensor:
    """Alias of :func:`cat` with NumPy's argument name."""
    return cat(tensors, axis, out=out)


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join equal-shaped tensors along a new dim ``dim``.

    >>> ember.stack([ember.tensor([1, 2]), ember.tensor([3, 4])], dim=1)
    tensor([[1, 3],
            [2, 4]])
    """
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != s0:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 and "
                f"{list(t._data.shape)} at entry {i}"
            )
    d = _wrap_dim(dim, len(s0) + 1)
    result = Stack.apply(d, *tensors)
    if out is not None:
        from .arithmetic import _out

        return _out(result, out)
    return result


def _atleast(n, tensors):
    from .shape import reshape, unsqueeze

    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        nd = t._data.ndim
        if nd >= n:
            r = t
        elif nd == 0:
            r = reshape(t, (1,) * n)
        elif n == 2:
            r = unsqueeze(t, 0)
        elif nd == 1:
            r = unsqueeze(unsqueeze(t, 0), -1)
        else:
            r = unsqueeze(t, -1)
        out.append(r)
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    """Each input with at least one dim (0-d tensors become shape ``(1,)``)."""
    return _atleast(1, tensors)


def atleast_2d(*tensors):
    """Each input with at least two dims (1-D ``(n,)`` becomes ``(1, n)``)."""
    return _atleast(2, tensors)


def atleast_3d(*tensors):
    """Each input with at least three dims (``(n,)`` -> ``(1, n, 1)``, ``(m, n)`` ->
    ``(m, n, 1)``)."""
    return _atleast(3, tensors)


def hstack(tensors, *, out=None) -> Tensor:
    """Concatenate column-wise (along dim 0 for 1-D inputs, else dim 1)."""
    tensors = _tensor_list(tensors, "hstack")
    if not tensors:
        raise RuntimeError("hstack expects a non-empty TensorList")
    ts = _atleast(1, (tensors,)) if tensors else ()
    if ts and ts[0]._data.ndim == 1:
        return cat(list(ts), 0, out=out)
    return cat(list(ts), 1, out=out)


def vstack(tensors, *, out=None) -> Tensor:
    """Concatenate row-wise, after making each input at least 2-D."""
    tensors = _tensor_list(tensors, "vstack")
    if not tensors:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return cat(list(_atleast(2, (tensors,))) if tensors else [], 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None) -> Tensor:
    """Concatenate depth-wise (dim 2), after making each input at least 3-D."""
    tensors = _tensor_list(tensors, "dstack")
    if not tensors:
        raise RuntimeError("dstack expects a non-empty TensorList")
    return cat(list(_atleast(3, (tensors,))) if tensors else [], 2, out=out)


def column_stack(tensors, *, out=None) -> Tensor:
    """Stack 0-/1-D inputs as columns (and 2-D inputs as they are) side by side."""
    from .shape import reshape

    tensors = _tensor_list(tensors, "column_stack")
    if not tensors:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    cols = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors]
    return hstack(cols, out=out)


def _dims_arg(dims, what="flip"):
    if isinstance(dims, (int, np.integer)):
        raise TypeError(
            f"{what}(): argument 'dims' (position 2) must be tuple of ints, not int"
        )
    return tuple(int(d) for d in dims)


def flip(input: Tensor, dims) -> Tensor:
    """Reverse the order of elements along ``dims`` (a copy).

    >>> ember.flip(ember.tensor([1, 2, 3]), [0])
    tensor([3, 2, 1])
    """
    dims = _dims_arg(dims)
    nd = input._data.ndim
    wrapped = tuple(_wrap_dim(d, nd) for d in dims)
    seen = set()
    for d in wrapped:
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    return Flip.apply(input, wrapped)


def _flip_method(self, *dims):
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = dims[0]
    return flip(self, tuple(dims))


def fliplr(input: Tensor) -> Tensor:
    """Flip left/right (dim 1); the input must be at least 2-D."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


def flipud(input: Tensor) -> Tensor:
    """Flip up/down (dim 0); the input must be at least 1-D."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Shift elements cyclically along ``dims``; with no dims, on the flattened tensor.

    >>> ember.roll(ember.tensor([1, 2, 3]), 1)
    tensor([3, 1, 2])
    """
    shifts = (int(shifts),) if isinstance(shifts, (int, np.integer)) else tuple(
        int(s) for s in shifts)
    if dims is None or (isinstance(dims, (tuple, list)) and len(dims) == 0):
        if len(shifts) != 1:
            raise RuntimeError(
                f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0"
            )
        return Roll.apply(input, shifts, None)
    dims = (int(dims),) if isinstance(dims, (int, np.integer)) else tuple(int(d) for d in dims)
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    nd = input._data.ndim
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    return Roll.apply(input, shifts, dims)


def _repeat(self, *sizes) -> Tensor:
    """Tile this tensor ``sizes[i]`` times along each dim (leading new dims allowed)."""
    if len(sizes) == 1 and isinstance(sizes[0], (list, tuple, Size)):
        sizes = sizes[0]
    sizes = tuple(int(s) for s in sizes)
    nd = self._data.ndim
    if len(sizes) < nd:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    padded = (1,) * (len(sizes) - nd) + self._data.shape
    target = [r * s for r, s in zip(sizes, padded)]
    for r in sizes:
        if r < 0:
            bad = next(t for t in target if t < 0)
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {bad}: {target}"
            )
    return Repeat.apply(self, sizes)


def tile(input: Tensor, dims) -> Tensor:
    """Repeat ``input`` along each dim; ``dims`` shorter than ``input.ndim`` is padded with
    leading ones."""
    dims = tuple(int(d) for d in dims)
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return _repeat(input, dims)


def repeat_interleave(input: Tensor, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Repeat each element (or slice along ``dim``) ``repeats`` times, consecutively.

    >>> ember.repeat_interleave(ember.tensor([1, 2]), 2)
    tensor([1, 1, 2, 2])
    """
    from .indexing import index_select
    from .shape import clone, expand, flatten, reshape, unsqueeze

    if repeats is None:
        # repeat_interleave(repeats): indices 0..n-1, each repeated repeats[i] times
        r = input._data
        if r.dtype.kind not in "iu":
            raise NotImplementedError(
                f"\"repeat_interleave_cpu\" not implemented for '{_TNAME[r.dtype.name]}'"
            )
        if r.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if r.size and (r < 0).any():
            raise RuntimeError("repeats can not be negative")
        res = np.repeat(np.arange(r.size, dtype=r.dtype), r.reshape(-1))
        return Tensor._make(res.astype(r.dtype))
    if dim is None:
        input = flatten(input)
        d = 0
    else:
        d = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        input = reshape(input, (1,))
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.dtype.kind not in "iu":
            raise NotImplementedError(
                f"\"repeat_interleave_cpu\" not implemented for '{_TNAME[r.dtype.name]}'"
            )
        if r.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        n = input._data.shape[d]
        r = r.reshape(-1)
        if r.size == 1:
            r = np.broadcast_to(r, (n,))
        if r.size != n:
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {r.size} and input.size({d}) = {n}"
            )
        if r.size and (r < 0).any():
            raise RuntimeError("repeats can not be negative")
        idx = np.repeat(np.arange(n, dtype=np.int64), r)
        if output_size is not None and output_size != idx.size:
            raise RuntimeError("allocated size does not match required size")
        return index_select(input, d, Tensor._make(idx))
    repeats = int(repeats)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    shape = input._data.shape
    big = shape[: d + 1] + (repeats,) + shape[d + 1:]
    x = expand(unsqueeze(input, d + 1), big)
    return reshape(clone(x), shape[:d] + (shape[d] * repeats,) + shape[d + 1:])


_TNAME = {
    "float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
    "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
}


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first towards the
    second)."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    if dims[0] == dims[1] or abs(dims[0] - dims[1]) == nd:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = "
            f"{dims[1]}"
        )
    d0, d1 = _wrap_dim(dims[0], nd), _wrap_dim(dims[1], nd)
    return Rot90.apply(input, int(k) % 4, (d0, d1))


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 0-/1-D tensors: output ``i`` varies along dim ``i`` (``'ij'``),
    or with the first two dims swapped (``'xy'``)."""
    from .shape import expand, reshape

    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            'torch.meshgrid: indexing must be one of "xy" or "ij", but received: ' + str(indexing)
        )
    if not tensors:
        return ()
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                f"tensor of shape {list(t._data.shape)}"
            )
    dt = tensors[0]._data.dtype
    if any(t._data.dtype != dt for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    n = len(tensors)
    sizes = [t._data.size for t in tensors]
    pos = list(range(n))
    if indexing == "xy" and n >= 2:
        pos[0], pos[1] = 1, 0
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for t, p in zip(tensors, pos):
        vs = [1] * n
        vs[p] = -1
        out.append(expand(reshape(t, tuple(vs)), tuple(sizes)))
    return tuple(out)


def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of the given shapes broadcast to.

    >>> ember.broadcast_shapes((2,), (3, 1))
    torch.Size([3, 2])
    """
    shapes = [(int(s),) if isinstance(s, (int, np.integer)) else s for s in shapes]
    n = builtins.max((len(s) for s in shapes), default=0)
    common = [1] * n
    for arg, shape in enumerate(shapes):
        for i in range(-1, -1 - len(shape), -1):
            v = shape[i]
            if v < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            if common[i] == 1:
                common[i] = v
            elif v != 1 and common[i] != v:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {v} at {i}! Mismatching "
                    f"argument at index {arg} had {shape}; but expected shape should be "
                    f"broadcastable to {common}"
                )
    return Size(common)


def broadcast_tensors(*tensors):
    """Expand the tensors to their common broadcast shape (views)."""
    from .shape import expand

    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = ()
    for t in tensors:
        a, b = list(shape), list(t._data.shape)
        n = builtins.max(len(a), len(b))
        a = [1] * (n - len(a)) + a
        b = [1] * (n - len(b)) + b
        res = []
        for i in range(n):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(
                    f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                    f"non-singleton dimension {i}"
                )
            res.append(b[i] if a[i] == 1 else a[i])
        shape = tuple(res)
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


def cartesian_prod(*tensors) -> Tensor:
    """The cartesian product of 1-D tensors, one combination per row."""
    from .shape import flatten

    if len(tensors) == 1:
        if tensors[0]._data.ndim != 1:
            raise RuntimeError("Expect a 1D vector, but got shape " + str(list(
                tensors[0]._data.shape)))
        return tensors[0]
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError("Expect a 1D vector, but got shape " + str(list(t._data.shape)))
    grids = meshgrid(*tensors, indexing="ij")
    return stack([flatten(g) for g in grids], 1)


def block_diag(*tensors) -> Tensor:
    """A block-diagonal matrix from 0-, 1- or 2-D tensors (promoted to a common dtype)."""
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                f"{i} has {t._data.ndim} dimensions"
            )
    if not tensors:
        return Tensor._make(np.zeros((1, 0), np.float32))
    return BlockDiag.apply(*tensors)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``ember.nn.functional.one_hot``: int64 tensor with a trailing dim of ``num_classes``,
    1 at each value's position.

    >>> one_hot(ember.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    a = tensor._data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if a.size == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return Tensor._make(np.zeros(a.shape + (num_classes,), np.int64))
    if a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(a.max()) + 1
    elif int(a.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(a.size * num_classes, np.int64)
    out[np.arange(a.size) * num_classes + a.reshape(-1)] = 1
    return Tensor._make(out.reshape(a.shape + (num_classes,)))


# ---------------------------------------------------------------- NumPy dispatch adapters
def _np_concatenate(arrays, axis=0, out=None, **kw):
    return cat(list(arrays), axis)


def _np_stack(arrays, axis=0, out=None, **kw):
    return stack(list(arrays), axis)


def _np_flip(m, axis=None):
    if axis is None:
        axis = tuple(range(m._data.ndim))
    elif isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    return flip(m, axis)


def _np_roll(a, shift, axis=None):
    return roll(a, shift, axis)


def _np_tile(a, reps):
    reps = (int(reps),) if isinstance(reps, (int, np.integer)) else tuple(reps)
    return tile(a, reps)


def _np_repeat(a, repeats, axis=None):
    return repeat_interleave(a, repeats, axis)


def _np_rot90(m, k=1, axes=(0, 1)):
    return rot90(m, k, axes)


register(
    flip=_flip_method,
    fliplr=fliplr,
    flipud=flipud,
    roll=roll,
    repeat=_repeat,
    tile=tile,
    repeat_interleave=repeat_interleave,
    rot90=rot90,
    dispatch=(
        (np.concatenate, _np_concatenate),
        (np.stack, _np_stack),
        (np.flip, _np_flip),
        (np.roll, _np_roll),
        (np.tile, _np_tile),
        (np.repeat, _np_repeat),
        (np.rot90, _np_rot90),
    ),
)
