"""``Tensor``: a NumPy array plus what autograd needs (requires_grad, grad, grad_fn, version).

This file holds the Tensor's state, its conversions and its autograd surface. The math methods
(``exp``, ``sum``, ``matmul``, ``__add__``...) are attached by the op family that defines them,
in ``ember/_functions/<family>.py``, so each op's forward, backward and method live together.

Storage: ``_data`` is an ``ndarray``; views are NumPy views of the same memory, so writing through
a view changes its base. Views share the version counter ``_vc`` (a one-element list) with their
base, which is how autograd notices a saved tensor modified in place.
"""

from __future__ import annotations

import numpy as np

from . import _dtype
from ._dtype import FROM_NP
from .autograd import function as _function
from .autograd.grad_mode import _state

# NumPy ufunc or function -> Ember function, for __array_ufunc__ / __array_function__
_NP_DISPATCH = {}


class Size(tuple):
    """A tensor's shape: a tuple of ints printed as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __reduce__(self):
        return (Size, (tuple(self),))


class _NoCudaError(RuntimeError, AssertionError):
    """Raised for CUDA requests. PyTorch without CUDA raises AssertionError; this is both."""


def _no_cuda():
    raise _NoCudaError(
        "Torch not compiled with CUDA enabled (Ember runs on the CPU only: use device='cpu')"
    )


class device:
    """A device; Ember computes on ``device('cpu')`` only.

    >>> ember.device("cpu")
    device(type='cpu')
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002 - PyTorch's argument name
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments: {type!r}")
        if ":" in type:
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda", "mps", "meta", "xpu"):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                "fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at "
                f"start of device string: {type}"
            )
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def _check_device(dev) -> None:
    """Accept None or the CPU; raise the CUDA error for anything else."""
    if dev is None or dev is CPU:
        return
    if isinstance(dev, str):
        if dev == "cpu":
            return
        dev = device(dev)
    elif isinstance(dev, int):
        _no_cuda()
    if getattr(dev, "type", None) != "cpu":
        if getattr(dev, "type", None) == "cuda":
            _no_cuda()
        raise RuntimeError(f"Ember supports only the CPU device, got device '{dev}'")


_TYPE_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
    "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
}


def _can_cast(src, dst) -> bool:
    """PyTorch's canCast: no float -> integer/bool, no integer -> bool."""
    if src._kind == 2 and dst._kind < 2:
        return False
    return not (src._kind > 0 and dst._kind == 0)


class Tensor:
    """A multi-dimensional array with autograd, mirroring ``torch.Tensor``.

    Made by factory functions (``ember.tensor``, ``ember.zeros``...) or by ops.

    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    # Every op makes a Tensor, so only the state every tensor has is in slots and set by _make;
    # the rest are class-level defaults that an instance overrides in its __dict__ when needed.
    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_vc", "__weakref__", "__dict__")
    _grad = None  # the .grad tensor
    _output_nr = 0  # which output of _grad_fn this tensor is
    _base = None  # for views: the tensor whose storage this one views
    _grad_acc = None  # weakref to the AccumulateGrad node of a leaf
    _backward_hooks = None
    _post_acc_hooks = None
    _retains_grad = False
    __array_priority__ = 1000  # ndarray op Tensor defers to Tensor

    def __init__(self, *args, **kwargs):
        # torch.Tensor(2, 3) makes an uninitialized float tensor; torch.Tensor([1, 2]) copies data
        from ._creation import _legacy_tensor_init

        _legacy_tensor_init(self, args, kwargs)

    @staticmethod
    def _make(data, requires_grad=False, base=None):
        """Wrap an ndarray without copying (internal, hot path)."""
        t = object.__new__(Tensor)
        t._data = data
        t._requires_grad = requires_grad
        t._grad_fn = None
        if base is None:
            t._vc = [0]
        else:
            t._vc = base._vc
            t._base = base
        return t

    def _init_from(self, data, requires_grad=False):
        self._data = data
        self._requires_grad = requires_grad
        self._grad_fn = None
        self._vc = [0]

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape as a ``Size``, or the length of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    @property
    def dtype(self) -> _dtype.dtype:
        return FROM_NP[self._data.dtype]

    @property
    def device(self) -> device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def layout(self):
        from . import strided

        return strided

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def stride(self, dim=None):
        """Strides in elements, as PyTorch counts them."""
        a = self._data
        if a.size == 0:  # NumPy zeroes the strides of empty arrays; PyTorch keeps C strides
            st = _c_strides(a.shape)
        else:
            it = a.itemsize
            st = tuple(s // it for s in a.strides)
        if dim is None:
            return st
        return st[self._wrap_dim(dim)]

    def storage_offset(self) -> int:
        base = _root_array(self._data)
        return (self._data.__array_interface__["data"][0]
                - base.__array_interface__["data"][0]) // self._data.itemsize

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def is_contiguous(self, memory_format=None) -> bool:
        return self._data.flags.c_contiguous

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    def is_inference(self) -> bool:
        return False

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_meta(self) -> bool:
        return False

    def get_device(self) -> int:
        return -1

    def _wrap_dim(self, dim, ndim=None) -> int:
        n = self._data.ndim if ndim is None else ndim
        return _wrap_dim(dim, n)

    # ------------------------------------------------------------------ autograd surface
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether autograd records operations on this (leaf) tensor; returns self."""
        if self._grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad_fn(self):
        if self._base is not None and self._grad_fn is not None:
            return _function._view_fn(self)
        return self._grad_fn

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad:
            import warnings

            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you "
                "access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for "
                "more information. (Triggered internally at /__w/pytorch/pytorch/build/aten/src/"
                "ATen/core/TensorBody.h:493.)",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of "
                    f"{type(value).__name__}"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    "assigned grad has data of a different type"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        import weakref

        fn = self._grad_fn
        if fn._retain is None:
            fn._retain = {}
        fn._retain[self._output_nr] = weakref.ref(self)
        self._retains_grad = True

    def _grad_accumulator(self):
        acc = self._grad_acc() if self._grad_acc is not None else None
        if acc is None:
            import weakref

            acc = _function.AccumulateGrad(self)
            self._grad_acc = weakref.ref(acc)
        return acc

    def register_hook(self, hook):
        """Run ``hook(grad)`` when the gradient for this tensor is computed; it may return a
        replacement gradient. Returns a handle with ``remove()``."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is None:
            if self._backward_hooks is None:
                self._backward_hooks = {}
            return _function._add_hook(self._backward_hooks, hook)
        fn = self._grad_fn
        if fn._tensor_hooks is None:
            fn._tensor_hooks = {}
        return _function._add_hook(fn._tensor_hooks.setdefault(self._output_nr, {}), hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Run ``hook(tensor)`` after a gradient is accumulated into this leaf's ``.grad``."""
        if self._grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        return _function._add_hook(self._post_acc_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to graph leaves (see
        ``ember.autograd.backward``)."""
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A tensor sharing storage with this one, outside the graph."""
        t = Tensor._make(self._data, False)
        t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        """Detach this tensor from the graph in place (it becomes a leaf)."""
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        t = Tensor._make(self._data, False)
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    @property
    def _version(self) -> int:
        return self._vc[0]

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def _base_tensor(self):
        return self._base

    # ------------------------------------------------------------------ conversion
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as an ndarray sharing memory with this tensor."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        a = self._data
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        fn = _NP_DISPATCH.get(ufunc)
        if fn is None or method != "__call__" or kwargs.get("out") is not None:
            return NotImplemented
        return fn(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        fn = _NP_DISPATCH.get(func)
        if fn is None:
            return NotImplemented
        return fn(*args, **kwargs)

    def item(self):
        """The single value as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        """The values as (nested) Python lists of numbers."""
        return self._data.tolist()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def _scalar_value(self, what):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {'no values' if self._data.size == 0 else 'more than one value'} is ambiguous"  # noqa: E501
            )
        return bool(self._data.reshape(()).item())

    def __float__(self) -> float:
        return float(self._scalar_value("float"))

    def __int__(self) -> int:
        return int(self._scalar_value("int"))

    def __complex__(self) -> complex:
        return complex(self._scalar_value("complex"))

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index"
            )
        return int(self._data.reshape(()).item())

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self, *, tensor_contents=None) -> str:
        from ._printing import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data.copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                "because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        if id(self) in memo:
            return memo[id(self)]
        new = type(self).__new__(type(self))
        Tensor._init_from(new, self._data.copy(), self._requires_grad)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        import copy

        for k, v in self.__dict__.items():  # user attributes, not autograd state
            if k not in _INTERNAL:
                setattr(new, k, copy.deepcopy(v, memo))
        memo[id(self)] = new
        return new

    # ------------------------------------------------------------------ dtype / device moves
    def to(self, *args, **kwargs) -> Tensor:
        """Convert dtype (and accept the CPU device): ``t.to(ember.float64)``, ``t.to('cpu')``,
        ``t.to(other)``."""
        dtype = kwargs.pop("dtype", None)
        dev = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, _dtype.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, device, int)):
                dev = a
            elif isinstance(a, bool):
                pass
            else:
                raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
        _check_device(dev)
        if dtype is None or dtype.np == self._data.dtype:
            return self.clone() if copy else self
        return _cast(self, dtype)

    def type(self, dtype=None, non_blocking=False):
        """With no argument, the legacy type name (``'torch.FloatTensor'``); else a cast."""
        if dtype is None:
            return "torch." + _TYPE_NAMES[self.dtype.name] + "Tensor"
        if isinstance(dtype, str):
            names = {f"torch.{v}Tensor": k for k, v in _TYPE_NAMES.items()}
            if dtype not in names:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = getattr(_dtype, names[dtype])
        return self.to(dtype)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def half(self):
        return self.to(_dtype.float16)

    def int(self):
        return self.to(_dtype.int32)

    def long(self):
        return self.to(_dtype.int64)

    def short(self):
        return self.to(_dtype.int16)

    def char(self):
        return self.to(_dtype.int8)

    def byte(self):
        return self.to(_dtype.uint8)

    def bool(self):
        return self.to(_dtype.bool)

    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        _no_cuda()

    def pin_memory(self):
        return self

    def is_pinned(self) -> bool:
        return False

    def share_memory_(self):
        return self

    def is_shared(self) -> bool:
        return False

    # ------------------------------------------------------------------ new_* factories
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from ._creation import tensor

        return tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        from ._creation import zeros

        return zeros(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        from ._creation import ones

        return ones(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        from ._creation import empty

        return empty(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False, **kw):
        from ._creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, device=device,
                    requires_grad=requires_grad)


def _root_array(a: np.ndarray) -> np.ndarray:
    """The ndarray that owns ``a``'s memory (through views and ``as_strided`` wrappers)."""
    while True:
        b = a.base
        if isinstance(b, np.ndarray):
            a = b
        elif b is not None and isinstance(getattr(b, "base", None), np.ndarray):
            a = b.base  # numpy.lib.stride_tricks.as_strided keeps its source here
        else:
            return a


def _c_strides(shape) -> tuple:
    """PyTorch's contiguous strides (size-0 and size-1 dims count as size 1)."""
    st = []
    acc = 1
    for n in reversed(shape):
        st.append(acc)
        acc *= n if n > 1 else 1
    return tuple(reversed(st))


_INTERNAL = frozenset(
    ("_grad", "_output_nr", "_base", "_grad_acc", "_backward_hooks", "_post_acc_hooks",
     "_retains_grad")
)


def _rebuild(data, requires_grad):
    return Tensor._make(data, requires_grad)


def _wrap_dim(dim, ndim: int) -> int:
    """Normalize a possibly negative dim, with PyTorch's IndexError."""
    if not isinstance(dim, int):
        dim = dim.__index__()
    n = ndim if ndim > 0 else 1
    if dim < -n or dim >= n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


class _Cast(_function.Function):
    """Change dtype; the gradient is cast back to the input's dtype by the engine."""

    _arrays = True
    name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype):
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


def _cast(t: Tensor, dtype) -> Tensor:
    if t._requires_grad and dtype._kind == 2 and _state[0]:
        return _Cast.apply(t, dtype.np)
    return Tensor._make(t._data.astype(dtype.np), False)


def _check_inplace(t: Tensor) -> None:
    """PyTorch's checks before writing into ``t``: leaves that require grad, overlapping memory."""
    if t._requires_grad and t._grad_fn is None and _state[0]:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    if not t._data.flags.writeable:
        if 0 in t._data.strides and t._data.size > 1:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers to "
                "a single memory location. Please clone() the tensor before performing the "
                "operation."
            )
        raise RuntimeError("The tensor's memory is read-only (e.g. a NumPy array marked "
                           "read-only); clone() it before writing.")


def _check_inplace_result(out, t) -> None:
    """An in-place op's result must have the written tensor's shape and a castable dtype."""
    if out._data.shape != t._data.shape:
        raise RuntimeError(
            f"output with shape {list(t._data.shape)} doesn't match the broadcast shape "
            f"{list(out._data.shape)}"
        )
    _check_cast(out.dtype, t.dtype)


def _check_cast(result_dtype, out_dtype) -> None:
    if not _can_cast(result_dtype, out_dtype):
        raise RuntimeError(
            f"result type {_TYPE_NAMES[result_dtype.name]} can't be cast to the desired output "
            f"type {_TYPE_NAMES[out_dtype.name]}"
        )


def apply_inplace(t: Tensor, fn_cls, *args) -> Tensor:
    """Run ``fn_cls`` on ``(t, *args)`` out of place and write the result into ``t``'s storage.

    With autograd on, ``t`` takes the op's node as its history (PyTorch's rebase); if ``t`` is a
    view of a base that needs grad, the base gets a ``CopySlices`` node instead, as in PyTorch.
    """
    _check_inplace(t)
    record = _state[0] and (t._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args))
    if not record:
        out = fn_cls.apply(t, *args)
        _check_inplace_result(out, t)
        np.copyto(t._data, out._data, casting="unsafe")
        t._vc[0] += 1
        return t
    if t._base is not None and (t._base._requires_grad or True):
        from ._functions.shape import inplace_on_view

        return inplace_on_view(t, fn_cls, args)
    out = fn_cls.apply(t, *args)
    _check_inplace_result(out, t)
    _keep_original(out._grad_fn, t)
    np.copyto(t._data, out._data, casting="unsafe")
    t._vc[0] += 1
    _rebase(t, out)
    return t


def _keep_original(node, t: Tensor) -> None:
    """If the in-place op's node saved ``t`` itself (the value about to be overwritten), keep a
    copy of the original instead, as PyTorch's in-place ops save ``original_self``. The copy is
    a differentiable clone of ``t``'s old value, so double backward still reaches its history."""
    if node is not None and node._saved:
        orig = []

        def original():
            if not orig:
                orig.append(t.clone() if t._requires_grad else Tensor._make(t._data.copy()))
            o = orig[0]
            return (1, o, o._vc, o._vc[0], None)

        node._saved = [original() if e[0] == 1 and e[1] is t else e for e in node._saved]


def _rebase(t: Tensor, out: Tensor) -> None:
    """Give ``t`` the history of ``out`` (whose values were just copied into ``t``)."""
    node = out._grad_fn
    t._requires_grad = out._requires_grad
    t._grad_fn = node
    t._output_nr = out._output_nr
    if node is None:
        return
    # the node's saved output (if any) is now t's storage, at t's new version
    k = out._output_nr
    node._saved_vcs[k] = t._vc
    if node._saved:
        node._saved = [
            (2, t._data, t._vc, t._vc[0], e[4]) if e[0] == 2 and e[4] == k else e
            for e in node._saved
        ]


_function.Tensor = Tensor
