"""Distances and similarities: ``cosine_similarity``, ``pairwise_distance``, ``cdist``, built
from tensor ops exactly as PyTorch composes them (so the ``grad_fn`` chain is PyTorch's)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .reduction import VectorNorm

__all__ = ["cosine_similarity", "pairwise_distance", "cdist"]

_ST = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
       "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


class _Norm(VectorNorm):
    """``at::norm(x, p, dim, keepdim)`` (PyTorch's ``NormBackward1`` node)."""

    name = "NormBackward1"


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``<x1, x2> / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim`` (each vector divided
    by its norm first, as PyTorch does, so the result stays within [-1, 1]).

    >>> ember.cosine_similarity(ember.tensor([[1., 0.]]), ember.tensor([[1., 1.]]))
    tensor([0.7071])
    """
    from .._dtype import result_type
    from .joining import broadcast_tensors
    from .linalg import vector_norm

    dt = result_type(x1, x2)
    if not dt.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_ST[str(dt.np)]}")
    if x1._data.dtype.kind in "iub":
        x1 = x1.to(dt)
    if x2._data.dtype.kind in "iub":
        x2 = x2.to(dt)
    if x1.shape != x2.shape:
        x1, x2 = broadcast_tensors(x1, x2)
    n1 = vector_norm(x1, 2, dim, True).clone()
    n2 = vector_norm(x2, 2, dim, True).clone()
    with no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """The p-norm of ``x1 - x2 + eps`` over the last dimension.

    >>> ember.pairwise_distance(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]), eps=0)
    tensor([5.])
    """
    d = max(x1.dim(), x2.dim())
    diff = x1 - x2 + eps
    return _Norm.apply(diff, p, (max(d - 1, 0),), keepdim)


def cdist(x1, x2, p: float = 2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Batched p-norm distances between the rows of ``x1`` (.., P, M) and ``x2`` (.., R, M):
    a (.., P, R) tensor.

    >>> ember.cdist(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.], [0., 1.]]))
    tensor([[5., 1.]])
    """
    a, b = x1._data, x2._data
    if a.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D")
    if b.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {b.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} "
                           f"X2: {b.shape[-1]}")
    if a.dtype.kind != "f":
        raise RuntimeError(
            f"cdist only supports floating-point dtypes, X1 got: {_ST[str(a.dtype)]}")
    if b.dtype.kind != "f":
        raise RuntimeError(
            f"cdist only supports floating-point dtypes, X2 got: {_ST[str(b.dtype)]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return _CdistNorm.apply(diff, p, (diff.dim() - 1,), False)


class _CdistNorm(VectorNorm):
    name = "CdistBackward0"


del np
