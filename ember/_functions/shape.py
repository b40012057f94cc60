"""Views and shape ops: view, reshape, permute, transpose, expand, squeeze, unsqueeze, slicing...

A view's ``_data`` is a NumPy view of its base's memory with PyTorch's strides (NumPy's strides
differ for inserted size-1 dimensions, so those views are built with ``as_strided``). Views share
the base's version counter. In-place ops on views give the base a ``CopySlices`` history, as in
PyTorch (``inplace_on_view``).
"""

from __future__ import annotations

__all__ = [
    "reshape",
    "permute",
    "transpose",
    "swapaxes",
    "swapdims",
    "t",
    "squeeze",
    "unsqueeze",
    "flatten",
    "unflatten",
    "narrow",
    "select",
    "unbind",
    "split",
    "chunk",
    "tensor_split",
    "movedim",
    "moveaxis",
    "clone",
    "as_strided",
    "broadcast_to",
]

import builtins

import numpy as np
from numpy.lib.stride_tricks import as_strided as _np_strided

from .._tensor import Tensor, _check_inplace_result, _keep_original, _rebase, _wrap_dim
from ..autograd.function import Function
from ..autograd.grad_mode import _state
from ._util import register


def _strides(a: np.ndarray) -> tuple:
    it = a.itemsize
    return tuple(s // it for s in a.strides)


def _restride(a: np.ndarray, shape, strides) -> np.ndarray:
    """A view of ``a``'s memory (starting at ``a``'s first element) with element strides."""
    it = a.itemsize
    return _np_strided(
        a, shape=tuple(shape), strides=tuple(s * it for s in strides), writeable=a.flags.writeable
    )


def _contiguous_strides(shape) -> list:
    st = []
    acc = 1
    for s in reversed(shape):
        st.append(acc)
        acc *= builtins.max(s, 1)
    return st[::-1]


def compute_stride(oldshape, oldstride, newshape):
    """PyTorch's ``computeStride``: strides for viewing ``oldshape`` as ``newshape`` without a
    copy, or None when the memory layout does not allow it."""
    numel = 1
    for s in oldshape:
        numel *= s
    if numel == 0:
        if tuple(oldshape) == tuple(newshape):
            return list(oldstride)
        return _contiguous_strides(newshape)
    if len(oldshape) == 0:
        return [1] * len(newshape)
    newstride = [0] * len(newshape)
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        if tensor_d == 0 or (
            oldshape[tensor_d - 1] != 1
            and oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride
        ):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                newstride[view_d] = view_numel * chunk_base_stride
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = oldstride[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return newstride


def infer_size(shape, numel: int) -> tuple:
    """Resolve one ``-1`` in ``shape`` and check the element count, with PyTorch's messages."""
    shape = list(shape)
    infer = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {shape}")
        else:
            known *= s
    if infer is not None:
        if known == 0 and numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {shape} because the unspecified "
                f"dimension size -1 can be any value and is ambiguous"
            )
        if known == 0 or numel % known != 0:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[infer] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    return tuple(shape)


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _view_array(a: np.ndarray, shape):
    """``a`` viewed as ``shape`` with PyTorch's strides, or None if a copy would be needed."""
    if a.flags.c_contiguous:
        return a.reshape(shape)
    st = compute_stride(a.shape, _strides(a), shape)
    if st is None:
        return None
    return _restride(a, shape, st)


# ---------------------------------------------------------------- view Functions
class View(Function):
    _arrays = True
    _n_edges = 1
    _view = True
    name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        out = _view_array(x, shape)
        if out is None:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            )
        ctx.in_shape = x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


class UnsafeView(Function):
    """reshape that had to copy: the result is not a view."""

    _arrays = True
    _n_edges = 1
    name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return np.ascontiguousarray(x).reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


class Alias(Function):
    _arrays = True
    _view = True
    name = "AliasBackward0"

    @staticmethod
    def forward(ctx, x):
        return x.view()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Permute(Function):
    _arrays = True
    _n_edges = 1
    _view = True
    name = "PermuteBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.inv = tuple(np.argsort(dims)) if dims else ()
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return np.transpose(grad, ctx.inv), None


class Transpose(Function):
    _arrays = True
    _n_edges = 1
    _view = True
    name = "TransposeBackward0"

    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.dims = (d0, d1)
        return np.swapaxes(x, d0, d1) if x.ndim else x.view()

    @staticmethod
    def backward(ctx, grad):
        if grad.ndim == 0:
            return grad, None, None
        return np.swapaxes(grad, *ctx.dims), None, None


class T(Transpose):
    name = "TBackward0"


class Expand(Function):
    """Broadcast to a bigger shape (stride 0); the engine sums the gradient back."""

    _arrays = True
    _n_edges = 1
    _view = True
    name = "ExpandBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        nd = len(shape) - x.ndim
        st = _strides(x)
        new_st = []
        for i, s in enumerate(shape):
            j = i - nd
            if j < 0:
                new_st.append(0)
            elif x.shape[j] == 1 and s != 1:
                new_st.append(0)
            else:
                new_st.append(st[j])
        out = _np_strided(x, shape=shape, strides=[s * x.itemsize for s in new_st], writeable=False)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class Squeeze(Function):
    _arrays = True
    _n_edges = 1
    _view = True
    name = "SqueezeBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.in_shape = x.shape
        if dims is None:
            keep = [i for i, s in enumerate(x.shape) if s != 1]
        else:
            keep = [i for i, s in enumerate(x.shape) if not (s == 1 and i in dims)]
        st = _strides(x)
        return _restride(x, [x.shape[i] for i in keep], [st[i] for i in keep])

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


class Squeeze1(Squeeze):
    name = "SqueezeBackward1"


class Squeeze2(Squeeze):
    name = "SqueezeBackward2"


class Unsqueeze(Function):
    _arrays = True
    _n_edges = 1
    _view = True
    name = "UnsqueezeBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.in_shape = x.shape
        shape = list(x.shape)
        st = _strides(x)
        new = st[dim] * shape[dim] if dim < x.ndim else 1
        shape.insert(dim, 1)
        st = list(st)
        st.insert(dim, new)
        return _restride(x, shape, st)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


def _embed(grad, shape, key):
    """Zeros of ``shape`` with ``grad`` written at ``key``: the backward of basic indexing."""
    if isinstance(grad, Tensor):
        return Embed.apply(grad, shape, key)
    out = np.zeros(shape, grad.dtype)
    out[key] = grad
    return out


class Embed(Function):
    """Backward of a basic-indexing view, differentiable itself (for double backward)."""

    _arrays = True
    _n_edges = 1
    name = "SliceBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, key):
        ctx.key = key
        out = np.zeros(shape, grad.dtype)
        out[key] = grad
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.key], None, None


class Index(Function):
    """Basic indexing (ints, slices, None, Ellipsis): a view."""

    _arrays = True
    _n_edges = 1
    _view = True
    name = "SliceBackward0"

    @staticmethod
    def forward(ctx, x, key, none_dims):
        ctx.in_shape = x.shape
        ctx.np_key = key
        out = x[key + (Ellipsis,)]  # the Ellipsis keeps an all-int key a 0-d view, not a copy
        if none_dims:
            # NumPy gives inserted dims stride 0; PyTorch applies the indices left to right and
            # gives each None unsqueeze's stride: size * stride of the next input dim (or 1)
            in_st = _strides(x)
            none_st = []
            dim = 0
            for k in key:
                if k is None:
                    none_st.append(x.shape[dim] * in_st[dim] if dim < x.ndim else 1)
                else:
                    dim += 1
            st = list(_strides(out))
            for d, v in zip(none_dims, none_st):
                st[d] = v
            out = _restride(out, out.shape, st)
        return out

    @staticmethod
    def backward(ctx, grad):
        return _embed(grad, ctx.in_shape, ctx.np_key), None, None


class Select(Index):
    name = "SelectBackward0"


class IndexUnsqueeze(Index):
    name = "UnsqueezeBackward0"


class Unbind(Function):
    _arrays = True
    _n_edges = 1
    _view = True
    name = "UnbindBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        ctx.in_shape = x.shape
        return tuple(np.moveaxis(x, dim, 0))

    @staticmethod
    def backward(ctx, *grads):
        if isinstance(grads[0], Tensor):
            from .joining import stack

            return stack(list(grads), ctx.dim), None
        return np.stack(grads, ctx.dim), None


class Split(Function):
    _arrays = True
    _n_edges = 1
    _view = True
    name = "SplitBackward0"

    @staticmethod
    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        outs = []
        start = 0
        for s in sizes:
            idx = (slice(None),) * dim + (slice(start, start + s),)
            outs.append(x[idx])
            start += s
        return tuple(outs)

    @staticmethod
    def backward(ctx, *grads):
        if isinstance(grads[0], Tensor):
            from .joining import cat

            return cat(list(grads), ctx.dim), None, None
        return np.concatenate(grads, ctx.dim), None, None


class SplitWithSizes(Split):
    name = "SplitWithSizesBackward0"


def _root(a):
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


class Clone(Function):
    _arrays = True
    name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        # PyTorch's preserve_format: keep the input's dimension order (dense strides), except
        # for broadcast (stride-0) inputs, which become C-contiguous
        order = "C" if 0 in x.strides and x.size > 1 else "K"
        return np.array(x, copy=True, order=order)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Contiguous(Clone):
    """``contiguous()`` of a non-contiguous tensor: a C-ordered copy."""

    name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.ascontiguousarray(x)


# ---------------------------------------------------------------- functional API
def view(self, *shape):
    """A view with a new shape (no copy); ``-1`` infers one size. Also ``view(dtype)`` is not
    supported."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, np.integer)):
        if hasattr(shape[0], "np"):
            raise RuntimeError("Ember does not support view(dtype); use .to(dtype) for a copy")
    shape = infer_size(_shape_arg(shape), self._data.size)
    return View.apply(self, shape)


def view_as(self, other):
    return view(self, other._data.shape)


def reshape(input, *shape):
    """Same data in a new shape: a view when the strides allow it, else a copy."""
    shape = infer_size(_shape_arg(shape), input._data.size)
    if shape == input._data.shape and False:
        return input
    if _view_array(input._data, shape) is not None:
        return View.apply(input, shape)
    return UnsafeView.apply(input, shape)


def reshape_as(self, other):
    return reshape(self, other._data.shape)


def permute(input, *dims):
    """Reorder dimensions (a view)."""
    dims = _shape_arg(dims) if dims else ()
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    dims = tuple(_wrap_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    """Swap two dimensions (a view)."""
    n = input._data.ndim
    d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    return Transpose.apply(input, d0, d1)


swapaxes = swapdims = transpose


def t(input):
    """Transpose a tensor of at most 2 dims."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    if n < 2:
        return T.apply(input, 0, 0) if n == 1 else T.apply(input, 0, 0)
    return T.apply(input, 0, 1)


def _T(self):
    n = self._data.ndim
    if n == 2:
        return permute(self, 1, 0)
    if n > 2:
        import warnings

        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.",
            UserWarning,
            stacklevel=2,
        )
    return permute(self, tuple(range(n - 1, -1, -1)))


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. "
            f"Got {self._data.ndim}-D tensor."
        )
    return transpose(self, -2, -1)


def expand(self, *sizes):
    """Broadcast size-1 (or new leading) dims to ``sizes`` without copying; -1 keeps a size."""
    sizes = _shape_arg(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the number of "
            "sizes provided (" + str(len(sizes)) + ") must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})"
        )
    nd = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        j = i - nd
        if j < 0:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    "non-existing dimension " + str(i)
                )
            out.append(s)
        elif s == -1:
            out.append(shape[j])
        elif shape[j] == s or shape[j] == 1:
            out.append(s)
        else:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({shape[j]}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shape)}"
            )
    return Expand.apply(self, tuple(out))


def expand_as(self, other):
    return expand(self, other._data.shape)


def broadcast_to(input, *size):
    """``input`` expanded (a view) to ``size``, with broadcasting's rules."""
    return expand(input, _shape_arg(size))


def squeeze(input, dim=None):
    """Remove size-1 dims (all, one, or a tuple of them)."""
    n = input._data.ndim
    if dim is None:
        return Squeeze.apply(input, None)
    if isinstance(dim, (tuple, list)):
        dims = tuple(_wrap_dim(d, n) for d in dim)
        return Squeeze2.apply(input, dims)
    return Squeeze1.apply(input, (_wrap_dim(dim, n),))


def unsqueeze(input, dim):
    """Insert a size-1 dim at ``dim`` (a view)."""
    return Unsqueeze.apply(input, _wrap_dim(dim, input._data.ndim + 1))


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one (a view when possible)."""
    shape = input._data.shape
    n = len(shape)
    if n == 0:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, n), _wrap_dim(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    m = 1
    for d in shape[s : e + 1]:
        m *= d
    return reshape(input, shape[:s] + (m,) + shape[e + 1 :])


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one may be -1)."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    if len(sizes) == 0:
        raise RuntimeError("unflatten: sizes must be non-empty")
    prod = 1
    for s in sizes:
        if s != -1:
            prod *= s
    if (prod != shape[d]) if -1 not in sizes else (prod == 0 or shape[d] % prod != 0):
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({shape[d]}) in the input tensor"
        )
    new = infer_size(shape[:d] + sizes + shape[d + 1 :], input._data.size)
    return (
        View.apply(input, new)
        if _view_array(input._data, new) is not None
        else UnsafeView.apply(input, new)
    )


def narrow(input, dim, start, length):
    """The slice ``start:start+length`` along ``dim`` (a view)."""
    n = input._data.ndim
    if n == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, n)
    size = input._data.shape[d]
    start = int(start)
    if start < -size or start > size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    key = (slice(None),) * d + (slice(start, start + length),)
    return Index.apply(input, key, ())


def select(input, dim, index):
    """The sub-tensor at ``index`` along ``dim`` (one dim fewer; a view)."""
    n = input._data.ndim
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, n)
    size = input._data.shape[d]
    index = int(index)
    if index < -size or index >= size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input._data.shape)} "
            f"at dimension {d}"
        )
    key = (slice(None),) * d + (index,)
    return Select.apply(input, key, ())


def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple of views."""
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] == 0:
        return ()
    return Unbind.apply(input, d)


def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of ``split_size`` (last may be smaller) or of the given sizes."""
    d = _wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        s = int(split_size_or_sections)
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
        if s == 0:
            if size != 0:
                raise RuntimeError(
                    f"split_size can only be 0 if dimension size is 0, but got dimension size of "
                    f"{size}"
                )
            sizes = [0]
        else:
            n = builtins.max((size + s - 1) // s, 1)
            sizes = [s] * (n - 1) + [size - s * (n - 1)]
        out = Split.apply(tensor, tuple(sizes), d)
    else:
        sizes = tuple(int(s) for s in split_size_or_sections)
        if builtins.sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {d}), but got split_sizes={list(sizes)}"
            )
        out = SplitWithSizes.apply(tensor, sizes, d)
    return out if isinstance(out, tuple) else (out,)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` nearly equal pieces (fewer if the size does not allow it)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    s = (size + chunks - 1) // chunks
    if s == 0:
        s = 1 if size else 0
    if size == 0:  # PyTorch returns `chunks` empty pieces
        return split(input, [0] * chunks, d)
    return split(input, s, d)


def tensor_split(input, indices_or_sections, dim=0):
    """Split at indices, or into ``n`` parts whose sizes differ by at most one (views)."""
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, (int, np.integer)):
        n = int(indices_or_sections)
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        q, r = divmod(size, n)
        bounds = []
        acc = 0
        for i in range(n):
            acc += q + (1 if i < r else 0)
            bounds.append(acc)
        bounds = bounds[:-1]
    else:
        bounds = [int(i) for i in indices_or_sections]
    out = []
    prev = 0
    for b in bounds + [size]:
        # consecutive Python-style slices [prev:b] (negative and out-of-range bounds allowed)
        key = (slice(None),) * d + (slice(prev, b),)
        out.append(Index.apply(input, key, ()))
        prev = b
    return tuple(out)


def movedim(input, source, destination):
    """Move dims from ``source`` to ``destination`` positions (a permute view)."""
    n = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
            f"same number of dims as destination ({dst} dims)"
        )
    src = [_wrap_dim(s, n) for s in src]
    dst = [_wrap_dim(s, n) for s in dst]
    order = [i for i in range(n) if i not in src]
    perm = [None] * n
    for s, dd in zip(src, dst):
        perm[dd] = s
    it = iter(order)
    perm = [p if p is not None else next(it) for p in perm]
    return Permute.apply(input, tuple(perm))


moveaxis = movedim


def contiguous(self, memory_format=None):
    """Self if contiguous, else a contiguous copy."""
    if self._data.flags.c_contiguous:
        return self
    return Contiguous.apply(self)


def clone(input, *, memory_format=None):
    """A copy with its own storage (differentiable)."""
    return Clone.apply(input)


def as_strided(input, size, stride, storage_offset=None):
    """A view with explicit sizes and strides over ``input``'s storage (no backward yet)."""
    size, stride = tuple(size), tuple(stride)
    base = input._data
    it = base.itemsize
    root = _root(base)
    if storage_offset is None:
        start = base
    else:
        ptr = root.__array_interface__["data"][0] + storage_offset * it
        start = np.ndarray(
            (1,), base.dtype, buffer=root, offset=ptr - root.__array_interface__["data"][0]
        )
    out = _np_strided(
        start, shape=size, strides=[s * it for s in stride], writeable=base.flags.writeable
    )
    if input._requires_grad and _state[0]:
        raise RuntimeError(
            "Ember does not support autograd through as_strided yet; detach() the input first"
        )
    return Tensor._make(out, False, input._base if input._base is not None else input)


# ---------------------------------------------------------------- indexing entry point
def _is_basic(key) -> bool:
    if not isinstance(key, tuple):
        key = (key,)
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, slice):
            continue
        if isinstance(k, (bool, np.bool_)):
            return False
        if isinstance(k, (int, np.integer)):
            continue
        if isinstance(k, Tensor) and k._data.ndim == 0 and k._data.dtype.kind in "iu":
            continue
        return False
    return True


def _normalize_basic(x: Tensor, key):
    """A NumPy key for basic indexing, the dims where None inserts a dim, and whether it is a
    plain select; raises PyTorch's IndexError for out-of-range ints."""
    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(k.item() if isinstance(k, Tensor) else k for k in key)
    n_real = builtins.sum(1 for k in key if k is not None and k is not Ellipsis)
    shape = x._data.shape
    if n_real > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    if builtins.sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    # expand the ellipsis so positions are known
    out = []
    for k in key:
        if k is Ellipsis:
            out.extend([slice(None)] * (len(shape) - n_real))
        else:
            out.append(k)
    dim = 0
    res_dim = 0
    none_dims = []
    np_key = []
    for k in out:
        if k is None:
            none_dims.append(res_dim)
            res_dim += 1
            np_key.append(None)
            continue
        size = shape[dim]
        if isinstance(k, slice):
            if k.step is not None and k.step <= 0:
                raise ValueError("step must be greater than zero")
            np_key.append(k)
            res_dim += 1
        else:
            k = int(k)
            if k < -size or k >= size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {size}")
            np_key.append(k)
        dim += 1
    return tuple(np_key), tuple(none_dims)


def getitem(self, key):
    """``t[key]``: basic indexing gives a view; tensors, lists and masks gather (a copy)."""
    if _is_basic(key):
        if key is Ellipsis or key == ():
            return Alias.apply(self)
        np_key, none_dims = _normalize_basic(self, key)
        # PyTorch applies the indices left to right; the result's grad_fn is the last one that
        # did something (a select, an unsqueeze, a slice that is not the whole dim), else Alias
        last = Alias
        shape = self._data.shape
        dim = 0
        for k in np_key:
            if k is None:
                last = IndexUnsqueeze
                continue
            if isinstance(k, slice):
                if k.indices(shape[dim]) != (0, shape[dim], 1):
                    last = Index
            else:
                last = Select
            dim += 1
        if last is Alias:  # only full slices and Ellipsis: the same view of the same shape
            return Alias.apply(self)
        return last.apply(self, np_key, none_dims)
    from .indexing import advanced_getitem

    return advanced_getitem(self, key)


# ---------------------------------------------------------------- in-place on views
class CopySlices(Function):
    """The base's new history after an in-place op wrote into one of its views."""

    _arrays = True
    _n_edges = 2
    name = "CopySlices"

    @staticmethod
    def forward(ctx, base, value, positions):
        ctx.positions = positions
        ctx.shape = value.shape
        return base  # the values were already written into base's memory

    @staticmethod
    def backward(ctx, grad):
        pos = ctx.positions
        if isinstance(grad, Tensor):
            flat = grad.reshape(-1)
            mask = np.ones(flat._data.shape, flat._data.dtype)
            mask[pos.ravel()] = 0
            g_base = (flat * mask).reshape(grad._data.shape)
            g_val = flat[Tensor._make(pos.ravel(), False)].reshape(ctx.shape)
            return g_base, g_val, None
        flat = np.ascontiguousarray(grad).reshape(-1)
        g_val = flat[pos.ravel()].reshape(ctx.shape)
        g_base = flat.copy()
        g_base[pos.ravel()] = 0
        return g_base.reshape(grad.shape), g_val, None


class ViewOfBase(Function):
    """The history of a view after its base was rebased: a gather from the base."""

    _arrays = True
    _n_edges = 1
    _view = True
    name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, base, view_arr, positions):
        ctx.positions = positions
        ctx.base_shape = base.shape
        return view_arr

    @staticmethod
    def backward(ctx, grad):
        pos = ctx.positions.ravel()
        if isinstance(grad, Tensor):
            from .indexing import index_put_embed

            return index_put_embed(grad.reshape(-1), pos, ctx.base_shape), None, None
        out = np.zeros(int(np.prod(ctx.base_shape)), grad.dtype)
        np.add.at(out, pos, np.ascontiguousarray(grad).reshape(-1))
        return out.reshape(ctx.base_shape), None, None


def view_positions(base: np.ndarray, view: np.ndarray) -> np.ndarray:
    """For each element of ``view``, its position in ``base``'s C-order flattening."""
    it = base.itemsize
    b0 = base.__array_interface__["data"][0]
    v0 = view.__array_interface__["data"][0]
    boff = np.zeros(base.shape, np.int64)
    for d, (n, s) in enumerate(zip(base.shape, base.strides)):
        shp = [1] * base.ndim
        shp[d] = n
        boff = boff + (np.arange(n, dtype=np.int64) * (s // it)).reshape(shp)
    voff = np.full(view.shape, (v0 - b0) // it, np.int64)
    for d, (n, s) in enumerate(zip(view.shape, view.strides)):
        shp = [1] * view.ndim
        shp[d] = n
        voff = voff + (np.arange(n, dtype=np.int64) * (s // it)).reshape(shp)
    lo = builtins.min(int(boff.min()) if boff.size else 0, 0)
    span = int(boff.max()) - lo + 1 if boff.size else 1
    lookup = np.full(span, -1, np.int64)
    lookup[boff.ravel() - lo] = np.arange(base.size, dtype=np.int64)
    pos = lookup[voff - lo]
    return pos


def inplace_on_view(view: Tensor, fn_cls, args) -> Tensor:
    """An in-place op on a view, recorded for autograd: the base gets a CopySlices node."""
    base = view._base
    if base._requires_grad and base._grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )
    out = fn_cls.apply(view, *args)
    _check_inplace_result(out, view)
    _keep_original(out._grad_fn, view)
    np.copyto(view._data, out._data, casting="unsafe")
    view._vc[0] += 1
    if not out._requires_grad and not base._requires_grad:
        return view
    positions = view_positions(base._data, view._data)
    new_base = CopySlices.apply(base, out, positions)
    _rebase(base, new_base)
    new_view = ViewOfBase.apply(base, view._data, positions)
    view._requires_grad = True
    view._grad_fn = new_view._grad_fn
    view._output_nr = 0
    return view


register(
    view=view,
    view_as=view_as,
    reshape=reshape,
    reshape_as=reshape_as,
    permute=permute,
    transpose=transpose,
    swapaxes=transpose,
    swapdims=transpose,
    t=t,
    T=property(_T),
    mT=property(_mT),
    mH=property(_mT),
    H=property(_T),
    expand=expand,
    expand_as=expand_as,
    broadcast_to=broadcast_to,
    squeeze=squeeze,
    unsqueeze=unsqueeze,
    flatten=flatten,
    unflatten=unflatten,
    narrow=narrow,
    select=select,
    unbind=unbind,
    split=split,
    chunk=chunk,
    tensor_split=tensor_split,
    movedim=movedim,
    moveaxis=movedim,
    contiguous=contiguous,
    clone=clone,
    as_strided=as_strided,
    __getitem__=getitem,
    dispatch=(
        (np.transpose, lambda a, axes=None: permute(a, axes) if axes is not None else _T(a)),
        (np.swapaxes, transpose),
        (np.reshape, lambda a, shape: reshape(a, shape)),
        (np.broadcast_to, lambda a, shape: expand(a, shape)),
        (np.expand_dims, lambda a, axis: unsqueeze(a, axis)),
        (np.squeeze, lambda a, axis=None: squeeze(a, axis)),
        (np.moveaxis, movedim),
    ),
)
