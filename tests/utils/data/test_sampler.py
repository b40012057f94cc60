"""Samplers against PyTorch: the same indices and the same global RNG state afterwards."""

import pytest
from data_helpers import same
from optable import assert_raises_like


def test_sequential_sampler():
    same(lambda lib: [list(lib.utils.data.SequentialSampler(range(5))),
                      len(lib.utils.data.SequentialSampler("abc"))])


@pytest.mark.parametrize("kw", [
    {},
    {"num_samples": 7},
    {"num_samples": 23},
    {"replacement": True},
    {"replacement": True, "num_samples": 70},
    {"replacement": True, "num_samples": 5},
])
def test_random_sampler_global_stream(kw):
    def f(lib):
        s = lib.utils.data.RandomSampler(range(10), **kw)
        # each iter() seeds a fresh generator from the global stream
        return [list(s), list(s), len(s)]

    same(f)


@pytest.mark.parametrize("kw", [{}, {"replacement": True, "num_samples": 40},
                                {"num_samples": 15}])
def test_random_sampler_generator(kw):
    def f(lib):
        g = lib.Generator().manual_seed(3)
        s = lib.utils.data.RandomSampler(range(9), generator=g, **kw)
        return [list(s), list(s), g.initial_seed()]

    same(f)


def test_random_sampler_partial_iteration():
    def f(lib):
        it = iter(lib.utils.data.RandomSampler(range(100)))
        first = [next(it) for _ in range(3)]
        return [first, lib.randint(0, 1000, (3,))]

    same(f)


@pytest.mark.parametrize("make", [
    lambda lib: lib.utils.data.RandomSampler(range(3), replacement=1),
    lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=0),
    lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=2.0),
    lambda lib: lib.utils.data.RandomSampler(range(0)),
])
def test_random_sampler_errors(make):
    assert_raises_like(make)


def test_subset_random_sampler():
    def f(lib):
        g = lib.Generator().manual_seed(1)
        s = lib.utils.data.SubsetRandomSampler([10, 20, 30, 40, 50])
        sg = lib.utils.data.SubsetRandomSampler([1, 2, 3, 4], generator=g)
        return [list(s), list(s), list(sg), list(sg), len(s)]

    same(f)


@pytest.mark.parametrize("replacement", [True, False])
def test_weighted_random_sampler(replacement):
    def f(lib):
        w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
        s = lib.utils.data.WeightedRandomSampler(w, 5, replacement=replacement)
        g = lib.Generator().manual_seed(7)
        sg = lib.utils.data.WeightedRandomSampler(lib.tensor(w), 6, replacement, generator=g)
        return [list(s), list(s), list(sg), len(s), s.weights]

    same(f)


@pytest.mark.parametrize("make", [
    lambda lib: lib.utils.data.WeightedRandomSampler([1.0, 2.0], 0),
    lambda lib: lib.utils.data.WeightedRandomSampler([1.0, 2.0], True),
    lambda lib: lib.utils.data.WeightedRandomSampler([1.0, 2.0], 2, replacement=None),
    lambda lib: lib.utils.data.WeightedRandomSampler([[1.0, 2.0]], 2),
    lambda lib: list(lib.utils.data.WeightedRandomSampler([1.0, 2.0], 3, replacement=False)),
])
def test_weighted_random_sampler_errors(make):
    assert_raises_like(make)


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("batch_size", [1, 3, 5, 11])
def test_batch_sampler(batch_size, drop_last):
    def f(lib):
        D = lib.utils.data
        b = D.BatchSampler(D.SequentialSampler(range(10)), batch_size, drop_last)
        r = D.BatchSampler(D.RandomSampler(range(10)), batch_size, drop_last)
        return [list(b), len(b), list(r), len(r)]

    same(f)


@pytest.mark.parametrize("make", [
    lambda lib: lib.utils.data.BatchSampler(range(3), 0, False),
    lambda lib: lib.utils.data.BatchSampler(range(3), True, False),
    lambda lib: lib.utils.data.BatchSampler(range(3), 2, 0),
    lambda lib: iter(lib.utils.data.Sampler()).__next__(),
])
def test_batch_sampler_errors(make):
    assert_raises_like(make)
