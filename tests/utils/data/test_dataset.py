"""Datasets and random_split against PyTorch."""

import warnings

import pytest
import torch
from data_helpers import same
from optable import assert_raises_like

import ember


def test_tensor_dataset_indexing_and_len():
    def f(lib):
        ds = lib.utils.data.TensorDataset(lib.arange(12).view(6, 2), lib.arange(6.0))
        return [len(ds), ds[0], ds[-1], ds[1:3], ds[[4, 0]]]

    same(f)


def test_tensor_dataset_size_mismatch():
    assert_raises_like(lambda lib: lib.utils.data.TensorDataset(lib.zeros(3), lib.zeros(4)))


def test_concat_dataset():
    def f(lib):
        D = lib.utils.data
        a = D.TensorDataset(lib.arange(3))
        b = D.TensorDataset(lib.arange(10, 14))
        ds = D.ConcatDataset([a, b])
        plus = a + b
        return [len(ds), ds.cumulative_sizes, [ds[i] for i in range(-7, 7)], len(plus), plus[5]]

    same(f)


@pytest.mark.parametrize("make", [
    lambda lib: lib.utils.data.ConcatDataset([]),
    lambda lib: lib.utils.data.ConcatDataset([lib.utils.data.TensorDataset(lib.zeros(2))])[-3],
    lambda lib: lib.utils.data.ConcatDataset([_iterable(lib)(3)]),
])
def test_concat_dataset_errors(make):
    assert_raises_like(make)


def _iterable(lib):
    class Count(lib.utils.data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n

    return Count


def test_chain_dataset_and_iterable_add():
    def f(lib):
        Count = _iterable(lib)
        chained = Count(2) + Count(3)
        return [type(chained).__name__, list(chained), len(chained)]

    same(f)


def test_stack_dataset():
    def f(lib):
        D = lib.utils.data
        x = D.TensorDataset(lib.arange(4))
        y = [10, 11, 12, 13]
        t = D.StackDataset(x, y)
        d = D.StackDataset(image=x, label=y)
        return [t[1], d[2], t.__getitems__([3, 0]), d.__getitems__([1]), len(t)]

    same(f)


@pytest.mark.parametrize("make", [
    lambda lib: lib.utils.data.StackDataset(),
    lambda lib: lib.utils.data.StackDataset([1], [1, 2]),
    lambda lib: lib.utils.data.StackDataset([1], b=[1]),
])
def test_stack_dataset_errors(make):
    assert_raises_like(make)


def test_subset():
    def f(lib):
        ds = lib.utils.data.TensorDataset(lib.arange(10) * 3)
        sub = lib.utils.data.Subset(ds, [7, 2, 5])
        return [len(sub), sub[0], sub[-1], sub.__getitems__([2, 0]), sub[[1, 2]]]

    same(f)


def test_subset_subclass_must_override_getitems():
    def f(lib):
        class Bad(lib.utils.data.Subset):
            def __getitem__(self, idx):
                return 0

        return Bad([1, 2], [0])

    assert_raises_like(f)


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.5, 0.5], [0.34, 0.33, 0.33],
                                     [1.0], [0.25, 0.25, 0.25, 0.25], [10, 0]])
def test_random_split_default_generator(lengths):
    def f(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parts = lib.utils.data.random_split(range(10), lengths)
        return [list(p.indices) for p in parts] + [list(parts[0])]

    same(f)


def test_random_split_generator_and_fraction_remainders():
    def f(lib):
        g = lib.Generator().manual_seed(42)
        parts = lib.utils.data.random_split(range(31), [0.3, 0.3, 0.4], generator=g)
        return [[len(p) for p in parts], [list(p.indices) for p in parts],
                lib.randn(2)]  # the global stream is untouched by a private generator

    same(f)


def test_random_split_zero_length_warns():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
            lib.utils.data.random_split(range(2), [1.0, 0.0])


@pytest.mark.parametrize("make", [
    lambda lib: lib.utils.data.random_split(range(10), [3, 6]),
    lambda lib: lib.utils.data.random_split(range(10), [1.5, -0.5]),
    lambda lib: lib.utils.data.random_split(range(10), [0.5, 0.6]),
])
def test_random_split_errors(make):
    assert_raises_like(make)


def test_dataset_base_class():
    assert_raises_like(lambda lib: lib.utils.data.Dataset()[0])
    for lib in (torch, ember):
        with pytest.raises(TypeError):
            len(lib.utils.data.Dataset())
