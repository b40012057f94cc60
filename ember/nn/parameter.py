"""``ember.nn.parameter``: ``Parameter`` and ``Buffer`` (``torch.nn.parameter``)."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .._tensor import Tensor

__all__ = ["Parameter", "UninitializedParameter", "is_lazy", "Buffer", "UninitializedBuffer"]


def _empty():
    from .._dtype import get_default_dtype

    return Tensor._make(np.empty((0,), dtype=get_default_dtype().np))


class Parameter(Tensor):
    r"""A Tensor that is a module parameter: assigned as a ``Module`` attribute, it is
    registered and shows up in ``parameters()``.

    It shares memory (and the version counter) with ``data`` but is a new leaf of the graph.

    Args:
        data: the tensor to wrap; an empty tensor when None.
        requires_grad: whether the parameter requires gradient. Default: True.

    >>> nn.Parameter(ember.zeros(2))
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _empty()
        if not isinstance(data, Tensor):
            raise TypeError(
                f"_make_subclass(): argument 'data' (position 2) must be Tensor, not "
                f"{type(data).__name__}"
            )
        if requires_grad and data._data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t = object.__new__(cls)
        t._data = data._data
        t._requires_grad = bool(requires_grad)
        t._grad_fn = None
        t._vc = data._vc  # a detached alias: same storage, same version counter
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        hooks = OrderedDict()
        if not state:
            return (_rebuild_parameter, (self.data, self.requires_grad, hooks))
        return (_rebuild_parameter_with_state, (self.data, self.requires_grad, hooks, state))


def _rebuild_parameter(data, requires_grad, backward_hooks):
    """Unpickle a Parameter (``torch._utils._rebuild_parameter``)."""
    param = Parameter(data, requires_grad)
    return param


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    """Unpickle a Parameter that carries Python attributes."""
    param = Parameter(data, requires_grad)
    for k, v in state.items():
        setattr(param, k, v)
    return param


class UninitializedTensorMixin:
    """Marks a parameter or buffer whose shape is not known yet (lazy modules)."""

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the tensor its shape (uninitialized values) and make it a regular one."""
        from .._creation import empty

        if dtype is None:
            dtype = self.dtype
        self._data = empty(shape, dtype=dtype)._data
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes."
        )

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    def __reduce_ex__(self, proto):
        return (self.__class__, (self.requires_grad,))


def is_lazy(param) -> bool:
    """Whether ``param`` is an uninitialized (lazy) parameter or buffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter not initialized yet (for lazy modules)."""

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from .._dtype import get_default_dtype

        dt = (dtype or get_default_dtype()).np
        t = Parameter.__new__(cls, Tensor._make(np.empty((0,), dtype=dt)), requires_grad)
        return t

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, None, self.dtype)
        memo[id(self)] = result
        return result


class _BufferMeta(type):
    # A Buffer is a plain Tensor marked with ``_is_buffer``: make isinstance see the mark.
    def __instancecheck__(self, instance) -> bool:
        if self is Buffer:
            if isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False):
                return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    r"""A Tensor that is a module buffer: assigned as a ``Module`` attribute, it is registered
    (as ``register_buffer`` does) and shows up in ``buffers()`` and, if persistent, in
    ``state_dict()``.

    Args:
        data: the buffer tensor (a detached alias of it is kept).
        persistent: whether the buffer is part of the module's ``state_dict``. Default: True.

    >>> m.running_mean = nn.Buffer(ember.zeros(3))
    """

    __slots__ = ()

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _empty()
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer not initialized yet (for lazy modules)."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        from .._dtype import get_default_dtype

        dt = (dtype or get_default_dtype()).np
        t = object.__new__(cls)
        Tensor._init_from(t, np.empty((0,), dtype=dt), requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass
