"""Bit-exact copies of PyTorch's CPU sampling arithmetic, on NumPy arrays.

Everything here reproduces the exact floating-point operations of PyTorch 2.13's CPU kernels
(``aten/src/ATen/native/cpu/DistributionTemplates.h``, ``avx_mathfun.h``,
``aten/src/ATen/core/TransformationHelper.h``), so that the same seed gives the same bits.

Two facts shape the code:

- PyTorch's AVX2 kernels are compiled with ``-mfma``, and GCC contracts ``a * b + c`` into one
  fused multiply-add (a single rounding). ``fma32`` reproduces a float32 FMA: the product of two
  float32 values is exact in float64, and the rare sums that a second rounding would move are
  found and corrected. The float32 normal kernel (``_avx2_radius``, ``_avx2_sincos``) uses
  cheaper roundings, proven right by comparison with ``log256``/``sincos256`` on every one of
  the 2**24 inputs each can receive (``tests/_functions/test_random.py``).
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


def fma32(a, b, c) -> np.ndarray:
    """float32 fused multiply-add ``a * b + c`` of float32 values, rounded once (float32 result).

    The product of two float32 values is exact in float64, so ``float32(a * b + c)`` computed
    in float64 rounds twice (to 53 bits, then to 24); that differs from one rounding only when
    the float64 sum lands exactly on a float32 midpoint although the true sum does not. Those
    rare elements are found by their bits and nudged towards the true sum (Knuth's two-sum
    gives its error) before the rounding to float32.
    """
    p = np.asarray(a, f64) * np.asarray(b, f64)
    c = np.asarray(c, f64)
    s = np.asarray(p + c)
    out = s.astype(f32)
    mid = (s.view(np.uint64) & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    if mid.any():
        p, c = np.broadcast_to(p, s.shape)[mid], np.broadcast_to(c, s.shape)[mid]
        sm = s[mid]
        bb = sm - p
        err = (p - (sm - bb)) + (c - bb)  # p + c == sm + err exactly
        sm = np.where(err != 0, np.nextafter(sm, np.copysign(np.inf, err)), sm)
        out[mid] = sm.astype(f32)
    return out


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
    return np.fromiter(map(fn, x.ravel().tolist()), f64, x.size).reshape(x.shape)


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
#
# ``log256`` and ``sincos256`` below are the plain statement of that arithmetic (one ``fma32``
# per fused step). The fast kernel after them computes the same bits for whole arrays at a
# fraction of the cost; both are checked against each other on all 2**24 possible inputs.

_LOG_P = tuple(f32(c) for c in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1))
_LOG_Q1 = f32(-2.12194440e-4)
_LOG_Q2 = f32(0.693359375)
_SQRTHF = f32(0.707106781186547524)
_FOPI = f32(1.27323954473516)
_DP = tuple(f32(c) for c in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8))
_COS_P = tuple(f32(c) for c in (2.443315711809948e-005, -1.388731625493765e-003,
                                4.166664568298827e-002))
_SIN_P = tuple(f32(c) for c in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1))
_TWO_PI_F = f32(2.0 * math.pi)


def log256(u: np.ndarray) -> np.ndarray:
    """``log256_ps`` for positive normal float32 ``u`` (float32 result), step by step."""
    bits = np.asarray(u, f32).view(np.int32)
    e = ((bits >> 23) - 0x7E).astype(f32)  # the exponent + 1, as the code computes it
    m = ((bits & 0x007FFFFF) | 0x3F000000).view(f32)  # mantissa in [0.5, 1)
    small = m < _SQRTHF
    x = (m - f32(1)) + np.where(small, m, f32(0))  # below sqrt(1/2): x = 2m - 1 and e -= 1
    e -= small
    z = x * x
    y = np.full(x.shape, _LOG_P[0])
    for c in _LOG_P[1:]:
        y = fma32(y, x, c)
    y = y * x
    y = fma32(y, z, e * _LOG_Q1)  # GCC fuses y * z + (e * q1)
    y = y - z * f32(0.5)  # z * 0.5 is exact: fused or not, one rounding
    x = x + y
    return fma32(e, _LOG_Q2, x)


def sincos256(theta: np.ndarray):
    """``sincos256_ps`` for float32 ``theta`` in [0, 2pi) (float32 sines and cosines)."""
    x = np.asarray(theta, f32)
    j = (x * _FOPI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(f32)
    x = fma32(y, _DP[0], x)  # x = ((x - y DP1) - y DP2) - y DP3, each step fused
    x = fma32(y, _DP[1], x)
    x = fma32(y, _DP[2], x)
    z = x * x
    c = fma32(fma32(_COS_P[0], z, _COS_P[1]), z, _COS_P[2])
    c = fma32(c * z, z, -(z * f32(0.5))) + f32(1)
    s = fma32(fma32(_SIN_P[0], z, _SIN_P[1]), z, _SIN_P[2])
    s = fma32(s * z, x, x)
    use_sin_poly = (j & 2) == 0
    sin = np.where(use_sin_poly, s, c)
    cos = np.where(use_sin_poly, c, s)
    sin = np.where((j & 4) != 0, -sin, sin)
    cos = np.where(((j + 2) & 4) != 0, -cos, cos)
    return sin, cos


# The fast kernel. NumPy's cost is passes over memory, so it works on blocks that stay in the
# CPU's cache, in preallocated buffers, and keeps the number of passes low:
#
# - the 16-element blocks are de-interleaved once (radius lanes, angle lanes) by copying
#   32-byte items, and re-interleaved once at the end;
# - the uniforms are never formed: ``u1 = 1 - u`` is the integer ``2**24 - k`` scaled, its
#   exponent and mantissa come from integer operations on the bits of ``float32(2**24 - k)``,
#   and ``2 pi u`` is ``k * (2 pi 2**-24)``, which rounds the same;
# - each fused step runs in float64, where the product of two float32 values is exact, and
#   the result is rounded back to float32 precision in place by two integer operations on its
#   bits (add half a float32 unit, clear the 29 extra bits): round half away from zero, which
#   is float32's round-half-even except on exact ties. Over all 2**24 inputs of each function
#   one input of the logarithm meets such a tie, and every input gives the bits of ``log256``
#   and ``sincos256`` above; the logarithm of the smallest inputs is redone with ``log256``.
# - ``c * z - z / 2`` is computed as ``(c - 1/2) * z`` and ``s * x + x`` as ``(s + 1) * x``,
#   which the exhaustive check also covers.

_OFF = 0x3F3504F3  # the bits of float32(sqrt(1/2)): log256's mantissa/exponent split point
_J_OFF = _OFF + (24 << 23)  # the same for 2**24 * u1, read as u1
_F24 = f32(2.0**24)
_THETA = f32(_TWO_PI_F * f32(2.0**-24))
_DP2X = (f32(2 * _DP[0]), f32(2 * _DP[1]), 2 * float(_DP[2]))  # per quadrant pair q = j / 2
_LOG_P64 = tuple(float(c) for c in _LOG_P)
_COS_P64 = tuple(float(c) for c in _COS_P)
_SIN_P64 = tuple(float(c) for c in _SIN_P)
# Steps whose result stays in one binade [2**e, 2**(e+1)) round to float32 with a single
# float64 addition: adding M = 1.5 * 2**(e + 29) (with the step's constant, c + M being exact)
# leaves exactly the bits of a float32 of that binade, rounded half to even, and subtracting
# M gives them back: log's last Horner step, the first two steps of both trig polynomials.
_LOG_P8_M, _LOG_M = _LOG_P64[8] + 1.5 * 2.0**27, 1.5 * 2.0**27  # result in [1/4, 1/2)
_COS_P1_M, _COS_M1 = _COS_P64[1] + 1.5 * 2.0**19, 1.5 * 2.0**19  # in [2**-10, 2**-9)
_COS_P2_M, _COS_M2 = _COS_P64[2] + 1.5 * 2.0**24, 1.5 * 2.0**24  # in [2**-5, 2**-4)
_SIN_P1_M, _SIN_M1 = _SIN_P64[1] + 1.5 * 2.0**22, 1.5 * 2.0**22  # in [2**-7, 2**-6)
_SIN_P2_M, _SIN_M2 = _SIN_P64[2] + 1.5 * 2.0**26, 1.5 * 2.0**26  # in [2**-3, 2**-2)
_HALF32 = 0x10000000  # half a float32 unit in the last place, in a float64's bits
_KEEP32 = -0x20000000  # the bits a float32 keeps
_SMALL_J = 16  # 2**24 u1 at or below this: the logarithm is redone step by step
_BLOCK = 1 << 15  # elements per pass (a multiple of 16)


class _Scratch:
    """Work buffers for blocks of up to ``n`` elements (one set per thread)."""

    def __init__(self, n: int):
        h = n >> 1
        self.n = n
        self.f = [np.empty(h, f32) for _ in range(6)]
        self.d = [np.empty(h, f64) for _ in range(4)]
        self.i = [np.empty(h, np.int32) for _ in range(3)]
        self.k = np.empty(n, f32)
        self.w = np.empty(n, np.uint32)
        self.o = np.empty(n, f32)


def _round32(bits: np.ndarray) -> None:
    """Round float64 values (given as their int64 bits) to float32 precision, in place."""
    bits += _HALF32
    bits &= _KEEP32


def _avx2_block(w: np.ndarray, out: np.ndarray, mean, std, s: _Scratch) -> None:
    """``NormalFill16<float>`` (AVX2) from 32-bit words ``w`` (a multiple of 16) into ``out``."""
    n = w.size
    nb, h = n >> 4, n >> 1
    # lanes 0-7 of every block to the first half (radius), lanes 8-15 to the second (angle)
    kw = s.w[:n]
    np.copyto(kw.view("V32").reshape(2, nb), w.view("V32").reshape(nb, 2).T)
    kw &= 0xFFFFFF
    k = s.k[:n]
    np.copyto(k, kw.view(np.int32), casting="unsafe")  # u = k 2**-24, k < 2**24
    zero = k.min() == 0  # a zero radius or sine: the final fma turns -0.0 into +0.0
    o = s.o[:n]
    r = o[:h]
    _avx2_radius(k[:h], r, s)
    sin, cos = _avx2_sincos(k[h:], s)
    np.multiply(r, sin, out=o[h:])
    r *= cos
    if std != 1 or mean != 0:
        o[:] = fma32(o, std, mean)
    elif zero:
        o += f32(0)
    np.copyto(out.view("V32").reshape(nb, 2).T, o.view("V32").reshape(2, nb))


def _avx2_radius(k: np.ndarray, r: np.ndarray, s: _Scratch) -> None:
    """``r = sqrt(-2 log256(1 - u))`` for ``u = k 2**-24`` (float32 ``k``, overwritten)."""
    h = k.size
    f = [b[:h] for b in s.f]
    d = [b[:h] for b in s.d]
    i = [b[:h] for b in s.i]
    few = k.max() > 2**24 - 1 - _SMALL_J
    np.subtract(_F24, k, out=k)  # 1 - u = j 2**-24, j = 2**24 - k
    t = i[0]
    np.subtract(k.view(np.int32), _J_OFF, out=t)  # u1 = z 2**e, z in [sqrt(1/2), sqrt(2))
    np.right_shift(t, 23, out=i[1])
    e = f[0]
    np.copyto(e, i[1], casting="unsafe")
    t &= 0x7FFFFF
    t += _OFF
    x = t.view(f32)
    x -= f32(1)  # x = z - 1, exact
    x64 = d[0]
    np.copyto(x64, x)
    y = d[1]
    yb = y.view(np.int64)
    np.multiply(x64, _LOG_P64[0], out=y)
    y += _LOG_P64[1]
    _round32(yb)
    for c in _LOG_P64[2:8]:
        y *= x64
        y += c
        _round32(yb)
    y *= x64
    y += _LOG_P8_M
    y -= _LOG_M
    y *= x64
    _round32(yb)
    z = f[1]
    np.multiply(x, x, out=z)
    z64 = d[2]
    np.copyto(z64, z)
    eq = f[2]
    np.multiply(e, _LOG_Q1, out=eq)
    y *= z64
    np.copyto(d[3], eq)
    y += d[3]
    y32 = f[3]
    np.copyto(y32, y, casting="unsafe")
    z *= f32(0.5)
    y32 -= z
    x += y32
    e *= _LOG_Q2
    x += e
    x *= f32(-2)
    np.sqrt(x, out=r)
    if few:
        small = k <= _SMALL_J
        r[small] = np.sqrt(f32(-2) * log256(k[small] * f32(2.0**-24)))


def _avx2_sincos(th: np.ndarray, s: _Scratch):
    """``sincos256(2 pi u)`` for ``u = k 2**-24`` (float32 ``k`` given as ``th``, overwritten):
    float32 ``(sin, cos)``, views of the scratch buffers."""
    h = th.size
    f = [b[:h] for b in s.f]
    d = [b[:h] for b in s.d]
    i = [b[:h] for b in s.i]
    th *= _THETA
    tt = f[4]
    np.multiply(th, _FOPI, out=tt)
    q = i[1]
    np.copyto(q, tt, casting="unsafe")
    q += 1
    q >>= 1  # j = 2q
    qf = f[5]
    np.copyto(qf, q, casting="unsafe")
    np.multiply(qf, _DP2X[0], out=tt)
    th += tt
    np.multiply(qf, _DP2X[1], out=tt)
    th += tt
    x64 = d[0]
    np.copyto(x64, qf)
    x64 *= _DP2X[2]
    np.copyto(d[1], th)
    x64 += d[1]
    x = f[0]
    np.copyto(x, x64, casting="unsafe")
    np.copyto(x64, x)
    z = f[1]
    np.multiply(x, x, out=z)
    z64 = d[2]
    np.copyto(z64, z)
    c = d[1]
    cb = c.view(np.int64)
    np.multiply(z64, _COS_P64[0], out=c)
    c += _COS_P1_M
    c -= _COS_M1
    c *= z64
    c += _COS_P2_M
    c -= _COS_M2
    c *= z64
    _round32(cb)
    c -= 0.5
    c *= z64
    cos = f[2]
    np.copyto(cos, c, casting="unsafe")
    cos += f32(1)
    sn = d[3]
    sb = sn.view(np.int64)
    np.multiply(z64, _SIN_P64[0], out=sn)
    sn += _SIN_P1_M
    sn -= _SIN_M1
    sn *= z64
    sn += _SIN_P2_M
    sn -= _SIN_M2
    sn *= z64
    _round32(sb)
    sn += 1.0
    sn *= x64
    sin = f[3]
    np.copyto(sin, sn, casting="unsafe")
    # odd q swaps the polynomials; q in {2, 3} negates the sine, q in {1, 2} the cosine
    ci, si = cos.view(np.int32), sin.view(np.int32)
    m, dd = i[0], i[2]
    np.left_shift(q, 31, out=m)
    m >>= 31
    np.bitwise_xor(si, ci, out=dd)
    dd &= m
    si ^= dd
    ci ^= dd
    np.bitwise_and(q, 2, out=m)
    m <<= 30
    si ^= m
    q += 1
    q &= 2
    q <<= 30
    ci ^= q
    return sin, cos


def normal_avx2_words(w: np.ndarray, out: np.ndarray, mean: float, std: float) -> np.ndarray:
    """PyTorch's ``NormalFill16<float>`` (AVX2) from the 32-bit words ``w`` of the uniforms
    (``u = (w & 0xFFFFFF) 2**-24``; a multiple of 16 of them) into float32 ``out``.

    In each block of 16, elements 0-7 and 8-15 pair up: radius from the first, angle from the
    second, ``radius * cos`` to the first half and ``radius * sin`` to the second, then
    ``fma(n, std, mean)``.
    """
    mean, std = f32(mean), f32(std)
    s = _Scratch(min(w.size, _BLOCK))  # per call: calls from several threads stay apart
    for a in range(0, w.size, _BLOCK):
        b = min(a + _BLOCK, w.size)
        _avx2_block(w[a:b], out[a:b], mean, std, s)
    return out


def normal_avx2(gen, n_draw: int, n_fill: int, mean: float, std: float,
                size: int | None = None) -> np.ndarray:
    """Draw ``n_draw`` words from ``gen`` and fill the first ``n_fill`` (a multiple of 16) of a
    new float32 array of ``size`` elements (``n_draw`` by default) with their normals; the rest
    is left unset."""
    out = np.empty(n_draw if size is None else size, f32)
    mean, std = f32(mean), f32(std)
    s = _Scratch(min(n_fill, _BLOCK))
    for a in range(0, n_draw, _BLOCK):  # words drawn block by block: still in cache when used
        w = gen._u32(min(_BLOCK, n_draw - a))
        b = min(a + _BLOCK, n_fill)
        if b > a:
            _avx2_block(w[:b - a], out[a:b], mean, std, s)
    return out


def normal_fill16_scalar_float(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """``NormalFill16<float>`` without AVX2 (scalar ``logf``/``cosf``/``sinf``), approximately:
    the libm float functions are stood in for by float64 math rounded to float32."""
    blocks = u.reshape(-1, 16)
    u1 = (f32(1) - blocks[:, :8]).astype(f64)
    radius = np.sqrt((-2.0 * np.log(u1).astype(f32)).astype(f32))
    theta = (blocks[:, 8:].astype(f64) * (2.0 * math.pi)).astype(f32).astype(f64)
    cos = np.cos(theta).astype(f32)
    sin = np.sin(theta).astype(f32)
    s, m = f32(std), f32(mean)
    blocks[:, :8] = fma32(radius * cos, s, m)
    blocks[:, 8:] = fma32(radius * sin, s, m)
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
