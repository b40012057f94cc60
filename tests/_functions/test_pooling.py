"""Pooling against PyTorch: max/avg (1-3 d) over kernel, stride, padding, dilation and
ceil_mode; adaptive, fractional and LP pooling; max-unpooling; values, returned indices (ties,
NaN, -inf), gradients, double backward, grad_fn names and error messages."""

import numpy as np
import pytest
import torch

import ember
from tests.optable import OpCase, assert_raises_like, check_case, gradcheck_case, make


def F(lib):
    return lib.nn.functional


def arr(*shape, dtype="float32"):
    return make(shape, dtype, -2.0, 2.0)


# ---------------------------------------------------------------- max pooling
MAX2D = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((2, 3, 7, 9), dict(kernel_size=2)),  # odd sizes: the last row/column is dropped
    ((2, 3, 7, 9), dict(kernel_size=2, ceil_mode=True)),
    ((2, 3, 9, 8), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 3, 9, 8), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((1, 2, 9, 10), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1))),
    ((1, 2, 9, 10), dict(kernel_size=3, stride=1, dilation=2, ceil_mode=True)),
    ((2, 2, 6, 6), dict(kernel_size=3, stride=3)),
    ((3, 7, 7), dict(kernel_size=3, stride=2, padding=1)),  # unbatched
    ((1, 1, 5, 5), dict(kernel_size=5, padding=2)),
    ((0, 2, 4, 4), dict(kernel_size=2)),  # empty batch
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,kw", MAX2D, ids=[str(i) for i in range(len(MAX2D))])
def test_max_pool2d(shape, kw, dtype):
    x = arr(*shape, dtype=dtype)
    check_case(OpCase("max_pool2d", lambda lib, x: F(lib).max_pool2d(x, **kw, return_indices=True),
                      [x]))
    check_case(OpCase("max_pool2d", lambda lib, x: F(lib).max_pool2d(x, **kw), [x]))


def test_max_pool2d_noncontiguous_and_grad_fn():
    x = arr(2, 3, 6, 8)
    check_case(OpCase("max_pool2d_t", lambda lib, x: F(lib).max_pool2d(
        x.transpose(2, 3), 2, return_indices=True), [x]))
    check_case(OpCase("max_pool2d_cl", lambda lib, x: F(lib).max_pool2d(
        x.permute(0, 2, 3, 1), (2, 1), return_indices=True), [x]))
    for lib in (torch, ember):
        y = F(lib).max_pool2d(lib.ones(1, 1, 4, 4, requires_grad=True), 2)
        assert y.grad_fn.name() == "MaxPool2DWithIndicesBackward0"


@pytest.mark.parametrize("fill", ["ties", "nan", "-inf", "int"])
def test_max_pool_indices_special_values(fill):
    """PyTorch's rule: first maximum wins, the last NaN wins, all -inf keeps the first valid."""
    x = arr(2, 2, 8, 8)
    if fill == "ties":
        x = np.round(x)
    elif fill == "nan":
        x[0, 0, 0, :5] = np.nan
        x[1, 1, 2:5, 2:5] = np.nan
        x[0, 1, 3, 3] = np.nan
    elif fill == "-inf":
        x[0, 0] = -np.inf
        x[1, 1, :3] = -np.inf
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
               dict(kernel_size=2, stride=1, dilation=2)):
        xs = x.astype(np.int32) if fill == "int" else x
        res = [F(lib).max_pool2d(lib.from_numpy(xs.copy()), **kw, return_indices=True)
               for lib in (torch, ember)]
        np.testing.assert_array_equal(res[1][1].numpy(), res[0][1].numpy())
        np.testing.assert_array_equal(res[1][0].numpy(), res[0][0].numpy())
        assert res[1][0].dtype == getattr(ember, str(res[0][0].dtype).split(".")[1])


@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 9), dict(kernel_size=2)),
    ((2, 3, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((3, 10), dict(kernel_size=4, stride=3, dilation=2)),
    ((1, 2, 5), dict(kernel_size=2, stride=1, padding=1)),
])
def test_max_pool1d(shape, kw):
    x = arr(*shape)
    check_case(OpCase("max_pool1d", lambda lib, x: F(lib).max_pool1d(x, **kw), [x]))
    check_case(OpCase("max_pool1d_idx", lambda lib, x: F(lib).max_pool1d(
        x, **kw, return_indices=True), [x]))
    check_case(OpCase("torch.max_pool1d_with_indices",
                      lambda lib, x: lib.max_pool1d_with_indices(x, **kw), [x]))


@pytest.mark.parametrize("shape,kw", [
    ((2, 2, 6, 7, 8), dict(kernel_size=2)),
    ((1, 2, 7, 6, 5), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((2, 5, 6, 7), dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), dilation=(2, 1, 1))),
])
def test_max_pool3d(shape, kw):
    x = arr(*shape)
    check_case(OpCase("max_pool3d", lambda lib, x: F(lib).max_pool3d(
        x, **kw, return_indices=True), [x]))


def test_max_pool_integer_dtypes():
    x = (arr(2, 2, 6, 6) * 10).astype(np.int64)
    for dt in (np.int64, np.int32, np.int16, np.uint8):
        check_case(OpCase("max_pool2d_int", lambda lib, x: F(lib).max_pool2d(
            x, 3, 2, 1, return_indices=True), [np.abs(x).astype(dt)]))


# ---------------------------------------------------------------- average pooling
AVG2D = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ((2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                        count_include_pad=False)),
    ((2, 3, 7, 9), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0), divisor_override=4)),
    ((1, 2, 5, 5), dict(kernel_size=2, stride=2, ceil_mode=True)),
    ((3, 6, 6), dict(kernel_size=2, stride=1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,kw", AVG2D, ids=[str(i) for i in range(len(AVG2D))])
def test_avg_pool2d(shape, kw, dtype):
    x = arr(*shape, dtype=dtype)
    check_case(OpCase("avg_pool2d", lambda lib, x: F(lib).avg_pool2d(x, **kw), [x]))


def test_avg_pool_bitexact_float32():
    x = arr(4, 5, 11, 13)
    for kw in AVG2D[:6]:
        kw = kw[1]
        a = F(ember).avg_pool2d(ember.from_numpy(x.copy()), **kw).numpy()
        b = F(torch).avg_pool2d(torch.from_numpy(x.copy()), **kw).numpy()
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 9), dict(kernel_size=2)),
    ((2, 3, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                     count_include_pad=False)),
    ((3, 10), dict(kernel_size=4, stride=3)),
])
def test_avg_pool1d(shape, kw):
    check_case(OpCase("avg_pool1d", lambda lib, x: F(lib).avg_pool1d(x, **kw), [arr(*shape)]))


@pytest.mark.parametrize("shape,kw", [
    ((2, 2, 6, 7, 8), dict(kernel_size=2)),
    ((1, 2, 7, 6, 5), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                           count_include_pad=False)),
    ((2, 5, 6, 7), dict(kernel_size=(2, 3, 2), stride=1, divisor_override=5)),
])
def test_avg_pool3d(shape, kw):
    check_case(OpCase("avg_pool3d", lambda lib, x: F(lib).avg_pool3d(x, **kw), [arr(*shape)]))


def test_avg_pool_long():
    x = (arr(2, 2, 5, 5) * 10).astype(np.int64)
    check_case(OpCase("avg_pool2d_long", lambda lib, x: F(lib).avg_pool2d(x, 2, 1, 1), [x]))
    check_case(OpCase("avg_pool2d_long", lambda lib, x: F(lib).avg_pool2d(
        x, 3, 2, 1, divisor_override=-2), [x]))


# ---------------------------------------------------------------- adaptive pooling
ADAPTIVE = [((2, 3, 7, 9), o) for o in [(3, 4), (7, 9), (1, 1), 2, (5, 5), (1, 9), (14, 4),
                                          (None, 3)]]


@pytest.mark.parametrize("shape,o", ADAPTIVE, ids=[str(i) for i in range(len(ADAPTIVE))])
def test_adaptive_pool2d(shape, o):
    x = arr(*shape)
    check_case(OpCase("adaptive_avg_pool2d", lambda lib, x: F(lib).adaptive_avg_pool2d(x, o),
                      [x]))
    check_case(OpCase("adaptive_max_pool2d", lambda lib, x: F(lib).adaptive_max_pool2d(
        x, o, return_indices=True), [x]))
    a = F(ember).adaptive_avg_pool2d(ember.from_numpy(x.copy()), o).numpy()
    b = F(torch).adaptive_avg_pool2d(torch.from_numpy(x.copy()), o).numpy()
    if o != (1, 1):
        assert a.tobytes() == b.tobytes()  # the same sums, the same two divisions


def test_adaptive_pool_1d_3d_and_unbatched():
    check_case(OpCase("aap1", lambda lib, x: F(lib).adaptive_avg_pool1d(x, 4), [arr(2, 3, 10)]))
    check_case(OpCase("amp1", lambda lib, x: F(lib).adaptive_max_pool1d(x, 4, True),
                      [arr(3, 10)]))
    check_case(OpCase("torch.amp1", lambda lib, x: lib.adaptive_max_pool1d(x, 3),
                      [arr(2, 3, 10)]))
    check_case(OpCase("torch.aap1", lambda lib, x: lib.adaptive_avg_pool1d(x, 3),
                      [arr(2, 3, 10)]))
    check_case(OpCase("aap3", lambda lib, x: F(lib).adaptive_avg_pool3d(x, (2, 3, 4)),
                      [arr(2, 2, 5, 6, 7)]))
    check_case(OpCase("aap3_1", lambda lib, x: F(lib).adaptive_avg_pool3d(x, 1),
                      [arr(2, 5, 6, 7)]))
    check_case(OpCase("amp3", lambda lib, x: F(lib).adaptive_max_pool3d(x, (2, 3, 4), True),
                      [arr(2, 5, 6, 7)]))
    check_case(OpCase("aap2_unbatched", lambda lib, x: F(lib).adaptive_avg_pool2d(x, 3),
                      [arr(3, 7, 5)]))
    check_case(OpCase("aap_large_window", lambda lib, x: F(lib).adaptive_avg_pool2d(x, (1, 2)),
                      [arr(2, 2, 30, 31)], rtol=1e-4))


def test_adaptive_max_nan():
    x = arr(2, 2, 7, 9)
    x[0, 0, 1:3, 1:5] = np.nan
    res = [F(lib).adaptive_max_pool2d(lib.from_numpy(x.copy()), (3, 4), True)
           for lib in (torch, ember)]
    np.testing.assert_array_equal(res[1][1].numpy(), res[0][1].numpy())


# ---------------------------------------------------------------- fractional max pooling
@pytest.mark.parametrize("k,kw", [
    (2, dict(output_size=(4, 5))), (3, dict(output_size=3)), ((2, 3), dict(output_size=(6, 7))),
    (2, dict(output_ratio=(0.5, 0.7))),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fractional_max_pool2d(k, kw, dtype):
    x = arr(2, 3, 9, 11, dtype=dtype)
    samples = make((2, 3, 2), dtype, 0.0, 1.0)
    check_case(OpCase("fmp2", lambda lib, x, s: F(lib).fractional_max_pool2d(
        x, k, **kw, return_indices=True, _random_samples=s), [x, samples], grad=[True, False]))
    # the default samples: rand(N, C, 2) drawn from the global generator, as PyTorch
    outs = []
    for lib in (torch, ember):
        lib.manual_seed(5)
        outs.append(F(lib).fractional_max_pool2d(lib.from_numpy(x.copy()), k, **kw,
                                                  return_indices=True))
        outs.append(lib.rand(3))
    np.testing.assert_array_equal(outs[2][1].numpy(), outs[0][1].numpy())
    np.testing.assert_array_equal(outs[3].numpy(), outs[1].numpy())


def test_fractional_max_pool3d_and_unbatched():
    for lib_shape in [(2, 2, 6, 7, 8), (2, 6, 7, 8)]:
        x = arr(*lib_shape)
        outs = []
        for lib in (torch, ember):
            lib.manual_seed(1)
            outs.append(F(lib).fractional_max_pool3d(lib.from_numpy(x.copy()), 2,
                                                      output_size=(3, 4, 5),
                                                      return_indices=True))
        np.testing.assert_array_equal(outs[1][1].numpy(), outs[0][1].numpy())
        np.testing.assert_array_equal(outs[1][0].numpy(), outs[0][0].numpy())
    x = arr(3, 8, 8)
    outs = []
    for lib in (torch, ember):
        lib.manual_seed(2)
        outs.append(F(lib).fractional_max_pool2d(lib.from_numpy(x.copy()), 3, output_size=4))
    np.testing.assert_array_equal(outs[1].numpy(), outs[0].numpy())


# ---------------------------------------------------------------- unpooling and LP pooling
def test_max_unpool():
    x = arr(2, 3, 6, 8)
    check_case(OpCase("unpool2", lambda lib, x: F(lib).max_unpool2d(
        *F(lib).max_pool2d(x, 2, return_indices=True), 2), [x]))
    check_case(OpCase("unpool2_overlap", lambda lib, x: F(lib).max_unpool2d(
        *F(lib).max_pool2d(x, 3, 1, return_indices=True), 3, 1), [x]))
    check_case(OpCase("unpool2_size", lambda lib, x: F(lib).max_unpool2d(
        *F(lib).max_pool2d(x, 2, return_indices=True), 2, output_size=(7, 9)), [x]))
    check_case(OpCase("unpool1", lambda lib, x: F(lib).max_unpool1d(
        *F(lib).max_pool1d(x, 2, return_indices=True), 2), [arr(2, 3, 8)]))
    check_case(OpCase("unpool3", lambda lib, x: F(lib).max_unpool3d(
        *F(lib).max_pool3d(x, 2, return_indices=True), 2), [arr(1, 2, 4, 6, 6)]))


def test_lp_pool():
    x = np.abs(arr(2, 3, 8, 9)) + 0.1
    check_case(OpCase("lp2", lambda lib, x: F(lib).lp_pool2d(x, 2, 3, 2), [x], rtol=1e-4))
    check_case(OpCase("lp2_ceil", lambda lib, x: F(lib).lp_pool2d(x, 1.5, (2, 3), ceil_mode=True),
                      [x], rtol=1e-4))
    check_case(OpCase("lp2_inf", lambda lib, x: F(lib).lp_pool2d(x, float("inf"), 2), [x]))
    check_case(OpCase("lp1", lambda lib, x: F(lib).lp_pool1d(x, 3, 2), [x[0]], rtol=1e-4))
    check_case(OpCase("lp3", lambda lib, x: F(lib).lp_pool3d(x, 2, 2), [x], rtol=1e-4))


# ---------------------------------------------------------------- gradcheck and double backward
GRADCHECK = [
    ("max2", lambda lib, x: F(lib).max_pool2d(x, 3, 2, 1, ceil_mode=True), (2, 2, 7, 7)),
    ("max2_2x2", lambda lib, x: F(lib).max_pool2d(x, 2), (1, 2, 4, 6)),
    ("max1", lambda lib, x: F(lib).max_pool1d(x, 2, 1, dilation=2), (2, 2, 7)),
    ("max3", lambda lib, x: F(lib).max_pool3d(x, 2, 1), (1, 1, 3, 4, 3)),
    ("avg2", lambda lib, x: F(lib).avg_pool2d(x, 3, 2, 1, count_include_pad=False), (1, 2, 6, 7)),
    ("avg3", lambda lib, x: F(lib).avg_pool3d(x, 2, 1, ceil_mode=True), (1, 1, 3, 4, 3)),
    ("aavg", lambda lib, x: F(lib).adaptive_avg_pool2d(x, (3, 4)), (1, 2, 5, 7)),
    ("amax", lambda lib, x: F(lib).adaptive_max_pool2d(x, (3, 4)), (1, 2, 5, 7)),
    ("fmax", lambda lib, x: F(lib).fractional_max_pool2d(
        x, 2, (3, 3), _random_samples=lib.full((1, 2, 2), 0.3, dtype=lib.float64)), (1, 2, 6, 6)),
    ("unpool", lambda lib, x: F(lib).max_unpool2d(
        x, lib.tensor([[[[0, 3], [9, 15]]]]), 2), (1, 1, 2, 2)),
    ("lp", lambda lib, x: F(lib).lp_pool2d(x.abs() + 0.5, 2, 2), (1, 1, 4, 4)),
]


@pytest.mark.parametrize("name,fn,shape", GRADCHECK, ids=[g[0] for g in GRADCHECK])
def test_gradcheck(name, fn, shape):
    x = make(shape, "float64", -1.0, 1.0)
    gradcheck_case(OpCase(name, fn, [x]), second_order=True)


def test_double_backward_node_names():
    names = []
    for lib in (torch, ember):
        x = lib.from_numpy(arr(1, 1, 4, 4, dtype="float64")).requires_grad_(True)
        g = lib.ones(1, 1, 2, 2, dtype=lib.float64, requires_grad=True)
        row = []
        for y in (F(lib).max_pool2d(x, 2), F(lib).avg_pool2d(x, 2),
                  F(lib).adaptive_avg_pool2d(x, 3)):
            (gx,) = lib.autograd.grad(y, x, g if y.shape == g.shape else lib.ones_like(
                y).requires_grad_(True), create_graph=True)
            row.append(gx.grad_fn.name())
        names.append(row)
    assert names[1] == names[0]


# ---------------------------------------------------------------- errors
ERRORS = [
    lambda lib: F(lib).max_pool2d(lib.ones(1, 2, 2), 3),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 5, 5), 3, padding=2),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 5, 5), 3, stride=0),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 5, 5), 2, dilation=0),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 5, 5), (2, 2, 2)),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 5, 5), 2, stride=(1, 1, 1)),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 5, 5), 2, padding=(1, 1, 1)),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 5, 5), 2, dilation=(1, 1, 1)),
    lambda lib: F(lib).max_pool2d(lib.ones(5, 5), 2),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 0, 5, 5), 2),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 5, 5), 2, padding=-1),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 5, 5), 0, stride=1),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 5, 5, dtype=lib.bool), 2),
    lambda lib: F(lib).max_pool2d([1.0], 2),
    lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 5, 5), 2.0),
    lambda lib: F(lib).max_pool1d(lib.ones(2, 3, 1), 2),
    lambda lib: F(lib).max_pool1d(lib.ones(2, 3, 1), 2, return_indices=True),
    lambda lib: F(lib).max_pool1d(lib.ones(2, 3, 4), 3, padding=2),
    lambda lib: F(lib).max_pool1d(lib.ones(4), 2),
    lambda lib: F(lib).max_pool1d(lib.ones(4), 2, return_indices=True),
    lambda lib: F(lib).max_pool1d(lib.ones(2, 0, 4), 2),
    lambda lib: F(lib).max_pool1d(lib.ones(2, 3, 4), 2, dilation=0),
    lambda lib: F(lib).max_pool1d(lib.ones(2, 3, 4), 2, stride=0),
    lambda lib: F(lib).max_pool1d(lib.ones(2, 3, 4), 0),
    lambda lib: F(lib).max_pool1d(lib.ones(1, 1, 4), (2, 2)),
    lambda lib: F(lib).max_pool1d(lib.ones(1, 1, 4, dtype=lib.long), 2),
    lambda lib: F(lib).max_pool3d(lib.ones(1, 1, 2, 2, 2), 3),
    lambda lib: F(lib).max_pool3d(lib.ones(4, 4, 4), 2),
    lambda lib: F(lib).max_pool3d(lib.ones(1, 0, 4, 4, 4), 2),
    lambda lib: F(lib).max_pool3d(lib.ones(1, 1, 4, 4, 4), 0, stride=1),
    lambda lib: F(lib).max_pool3d(lib.ones(1, 1, 4, 4, 4), (2, 2)),
    lambda lib: F(lib).avg_pool2d(lib.ones(1, 2, 2), 3),
    lambda lib: F(lib).avg_pool2d(lib.ones(2, 3, 5, 5), 3, padding=2),
    lambda lib: F(lib).avg_pool2d(lib.ones(2, 3, 5, 5), 2, divisor_override=0),
    lambda lib: F(lib).avg_pool2d(lib.ones(2, 3, 5, 5, dtype=lib.int32), 2),
    lambda lib: F(lib).avg_pool2d(lib.ones(5, 5), 2),
    lambda lib: F(lib).avg_pool2d(lib.ones(2, 0, 5, 5), 2),
    lambda lib: F(lib).avg_pool2d(lib.ones(2, 3, 5, 5), (2, 2, 2)),
    lambda lib: F(lib).avg_pool1d(lib.ones(2, 3, 1), 2),
    lambda lib: F(lib).avg_pool1d(lib.ones(4), 2),
    lambda lib: F(lib).avg_pool1d(lib.ones(1, 1, 4), 2, stride=(1, 1)),
    lambda lib: F(lib).avg_pool3d(lib.ones(1, 1, 2, 2, 2), 3),
    lambda lib: F(lib).avg_pool3d(lib.ones(1, 0, 4, 4, 4), 2),
    lambda lib: F(lib).avg_pool3d(lib.ones(1, 1, 4, 4, 4), (2, 2)),
    lambda lib: F(lib).avg_pool3d(lib.ones(4, 4), 2),
    lambda lib: F(lib).adaptive_avg_pool2d(lib.ones(2, 3, 5, 5), -1),
    lambda lib: F(lib).adaptive_avg_pool2d(lib.ones(5, 5), 2),
    lambda lib: F(lib).adaptive_avg_pool2d(lib.ones(2, 3, 5, 5), (2, 2, 2)),
    lambda lib: F(lib).adaptive_avg_pool2d(lib.ones(1, 2, 0, 5), 2),
    lambda lib: F(lib).adaptive_avg_pool2d(lib.ones(2, 3, 5, 5, dtype=lib.long), 2),
    lambda lib: F(lib).adaptive_avg_pool2d(lib.ones(3), (None, 2)),
    lambda lib: F(lib).adaptive_avg_pool1d(lib.ones(2, 3, 5, 5), 2),
    lambda lib: F(lib).adaptive_avg_pool1d(lib.ones(2, 3), (2, 2)),
    lambda lib: F(lib).adaptive_avg_pool3d(lib.ones(5, 5), 2),
    lambda lib: F(lib).adaptive_avg_pool3d(lib.ones(2, 5, 5, 5), (1, 2)),
    lambda lib: F(lib).adaptive_avg_pool3d(lib.ones(2, 5, 5, 5), -1),
    lambda lib: F(lib).adaptive_max_pool2d(lib.ones(5, 5), 2),
    lambda lib: F(lib).adaptive_max_pool2d(lib.ones(2, 0, 4, 5), 2),
    lambda lib: F(lib).adaptive_max_pool2d(lib.ones(2, 3, 5, 5), (2, 2, 2)),
    lambda lib: F(lib).adaptive_max_pool2d(lib.ones(2, 3, 5, 5, dtype=lib.long), 2),
    lambda lib: F(lib).adaptive_max_pool1d(lib.ones(2, 0), 2),
    lambda lib: F(lib).adaptive_max_pool3d(lib.ones(5, 5), 2),
    lambda lib: F(lib).fractional_max_pool2d(lib.ones(2, 3, 5, 5), 2),
    lambda lib: F(lib).fractional_max_pool2d(lib.ones(2, 3, 5, 5), 2, output_size=5),
    lambda lib: F(lib).fractional_max_pool2d(lib.ones(2, 3, 5, 5), 2, output_ratio=(.5, .5, .5)),
    lambda lib: F(lib).fractional_max_pool2d(lib.ones(2, 3, 5, 5), 2, output_ratio=0.5),
    lambda lib: F(lib).fractional_max_pool2d(lib.ones(2, 3, 5, 5), (2, 2, 2), output_size=2),
    lambda lib: F(lib).fractional_max_pool2d(lib.ones(2, 3, 5, 5), 2, output_size=(2, 2, 2)),
    lambda lib: F(lib).fractional_max_pool2d(lib.ones(2, 3, 5, 5), 2, output_size=2,
                                             _random_samples=lib.rand(2, 3, 3)),
    lambda lib: F(lib).fractional_max_pool2d(lib.ones(2, 3, 5, 5), 2, output_size=2,
                                             _random_samples=lib.rand(1, 3, 2)),
    lambda lib: F(lib).fractional_max_pool2d(lib.ones(2, 3, 5, 5), 2, output_size=2,
                                             _random_samples=lib.rand(2, 3, 2).double()),
    lambda lib: F(lib).fractional_max_pool2d(lib.ones(5, 5), 2, output_size=2),
]


def _unpool_case(kind):
    def fn(lib):
        o, i = F(lib).max_pool2d(lib.arange(150.).reshape(2, 3, 5, 5), 2, return_indices=True)
        if kind == "invalid":
            return F(lib).max_unpool2d(o, i, 2)
        if kind == "invalid10":
            return F(lib).max_unpool2d(o, i * 10, 2)
        if kind == "negative":
            return F(lib).max_unpool2d(o, i - 100, 2)
        if kind == "int32":
            return F(lib).max_unpool2d(o, i.int(), 2)
        if kind == "size":
            return F(lib).max_unpool2d(o, i, 2, output_size=(7, 7))
        if kind == "len":
            return F(lib).max_unpool2d(o, i, 2, output_size=(1, 2, 3))
        if kind == "shape":
            return F(lib).max_unpool2d(o, i[:1], 2)
        if kind == "2d":
            return F(lib).max_unpool2d(o[0, 0], i[0, 0], 2)
        if kind == "1d":
            return F(lib).max_unpool1d(o[0], i[0] * 0 + 17, 2)
        if kind == "3d":
            return F(lib).max_unpool3d(o.unsqueeze(2), i.unsqueeze(2) * 10, 2)
        return F(lib).max_unpool2d(o.long(), i, 2)
    return fn


ERRORS += [_unpool_case(k) for k in ("invalid", "invalid10", "negative", "int32", "size", "len",
                                      "shape", "2d", "1d", "3d", "long")]


@pytest.mark.parametrize("fn", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn):
    assert_raises_like(fn)
