"""Pointwise math: unary functions, binary and ternary elementwise ops, comparisons, logical
and bitwise ops, ``where``, ``clamp``, and the in-place writers ``fill_``, ``zero_``, ``copy_``.

Dtype rules follow PyTorch: float functions (``exp``, ``sin``, ``sigmoid``...) give the default
float dtype for integer and bool inputs; rounding, ``abs``, ``sign``, ``clamp`` and friends keep
integer dtypes; comparisons and predicates give bool. Each op's backward returns its gradient at
the broadcast shape (the engine sums it back to each input) and is written with operators and
``np.*`` calls that dispatch to Ember ops, so it is itself differentiable (double backward).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._dtype import FROM_NP, get_default_dtype
from .._tensor import _TYPE_NAMES, Tensor, _check_cast, apply_inplace
from ..autograd.function import Function, apply1
from ._util import as_operand, check_broadcast, operands, register

__all__ = [
    # unary float functions
    "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "sin", "cos",
    "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "arcsin",
    "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "sigmoid", "erf", "erfc", "erfinv",
    "reciprocal", "logit", "sinc", "deg2rad", "rad2deg",
    # unary, dtype-preserving
    "abs", "absolute", "square", "relu", "floor", "ceil", "round", "trunc", "fix", "frac",
    "sign", "sgn", "positive", "nan_to_num",
    # predicates
    "signbit", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal",
    # binary and ternary
    "atan2", "arctan2", "clamp", "clip", "clamp_min", "clamp_max", "lerp", "fmod", "remainder",
    "maximum", "minimum", "fmax", "fmin", "hypot", "logaddexp", "logaddexp2", "copysign",
    "where", "xlogy", "addcmul", "addcdiv",
    # comparison
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
    "not_equal", "equal", "allclose", "isclose",
    # logical and bitwise
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
]

_builtin_abs = abs
_builtin_round = round
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


# ---------------------------------------------------------------- small helpers
def _type_name(npd) -> str:
    return _TYPE_NAMES[np.dtype(npd).name]


def _not_implemented(kernel: str, npd):
    """PyTorch's error for a kernel that has no implementation for a dtype."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(npd)}\'')


def _must_be_tensor(fname, value, position, argname):
    return TypeError(
        f"{fname}(): argument '{argname}' (position {position}) must be Tensor, not "
        f"{type(value).__name__}"
    )


def _invalid_combination(fname, args, signatures):
    got = ", ".join(type(a).__name__ if not isinstance(a, Tensor) else "Tensor" for a in args)
    lines = "".join(f" * ({s})\n" for s in signatures)
    return TypeError(
        f"{fname}() received an invalid combination of arguments - got ({got}), but expected "
        f"one of:\n{lines}"
    )


_TENSOR_OR_NUMBER = ("Tensor input, Tensor other, *, Tensor out = None",
                     "Tensor input, Number other, *, Tensor out = None")


def _is_number(x) -> bool:
    return isinstance(x, (bool, int, float, np.generic))


def _to_float(x):
    """Integer and bool arrays become the default float dtype (PyTorch's float-op rule)."""
    if x.dtype.kind == "f":
        return x
    return x.astype(get_default_dtype().np)


def _zeros(grad):
    """A zero gradient shaped like ``grad`` (a constant, also in create_graph mode)."""
    if isinstance(grad, Tensor):
        return Tensor._make(np.zeros_like(grad._data), False)
    return np.zeros_like(grad)


def _out(result: Tensor, out):
    if out is None:
        return result
    from .arithmetic import _out as write_out

    return write_out(result, out)


def _check_unary_input(fname, x):
    if not isinstance(x, Tensor):
        raise _must_be_tensor(fname, x, 1, "input")


# NOTE: PyTorch's float32 transcendental kernels are almost always correctly rounded; NumPy's
# float32 ones are often one ulp off, which shows in printed values. Small float32 arrays are
# therefore computed in float64 and rounded once; large ones stay in float32 for speed.
_EXACT_MAX = 1024


def _exact(fn, x):
    """``fn(x)``, computed in float64 for a small float32 array (see ``_EXACT_MAX``)."""
    if x.dtype == np.float32 and x.size <= _EXACT_MAX:
        return fn(x.astype(np.float64)).astype(np.float32)
    return fn(x)


# NOTE: max/min must return the first operand on ties (so relu(-0.) is -0., as in PyTorch) and
# propagate NaN from either. NumPy's maximum(a, b) returns b on ties for float32/float64; that
# is checked here once, with a slower exact fallback.
def _ties_to_second() -> bool:
    ok = True
    for dt in (np.float32, np.float64):
        for n in (1, 64):
            z = np.zeros(n, dt)
            ok &= bool(np.signbit(np.maximum(z, -z)).all() and np.signbit(np.minimum(z, -z)).all())
    return ok


_FAST_TIES = _ties_to_second()


def _max_first(x, other):
    """max(x, other), x on ties, NaN from either operand."""
    if x.dtype.kind != "f":
        return np.maximum(x, other)
    if _FAST_TIES and x.dtype != np.float16:
        return np.maximum(other, x)
    r = np.where(x < other, other, x)
    return np.where(np.isnan(other), other, r)


def _min_first(x, other):
    """min(x, other), x on ties, NaN from either operand."""
    if x.dtype.kind != "f":
        return np.minimum(x, other)
    if _FAST_TIES and x.dtype != np.float16:
        return np.minimum(other, x)
    r = np.where(x > other, other, x)
    return np.where(np.isnan(other), other, r)


# ---------------------------------------------------------------- unary functions
class _Unary(Function):
    """A one-input elementwise op. Subclasses set ``f`` (the kernel, on a float array for float
    ops), ``df(grad, saved)`` (the gradient) and ``saves``: ``"x"`` (the input) or ``"y"`` (the
    output). ``keeps_int`` ops keep integer dtypes; ``wide`` kernels are composed of several
    NumPy calls and run float16 in float32 so the result is rounded once, as PyTorch's is;
    ``exact`` kernels run small float32 arrays in float64 (see ``_EXACT_MAX``)."""

    _arrays = True
    saves = "x"
    keeps_int = False
    wide = False
    exact = False
    kernel = None  # the name PyTorch's error uses for bool/integer inputs it rejects
    rejects = ""  # dtype kinds ("b", "iu") that raise NotImplementedError

    @classmethod
    def forward(cls, ctx, x):
        kind = x.dtype.kind
        if kind in cls.rejects:
            raise _not_implemented(cls.kernel, x.dtype)
        if kind != "f":
            if cls.keeps_int:
                return cls.f_int(x)
            x = x.astype(get_default_dtype().np)
        # NOTE: no np.errstate here (it costs a microsecond per op): NumPy's floating-point
        # warnings from Ember's modules are filtered out once, in ember/__init__.py.
        if cls.wide and x.dtype == np.float16:
            y = cls.f(x.astype(np.float32)).astype(np.float16)
        elif cls.exact and x.dtype == np.float32 and x.size <= _EXACT_MAX:
            y = cls.f(x.astype(np.float64)).astype(np.float32)
        else:
            y = cls.f(x)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x if cls.saves == "x" else y)
        return y

    @staticmethod
    def f_int(x):
        return x.copy()

    @classmethod
    def backward(cls, ctx, grad):
        (s,) = ctx.saved_tensors
        return cls.df(grad, s)  # inf/nan at domain edges come silently, as in PyTorch


def _unary_fn(cls, fname, doc):
    """The functional wrapper for a unary op class: ``fname(input, *, out=None)``."""

    def fn(input, *, out=None):
        if not isinstance(input, Tensor):
            raise _must_be_tensor(fname, input, 1, "input")
        r = apply1(cls, input)
        return r if out is None else _out(r, out)

    def inplace(self):
        return apply_inplace(self, cls)

    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = doc
    inplace.__name__ = inplace.__qualname__ = fname + "_"
    return fn, inplace


class Exp(_Unary):
    name = "ExpBackward0"
    saves = "y"
    exact = True
    f = staticmethod(np.exp)

    @staticmethod
    def df(grad, y):
        return grad * y


class Exp2(_Unary):
    name = "Exp2Backward0"
    saves = "y"
    exact = True
    f = staticmethod(np.exp2)

    @staticmethod
    def df(grad, y):
        return grad * y * _LN2


class Expm1(_Unary):
    name = "Expm1Backward0"
    saves = "y"
    exact = True
    f = staticmethod(np.expm1)

    @staticmethod
    def df(grad, y):
        return grad * (y + 1)


class Log(_Unary):
    name = "LogBackward0"
    exact = True
    f = staticmethod(np.log)

    @staticmethod
    def df(grad, x):
        return grad / x


class Log1p(_Unary):
    name = "Log1PBackward0"
    exact = True
    f = staticmethod(np.log1p)

    @staticmethod
    def df(grad, x):
        return grad / (x + 1)


class Log2(_Unary):
    name = "Log2Backward0"
    exact = True
    f = staticmethod(np.log2)

    @staticmethod
    def df(grad, x):
        return grad / (x * _LN2)


class Log10(_Unary):
    name = "Log10Backward0"
    exact = True
    f = staticmethod(np.log10)

    @staticmethod
    def df(grad, x):
        return grad / (x * _LN10)


class Sqrt(_Unary):
    """sqrt'(0) is inf, as in PyTorch."""

    name = "SqrtBackward0"
    saves = "y"
    f = staticmethod(np.sqrt)

    @staticmethod
    def df(grad, y):
        return grad / (2 * y)


class Rsqrt(_Unary):
    name = "RsqrtBackward0"
    saves = "y"
    wide = True

    @staticmethod
    def f(x):
        return 1 / np.sqrt(x)

    @staticmethod
    def df(grad, y):
        return -0.5 * grad * (y * y * y)


class Sin(_Unary):
    name = "SinBackward0"
    exact = True
    f = staticmethod(np.sin)

    @staticmethod
    def df(grad, x):
        return grad * np.cos(x)


class Cos(_Unary):
    name = "CosBackward0"
    exact = True
    f = staticmethod(np.cos)

    @staticmethod
    def df(grad, x):
        return grad * -np.sin(x)


class Tan(_Unary):
    name = "TanBackward0"
    saves = "y"
    exact = True
    f = staticmethod(np.tan)

    @staticmethod
    def df(grad, y):
        return grad * (y * y + 1)


class Asin(_Unary):
    name = "AsinBackward0"
    exact = True
    f = staticmethod(np.arcsin)

    @staticmethod
    def df(grad, x):
        return grad / np.sqrt(1 - x * x)


class Acos(_Unary):
    name = "AcosBackward0"
    exact = True
    f = staticmethod(np.arccos)

    @staticmethod
    def df(grad, x):
        return -grad / np.sqrt(1 - x * x)


class Atan(_Unary):
    name = "AtanBackward0"
    exact = True
    f = staticmethod(np.arctan)

    @staticmethod
    def df(grad, x):
        return grad / (x * x + 1)


class Sinh(_Unary):
    name = "SinhBackward0"
    exact = True
    f = staticmethod(np.sinh)

    @staticmethod
    def df(grad, x):
        return grad * np.cosh(x)


class Cosh(_Unary):
    name = "CoshBackward0"
    exact = True
    f = staticmethod(np.cosh)

    @staticmethod
    def df(grad, x):
        return grad * np.sinh(x)


class Tanh(_Unary):
    name = "TanhBackward0"
    saves = "y"
    exact = True
    f = staticmethod(np.tanh)

    @staticmethod
    def df(grad, y):
        return grad * (1 - y * y)


class Asinh(_Unary):
    name = "AsinhBackward0"
    f = staticmethod(np.arcsinh)

    @staticmethod
    def df(grad, x):
        return grad / np.sqrt(x * x + 1)


class Acosh(_Unary):
    name = "AcoshBackward0"
    f = staticmethod(np.arccosh)

    @staticmethod
    def df(grad, x):
        return grad / np.sqrt(x * x - 1)


class Atanh(_Unary):
    name = "AtanhBackward0"
    exact = True
    f = staticmethod(np.arctanh)

    @staticmethod
    def df(grad, x):
        return grad / (1 - x * x)


class Sigmoid(_Unary):
    """1 / (1 + exp(-x)), as PyTorch computes it: exp overflowing to inf gives 0, never NaN."""

    name = "SigmoidBackward0"
    saves = "y"
    wide = True

    @staticmethod
    def f(x):
        return 1 / (1 + _exact(np.exp, -x))

    @staticmethod
    def df(grad, y):
        return grad * ((1 - y) * y)


class Erf(_Unary):
    name = "ErfBackward0"

    @staticmethod
    def f(x):
        return _erf(x.astype(np.float64)).astype(x.dtype)

    @staticmethod
    def df(grad, x):
        return grad * (_TWO_OVER_SQRT_PI * np.exp(-(x * x)))


class Erfc(_Unary):
    name = "ErfcBackward0"

    @staticmethod
    def f(x):
        return _erfc(x.astype(np.float64)).astype(x.dtype)

    @staticmethod
    def df(grad, x):
        return grad * (-_TWO_OVER_SQRT_PI * np.exp(-(x * x)))


class Erfinv(_Unary):
    name = "ErfinvBackward0"
    saves = "y"

    @staticmethod
    def f(x):
        return _erfinv(x.astype(np.float64)).astype(x.dtype)

    @staticmethod
    def df(grad, y):
        return grad * (0.5 * math.sqrt(math.pi) * np.exp(y * y))


class Reciprocal(_Unary):
    name = "ReciprocalBackward0"
    saves = "y"

    @staticmethod
    def f(x):
        return np.reciprocal(x)

    @staticmethod
    def df(grad, y):
        return -grad * (y * y)


class Deg2Rad(_Unary):
    name = "Deg2RadBackward0"

    @staticmethod
    def f(x):
        return x * x.dtype.type(math.pi / 180)

    @staticmethod
    def df(grad, x):
        return grad * (math.pi / 180)


class Rad2Deg(_Unary):
    name = "Rad2DegBackward0"

    @staticmethod
    def f(x):
        return x * x.dtype.type(180 / math.pi)

    @staticmethod
    def df(grad, x):
        return grad * (180 / math.pi)


class Sinc(_Unary):
    """sin(pi x) / (pi x), and 1 at 0."""

    name = "SincBackward0"
    wide = True

    @staticmethod
    def f(x):
        px = x * x.dtype.type(math.pi)
        return np.where(x == 0, x.dtype.type(1), np.sin(px) / px)

    @staticmethod
    def df(grad, x):
        px = x * math.pi
        g = grad * (px * np.cos(px) - np.sin(px)) / (x * px)
        return np.where(x == 0, 0.0, g)


class Abs(_Unary):
    """abs'(0) = 0, as PyTorch's sgn."""

    name = "AbsBackward0"
    keeps_int = True
    kernel = "abs_cpu"
    rejects = "b"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise _not_implemented("abs_cpu", x.dtype)
        if ctx.needs_input_grad[0]:
            ctx.sign = _sign_array(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.sign


class Floor(_Unary):
    name = "FloorBackward0"
    keeps_int = True
    kernel = "floor_vml_cpu"
    rejects = "b"
    f = staticmethod(np.floor)

    @classmethod
    def backward(cls, ctx, grad):
        return _zeros(grad)


class Ceil(Floor):
    name = "CeilBackward0"
    kernel = "ceil_vml_cpu"
    f = staticmethod(np.ceil)


class Trunc(Floor):
    name = "TruncBackward0"
    kernel = "trunc_vml_cpu"
    f = staticmethod(np.trunc)


class Round(Floor):
    """Round half to even, as PyTorch's ``round`` (``nearbyint``)."""

    name = "RoundBackward0"
    kernel = "round_vml_cpu"
    f = staticmethod(np.rint)


class RoundDecimals(Function):
    _arrays = True
    name = "RoundBackward1"

    @staticmethod
    def forward(ctx, x, decimals):
        if x.dtype.kind != "f":
            raise _not_implemented("round_cpu", x.dtype)
        t = x.dtype.type
        # PyTorch scales by 10**|decimals| in the tensor's dtype, rounds, and scales back
        wide = x.astype(np.float32) if x.dtype == np.float16 else x
        p = wide.dtype.type(10.0 ** _builtin_abs(decimals))
        with np.errstate(all="ignore"):
            if decimals < 0:
                y = np.rint(wide / p) * p
            else:
                y = np.rint(wide * p) / p
        return y.astype(t, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad), None


class Frac(_Unary):
    name = "FracBackward0"
    kernel = "frac_cpu"
    rejects = "biu"

    @staticmethod
    def f(x):
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


def _sign_array(x):
    """Sign as PyTorch computes it: (0 < x) - (x < 0), so sign(nan) = 0 and sign(-0.) = 0."""
    if x.dtype.kind == "b":
        return x.copy()
    if x.dtype.kind == "u":
        return (x > 0).astype(x.dtype)
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


class Sign(_Unary):
    name = "SignBackward0"
    keeps_int = True
    f = staticmethod(_sign_array)
    f_int = staticmethod(_sign_array)

    @classmethod
    def backward(cls, ctx, grad):
        return _zeros(grad)


class Sgn(Sign):
    name = "SgnBackward0"


class Relu(_Unary):
    """max(x, 0); relu'(0) = 0 (PyTorch's threshold_backward on the output)."""

    name = "ReluBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        y = _max_first(x, x.dtype.type(0))
        if ctx.needs_input_grad[0]:
            ctx.mask = y > 0
        return y

    @staticmethod
    def backward(ctx, grad):
        ints = _SAME_SIZE_INT.get(getattr(grad, "dtype", None))
        if ints is None or type(grad) is not np.ndarray or not grad.ndim:  # a Tensor, or 0-d
            return np.where(ctx.mask, grad, 0.0)
        # grad where the mask holds, else +0: AND the bits with 0 or ~0. The same bits as
        # np.where (NaN gradients masked to +0 included), without its per-element branch,
        # which mispredicts on ReLU's random masks (about 6x slower).
        bits = ctx.mask.view(np.int8).astype(ints)
        np.negative(bits, out=bits)
        np.bitwise_and(bits, grad.view(ints), out=bits)
        return bits.view(grad.dtype)


_SAME_SIZE_INT = {np.dtype(np.float16): np.int16, np.dtype(np.float32): np.int32,
                  np.dtype(np.float64): np.int64}


class Logit(Function):
    """log(x / (1 - x)), with x first clamped to [eps, 1 - eps] when eps is given."""

    _arrays = True
    name = "LogitBackward0"

    @staticmethod
    def forward(ctx, x, eps):
        x = _to_float(x)
        t = x.dtype.type
        xe = x if eps is None else np.clip(x, t(eps), t(1 - eps))
        wide = xe.astype(np.float32) if xe.dtype == np.float16 else xe
        with np.errstate(all="ignore"):
            y = np.log(wide / (1 - wide)).astype(x.dtype, copy=False)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
            if eps is None:
                ctx.outside = (x < 0) | (x > 1)
            else:
                ctx.outside = (x < t(eps)) | (x > t(1 - eps))
            ctx.eps = eps
        return y

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(all="ignore"):
            (x,) = ctx.saved_tensors
            g = grad / (x * (1 - x))
            return np.where(ctx.outside, math.nan if ctx.eps is None else 0.0, g), None


class NanToNum(Function):
    _arrays = True
    name = "NanToNumBackward0"

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        if x.dtype.kind != "f":
            return x.copy()
        if ctx.needs_input_grad[0]:
            ctx.finite = np.isfinite(x)
        fi = np.finfo(x.dtype)
        with np.errstate(all="ignore"):  # a replacement too large for the dtype becomes inf
            return np.nan_to_num(
                x, nan=0.0 if nan is None else nan,
                posinf=fi.max if posinf is None else posinf,
                neginf=fi.min if neginf is None else neginf,
            )

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.finite, None, None, None


# ---------------------------------------------------------------- erf, erfc, erfinv
# W. J. Cody-style rational approximations as in the Cephes library (ndtr.c), accurate to a
# few units in the last place of a float64; erfinv refines an initial rational guess with two
# Newton steps, as PyTorch's calc_erfinv does.
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_ERF_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
          7.00332514112805075473e3, 5.55923013010394962768e4)
_ERF_U = (1.0, 3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
          2.26290000613890934246e4, 4.92673942608635921086e4)
_ERFC_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
           4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
           9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)
_ERFC_Q = (1.0, 1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
           9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
           1.65666309194161350182e3, 5.57535340817727675546e2)
_ERFC_R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
           6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0)
_ERFC_S = (1.0, 2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
           1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0)


def _horner(x, coefs):
    r = np.full_like(x, coefs[0])
    for c in coefs[1:]:
        r = r * x + c
    return r


def _exp_neg_sq(a):
    """exp(-a*a) without the error amplification of squaring first (Cephes expx2): split a into
    a multiple of 1/128 (whose square is exact) and a small remainder."""
    m = np.floor(a * 128 + 0.5) / 128
    f = a - m
    return np.exp(-(m * m)) * np.exp(-(2 * m * f + f * f))


def _erfc_tail(a):
    """erfc(a) for a >= 1 (float64; a may be any non-negative value, large ones give 0)."""
    a = np.minimum(a, 40.0)  # erfc underflows to 0 long before 40; keeps inf out of the math
    near = _horner(a, _ERFC_P) / _horner(a, _ERFC_Q)
    far = _horner(a, _ERFC_R) / _horner(a, _ERFC_S)
    return _exp_neg_sq(a) * np.where(a < 8, near, far)


def _erf_core(x):
    """erf(x) for |x| <= 1."""
    z = x * x
    return x * _horner(z, _ERF_T) / _horner(z, _ERF_U)


def _erf(x):
    with np.errstate(all="ignore"):
        a = np.abs(x)
        small = a <= 1
        tail = 1 - _erfc_tail(a)
        return np.where(small, _erf_core(np.where(small, x, 0.0)), np.copysign(tail, x))


def _erfc(x):
    with np.errstate(all="ignore"):
        a = np.abs(x)
        small = a < 1
        tail = _erfc_tail(a)
        tail = np.where(x < 0, 2 - tail, tail)
        return np.where(small, 1 - _erf_core(np.where(small, x, 0.0)), tail)


_ERFINV_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_ERFINV_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_ERFINV_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_ERFINV_D = (3.543889200, 1.637067800)


def _erfinv(y):
    with np.errstate(all="ignore"):
        a = np.abs(y)
        z = y * y
        a0, a1, a2, a3 = _ERFINV_A
        b0, b1, b2, b3 = _ERFINV_B
        num = ((a3 * z + a2) * z + a1) * z + a0
        den = (((b3 * z + b2) * z + b1) * z + b0) * z + 1.0
        central = y * num / den
        w = np.sqrt(-np.log((1.0 - a) / 2.0))
        c0, c1, c2, c3 = _ERFINV_C
        d0, d1 = _ERFINV_D
        num = ((c3 * w + c2) * w + c1) * w + c0
        den = (d1 * w + d0) * w + 1.0
        tail = np.copysign(num, y) / den
        x = np.where(a <= 0.7, central, tail)
        for _ in range(2):  # Newton-Raphson on erf(x) = y
            x = x - (_erf(x) - y) / (_TWO_OVER_SQRT_PI * np.exp(-x * x))
        x = np.where(a == 1, np.copysign(np.inf, y), x)
        return np.where(a > 1, np.nan, x)


# ---------------------------------------------------------------- binary and ternary ops
def _float_operands(a, b):
    """Operands promoted as PyTorch does, then integers/bools to the default float dtype."""
    a, b, dt = operands(a, b)
    if dt.kind != "f":
        dt = get_default_dtype().np
        a = a.astype(dt) if type(a) is np.ndarray else float(a)
        b = b.astype(dt) if type(b) is np.ndarray else float(b)
    return a, b, dt


def _float_only_operands(a, b, kernel):
    """Operands of ops PyTorch implements for floating dtypes only (hypot, logaddexp)."""
    a, b, dt = operands(a, b)
    if dt.kind != "f":
        raise _not_implemented(kernel, dt)
    return a, b, dt


class Atan2(Function):
    _arrays = True
    name = "Atan2Backward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = _float_operands(a, b)
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)
        if dt == np.float32 and np.size(a) <= _EXACT_MAX and np.size(b) <= _EXACT_MAX:
            return np.arctan2(np.asarray(a, np.float64), np.asarray(b, np.float64)).astype(dt)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(all="ignore"):
            a, b = ctx.saved_tensors
            recip = 1 / (a * a + b * b)
            recip = np.where(np.isinf(recip), 0.0, recip)  # the gradient at (0, 0) is 0
            need = ctx.needs_input_grad
            return (grad * b * recip if need[0] else None), (grad * -a * recip if need[1] else None)


class Hypot(Function):
    _arrays = True
    name = "HypotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b, _ = _float_only_operands(a, b, "hypot_cpu")
        y = np.hypot(a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(all="ignore"):
            a, b, y = ctx.saved_tensors
            need = ctx.needs_input_grad
            return (grad * a / y if need[0] else None), (grad * b / y if need[1] else None)


class Logaddexp(Function):
    _arrays = True
    name = "LogaddexpBackward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b, _ = _float_only_operands(a, b, "logaddexp_cpu")
        ctx.save_for_backward(a, b)
        with np.errstate(all="ignore"):
            return np.logaddexp(a, b)

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(all="ignore"):
            a, b = ctx.saved_tensors
            need = ctx.needs_input_grad
            return ((grad / (1 + np.exp(b - a)) if need[0] else None),
                    (grad / (1 + np.exp(a - b)) if need[1] else None))


class Logaddexp2(Function):
    _arrays = True
    name = "Logaddexp2Backward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b, _ = _float_only_operands(a, b, "logaddexp2_cpu")
        ctx.save_for_backward(a, b)
        with np.errstate(all="ignore"):
            return np.logaddexp2(a, b)

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(all="ignore"):
            a, b = ctx.saved_tensors
            need = ctx.needs_input_grad
            return ((grad / (1 + np.power(2.0, b - a)) if need[0] else None),
                    (grad / (1 + np.power(2.0, a - b)) if need[1] else None))


class Maximum(Function):
    """Ties split the gradient half and half, as PyTorch's maximum does."""

    _arrays = True
    name = "MaximumBackward0"
    _np = staticmethod(_max_first)

    @classmethod
    def forward(cls, ctx, a, b):
        a, b, _ = operands(a, b)
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.tie = a == b
            ctx.a_loses = a < b if cls is Maximum else a > b
            ctx.b_loses = a > b if cls is Maximum else a < b
        return cls._np(a, b)

    @staticmethod
    def backward(ctx, grad):
        g = np.where(ctx.tie, grad / 2, grad)
        need = ctx.needs_input_grad
        return ((np.where(ctx.a_loses, 0.0, g) if need[0] else None),
                (np.where(ctx.b_loses, 0.0, g) if need[1] else None))


class Minimum(Maximum):
    name = "MinimumBackward0"
    _np = staticmethod(_min_first)


class Fmax(Function):
    """The NaN-ignoring maximum: the gradient goes to the value that was picked."""

    _arrays = True
    name = "FmaxBackward0"

    @classmethod
    def forward(cls, ctx, a, b):
        a, b, dt = operands(a, b)
        if dt.kind != "f":
            return np.maximum(a, b) if cls is Fmax else np.minimum(a, b)
        pick_a = ((a >= b) if cls is Fmax else (a <= b)) | np.isnan(b)
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.pick_a = pick_a
        return np.where(pick_a, a, b)  # a on ties, as PyTorch

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return ((np.where(ctx.pick_a, grad, 0.0) if need[0] else None),
                (np.where(ctx.pick_a, 0.0, grad) if need[1] else None))


class Fmin(Fmax):
    name = "FminBackward0"


def _fmod_arrays(a, b, dt, kernel):
    if dt.kind == "b":
        raise _not_implemented(kernel, dt)
    if dt.kind in "iu":
        if np.any(np.asarray(b) == 0):
            raise RuntimeError("ZeroDivisionError")
        return None
    return True


class Fmod(Function):
    """C's fmod: the result has the sign of the dividend. Tensor divisor: FmodBackward1."""

    _arrays = True
    name = "FmodBackward1"

    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = operands(a, b)
        _fmod_arrays(a, b, dt, "fmod_cpu")
        with np.errstate(all="ignore"):
            y = np.fmod(a, b)
            if ctx.needs_input_grad[1]:
                ctx.q = np.trunc(np.true_divide(a, b))  # a constant w.r.t. the inputs
        return y

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (grad if need[0] else None), (-grad * ctx.q if need[1] else None)


class FmodScalar(Fmod):
    name = "FmodBackward0"


def _py_remainder(a, b):
    """Python's modulo for floats, as PyTorch computes it: fmod, then shifted by the divisor
    when the signs differ."""
    m = np.fmod(a, b)
    fix = (m != 0) & ((b < 0) != (m < 0))
    return np.where(fix, m + b, m)


class Remainder(Function):
    """Python-style modulo: the result has the sign of the divisor."""

    _arrays = True
    name = "RemainderBackward1"

    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = operands(a, b)
        if _fmod_arrays(a, b, dt, "remainder_cpu") is None:
            return np.remainder(a, b)
        with np.errstate(all="ignore"):
            y = _py_remainder(a, b)
            if ctx.needs_input_grad[1]:
                ctx.q = np.floor_divide(a, b)  # Python's (and PyTorch's) float floordiv
        return np.asarray(y, dtype=dt)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (grad if need[0] else None), (-grad * ctx.q if need[1] else None)


class RemainderScalar(Remainder):
    name = "RemainderBackward0"


class RemainderScalarSelf(Remainder):
    """``number % tensor``: PyTorch has no derivative for it."""

    name = "NotImplemented"

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::remainder is not implemented")


class Copysign(Function):
    """|a| with the sign of b; the gradient flows to a only (times +-1), b gets zeros."""

    _arrays = True
    name = "CopysignBackward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b, _ = _float_operands(a, b)
        y = np.copysign(a, b)
        if ctx.needs_input_grad[0]:
            with np.errstate(all="ignore"):
                ctx.ratio = np.where(a == 0, 0.0, y / a).astype(y.dtype, copy=False)
        return y

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (grad * ctx.ratio if need[0] else None), (_zeros(grad) if need[1] else None)


class CopysignScalar(Copysign):
    name = "CopysignBackward1"


class Xlogy(Function):
    """x * log(y), and 0 where x == 0 (unless y is NaN)."""

    _arrays = True
    name = "XlogyBackward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b, _ = _float_operands(a, b)
        with np.errstate(all="ignore"):
            y = np.where((a == 0) & ~np.isnan(b), 0.0, a * np.log(b))
        y = np.asarray(y, dtype=np.result_type(a, b))
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            ctx.save_for_backward(a if need[1] else None, b)
            ctx.zero = (np.asarray(a) == 0) & (np.asarray(b) <= 0)
        return y

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(all="ignore"):
            a, b = ctx.saved_tensors
            need = ctx.needs_input_grad
            ga = gb = None
            if need[0]:
                if isinstance(grad, Tensor):
                    g = xlogy(grad, b)
                else:
                    g = np.where((grad == 0) & ~np.isnan(b), 0.0, grad * np.log(b))
                ga = np.where(ctx.zero, 0.0, g)
            if need[1]:
                gb = grad * a / b
            return ga, gb


class XlogyScalarSelf(Xlogy):
    name = "XlogyBackward1"


class XlogyScalarOther(Xlogy):
    name = "XlogyBackward2"


class Lerp(Function):
    """start + weight * (end - start), evaluated from the nearer end as PyTorch does."""

    _arrays = True
    name = "LerpBackward0"

    @staticmethod
    def forward(ctx, a, b, w):
        dt = a.dtype
        tensor_w = type(w) is np.ndarray
        if dt.kind != "f":
            kernel = "lerp_kernel_tensor" if tensor_w else "lerp_kernel_scalar"
            raise _not_implemented(kernel, dt)
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[2] else None, b if need[2] else None,
                              w if tensor_w else None)
        ctx.w = None if tensor_w else w
        if dt == np.float16:  # computed in float32 and rounded once, as PyTorch does
            a, b = a.astype(np.float32), b.astype(np.float32)
            w = w.astype(np.float32) if tensor_w else w
        if not tensor_w:
            w = a.dtype.type(w)
        d = b - a
        y = np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))
        return np.asarray(y).astype(dt, copy=False)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        a, b, w = ctx.saved_tensors
        if w is None:
            w = ctx.w
        ga = grad * (1 - w) if need[0] else None
        gb = grad * w if need[1] else None
        gw = grad * (b - a) if need[2] else None
        return ga, gb, gw


class LerpTensor(Lerp):
    name = "LerpBackward1"


class Addcmul(Function):
    """input + value * tensor1 * tensor2"""

    _arrays = True
    name = "AddcmulBackward0"

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        dt = _result_np(x, t1, t2)
        if dt.kind == "b":
            raise _not_implemented("addcmul_cpu_out", dt)
        x, t1, t2 = (a.astype(dt, copy=False) for a in (x, t1, t2))
        v = _scalar_as(value, dt)
        need = ctx.needs_input_grad
        ctx.save_for_backward(t2 if need[1] else None, t1 if need[2] else None)
        ctx.value = value
        return x + v * t1 * t2

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(all="ignore"):
            t2, t1 = ctx.saved_tensors
            need = ctx.needs_input_grad
            v = ctx.value
            return ((grad if need[0] else None), (grad * (t2 * v) if need[1] else None),
                    (grad * (t1 * v) if need[2] else None), None)


class Addcdiv(Function):
    """input + value * tensor1 / tensor2"""

    _arrays = True
    name = "AddcdivBackward0"

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        if t1.dtype.kind in "biu" and t2.dtype.kind in "biu":
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release "
                "addcdiv will perform a true division of tensor1 and tensor2. The historic "
                "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
                "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
                "tensor2) for float inputs. The future addcdiv behavior is just the latter "
                "implementation: (input + value * tensor1 / tensor2), for all dtypes."
            )
        dt = _result_np(x, t1, t2)
        x, t1, t2 = (a.astype(dt, copy=False) for a in (x, t1, t2))
        v = _scalar_as(value, dt)
        need = ctx.needs_input_grad
        ctx.save_for_backward(t1 if need[2] else None, t2 if need[1] or need[2] else None)
        ctx.value = value
        with np.errstate(all="ignore"):
            return x + v * t1 / t2

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(all="ignore"):
            t1, t2 = ctx.saved_tensors
            need = ctx.needs_input_grad
            v = ctx.value
            return ((grad if need[0] else None), (grad * (v / t2) if need[1] else None),
                    (-grad * (v * t1 / (t2 * t2)) if need[2] else None), None)


def _result_np(*arrays):
    """PyTorch's result dtype over several arrays (0-d ones rank below dimensioned ones)."""
    return _dtype.result_type(*(Tensor._make(a) for a in arrays)).np


_FLOAT_MAX = {np.dtype(t): float(np.finfo(t).max) for t in (np.float16, np.float32, np.float64)}
_C_NAMES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
            "int64": "int64_t", "float16": "c10::Half", "float32": "float", "float64": "double"}


def _scalar_as(value, dt):
    """A Python number as a scalar of dtype ``dt``, with PyTorch's overflow error."""
    fmax = _FLOAT_MAX.get(dt)
    if fmax is not None:
        if _builtin_abs(value) > fmax and math.isfinite(value):
            raise RuntimeError(f"value cannot be converted to type {_C_NAMES[dt.name]} without "
                               "overflow")
        return float(value)  # a Python float takes the array's dtype in NumPy's ufuncs
    if dt.kind == "b":
        return bool(value)
    info = np.iinfo(dt)
    v = int(value)
    lo = -info.max if dt.kind == "u" else info.min  # unsigned types wrap small negatives
    if not lo <= v <= info.max:
        raise RuntimeError(f"value cannot be converted to type {_C_NAMES[dt.name]} without "
                           "overflow")
    return v % (info.max + 1) if v < 0 and dt.kind == "u" else v


# ---------------------------------------------------------------- clamp
class Clamp(Function):
    """clamp with number bounds (either may be None): the gradient passes where
    min <= x <= max, bounds included."""

    _arrays = True
    name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        dt = x.dtype
        if dt.kind != "f":  # number bounds never change a float tensor's dtype
            dt = _dtype.result_type(Tensor._make(x), *(v for v in (lo, hi) if v is not None)).np
            if x.dtype != dt:
                x = x.astype(dt)
        y = x
        lo_ = _scalar_as(lo, dt) if lo is not None else None
        hi_ = _scalar_as(hi, dt) if hi is not None else None
        if lo_ is not None:
            y = _max_first(y, lo_)
        if hi_ is not None:
            y = _min_first(y, hi_)
        if y is x:
            y = x.copy()
        if ctx.needs_input_grad[0]:
            if lo_ is None:
                ctx.mask = x <= hi_
            elif hi_ is None:
                ctx.mask = x >= lo_
            else:
                ctx.mask = (x >= lo_) & (x <= hi_)
        return y

    @staticmethod
    def backward(ctx, grad):
        return np.where(ctx.mask, grad, 0.0), None, None


class ClampMin(Clamp):
    name = "ClampMinBackward0"

    @staticmethod
    def forward(ctx, x, lo):
        return Clamp.forward(ctx, x, lo, None)

    @staticmethod
    def backward(ctx, grad):
        return np.where(ctx.mask, grad, 0.0), None


class ClampMax(ClampMin):
    name = "ClampMaxBackward0"

    @staticmethod
    def forward(ctx, x, hi):
        return Clamp.forward(ctx, x, None, hi)


class ClampTensor(Function):
    """clamp with tensor bounds (either may be None); the bounds get gradients too."""

    _arrays = True
    name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        dt = _result_np(*(a for a in (x, lo, hi) if a is not None))
        x = x.astype(dt, copy=False)
        lo = lo.astype(dt, copy=False) if lo is not None else None
        hi = hi.astype(dt, copy=False) if hi is not None else None
        y = x
        if lo is not None:
            check_broadcast(x.shape, lo.shape)
            y = _max_first(y, lo)
        if hi is not None:
            check_broadcast(np.shape(y), hi.shape)
            y = _min_first(y, hi)
        need = ctx.needs_input_grad
        if any(need):
            if lo is not None and hi is not None:
                ctx.m_x = (x >= lo) & (x <= hi)
                ctx.m_lo = (x < lo) & (lo < hi)
                ctx.m_hi = (x > hi) | (hi < lo)
            elif lo is not None:
                ctx.m_x, ctx.m_lo, ctx.m_hi = x >= lo, x < lo, None
            else:
                ctx.m_x, ctx.m_lo, ctx.m_hi = x <= hi, None, x > hi
        return y

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return ((np.where(ctx.m_x, grad, 0.0) if need[0] else None),
                (np.where(ctx.m_lo, grad, 0.0) if len(need) > 1 and need[1] else None),
                (np.where(ctx.m_hi, grad, 0.0) if len(need) > 2 and need[2] else None))


class ClampMinTensor(ClampTensor):
    name = "ClampMinBackward1"

    @staticmethod
    def forward(ctx, x, lo):
        return ClampTensor.forward(ctx, x, lo, None)


class ClampMaxTensor(ClampTensor):
    name = "ClampMaxBackward1"

    @staticmethod
    def forward(ctx, x, hi):
        y = ClampTensor.forward(ctx, x, None, hi)
        if any(ctx.needs_input_grad):
            ctx.m_lo = ctx.m_hi  # the bound is input 1 here
        return y


# ---------------------------------------------------------------- where
class Where(Function):
    _arrays = True
    name = "WhereBackward0"

    @staticmethod
    def forward(ctx, cond, x, y):
        x, y, dt = operands(x, y)
        try:
            out = np.where(cond, x, y)
        except ValueError:  # shapes that do not broadcast: PyTorch's message
            check_broadcast(cond.shape, np.shape(x))
            check_broadcast(np.broadcast_shapes(cond.shape, np.shape(x)), np.shape(y))
            raise
        if out.dtype != dt:
            out = out.astype(dt)
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            ctx.cond = cond
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (None, (np.where(ctx.cond, grad, 0.0) if need[1] else None),
                (np.where(ctx.cond, 0.0, grad) if need[2] else None))


# ---------------------------------------------------------------- fill_, zero_, copy_
class Fill(Function):
    _arrays = True
    name = "FillBackward2"

    @staticmethod
    def forward(ctx, x, value):
        return np.full(x.shape, value, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad), None


class FillTensor(Function):
    _arrays = True
    name = "FillBackward3"

    @staticmethod
    def forward(ctx, x, value):
        return np.full(x.shape, value, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (_zeros(grad) if need[0] else None), (np.sum(grad) if need[1] else None)


class Zero(Function):
    _arrays = True
    name = "ZeroBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.zeros(x.shape, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad)


class Copy(Function):
    """``self.copy_(src)``: src broadcast to self's shape and cast to its dtype."""

    _arrays = True
    name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        if src.shape != x.shape:
            check_broadcast(x.shape, src.shape)
            full = np.broadcast_shapes(x.shape, src.shape)
            if full != x.shape:
                raise RuntimeError(
                    f"output with shape {list(x.shape)} doesn't match the broadcast shape "
                    f"{list(full)}"
                )
            src = np.broadcast_to(src, x.shape)
        return src.astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (_zeros(grad) if need[0] else None), (grad if need[1] else None)


def _fill_(self, value):
    """Fill with ``value`` (a number or a 0-d tensor) in place."""
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        return apply_inplace(self, FillTensor, value)
    if isinstance(value, np.generic):
        value = value.item()
    return apply_inplace(self, Fill, value)


def _zero_(self):
    """Fill with zeros in place."""
    return apply_inplace(self, Zero)


def _copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, converted to this tensor's dtype) into this tensor in place."""
    if not isinstance(src, Tensor):
        if isinstance(src, np.ndarray):
            src = Tensor._make(src)
        else:
            raise _invalid_combination("copy_", (src, non_blocking),
                                       ("Tensor src, bool non_blocking = False",))
    return apply_inplace(self, Copy, src)


# ---------------------------------------------------------------- comparisons
def _cmp_operands(a, b):
    """Arrays to compare, promoted as PyTorch does (a Python int is cast to an integer tensor's
    dtype, wrapping around as in PyTorch: ``int8_tensor == 257`` compares with 1)."""
    if type(b) is np.ndarray and a.dtype == b.dtype:
        if a.shape != b.shape:
            check_broadcast(a.shape, b.shape)
        return a, b
    a, b, _ = operands(a, b)
    return a, b


def _cmp_other(fname, input, other):
    if isinstance(other, Tensor):
        return other._data
    if isinstance(other, (bool, int, float)):
        return other
    if isinstance(other, np.generic):
        return other.item()
    if isinstance(other, np.ndarray):
        return other
    raise _invalid_combination(fname, (input, other), _TENSOR_OR_NUMBER)


def _comparison(np_fn, fname, doc):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            raise _invalid_combination(fname, (input, other), _TENSOR_OR_NUMBER)
        a, b = _cmp_operands(input._data, _cmp_other(fname, input, other))
        r = Tensor._make(np_fn(a, b))
        return r if out is None else _out(r, out)

    def operator(self, other):
        if isinstance(other, Tensor):
            b = other._data
        elif isinstance(other, (bool, int, float, np.ndarray)):
            b = other
        elif isinstance(other, np.generic):
            b = other.item()
        else:
            return NotImplemented
        a, b = _cmp_operands(self._data, b)
        return Tensor._make(np_fn(a, b))

    def dispatched(x1, x2, **kw):
        if not isinstance(x1, Tensor):  # a NumPy call with the Tensor second
            x1, x2 = as_operand(x1), as_operand(x2)
            if not isinstance(x1, Tensor):
                x1 = Tensor._make(np.asarray(x1))
        return fn(x1, as_operand(x2))

    node = {}
    for suffix in ("0", "1"):
        node[suffix] = type(
            f"_{fname.capitalize()}Inplace{suffix}", (Function,),
            {"_arrays": True, "name": f"{fname.capitalize()}Backward{suffix}",
             "forward": staticmethod(lambda ctx, a, b: np_fn(*_cmp_operands(a, b))),
             "backward": staticmethod(lambda ctx, grad: (
                 _zeros(grad), _zeros(grad) if ctx.needs_input_grad[1] else None)),
             "__module__": __name__},
        )

    def inplace(self, other):
        b = other if isinstance(other, Tensor) else _cmp_other(fname + "_", self, other)
        return apply_inplace(self, node["1" if isinstance(other, Tensor) else "0"], b)

    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = doc
    return fn, operator, dispatched, inplace


eq, _eq_op, _np_eq, _eq_ = _comparison(
    np.equal, "eq", "Elementwise ``input == other`` (bool), with broadcasting.")
ne, _ne_op, _np_ne, _ne_ = _comparison(
    np.not_equal, "ne", "Elementwise ``input != other`` (bool).")
lt, _lt_op, _np_lt, _lt_ = _comparison(np.less, "lt", "Elementwise ``input < other`` (bool).")
le, _le_op, _np_le, _le_ = _comparison(
    np.less_equal, "le", "Elementwise ``input <= other`` (bool).")
gt, _gt_op, _np_gt, _gt_ = _comparison(
    np.greater, "gt", "Elementwise ``input > other`` (bool).")
ge, _ge_op, _np_ge, _ge_ = _comparison(
    np.greater_equal, "ge", "Elementwise ``input >= other`` (bool).")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _need_tensors(fname, input, other, names=("input", "other")):
    if not isinstance(input, Tensor):
        raise _must_be_tensor(fname, input, 1, names[0])
    if not isinstance(other, Tensor):
        raise _must_be_tensor(fname, other, 2, names[1])


def equal(input, other) -> bool:
    """True if both tensors have the same shape and the same values.

    >>> ember.equal(ember.tensor([1, 2]), ember.tensor([1.0, 2.0]))
    True
    """
    _need_tensors("equal", input, other)
    a, b = input._data, other._data
    if a.shape != b.shape:
        return False
    if a.dtype != b.dtype:
        a, b, _ = operands(a, b)
    return bool(np.array_equal(a, b))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (bool); infinities and (with
    ``equal_nan``) NaNs compare by equality."""
    _need_tensors("isclose", input, other)
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{_type_name(a.dtype)} did not match {_type_name(b.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    check_broadcast(a.shape, b.shape)
    close = a == b
    if a.dtype.kind == "b" or (rtol == 0 and atol == 0):
        return Tensor._make(np.asarray(close))
    if equal_nan and a.dtype.kind == "f":
        close = close | (np.isnan(a) & np.isnan(b))
    if a.dtype.kind != "f":
        fd = get_default_dtype().np
        a, b = a.astype(fd), b.astype(fd)
    t = a.dtype.type
    with np.errstate(all="ignore"):
        allowed = t(atol) + np.abs(t(rtol) * b)
        actual = np.abs(a - b)
        close = close | (np.isfinite(actual) & (actual <= allowed))
    return Tensor._make(np.asarray(close))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """True if every element pair is close in the sense of :func:`isclose`."""
    _need_tensors("allclose", input, other)
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


# ---------------------------------------------------------------- logical and bitwise
def _logical(np_fn, fname):
    def fn(input, other, *, out=None):
        _need_tensors(fname, input, other)
        a, b = input._data, other._data
        if a.shape != b.shape:
            check_broadcast(a.shape, b.shape)
        r = Tensor._make(np_fn(a, b))
        return r if out is None else _out(r, out)

    def inplace(self, other):
        _need_tensors(fname + "_", self, other)
        return _write_inplace(self, fn(self, other)._data)

    def dispatched(x1, x2, **kw):
        return fn(_as_tensor(x1), _as_tensor(x2))

    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = f"Elementwise {fname.replace('_', ' ')} (bool result; nonzero is True)."
    return fn, inplace, dispatched


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    return Tensor._make(np.asarray(x))


def _write_inplace(self, result):
    """Write a result computed without autograd into ``self``, as PyTorch's in-place ops do."""
    from .._tensor import _check_inplace

    _check_inplace(self)
    _check_cast(FROM_NP[result.dtype], self.dtype)
    np.copyto(self._data, result, casting="unsafe")
    self._vc[0] += 1
    return self


logical_and, _logical_and_, _np_logical_and = _logical(np.logical_and, "logical_and")
logical_or, _logical_or_, _np_logical_or = _logical(np.logical_or, "logical_or")
logical_xor, _logical_xor_, _np_logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None) -> Tensor:
    """Elementwise logical NOT (bool result; zero is False)."""
    _check_unary_input("logical_not", input)
    r = Tensor._make(np.logical_not(input._data))
    return r if out is None else _out(r, out)


def _logical_not_(self):
    return _write_inplace(self, np.logical_not(self._data))


def _bitwise_arrays(a, b, np_fn, kernel):
    a, b, dt = operands(a, b)
    if dt.kind == "f":
        raise _not_implemented(kernel, dt)
    return np.asarray(np_fn(a, b), dtype=dt)


def _shift_arrays(a, b, left):
    a, b, dt = operands(a, b)
    if dt.kind not in "iu":
        raise _not_implemented("lshift_cpu" if left else "rshift_cpu", dt)
    a = np.asarray(a, dtype=dt)
    b = np.asarray(b, dtype=dt)
    bits = dt.itemsize * 8
    if left:
        bad = (b < 0) | (b >= bits)
        r = np.left_shift(a, np.where(bad, 0, b).astype(dt))
        return np.where(bad, dt.type(0), r).astype(dt, copy=False)
    signed = dt.kind == "i"
    top = bits - 1 if signed else bits
    bad = (b < 0) | (b >= top)
    r = np.right_shift(a, np.where(bad, 0, b).astype(dt))
    fill = np.right_shift(a, dt.type(bits - 1)) if signed else dt.type(0)
    return np.where(bad, fill, r).astype(dt, copy=False)


_BITWISE = {
    "bitwise_and": (np.bitwise_and, "bitwise_and_cpu"),
    "bitwise_or": (np.bitwise_or, "bitwise_or_cpu"),
    "bitwise_xor": (np.bitwise_xor, "bitwise_xor_cpu"),
}


def _bitwise(fname):
    np_fn, kernel = _BITWISE[fname]

    def compute(a, b):
        return Tensor._make(_bitwise_arrays(a, b, np_fn, kernel))

    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            if isinstance(other, Tensor) and _is_number(input):
                return _out(compute(_cmp_other(fname, other, input), other._data), out)
            raise _invalid_combination(fname, (input, other), _TENSOR_OR_NUMBER)
        r = compute(input._data, _cmp_other(fname, input, other))
        return r if out is None else _out(r, out)

    def operator(self, other):
        if not isinstance(other, (Tensor, bool, int, float, np.generic, np.ndarray)):
            return NotImplemented
        return compute(self._data, _cmp_other(fname, self, other))

    def roperator(self, other):
        if not isinstance(other, (bool, int, float, np.generic, np.ndarray)):
            return NotImplemented
        return compute(_cmp_other(fname, self, other), self._data)

    def inplace(self, other):
        b = _cmp_other(fname + "_", self, other)
        _check_cast(FROM_NP[operands(self._data, b)[2]], self.dtype)
        return _write_inplace(self, _bitwise_arrays(self._data, b, np_fn, kernel))

    def dispatched(x1, x2, **kw):
        x1, x2 = as_operand(x1), as_operand(x2)
        if not isinstance(x1, Tensor):
            return compute(x1, x2._data)
        return compute(x1._data, x2._data if isinstance(x2, Tensor) else x2)

    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = f"Elementwise {fname.replace('_', ' ')} of integer or bool tensors."
    return fn, operator, roperator, inplace, dispatched


bitwise_and, _and_op, _rand_op, _bitwise_and_, _np_bitwise_and = _bitwise("bitwise_and")
bitwise_or, _or_op, _ror_op, _bitwise_or_, _np_bitwise_or = _bitwise("bitwise_or")
bitwise_xor, _xor_op, _rxor_op, _bitwise_xor_, _np_bitwise_xor = _bitwise("bitwise_xor")


def bitwise_not(input, *, out=None) -> Tensor:
    """Elementwise bitwise NOT of an integer tensor; logical NOT of a bool tensor."""
    _check_unary_input("bitwise_not", input)
    a = input._data
    if a.dtype.kind == "f":
        raise _not_implemented("bitwise_not_cpu", a.dtype)
    r = Tensor._make(np.invert(a))
    return r if out is None else _out(r, out)


def _invert(self):
    if self._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return Tensor._make(np.invert(self._data))


def _bitwise_not_(self):
    if self._data.dtype.kind == "f":
        raise _not_implemented("bitwise_not_cpu", self._data.dtype)
    return _write_inplace(self, np.invert(self._data))


def _shift(fname, input, other, left, out):
    if isinstance(input, Tensor):
        a, b = input._data, _cmp_other(fname, input, other)
    elif isinstance(other, Tensor) and _is_number(input):
        a, b = _cmp_other(fname, other, input), other._data
    else:
        raise _invalid_combination(fname, (input, other), _TENSOR_OR_NUMBER)
    r = Tensor._make(_shift_arrays(a, b, left))
    return r if out is None else _out(r, out)


def bitwise_left_shift(input, other, *, out=None) -> Tensor:
    """``input << other`` elementwise; shifts of the bit width or more give 0."""
    return _shift("bitwise_left_shift", input, other, True, out)


def bitwise_right_shift(input, other, *, out=None) -> Tensor:
    """``input >> other`` elementwise (arithmetic shift for signed integers)."""
    return _shift("bitwise_right_shift", input, other, False, out)


def _shift_op(left):
    def operator(self, other):
        if not isinstance(other, (Tensor, bool, int, float, np.generic, np.ndarray)):
            return NotImplemented
        return Tensor._make(_shift_arrays(self._data, _cmp_other("", self, other), left))

    def roperator(self, other):
        if not isinstance(other, (bool, int, float, np.generic, np.ndarray)):
            return NotImplemented
        return Tensor._make(_shift_arrays(_cmp_other("", self, other), self._data, left))

    def inplace(self, other):
        return _write_inplace(self, _shift_arrays(self._data, _cmp_other("", self, other), left))

    return operator, roperator, inplace


_lshift_op, _rlshift_op, _lshift_inplace = _shift_op(True)
_rshift_op, _rrshift_op, _rshift_inplace = _shift_op(False)


# ---------------------------------------------------------------- functional API: unary
exp, _exp_ = _unary_fn(Exp, "exp", "Elementwise e ** x.\n\n    >>> ember.exp(ember.tensor([0.0]))\n"
                       "    tensor([1.])\n    ")
exp2, _exp2_ = _unary_fn(Exp2, "exp2", "Elementwise 2 ** x.")
expm1, _expm1_ = _unary_fn(Expm1, "expm1", "Elementwise e ** x - 1, accurate for small x.")
log, _log_ = _unary_fn(Log, "log", "Elementwise natural logarithm.")
log1p, _log1p_ = _unary_fn(Log1p, "log1p", "Elementwise log(1 + x), accurate for small x.")
log2, _log2_ = _unary_fn(Log2, "log2", "Elementwise base-2 logarithm.")
log10, _log10_ = _unary_fn(Log10, "log10", "Elementwise base-10 logarithm.")
sqrt, _sqrt_ = _unary_fn(Sqrt, "sqrt", "Elementwise square root.")
rsqrt, _rsqrt_ = _unary_fn(Rsqrt, "rsqrt", "Elementwise 1 / sqrt(x).")
sin, _sin_ = _unary_fn(Sin, "sin", "Elementwise sine.")
cos, _cos_ = _unary_fn(Cos, "cos", "Elementwise cosine.")
tan, _tan_ = _unary_fn(Tan, "tan", "Elementwise tangent.")
asin, _asin_ = _unary_fn(Asin, "asin", "Elementwise arcsine.")
acos, _acos_ = _unary_fn(Acos, "acos", "Elementwise arccosine.")
atan, _atan_ = _unary_fn(Atan, "atan", "Elementwise arctangent.")
sinh, _sinh_ = _unary_fn(Sinh, "sinh", "Elementwise hyperbolic sine.")
cosh, _cosh_ = _unary_fn(Cosh, "cosh", "Elementwise hyperbolic cosine.")
tanh, _tanh_ = _unary_fn(Tanh, "tanh", "Elementwise hyperbolic tangent.")
asinh, _asinh_ = _unary_fn(Asinh, "asinh", "Elementwise inverse hyperbolic sine.")
acosh, _acosh_ = _unary_fn(Acosh, "acosh", "Elementwise inverse hyperbolic cosine.")
atanh, _atanh_ = _unary_fn(Atanh, "atanh", "Elementwise inverse hyperbolic tangent.")
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
sigmoid, _sigmoid_ = _unary_fn(
    Sigmoid, "sigmoid",
    "Elementwise logistic function 1 / (1 + exp(-x)).\n\n"
    "    >>> ember.sigmoid(ember.tensor([0.0]))\n    tensor([0.5000])\n    ")
erf, _erf_ = _unary_fn(Erf, "erf", "Elementwise error function.")
erfc, _erfc_ = _unary_fn(Erfc, "erfc", "Elementwise complementary error function 1 - erf(x).")
erfinv, _erfinv_ = _unary_fn(Erfinv, "erfinv", "Elementwise inverse error function.")
reciprocal, _reciprocal_ = _unary_fn(Reciprocal, "reciprocal", "Elementwise 1 / x.")
deg2rad, _deg2rad_ = _unary_fn(Deg2Rad, "deg2rad", "Degrees to radians.")
rad2deg, _rad2deg_ = _unary_fn(Rad2Deg, "rad2deg", "Radians to degrees.")
sinc, _sinc_ = _unary_fn(Sinc, "sinc", "Normalized sinc: sin(pi x) / (pi x), 1 at 0.")
abs, _abs_ = _unary_fn(Abs, "abs", "Elementwise absolute value.")  # noqa: A001
absolute = abs
floor, _floor_ = _unary_fn(Floor, "floor", "Elementwise floor (integers pass through).")
ceil, _ceil_ = _unary_fn(Ceil, "ceil", "Elementwise ceiling (integers pass through).")
trunc, _trunc_ = _unary_fn(Trunc, "trunc", "Elementwise rounding toward zero.")
fix = trunc
frac, _frac_ = _unary_fn(Frac, "frac", "Elementwise fractional part x - trunc(x).")
sign, _sign_ = _unary_fn(Sign, "sign", "Elementwise sign: -1, 0 or 1 (0 for NaN).")
sgn, _sgn_ = _unary_fn(Sgn, "sgn", "Elementwise sign (``sign`` for real tensors).")
relu, _relu_ = _unary_fn(Relu, "relu", "Elementwise max(x, 0).")


def round(input, *, decimals=None, out=None) -> Tensor:  # noqa: A001
    """Round to the nearest integer, or to ``decimals`` decimal places; halves round to even.

    >>> ember.round(ember.tensor([0.5, 1.5, 2.567]), decimals=1)
    tensor([0.5000, 1.5000, 2.6000])
    """
    _check_unary_input("round", input)
    r = Round.apply(input) if decimals is None else RoundDecimals.apply(input, int(decimals))
    return r if out is None else _out(r, out)


def _round_(self, *, decimals=None):
    if decimals is None:
        return apply_inplace(self, Round)
    return apply_inplace(self, RoundDecimals, int(decimals))


def _round_method(self, decimals=None):
    return round(self, decimals=decimals)


def square(input, *, out=None) -> Tensor:
    """Elementwise x * x (``pow(x, 2)``; integer dtypes are kept)."""
    from .arithmetic import pow as _pow

    _check_unary_input("square", input)
    return _out(_pow(input, 2), out)


def _square_(self):
    return self.pow_(2)


def positive(input) -> Tensor:
    """Returns ``input`` itself (unary plus)."""
    _check_unary_input("positive", input)
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def logit(input, eps=None, *, out=None) -> Tensor:
    """log(p / (1 - p)); with ``eps``, p is first clamped to [eps, 1 - eps]."""
    _check_unary_input("logit", input)
    return _out(Logit.apply(input, eps), out)


def _logit_(self, eps=None):
    return apply_inplace(self, Logit, eps)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    """Replace NaN with ``nan`` and infinities with ``posinf``/``neginf`` (default: the dtype's
    largest and smallest finite values)."""
    _check_unary_input("nan_to_num", input)
    return _out(NanToNum.apply(input, nan, posinf, neginf), out)


def _nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    return apply_inplace(self, NanToNum, nan, posinf, neginf)


def _predicate(fname, float_fn, int_value, doc):
    def fn(input) -> Tensor:
        _check_unary_input(fname, input)
        a = input._data
        if a.dtype.kind == "f":
            return Tensor._make(np.asarray(float_fn(a)))
        if int_value is None:  # signbit of integers
            return Tensor._make(a < 0 if a.dtype.kind == "i" else np.zeros(a.shape, bool))
        return Tensor._make(np.full(a.shape, int_value))

    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = doc
    return fn


isnan = _predicate("isnan", np.isnan, False, "True where the element is NaN.")
isinf = _predicate("isinf", np.isinf, False, "True where the element is +inf or -inf.")
isfinite = _predicate("isfinite", np.isfinite, True, "True where the element is finite.")
isposinf = _predicate("isposinf", np.isposinf, False, "True where the element is +inf.")
isneginf = _predicate("isneginf", np.isneginf, False, "True where the element is -inf.")
isreal = _predicate("isreal", lambda a: np.ones(a.shape, bool), True,
                    "True everywhere for real dtypes (Ember has no complex tensors).")
signbit = _predicate("signbit", np.signbit, None, "True where the sign bit is set (-0. too).")


# ---------------------------------------------------------------- functional API: binary
def atan2(input, other, *, out=None) -> Tensor:
    """Elementwise arctangent of input / other, in the quadrant of (other, input)."""
    _need_tensors("atan2", input, other)
    return _out(Atan2.apply(input, other), out)


arctan2 = atan2


def _tensor_binary(cls, fname, doc):
    def fn(input, other, *, out=None) -> Tensor:
        _need_tensors(fname, input, other)
        r = cls.apply(input, other)
        return r if out is None else _out(r, out)

    def dispatched(x1, x2, **kw):
        return cls.apply(as_operand(x1), as_operand(x2))

    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = doc
    return fn, dispatched


maximum, _np_maximum = _tensor_binary(
    Maximum, "maximum", "Elementwise maximum (NaN propagates); ties split the gradient.")
minimum, _np_minimum = _tensor_binary(
    Minimum, "minimum", "Elementwise minimum (NaN propagates); ties split the gradient.")
fmax, _np_fmax = _tensor_binary(Fmax, "fmax", "Elementwise maximum that ignores NaN.")
fmin, _np_fmin = _tensor_binary(Fmin, "fmin", "Elementwise minimum that ignores NaN.")
hypot, _np_hypot = _tensor_binary(Hypot, "hypot", "Elementwise sqrt(input**2 + other**2).")
logaddexp, _np_logaddexp = _tensor_binary(
    Logaddexp, "logaddexp", "Elementwise log(exp(input) + exp(other)), without overflow.")
logaddexp2, _np_logaddexp2 = _tensor_binary(
    Logaddexp2, "logaddexp2", "Elementwise log2(2**input + 2**other), without overflow.")


def _hypot_(self, other):
    _need_tensors("hypot_", self, other)
    return apply_inplace(self, Hypot, other)


def _atan2_(self, other):
    _need_tensors("atan2_", self, other)
    return apply_inplace(self, Atan2, other)


def fmod(input, other, *, out=None) -> Tensor:
    """C-style remainder: the result has the sign of ``input``."""
    if not isinstance(input, Tensor) or not (isinstance(other, Tensor) or _is_number(other)):
        raise _invalid_combination("fmod", (input, other), _TENSOR_OR_NUMBER)
    if isinstance(other, Tensor):
        return _out(Fmod.apply(input, other), out)
    return _out(FmodScalar.apply(input, as_operand(other)), out)


def _fmod_(self, other):
    cls = Fmod if isinstance(other, Tensor) else FmodScalar
    return apply_inplace(self, cls, as_operand(other))


_REMAINDER_SIGS = ("Tensor input, Tensor other, *, Tensor out = None",
                   "Number self, Tensor other)\n      didn't match because some of the arguments "
                   "have invalid types: (!{0}!, !{1}!",
                   "Tensor input, Number other, *, Tensor out = None")


def remainder(input, other, *, out=None) -> Tensor:
    """Python-style modulo (``%``): the result has the sign of ``other``.

    >>> ember.remainder(ember.tensor([-3, 3]), 2)
    tensor([1, 1])
    """
    if isinstance(input, Tensor):
        if isinstance(other, Tensor):
            return _out(Remainder.apply(input, other), out)
        if _is_number(other):
            return _out(RemainderScalar.apply(input, as_operand(other)), out)
    elif isinstance(other, Tensor) and _is_number(input):
        return _out(RemainderScalarSelf.apply(as_operand(input), other), out)
    names = [type(a).__name__ for a in (input, other)]
    sigs = [sig.format(*names) for sig in _REMAINDER_SIGS]
    raise _invalid_combination("remainder", (input, other), sigs)


def _remainder_(self, other):
    cls = Remainder if isinstance(other, Tensor) else RemainderScalar
    return apply_inplace(self, cls, as_operand(other))


def _mod(self, other):
    if not isinstance(other, (Tensor, bool, int, float, np.generic)):
        return NotImplemented
    return remainder(self, other)


def _rmod(self, other):
    if not isinstance(other, (bool, int, float, np.generic)):
        return NotImplemented
    return remainder(other, self)


def copysign(input, other, *, out=None) -> Tensor:
    """|input| with the sign of ``other`` (a tensor or a number); always floating point."""
    if not isinstance(input, Tensor) or not (isinstance(other, Tensor) or _is_number(other)):
        raise _invalid_combination("copysign", (input, other), _TENSOR_OR_NUMBER)
    cls = Copysign if isinstance(other, Tensor) else CopysignScalar
    return _out(cls.apply(input, as_operand(other)), out)


def _copysign_(self, other):
    cls = Copysign if isinstance(other, Tensor) else CopysignScalar
    return apply_inplace(self, cls, as_operand(other))


def xlogy(input, other, *, out=None) -> Tensor:
    """input * log(other), and 0 where input == 0 (unless other is NaN)."""
    if isinstance(input, Tensor):
        cls = Xlogy if isinstance(other, Tensor) else XlogyScalarOther
    elif isinstance(other, Tensor):
        cls = XlogyScalarSelf
    else:
        raise _invalid_combination("xlogy", (input, other), (
            "Tensor self, Tensor other, *, Tensor out = None",
            "Number self, Tensor other, *, Tensor out = None",
            "Tensor self, Number other, *, Tensor out = None"))
    return _out(cls.apply(as_operand(input), as_operand(other)), out)


def _xlogy_(self, other):
    cls = Xlogy if isinstance(other, Tensor) else XlogyScalarOther
    return apply_inplace(self, cls, as_operand(other))


_CPP_NAMES = {
    "float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
    "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
    "bool": "bool",
}


def lerp(input, end, weight, *, out=None) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` is a number or a
    tensor.

    >>> ember.lerp(ember.tensor([0.0]), ember.tensor([10.0]), 0.25)
    tensor([2.5000])
    """
    _need_tensors("lerp", input, end, ("input", "end"))
    dt = input._data.dtype
    for what, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t._data.dtype != dt:
            raise RuntimeError(
                f"expected dtype {_CPP_NAMES[dt.name]} for `{what}` but got dtype "
                f"{_CPP_NAMES[t._data.dtype.name]}"
            )
    shapes = [input._data.shape, end._data.shape]
    if isinstance(weight, Tensor):
        shapes.append(weight._data.shape)
    check_broadcast(shapes[0], shapes[1])
    if len(shapes) == 3:
        check_broadcast(np.broadcast_shapes(shapes[0], shapes[1]), shapes[2])
        return _out(LerpTensor.apply(input, end, weight), out)
    return _out(Lerp.apply(input, end, as_operand(weight)), out)


def _lerp_(self, end, weight):
    cls = LerpTensor if isinstance(weight, Tensor) else Lerp
    return apply_inplace(self, cls, end, as_operand(weight))


def addcmul(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2``, with broadcasting."""
    return _out(Addcmul.apply(input, tensor1, tensor2, value), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2``, with broadcasting (floating tensors)."""
    return _out(Addcdiv.apply(input, tensor1, tensor2, value), out)


def _addcmul_(self, tensor1, tensor2, *, value=1):
    return apply_inplace(self, Addcmul, tensor1, tensor2, value)


def _addcdiv_(self, tensor1, tensor2, *, value=1):
    return apply_inplace(self, Addcdiv, tensor1, tensor2, value)


# ---------------------------------------------------------------- functional API: clamp
_CLAMP_SIGS = ("Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None",
               "Tensor input, Number min = None, Number max = None, *, Tensor out = None")


def _clamp_args(input, min, max, fname="clamp"):
    """Pick the overload: (cls, args). 0-d tensor bounds next to a number count as numbers."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tmin, tmax = isinstance(min, Tensor), isinstance(max, Tensor)
    if tmin or tmax:
        if tmin and tmax or min is None or max is None:
            return ClampTensor, (input, min, max)
        t = min if tmin else max
        if t._data.ndim != 0:
            raise _invalid_combination(fname, (input, min, max), _CLAMP_SIGS)
        min, max = (t.item(), max) if tmin else (min, t.item())
    for v in (min, max):
        if v is not None and not _is_number(v):
            raise _invalid_combination(fname, (input, min, max), _CLAMP_SIGS)
    min = min.item() if isinstance(min, np.generic) else min
    max = max.item() if isinstance(max, np.generic) else max
    return Clamp, (input, min, max)


def clamp(input, min=None, max=None, *, out=None) -> Tensor:  # noqa: A002
    """Clamp every element into ``[min, max]``; either bound may be None, a number or a tensor.

    >>> ember.clamp(ember.tensor([-1.0, 0.5, 2.0]), min=0.0, max=1.0)
    tensor([0.0000, 0.5000, 1.0000])
    """
    _check_unary_input("clamp", input)
    cls, args = _clamp_args(input, min, max)
    return _out(cls.apply(*args), out)


clip = clamp


def _clamp_(self, min=None, max=None):  # noqa: A002
    cls, args = _clamp_args(self, min, max, "clamp_")
    if cls is Clamp and self._data.dtype.kind != "f":
        rt = _dtype.result_type(self, *(v for v in args[1:] if v is not None))
        if rt.is_floating_point:
            raise RuntimeError(
                f"result type {_type_name(rt.np)} can't be cast to the desired output type "
                f"{_CPP_NAMES[self._data.dtype.name]}"
            )
    return apply_inplace(self, cls, *args[1:])


def clamp_min(input, min, *, out=None) -> Tensor:  # noqa: A002
    """Elementwise max(input, min); ``min`` is a number or a tensor."""
    if isinstance(min, Tensor):
        return _out(ClampMinTensor.apply(input, min), out)
    if not _is_number(min):
        raise _invalid_combination("clamp_min", (input, min), (
            "Tensor input, Tensor min, *, Tensor out = None",
            "Tensor input, Number min, *, Tensor out = None"))
    return _out(ClampMin.apply(input, as_operand(min)), out)


def clamp_max(input, max, *, out=None) -> Tensor:  # noqa: A002
    """Elementwise min(input, max); ``max`` is a number or a tensor."""
    if isinstance(max, Tensor):
        return _out(ClampMaxTensor.apply(input, max), out)
    if not _is_number(max):
        raise _invalid_combination("clamp_max", (input, max), (
            "Tensor input, Tensor max, *, Tensor out = None",
            "Tensor input, Number max, *, Tensor out = None"))
    return _out(ClampMax.apply(input, as_operand(max)), out)


def _clamp_min_(self, min):  # noqa: A002
    cls = ClampMinTensor if isinstance(min, Tensor) else ClampMin
    return apply_inplace(self, cls, as_operand(min))


def _clamp_max_(self, max):  # noqa: A002
    cls = ClampMaxTensor if isinstance(max, Tensor) else ClampMax
    return apply_inplace(self, cls, as_operand(max))


def _np_clip(a, a_min=None, a_max=None, **kw):
    a = as_operand(a)
    return clamp(a, as_operand(a_min) if a_min is not None else None,
                 as_operand(a_max) if a_max is not None else None)


# ---------------------------------------------------------------- functional API: where
def where(condition, input=None, other=None, *, out=None):
    """``input`` where ``condition`` is True, else ``other`` (either may be a number), with
    broadcasting; ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``.

    >>> ember.where(ember.tensor([True, False]), ember.tensor([1.0, 2.0]), 0.0)
    tensor([1., 0.])
    """
    if not isinstance(condition, Tensor):
        if isinstance(condition, np.ndarray):
            condition = Tensor._make(condition)
        else:
            raise _must_be_tensor("where", condition, 1, "condition")
    c = condition._data
    if input is None and other is None:
        idx = np.nonzero(np.atleast_1d(c))  # a 0-d condition counts as one element
        return tuple(Tensor._make(i.astype(np.int64)) for i in idx)
    if c.dtype != np.bool_:
        if c.dtype == np.uint8:
            import warnings

            warnings.warn(
                "where received a uint8 condition tensor. This behavior is deprecated and will "
                "be removed in a future version of PyTorch. Use a boolean condition instead.",
                UserWarning, stacklevel=2,
            )
            condition = Tensor._make(c.astype(bool))
        else:
            raise RuntimeError(
                "where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{_type_name(c.dtype)}"
            )
    return _out(Where.apply(condition, as_operand(input), as_operand(other)), out)


def _where_method(self, condition, other):
    return where(condition, self, other)


def _np_where(condition, x=None, y=None):
    return where(_as_tensor(condition), x, y)


# ---------------------------------------------------------------- methods and NumPy dispatch
register(
    exp=exp, exp_=_exp_, exp2=exp2, exp2_=_exp2_, expm1=expm1, expm1_=_expm1_,
    log=log, log_=_log_, log1p=log1p, log1p_=_log1p_, log2=log2, log2_=_log2_,
    log10=log10, log10_=_log10_, sqrt=sqrt, sqrt_=_sqrt_, rsqrt=rsqrt, rsqrt_=_rsqrt_,
    square=square, square_=_square_,
    sin=sin, sin_=_sin_, cos=cos, cos_=_cos_, tan=tan, tan_=_tan_,
    asin=asin, asin_=_asin_, arcsin=asin, arcsin_=_asin_,
    acos=acos, acos_=_acos_, arccos=acos, arccos_=_acos_,
    atan=atan, atan_=_atan_, arctan=atan, arctan_=_atan_,
    sinh=sinh, sinh_=_sinh_, cosh=cosh, cosh_=_cosh_, tanh=tanh, tanh_=_tanh_,
    asinh=asinh, asinh_=_asinh_, arcsinh=asinh, arcsinh_=_asinh_,
    acosh=acosh, acosh_=_acosh_, arccosh=acosh, arccosh_=_acosh_,
    atanh=atanh, atanh_=_atanh_, arctanh=atanh, arctanh_=_atanh_,
    sigmoid=sigmoid, sigmoid_=_sigmoid_, relu=relu, relu_=_relu_,
    erf=erf, erf_=_erf_, erfc=erfc, erfc_=_erfc_, erfinv=erfinv, erfinv_=_erfinv_,
    reciprocal=reciprocal, reciprocal_=_reciprocal_,
    deg2rad=deg2rad, deg2rad_=_deg2rad_, rad2deg=rad2deg, rad2deg_=_rad2deg_,
    sinc=sinc, sinc_=_sinc_, logit=logit, logit_=_logit_,
    abs=abs, abs_=_abs_, absolute=abs, absolute_=_abs_, __abs__=abs,
    floor=floor, floor_=_floor_, ceil=ceil, ceil_=_ceil_, round=_round_method, round_=_round_,
    trunc=trunc, trunc_=_trunc_, fix=trunc, fix_=_trunc_, frac=frac, frac_=_frac_,
    sign=sign, sign_=_sign_, sgn=sgn, sgn_=_sgn_, signbit=signbit, positive=positive,
    __pos__=positive,
    nan_to_num=nan_to_num, nan_to_num_=_nan_to_num_,
    isnan=isnan, isinf=isinf, isfinite=isfinite, isposinf=isposinf, isneginf=isneginf,
    isreal=isreal,
    atan2=atan2, atan2_=_atan2_, arctan2=atan2, arctan2_=_atan2_,
    clamp=clamp, clamp_=_clamp_, clip=clamp, clip_=_clamp_,
    clamp_min=clamp_min, clamp_min_=_clamp_min_, clamp_max=clamp_max, clamp_max_=_clamp_max_,
    lerp=lerp, lerp_=_lerp_, fmod=fmod, fmod_=_fmod_, remainder=remainder,
    remainder_=_remainder_, __mod__=_mod, __rmod__=_rmod, __imod__=_remainder_,
    maximum=maximum, minimum=minimum, fmax=fmax, fmin=fmin, hypot=hypot, hypot_=_hypot_,
    logaddexp=logaddexp, logaddexp2=logaddexp2, copysign=copysign, copysign_=_copysign_,
    xlogy=xlogy, xlogy_=_xlogy_, addcmul=addcmul, addcmul_=_addcmul_, addcdiv=addcdiv,
    addcdiv_=_addcdiv_, where=_where_method,
    eq=eq, ne=ne, lt=lt, le=le, gt=gt, ge=ge, greater=gt, greater_equal=ge, less=lt,
    less_equal=le, not_equal=ne, eq_=_eq_, ne_=_ne_, lt_=_lt_, le_=_le_, gt_=_gt_, ge_=_ge_,
    greater_=_gt_, greater_equal_=_ge_, less_=_lt_, less_equal_=_le_, not_equal_=_ne_,
    __eq__=_eq_op, __ne__=_ne_op, __lt__=_lt_op, __le__=_le_op, __gt__=_gt_op,
    __ge__=_ge_op, __hash__=Tensor.__hash__,
    equal=equal, allclose=allclose, isclose=isclose,
    logical_and=logical_and, logical_and_=_logical_and_, logical_or=logical_or,
    logical_or_=_logical_or_, logical_xor=logical_xor, logical_xor_=_logical_xor_,
    logical_not=logical_not, logical_not_=_logical_not_,
    bitwise_and=bitwise_and, bitwise_and_=_bitwise_and_, __and__=_and_op, __rand__=_rand_op,
    __iand__=_bitwise_and_, bitwise_or=bitwise_or, bitwise_or_=_bitwise_or_, __or__=_or_op,
    __ror__=_ror_op, __ior__=_bitwise_or_, bitwise_xor=bitwise_xor,
    bitwise_xor_=_bitwise_xor_, __xor__=_xor_op, __rxor__=_rxor_op, __ixor__=_bitwise_xor_,
    bitwise_not=bitwise_not, bitwise_not_=_bitwise_not_, __invert__=_invert,
    bitwise_left_shift=bitwise_left_shift, bitwise_left_shift_=_lshift_inplace,
    bitwise_right_shift=bitwise_right_shift, bitwise_right_shift_=_rshift_inplace,
    __lshift__=_lshift_op, __rlshift__=_rlshift_op, __ilshift__=_lshift_inplace,
    __rshift__=_rshift_op, __rrshift__=_rrshift_op, __irshift__=_rshift_inplace,
    fill_=_fill_, zero_=_zero_, copy_=_copy_,
    dispatch=(
        (np.exp, exp), (np.exp2, exp2), (np.expm1, expm1), (np.log, log), (np.log1p, log1p),
        (np.log2, log2), (np.log10, log10), (np.sqrt, sqrt), (np.square, square),
        (np.sin, sin), (np.cos, cos), (np.tan, tan), (np.arcsin, asin), (np.arccos, acos),
        (np.arctan, atan), (np.sinh, sinh), (np.cosh, cosh), (np.tanh, tanh),
        (np.arcsinh, asinh), (np.arccosh, acosh), (np.arctanh, atanh),
        (np.reciprocal, reciprocal), (np.deg2rad, deg2rad), (np.radians, deg2rad),
        (np.rad2deg, rad2deg), (np.degrees, rad2deg), (np.sinc, sinc),
        (np.abs, abs), (np.absolute, abs), (np.fabs, abs), (np.floor, floor), (np.ceil, ceil),
        (np.trunc, trunc), (np.fix, trunc), (np.rint, round), (np.sign, sign),
        (np.positive, positive), (np.signbit, signbit),
        (np.round, lambda a, decimals=0, out=None: round(a, decimals=decimals or None)),
        (np.around, lambda a, decimals=0, out=None: round(a, decimals=decimals or None)),
        (np.isnan, isnan), (np.isinf, isinf), (np.isfinite, isfinite),
        (np.isposinf, isposinf), (np.isneginf, isneginf), (np.isreal, isreal),
        (np.nan_to_num, lambda x, copy=True, nan=0.0, posinf=None, neginf=None:
            nan_to_num(x, nan, posinf, neginf)),
        (np.arctan2, lambda a, b: Atan2.apply(as_operand(a), as_operand(b))),
        (np.maximum, _np_maximum), (np.minimum, _np_minimum), (np.fmax, _np_fmax),
        (np.fmin, _np_fmin), (np.hypot, _np_hypot), (np.logaddexp, _np_logaddexp),
        (np.logaddexp2, _np_logaddexp2),
        (np.fmod, lambda a, b: fmod(_as_tensor(a), as_operand(b))),
        (np.remainder, lambda a, b: remainder(as_operand(a), as_operand(b))),
        (np.mod, lambda a, b: remainder(as_operand(a), as_operand(b))),
        (np.copysign, lambda a, b: copysign(_as_tensor(a), as_operand(b))),
        (np.clip, _np_clip), (np.where, _np_where),
        (np.equal, _np_eq), (np.not_equal, _np_ne), (np.less, _np_lt),
        (np.less_equal, _np_le), (np.greater, _np_gt), (np.greater_equal, _np_ge),
        (np.logical_and, _np_logical_and), (np.logical_or, _np_logical_or),
        (np.logical_xor, _np_logical_xor), (np.logical_not, lambda a: logical_not(a)),
        (np.bitwise_and, _np_bitwise_and), (np.bitwise_or, _np_bitwise_or),
        (np.bitwise_xor, _np_bitwise_xor), (np.invert, bitwise_not),
        (np.bitwise_not, bitwise_not),
        (np.left_shift, lambda a, b: bitwise_left_shift(as_operand(a), as_operand(b))),
        (np.right_shift, lambda a, b: bitwise_right_shift(as_operand(a), as_operand(b))),
        (np.array_equal, lambda a1, a2, equal_nan=False: equal(_as_tensor(a1), _as_tensor(a2))),
        (np.allclose, lambda a, b, rtol=1e-05, atol=1e-08, equal_nan=False:
            allclose(_as_tensor(a), _as_tensor(b), rtol, atol, equal_nan)),
        (np.isclose, lambda a, b, rtol=1e-05, atol=1e-08, equal_nan=False:
            isclose(_as_tensor(a), _as_tensor(b), rtol, atol, equal_nan)),
    ),
)
