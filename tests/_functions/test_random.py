"""Samplers against PyTorch: the same seed must give the same bits and leave the generator in
the same state, for every size (both of randn's paths) and dtype."""

import time

import numpy as np
import pytest
import torch

import ember
from tests.optable import assert_raises_like

SIZES = (0, 1, 7, 15, 16, 17, 31, 1000, 10**5)
FLOATS = ("float16", "float32", "float64")
INTS = ("int64", "int32", "int16", "int8", "uint8")


def _bits(x) -> bytes:
    a = x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)
    return a.dtype.str.encode() + repr(a.shape).encode() + np.ascontiguousarray(a).tobytes()


def _same_state() -> bool:
    return np.array_equal(ember.get_rng_state().numpy(), torch.get_rng_state().numpy())


def check(fn, seed=0, dtype=None):
    """Run ``fn(lib, dtype)`` under both libraries from the same seed: identical bits and
    identical generator states afterwards."""
    ember.manual_seed(seed)
    torch.manual_seed(seed)
    a = fn(ember, None if dtype is None else getattr(ember, dtype))
    b = fn(torch, None if dtype is None else getattr(torch, dtype))
    assert _bits(a) == _bits(b), f"values differ: {a} vs {b}"
    assert _same_state(), "generator states differ"


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_rand_randn(n, dtype):
    check(lambda L, d: L.rand(n, dtype=d), n, dtype)
    check(lambda L, d: L.randn(n, dtype=d), n, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_like_and_shapes(dtype):
    x = np.zeros((3, 7), dtype)
    check(lambda L, d: L.rand_like(L.from_numpy(x)), 1)
    check(lambda L, d: L.randn_like(L.from_numpy(x)), 2)
    check(lambda L, d: L.randn(2, 3, 4, dtype=d), 3, dtype)
    check(lambda L, d: L.rand((5, 5), dtype=d), 4, dtype)
    check(lambda L, d: L.randn((), dtype=d), 5, dtype)
    check(lambda L, d: L.randint_like(L.from_numpy(x), 3, 9), 6)
    check(lambda L, d: L.randint_like(L.from_numpy(x), 9), 7)


def test_seed_program():
    """The seed tutorial's opening lines."""
    for lib in (ember, torch):
        lib.manual_seed(42)
        lib.cuda.manual_seed(42)
        lib.backends.cudnn.deterministic = True
        lib.backends.cudnn.benchmark = False
    ember.manual_seed(42)
    torch.manual_seed(42)
    assert _bits(ember.randn(1, 3, 4, 4)) == _bits(torch.randn(1, 3, 4, 4))
    assert repr(ember.randn(2, 3)) == repr(torch.randn(2, 3))


@pytest.mark.parametrize("n", (1, 7, 17, 1000, 10**5))
@pytest.mark.parametrize("dtype", FLOATS)
def test_uniform_normal_inplace(n, dtype):
    check(lambda L, d: L.empty(n, dtype=d).uniform_(-3.7, 2.1), n, dtype)
    check(lambda L, d: L.empty(n, dtype=d).normal_(0.5, 2.3), n, dtype)
    # non-contiguous: PyTorch fills in memory order and takes the scalar normal path
    check(lambda L, d: L.empty(n, 3, dtype=d).t().normal_(), n, dtype)
    check(lambda L, d: L.empty(n, 3, dtype=d).t().uniform_(), n, dtype)


@pytest.mark.parametrize("n", (1, 7, 17, 1000))
@pytest.mark.parametrize("dtype", FLOATS)
def test_continuous_distributions(n, dtype):
    check(lambda L, d: L.empty(n, dtype=d).exponential_(1.7), n, dtype)
    check(lambda L, d: L.empty(n, dtype=d).log_normal_(0.2, 0.9), n, dtype)
    check(lambda L, d: L.empty(n, dtype=d).log_normal_(), n, dtype)
    check(lambda L, d: L.empty(n, dtype=d).cauchy_(0.3, 2.1), n, dtype)
    check(lambda L, d: L.empty(n, dtype=d).cauchy_(), n, dtype)
    check(lambda L, d: L.empty(n, dtype=d).geometric_(0.3), n, dtype)


@pytest.mark.parametrize("dtype", INTS + FLOATS + ("bool",))
def test_random_(dtype):
    check(lambda L, d: L.empty(1000, dtype=d).random_(), 1, dtype)
    if dtype != "bool":
        check(lambda L, d: L.empty(1000, dtype=d).random_(100), 2, dtype)
        check(lambda L, d: L.empty(1000, dtype=d).random_(3, 50), 3, dtype)
        check(lambda L, d: L.empty(1000, dtype=d).random_(from_=7) if L is ember
              else L.empty(1000, dtype=d).random_(7, None), 4, dtype)
    check(lambda L, d: L.empty(1000, dtype=d).geometric_(0.2), 5, dtype) if dtype != "bool" \
        else None


@pytest.mark.parametrize("n", SIZES)
def test_randint_randperm(n):
    check(lambda L, d: L.randint(-3, 10, (n,)), n)
    check(lambda L, d: L.randint(10, (n, 2)), n)
    check(lambda L, d: L.randint(0, 2**40, (n,)), n)  # range >= 2**28: random64
    check(lambda L, d: L.randint(0, 2**28, (n,), dtype=L.int64), n)
    check(lambda L, d: L.randint(0, 2**20, (n,), dtype=L.float32), n)
    check(lambda L, d: L.randperm(n), n)
    check(lambda L, d: L.randperm(min(n, 127), dtype=L.int8), n)
    check(lambda L, d: L.randperm(n, dtype=L.float64), n)


def test_random_full_64_bits():
    check(lambda L, d: L.empty(100, dtype=L.int64).random_(-(2**63), None), 3)


@pytest.mark.parametrize("n", (1, 7, 17, 1000, 10**5))
@pytest.mark.parametrize("dtype", FLOATS + ("int64", "bool", "uint8"))
def test_bernoulli(n, dtype):
    check(lambda L, d: L.empty(n, dtype=d).bernoulli_(0.3), n, dtype)
    check(lambda L, d: L.empty(n, dtype=d).bernoulli_(L.rand(n)), n, dtype)
    check(lambda L, d: L.empty(n, dtype=d).bernoulli_(L.rand(n, dtype=L.float64)), n, dtype)
    if dtype in FLOATS:
        check(lambda L, d: L.bernoulli(L.rand(n, dtype=d)), n, dtype)
        check(lambda L, d: L.bernoulli(L.rand(n, dtype=d), 0.7), n, dtype)
        check(lambda L, d: L.rand(n, 2, dtype=d).t().bernoulli(), n, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_overloads(dtype):
    x = np.linspace(-3, 3, 1000).astype(dtype)
    s = np.linspace(0, 2, 1000).astype(dtype)
    check(lambda L, d: L.normal(L.from_numpy(x), 2.0), 1)
    check(lambda L, d: L.normal(L.from_numpy(x[:10]), 2.0), 1)
    check(lambda L, d: L.normal(1.5, L.from_numpy(s)), 2)
    check(lambda L, d: L.normal(L.from_numpy(x), L.from_numpy(s)), 3)
    check(lambda L, d: L.normal(L.from_numpy(x[:5]), L.from_numpy(s[:5])), 3)
    check(lambda L, d: L.normal(1.5, 2.0, (40, 3), dtype=d), 4, dtype)
    check(lambda L, d: L.normal(1.5, 2.0, size=(3,), dtype=d), 4, dtype)


def test_normal_grad_fn():
    m = ember.zeros(3, requires_grad=True)
    y = ember.normal(m, 1.0)
    assert type(y.grad_fn).__name__ == "NormalBackward1"
    y.sum().backward()
    assert m.grad.tolist() == [0.0, 0.0, 0.0]
    s = ember.ones(3, requires_grad=True)
    assert type(ember.normal(0.0, s).grad_fn).__name__ == "NormalBackward2"
    assert type(ember.normal(m, s).grad_fn).__name__ == "NormalBackward3"
    p = ember.full((3,), 0.5, requires_grad=True)
    assert type(ember.bernoulli(p).grad_fn).__name__ == "BernoulliBackward0"
    assert type(ember.poisson(p).grad_fn).__name__ == "PoissonBackward0"
    y = p * 2
    assert type(y.uniform_().grad_fn).__name__ == "UniformBackward0"
    assert type((p * 2).normal_().grad_fn).__name__ == "NormalBackward0"
    with pytest.raises(RuntimeError, match="leaf Variable"):
        p.uniform_()
    with ember.no_grad():
        p.uniform_()


@pytest.mark.parametrize("n", (1, 7, 100))
@pytest.mark.parametrize("dtype", ("float32", "float64"))
def test_multinomial(dtype, n):
    check(lambda L, d: L.multinomial(L.rand(n, dtype=d) + 0.01, 1), n, dtype)
    check(lambda L, d: L.multinomial(L.rand(4, n, dtype=d), min(n, 5)), n, dtype)
    check(lambda L, d: L.multinomial(L.rand(4, n, dtype=d), 9, True), n, dtype)
    check(lambda L, d: L.rand(n, dtype=d).multinomial(20, replacement=True), n, dtype)
    check(lambda L, d: L.multinomial(L.tensor([0.0, 1.0, 3.0], dtype=d), 50, True), 1, dtype)


def test_multinomial_half_with_replacement():
    check(lambda L, d: L.multinomial(L.rand(3, 50, dtype=L.float16), 20, True), 3)


@pytest.mark.parametrize("dtype", FLOATS)
def test_poisson(dtype):
    check(lambda L, d: L.poisson(L.rand(2000, dtype=d) * 25), 1, dtype)
    check(lambda L, d: L.poisson(L.tensor([0.0, 0.5, 9.99, 10.0, 150.0, 1e4], dtype=d)), 2)


def test_interleaved_and_generators():
    def mix(L, d):
        g = L.Generator().manual_seed(123)
        return L.cat([
            L.randn(3), L.rand(17), L.randn(17, generator=g), L.randn(5, dtype=L.float64),
            L.empty(9).log_normal_(), L.randn(40), L.rand(3, generator=g),
            L.randint(5, (4,)).float(), L.randperm(6, generator=g).float(), L.randn(1),
            L.empty(5).bernoulli_(0.5), L.empty(3).normal_(generator=g),
        ])
    check(mix, 9)


def test_explicit_generator_leaves_default_alone():
    for L in (ember, torch):
        L.manual_seed(1)
    g_e = ember.Generator().manual_seed(5)
    g_t = torch.Generator().manual_seed(5)
    a = ember.randn(100, generator=g_e)
    b = torch.randn(100, generator=g_t)
    assert _bits(a) == _bits(b)
    assert _same_state()
    assert np.array_equal(g_e.get_state().numpy(), g_t.get_state().numpy())


def test_state_save_restore():
    ember.manual_seed(3)
    torch.manual_seed(3)
    ember.randn(3)
    torch.randn(3)  # leaves a cached normal sample
    se, st = ember.get_rng_state(), torch.get_rng_state()
    assert np.array_equal(se.numpy(), st.numpy())
    a1, b1 = ember.randn(5), torch.randn(5)
    ember.set_rng_state(ember.from_numpy(st.numpy().copy()))  # PyTorch's state into Ember
    torch.set_rng_state(torch.from_numpy(se.numpy()))  # and Ember's into PyTorch
    assert _bits(ember.randn(5)) == _bits(a1) == _bits(torch.randn(5)) == _bits(b1)


def test_default_dtype_float64():
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        check(lambda L, d: L.randn(33), 1)
        check(lambda L, d: L.rand(3), 1)
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("bad", [
    lambda L: L.randint(5, 5, (3,)),
    lambda L: L.randint(5, 2, (3,)),
    lambda L: L.empty(3, dtype=L.uint8).random_(0, 300),
    lambda L: L.randint(3, (2,), dtype=L.bool),
    lambda L: L.rand(3, dtype=L.int64),
    lambda L: L.randn(3, dtype=L.int64),
    lambda L: L.empty(3, dtype=L.int32).normal_(),
    lambda L: L.empty(3).normal_(0, -1),
    lambda L: L.empty(3).uniform_(2, 1),
    lambda L: L.empty(3, dtype=L.int64).exponential_(),
    lambda L: L.empty(3).exponential_(0),
    lambda L: L.empty(3).geometric_(1),
    lambda L: L.empty(3).log_normal_(0, 0),
    lambda L: L.empty(3).cauchy_(0, 0),
    lambda L: L.empty(3).bernoulli_(1.5),
    lambda L: L.empty(3).bernoulli_(-0.5),
    lambda L: L.bernoulli(L.tensor([0.5, 1.5])),
    lambda L: L.bernoulli(L.tensor([1, 0])),
    lambda L: L.multinomial(L.tensor([0.0, 0.0]), 1),
    lambda L: L.multinomial(L.tensor([-1.0, 2.0]), 1),
    lambda L: L.multinomial(L.tensor([0.0, 0.0]), 2, True),
    lambda L: L.multinomial(L.tensor([-1.0, 2.0]), 2, True),
    lambda L: L.multinomial(L.tensor([1.0, float("inf")]), 2, True),
    lambda L: L.multinomial(L.tensor([1.0, 2.0]), 3),
    lambda L: L.multinomial(L.tensor([1.0, 2.0]), 0),
    lambda L: L.multinomial(L.tensor(1.0), 1),
    lambda L: L.multinomial(L.tensor([1, 2]), 1),
    lambda L: L.poisson(L.tensor([-1.0])),
    lambda L: L.poisson(L.tensor([1, 2])),
    lambda L: L.randperm(-1),
    lambda L: L.normal(L.zeros(2), L.tensor([1.0, -1.0])),
    lambda L: L.normal(L.zeros(2), -1.0),
])
def test_errors(bad):
    assert_raises_like(bad)


def test_like_keeps_strides_and_poisson_order():
    x = np.zeros((40, 3), "float32")
    check(lambda L, d: L.randn_like(L.from_numpy(x).t()), 1)  # strides kept: scalar path
    check(lambda L, d: L.rand_like(L.from_numpy(x).t()), 2)
    check(lambda L, d: L.poisson(L.rand(40, 3).t() * 5), 3)


# ---------------------------------------------------------------------------------------------
# the fast float32 normal kernel (PyTorch's AVX2 NormalFill16): large sizes and every input


@pytest.mark.parametrize("n", (2 * 10**6 + 9,))
def test_randn_large_bitwise(n):
    """Millions of normals, all bits equal to PyTorch's (float32 with a tail to redo, float16,
    and normal_ with a mean and std, whose final fma rounds once)."""
    check(lambda L, d: L.randn(n), 11)
    check(lambda L, d: L.randn(n // 2 + 3, dtype=d), 12, "float16")
    check(lambda L, d: L.empty(n // 2).normal_(0.3, 1.7), 13)
    check(lambda L, d: L.empty(n // 2 + 5).normal_(-2.5, 1e-3), 14)


def _kernel_inputs():
    """The 24-bit uniforms the kernel can see: every one (EMBER_EXHAUSTIVE=1) or a spread over
    all of them with both ends in full (the smallest radii and angles, the largest) and the
    angles around each multiple of pi/2 (where the reduced argument is near zero and the
    float32 reduction step is redone in float64)."""
    import os

    if os.environ.get("EMBER_EXHAUSTIVE"):
        return np.arange(2**24, dtype=np.float32)
    edge = np.arange(1 << 14)
    mid = np.arange(1 << 14, 2**24 - (1 << 14), 61)
    quadrants = [np.arange(c - 256, c + 256) for c in (1 << 22, 1 << 23, 3 << 22)]
    return np.concatenate([edge, mid, *quadrants, 2**24 - 1 - edge]).astype(np.float32)


def test_avx2_normal_kernel_matches_stepwise_arithmetic():
    """``_avx2_radius``/``_avx2_sincos`` (float64 passes, bit tricks) against ``log256`` and
    ``sincos256`` (one exact float32 fma per fused step of avx_mathfun.h)."""
    from ember._functions import _random_kernels as K

    k = _kernel_inputs()
    block = 1 << 15
    s = K._Scratch(2 * block)
    radius, sin, cos = (np.empty_like(k) for _ in range(3))
    for a in range(0, k.size, block):
        K._avx2_radius(k[a:a + block].copy(), radius[a:a + block], s)
        si, co = K._avx2_sincos(k[a:a + block].copy(), s)
        sin[a:a + block], cos[a:a + block] = si, co
    u1 = (np.float32(2**24) - k) * np.float32(2.0**-24)
    np.testing.assert_array_equal(
        radius.view(np.int32), np.sqrt(np.float32(-2) * K.log256(u1)).view(np.int32))
    ref_sin, ref_cos = K.sincos256(k * np.float32(2.0**-24) * K._TWO_PI_F)
    np.testing.assert_array_equal(sin.view(np.int32), ref_sin.view(np.int32))
    np.testing.assert_array_equal(cos.view(np.int32), ref_cos.view(np.int32))


def test_fma32_rounds_once():
    """A float64 sum that lands on a float32 midpoint although the exact sum is below it: two
    roundings would go up to the even neighbour, one rounding stays down."""
    from ember._functions import _random_kernels as K

    a = np.float32(1 + 2.0**-20)
    b = np.float32(64 * (1 - 2.0**-20))  # a * b = 2**6 - 2**-34
    c = np.float32(2.0**30 * (1 + 2.0**-23))  # odd last bit; c + 2**6 is the midpoint
    assert np.float32(float(a) * float(b) + float(c)) == np.float32(2.0**30 * (1 + 2.0**-22))
    assert K.fma32(np.array([a, a]), b, c).tolist() == [c, c]
    assert K.fma32(np.array([-a]), b, -c).tolist() == [-c]
    assert K.fma32(np.float32(1.5), np.float32(2), np.float32(0.25)) == np.float32(3.25)


# ---------------------------------------------------------------------------------------------
# glibc's log, vectorized (float64 normals)


def _log_inputs():
    rng = np.random.default_rng(7)
    u = rng.integers(0, 2**53, size=200_000, dtype=np.int64) * 2.0**-53
    p2 = np.exp2(-np.arange(54.0))
    near = 1 - np.arange(1, 4096) * 2.0**-53  # just below 1: log1p's polynomial
    edge = np.array([1 - 2.0**-4, 0.6875, 1.375 / 2, 1 + float.fromhex("0x1.09p-4"), 1.0625, 1.5, 1.0, 2.0**-53])
    x = np.concatenate([1.0 - u, u[u > 0], p2, np.nextafter(p2, 0), np.nextafter(p2, 2), near,
                        edge, np.nextafter(edge, 0), np.nextafter(edge, 2)])
    return x


def test_glibc_log_matches_math_log():
    """The vectorized log gives math.log's bits (glibc's, which PyTorch calls), on uniforms as
    randn feeds it, both of glibc's branches, powers of two and their neighbours."""
    import math

    from ember._functions import _random_kernels as K

    x = _log_inputs()
    expected = np.array([math.log(v) for v in x.tolist()])
    np.testing.assert_array_equal(K.glibc_log(x).view(np.int64), expected.view(np.int64))
    if K._log_tables() is not None:  # the same through the block kernel, sums in full
        out = np.empty_like(x)
        K._glibc_log_block(x, out, K._log_tables())
        np.testing.assert_array_equal(out.view(np.int64), expected.view(np.int64))


@pytest.mark.parametrize("extra", (-16, -1, 0, 5, 16, 2 * 8192 + 9))
def test_randn_double_block_boundaries(extra):
    """float64 normals are made block by block: sizes around a block, tails crossing one."""
    from ember._functions import _random_kernels as K

    n = 2 * K._LOG_BLOCK + extra
    check(lambda L, d: L.randn(n, dtype=d), 21 + extra, "float64")
    check(lambda L, d: L.empty(n, dtype=d).normal_(0.25, 3.0), 5, "float64")


def test_swaps_permutation_matches_the_loop():
    """randperm's vectorized swaps against the sequential loop, over many sizes and draws
    (self-swaps, chains of moves, the last position)."""
    from ember._functions.random import _swaps_permutation

    rng = np.random.default_rng(3)
    for n in list(range(2, 40)) + [128, 129, 1000]:
        for _ in range(10):
            z = np.arange(n - 1) + rng.integers(0, np.arange(n, 1, -1))
            if n < 10:  # more self-swaps
                stay = rng.random(n - 1) < 0.5
                z[stay] = np.arange(n - 1)[stay]
            r = list(range(n))
            for i, j in enumerate(z.tolist()):
                r[i], r[j] = r[j], r[i]
            assert _swaps_permutation(z.astype(np.int64), n).tolist() == r, (n, z)


# ---------------------------------------------------------------------------------------------
# large float32 normals on two threads: the same bits as one thread and as PyTorch


def _two_threads(monkeypatch):
    """Two CPUs, both idle, whatever the machine's load."""
    from ember._functions import _random_kernels as K

    monkeypatch.setattr(K, "_CPUS", [2])
    monkeypatch.setattr(K, "_runnable", lambda: 1)


def _one_thread(monkeypatch):
    from ember._functions import _random_kernels as K

    monkeypatch.setattr(K, "THREAD_MIN", 1 << 62)


@pytest.mark.parametrize("extra", (-17, -1, 0, 1, 15, 16, 17, 1 << 18 | 9))
def test_randn_two_threads_around_threshold(extra, monkeypatch):
    """Sizes just below and above the threshold, tails that are not a multiple of 16 (redone
    from 16 more words) and one that ends inside a thread's block: PyTorch's bits and state,
    and the single-thread path's bits."""
    from ember._functions import _random_kernels as K

    n = K.THREAD_MIN + extra
    _two_threads(monkeypatch)
    check(lambda L, d: L.randn(n), 31 + extra)
    ember.manual_seed(31 + extra)
    two = ember.randn(n).numpy().tobytes()
    _one_thread(monkeypatch)
    ember.manual_seed(31 + extra)
    assert ember.randn(n).numpy().tobytes() == two


def test_normal_two_threads_mean_std_and_half(monkeypatch):
    """normal_ with a mean and std (the final fma) and float16 (only whole blocks drawn) above
    the threshold, and an explicit generator: PyTorch's bits and states."""
    from ember._functions import _random_kernels as K

    n = K.THREAD_MIN + 5
    _two_threads(monkeypatch)
    check(lambda L, d: L.empty(n).normal_(0.3, 1.7), 41)
    check(lambda L, d: L.randn(n + 3, dtype=d), 42, "float16")
    ge, gt = ember.Generator().manual_seed(43), torch.Generator().manual_seed(43)
    assert _bits(ember.randn(n, generator=ge)) == _bits(torch.randn(n, generator=gt))
    assert np.array_equal(ge.get_state().numpy(), gt.get_state().numpy())


@pytest.mark.parametrize("cpus,runnable", ((1, 1), (2, 2), (4, 7)))
def test_randn_busy_or_one_cpu_stays_on_one_thread(cpus, runnable, monkeypatch):
    """With one CPU for this process, or none idle, no thread is started."""
    import threading

    from ember._functions import _random_kernels as K

    monkeypatch.setattr(K, "_CPUS", [cpus])
    monkeypatch.setattr(K, "_runnable", lambda: runnable)
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    check(lambda L, d: L.randn(K.THREAD_MIN + 16), 51)
    assert not started


@pytest.mark.parametrize("busy_checks,leaves", (({3, 4}, True), ({3}, False), ({3, 5}, False)))
def test_randn_helper_leaves_when_the_machine_gets_busy(busy_checks, leaves, monkeypatch):
    """The second thread stops claiming blocks once others want the CPUs at two checks in a
    row; one busy reading (a passing kernel thread) does not send it away. The caller's thread
    does the rest, with the same bits."""
    import threading

    from ember._functions import _random_kernels as K

    _two_threads(monkeypatch)
    helper_checks = [0]

    def runnable():
        if threading.current_thread().name != "ember-randn":
            return 1
        helper_checks[0] += 1
        return 3 if helper_checks[0] in busy_checks else 1

    real = K._avx2_block
    first = [True]

    def block(*args):
        # the caller's first block waits until the helper has made six checks or has left,
        # so that the outcome does not depend on how the threads are scheduled
        if first[0] and threading.current_thread().name != "ember-randn":
            first[0] = False
            deadline = time.monotonic() + 30
            while helper_checks[0] < 6 and time.monotonic() < deadline and any(
                    t.name == "ember-randn" for t in threading.enumerate()):
                time.sleep(0.001)
        return real(*args)

    monkeypatch.setattr(K, "_runnable", runnable)
    monkeypatch.setattr(K, "_avx2_block", block)
    n = 8 * K.THREAD_MIN + 3
    check(lambda L, d: L.randn(n), 52)
    if leaves:
        assert helper_checks[0] == 4
    else:
        assert helper_checks[0] >= 6


@pytest.mark.parametrize("where", ("helper", "caller"))
def test_randn_two_threads_failure_propagates(where, monkeypatch):
    """An exception on either thread reaches the caller; the helper thread is gone after."""
    import threading

    from ember._functions import _random_kernels as K

    _two_threads(monkeypatch)
    real = K._avx2_block
    helper_ran = threading.Event()

    def block(*args):
        on_helper = threading.current_thread().name == "ember-randn"
        if on_helper:
            helper_ran.set()
        else:
            helper_ran.wait(30)  # both threads get to work before one fails
        if on_helper == (where == "helper"):
            raise MemoryError("boom")
        return real(*args)

    monkeypatch.setattr(K, "_avx2_block", block)
    before = threading.active_count()
    with pytest.raises(MemoryError, match="boom"):
        ember.randn(4 * K.THREAD_MIN)
    assert threading.active_count() == before
    assert not any(t.name == "ember-randn" for t in threading.enumerate())
    monkeypatch.setattr(K, "_avx2_block", real)
    check(lambda L, d: L.randn(K.THREAD_MIN), 61)  # and it works again


class _RandnDataset:
    """Item ``i``: randn from a generator seeded with ``i`` (two-thread size), as its bytes' digest."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return 3

    def __getitem__(self, i):
        import hashlib

        x = ember.randn(self.n, generator=ember.Generator().manual_seed(i))
        return ember.tensor(list(hashlib.sha256(x.numpy().tobytes()).digest()))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_randn_two_threads_in_forked_dataloader_workers(monkeypatch):
    """After the parent has used the two-thread path, DataLoader workers (fork) use it too and
    get the same bits as one thread in the parent."""
    import hashlib

    from ember._functions import _random_kernels as K
    from ember.utils.data import DataLoader

    _two_threads(monkeypatch)
    n = K.THREAD_MIN + 7
    ember.randn(n)  # the parent runs it first
    loader = DataLoader(_RandnDataset(n), batch_size=None, num_workers=2,
                        multiprocessing_context="fork")
    got = [bytes(x.numpy().astype(np.uint8).tolist()) for x in loader]
    _one_thread(monkeypatch)
    want = [hashlib.sha256(ember.randn(n, generator=ember.Generator().manual_seed(i))
                           .numpy().tobytes()).digest() for i in range(3)]
    assert got == want
