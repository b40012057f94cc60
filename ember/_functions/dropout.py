"""Dropout: ``torch.dropout``, ``torch.feature_dropout``, ``torch.alpha_dropout``,
``torch.feature_alpha_dropout`` and their in-place forms.

PyTorch's CPU dropout is composite (ATen's ``Dropout.cpp``, ``_dropout_impl``): a noise tensor
``empty_like(input)`` (or ``(N, C, 1, ...)`` for feature dropout) filled with ``bernoulli_(1 - p)``
and divided by ``1 - p``, then ``input * noise``. Ember makes the same calls on the same random
stream, so masks and outputs are bit-identical to PyTorch's for the same seed, and the graph has
PyTorch's nodes (``MulBackward0``; ``AddBackward0`` for alpha dropout).
"""

from __future__ import annotations

import math

from .._tensor import Tensor
from .random import _empty_like

__all__ = ["alpha_dropout", "alpha_dropout_", "dropout", "dropout_", "feature_alpha_dropout",
           "feature_alpha_dropout_", "feature_dropout", "feature_dropout_"]

_ALPHA = 1.7580993408473766  # SELU's alpha * scale


def _feature_noise(input: Tensor) -> Tensor:
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = input.shape
    return input.new_empty((shape[0], shape[1]) + (1,) * (input.dim() - 2))


def _dropout_impl(input: Tensor, p: float, train: bool, feature: bool, alpha: bool,
                  inplace: bool) -> Tensor:
    if not 0 <= p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p:g}")
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        zero = input.new_zeros(())
        return input.mul_(zero) if inplace else input * zero
    noise = _feature_noise(input) if feature else _empty_like(input._data, input._data.dtype)
    noise.bernoulli_(1 - p)
    if alpha:
        a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        b = noise.add(-1).mul_(_ALPHA * a).add_(_ALPHA * a * p)
        noise.mul_(a)
        out = input.mul_(noise) if inplace else input * noise
        return out.add_(b)
    noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout``: zero each element with probability ``p`` (when ``train``) and scale
    the rest by ``1 / (1 - p)``.

    >>> ember.manual_seed(0); ember.dropout(ember.ones(4), 0.5, True)
    tensor([0., 0., 2., 0.])
    """
    return _dropout_impl(input, p, train, False, False, False)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place ``dropout``."""
    return _dropout_impl(input, p, train, False, False, True)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout``: zero whole channels (dim 1) of (N, C, *) with probability
    ``p`` and scale the rest by ``1 / (1 - p)``."""
    return _dropout_impl(input, p, train, True, False, False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place ``feature_dropout``."""
    return _dropout_impl(input, p, train, True, False, True)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout``: dropout that keeps SELU's self-normalizing mean and variance
    (dropped elements take SELU's negative saturation value, then an affine correction)."""
    return _dropout_impl(input, p, train, False, True, False)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place ``alpha_dropout``."""
    return _dropout_impl(input, p, train, False, True, True)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout``: alpha dropout of whole channels."""
    return _dropout_impl(input, p, train, True, True, False)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place ``feature_alpha_dropout``."""
    return _dropout_impl(input, p, train, True, True, True)
