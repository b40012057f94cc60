"""default_collate and default_convert against PyTorch."""

import collections

import numpy as np
import pytest
from data_helpers import same
from optable import assert_raises_like

Point = collections.namedtuple("Point", ["x", "y"])

BATCHES = {
    "ints": lambda lib: [0, 1, 2, 3],
    "bools": lambda lib: [True, False],
    "floats": lambda lib: [0.5, 1.0],
    "strings": lambda lib: ["a", "b", "c"],
    "bytes": lambda lib: [b"a", b"b"],
    "tensors": lambda lib: [lib.arange(6.0).view(2, 3), lib.ones(2, 3)],
    "int tensors": lambda lib: [lib.tensor(1), lib.tensor(2)],
    "noncontig tensors": lambda lib: [lib.arange(6).view(2, 3).t(), lib.zeros(3, 2).long()],
    "numpy arrays": lambda lib: [np.arange(3, dtype=np.float32), np.ones(3, np.float32)],
    "numpy int arrays": lambda lib: [np.arange(4).reshape(2, 2), np.arange(4).reshape(2, 2)],
    "numpy scalars": lambda lib: [np.float32(1.5), np.float32(2.5)],
    "numpy float64 scalars": lambda lib: [np.float64(1.5), np.float64(2.5)],
    "numpy int scalars": lambda lib: [np.int16(3), np.int16(4)],
    "numpy bools": lambda lib: [np.bool_(True), np.bool_(False)],
    "dicts": lambda lib: [{"A": 0, "B": 1.0}, {"A": 100, "B": 2.0}],
    "ordered dicts": lambda lib: [collections.OrderedDict(a=lib.zeros(2), b="x"),
                                  collections.OrderedDict(a=lib.ones(2), b="y")],
    "namedtuples": lambda lib: [Point(0, lib.zeros(1)), Point(1, lib.ones(1))],
    "tuples": lambda lib: [(0, 1), (2, 3)],
    "lists": lambda lib: [[0, "a"], [2, "b"]],
    "nested": lambda lib: [{"x": [lib.zeros(2), (1, 2.0)]}, {"x": [lib.ones(2), (3, 4.0)]}],
    "tensor samples": lambda lib: [(lib.tensor([1.0, 2.0]), 1), (lib.tensor([3.0, 4.0]), 0)],
}


@pytest.mark.parametrize("name", list(BATCHES))
def test_default_collate(name):
    same(lambda lib: lib.utils.data.default_collate(BATCHES[name](lib)))


@pytest.mark.parametrize("name", list(BATCHES))
def test_default_convert(name):
    same(lambda lib: [lib.utils.data.default_convert(s) for s in BATCHES[name](lib)])


def test_default_convert_numpy():
    same(lambda lib: [lib.utils.data.default_convert(np.array([1, 2])),
                      lib.utils.data.default_convert(np.array(["a"])),
                      lib.utils.data.default_convert(np.float64(3.0)),
                      lib.utils.data.default_convert(Point(np.array(0), np.array(1.0))),
                      lib.utils.data.default_convert((np.array([0]), "s")),
                      lib.utils.data.default_convert(range(3))])


@pytest.mark.parametrize("batch", [
    lambda lib: [object(), object()],
    lambda lib: [None, None],
    lambda lib: [[1, 2], [3]],
    lambda lib: [np.array(["a"]), np.array(["b"])],
    lambda lib: [np.array([object()]), np.array([object()])],
    lambda lib: [lib.zeros(2), lib.zeros(3)],
    lambda lib: [],
])
def test_default_collate_errors(batch):
    assert_raises_like(lambda lib: lib.utils.data.default_collate(batch(lib)))


def test_collate_fn_map_extension():
    def f(lib):
        from importlib import import_module

        collate = import_module(lib.__name__ + ".utils.data._utils.collate")

        class Box:
            def __init__(self, v):
                self.v = v

        fn_map = dict(collate.default_collate_fn_map)
        fn_map[Box] = lambda batch, *, collate_fn_map: sum(b.v for b in batch)
        return collate.collate([(Box(1), 2), (Box(3), 4)], collate_fn_map=fn_map)

    same(f)
