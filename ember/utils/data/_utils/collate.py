"""``default_collate`` and ``default_convert``, as in ``torch.utils.data._utils.collate``.

``default_collate`` turns a list of samples into a batch: tensors are stacked along a new first
dimension, NumPy arrays and numbers become tensors, strings stay a list, and mappings, named
tuples and sequences are collated field by field. ``default_convert`` turns NumPy arrays inside
one sample into tensors and leaves the rest alone.
"""

from __future__ import annotations

import collections.abc
from collections.abc import Callable

import numpy as np

from .... import _dtype
from ...._creation import as_tensor, tensor
from ...._functions.joining import stack
from ...._tensor import Tensor

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

_STR_OBJ_KINDS = "SUO"  # NumPy string, unicode and object arrays are not made tensors


def _is_str_or_object(arr_dtype) -> bool:
    return arr_dtype.kind in _STR_OBJ_KINDS


def default_convert(data):
    """Convert the NumPy arrays (and NumPy scalars) in one sample to tensors.

    Mappings, named tuples and sequences are converted element by element (a plain tuple
    becomes a list, as in PyTorch); anything else is returned as it is. ``DataLoader`` uses it
    as the ``collate_fn`` when automatic batching is off (``batch_size=None``).

    Args:
        data: one sample.

    >>> default_convert([np.array([0, 1]), "a"])
    [tensor([0, 1]), 'a']
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and _is_str_or_object(data.dtype):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                # keep the mapping's own type and extra attributes: update a shallow copy
                import copy

                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                import copy

                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:  # e.g. range: no copy/__setitem__/constructor from a list
            return [default_convert(d) for d in data]
    return data


default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def collate(batch, *, collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None):
    """Collate ``batch`` (a list of samples), looking element types up in ``collate_fn_map``.

    An element type found in the map (exactly, else by ``isinstance`` in the map's order) is
    collated by its function; mappings, named tuples and sequences are collated field by field.

    Args:
        batch: the list of samples.
        collate_fn_map: element type -> ``fn(batch, *, collate_fn_map)``.

    >>> collate([(0, "a"), (1, "b")], collate_fn_map=default_collate_fn_map)
    [tensor([0, 1]), ('a', 'b')]
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                import copy

                clone = copy.copy(elem)
                clone.update({
                    key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                    for key in elem
                })
                return clone
            return elem_type({
                key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                for key in elem
            })
        except TypeError:
            return {
                key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                for key in elem
            }
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(
            *(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch))
        )
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(elem) == elem_size for elem in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                import copy

                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type(
                [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
            )
        except TypeError:
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack a batch of tensors along a new first dimension."""
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """Make a batch of NumPy arrays tensors and stack them (string/object arrays raise)."""
    elem = batch[0]
    if _is_str_or_object(elem.dtype):
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """A batch of NumPy scalars as one tensor of their dtype."""
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    """A batch of Python floats as a float64 tensor."""
    return tensor(batch, dtype=_dtype.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """A batch of Python ints (or bools) as an int64 (bool) tensor."""
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """A batch of strings (or bytes) stays a list."""
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Collate a list of samples into a batch, as PyTorch's ``default_collate``.

    Element type -> batch: tensor -> stacked tensor (new first dimension); NumPy array ->
    stacked tensor; float -> float64 tensor; int -> int64 tensor; str/bytes -> list unchanged;
    mapping -> mapping of collated values; named tuple -> named tuple of collated fields;
    tuple/list -> list of collated fields (all samples must have the same length). Anything
    else raises ``TypeError``. Extend it by adding to ``default_collate_fn_map``.

    Args:
        batch: the list of samples.

    >>> default_collate([{"a": 0, "b": 1.5}, {"a": 2, "b": 3.0}])
    {'a': tensor([0, 2]), 'b': tensor([1.5000, 3.0000], dtype=torch.float64)}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
