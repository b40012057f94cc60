"""``ember.nn.utils.clip_grad``: gradient clipping (``torch.nn.utils.clip_grad``)."""

from __future__ import annotations

import functools
import math
import types
import warnings
from collections.abc import Iterable

import numpy as np

from ..._tensor import Tensor

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_"]

_tensor_or_tensors = Tensor | Iterable[Tensor]


def _no_grad(func):
    """Run ``func`` with gradient recording off (as PyTorch's ``_no_grad`` decorator)."""

    def _no_grad_wrapper(*args, **kwargs):
        from ...autograd import no_grad

        with no_grad():
            return func(*args, **kwargs)

    functools.update_wrapper(_no_grad_wrapper, func)
    return _no_grad_wrapper


@_no_grad
def _get_total_norm(tensors: _tensor_or_tensors, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    r"""The norm of the norms of ``tensors``: the same as the norm of all of them concatenated
    into one vector.

    Args:
        tensors (Tensor or Iterable[Tensor]): tensors whose norm is computed (usually the
            gradients).
        norm_type (float): type of the p-norm; can be ``'inf'`` for the infinity norm
            (default: 2.0).
        error_if_nonfinite (bool): raise if the total norm is nan or inf (default: False).
        foreach (bool): accepted for compatibility (default: None).

    Returns:
        Total norm of the tensors (viewed as a single vector).

    >>> ember.nn.utils.get_total_norm([p.grad for p in model.parameters()])
    """
    from ... import stack, tensor
    from ..._functions.linalg import vector_norm

    if isinstance(tensors, Tensor):
        tensors = [tensors]
    else:
        tensors = list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return tensor(0.0)
    if norm_type == math.inf and foreach is not False and all(type(t) is Tensor for t in tensors):
        # PyTorch takes the _foreach_norm path here, whose message differs
        if any(t._data.size == 0 for t in tensors):
            raise RuntimeError(
                "_foreach_norm cannot compute the infinity norm on an empty tensor because the "
                "operation does not have an identity"
            )
    norms = [vector_norm(g, norm_type) for g in tensors]
    total_norm = vector_norm(stack(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(float(total_norm._data)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from "
            "`parameters` is non-finite, so it cannot be clipped. To disable "
            "this error and scale the gradients by the non-finite norm anyway, "
            "set `error_if_nonfinite=False`"
        )
    return total_norm


@_no_grad
def _clip_grads_with_norm_(parameters: _tensor_or_tensors, max_norm: float, total_norm: Tensor,
                           foreach: bool | None = None) -> None:
    r"""Scale the gradients of ``parameters`` by ``max_norm / (total_norm + 1e-6)`` when that is
    below 1 (``total_norm`` as given by :func:`get_total_norm`). The gradients are modified in
    place.

    Args:
        parameters (Tensor or Iterable[Tensor]): tensors whose gradients are scaled.
        max_norm (float): max norm of the gradients.
        total_norm (Tensor): total norm of the gradients to use for clipping.
        foreach (bool): accepted for compatibility (default: None).

    >>> norm = ember.nn.utils.get_total_norm([p.grad for p in model.parameters()])
    >>> ember.nn.utils.clip_grads_with_norm_(model.parameters(), 1.0, norm)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if len(grads) == 0:
        return
    # max_norm / (total_norm + 1e-6) is reciprocal() * max_norm for a tensor, as in PyTorch
    tn = total_norm._data
    dt = tn.dtype.type
    coef = np.reciprocal(tn + dt(1e-6)) * dt(max_norm)
    coef = np.minimum(coef, dt(1.0))  # clamp(max=1.0); nan stays nan
    for g in grads:
        g._data *= g._data.dtype.type(coef)
        g._vc[0] += 1


@_no_grad
def clip_grad_norm_(parameters: _tensor_or_tensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    r"""Clip the gradient norm of an iterable of parameters.

    The norm is computed over the norms of the individual gradients of all parameters, as if
    the norms of the individual gradients were concatenated into a single vector. Gradients are
    modified in place.

    Args:
        parameters (Tensor or Iterable[Tensor]): tensors whose gradients are normalized.
        max_norm (float): max norm of the gradients.
        norm_type (float): type of the p-norm; can be ``'inf'`` for the infinity norm
            (default: 2.0).
        error_if_nonfinite (bool): raise if the total norm of the gradients is nan or inf
            (default: False).
        foreach (bool): accepted for compatibility (default: None).

    Returns:
        Total norm of the parameter gradients (viewed as a single vector).

    >>> loss.backward()
    >>> ember.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        # prevent generators from being exhausted
        parameters = list(parameters)
        if is_generator and len(parameters) == 0:
            warnings.warn(
                "`parameters` is an empty generator, no gradient clipping will occur.",
                stacklevel=3,
            )
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = _get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    _clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters: _tensor_or_tensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    r"""Clip the gradient norm of an iterable of parameters (deprecated: use
    :func:`clip_grad_norm_`)."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters: _tensor_or_tensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    r"""Clip the gradients of an iterable of parameters to ``[-clip_value, clip_value]``, in
    place.

    Args:
        parameters (Tensor or Iterable[Tensor]): tensors whose gradients are clipped.
        clip_value (float): maximum allowed absolute value of the gradients.
        foreach (bool): accepted for compatibility (default: None).

    >>> ember.nn.utils.clip_grad_value_(model.parameters(), clip_value=0.5)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    grads = [p.grad for p in parameters if p.grad is not None]
    for grad in grads:
        np.clip(grad._data, -clip_value, clip_value, out=grad._data)
        grad._vc[0] += 1
