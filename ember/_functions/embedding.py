"""Embeddings: ``torch.embedding`` (a row lookup), ``torch.embedding_renorm_`` and the kernel of
``nn.functional.embedding_bag`` (sums, means or maxima of bags of rows).

Gradients follow ATen's ``embedding_dense_backward``: rows accumulated in input order, the
``padding_idx`` row left at zero, optionally each scaled by ``1 / count`` of its index
(``scale_grad_by_freq``). As in PyTorch, the weight gradient is not itself differentiable.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function

__all__ = ["embedding", "embedding_renorm_"]

_INDEX_TYPES = (np.dtype(np.int64), np.dtype(np.int32))
_TYPE = {"float16": "HalfTensor", "float32": "FloatTensor", "float64": "DoubleTensor",
         "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
         "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _check_indices(indices, what: str) -> None:
    if indices._data.dtype not in _INDEX_TYPES:
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got torch.{_TYPE[indices._data.dtype.name]} instead (while "
            f"checking arguments for {what})")


def _plain(arr, like):
    """A gradient array, as a graph-less Tensor when the backward runs on Tensors."""
    return Tensor._make(arr) if isinstance(like, Tensor) else arr


def _data(x):
    return x._data if isinstance(x, Tensor) else x


def _scatter_rows(num, grad2, idx, padding_idx, scale_grad_by_freq):
    """``embedding_dense_backward``: sum the rows of ``grad2`` into a (num, D) zero array."""
    gw = np.zeros((num, grad2.shape[1]), grad2.dtype)
    keep = idx != padding_idx if padding_idx >= 0 else None
    rows = grad2
    if scale_grad_by_freq:
        counts = np.bincount(idx, minlength=num)
        scale = (1.0 / counts[idx]).astype(grad2.dtype)
        rows = grad2 * scale[:, None]
    if keep is not None:
        idx, rows = idx[keep], rows[keep]
    np.add.at(gw, idx, rows)
    return gw


class Embedding(Function):
    """``weight[indices]``; the gradient scatters rows back into a zero weight gradient."""

    _arrays = True
    _n_edges = 1
    name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        n = weight.shape[0]
        if indices.size and (indices.min() < 0 or indices.max() >= n):
            raise IndexError("index out of range in self")
        if ctx.needs_input_grad[0]:
            ctx.idx = indices.reshape(-1).astype(np.int64, copy=False)
            ctx.num = n
            ctx.padding_idx = padding_idx
            ctx.scale = scale_grad_by_freq
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        g = _data(grad)
        g2 = g.reshape(-1, g.shape[-1])
        gw = _scatter_rows(ctx.num, g2, ctx.idx, ctx.padding_idx, ctx.scale)
        return _plain(gw, grad), None, None, None


def embedding(weight, input, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """``torch.embedding``: the rows of ``weight`` (num_embeddings, dim) at ``input``'s indices.

    >>> ember.embedding(ember.eye(3), ember.tensor([2, 0]))
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(input, "embedding")
    if sparse:
        raise NotImplementedError(
            "Ember has no sparse tensors: embedding(sparse=True) is not supported; use "
            "sparse=False (the gradient of the weight is then dense)")
    return Embedding.apply(weight, input, int(padding_idx), bool(scale_grad_by_freq))


def embedding_renorm_(input, indices, max_norm: float, norm_type: float) -> Tensor:
    """``torch.embedding_renorm_``: rescale in place each row of ``input`` named in ``indices``
    whose ``norm_type``-norm exceeds ``max_norm`` to norm ``max_norm`` (PyTorch's
    ``max_norm / (norm + 1e-7)`` factor). Returns ``input``."""
    if input.dim() != 2:
        raise RuntimeError("embedding_renorm_(): 'self' must be 2-D")
    _check_indices(indices, "embedding_renorm_")
    w = input._data
    rows = np.unique(indices._data.reshape(-1))
    if rows.size and (rows[0] < 0 or rows[-1] >= w.shape[0]):
        raise IndexError("index out of range in self")
    if rows.size:
        sub = w[rows]
        p = float(norm_type)
        a = np.abs(sub.astype(np.float64))
        if p == np.inf:
            norms = a.max(axis=1)
        elif p == -np.inf:
            norms = a.min(axis=1)
        elif p == 0:
            norms = (a != 0).sum(axis=1).astype(np.float64)
        elif p == 1:
            norms = a.sum(axis=1)
        elif p == 2:
            norms = np.sqrt((a * a).sum(axis=1))
        else:
            norms = (a ** p).sum(axis=1) ** (1.0 / p)
        norms = norms.astype(w.dtype).astype(np.float64)  # the norm is computed in w's dtype
        big = norms > max_norm
        if big.any():
            scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
            w[rows[big]] = sub[big] * scale[:, None]
    input._vc[0] += 1
    return input


# ---------------------------------------------------------------- embedding bag
class EmbeddingBag(Function):
    """Per-bag sum / mean / max of rows of ``weight``; ``bag`` gives each index's bag (-1 for
    indices outside every bag) and ``keep`` excludes ``padding_idx``."""

    _arrays = True
    _n_edges = 2
    name = "EmbeddingBagBackward0"

    @staticmethod
    def forward(ctx, weight, psw, idx, bag, n_bags, mode, padding_idx, scale_grad_by_freq,
                size_bag=None):
        D = weight.shape[1]
        dt = weight.dtype
        keep = bag >= 0
        if padding_idx is not None:
            keep &= idx != padding_idx
        kidx, kbag = idx[keep], bag[keep]
        rows = weight[kidx]
        out = np.zeros((n_bags, D), dt)
        counts = np.bincount(kbag, minlength=n_bags)
        if size_bag is not None:  # the bag sizes that divide in mode 'mean'
            sk = size_bag >= 0
            if padding_idx is not None:
                sk &= idx != padding_idx
            counts = np.bincount(size_bag[sk], minlength=n_bags)
            grad_rows = (idx[sk], size_bag[sk], sk)  # ... and its backward spreads over them
        else:
            grad_rows = (kidx, kbag, keep)
        argmax = None
        if mode == "max":
            if rows.size:
                out.fill(-np.inf)
                np.maximum.at(out, kbag, rows)
                out[counts == 0] = 0
                pos = np.arange(kidx.size)[:, None]
                cand = np.where(rows == out[kbag], pos, kidx.size)
                first = np.full((n_bags, D), kidx.size, np.int64)
                np.minimum.at(first, kbag, cand)
                argmax = (first, kidx)
        else:
            if psw is not None:
                rows = rows * psw[keep][:, None]
            np.add.at(out, kbag, rows)
            if mode == "mean":
                nz = counts > 0
                out[nz] /= counts[nz].astype(dt)[:, None]
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            ctx.save_for_backward(weight, psw)
            ctx.kidx, ctx.kbag, ctx.keep = grad_rows
            ctx.counts = counts
            ctx.mode, ctx.argmax, ctx.scale = mode, argmax, scale_grad_by_freq
            ctx.idx = idx
        return out

    @staticmethod
    def backward(ctx, grad):
        weight, psw = ctx.saved_tensors
        w, p = _data(weight), _data(psw)
        g = _data(grad)
        need = ctx.needs_input_grad
        kidx, kbag = ctx.kidx, ctx.kbag
        gw = gp = None
        if need[0]:
            gw = np.zeros(w.shape, g.dtype)
            if ctx.mode == "max":
                if ctx.argmax is not None:
                    first, kidx_ = ctx.argmax
                    hit = first < kidx_.size
                    b, d = np.nonzero(hit)
                    np.add.at(gw, (kidx_[first[b, d]], d), g[b, d])
            else:
                rows = g[kbag]
                if ctx.mode == "mean":
                    rows = rows / ctx.counts[kbag].astype(g.dtype)[:, None]
                if p is not None:
                    rows = rows * p[ctx.keep][:, None]
                if ctx.scale:
                    rows = rows * _bag_freq_scale(ctx.idx, kidx, w.shape[0], g.dtype)[:, None]
                np.add.at(gw, kidx, rows)
            gw = _plain(gw, grad)
        if need[1]:
            gp = np.zeros(p.shape, g.dtype)
            gp[ctx.keep] = (g[kbag] * w[kidx]).sum(axis=1)
            gp = _plain(gp, grad)
        return gw, gp, None, None, None, None, None, None, None


def _bag_freq_scale(all_idx, kidx, num, dt):
    """``1 / count`` per index as ATen's embedding-bag backward computes it: the i-th distinct
    index (in sorted order) is scaled by the count of the i-th *sorted index*, not its own (a
    quirk of PyTorch's CPU kernel, reproduced so gradients match)."""
    srt = np.sort(all_idx)
    counts = np.bincount(all_idx, minlength=num)
    uniq = np.unique(srt)
    group = np.searchsorted(uniq, kidx)
    return (1.0 / counts[srt[group]]).astype(dt)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights=None, include_last_offset: bool = False,
                  padding_idx=None) -> Tensor:
    """``nn.functional.embedding_bag``: sums, means or maxima of bags of embedding rows.

    ``input`` is 2-D (B, L: B bags of L indices) or 1-D with ``offsets`` giving each bag's start.
    """
    import warnings

    if weight._data.dtype == np.int64 and input.is_floating_point():
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. Usage "
            "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
            "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{_type_str(offsets)}")
        B, L = input.shape
        starts = np.arange(0, B * L, L if L else 1, dtype=np.int64)[:B]
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = offsets._data.astype(np.int64)
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    elif mode not in ("sum", "mean"):
        raise ValueError("mode has to be one of sum, mean or max")
    if max_norm is not None:
        embedding_renorm_(weight.detach(), input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    if sparse:
        raise NotImplementedError(
            "Ember has no sparse tensors: embedding_bag(sparse=True) is not supported; use "
            "sparse=False")
    _check_indices(input, "embedding_bag")
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have the same type as tensor for "
            "argument #1 'per_sample_weights'; but type "
            f"torch.{_TYPE[weight._data.dtype.name]} does not equal "
            f"torch.{_TYPE[per_sample_weights._data.dtype.name]} (while checking arguments for "
            "embedding_bag)")
    idx = input._data.astype(np.int64, copy=False)
    n = idx.size
    if starts.size and starts[0] != 0:
        kind = "Int" if (offsets is not None and offsets._data.dtype == np.int32
                         and input._data.dtype == np.int32) else "Long"
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {starts[0]}\n[ torch.{kind}Tensor{{}} ]")
    if starts.size and starts[-1] > n:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of "
            f"{starts[-1]}")
    num = weight.shape[0]
    bad = np.nonzero((idx < 0) | (idx >= num))[0]
    if bad.size:
        _bad_index(idx, starts, bad[0], num, mode, weight._data.dtype)
    if include_last_offset:
        n_bags = max(starts.size - 1, 0)
        ends_all = starts[1:] if starts.size else starts
        starts = starts[:n_bags]
    else:
        n_bags = starts.size
        ends_all = np.append(starts[1:], n)
    bag = np.full(n, -1, np.int64)
    counts = np.maximum(ends_all - starts, 0)
    if n_bags:
        pos = np.repeat(starts, counts) + (np.arange(counts.sum()) - np.repeat(
            np.cumsum(counts) - counts, counts))
        bag[pos] = np.repeat(np.arange(n_bags), counts)
    size_bag = None
    if include_last_offset and n_bags:
        # PyTorch's CPU kernels run the last bag to the end of the input, except that the
        # float32 sum/mean kernel (fbgemm) sums it only up to the last offset (its size, and
        # the backward, still run to the end)
        ext = bag.copy()
        ext[starts[-1]:] = n_bags - 1
        if mode != "max" and weight._data.dtype == np.float32:
            size_bag = ext
        else:
            bag = ext
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += weight.shape[0]
    return EmbeddingBag.apply(weight, per_sample_weights, idx, bag, n_bags, mode, padding_idx,
                              bool(scale_grad_by_freq), size_bag)


def _bad_index(idx, starts, i, num, mode, dt):
    """PyTorch's error for an index out of range, which depends on the kernel: float32 sums
    and means (fbgemm) report the position within the bag, or fail an internal check for the
    first index of a bag; the others name the value."""
    v = int(idx[i])
    if mode != "max" and dt == np.float32:
        local = i - int(starts[np.searchsorted(starts, i, side="right") - 1]) if starts.size \
            else i
        if local > 0:
            raise RuntimeError(f"Index {local} of input takes value {v} which is not in the "
                               f"valid range [0, {num})")
        raise RuntimeError(
            "Expected i < index_size to be true, but got false.  (Could this error message be "
            "improved?  If so, please report an enhancement request to PyTorch.)")
    raise RuntimeError(
        f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be {v}")


def _type_str(x) -> str:
    if isinstance(x, Tensor):
        return "<class 'torch.Tensor'>"
    return str(type(x))
