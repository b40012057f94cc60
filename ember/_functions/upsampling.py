"""Upsampling / interpolation (``F.interpolate``): nearest, nearest-exact, (bi/tri)linear and
bicubic resampling as separable linear maps.

Every mode resamples one spatial axis at a time, last axis first, which is exactly the order in
which PyTorch's CPU kernel evaluates its nested interpolation (``Interpolate<n>::eval``): each
output is ``sum_j take(x, index_j) * weight_j`` along an axis. Indices and weights follow
``ATen/native/UpSample.h`` step by step, in the same floating-point type (``float`` for float32
input, as PyTorch's ``opmath_t``), so float32 results match PyTorch's to the bit. The backward
adds each output gradient back onto its source indices (segment sums, the indices being sorted),
and is itself an op, so interpolation has a double backward.
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from .pooling import LinearMap, _sizes

__all__: list[str] = []

_F32 = np.dtype(np.float32)


# ---------------------------------------------------------------- index/weight tables
def _scale_value(dt, scale, in_size, out_size):
    """``compute_scales_value``: ``1 / scale`` when a positive scale factor was given, else
    ``in / out``; in the kernel's float type ``dt``."""
    if scale is not None and scale > 0:
        return dt(1.0 / scale)
    return dt(in_size) / dt(out_size)


def _area_scale(dt, in_size, out_size, align_corners, scale):
    if align_corners:
        return dt(in_size - 1) / dt(out_size - 1) if out_size > 1 else dt(0)
    return _scale_value(dt, scale, in_size, out_size)


def _fma(a, b, c):
    """``a * b + c`` rounded once, as the fused multiply-add PyTorch's compiled kernels use
    (emulated in float64 for float32 operands; float64 operands use plain arithmetic)."""
    if np.result_type(a, b, c) == _F32:
        return (np.multiply(a, b, dtype=np.float64) + c).astype(_F32)
    return a * b + c


def _source_index(dt, scale, out_size, align_corners, cubic):
    """``area_pixel_compute_source_index`` for every output index (``scale * (i + 0.5) - 0.5``
    is one fused multiply-add in PyTorch's build)."""
    i = np.arange(out_size).astype(dt)
    if align_corners:
        return scale * i
    src = _fma(scale, i + dt(0.5), dt(-0.5))
    return src if cubic else np.maximum(src, dt(0))


def _guard(dt, real, in_size):
    """``guard_index_and_lambda``: floor index (via ``floorf``) and the clamped fraction."""
    idx = np.minimum(np.floor(real.astype(_F32)).astype(np.int64), in_size - 1)
    lam = np.minimum(np.maximum(real - idx.astype(dt), dt(0)), dt(1))
    return idx, lam


def _nearest_taps(mode, in_size, out_size, scale):
    if mode == "nearest":
        if out_size == in_size:
            return [(np.arange(out_size), None)]
        if out_size == 2 * in_size:
            return [(np.arange(out_size) >> 1, None)]
        s = _scale_value(np.float32, scale, in_size, out_size)
        src = np.floor(np.arange(out_size).astype(_F32) * s)
    else:  # nearest-exact: floorf((i + 0.5) * scale), the product in double
        s = _scale_value(np.float32, scale, in_size, out_size)
        src = np.floor(((np.arange(out_size) + 0.5) * np.float64(s)).astype(_F32))
    return [(np.minimum(src.astype(np.int64), in_size - 1), None)]


def _linear_taps(dt, in_size, out_size, align_corners, scale):
    if out_size == in_size:
        i = np.arange(out_size)
        return [(i, np.ones(out_size, dt)), (i, np.zeros(out_size, dt))]
    s = _area_scale(dt, in_size, out_size, align_corners, scale)
    real = _source_index(dt, s, out_size, align_corners, False)
    i0, lam1 = _guard(dt, real, in_size)
    i1 = i0 + (i0 < in_size - 1)
    lam0 = dt(1) - lam1
    return [(i0, lam0.astype(dt)), (i1, lam1.astype(dt))]


def _cubic_conv1(x, a):
    # ((A + 2) * x - (A + 3)) * x * x + 1, with the first product fused as PyTorch's build does
    return _fma(a + 2, x, -(a + 3)) * x * x + 1


def _cubic_conv2(x, a):
    # ((A * x - 5 * A) * x + 8 * A) * x - 4 * A, the inner two steps fused
    return _fma(_fma(a, x, -(5 * a)), x, 8 * a) * x - 4 * a


def _cubic_taps(dt, in_size, out_size, align_corners, scale):
    s = _area_scale(dt, in_size, out_size, align_corners, scale)
    real = _source_index(dt, s, out_size, align_corners, True)
    i0, t = _guard(dt, real, in_size)
    a = dt(-0.75)
    one = dt(1)
    coeffs = [_cubic_conv2(t + one, a), _cubic_conv1(t, a), _cubic_conv1(one - t, a),
              _cubic_conv2((one - t) + one, a)]
    return [(np.clip(i0 - 1 + j, 0, in_size - 1), c.astype(dt)) for j, c in enumerate(coeffs)]


# ---------------------------------------------------------------- the separable map
def _run_ranks(idx):
    """Split a sorted index array into injective pieces: for each rank ``r``, the positions
    that are the ``r``-th of their run of equal indices (so a scatter by each piece has no
    duplicates)."""
    n = idx.shape[0]
    if n == 0:
        return []
    starts = np.concatenate(([True], idx[1:] != idx[:-1]))
    run_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    rank = np.arange(n) - run_start
    return [np.flatnonzero(rank == r) for r in range(int(rank.max()) + 1)]


def _scatter_add(g, idx, in_size, axis, pieces):
    """Adjoint of ``take(x, idx, axis)`` (``idx`` sorted): add ``g`` back at ``idx``."""
    shape = list(g.shape)
    shape[axis] = in_size
    out = np.zeros(shape, g.dtype)
    lead = (slice(None),) * axis
    for pos in pieces:
        src = g[lead + (pos,)]
        out[lead + (idx[pos],)] += src
    return out


_GEMM_MAX = 256  # input sizes up to which the backward multiplies by a dense matrix


class _Resample(LinearMap):
    """``taps[i]``: for spatial axis ``i``, a list of ``(index, weight or None)`` per output
    position; the axes are resampled last first."""

    def __init__(self, taps, in_sp, out_sp, names):
        self.taps, self.in_sp, self.out_sp, self.names = taps, tuple(in_sp), tuple(out_sp), names
        self._pieces = None

    def pieces(self):
        if self._pieces is None:
            self._pieces = [[_run_ranks(idx) for idx, _ in taps] for taps in self.taps]
        return self._pieces

    def matrix(self, i, dtype):
        """Axis ``i`` as a dense (out, in) matrix: the adjoint as one GEMM when the input axis
        is short (cheaper than scattering, and the rounding is within an ulp of PyTorch's)."""
        out_size, in_size = self.out_sp[i], self.in_sp[i]
        m = np.zeros((out_size, in_size), np.float64)
        rows = np.arange(out_size)
        for idx, w in self.taps[i]:
            np.add.at(m, (rows, idx), 1.0 if w is None else w.astype(np.float64))
        return m.astype(dtype)

    def fwd(self, x):
        d = len(self.taps)
        y = x
        for i in reversed(range(d)):
            ax = y.ndim - d + i
            shape = (-1,) + (1,) * (d - 1 - i)
            taps = self.taps[i]
            if taps[0][1] is None:  # nearest: a gather
                y = np.take(y, taps[0][0], axis=ax)
                continue
            ts = [np.take(y, idx, axis=ax) for idx, _ in taps]
            ws = [w.astype(y.dtype, copy=False).reshape(shape) for _, w in taps]
            # PyTorch's Interpolate<n>: t0 * w0 + t1 * w1 (as fma(t0, w0, t1 * w1)) for two
            # taps; otherwise t0 * w0, then fma(tj, wj, acc) for each further tap
            if len(ts) == 2:
                y = _fma(ts[0], ws[0], ts[1] * ws[1])
            else:
                acc = ts[0] * ws[0]
                for t, w in zip(ts[1:], ws[1:]):
                    acc = _fma(t, w, acc)
                y = acc
        return y

    def adj(self, g):
        d = len(self.taps)
        pieces = self.pieces()
        y = g
        for i in range(d):
            ax = y.ndim - d + i
            shape = (-1,) + (1,) * (d - 1 - i)
            if self.in_sp[i] <= _GEMM_MAX:
                m = self.matrix(i, y.dtype)
                if ax == y.ndim - 1:
                    y = np.matmul(y, m)
                else:
                    y = np.moveaxis(np.matmul(m.T, np.moveaxis(y, ax, -2)), -2, ax)
                continue
            acc = None
            for (idx, w), pc in zip(self.taps[i], pieces[i]):
                v = y if w is None else y * w.astype(y.dtype, copy=False).reshape(shape)
                part = _scatter_add(v, idx, self.in_sp[i], ax, pc)
                acc = part if acc is None else np.add(acc, part, out=acc)
            y = acc
        return np.ascontiguousarray(y)


_MODE_NAME = {"nearest": "Nearest", "nearest-exact": "NearestExact", "linear": "Linear",
              "bilinear": "Bilinear", "trilinear": "Trilinear", "bicubic": "Bicubic"}
_SP_NAMES = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}
_ST = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
       "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _upsample(input, mode, out_sp, scales, align_corners=False):
    """Run one of PyTorch's ``upsample_*`` ops on ``input`` (N, C, *spatial)."""
    x = input._data
    d = len(out_sp)
    in_sp = x.shape[2:]
    names = _SP_NAMES[d]
    if any(s == 0 for s in x.shape[1:]) and all(s > 0 for s in in_sp):
        raise RuntimeError(f"Non-empty {d + 2}D data tensor expected but got a tensor with sizes "
                           f"{_sizes(x.shape)}")
    if not (all(s > 0 for s in in_sp) and all(o > 0 for o in out_sp)):
        ins = ", ".join(f"{n}: {v}" for n, v in zip(names, in_sp))
        outs = ", ".join(f"{n}: {v}" for n, v in zip(names, out_sp))
        sep = " and output" if d == 1 else " output"
        raise RuntimeError("Input and output sizes should be greater than 0, but got input "
                           f"({ins}){sep} ({outs})")
    dt = x.dtype
    if mode in ("nearest", "nearest-exact"):
        if dt.kind != "f" and dt != np.uint8:
            raise NotImplementedError(
                f'"upsample_nearest{d}d_channels_last" not implemented for \'{_ST[str(dt)]}\'')
        taps = [_nearest_taps(mode, i, o, s) for i, o, s in zip(in_sp, out_sp, scales)]
    else:
        if dt.kind != "f":
            kern = ("compute_indices_weights_cubic" if mode == "bicubic"
                    else f"upsample_{mode}{d}d_channels_last")
            raise NotImplementedError(f'"{kern}" not implemented for \'{_ST[str(dt)]}\'')
        # PyTorch's opmath type: float for float16/float32, double for float64
        wt = np.float64 if dt == np.float64 else np.float32
        fn = _cubic_taps if mode == "bicubic" else _linear_taps
        taps = [fn(wt, i, o, align_corners, s) for i, o, s in zip(in_sp, out_sp, scales)]
    stem = f"Upsample{_MODE_NAME[mode]}{d}D"
    return _Resample(taps, in_sp, out_sp, (f"{stem}Backward0", f"{stem}BackwardBackward0")) \
        .apply(input)


def _is_integer(x) -> bool:
    if isinstance(x, Tensor):
        return x._data.dtype.kind in "iu" and x._data.ndim == 0
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _as_int(v):
    return int(v.item()) if isinstance(v, Tensor) else int(v)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample ``input`` (N, C, *spatial) to ``size`` or by ``scale_factor``.

    Args:
        size: output spatial size (int or tuple).
        scale_factor: multiplier for the spatial size (float or tuple).
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'``,
            ``'bicubic'`` (4-D), ``'trilinear'`` (5-D) or ``'area'``.
        align_corners: for the interpolating modes, align the corner pixels' centres.
        recompute_scale_factor: compute the output size from ``scale_factor`` and then use
            the exact ratio of sizes instead of the given factor.

    >>> F.interpolate(ember.tensor([[[1., 2.]]]), scale_factor=2, mode="linear")
    tensor([[[1.0000, 1.2500, 1.7500, 2.0000]]])
    """
    from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    ndim = input.dim()
    dim = ndim - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size "
                    "in (o1, o2, ...,oK) format.")
            if not all(_is_integer(v) for v in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    "Tuple[int, int, int], but got size with types "
                    f"{[type(v) for v in size]}")
            output_size = [_as_int(v) for v in size]
        else:
            if not _is_integer(size):
                raise TypeError(f"upsample_{mode}(): argument 'output_size' must be tuple of "
                                f"ints, not {type(size).__name__}")
            output_size = [_as_int(size)] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                    f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        output_size = [math.floor(spatial[i] * scale_factors[i]) for i in range(dim)]
        scale_factors = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if antialias:
        raise NotImplementedError("interpolate(): antialias=True is not supported by Ember")
    want = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "area": (3, 4, 5),
            "linear": (3,), "bilinear": (4,), "trilinear": (5,), "bicubic": (4,)}
    if mode in want and ndim in want[mode]:
        if output_size is None:  # PyTorch's compute_output_size: int(in * scale)
            output_size = [int(spatial[i] * scale_factors[i]) for i in range(dim)]
        if mode == "area":
            fn = (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1]
            return fn(input, output_size if dim > 1 else output_size[0])
        scales = scale_factors or [None] * dim
        return _upsample(input, mode, tuple(output_size), scales, align_corners)
    need = {"linear": 3, "bilinear": 4, "trilinear": 5}
    if mode in need and ndim in (3, 4, 5):
        raise NotImplementedError(f"Got {ndim}D input, but {mode} mode needs {need[mode]}D input")
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {ndim}D) for the modes: "
        "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
        f"(got {mode})")


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate` (warns, as PyTorch does)."""
    import warnings

    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    import warnings

    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    import warnings

    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------- pixel and channel shuffle
class _PixelShuffle(LinearMap):
    """(*, C r^2, H, W) -> (*, C, H r, W r); the adjoint is pixel unshuffle."""

    names = ("PixelShuffleBackward0", "PixelUnshuffleBackward0")

    def __init__(self, r):
        self.r = r

    def fwd(self, x):
        r = self.r
        *lead, c, h, w = x.shape
        y = x.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
        n = len(lead)
        y = y.transpose(tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))
        return y.reshape(tuple(lead) + (c // (r * r), h * r, w * r))

    def adj(self, g):
        r = self.r
        *lead, c, h, w = g.shape
        n = len(lead)
        y = g.reshape(tuple(lead) + (c, h // r, r, w // r, r))
        y = y.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
        return y.reshape(tuple(lead) + (c * r * r, h // r, w // r))


def _factor(v, fname, argname):
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(f"{fname}(): argument '{argname}' (position 2) must be int, not "
                        f"{type(v).__name__}")
    return int(v)


def pixel_shuffle(input, upscale_factor) -> Tensor:
    """Rearrange (*, C r^2, H, W) into (*, C, H r, W r) (sub-pixel convolution's shuffle).

    >>> ember.pixel_shuffle(ember.arange(4.).reshape(1, 4, 1, 1), 2)
    tensor([[[[0., 1.],
              [2., 3.]]]])
    """
    r = _factor(upscale_factor, "pixel_shuffle", "upscale_factor")
    x = input._data
    if x.ndim < 3:
        raise RuntimeError("pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = x.shape[-3]
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    return _PixelShuffle(r).apply(input)


def pixel_unshuffle(input, downscale_factor) -> Tensor:
    """Rearrange (*, C, H r, W r) into (*, C r^2, H, W), the inverse of :func:`pixel_shuffle`.

    >>> ember.pixel_unshuffle(ember.arange(4.).reshape(1, 1, 2, 2), 2).flatten()
    tensor([0., 1., 2., 3.])
    """
    r = _factor(downscale_factor, "pixel_unshuffle", "downscale_factor")
    x = input._data
    if x.ndim < 3:
        raise RuntimeError("pixel_unshuffle expects input to have at least 3 dimensions, but got "
                           f"input with {x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = x.shape[-2:]
    if h % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError("pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={w} is not divisible by {r}")
    return _PixelShuffle(r).T.apply(input)


class _ChannelShuffle(LinearMap):
    """(N, g * k, *) -> (N, k * g, *): channel ``i * k + j`` moves to ``j * g + i``."""

    names = ("ChannelShuffleBackward0", "ChannelShuffleBackward0")

    def __init__(self, groups):
        self.groups = groups

    def _shuffle(self, x, g):
        n, c = x.shape[:2]
        rest = x.shape[2:]
        y = x.reshape((n, g, c // g) + rest).swapaxes(1, 2)
        return np.ascontiguousarray(y).reshape(x.shape)

    def fwd(self, x):
        return self._shuffle(x, self.groups)

    def adj(self, g):
        return self._shuffle(g, g.shape[1] // self.groups)


def channel_shuffle(input, groups) -> Tensor:
    """Interleave the channels of (N, C, *) from ``groups`` groups (ShuffleNet).

    >>> ember.channel_shuffle(ember.arange(4.).reshape(1, 4, 1), 2).flatten()
    tensor([0., 2., 1., 3.])
    """
    g = _factor(groups, "channel_shuffle", "groups")
    x = input._data
    if x.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {_sizes(x.shape)}")
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{g}")
    c = x.shape[1]
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {g} groups.")
    return _ChannelShuffle(g).apply(input)


native_channel_shuffle = channel_shuffle
__all__ += ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]
