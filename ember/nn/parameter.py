"""``ember.nn.parameter``: ``Parameter`` and ``Buffer`` (``torch.nn.parameter``)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A Tensor that is a module parameter: assigning it to a ``Module`` attribute registers it.

    Args:
        data: the tensor to wrap (shares its memory); an empty tensor when None.
        requires_grad: whether the parameter requires gradient. Default: True.

    >>> p = nn.Parameter(ember.zeros(2))
    >>> p
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = Tensor._make(np.empty((0,), dtype=np.float32))
        t = object.__new__(cls)
        t._data = data._data
        t._requires_grad = False
        t._grad_fn = None
        t._vc = data._vc
        if requires_grad:
            t.requires_grad_(True)
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """A Tensor that is a module buffer: assigning it to a ``Module`` attribute registers it."""

    __slots__ = ()

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = Tensor._make(np.empty((0,), dtype=np.float32))
        t = data.detach()
        t.persistent = persistent
        return t
