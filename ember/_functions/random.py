"""Random sampling with PyTorch's CPU algorithms: same seed, same numbers, bit for bit.

Every sampler draws 32-bit words from a :class:`~ember.Generator` (mt19937, as PyTorch's) and
transforms them with PyTorch's exact arithmetic (``_random_kernels``). Elements are filled in
memory order, as PyTorch's ``TensorIterator`` does, so views get the values PyTorch gives them.

Which words each sampler consumes (PyTorch 2.13, ``DistributionTemplates.h``):

- float32/float16 uniform: one word, ``(w & 0xFFFFFF) * 2**-24``; float64: two words, 53 bits.
- normal: for 16 or more contiguous elements, uniforms for all of them, Box-Muller on blocks of
  16, and the last 16 redrawn and redone when the size is not a multiple of 16; otherwise the
  scalar double Box-Muller (two 53-bit uniforms per pair, the second sample cached).
- integers: one word when the range is below 2**28, else two (``random64``), then ``% range``.
- bernoulli with float p, exponential, geometric, cauchy, multinomial: 53-bit uniforms.
"""

from __future__ import annotations

import math

import numpy as np

from .._creation import _size
from .._dtype import FROM_NP, get_default_dtype, to_dtype
from .._generator import Generator, _check_generator
from .._tensor import _TYPE_NAMES, Tensor, _check_device, _check_inplace, apply_inplace
from ..autograd.function import Function
from ..autograd.grad_mode import _state
from . import _random_kernels as K
from ._util import register

__all__ = [
    "rand", "rand_like", "randn", "randn_like", "randint", "randint_like", "randperm", "normal",
    "bernoulli", "multinomial", "poisson",
]

f32, f64 = np.float32, np.float64


# ---------------------------------------------------------------------------------------------
# plumbing


def _type_name(npdtype) -> str:
    return _TYPE_NAMES[FROM_NP[npdtype].name]


def _not_implemented(kernel: str, npdtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(npdtype)}\'')


def _iteration_view(arr: np.ndarray) -> np.ndarray:
    """A view of ``arr`` whose C order is the order PyTorch's TensorIterator visits elements:
    memory order (dimensions sorted by decreasing stride)."""
    if arr.flags.c_contiguous or arr.ndim < 2:
        return arr
    order = sorted(range(arr.ndim), key=lambda d: -abs(arr.strides[d]))
    return arr.transpose(order)


def _from_double(values: np.ndarray, npdtype) -> np.ndarray:
    """``static_cast<scalar_t>(double)``: float16 goes through float32, as c10::Half does."""
    if npdtype == np.float16:
        return values.astype(f32).astype(np.float16)
    if npdtype.kind in "iu":
        with np.errstate(invalid="ignore"):
            return values.astype(np.int64).astype(npdtype)
    return values.astype(npdtype)


def _sampled(name: str):
    """A Function class named ``name`` that returns precomputed samples and whose gradient is
    zero for every input (PyTorch defines the derivative of a random draw as zeros)."""

    def forward(ctx, *args):
        ctx.n = len(args) - 1
        return args[-1]  # the samples, computed before the call

    def backward(ctx, grad):
        return (grad * 0,) * ctx.n + (None,)

    return type(name.replace("Backward", "") + "Sampled", (Function,), {
        "_arrays": True, "name": name, "forward": staticmethod(forward),
        "backward": staticmethod(backward)})


_FN = {name: _sampled(name) for name in (
    "UniformBackward0", "NormalBackward0", "NormalBackward1", "NormalBackward2",
    "NormalBackward3", "RandomBackward0", "RandomBackward1", "RandomBackward2",
    "BernoulliBackward0", "BernoulliBackward1", "BernoulliBackward2", "ExponentialBackward0",
    "GeometricBackward0", "LogNormalBackward0", "CauchyBackward0", "PoissonBackward0")}


def _write(t: Tensor, values: np.ndarray, fn_name: str) -> Tensor:
    """Store samples (flat, in iteration order) into ``t`` in place; bump its version."""
    _check_inplace(t)
    arr = t._data
    if arr.size:
        view = _iteration_view(arr)
        view[...] = values.reshape(view.shape)
    if t._requires_grad and _state[0] and t._grad_fn is not None:
        # a non-leaf: the in-place sample becomes its history, with a zero gradient
        apply_inplace(t, _Copy[fn_name], arr.copy())
        return t
    t._vc[0] += 1
    return t


class _CopyCache(dict):
    def __missing__(self, name):
        def forward(ctx, x, values):
            return values

        cls = type(name + "InPlace", (Function,), {
            "_arrays": True, "name": name, "forward": staticmethod(forward),
            "backward": staticmethod(lambda ctx, grad: (grad * 0, None))})
        self[name] = cls
        return cls


_Copy = _CopyCache()


def _empty_like(arr: np.ndarray, npdtype) -> Tensor:
    """PyTorch's ``empty_like`` (preserve format): a dense input's strides are kept, so the
    samplers fill it in the same memory order."""
    if arr.flags.c_contiguous or arr.ndim < 2:
        return Tensor._make(np.empty(arr.shape, npdtype), False)
    order = sorted(range(arr.ndim), key=lambda d: -abs(arr.strides[d]))
    base = np.empty([arr.shape[d] for d in order], npdtype)
    return Tensor._make(base.transpose(np.argsort(order)), False)


def _new(shape, npdtype, requires_grad=False) -> Tensor:
    if requires_grad and npdtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return Tensor._make(np.empty(shape, npdtype), bool(requires_grad))


def _float_dtype(dtype):
    return get_default_dtype().np if dtype is None else to_dtype(dtype).np


# ---------------------------------------------------------------------------------------------
# the kernels: n values of a dtype, in iteration order


def _uniform_values(gen: Generator, n: int, npdtype, low: float, high: float) -> np.ndarray:
    if npdtype == np.float64:
        u = gen._uniform53(n)
        if low == 0.0 and high == 1.0:
            return u  # below 1 by construction: no clamping needed
        u = K.fma64(u, high - low, low)
        u[u == high] = low
        return u
    u = gen._uniform24(n)  # float32 and float16 compute in float32
    lo, hi = f32(low), f32(high)
    if lo != 0 or hi != 1:
        u = K.fma32(u, hi - lo, lo)
    elif npdtype == np.float32:
        return u
    if npdtype == np.float16:
        u = u.astype(np.float16)
        lo, hi = np.float16(low), np.float16(high)
    u[u == hi] = lo  # a value rounded up to the bound becomes the lower bound
    return u


def _normal_scalar(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """``normal_distribution<double>`` n times: Box-Muller pairs, the second sample cached in the
    generator for the next call; ``sample * std + mean`` (one FMA)."""
    out = np.empty(n, f64)
    start = 0
    if n and gen.next_double_normal is not None:
        out[0] = gen.next_double_normal
        gen.next_double_normal = None
        start = 1
    m = n - start
    if m > 0:
        pairs = (m + 1) // 2
        u = gen._uniform53(2 * pairs)
        cos, sin = K.box_muller_pairs(u[0::2], u[1::2])
        both = np.empty(2 * pairs, f64)
        both[0::2] = cos
        both[1::2] = sin
        out[start:] = both[:m]
        if m % 2:
            gen.next_double_normal = float(sin[-1])
    if std == 1.0 and mean == 0.0:
        out += 0.0  # the FMA with std 1 and mean 0 only turns -0.0 into +0.0
        return out
    return K.fma64(out, std, mean)


def _normal_values(gen, n: int, npdtype, mean: float, std: float, contiguous: bool):
    if npdtype.kind != "f":
        raise _not_implemented("normal_kernel_cpu", npdtype)
    if n < 16 or not contiguous:
        return _from_double(_normal_scalar(gen, n, mean, std), npdtype)
    full = n - n % 16
    if npdtype == np.float64:
        data = gen._uniform53(n)
        K.normal_fill16_double(data[:full], mean, std)
        if n % 16:
            data[n - 16:] = K.normal_fill16_double(gen._uniform53(16), mean, std)
        return data
    # float32 draws a uniform for every element first; float16 draws only the full blocks
    n_draw = n if npdtype == np.float32 else full
    if K.uses_avx2_normal():
        data = K.normal_avx2(gen, n_draw, full, mean, std, size=n)
        if n % 16:
            tail = np.empty(16, f32)
            data[n - 16:] = K.normal_avx2_words(gen._u32(16), tail, mean, std)
    else:
        fill = K.normal_fill16_scalar_float
        data = gen._uniform24(n_draw)
        fill(data[:full], mean, std)
        if npdtype == np.float16:
            data = np.concatenate([data, np.empty(n - full, f32)])
        if n % 16:
            data[n - 16:] = fill(gen._uniform24(16), mean, std)
    return data if npdtype == np.float32 else data.astype(npdtype)


def _int_values(gen: Generator, n: int, npdtype, rng: int, base: int) -> np.ndarray:
    """``(word % range) + base``: one 32-bit word per value below 2**28, else ``random64``."""
    if rng >= 1 << 28:
        w = gen._u64(n)
        if rng < 1 << 64:
            w %= np.uint64(rng)
        w += np.uint64(base & 0xFFFF_FFFF_FFFF_FFFF)  # wraps around as uint64, then int64
        v = w.view(np.int64)
    else:
        w = gen._u32(n)
        w %= np.uint32(rng)  # 32-bit remainders: the same values, faster
        v = w.astype(np.int64)
        v += np.int64(((base + 2**63) & 0xFFFF_FFFF_FFFF_FFFF) - 2**63)  # wraps as above
    if npdtype.kind == "f":
        return v.astype(f32).astype(npdtype) if npdtype == np.float16 else v.astype(npdtype)
    if npdtype == np.bool_:
        return v != 0
    return v.astype(npdtype, copy=False)


_INT_MAX = {np.dtype(np.int64): 2**63 - 1, np.dtype(np.int32): 2**31 - 1,
            np.dtype(np.int16): 2**15 - 1, np.dtype(np.int8): 2**7 - 1,
            np.dtype(np.uint8): 255, np.dtype(np.bool_): 1}
_INT_MIN = {np.dtype(np.int64): -(2**63), np.dtype(np.int32): -(2**31),
            np.dtype(np.int16): -(2**15), np.dtype(np.int8): -(2**7), np.dtype(np.uint8): 0,
            np.dtype(np.bool_): 0}
_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}
_FLOAT_MAX = {np.dtype(np.float16): 65504.0, np.dtype(np.float32): float(np.finfo(f32).max),
              np.dtype(np.float64): float(np.finfo(f64).max)}
_DTYPE_STR = {np.dtype(np.uint8): "unsigned char", np.dtype(np.int8): "signed char",
              np.dtype(np.int16): "short int", np.dtype(np.int32): "int",
              np.dtype(np.int64): "long int", np.dtype(np.bool_): "bool",
              np.dtype(np.float16): "c10::Half", np.dtype(np.float32): "float",
              np.dtype(np.float64): "double"}


def _update_from(frm: int, npdtype) -> int:
    plus1 = int(_from_double(np.array([frm + 1], f64), npdtype)[0])
    if plus1 < frm:
        n = abs(frm + 1).bit_length() - 1
        frm = plus1 + (1 << (n - _DIGITS[npdtype] + 1))
    return frm


def _update_to(to: int, npdtype) -> int:
    minus1 = int(_from_double(np.array([to - 1], f64), npdtype)[0])
    if minus1 >= to:
        n = abs(to - 1).bit_length() - 1
        to = minus1 - (1 << (n - _DIGITS[npdtype] + 1))
    return to


def _check_range(frm: int, to_inc: int, npdtype) -> None:
    if npdtype.kind == "f":
        lo, hi = -_FLOAT_MAX[npdtype], _FLOAT_MAX[npdtype]
    else:
        lo, hi = _INT_MIN[npdtype], _INT_MAX[npdtype]
    name = _DTYPE_STR[npdtype]
    if not lo <= frm <= hi:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not lo <= to_inc <= hi:
        raise RuntimeError(f"to - 1 is out of bounds for {name}")


def _random_values(gen, n: int, npdtype, frm, to) -> np.ndarray:
    """``random_()``, ``random_(to)`` and ``random_(from, to)`` with PyTorch's ranges."""
    if frm is None:  # random_(): [0, 2**digits] for floats, [0, max] for integers
        if npdtype == np.bool_:
            return (gen._u32(n) & 1).astype(np.bool_)
        if npdtype in (np.float64, np.int64):
            mod = 2**53 + 1 if npdtype == np.float64 else 2**63
            return (gen._u64(n) % np.uint64(mod)).astype(npdtype)
        mod = 2**_DIGITS[npdtype] + 1 if npdtype.kind == "f" else _INT_MAX[npdtype] + 1
        return (gen._u32(n) % np.uint32(mod) if mod < 2**32 else gen._u32(n)).astype(npdtype)
    if to is not None:
        if frm >= to:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={frm} >= to={to}")
        if npdtype.kind == "f":
            frm, to = _update_from(frm, npdtype), _update_to(to, npdtype)
            if frm >= to:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to "
                    f"dtype, but got from={frm} >= to={to}")
        _check_range(frm, to - 1, npdtype)
        return _int_values(gen, n, npdtype, to - frm, frm)
    if frm != -(2**63):  # random_(from, None): up to the dtype's largest value
        if npdtype.kind == "f":
            to_inc = 2**_DIGITS[npdtype]
            frm = _update_from(frm, npdtype)
            if frm >= to_inc:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' "
                    f"casted to dtype, but got from={frm} > to_inc={to_inc}")
        else:
            to_inc = _INT_MAX[npdtype]
        _check_range(frm, to_inc, npdtype)
        return _int_values(gen, n, npdtype, to_inc - frm + 1, frm)
    if npdtype not in (np.int64, np.float32, np.float64):
        raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, "
                           "float and bfloat16")
    return gen._u64(n).view(np.int64).astype(npdtype)


def _bernoulli_tensor_values(gen, npdtype, p: np.ndarray) -> np.ndarray:
    """Tensor ``p`` (broadcast, in iteration order): a float32 uniform per element for float and
    half p, a 53-bit one for double p."""
    if p.dtype.kind != "f":
        raise _not_implemented("bernoulli_tensor_cpu_p_", p.dtype)
    if p.size and not ((p >= 0) & (p <= 1)).all():
        raise RuntimeError(
            "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
            "message be improved?  If so, please report an enhancement request to PyTorch.)")
    n = p.size
    if p.dtype == np.float64:
        hits = gen._uniform53(n) < p.reshape(-1)
    else:
        hits = gen._uniform24(n) < p.reshape(-1).astype(f32)
    return hits.astype(npdtype)


# ---------------------------------------------------------------------------------------------
# in-place samplers (Tensor methods)


def _order_p(t: Tensor, p: np.ndarray) -> np.ndarray:
    """Arrange a broadcast ``p`` in ``t``'s iteration order."""
    arr = t._data
    pb = np.broadcast_to(p, arr.shape)
    if arr.flags.c_contiguous or arr.ndim < 2:
        return pb
    order = sorted(range(arr.ndim), key=lambda d: -abs(arr.strides[d]))
    return pb.transpose(order)


def uniform_(self: Tensor, from_: float = 0, to: float = 1, *, generator=None) -> Tensor:
    """Fill with samples from U[from_, to) (PyTorch's algorithm and stream)."""
    npdtype = self._data.dtype
    if npdtype.kind != "f":
        raise _not_implemented("check_uniform_bounds", npdtype)
    from_, to = float(from_), float(to)
    fmax = _FLOAT_MAX[npdtype]
    name = _DTYPE_STR[npdtype]
    if not -fmax <= from_ <= fmax:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not -fmax <= to <= fmax:
        raise RuntimeError(f"to is out of bounds for {name}")
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={_g(from_)} > "
            f"to={_g(to)}")
    if to - from_ > fmax:
        raise RuntimeError(
            f"uniform_ expects to-from <= std::numeric_limits<{_type_name(npdtype)}>::max(), "
            f"but found to={_g(to)} and from={_g(from_)} which result in to-from to exceed the "
            "limit")
    gen = _check_generator(generator)
    vals = _uniform_values(gen, self._data.size, npdtype, from_, to)
    return _write(self, vals, "UniformBackward0")


def _g(x: float) -> str:
    """A double as C++ streams print it (6 significant digits)."""
    return f"{x:g}"


def normal_(self: Tensor, mean: float = 0, std: float = 1, *, generator=None) -> Tensor:
    """Fill with samples from N(mean, std**2) (PyTorch's algorithm and stream)."""
    mean, std = float(mean), float(std)
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(std)}")
    arr = self._data
    if arr.dtype.kind != "f":
        raise _not_implemented("normal_kernel_cpu", arr.dtype)
    if arr.size == 0:
        _check_inplace(self)
        return self
    gen = _check_generator(generator)
    vals = _normal_values(gen, arr.size, arr.dtype, mean, std, arr.flags.c_contiguous)
    return _write(self, vals, "NormalBackward0")


def random_(self: Tensor, from_=None, to=None, *, generator=None) -> Tensor:
    """Fill with integers: ``random_()`` over the dtype's range, ``random_(to)`` over
    ``[0, to)``, ``random_(from, to)`` over ``[from, to)``."""
    npdtype = self._data.dtype
    gen = _check_generator(generator)
    if from_ is None and to is None:
        name = "RandomBackward0"
        frm, to_ = None, None
    elif to is None and from_ is not None and not isinstance(from_, _FromOnly):
        name = "RandomBackward1"
        frm, to_ = 0, int(from_)
    else:
        name = "RandomBackward2"
        frm = int(from_)
        to_ = None if to is None else int(to)
    if self._data.size == 0:
        if frm is not None and to_ is not None and frm >= to_:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={frm} >= to={to_}")
        return self
    vals = _random_values(gen, self._data.size, npdtype, frm, to_)
    return _write(self, vals, name)


class _FromOnly(int):
    """``random_(from_=x)`` with no ``to``: PyTorch's ``random_(from, None)``."""


def _random_method(self, *args, generator=None, **kwargs):
    if "from" in kwargs:
        kwargs["from_"] = kwargs.pop("from")
    if "from_" in kwargs and "to" in kwargs or len(args) == 2:
        frm = kwargs.get("from_", args[0] if args else None)
        to = kwargs.get("to", args[1] if len(args) > 1 else None)
        if to is None:
            return random_(self, _FromOnly(int(frm)), None, generator=generator)
        return random_(self, frm, to, generator=generator)
    if "from_" in kwargs:
        return random_(self, _FromOnly(int(kwargs["from_"])), None, generator=generator)
    if args:
        return random_(self, args[0], generator=generator)
    if "to" in kwargs:
        return random_(self, kwargs["to"], generator=generator)
    return random_(self, generator=generator)


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 samples: 1 with probability ``p`` (a float or a tensor of probabilities)."""
    gen = _check_generator(generator)
    arr = self._data
    if isinstance(p, Tensor):
        if arr.size == 0:
            return self
        vals = _bernoulli_tensor_values(gen, arr.dtype, _order_p(self, p._data))
        return _write(self, vals.reshape(-1), "BernoulliBackward1")
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_g(p)}")
    if arr.size == 0:
        return self
    vals = (gen._uniform53(arr.size) < p).astype(arr.dtype)
    return _write(self, vals, "BernoulliBackward2")


def exponential_(self: Tensor, lambd: float = 1, *, generator=None) -> Tensor:
    """Fill with samples from Exp(lambd): ``-1/lambd * log1p(-u)``."""
    arr = self._data
    if arr.dtype.kind != "f":
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {_type_name(arr.dtype)}")
    lambd = float(lambd)
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_g(lambd)}")
    if arr.size == 0:
        return self
    vals = _exponential_values(_check_generator(generator), arr.size, lambd)
    return _write(self, _from_double(vals, arr.dtype), "ExponentialBackward0")


def _exponential_values(gen, n, lambd):
    u = gen._uniform53(n)
    return (-1.0 / lambd) * K.glibc(math.log1p, -u)


def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with samples from Geometric(p): ``ceil(log(u) / log1p(-p))``."""
    p = float(p)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_g(p)}")
    arr = self._data
    if arr.dtype == np.bool_:
        raise _not_implemented("geometric_cpu", arr.dtype)
    if arr.size == 0:
        return self
    u = _check_generator(generator)._uniform53(arr.size)
    vals = np.ceil(K.glibc(math.log, u) / math.log1p(-p))
    return _write(self, _from_double(vals, arr.dtype), "GeometricBackward0")


def log_normal_(self: Tensor, mean: float = 1, std: float = 2, *, generator=None) -> Tensor:
    """Fill with ``exp(N(mean, std**2))`` samples (the scalar normal path, cache included)."""
    mean, std = float(mean), float(std)
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_g(std)}")
    arr = self._data
    if arr.dtype.kind != "f":
        raise _not_implemented("log_normal_cpu", arr.dtype)
    if arr.size == 0:
        return self
    normal = _normal_scalar(_check_generator(generator), arr.size, mean, std)
    return _write(self, _from_double(K.glibc(math.exp, normal), arr.dtype), "LogNormalBackward0")


def cauchy_(self: Tensor, median: float = 0, sigma: float = 1, *, generator=None) -> Tensor:
    """Fill with Cauchy(median, sigma) samples: ``median + sigma * tan(pi * (u - 0.5))``."""
    median, sigma = float(median), float(sigma)
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_g(sigma)}")
    arr = self._data
    if arr.dtype.kind != "f":
        raise RuntimeError(
            "Cauchy distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {FROM_NP[arr.dtype]}")
    if arr.size == 0:
        return self
    u = _check_generator(generator)._uniform53(arr.size)
    vals = K.fma64(K.glibc(math.tan, math.pi * (u - 0.5)), sigma, median)
    return _write(self, _from_double(vals, arr.dtype), "CauchyBackward0")


# ---------------------------------------------------------------------------------------------
# factories


def _factory(size, name, dtype, device, requires_grad, out):
    _check_device(device)
    shape = _size(size, name)
    if out is not None:
        out._data = np.empty(shape, out._data.dtype if dtype is None else to_dtype(dtype).np)
        return out
    return _new(shape, _float_dtype(dtype), requires_grad)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """Samples from U[0, 1), PyTorch's stream for the same seed.

    >>> ember.manual_seed(0); ember.rand(2)
    tensor([0.4963, 0.7682])
    """
    t = _factory(size, "rand", dtype, device, False, out)
    arr = t._data
    if arr.dtype.kind != "f":
        raise _not_implemented("check_uniform_bounds", arr.dtype)
    # a fresh contiguous tensor takes the samples' array itself (no copy)
    t._data = _uniform_values(_check_generator(generator), arr.size, arr.dtype, 0.0,
                              1.0).reshape(arr.shape)
    t._requires_grad = bool(requires_grad)
    return t


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False) -> Tensor:
    """Samples from N(0, 1), PyTorch's stream for the same seed.

    >>> ember.manual_seed(0); ember.randn(2)
    tensor([1.5410, -0.2934])
    """
    t = _factory(size, "randn", dtype, device, False, out)
    arr = t._data
    if arr.dtype.kind != "f":
        raise _not_implemented("normal_kernel_cpu", arr.dtype)
    if arr.size:
        t._data = _normal_values(_check_generator(generator), arr.size, arr.dtype, 0.0, 1.0,
                                 True).reshape(arr.shape)
    t._requires_grad = bool(requires_grad)
    return t


def _like_dtype(input: Tensor, dtype):
    return input._data.dtype if dtype is None else to_dtype(dtype).np


def rand_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None) -> Tensor:
    """``rand`` with ``input``'s shape (and dtype, unless given)."""
    _check_device(device)
    t = _empty_like(input._data, _like_dtype(input, dtype))
    uniform_(t, generator=generator)
    t._requires_grad = bool(requires_grad)
    return t


def randn_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None) -> Tensor:
    """``randn`` with ``input``'s shape (and dtype, unless given)."""
    _check_device(device)
    t = _empty_like(input._data, _like_dtype(input, dtype))
    normal_(t, generator=generator)
    t._requires_grad = bool(requires_grad)
    return t


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False, low=None, high=None) -> Tensor:
    """Integers from ``[low, high)``: ``randint(high, size)`` or ``randint(low, high, size)``.

    >>> ember.manual_seed(0); ember.randint(10, (3,))
    tensor([4, 9, 3])
    """
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    if low is None:
        low = 0
    if size is None or high is None:
        raise TypeError("randint() missing required arguments: 'high' and 'size'")
    _check_device(device)
    shape = _size((size,), "randint")
    npdtype = np.dtype(np.int64) if dtype is None else to_dtype(dtype).np
    t = _new(shape, npdtype)
    random_(t, int(low), int(high), generator=generator)
    t._requires_grad = bool(requires_grad)
    if out is not None:
        out._data = t._data
        return out
    return t


def randint_like(input: Tensor, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None) -> Tensor:
    """``randint`` with ``input``'s shape and dtype: ``randint_like(x, high)`` or
    ``randint_like(x, low, high)``."""
    if high is None:
        low, high = 0, low
    _check_device(device)
    t = _empty_like(input._data, _like_dtype(input, dtype))
    random_(t, int(low), int(high), generator=generator)
    t._requires_grad = bool(requires_grad)
    return t


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (PyTorch's two shuffles, by the size of ``n``).

    >>> ember.manual_seed(0); ember.randperm(4)
    tensor([2, 0, 1, 3])
    """
    _check_device(device)
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    npdtype = np.dtype(np.int64) if dtype is None else to_dtype(dtype).np
    limit = (2**_DIGITS[npdtype] if npdtype.kind == "f" else _INT_MAX[npdtype])
    if n > limit + 1 if npdtype.kind != "f" else n > limit:
        raise RuntimeError(
            f"n is too large for result tensor type: '{_type_name(npdtype)}'")
    gen = _check_generator(generator)
    perm = _randperm(gen, n)
    t = _new((n,), npdtype, requires_grad)
    t._data[...] = perm
    if out is not None:
        out._data = t._data
        return out
    return t


def _randperm(gen: Generator, n: int) -> np.ndarray:
    if n < 0xFFFFFFFF // 20:
        # swap i with i + (random() % (n - i)), for i = 0 .. n-2
        z = gen._u32(n - 1).astype(np.int64) if n > 1 else np.empty(0, np.int64)
        z %= np.arange(n, 1, -1, dtype=np.int64)
        z += np.arange(n - 1, dtype=np.int64)
        if n >= 128:
            return _swaps_permutation(z, n)
        r = list(range(n))
        for i, j in enumerate(z.tolist()):
            r[i], r[j] = r[j], r[i]
        return np.array(r, np.int64)
    # inside-out Fisher-Yates with random64() for huge n
    z = gen._u64(n)
    z %= np.arange(1, n + 1, dtype=np.uint64)
    r = [0] * n
    for i, j in enumerate(z.tolist()):
        r[i] = r[j]
        r[j] = i
    return np.array(r, np.int64)


def _swaps_permutation(z: np.ndarray, n: int) -> np.ndarray:
    """The permutation left by swapping positions ``i`` and ``z[i] >= i`` of ``0 .. n-1`` for
    ``i = 0, 1, .., n-2`` in turn, without the sequential loop.

    Position ``i`` is final after step ``i`` (later steps touch only higher positions): it
    takes what position ``z[i]`` held just before, which is what the last earlier step aimed
    at ``z[i]`` brought there, or ``z[i]`` itself if none did. What step ``t`` brings is what
    position ``t`` held before step ``t``: by the same rule, what the last step before ``t``
    aimed at ``t`` brought, or ``t``; those chains are followed by pointer jumping.
    """
    zz = np.empty(n, np.int64)
    zz[:-1] = z
    zz[-1] = n - 1  # a last step that swaps position n-1 with itself
    idx = np.arange(n, dtype=np.int64)
    order = np.argsort(zz * n + idx)  # steps grouped by target, in step order (keys unique)
    zs = zz[order]
    same = zs[1:] == zs[:-1]
    prev = np.full(n, -1, np.int64)  # prev[i]: the last step before i with i's target
    prev[order[1:][same]] = order[:-1][same]
    end = np.ones(n, bool)
    end[:-1] = ~same
    last = np.full(n, -1, np.int64)  # last[v]: the last step aimed at v (all are <= v)
    last[zs[end]] = order[end]
    selfs = zz == idx
    hit = np.where(selfs, prev, last)  # the last step before i aimed at i
    held = np.where(hit >= 0, hit, idx)  # held[i]: what position i holds before step i
    while True:
        nxt = held[held]
        if np.array_equal(nxt, held):
            break
        held = nxt
    out = np.where(prev >= 0, held[np.maximum(prev, 0)], zz)
    return np.where(selfs, held, out)


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """Normal samples with given means and standard deviations (tensors or floats).

    ``normal(mean_tensor, std_tensor)``, ``normal(mean_tensor, std=1.0)``,
    ``normal(mean, std_tensor)``, or ``normal(mean, std, size)`` for floats.
    """
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    gen = _check_generator(generator)
    if not mt and not st:
        if size is None:
            raise TypeError(
                "normal() received an invalid combination of arguments - got (float, float), "
                "but expected one of:\n * (Tensor mean, Tensor std, *, torch.Generator generator "
                "= None, Tensor out = None)\n * (Tensor mean, float std = 1, *, torch.Generator "
                "generator = None, Tensor out = None)\n * (float mean, Tensor std, *, "
                "torch.Generator generator = None, Tensor out = None)\n * (float mean, float std, "
                "tuple of ints size, *, torch.Generator generator = None, Tensor out = None, "
                "torch.dtype dtype = None, torch.layout layout = None, torch.device device = "
                "None, bool pin_memory = False, bool requires_grad = False)\n")
        _check_device(device)
        t = _new(_size((size,), "normal"), _float_dtype(dtype))
        normal_(t, float(mean), float(std), generator=gen)
        t._requires_grad = bool(requires_grad)
        return t
    if st:
        s = std._data
        if s.size and not (s.min() >= 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    if mt and not st:
        std = float(std)
        if not std >= 0.0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(std)}")
        shape = mean._data.shape
        npdtype = mean._data.dtype
        vals = _normal_values(gen, mean._data.size, npdtype, 0.0, std, True).reshape(shape)
        vals = vals + mean._data
        return _FN["NormalBackward1"].apply(mean, vals)
    if st and not mt:
        npdtype = std._data.dtype
        shape = std._data.shape
        vals = _normal_values(gen, std._data.size, npdtype, 0.0, 1.0, True).reshape(shape)
        vals = vals * std._data + np.array(mean, npdtype)
        return _FN["NormalBackward2"].apply(std, vals)
    shape = np.broadcast_shapes(mean._data.shape, std._data.shape)
    npdtype = mean._data.dtype
    n = int(np.prod(shape))
    vals = _normal_values(gen, n, npdtype, 0.0, 1.0, True).reshape(shape)
    vals = (vals * std._data).astype(npdtype, copy=False) + mean._data
    return _FN["NormalBackward3"].apply(mean, std, vals.astype(npdtype, copy=False))


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples: 1 with probability ``input`` (elementwise), or with probability ``p``."""
    gen = _check_generator(generator)
    arr = input._data
    t = _new(arr.shape, arr.dtype)  # contiguous, whatever the input's strides
    if p is None:
        if arr.size:
            vals = _bernoulli_tensor_values(gen, arr.dtype, _order_p(t, arr))
            _write(t, vals.reshape(-1), "BernoulliBackward1")
        return _FN["BernoulliBackward0"].apply(input, t._data)
    bernoulli_(t, p, generator=gen)
    if input._requires_grad and _state[0]:
        t._requires_grad = True  # PyTorch marks it (grad_fn NotImplemented); no graph here
    return t


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None, out=None) -> Tensor:
    """Indices sampled from the rows of ``input`` (non-negative weights, not necessarily
    normalized), with or without replacement."""
    p = input._data
    if p.dtype.kind != "f":
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: "
            f"{_type_name(p.dtype)}")
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    n_cat = p.shape[-1]
    num_samples = int(num_samples)
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > n_cat:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    gen = _check_generator(generator)
    rows = p.reshape(-1, n_cat)
    if not replacement or num_samples == 1:
        if p.size and not (np.isfinite(p).all() and p.min() >= 0):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if p.size == 0 or (rows.sum(axis=1, dtype=f64) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        # Gumbel-max trick: argmax / top-k of p / q with q ~ Exp(1)
        q = _from_double(_exponential_values(gen, p.size, 1.0), p.dtype).reshape(p.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (p / q).reshape(-1, n_cat)
        if num_samples == 1:
            idx = np.argmax(ratio, axis=1)[:, None]
        else:
            idx = np.argsort(-ratio, axis=1, kind="stable")[:, :num_samples]
    else:
        idx = np.empty((rows.shape[0], num_samples), np.int64)
        acc = f32 if p.dtype == np.float16 else p.dtype
        for i, row in enumerate(rows):
            if (row < 0).any():
                raise RuntimeError(
                    "invalid multinomial distribution (encountering probability entry < 0)")
            if not np.isfinite(row).all():
                raise RuntimeError("invalid multinomial distribution (encountering probability "
                                   "entry = infinity or NaN)")
            cum = np.cumsum(row.astype(acc), dtype=acc)
            total = cum[-1] if n_cat else acc(0)
            if not total > 0:
                raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
            cum /= total
            cum[-1] = 1
            u = gen._uniform53(num_samples)
            idx[i] = np.searchsorted(cum.astype(f64), u, side="left")
    idx = idx.astype(np.int64).reshape(p.shape[:-1] + (num_samples,))
    return Tensor._make(idx, False)


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson samples with rates ``input`` (PyTorch's sampler: multiplication of uniforms
    below rate 10, Hoermann's transformed rejection from 10 on)."""
    rates = input._data
    if rates.dtype.kind != "f":
        raise _not_implemented("poisson_cpu", rates.dtype)
    if rates.size and not (rates.min() >= 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    gen = _check_generator(generator)
    out = _sample_poisson(gen, rates.reshape(-1).astype(f64).tolist())  # C order
    vals = _from_double(np.array(out, f64), rates.dtype).reshape(rates.shape)
    return _FN["PoissonBackward0"].apply(input, vals)


def _libm_lgamma():
    try:
        import ctypes
        import ctypes.util

        lib = ctypes.CDLL(ctypes.util.find_library("m") or None)
        fn = lib.lgamma
        fn.restype, fn.argtypes = ctypes.c_double, (ctypes.c_double,)
        return fn
    except (OSError, AttributeError):  # pragma: no cover - no libm to call
        return math.lgamma


class _Uniforms:
    """53-bit uniforms for a sequential sampler, drawn from the generator in batches that never
    take more words than are used (the generator's position stays exact)."""

    def __init__(self, gen: Generator):
        self.gen = gen
        self.buf = []
        self.i = 0

    def need(self, k: int) -> None:
        """Make sure ``k`` more values can be taken: the caller takes at least that many."""
        left = len(self.buf) - self.i
        if left < k:
            self.buf = self.buf[self.i:] + self.gen._uniform53(k - left).tolist()
            self.i = 0

    def __call__(self) -> float:
        if self.i == len(self.buf):
            self.need(1)
        v = self.buf[self.i]
        self.i += 1
        return v


def _sample_poisson(gen: Generator, rates: list) -> list:
    uniform = _Uniforms(gen)
    lgamma = None
    log, exp, sqrt, floor, fabs = math.log, math.exp, math.sqrt, math.floor, math.fabs
    out = []
    for lam in rates:
        if lam >= 10:
            if lgamma is None:
                lgamma = _libm_lgamma()
            slam, loglam = sqrt(lam), log(lam)
            b = 0.931 + 2.53 * slam
            a = -0.059 + 0.02483 * b
            invalpha = 1.1239 + 1.1328 / (b - 3.4)
            vr = 0.9277 - 3.6224 / (b - 2)
            while True:
                uniform.need(2)
                U = uniform() - 0.5
                V = uniform()
                us = 0.5 - fabs(U)
                k = int(floor((2 * a / us + b) * U + lam + 0.43))
                if us >= 0.07 and V <= vr:
                    break
                if k < 0 or (us < 0.013 and V > us):
                    continue
                if (log(V) + log(invalpha) - log(a / (us * us) + b)
                        <= -lam + k * loglam - lgamma(k + 1.0)):
                    break
            out.append(k)
        elif lam == 0:
            out.append(0)
        else:
            enlam = exp(-lam)
            x, prod = 0, 1.0
            while True:
                prod *= uniform()
                if prod > enlam:
                    x += 1
                else:
                    break
            out.append(x)
    return out


def _bernoulli_method(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)


register(
    uniform_=uniform_, normal_=normal_, random_=_random_method, bernoulli_=bernoulli_,
    bernoulli=_bernoulli_method, exponential_=exponential_, geometric_=geometric_,
    log_normal_=log_normal_, cauchy_=cauchy_, multinomial=_multinomial_method,
)
