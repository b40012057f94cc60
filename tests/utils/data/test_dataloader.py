"""DataLoader against PyTorch: batch order, collation, RNG state after iteration, errors."""

import math
import warnings

import numpy as np
import pytest
import torch
from data_helpers import same
from optable import assert_raises_like

import ember


def _tensors(lib, n=10):
    return lib.utils.data.TensorDataset(lib.arange(n * 2).view(n, 2).float(), lib.arange(n) % 3)


class _Pairs:
    """A map-style dataset of (int, float, str, dict) samples, no tensors."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return i, i / 2, f"s{i}", {"sq": i * i}


def _epochs(loader, n=2):
    return [list(loader) for _ in range(n)]


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 16])
def test_batches_shuffle_drop_last(shuffle, drop_last, batch_size):
    def f(lib):
        loader = lib.utils.data.DataLoader(_tensors(lib), batch_size=batch_size, shuffle=shuffle,
                                           drop_last=drop_last)
        return [len(loader)] + _epochs(loader)

    same(f)


def test_python_samples_are_collated():
    same(lambda lib: _epochs(lib.utils.data.DataLoader(_Pairs(), batch_size=3, shuffle=True)))


def test_generator():
    def f(lib):
        g = lib.Generator().manual_seed(5)
        loader = lib.utils.data.DataLoader(_tensors(lib), batch_size=4, shuffle=True,
                                           generator=g)
        return _epochs(loader) + [g.get_state()]

    same(f)


@pytest.mark.parametrize("make_sampler", [
    lambda lib, ds: lib.utils.data.SequentialSampler(ds),
    lambda lib, ds: lib.utils.data.RandomSampler(ds, replacement=True, num_samples=13),
    lambda lib, ds: lib.utils.data.SubsetRandomSampler([1, 3, 5, 7, 9]),
    lambda lib, ds: lib.utils.data.WeightedRandomSampler([1.0] * 5 + [3.0] * 5, 8),
    lambda lib, ds: [9, 0, 8, 1],
])
def test_samplers(make_sampler):
    def f(lib):
        ds = _tensors(lib)
        return _epochs(lib.utils.data.DataLoader(ds, batch_size=3, sampler=make_sampler(lib, ds)))

    same(f)


def test_batch_sampler_and_no_auto_batching():
    def f(lib):
        D = lib.utils.data
        ds = _tensors(lib)
        bs = D.BatchSampler(D.RandomSampler(ds), 4, drop_last=False)
        by_batch = D.DataLoader(ds, batch_sampler=bs)
        custom = D.DataLoader(ds, batch_sampler=[[0, 1], [5], [9, 2, 2]])
        unbatched = D.DataLoader(_Pairs(), batch_size=None, shuffle=True)
        listed = D.DataLoader(ds, batch_size=None, sampler=[[1, 2], [3]])
        return [len(by_batch), _epochs(by_batch), list(custom), list(unbatched), list(listed)]

    same(f)


def test_collate_fn():
    def f(lib):
        loader = lib.utils.data.DataLoader(_Pairs(), batch_size=3,
                                           collate_fn=lambda b: [s[0] for s in b])
        return list(loader)

    same(f)


def test_iterable_dataset():
    def f(lib):
        class Stream(lib.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(7))

            def __len__(self):
                return 7

        return [list(lib.utils.data.DataLoader(Stream(), batch_size=3)),
                list(lib.utils.data.DataLoader(Stream(), batch_size=3, drop_last=True)),
                list(lib.utils.data.DataLoader(Stream(), batch_size=None)),
                len(lib.utils.data.DataLoader(Stream(), batch_size=3))]

    same(f)


def test_rng_state_after_partial_iteration():
    def f(lib):
        it = iter(lib.utils.data.DataLoader(_tensors(lib, 50), batch_size=8, shuffle=True))
        first = next(it)
        return [first, lib.rand(3)]

    same(f)


def test_fast_path_equals_per_sample_path():
    """The TensorDataset fast path gives what __getitem__ + stack gives (PyTorch's layout)."""
    x = ember.randn(20, 3, 2).transpose(1, 2)  # non-contiguous
    y = ember.arange(20)
    ds = ember.utils.data.TensorDataset(x, y)
    slow = ember.utils.data.DataLoader(ds, batch_size=6,
                                       collate_fn=lambda b: ember.utils.data.default_collate(b))
    fast = ember.utils.data.DataLoader(ds, batch_size=6)
    for a, b in zip(slow, fast):
        for s, t in zip(a, b):
            assert s.dtype == t.dtype and s.shape == t.shape and t.is_contiguous()
            assert np.array_equal(s.numpy(), t.numpy())

    def strides(lib):
        lib.manual_seed(0)
        ds = lib.utils.data.TensorDataset(lib.randn(20, 3, 2).transpose(1, 2), lib.arange(20))
        return [[(t.stride(), t) for t in b] for b in lib.utils.data.DataLoader(ds, batch_size=6)]

    same(strides)
    # custom index lists (negative, repeated) and out-of-range indices go the same way
    same(lambda lib: list(lib.utils.data.DataLoader(_tensors(lib), batch_sampler=[[-1, 0, 0]])))
    assert_raises_like(lambda lib: list(lib.utils.data.DataLoader(_tensors(lib),
                                                                  batch_sampler=[[3, 10]])))


def test_tensor_dataset_requiring_grad_keeps_the_graph():
    def f(lib):
        x = lib.arange(6.0).view(3, 2).requires_grad_()
        (batch,) = next(iter(lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x),
                                                       batch_size=2)))
        return [batch.grad_fn.name(), batch.detach()]

    same(f)


@pytest.mark.parametrize("kw", [
    {"num_workers": -1},
    {"timeout": -1},
    {"prefetch_factor": 2},
    {"num_workers": 1, "prefetch_factor": -1},
    {"persistent_workers": True},
    {"sampler": [0, 1], "shuffle": True},
    {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "shuffle": True},
    {"batch_sampler": [[0]], "sampler": [0]},
    {"batch_sampler": [[0]], "drop_last": True},
    {"batch_size": None, "drop_last": True},
    {"batch_size": 0},
    {"multiprocessing_context": "fork"},
    {"num_workers": 1, "multiprocessing_context": "nope"},
    {"num_workers": 1, "multiprocessing_context": 3},
])
def test_argument_errors(kw):
    assert_raises_like(lambda lib: lib.utils.data.DataLoader(_tensors(lib), **kw))


def test_iterable_dataset_argument_errors():
    def make(kw):
        def f(lib):
            class Stream(lib.utils.data.IterableDataset):
                def __iter__(self):
                    return iter(range(3))

            return lib.utils.data.DataLoader(Stream(), **kw)

        return f

    for kw in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        assert_raises_like(make(kw))


def test_uncollatable_samples_and_setattr():
    assert_raises_like(lambda lib: list(lib.utils.data.DataLoader([object()] * 3, batch_size=2)))
    assert_raises_like(lambda lib: list(lib.utils.data.DataLoader([[1, 2], [3]], batch_size=2)))

    def set_after(lib):
        loader = lib.utils.data.DataLoader(_tensors(lib))
        loader.batch_size = 3

    assert_raises_like(set_after)


def test_pin_memory_is_accepted_and_warns_like_torch():
    messages = []
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            batches = list(lib.utils.data.DataLoader(_tensors(lib), batch_size=4,
                                                     pin_memory=True))
        messages.append([str(w.message) for w in caught])
        assert len(batches) == 3
    assert messages[0] == messages[1]


def test_len_and_sampler_attributes():
    def f(lib):
        loader = lib.utils.data.DataLoader(_tensors(lib, 11), batch_size=4, shuffle=True)
        return [len(loader), type(loader.sampler).__name__, type(loader.batch_sampler).__name__,
                loader.batch_size, loader.drop_last, loader.prefetch_factor,
                lib.utils.data.get_worker_info() is None]

    same(f)


# ------------------------------------------------------------------------- worker processes


class _WorkerView:
    """Samples that say which worker made them and what its seeds were."""

    def __len__(self):
        return 9

    def __getitem__(self, i):
        import random

        import numpy as np

        lib = ember if isinstance(self, _EmberView) else torch
        info = lib.utils.data.get_worker_info()
        return {"i": i, "worker": info.id, "seed": info.seed, "n": info.num_workers,
                "torch_rand": float(lib.rand(())), "py_rand": random.random(),
                "np_rand": float(np.random.rand())}


class _EmberView(_WorkerView):
    pass


def _worker_init(worker_id):
    import random

    random.seed(1000 + worker_id)


def test_two_workers_batch_order_seeds_and_rng_state():
    def f(lib):
        ds = _EmberView() if lib is ember else _WorkerView()
        loader = lib.utils.data.DataLoader(ds, batch_size=2, shuffle=True, num_workers=2,
                                           worker_init_fn=_worker_init)
        return _epochs(loader)

    same(f)


def test_two_persistent_workers_tensor_batches():
    def f(lib):
        g = lib.Generator().manual_seed(11)
        loader = lib.utils.data.DataLoader(_tensors(lib, 13), batch_size=3, shuffle=True,
                                           num_workers=2, persistent_workers=True,
                                           prefetch_factor=1, generator=g)
        return [len(loader)] + _epochs(loader) + [g.get_state()]

    same(f)


class _Boom:
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise ValueError("bad sample 2")
        return i


def test_worker_errors_are_reraised_like_torch():
    errors = []
    for lib in (torch, ember):
        it = iter(lib.utils.data.DataLoader(_Boom(), batch_size=1, num_workers=2))
        try:
            list(it)
        except ValueError as e:
            errors.append(str(e).splitlines())
        # shut down now: left to the garbage collector, both libraries wait 5 s per worker
        it._shutdown_workers()
    assert len(errors) == 2
    # first line and the original error line agree; the traceback's file paths differ
    assert errors[1][0] == errors[0][0] == "Caught ValueError in DataLoader worker process 0."
    assert errors[1][-1] == errors[0][-1] == "ValueError: bad sample 2"


def test_iterable_dataset_with_workers():
    def f(lib):
        class Stream(lib.utils.data.IterableDataset):
            def __iter__(self):
                info = lib.utils.data.get_worker_info()
                per = math.ceil(10 / info.num_workers)
                return iter(range(info.id * per, min(10, (info.id + 1) * per)))

        return list(lib.utils.data.DataLoader(Stream(), batch_size=2, num_workers=2))

    same(f)
