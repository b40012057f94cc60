"""``ember._printing`` against PyTorch 2.13: every repr must match ``repr(torch_tensor)``.

Until Ember's ``Tensor`` exists, a duck-typed ``FakeTensor`` carries the attributes
``tensor_repr`` reads. Its values are the torch tensor's own memory (``.numpy()``), so dtype,
values and strides (transposed, sliced) are the same on both sides.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ember import _dtype
from ember._printing import (
    _Formatter,
    get_printoptions,
    printoptions,
    set_printoptions,
    tensor_repr,
)

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

DTYPE_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]

# values near rounding and mode boundaries: 'f' width steps, sci-mode thresholds, extremes
# fmt: off
EDGE_VALUES = [
    0.99995, 9.99995, 99.99995, 0.00015, 999.95, 1e8, 99999999.5, 1.0001e8, 1e-4, 9.9999e-5,
    1000.0, 1001.0, 1e16, 1e100, 1e-100, 5e-324, 1.7e308, 0.5, 1.5, 2.5, 65504.0, 6e-8,
    123456.789, 0.1, 1 / 3, 2 / 3, 1e-5, 1e5, 1e7,
]
# fmt: on
SPECIAL_VALUES = [math.nan, math.inf, -math.inf, -0.0, 0.0]


class FakeTensor:
    """The attributes ``tensor_repr`` reads, taken from a torch tensor."""

    def __init__(self, t: torch.Tensor):
        self._data = t.detach().numpy()
        self.dtype = _dtype.FROM_NP[self._data.dtype]
        self.requires_grad = t.requires_grad
        self.grad_fn = None
        if t.grad_fn is not None:
            # a stand-in node whose class has the name PyTorch's node has
            self.grad_fn = type(type(t.grad_fn).__name__, (), {})()
        self.is_leaf = self.grad_fn is None


def reset_both():
    torch.set_printoptions(profile="default")
    set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    _dtype.set_default_dtype(_dtype.float32)


@pytest.fixture(autouse=True)
def _restore_options():
    reset_both()
    yield
    reset_both()


def check(t: torch.Tensor):
    expected = repr(t)
    assert str(t) == expected
    assert tensor_repr(FakeTensor(t)) == expected


def make_values(rng: np.random.Generator, kind: str, dtype_name: str, n: int) -> np.ndarray:
    """``n`` values of one flavour, as the given numpy dtype."""
    np_dtype = np.dtype(dtype_name)
    if dtype_name == "bool":
        return rng.random(n) < rng.random()
    if np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        bits = int(rng.integers(1, np_dtype.itemsize * 8 + 1))
        lo = max(int(info.min), -(2 ** (bits - 1)))
        hi = min(int(info.max), 2**bits - 1)
        return rng.integers(lo, hi, size=n, endpoint=True, dtype=np_dtype)
    if kind == "int":
        scale = 10 ** int(rng.integers(0, 12))
        vals = np.round(rng.standard_normal(n) * scale)
    elif kind == "normal":
        vals = rng.standard_normal(n) * 10.0 ** int(rng.integers(-10, 13))
    elif kind == "wide":
        vals = np.sign(rng.standard_normal(n)) * 10.0 ** rng.uniform(-12, 12, n)
    elif kind == "edge":
        vals = rng.choice(EDGE_VALUES, n) * rng.choice([1.0, -1.0], n)
    else:  # "uniform"
        vals = rng.uniform(-1, 1, n) * 10.0 ** int(rng.integers(-3, 4))
    if rng.random() < 0.4:
        mask = rng.random(n) < rng.uniform(0.05, 0.6)
        vals[mask] = rng.choice(SPECIAL_VALUES, int(mask.sum()))
    if rng.random() < 0.1:
        vals[:] = rng.choice(SPECIAL_VALUES, n)  # nothing finite and nonzero
    with np.errstate(over="ignore"):
        return vals.astype(np_dtype)


SMALL_SHAPES = st.lists(st.integers(0, 6), min_size=0, max_size=4).map(tuple)
BIG_SHAPES = st.sampled_from(
    [(1001,), (2000,), (40, 30), (7, 200), (200, 7), (1, 1001), (1001, 1), (3, 20, 20),
     (2, 3, 13, 13), (11, 11, 11), (6, 6, 6, 6)]
)  # fmt: skip


@st.composite
def torch_tensors(draw, dtype_names=DTYPE_NAMES, shapes=None):
    """A torch tensor: any dtype, shape and value flavour, maybe non-contiguous or with grad."""
    dtype_name = draw(st.sampled_from(dtype_names))
    if shapes is None:
        shapes = st.one_of(SMALL_SHAPES, SMALL_SHAPES, BIG_SHAPES)
    shape = draw(shapes)
    kind = draw(st.sampled_from(["int", "normal", "wide", "edge", "uniform"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = math.prod(shape)
    t = torch.from_numpy(make_values(rng, kind, dtype_name, n).reshape(shape))

    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    if layout == "transposed" and t.dim() >= 2:
        t = t.permute(*reversed(range(t.dim())))
    elif layout == "strided" and t.dim() >= 1:
        t = t[::2]

    if t.is_floating_point():
        grad = draw(st.sampled_from(["none", "leaf", "nonleaf"]))
        if grad == "leaf":
            t = t.detach().requires_grad_()
        elif grad == "nonleaf":
            op = draw(st.sampled_from(["sigmoid", "mul", "clone", "neg"]))
            x = t.detach().requires_grad_()
            t = {"sigmoid": torch.sigmoid, "mul": lambda x: x * 2, "clone": torch.clone,
                 "neg": torch.neg}[op](x)  # fmt: skip
    return t


@SETTINGS
@given(torch_tensors())
def test_repr_matches_torch(t):
    check(t)


@SETTINGS
@given(torch_tensors(shapes=SMALL_SHAPES), st.sampled_from(["float64", "float16"]))
def test_repr_with_other_default_dtype(t, default_name):
    try:
        torch.set_default_dtype(getattr(torch, default_name))
        _dtype.set_default_dtype(getattr(_dtype, default_name))
        check(t)
    finally:
        reset_both()


OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "precision": st.integers(0, 10),
        "threshold": st.sampled_from([0, 1, 5, 50, 1000, math.inf]),
        "edgeitems": st.integers(0, 4),
        "linewidth": st.integers(5, 200),
        "profile": st.sampled_from(["default", "short", "full"]),
        "sci_mode": st.sampled_from([None, True, False]),
    },
)


@SETTINGS
@given(torch_tensors(), OPTIONS)
def test_printoptions_match_torch(t, options):
    try:
        torch.set_printoptions(**options)
        set_printoptions(**options)
        assert get_printoptions() == torch._tensor_str.get_printoptions()
        check(t)
    finally:
        reset_both()


def test_get_printoptions_defaults():
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    assert list(get_printoptions()) == list(torch._tensor_str.get_printoptions())


@pytest.mark.parametrize("profile", ["default", "short", "full"])
def test_profiles(profile):
    torch.set_printoptions(profile=profile)
    set_printoptions(profile=profile)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    check(torch.arange(2000.0).reshape(40, 50) / 7)


def test_set_printoptions_resets_sci_mode():
    # like PyTorch, any call without sci_mode puts it back to None
    set_printoptions(sci_mode=True)
    set_printoptions(precision=3)
    assert get_printoptions()["sci_mode"] is None


def test_printoptions_context_manager():
    before = get_printoptions()
    t = torch.tensor([1.123456, 2.5, 1e-3])
    with (
        printoptions(precision=2, sci_mode=True),
        torch._tensor_str.printoptions(precision=2, sci_mode=True),
    ):
        check(t)
    assert get_printoptions() == before
    with pytest.raises(ValueError), printoptions(precision=1):
        raise ValueError
    assert get_printoptions() == before


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.tensor(3.5),
        lambda: torch.tensor(-0.0),
        lambda: torch.tensor(math.nan),
        lambda: torch.tensor(7),
        lambda: torch.tensor(True),
        lambda: torch.tensor([], dtype=torch.int64),
        lambda: torch.tensor([]),
        lambda: torch.zeros(0, 3),
        lambda: torch.zeros(2, 0, 4, dtype=torch.float64),
        lambda: torch.zeros(2, 0, 4, dtype=torch.bool),
        lambda: torch.zeros(0, 3, requires_grad=True),
        lambda: torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True),
        lambda: torch.tensor([0.0, math.nan, -math.inf]),
        lambda: torch.tensor([-0.0, 1.0]),
        lambda: torch.tensor([1e-5, 1.0, 1e9]),
        lambda: torch.tensor([123456789.0]),
        lambda: torch.arange(1001),
        lambda: torch.arange(3000.0).reshape(10, 10, 30) * 1.5,
        lambda: torch.tensor([1.5, 2.5], requires_grad=True).sigmoid(),
        lambda: torch.ones(3, 40, dtype=torch.float16, requires_grad=True) * 3,
        lambda: torch.linspace(-1, 1, 45).reshape(5, 9).t(),
    ],
)
def test_examples(make):
    check(make())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(width=64), st.sampled_from(EDGE_VALUES + SPECIAL_VALUES)),
        min_size=1,
        max_size=20,
    ),
    st.integers(0, 8),
    st.sampled_from([None, True, False]),
)
def test_formatter_width_matches_torch(values, precision, sci_mode):
    """The few-candidates width analysis gives the width PyTorch's full scan gives."""
    t = torch.tensor(values, dtype=torch.float64)
    try:
        torch.set_printoptions(precision=precision, sci_mode=sci_mode)
        set_printoptions(precision=precision, sci_mode=sci_mode)
        ref = torch._tensor_str._Formatter(t)
        mine = _Formatter(t.numpy(), True)
        assert (mine.max_width, mine.int_mode, mine.sci_mode) == (
            ref.max_width,
            ref.int_mode,
            ref.sci_mode,
        )
    finally:
        reset_both()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=20))
def test_formatter_width_int64(values):
    t = torch.tensor(values, dtype=torch.int64)
    assert _Formatter(t.numpy(), False).max_width == torch._tensor_str._Formatter(t).max_width


@pytest.mark.parametrize("linewidth", range(10, 60))
def test_suffix_wrapping_boundaries(linewidth):
    """Suffixes move to a new line exactly where PyTorch moves them."""
    try:
        torch.set_printoptions(linewidth=linewidth)
        set_printoptions(linewidth=linewidth)
        for n in range(1, 12):
            check(torch.arange(float(n), dtype=torch.float64))
            check(torch.arange(float(n), dtype=torch.float16, requires_grad=True))
            check(torch.arange(n, dtype=torch.int8).reshape(1, n))
    finally:
        reset_both()
