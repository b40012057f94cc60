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
#   One fused step runs in float32 instead: the last step of the angle's reduction, whose
#   product is exact except in one quadrant (see ``_avx2_sincos``).
# - ``c * z - z / 2`` is computed as ``(c - 1/2) * z`` and ``s * x + x`` as ``(s + 1) * x``,
#   which the exhaustive check also covers.

_OFF = 0x3F3504F3  # the bits of float32(sqrt(1/2)): log256's mantissa/exponent split point
_J_OFF = _OFF + (24 << 23)  # the same for 2**24 * u1, read as u1
_F24 = f32(2.0**24)
_THETA = f32(_TWO_PI_F * f32(2.0**-24))
_DP2X = (f32(2 * _DP[0]), f32(2 * _DP[1]), 2 * float(_DP[2]))  # per quadrant pair q = j / 2
_DP2X3_F = f32(_DP2X[2])
_SIGN32 = np.int32(-2**31)
_TINY_Z = f32(2.0**-38)  # x * x below this: |x| < 2**-19, the fused step redone in float64
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
        size = h * (4 * 8 + 9 * 4) + n * 3 * 4
        if size < _HUGE_PAGES_FROM:
            new = np.empty
        else:  # one allocation carved into the buffers: NumPy asks the kernel for huge pages,
            # which spares the TLB the misses of the threaded path's large blocks
            self._arena = arena = np.empty(size, np.uint8)
            used = [0]

            def new(count, dtype):
                a = used[0]
                used[0] = a + count * np.dtype(dtype).itemsize
                return arena[a:used[0]].view(dtype)

        self.d = [new(h, f64) for _ in range(4)]
        self.f = [new(h, f32) for _ in range(6)]
        self.i = [new(h, np.int32) for _ in range(3)]
        self.k, self.w, self.o = new(n, f32), new(n, np.uint32), new(n, f32)


_HUGE_PAGES_FROM = 4 << 20  # NumPy's threshold for asking for huge pages (madvise)


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
    # the last fused step in float32: q DP3 is exact for q in {0, 1, 2, 4}; for q = 3 it is
    # not, which changes the rounding of three inputs of 2**24, all with |x| < 2**-20: those
    # near zero are redone with the fused step in float64
    np.multiply(qf, _DP2X3_F, out=tt)
    x = f[0]
    np.add(th, tt, out=x)
    z = f[1]
    np.multiply(x, x, out=z)
    if z.min() < _TINY_Z:
        near = np.flatnonzero(z < _TINY_Z)
        xn = (qf[near].astype(f64) * _DP2X[2] + th[near]).astype(f32)
        x[near] = xn
        z[near] = xn * xn
    x64 = d[0]
    np.copyto(x64, x)
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
    # odd q swaps the polynomials; q in {2, 3} negates the sine, q in {1, 2} the cosine, so
    # the cosine's sign flip is the sine's XOR the low bit of q
    ci, si = cos.view(np.int32), sin.view(np.int32)
    odd, m, u = i[0], i[2], f[4].view(np.int32)
    np.left_shift(q, 31, out=odd)  # the low bit of q, at the sign bit
    q <<= 30
    q &= _SIGN32  # bit 1 of q at the sign bit: the sine's flip
    np.right_shift(odd, 31, out=m)  # all ones where q is odd
    np.bitwise_xor(si, ci, out=u)
    u &= m  # the bits that swap the two where q is odd
    u ^= q
    si ^= u
    u ^= odd
    ci ^= u
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
    is left unset.

    From ``THREAD_MIN`` elements on, where this process may run on two CPUs or more and one of
    them is idle, two threads share the work (``_normal_avx2_threaded``): the same bits, in
    about 0.7 times the time.
    """
    out = np.empty(n_draw if size is None else size, f32)
    mean, std = f32(mean), f32(std)
    if n_fill >= THREAD_MIN and _cpus() > 1 and _runnable() < _cpus():
        _normal_avx2_threaded(gen, n_draw, n_fill, mean, std, out)
        return out
    s = _Scratch(min(n_fill, _BLOCK))
    for a in range(0, n_draw, _BLOCK):  # words drawn block by block: still in cache when used
        w = gen._u32(min(_BLOCK, n_draw - a))
        b = min(a + _BLOCK, n_fill)
        if b > a:
            _avx2_block(w[:b - a], out[a:b], mean, std, s)
    return out


THREAD_MIN = 1 << 20  # elements from which normal_avx2 may run on two threads
# Words per claim on two threads. Each of the ~120 ufunc calls of a block hands the GIL over
# to the other thread and back, which costs far more on two busy threads than on one, so the
# blocks are large (2**15 elements per block on two threads: slower than one thread; 2**18:
# 0.7 times one thread's time, on an idle machine).
_THREAD_BLOCK = 1 << 18
_CPUS = []


def _cpus() -> int:
    """How many CPUs this process may run on (read once; a fork keeps the parent's mask)."""
    if not _CPUS:
        try:
            _CPUS.append(len(os.sched_getaffinity(0)))
        except (AttributeError, OSError):  # pragma: no cover - not Linux
            _CPUS.append(os.cpu_count() or 1)
    return _CPUS[0]


def _runnable() -> int:
    """Threads that run or wait for a CPU on this machine now, the caller included (Linux's
    ``procs_running``; a large number where it cannot be read)."""
    try:
        with open("/proc/stat", "rb") as f:
            d = f.read()
        i = d.index(b"procs_running ") + 14
        return int(d[i:d.index(b"\n", i)])
    except (OSError, ValueError):  # pragma: no cover - not Linux
        return 1 << 30


def _normal_avx2_threaded(gen, n_draw: int, n_fill: int, mean, std, out: np.ndarray) -> None:
    """``normal_avx2``'s fill on this thread and one more, made for this call and joined before
    it returns (nothing outlives the call, so a fork finds no thread or lock in use).

    Both threads loop: under one lock, claim the next block of ``_THREAD_BLOCK`` words and draw them
    (NumPy's twister releases the GIL, as do the ufuncs), then transform the block outside the
    lock. Claim and draw under the same lock keep the words in the generator's order, and each
    element's bits depend on its own 32-bit words only, so the result is the single-thread
    path's, bit for bit. A failure on either thread stops the other after its current block and
    is raised here. The second thread leaves early when other threads want the CPUs (on a busy
    machine each GIL hand-over waits for a CPU, and one thread alone is faster).
    """
    import threading

    lock = threading.Lock()
    nxt = [0]  # the first word of the next block to claim
    failed = []

    def work(helper=False):
        s = _Scratch(min(_THREAD_BLOCK, n_draw))
        crowded = 0
        while True:
            # others want the CPUs at two checks in a row (one block apart, so not a passing
            # kernel thread): leave the rest to the calling thread
            crowded = crowded + 1 if helper and _runnable() > _cpus() else 0
            if crowded == 2:
                return
            with lock:
                a = nxt[0]
                if a >= n_draw or failed:
                    return
                w = gen._u32(min(_THREAD_BLOCK, n_draw - a))
                nxt[0] = a + w.size
            b = min(a + w.size, n_fill)
            if b > a:
                _avx2_block(w[:b - a], out[a:b], mean, std, s)

    def helper():
        try:
            work(helper=True)
        except BaseException as e:  # noqa: BLE001 - raised again on the calling thread
            failed.append(e)

    t = threading.Thread(target=helper, name="ember-randn", daemon=True)
    t.start()
    try:
        work()
    except BaseException as e:
        failed.append(e)
        raise
    finally:
        t.join()
    if failed:
        raise failed[0]


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


# ---------------------------------------------------------------------------------------------
# glibc's double log, vectorized
#
# glibc 2.28+ computes log(x) (``sysdeps/ieee754/dbl-64/e_log.c``, from Arm's optimized
# routines) as hi + lo: x = 2**k z, r = z / c - 1 with c and log(c) from a 128-entry table, then
# ``lo + r**2 A0 + r**3 (A1 + ...) + hi`` with one last rounded addition of ``hi``; inputs within
# 1/16 of 1 take a polynomial in x - 1 instead. ``glibc_log`` runs the same arithmetic on whole
# arrays, with glibc's own table, read from the libm this process has loaded (glibc keeps it
# private). Its sums are rounded without fused multiply-adds where glibc's FMA build fuses
# them, so they can differ from glibc's by a few units of 2**-70, far below a unit in the last
# place of the result: the last addition gives glibc's result unless the exact sum lies within
# a small margin of a rounding boundary (about 1% of inputs), and those few are recomputed with
# ``math.log``. Without the table (another libm, an older glibc) every element goes through
# ``math.log``.

_LN2_BITS = b"\x00\x38\xfa\xfe\x42\x2e\xe6\x3f\x30\x67\xc7\x93\x57\xf3\x2e\x3d"  # ln2hi, ln2lo
_LOG_OFF = 0x3FE6000000000000
_LOG_NEAR_LO = 0x3FEE000000000000  # 1 - 2**-4
_LOG_NEAR_HI = 0x3FF1090000000000  # 1 + 0x1.09p-4
# margins (in half units in the last place) within which a rounding is left to math.log;
# over 10**7 inputs, the sums that rounded otherwise than glibc lay within 2**-15 (far from 1)
# and 2**-8 (near 1) of a boundary; with these margins, 10**8 inputs give math.log's bits
_LOG_MARGIN, _LOG_MARGIN1 = 1 - 2.0**-7, 1 - 2.0**-4
_LOG_TABLES = []


def _libm_path():
    try:
        with open("/proc/self/maps", encoding="ascii", errors="replace") as f:
            for line in f:
                path = line.rsplit(None, 1)[-1]
                name = path.rsplit("/", 1)[-1]
                if name.startswith("libm.so") or name.startswith("libm-"):
                    return path
    except OSError:
        pass
    return None


def _log_tables():
    """glibc's ``__log_data`` (ln2 in two parts, the polynomials, the 128 (1/c, log c) pairs),
    checked against ``math.log``; None where it cannot be found or does not agree."""
    if _LOG_TABLES:
        return _LOG_TABLES[0]
    _LOG_TABLES.append(None)
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):  # glibc runs its FMA build where the CPU has FMA
        flags = _cpu_flags()
        if not {"fma", "avx2"} <= flags:
            return None
    elif machine not in ("aarch64", "arm64"):
        return None
    path = _libm_path()
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            lib = f.read()
    except OSError:
        return None
    at = lib.find(_LN2_BITS)
    if at < 0:
        return None
    d = np.frombuffer(lib, "<f8", 18 + 256, at).astype(f64)
    if d[2] != -0.5000000000000001 or d[7] != -0.5:  # poly[0], poly1[0]: the layout we know
        return None
    invc = d[18::2].copy()
    ih, il = _split(invc)
    tables = (d[0], d[1], tuple(d[2:7]), tuple(d[7:18]), invc, ih, il, d[19::2].copy())
    _LOG_TABLES[0] = tables
    # the same bits as math.log over a spread of inputs, or not used at all
    x = np.concatenate([np.linspace(2.0**-53, 1.0, 1 << 13), 1 - np.linspace(0, 2**-3, 1 << 12),
                        np.exp2(-np.arange(54.0)), np.nextafter(np.exp2(-np.arange(54.0)), 0)])
    if not np.array_equal(glibc_log(x, tables).view(np.int64),
                          glibc(math.log, x).view(np.int64)):
        _LOG_TABLES[0] = None
    return _LOG_TABLES[0]


def glibc_log(x: np.ndarray, tables=None) -> np.ndarray:
    """glibc's ``log`` of each element of a float64 array of positive normal values."""
    tables = tables or _log_tables()
    if tables is None:
        return glibc(math.log, x)
    x = np.ascontiguousarray(x, f64).reshape(-1)
    out = np.empty_like(x)
    for a in range(0, x.size, _LOG_BLOCK):
        _glibc_log_block(x[a:a + _LOG_BLOCK], out[a:a + _LOG_BLOCK], tables)
    return out


_LOG_BLOCK = 1 << 13


def _glibc_log_block(x, out, tables) -> None:
    ln2hi, ln2lo, A, B, invc, invc_h, invc_l, logc = tables
    ix = x.view(np.int64)
    tmp = ix - _LOG_OFF
    i = tmp >> 45
    i &= 127
    k = tmp >> 52
    tmp &= -(1 << 52)
    iz = ix - tmp
    z = iz.view(f64)
    # r = fma(z, 1/c, -1), exactly: Dekker's product z / c = p + e, p - 1 exact near 1
    p = invc[i]
    p *= z
    zh = z * 134217729.0
    zh -= zh - z
    zl = z - zh
    ch, cl = invc_h[i], invc_l[i]
    e = zh * ch
    e -= p
    e += zh * cl
    e += zl * ch
    zl *= cl
    e += zl
    r = p - 1.0
    r += e
    kd = k.astype(f64)
    w = kd * ln2hi
    w += logc[i]
    hi = w + r
    w -= hi
    w += r
    kd *= ln2lo
    w += kd  # lo
    r2 = r * r
    q = r * A[4]
    q += A[3]
    q *= r2
    q += A[2] * r
    q += A[1]
    q *= r * r2
    r2 *= A[0]
    w += r2
    w += q  # the sum below hi
    s = np.add(w, hi, out=out)
    margin = _LOG_MARGIN
    # inputs near 1 (within 1/16): log1p's polynomial in r = x - 1, hi + lo split exactly
    near = (ix - _LOG_NEAR_LO).view(np.uint64) < (_LOG_NEAR_HI - _LOG_NEAR_LO)
    idx = np.flatnonzero(near)
    if idx.size:
        r = x[idx] - 1.0
        r2 = r * r
        r3 = r * r2
        y = (B[7] + r * B[8] + r2 * B[9] + r3 * B[10]) * r3
        y += B[4] + r * B[5] + r2 * B[6]
        y *= r3
        y += B[1] + r * B[2] + r2 * B[3]
        y *= r3
        rhi = r * 2.0**27
        rhi = (r + rhi) - rhi
        rlo = r - rhi
        ww = rhi * rhi * B[0]
        h1 = r + ww
        l1 = (r - h1) + ww
        l1 += (B[0] * rlo) * (rhi + r)
        y += l1
        s[idx] = y + h1
        w[idx] = y
        hi[idx] = h1
        margin = np.full(x.size, _LOG_MARGIN)
        margin[idx] = _LOG_MARGIN1
    # the exact rounding error of the last addition (Knuth's two-sum), against half a unit
    bb = s - w
    w -= s - bb
    hi -= bb
    w += hi
    np.abs(w, out=w)
    sb = s.view(np.int64)
    half = (sb & 0x7FF0000000000000).view(f64)
    half *= 2.0**-53
    half *= margin
    risky = w > half
    risky |= (sb & 0xFFFFFFFFFFFFF) == 0  # a power of two: a narrower gap below
    risky |= (ix - 0x0010000000000000).view(np.uint64) >= 0x7FE0000000000000  # not normal > 0
    risky |= ix == 0x3FF0000000000000  # log(1) = +0
    idx = np.flatnonzero(risky)
    if idx.size:
        out[idx] = glibc(math.log, x[idx])


def normal_fill16_double(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """``NormalFill16<double>`` on float64 uniforms in place: glibc log, cos and sin, then
    ``fma(radius * cos, std, mean)`` (block by block, in cache)."""
    tables = _log_tables()
    for a in range(0, u.size, 2 * _LOG_BLOCK):
        blocks = u[a:a + 2 * _LOG_BLOCK].reshape(-1, 16)
        u1 = 1.0 - blocks[:, :8]
        if tables is None:
            log = glibc(math.log, u1)
        else:
            log = np.empty(u1.shape, f64)
            _glibc_log_block(u1.reshape(-1), log.reshape(-1), tables)
        log *= -2.0
        radius = np.sqrt(log, out=log)
        theta = blocks[:, 8:] * (2.0 * math.pi)
        n1 = np.cos(theta)
        n1 *= radius
        n2 = np.sin(theta, out=theta)
        n2 *= radius
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
