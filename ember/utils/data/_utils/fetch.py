"""Fetchers: turn the indices a sampler gives into a collated batch (as PyTorch's ``fetch``).

``_MapDatasetFetcher`` has one fast path PyTorch lacks: for a plain ``TensorDataset`` collated by
``default_collate``, a batch of integer indices is gathered with one NumPy take per tensor instead
of a ``__getitem__`` per sample and a stack. The result is the same tensors (same values, dtype,
shape and contiguous layout); anything unusual (tensors needing gradients, subclasses, a changed
``default_collate_fn_map``, bad indices) goes the general way, with PyTorch's errors.
"""

from __future__ import annotations

import numpy as np

from ...._tensor import Tensor
from . import collate as _collate


class _BaseDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        raise NotImplementedError


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def _tensor_dataset_arrays(dataset, auto_collation, collate_fn):
    """The ndarrays of a ``TensorDataset`` that the fast path may gather from, else None."""
    from ..dataset import TensorDataset

    if not auto_collation or collate_fn is not _collate.default_collate:
        return None
    cls = type(dataset)
    if not issubclass(cls, TensorDataset) or cls.__getitem__ is not TensorDataset.__getitem__:
        return None
    if getattr(dataset, "__getitems__", None) is not None:
        return None
    tensors = getattr(dataset, "tensors", None)
    if not isinstance(tensors, tuple) or not tensors:
        return None
    for t in tensors:
        if type(t) is not Tensor or t._requires_grad or t._data.ndim == 0:
            return None
    return [t._data for t in tensors]


class _MapDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self._fast = _tensor_dataset_arrays(dataset, auto_collation, collate_fn) is not None

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            if self._fast:
                batch = self._fetch_tensor_batch(possibly_batched_index)
                if batch is not None:
                    return batch
            if hasattr(self.dataset, "__getitems__") and self.dataset.__getitems__:
                data = self.dataset.__getitems__(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)

    def _fetch_tensor_batch(self, index):
        """``default_collate([dataset[i] for i in index])`` for a TensorDataset, or None."""
        if type(index) is not list or not index or not all(type(i) is int for i in index):
            return None  # (bools and tensors index differently from ints)
        if _collate.default_collate_fn_map.get(Tensor) is not _collate.collate_tensor_fn:
            return None
        # checked each batch: the dataset's tensors may be replaced between batches
        arrays = _tensor_dataset_arrays(self.dataset, True, self.collate_fn)
        if arrays is None:
            return None
        try:
            idx = np.array(index, dtype=np.int64)
        except OverflowError:
            return None
        n = arrays[0].shape[0]
        if not (-n <= idx.min() and idx.max() < n):
            return None  # let __getitem__ raise PyTorch's IndexError
        if any(a.shape[0] != n for a in arrays):
            return None
        return [Tensor._make(np.ascontiguousarray(a.take(idx, axis=0))) for a in arrays]
