"""Bit-exact copies of PyTorch's CPU sampling arithmetic, on NumPy arrays.

Everything here reproduces the exact floating-point operations of PyTorch 2.13's CPU kernels
(``aten/src/ATen/native/cpu/DistributionTemplates.h``, ``avx_mathfun.h``,
``aten/src/ATen/core/TransformationHelper.h``), so that the same seed gives the same bits.

Two facts shape the code:

- PyTorch's AVX2 kernels are compiled with ``-mfma``, and GCC contracts ``a * b + c`` into one
  fused multiply-add (a single rounding). ``_fma32`` reproduces a float32 FMA: the product of two
  float32 values is exact in float64, so ``float32(a * b + c)`` computed in float64 rounds once
  to 53 bits and once to 24 (the double rounding differs from a true FMA only when the float64
  sum lands exactly on a float32 tie, about one case in 2**29).
- glibc's double ``log``/``log1p``/``exp``/``tan`` are not always the correctly rounded value and
  NumPy's vectorized versions differ from them in the last bit now and then, so where PyTorch
  calls glibc on doubles we call glibc too, through Python's ``math`` module.
"""

from __future__ import annotations

import math
import os
import platform

import numpy as np

f32 = np.float32
f64 = np.float64

# ---------------------------------------------------------------------------------------------
# helpers


def _fma32(a, b, c):
    """float32 fused multiply-add of float32 values held in float64 arrays (result in float64)."""
    t = a * b
    t += c
    return t.astype(f32).astype(f64)


def _rn32(t):
    """Round float64 values to float32 (keeping the float64 array type)."""
    return t.astype(f32).astype(f64)


def _split(a):
    """Veltkamp split of float64 ``a`` into hi + lo with 26-bit halves (exact)."""
    c = a * 134217729.0  # 2**27 + 1
    hi = c - (c - a)
    return hi, a - hi


def fma64(a, b, c):
    """float64 fused multiply-add ``a * b + c`` with one rounding (double-double arithmetic).

    Exact product by Dekker's two-product, exact sum by Knuth's two-sum, then one final
    rounding. PyTorch's kernels compute ``x * (to - from) + from`` and ``val * std + mean`` in
    doubles with a hardware FMA.
    """
    a = np.asarray(a, f64)
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(np.asarray(b, f64))
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # a*b == p + e exactly
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)  # p + c == s + t exactly
    return s + (t + e)


def glibc(fn, x: np.ndarray) -> np.ndarray:
    """Apply a ``math`` function (glibc's) to each element of a float64 array."""
    return np.array([fn(v) for v in x.ravel().tolist()], dtype=f64).reshape(x.shape)


# ---------------------------------------------------------------------------------------------
# which of PyTorch's kernels this machine runs


def _cpu_flags() -> set:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


_AVX2 = []


def uses_avx2_normal() -> bool:
    """Whether PyTorch on this machine takes its AVX2 path for float32 normals (avx_mathfun).

    PyTorch picks its CPU kernels at start-up from the CPU's features, and ``ATEN_CPU_CAPABILITY``
    overrides it; the normal kernel is never dispatched to AVX512, so any x86-64 CPU with AVX2
    and FMA runs the AVX2 code.
    """
    if not _AVX2:
        cap = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()
        machine = platform.machine().lower()
        if cap == "default" or machine not in ("x86_64", "amd64"):
            _AVX2.append(False)
        else:
            flags = _cpu_flags()
            _AVX2.append(not flags or {"avx2", "fma"} <= flags)
    return _AVX2[0]


# ---------------------------------------------------------------------------------------------
# avx_mathfun.h: log256_ps and sincos256_ps, as GCC compiles them with FMA contraction

_LOG_P = tuple(float(f32(c)) for c in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1))
_LOG_Q1 = float(f32(-2.12194440e-4))
_LOG_Q2 = float(f32(0.693359375))
_SQRTHF = f32(0.707106781186547524)
_FOPI = f32(1.27323954473516)
_DP = tuple(float(f32(c)) for c in (-0.78515625, -2.4187564849853515625e-4,
                                    -3.77489497744594108e-8))
_COS_P = tuple(float(f32(c)) for c in (2.443315711809948e-005, -1.388731625493765e-003,
                                       4.166664568298827e-002))
_SIN_P = tuple(float(f32(c)) for c in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1))


def _fma_horner(y: np.ndarray, x64: np.ndarray, coefs) -> np.ndarray:
    """Horner steps ``y = fma(y, x, c)`` in float32 (float64 array in, float64 array out)."""
    for c in coefs:
        y *= x64
        y += c  # one rounding to 53 bits, then one to 24: float32's FMA
        y = y.astype(f32).astype(f64)
    return y


def log256(u: np.ndarray) -> np.ndarray:
    """``log256_ps`` for positive normal float32 ``u`` (float32 result).

    Plain float32 operations where the C code has no multiply-add to fuse (or where the
    product is exact); float64 for the fused ones.
    """
    bits = u.view(np.int32)
    e = ((bits >> 23) - 0x7E).astype(f32)  # the exponent + 1, as the code computes it
    m = ((bits & 0x007FFFFF) | 0x3F000000).view(f32)  # mantissa in [0.5, 1)
    small = m < _SQRTHF
    x = m - f32(1)
    x += np.where(small, m, f32(0))  # below sqrt(1/2): x = 2m - 1 (exact) and e -= 1
    e -= small
    z = x * x
    y = _fma_horner(np.full(x.shape, _LOG_P[0]), x.astype(f64), _LOG_P[1:])
    y = (y.astype(f32) * x).astype(f64)
    y *= z
    y += e * f32(_LOG_Q1)  # GCC fuses y * z + (e * q1)
    y = y.astype(f32)
    y -= z * f32(0.5)
    x += y
    x += e * f32(_LOG_Q2)  # exact product: q2 has 9 significant bits
    return x


def sincos256(theta: np.ndarray):
    """``sincos256_ps`` for float32 ``theta`` in [0, 2pi) (float32 results)."""
    j = (theta * _FOPI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(f32)
    # x = ((theta - y DP1) - y DP2) - y DP3, each fused; the first two products are exact
    x = theta + y * f32(_DP[0])
    x += y * f32(_DP[1])
    x = (x.astype(f64) + y.astype(f64) * _DP[2]).astype(f32)
    sin_neg = (j & 4) != 0
    cos_neg = (~(j - 2) & 4) != 0
    use_sin_poly = (j & 2) == 0
    z = x * x
    z64 = z.astype(f64)
    c = _fma_horner(np.full(z.shape, _COS_P[0]), z64, _COS_P[1:])
    c = (c.astype(f32) * z).astype(f64)
    c *= z64
    c -= z64 * 0.5  # GCC fuses c * z - z * 0.5
    c = c.astype(f32) + f32(1)
    s = _fma_horner(np.full(z.shape, _SIN_P[0]), z64, _SIN_P[1:])
    s = (s.astype(f32) * z).astype(f64)
    x64 = x.astype(f64)
    s *= x64
    s += x64
    s = s.astype(f32)
    sin = np.where(use_sin_poly, s, c)
    cos = np.where(use_sin_poly, c, s)
    np.negative(sin, out=sin, where=sin_neg)
    np.negative(cos, out=cos, where=cos_neg)
    return sin, cos


_TWO_PI_F = f32(2.0 * math.pi)
_CHUNK = 1 << 14  # elements per pass: the temporaries stay in the CPU's cache


def normal_fill16_avx2(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """PyTorch's ``NormalFill16<float>`` (AVX2) on float32 uniforms, 16 at a time, in place.

    In each block of 16, ``u[0:8]`` and ``u[8:16]`` pair up: radius from the first, angle from
    the second, cosines go to the first half and sines to the second.
    """
    for i in range(0, u.size, _CHUNK):
        _normal_avx2_chunk(u[i:i + _CHUNK], mean, std)
    return u


def _normal_avx2_chunk(u, mean, std):
    blocks = u.reshape(-1, 16)
    radius = np.sqrt(f32(-2) * log256(f32(1) - blocks[:, :8]))
    sin, cos = sincos256(blocks[:, 8:] * _TWO_PI_F)
    n1 = radius * cos
    n2 = radius * sin
    s, m = f32(std), f32(mean)
    if s == 1 and m == 0:
        blocks[:, :8] = n1 + f32(0)  # fma(n, 1, 0) turns -0.0 into +0.0
        blocks[:, 8:] = n2 + f32(0)
    else:
        blocks[:, :8] = _fma32(n1.astype(f64), float(s), float(m))
        blocks[:, 8:] = _fma32(n2.astype(f64), float(s), float(m))


def normal_fill16_scalar_float(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """``NormalFill16<float>`` without AVX2 (scalar ``logf``/``cosf``/``sinf``), approximately:
    the libm float functions are stood in for by float64 math rounded to float32."""
    blocks = u.reshape(-1, 16)
    u1 = (f32(1) - blocks[:, :8]).astype(f64)
    radius = np.sqrt((-2.0 * np.log(u1).astype(f32)).astype(f32))
    theta = (blocks[:, 8:].astype(f64) * (2.0 * math.pi)).astype(f32).astype(f64)
    cos = np.cos(theta).astype(f32)
    sin = np.sin(theta).astype(f32)
    s, m = float(f32(std)), float(f32(mean))
    blocks[:, :8] = _fma32((radius * cos).astype(f64), s, m)
    blocks[:, 8:] = _fma32((radius * sin).astype(f64), s, m)
    return u


def normal_fill16_double(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """``NormalFill16<double>`` on float64 uniforms in place: glibc log, cos and sin, then
    ``fma(radius * cos, std, mean)``."""
    blocks = u.reshape(-1, 16)
    u1 = 1.0 - blocks[:, :8]
    radius = np.sqrt(-2.0 * glibc(math.log, u1))
    theta = (2.0 * math.pi) * blocks[:, 8:]
    n1 = radius * np.cos(theta)
    n2 = radius * np.sin(theta)
    if std == 1.0 and mean == 0.0:
        n1 += 0.0
        n2 += 0.0
    else:
        n1 = fma64(n1, std, mean)
        n2 = fma64(n2, std, mean)
    blocks[:, :8] = n1
    blocks[:, 8:] = n2
    return u


def box_muller_pairs(u1: np.ndarray, u2: np.ndarray):
    """``normal_distribution<double>``'s Box-Muller on uniform pairs: (cos sample, sin sample).

    ``r = sqrt(-2 log1p(-u2))``, ``theta = 2 pi u1``; the cosine sample is returned now and the
    sine sample is the one PyTorch caches for the next call.
    """
    r = np.sqrt(-2.0 * glibc(math.log1p, -u2))
    theta = (2.0 * math.pi) * u1
    return r * np.cos(theta), r * np.sin(theta)
