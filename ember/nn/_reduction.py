"""Reduction names and PyTorch's legacy ``size_average``/``reduce`` arguments
(``torch.nn._reduction``)."""

from __future__ import annotations

import warnings


def get_enum(reduction: str) -> int:
    """The enum of a reduction name: 0 'none', 1 'mean', 2 'sum'.

    >>> get_enum("sum")
    2
    """
    if reduction == "none":
        ret = 0
    elif reduction == "mean":
        ret = 1
    elif reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            stacklevel=2,
        )
        ret = 1
    elif reduction == "sum":
        ret = 2
    else:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return ret


def legacy_get_string(size_average, reduce, emit_warning: bool = True) -> str:
    """The reduction name the deprecated ``size_average``/``reduce`` pair stands for (either
    None means True), warning as PyTorch does.

    >>> legacy_get_string(False, None, emit_warning=False)
    'sum'
    """
    warning = ("size_average and reduce args will be deprecated, please use reduction='{}' "
               "instead.")
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(warning.format(ret), stacklevel=2)
    return ret


def legacy_get_enum(size_average, reduce, emit_warning: bool = True) -> int:
    """``get_enum(legacy_get_string(...))``."""
    return get_enum(legacy_get_string(size_average, reduce, emit_warning))
