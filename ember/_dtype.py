"""dtypes with PyTorch's names, and PyTorch's type-promotion rules."""

from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type. ``repr`` is PyTorch's (``torch.float32``) so printed output matches.

    >>> ember.float32.is_floating_point
    True
    """

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_kind", "__weakref__")

    def __init__(self, name: str, np_dtype, kind: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self._kind = kind  # 0 bool, 1 integer, 2 floating: the promotion category
        self.is_floating_point = kind == 2
        self.is_signed = name not in ("uint8", "bool")
        self.itemsize = self.np.itemsize

    @property
    def is_complex(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "torch." + self.name

    __str__ = __repr__

    def __reduce__(self):
        return self.name  # pickles as the module-level singleton of the same name


bool = dtype("bool", np.bool_, 0)  # noqa: A001 - PyTorch's name
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)

# PyTorch's aliases
half = float16
float = float32  # noqa: A001
double = float64
short = int16
int = int32  # noqa: A001
long = int64

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
FROM_NP = {d.np: d for d in ALL}
for _d in ALL:
    FROM_NP[_d.np.type] = _d

_default = [float32]


def get_default_dtype() -> dtype:
    """The dtype of floating-point tensors made from Python floats (float32 unless changed)."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Set the default floating-point dtype (float16, float32 or float64), as PyTorch does."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def from_numpy_dtype(npd) -> dtype:
    """The Ember dtype for a NumPy dtype; a clear TypeError for dtypes Ember lacks."""
    try:
        return FROM_NP[npd]
    except KeyError:
        pass
    npd = np.dtype(npd)
    if npd in FROM_NP:
        return FROM_NP[npd]
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{npd}. The only supported types are: "
        "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
    )


def to_dtype(d) -> dtype:
    """Accept an Ember dtype, a NumPy dtype or the Python types float/int/bool."""
    if isinstance(d, dtype):
        return d
    import builtins

    if d is builtins.float:
        return float64
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    try:
        return FROM_NP[np.dtype(d)]
    except (TypeError, KeyError):
        raise TypeError(f"expected a torch.dtype, got {d!r}") from None


def promote_types(a: dtype, b: dtype) -> dtype:
    """PyTorch's ``promote_types``: bool < integers < floats; uint8 with int8 gives int16."""
    if a is b:
        return a
    if a._kind != b._kind:
        if a._kind == 2 or b._kind == 2 or a._kind == 0 or b._kind == 0:
            return a if a._kind > b._kind else b
    if a._kind == 2:
        return a if a.itemsize >= b.itemsize else b
    # both integers: NumPy's table agrees with PyTorch's for these types
    return FROM_NP[np.promote_types(a.np, b.np)]


def _scalar_dtype(x) -> dtype:
    import builtins

    t = type(x)
    if t is builtins.bool or t is np.bool_:
        return bool
    if t is builtins.int or isinstance(x, np.integer):
        return int64
    return get_default_dtype()


def result_type(*operands) -> dtype:
    """PyTorch's ``result_type`` over tensors and Python scalars.

    Tensors with dimensions take precedence over 0-d tensors, which take precedence over Python
    scalars, unless a lower group holds a higher category (bool < integer < floating).
    """
    dim_r = zero_r = wrap_r = None
    for x in operands:
        data = getattr(x, "_data", None)
        if data is not None:
            d = FROM_NP[data.dtype]
            if data.ndim:
                dim_r = d if dim_r is None else promote_types(dim_r, d)
            else:
                zero_r = d if zero_r is None else promote_types(zero_r, d)
        else:
            d = _scalar_dtype(x)
            wrap_r = d if wrap_r is None else promote_types(wrap_r, d)
    return _combine(dim_r, _combine(zero_r, wrap_r))


def _combine(higher, lower):
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher
