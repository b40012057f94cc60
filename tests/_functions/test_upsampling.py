"""F.interpolate against PyTorch (every mode, sizes and scale factors, align_corners,
recompute_scale_factor; float32 results to the bit where PyTorch's kernel allows), pixel and
channel shuffle; gradients, double backward and error messages."""

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.optable import OpCase, assert_raises_like, check_case, gradcheck_case, make


def F(lib):
    return lib.nn.functional


def arr(*shape, dtype="float32"):
    return make(shape, dtype, -2.0, 2.0)


SIZES = [dict(scale_factor=2), dict(scale_factor=1.7), dict(scale_factor=0.6), dict(size=11),
         dict(size=3), dict(scale_factor=1.7, recompute_scale_factor=True)]
ALIGN = [dict(scale_factor=1.7, align_corners=True), dict(size=9, align_corners=True),
         dict(size=1), dict(size=1, align_corners=True)]
CASES = []
for _shape, _modes in [((2, 3, 5), ["nearest", "nearest-exact", "linear", "area"]),
                       ((2, 3, 5, 7), ["nearest", "nearest-exact", "bilinear", "bicubic", "area"]),
                       ((1, 2, 3, 4, 5), ["nearest", "nearest-exact", "trilinear", "area"])]:
    for _m in _modes:
        interp = _m in ("linear", "bilinear", "bicubic", "trilinear")
        for _kw in SIZES + (ALIGN if interp else []):
            CASES.append((_shape, _m, _kw))
# PyTorch's kernels for these evaluate in an order we reproduce exactly (float32 bit for bit)
EXACT = ("nearest", "nearest-exact", "linear", "trilinear", "area")


@pytest.mark.parametrize("shape,mode,kw", CASES, ids=[f"{c[1]}-{len(c[0])}d-{i}"
                                                      for i, c in enumerate(CASES)])
def test_interpolate(shape, mode, kw):
    for dtype in ("float32", "float64"):
        x = arr(*shape, dtype=dtype)
        check_case(OpCase("interpolate", lambda lib, x: F(lib).interpolate(x, mode=mode, **kw),
                          [x], rtol=1e-5, atol=1e-5))
    if mode in EXACT:
        x = arr(*shape)
        a = F(ember).interpolate(ember.from_numpy(x.copy()), mode=mode, **kw).numpy()
        b = F(torch).interpolate(torch.from_numpy(x.copy()), mode=mode, **kw).numpy()
        assert a.tobytes() == b.tobytes()


def test_interpolate_noncontiguous_and_names():
    x = arr(2, 3, 6, 5)
    check_case(OpCase("interp_t", lambda lib, x: F(lib).interpolate(
        x.transpose(2, 3), scale_factor=(1.5, 2), mode="bilinear"), [x], atol=1e-5))
    for mode, name in (("nearest", "UpsampleNearest2DBackward0"),
                       ("bilinear", "UpsampleBilinear2DBackward0"),
                       ("bicubic", "UpsampleBicubic2DBackward0"),
                       ("nearest-exact", "UpsampleNearestExact2DBackward0"),
                       ("area", "AdaptiveAvgPool2DBackward0")):
        y = F(ember).interpolate(ember.ones(1, 1, 3, 3, requires_grad=True), scale_factor=2,
                                 mode=mode)
        assert y.grad_fn.name() == name


def test_interpolate_uint8_nearest():
    x = (np.abs(arr(1, 2, 4, 5)) * 50).astype(np.uint8)
    check_case(OpCase("interp_u8", lambda lib, x: F(lib).interpolate(x, scale_factor=1.5), [x]))


def test_upsample_deprecated_forms():
    x = arr(1, 2, 3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_case(OpCase("upsample_bilinear", lambda lib, x: F(lib).upsample_bilinear(
            x, scale_factor=2), [x], atol=1e-5))
        check_case(OpCase("upsample_nearest", lambda lib, x: F(lib).upsample_nearest(
            x, size=(5, 7)), [x]))
        check_case(OpCase("upsample", lambda lib, x: F(lib).upsample(x, size=(5, 7)), [x]))


GRADCHECK = [("nearest", (1, 2, 3, 4), dict(scale_factor=1.5)),
             ("linear", (1, 2, 5), dict(size=7, align_corners=True)),
             ("bilinear", (1, 2, 3, 4), dict(size=(5, 3))),
             ("bicubic", (1, 1, 4, 4), dict(scale_factor=1.5)),
             ("trilinear", (1, 1, 2, 3, 2), dict(scale_factor=2)),
             ("area", (1, 2, 5, 5), dict(size=3))]


@pytest.mark.parametrize("mode,shape,kw", GRADCHECK, ids=[g[0] for g in GRADCHECK])
def test_gradcheck(mode, shape, kw):
    x = make(shape, "float64", -1.0, 1.0)
    gradcheck_case(OpCase(mode, lambda lib, x: F(lib).interpolate(x, mode=mode, **kw), [x]),
                   second_order=True)


# ---------------------------------------------------------------- pixel and channel shuffle
def test_pixel_shuffle():
    x = arr(2, 8, 3, 5)
    check_case(OpCase("pixel_shuffle", lambda lib, x: lib.pixel_shuffle(x, 2), [x]))
    check_case(OpCase("pixel_unshuffle", lambda lib, x: F(lib).pixel_unshuffle(x, 3),
                      [arr(2, 2, 6, 9)]))
    check_case(OpCase("pixel_shuffle_5d", lambda lib, x: F(lib).pixel_shuffle(x, 2),
                      [arr(1, 2, 8, 2, 2)]))
    check_case(OpCase("pixel_shuffle_unbatched_long", lambda lib, x: F(lib).pixel_shuffle(x, 2),
                      [np.arange(32).reshape(8, 2, 2)]))
    for lib_fn in ("pixel_shuffle", "pixel_unshuffle"):
        gradcheck_case(OpCase(lib_fn, lambda lib, x, f=lib_fn: getattr(lib, f)(x, 2),
                              [make((1, 4, 2, 2), "float64")]), second_order=True)


def test_channel_shuffle():
    x = arr(2, 6, 3, 2)
    check_case(OpCase("channel_shuffle", lambda lib, x: lib.channel_shuffle(x, 3), [x]))
    check_case(OpCase("native_channel_shuffle", lambda lib, x: lib.native_channel_shuffle(x, 2),
                      [x], grad=[False]))
    check_case(OpCase("channel_shuffle_3d", lambda lib, x: F(lib).channel_shuffle(x, 2),
                      [arr(2, 4, 5)]))
    gradcheck_case(OpCase("cs", lambda lib, x: lib.channel_shuffle(x, 2),
                          [make((1, 4, 2), "float64")]), second_order=True)


ERRORS = [
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 0, 5), scale_factor=2),
    lambda lib: F(lib).interpolate(lib.ones(2, 0, 4, 5), scale_factor=2),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5), scale_factor=0.1),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5), scale_factor=0.1, mode="linear"),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5, 5), size=0),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5, dtype=lib.long), scale_factor=2),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5, dtype=lib.long), scale_factor=2,
                                   mode="bilinear"),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5, dtype=lib.long), scale_factor=2,
                                   mode="bicubic"),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5), scale_factor=2, mode="foo"),
    lambda lib: F(lib).interpolate(lib.ones(5), scale_factor=2),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5), size=(2, 2, 2)),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5), size=(2.5, 2)),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5), scale_factor=(2, 2, 2)),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5)),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5), size=2, scale_factor=2),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5), size=2, recompute_scale_factor=True),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5), size=2, align_corners=True),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5), scale_factor=-1),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5), scale_factor=2, mode="linear"),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5), scale_factor=2, mode="bilinear"),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5), scale_factor=2, mode="bicubic"),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5, 5), scale_factor=2, mode="trilinear"),
    lambda lib: F(lib).interpolate(lib.ones(2, 3, 5), scale_factor=2, mode="linear",
                                   antialias=True),
    lambda lib: F(lib).pixel_shuffle(lib.ones(2, 3, 4, 4), 2),
    lambda lib: F(lib).pixel_shuffle(lib.ones(4, 4), 2),
    lambda lib: F(lib).pixel_shuffle(lib.ones(2, 8, 4, 4), 0),
    lambda lib: F(lib).pixel_shuffle(lib.ones(2, 8, 4, 4), 2.0),
    lambda lib: F(lib).pixel_unshuffle(lib.ones(2, 3, 5, 4), 2),
    lambda lib: F(lib).pixel_unshuffle(lib.ones(2, 3, 4, 5), 2),
    lambda lib: F(lib).pixel_unshuffle(lib.ones(4, 4), 2),
    lambda lib: F(lib).pixel_unshuffle(lib.ones(2, 3, 4, 4), -1),
    lambda lib: F(lib).channel_shuffle(lib.ones(2, 6, 4), 4),
    lambda lib: F(lib).channel_shuffle(lib.ones(2, 6, 4), 0),
    lambda lib: F(lib).channel_shuffle(lib.ones(2, 6), 2),
]


@pytest.mark.parametrize("fn", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn):
    assert_raises_like(fn)
