"""Convolutions, transposed convolutions, linear, bilinear and padding against PyTorch."""

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.optable import OpCase, assert_raises_like, check_case, gradcheck_case, make


def F(lib):
    return lib.nn.functional


def rng_arr(*shape, dtype="float32", noncontig=False):
    return make(shape, dtype, -1.0, 1.0, noncontig=noncontig)


def noncontig4(shape, dtype="float32"):
    """A non-contiguous 4-D array (channels-last memory) with the given NCHW shape."""
    n, c, h, w = shape
    return np.ascontiguousarray(rng_arr(n, h, w, c, dtype=dtype)).transpose(0, 3, 1, 2)


# ---------------------------------------------------------------- conv forward/backward
CONV2D = [
    # (input shape, weight shape, kwargs)
    ((2, 3, 7, 8), (4, 3, 3, 3), {}),
    ((2, 3, 7, 8), (4, 3, 3, 3), dict(padding=1)),
    ((2, 3, 7, 8), (4, 3, 3, 2), dict(stride=2, padding=(1, 0))),
    ((2, 3, 9, 8), (4, 3, 3, 3), dict(stride=(2, 3), padding=2, dilation=(2, 1))),
    ((2, 4, 7, 8), (6, 2, 3, 3), dict(groups=2, padding=1)),
    ((2, 4, 7, 8), (8, 1, 3, 3), dict(groups=4, padding=1)),  # depthwise, multiplier 2
    ((1, 4, 6, 6), (4, 1, 5, 5), dict(groups=4, padding="same")),
    ((2, 3, 6, 7), (2, 3, 2, 2), dict(padding="same")),  # even kernel: asymmetric padding
    ((2, 3, 6, 7), (2, 3, 4, 3), dict(padding="same", dilation=(1, 2))),
    ((2, 3, 6, 7), (2, 3, 3, 3), dict(padding="valid")),
    ((1, 3, 5, 5), (2, 3, 1, 1), {}),  # 1x1
    ((2, 3, 5, 5), (2, 3, 1, 1), dict(stride=2)),
    ((3, 6, 6), (4, 3, 3, 3), dict(padding=1)),  # unbatched
    ((1, 2, 3, 3), (3, 2, 3, 3), dict(padding=4, stride=3)),  # padding larger than kernel
]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("xs,ws,kw", CONV2D, ids=[str(i) for i in range(len(CONV2D))])
def test_conv2d(xs, ws, kw, bias):
    o = ws[0]
    inputs = [rng_arr(*xs), rng_arr(*ws)] + ([rng_arr(o)] if bias else [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_case(OpCase("conv2d", lambda lib, x, w, *b: F(lib).conv2d(x, w, *b, **kw), inputs,
                          rtol=1e-4, atol=1e-5))


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 3, 9), (4, 3, 3), {}),
    ((2, 4, 9), (4, 2, 2), dict(stride=2, padding=1, groups=2)),
    ((3, 9), (5, 3, 4), dict(padding="same", dilation=2)),
    ((2, 3, 9), (4, 3, 3), dict(dilation=3, padding=(2,))),
])
def test_conv1d(xs, ws, kw):
    inputs = [rng_arr(*xs), rng_arr(*ws), rng_arr(ws[0])]
    check_case(OpCase("conv1d", lambda lib, x, w, b: F(lib).conv1d(x, w, b, **kw), inputs,
                      rtol=1e-4, atol=1e-5))


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 2, 5, 6, 4), (3, 2, 3, 3, 2), {}),
    ((1, 4, 5, 6, 5), (4, 2, 2, 3, 3), dict(stride=(2, 1, 2), padding=1, groups=2)),
    ((2, 5, 6, 4), (3, 2, 3, 3, 3), dict(padding="same")),
])
def test_conv3d(xs, ws, kw):
    inputs = [rng_arr(*xs), rng_arr(*ws), rng_arr(ws[0])]
    check_case(OpCase("conv3d", lambda lib, x, w, b: F(lib).conv3d(x, w, b, **kw), inputs,
                      rtol=1e-4, atol=1e-5))


def test_conv2d_noncontiguous_and_float64():
    x = noncontig4((2, 3, 6, 7))
    assert not x.flags.c_contiguous
    w = rng_arr(4, 3, 3, 3)
    case = OpCase("conv2d nc", lambda lib, x, w: F(lib).conv2d(x, w, padding=1, stride=2),
                  [x, w], rtol=1e-4, atol=1e-5)
    check_case(case)
    x64 = rng_arr(2, 3, 6, 7, dtype="float64")
    w64 = rng_arr(4, 3, 3, 3, dtype="float64")
    check_case(OpCase("conv2d f64", lambda lib, x, w: F(lib).conv2d(x, w, padding=1),
                      [x64, w64], rtol=1e-10, atol=1e-12))
    et = F(ember).conv2d(ember.from_numpy(x), ember.from_numpy(w))
    tt = F(torch).conv2d(torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(w))
    assert str(et.dtype) == str(tt.dtype)


def test_conv2d_batch_of_one_and_large_batch():
    check_case(OpCase("conv b1", lambda lib, x, w: F(lib).conv2d(x, w, padding=1),
                      [rng_arr(1, 3, 5, 5), rng_arr(2, 3, 3, 3)], rtol=1e-4, atol=1e-5))
    # enough images to span several blocks of the batched im2col
    check_case(OpCase("conv big", lambda lib, x, w: F(lib).conv2d(x, w, padding=1),
                      [rng_arr(40, 8, 30, 30), rng_arr(4, 8, 3, 3)], rtol=1e-4, atol=1e-4))


# stride-1 convolutions with enough channels and images for the flat-grid kernels, their
# several blocks of images (the last one partial), and each subset of the gradients
GRID = [
    # (input shape, weight shape, kwargs, which of (x, w, b) require grad, dtype)
    ((11, 32, 12, 13), (16, 32, 3, 3), dict(padding=1), (True, True, True), "float32"),
    ((11, 32, 12, 13), (16, 32, 3, 3), dict(padding=1), (False, True, True), "float32"),
    ((11, 32, 12, 13), (16, 32, 3, 3), dict(padding=1), (True, False, False), "float32"),
    ((11, 32, 12, 13), (16, 32, 3, 3), dict(padding=1), (False, True, False), "float64"),
    ((9, 24, 10, 11), (12, 8, 3, 5), dict(padding=(2, 1), groups=3), (True, True, True),
     "float32"),
    ((9, 24, 10, 11), (12, 24, 3, 3), dict(padding=0, dilation=(2, 1)), (True, True, True),
     "float64"),
    ((9, 24, 10, 11), (12, 24, 2, 2), dict(padding="same"), (True, True, True), "float32"),
    ((9, 24, 10, 11), (12, 24, 3, 3), dict(padding=4), (True, True, False), "float32"),
]


@pytest.mark.parametrize("xs,ws,kw,grad,dtype", GRID, ids=[str(i) for i in range(len(GRID))])
def test_conv2d_grid_blocks(xs, ws, kw, grad, dtype):
    from ember._functions import conv

    per_image = max(xs[1] * 9, ws[0]) * (xs[2] + 4) * (xs[3] + 4) * np.dtype(dtype).itemsize
    old = conv._BLOCK_BYTES
    conv._BLOCK_BYTES = 4 * per_image  # blocks of four images: 4, 4 and a partial one
    try:
        inputs = [rng_arr(*xs, dtype=dtype), rng_arr(*ws, dtype=dtype),
                  rng_arr(ws[0], dtype=dtype)]
        tol = 1e-4 if dtype == "float32" else 1e-10
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_case(OpCase("conv2d grid", lambda lib, x, w, b: F(lib).conv2d(x, w, b, **kw),
                              inputs, grad=list(grad), rtol=tol, atol=tol))
    finally:
        conv._BLOCK_BYTES = old


# more than 16 channels per group: the stride-1 forward repeats the input only along the last
# kernel axis and adds the outer taps' products shifted; several block sizes (partial blocks)
SPLIT = [
    ("conv2d", (7, 17, 9, 10), (5, 17, 3, 3), dict(padding=1)),
    ("conv2d", (7, 34, 6, 7), (4, 17, 3, 2), dict(padding=(1, 0), dilation=(1, 2), groups=2)),
    ("conv2d", (5, 20, 8, 8), (6, 20, 2, 4), dict(padding="same")),
    ("conv1d", (7, 18, 11), (3, 18, 3), dict(padding=2, dilation=2)),
    ("conv3d", (5, 17, 4, 5, 6), (3, 17, 2, 3, 3), dict(padding=1)),
]


@pytest.mark.parametrize("block", [1 << 12, 1 << 15, 1 << 20])
@pytest.mark.parametrize("fname,xs,ws,kw", SPLIT, ids=[str(i) for i in range(len(SPLIT))])
def test_conv_split_forward_blocks(fname, xs, ws, kw, block):
    from ember._functions import conv

    old = conv._BLOCK_BYTES
    conv._BLOCK_BYTES = block
    try:
        for dtype, tol in (("float32", 1e-4), ("float64", 1e-10)):
            inputs = [rng_arr(*xs, dtype=dtype), rng_arr(*ws, dtype=dtype),
                      rng_arr(ws[0], dtype=dtype)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check_case(OpCase(fname, lambda lib, x, w, b: getattr(F(lib), fname)(x, w, b, **kw),
                                  inputs, grad=[False, False, False], rtol=tol, atol=tol))
    finally:
        conv._BLOCK_BYTES = old


@pytest.mark.parametrize("fname,xs,ws,kw", [
    ("conv1d", (9, 16, 40), (8, 16, 5), dict(padding=2)),
    ("conv3d", (9, 8, 5, 6, 7), (4, 8, 3, 3, 3), dict(padding=1)),
    ("conv_transpose2d", (9, 16, 8, 9), (16, 8, 3, 3), dict(padding=1)),
])
def test_conv_grid_blocks_1d_3d_transposed(fname, xs, ws, kw):
    from ember._functions import conv

    old = conv._BLOCK_BYTES
    conv._BLOCK_BYTES = 1 << 14  # several blocks of images, the last one partial
    try:
        inputs = [rng_arr(*xs), rng_arr(*ws), rng_arr(ws[1] if "transpose" in fname else ws[0])]
        check_case(OpCase(fname, lambda lib, x, w, b: getattr(F(lib), fname)(x, w, b, **kw),
                          inputs, rtol=1e-4, atol=1e-4))
    finally:
        conv._BLOCK_BYTES = old


# strided convolutions: the input gradient (and the transposed convolution) phase by phase,
# over several block sizes (partial blocks)
PHASES = [
    ("conv2d", (7, 4, 9, 8), (6, 4, 3, 3), dict(stride=(2, 3), padding=2, dilation=(2, 1))),
    ("conv2d", (5, 4, 7, 8), (6, 2, 3, 2), dict(stride=2, padding=(1, 0), groups=2)),
    ("conv2d", (5, 3, 6, 6), (4, 3, 5, 5), dict(stride=2)),
    ("conv2d", (3, 2, 3, 3), (3, 2, 3, 3), dict(stride=3, padding=4)),
    ("conv1d", (5, 3, 11), (4, 3, 4), dict(stride=3, padding=1, dilation=2)),
    ("conv3d", (3, 2, 5, 6, 7), (3, 2, 3, 2, 3), dict(stride=(2, 1, 2), padding=1)),
    ("conv_transpose2d", (5, 4, 5, 6), (4, 3, 3, 2), dict(stride=2, padding=1,
                                                          output_padding=1)),
]


@pytest.mark.parametrize("block", [1 << 10, 1 << 13, 1 << 20])
@pytest.mark.parametrize("fname,xs,ws,kw", PHASES, ids=[str(i) for i in range(len(PHASES))])
def test_conv_strided_input_grad_blocks(fname, xs, ws, kw, block):
    from ember._functions import conv

    old = conv._BLOCK_BYTES
    conv._BLOCK_BYTES = block
    try:
        for dtype, tol in (("float32", 1e-4), ("float64", 1e-10)):
            inputs = [rng_arr(*xs, dtype=dtype), rng_arr(*ws, dtype=dtype)]
            check_case(OpCase(fname, lambda lib, x, w: getattr(F(lib), fname)(x, w, **kw),
                              inputs, grad=[True, False], rtol=tol, atol=tol))
    finally:
        conv._BLOCK_BYTES = old


TRANSPOSED = [
    ((2, 4, 5, 5), (4, 3, 3, 3), {}),
    ((2, 4, 5, 6), (4, 3, 3, 2), dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 5, 5), (4, 2, 3, 3), dict(stride=(2, 3), groups=2, dilation=(1, 2))),
    ((2, 4, 5, 5), (4, 1, 3, 3), dict(groups=4, padding=1)),
    ((4, 5, 5), (4, 3, 2, 2), dict(stride=2)),  # unbatched
    ((1, 2, 4, 4), (2, 2, 3, 3), dict(stride=3, padding=2, output_padding=2)),
]


@pytest.mark.parametrize("xs,ws,kw", TRANSPOSED, ids=[str(i) for i in range(len(TRANSPOSED))])
def test_conv_transpose2d(xs, ws, kw):
    groups = kw.get("groups", 1)
    inputs = [rng_arr(*xs), rng_arr(*ws), rng_arr(ws[1] * groups)]
    check_case(OpCase("conv_transpose2d",
                      lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b, **kw), inputs,
                      rtol=1e-4, atol=1e-5))


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 3, 7), (3, 4, 3), dict(stride=2, output_padding=1)),
    ((2, 4, 7), (4, 1, 4), dict(groups=2, dilation=2, padding=2)),
])
def test_conv_transpose1d(xs, ws, kw):
    inputs = [rng_arr(*xs), rng_arr(*ws)]
    check_case(OpCase("conv_transpose1d", lambda lib, x, w: F(lib).conv_transpose1d(x, w, **kw),
                      inputs, rtol=1e-4, atol=1e-5))


def test_conv_transpose3d():
    inputs = [rng_arr(1, 2, 3, 4, 3), rng_arr(2, 3, 2, 3, 2), rng_arr(3)]
    check_case(OpCase("conv_transpose3d",
                      lambda lib, x, w, b: F(lib).conv_transpose3d(x, w, b, stride=2),
                      inputs, rtol=1e-4, atol=1e-5))


def test_grad_fn_names():
    def names(lib):
        x = lib.ones(1, 2, 5, 5, requires_grad=True)
        w = lib.ones(3, 2, 3, 3, requires_grad=True)
        out = []
        y = F(lib).conv2d(x, w, padding=1)
        out.append(y.grad_fn.name())
        out.append(len(y.grad_fn.next_functions))
        out.append(F(lib).conv2d(x[0], w).grad_fn.name())
        out.append(F(lib).conv_transpose2d(x, w.transpose(0, 1)).grad_fn.name())
        wl = lib.ones(4, 3, requires_grad=True)
        b = lib.ones(4, requires_grad=True)
        for shape in [(3,), (2, 3), (5, 2, 3)]:
            xi = lib.ones(*shape)
            out.append(F(lib).linear(xi, wl, b).grad_fn.name())
            out.append(F(lib).linear(xi, wl).grad_fn.name())
        xt = lib.ones(2, 5, 3).transpose(0, 1)
        out.append(F(lib).linear(xt, wl, b).grad_fn.name())
        out.append(F(lib).bilinear(lib.ones(2, 3), lib.ones(2, 3), lib.ones(4, 3, 3,
                                   requires_grad=True)).grad_fn.name())
        return out

    assert names(ember) == names(torch)


# ---------------------------------------------------------------- gradcheck
@pytest.mark.parametrize("kw", [
    dict(padding=1), dict(stride=2, padding=(1, 0), dilation=(1, 2)), dict(groups=2),
    dict(padding="same"),
])
def test_conv2d_gradcheck(kw):
    w = rng_arr(4, 2 if kw.get("groups") else 4, 2, 3)
    case = OpCase("conv2d", lambda lib, x, w, b: F(lib).conv2d(x, w, b, **kw),
                  [rng_arr(2, 4, 5, 5), w, rng_arr(4)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradcheck_case(case, second_order=True)


def test_conv_1d_3d_transposed_gradcheck():
    gradcheck_case(OpCase("conv1d", lambda lib, x, w: F(lib).conv1d(x, w, stride=2, padding=1),
                          [rng_arr(2, 3, 7), rng_arr(2, 3, 3)]), second_order=True)
    gradcheck_case(OpCase("conv3d", lambda lib, x, w: F(lib).conv3d(x, w, padding=1),
                          [rng_arr(1, 2, 3, 3, 3), rng_arr(2, 2, 2, 2, 2)]))
    gradcheck_case(OpCase(
        "conv_transpose2d",
        lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b, stride=2, output_padding=1,
                                                     groups=2),
        [rng_arr(1, 4, 3, 3), rng_arr(4, 1, 3, 2), rng_arr(2)]), second_order=True)
    gradcheck_case(OpCase("conv_transpose1d",
                          lambda lib, x, w: F(lib).conv_transpose1d(x, w, dilation=2),
                          [rng_arr(2, 2, 4), rng_arr(2, 3, 3)]))


def test_double_backward_matches_torch():
    def run(lib):
        x = lib.tensor(rng_state[0], requires_grad=True)
        w = lib.tensor(rng_state[1], requires_grad=True)
        y = F(lib).conv2d(x, w, padding=1, stride=2)
        gx, gw = lib.autograd.grad((y ** 2).sum(), (x, w), create_graph=True)
        (gx.sum() + (gw ** 2).sum()).backward()
        return x.grad.detach().numpy(), w.grad.detach().numpy()

    rng_state = [rng_arr(2, 3, 5, 5, dtype="float64"), rng_arr(4, 3, 3, 3, dtype="float64")]
    for a, b in zip(run(ember), run(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


def test_linear_and_bilinear():
    w, b = rng_arr(4, 3), rng_arr(4)
    for xs in [(3,), (2, 3), (5, 2, 3), (0, 3), (2, 1, 2, 3)]:
        check_case(OpCase("linear", lambda lib, x, w, b: F(lib).linear(x, w, b),
                          [rng_arr(*xs), w, b]))
        check_case(OpCase("linear nb", lambda lib, x, w: F(lib).linear(x, w), [rng_arr(*xs), w]))
    check_case(OpCase("linear nc", lambda lib, x, w, b: F(lib).linear(x, w, b),
                      [rng_arr(3, 2, noncontig=True), rng_arr(4, 2), b]))
    check_case(OpCase("linear 1-D weight", lambda lib, x, w: F(lib).linear(x, w),
                      [rng_arr(2, 3), rng_arr(3)]))
    gradcheck_case(OpCase("linear", lambda lib, x, w, b: F(lib).linear(x, w, b),
                          [rng_arr(5, 2, 3), w, b]), second_order=True)
    wb = rng_arr(4, 3, 5)
    for s1, s2 in [((2, 3), (2, 5)), ((3,), (5,)), ((2, 2, 3), (2, 2, 5))]:
        check_case(OpCase("bilinear", lambda lib, a, c, w, b: F(lib).bilinear(a, c, w, b),
                          [rng_arr(*s1), rng_arr(*s2), wb, b]))
    check_case(OpCase("bilinear nb", lambda lib, a, c, w: F(lib).bilinear(a, c, w),
                      [rng_arr(2, 3), rng_arr(2, 5), wb]))
    gradcheck_case(OpCase("bilinear", lambda lib, a, c, w, b: F(lib).bilinear(a, c, w, b),
                          [rng_arr(2, 3), rng_arr(2, 5), wb, b]), second_order=True)


# ---------------------------------------------------------------- pad
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("xs,p", [
    ((2, 3, 5), (1, 2)), ((3, 5), (2, 0)), ((1, 2, 4, 5), (1, 2, 3, 1)),
    ((2, 4, 5), (0, 1, 2, 2)), ((1, 2, 3, 4, 5), (1, 1, 2, 0, 1, 2)),
    ((1, 2, 4, 5), (-1, 2, 1, -2)),
])
def test_pad(mode, xs, p):
    check_case(OpCase("pad", lambda lib, x: F(lib).pad(x, p, mode=mode), [rng_arr(*xs)]))
    gradcheck_case(OpCase("pad", lambda lib, x: F(lib).pad(x, p, mode=mode), [rng_arr(*xs)]),
                   second_order=True)


def test_pad_constant_value_and_dtypes():
    check_case(OpCase("pad", lambda lib, x: F(lib).pad(x, (1, 1, 0, 2), value=2.5),
                      [rng_arr(2, 3, 4)]))
    check_case(OpCase("pad int", lambda lib, x: F(lib).pad(x, (1, 1), value=2.5),
                      [make((2, 3), "int64")]))
    check_case(OpCase("pad nd", lambda lib, x: F(lib).pad(x, (1, 1, 1, 1, 1, 1, 1, 1)),
                      [rng_arr(2, 3, 4, 2)]))
    check_case(OpCase("constant_pad_nd", lambda lib, x: lib.constant_pad_nd(x, (1, 2), 3.0),
                      [rng_arr(2, 3)]))


# ---------------------------------------------------------------- errors
def r(lib, *shape):
    return lib.ones(*shape)


ERRORS = [
    lambda lib: F(lib).conv2d(r(lib, 8, 4, 32, 32), r(lib, 64, 3, 3, 3)),
    lambda lib: F(lib).conv2d(r(lib, 2, 3), r(lib, 64, 3, 3, 3)),
    lambda lib: F(lib).conv1d(r(lib, 2, 3, 4, 5), r(lib, 6, 3, 3)),
    lambda lib: F(lib).conv3d(r(lib, 2, 3), r(lib, 6, 3, 3, 3, 3)),
    lambda lib: F(lib).conv2d(r(lib, 1, 3, 2, 2), r(lib, 2, 3, 3, 3)),
    lambda lib: F(lib).conv2d(r(lib, 1, 3, 2, 2), r(lib, 2, 3, 3, 3), padding=1, dilation=2),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 3, 2, 3, 3), groups=2),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 2, 3, 3), groups=0),
    lambda lib: F(lib).conv2d(r(lib, 2, 4, 5, 5), r(lib, 2, 4, 3, 3), groups=4),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3, 3), stride=0),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3, 3), padding=-1),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3, 3), dilation=0),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3, 3), dilation=-1),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3, 3), r(lib, 3)),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3, 3), stride=(1, 1, 1)),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3, 3), padding="same", stride=2),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3, 3), padding="foo"),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5).double(), r(lib, 4, 4, 3, 3)),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3, 3).double()),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3, 3), r(lib, 4).double()),
    lambda lib: F(lib).conv2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3)),
    lambda lib: F(lib).conv_transpose2d(r(lib, 1, 4, 5, 5), r(lib, 3, 2, 3, 3)),
    lambda lib: F(lib).conv_transpose2d(r(lib, 1, 3, 5, 5), r(lib, 3, 2, 3, 3), output_padding=1),
    lambda lib: F(lib).conv_transpose1d(r(lib, 1, 3, 5), r(lib, 3, 2, 3), output_padding=1),
    lambda lib: F(lib).conv_transpose2d(r(lib, 1, 4, 5, 5), r(lib, 4, 2, 3, 3), groups=3),
    lambda lib: F(lib).conv_transpose2d(r(lib, 2, 3), r(lib, 3, 2, 3, 3)),
    lambda lib: F(lib).conv_transpose2d(r(lib, 1, 3, 1, 1), r(lib, 3, 2, 3, 3), padding=3),
    lambda lib: F(lib).conv_transpose2d(r(lib, 1, 4, 5, 5), r(lib, 4, 4, 3, 3), r(lib, 5)),
    lambda lib: F(lib).linear(r(lib, 2, 3), r(lib, 5, 4)),
    lambda lib: F(lib).linear(r(lib, 2, 3, 3), r(lib, 5, 4), r(lib, 5)),
    lambda lib: F(lib).linear(lib.ones(()), r(lib, 4, 3)),
    lambda lib: F(lib).bilinear(r(lib, 2, 3), r(lib, 2, 5), r(lib, 4, 3, 6)),
    lambda lib: F(lib).bilinear(r(lib, 2, 3), r(lib, 3, 5), r(lib, 4, 3, 5)),
    lambda lib: F(lib).bilinear(r(lib, 2, 3), r(lib, 2, 5), r(lib, 4, 3, 5), r(lib, 3)),
    lambda lib: F(lib).bilinear(r(lib, 2, 3), r(lib, 2, 2, 5), r(lib, 4, 3, 5)),
    lambda lib: F(lib).bilinear(r(lib, 2, 4), r(lib, 2, 5), r(lib, 4, 3, 5)),
    lambda lib: F(lib).pad(r(lib, 1, 2, 3, 3), (3, 3, 1, 1), mode="reflect"),
    lambda lib: F(lib).pad(r(lib, 1, 2, 3, 3), (1, 1, 3, 3), mode="reflect"),
    lambda lib: F(lib).pad(r(lib, 1, 2, 3, 3, 3), (1, 1, 1, 1, 3, 3), mode="reflect"),
    lambda lib: F(lib).pad(r(lib, 1, 2, 3, 3), (4, 4, 1, 1), mode="circular"),
    lambda lib: F(lib).pad(r(lib, 1, 2, 3, 3), (1, 1), mode="reflect"),
    lambda lib: F(lib).pad(r(lib, 1, 2, 3, 3), (1,), mode="reflect"),
    lambda lib: F(lib).pad(r(lib, 1, 2, 3, 3), (1, 1, 1, 1, 1, 1, 1, 1, 1, 1)),
    lambda lib: F(lib).pad(r(lib, 1, 2, 3, 3), (1, 1), mode="foo"),
    lambda lib: F(lib).pad(r(lib, 1, 2, 3, 3), (1, 1, 1, 1), mode="reflect", value=1.0),
    lambda lib: F(lib).pad(r(lib, 1, 2, 0, 3), (1, 1, 1, 1), mode="replicate"),
    lambda lib: F(lib).pad(r(lib, 1, 2, 3, 3), (-4, 1, 1, 1)),
    lambda lib: F(lib).pad(r(lib, 1, 2, 3, 3), (1.5, 1)),
]


@pytest.mark.parametrize("fn", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_like(fn)


def test_same_even_kernel_warns():
    import ember._functions.conv as conv

    conv._warned[0] = False
    with pytest.warns(UserWarning, match="padding='same' with even kernel"):
        F(ember).conv2d(ember.ones(1, 1, 4, 4), ember.ones(1, 1, 2, 2), padding="same")


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 0, 4), lib.zeros(2, 3, 1, 1), padding=1),
    lambda lib: lib.nn.functional.conv1d(lib.zeros(1, 3, 0), lib.zeros(2, 3, 1), padding=1),
    lambda lib: lib.nn.functional.conv3d(lib.zeros(2, 3, 2, 0, 4), lib.zeros(2, 3, 1, 1, 1),
                                         padding=1),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.zeros(1, 3, 0, 4),
                                                   lib.zeros(3, 2, 3, 3)),
])
def test_empty_spatial_input_raises_like_torch(make):
    """A batch and channels but an empty spatial dimension: torch refuses it."""
    assert_raises_like(make)


def test_empty_batch_gives_empty_output():
    for lib in (ember, torch):
        out = lib.nn.functional.conv2d(lib.zeros(0, 3, 4, 4), lib.zeros(2, 3, 3, 3), padding=1)
        assert tuple(out.shape) == (0, 2, 4, 4)
