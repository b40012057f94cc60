"""Activation functions: the autograd Functions behind ``ember.nn.functional``'s activations
(``elu``, ``gelu``, ``softplus``, ``softmax``, ``log_softmax``...), plus the ones PyTorch also
offers at tensor level (``ember.softmax``, ``Tensor.log_softmax``, ``ember.selu_``...).

``relu``, ``sigmoid`` and ``tanh`` live in ``pointwise.py``; their Functions are reused here.

Precision follows PyTorch's CPU kernels: each kernel evaluates PyTorch's formula (the same
branches, the same order of operations) and its transcendental parts are correctly rounded, which
small float32 arrays get by computing in float64 and rounding once (as ``pointwise.py`` does).
Backward code is written with operators and ``np.*`` calls that dispatch to Ember ops, so it is
itself differentiable (double backward).
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _wrap_dim, apply_inplace
from ..autograd.function import Function
from ._util import register
from .pointwise import _EXACT_MAX, Relu, _erf, _max_first, _min_first, _not_implemented

__all__ = [
    "softmax", "log_softmax", "relu_", "selu", "selu_", "celu", "celu_", "prelu", "hardshrink",
    "threshold", "threshold_",
]

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_F16 = np.dtype(np.float16)
_SQRT1_2 = math.sqrt(0.5)
_GELU_BETA = math.sqrt(2.0) * (2.0 / math.sqrt(math.pi)) * 0.5  # sqrt(2 / pi)
_GELU_KAPPA = 0.044715
_PDF_BETA = (2.0 / math.sqrt(math.pi)) * _SQRT1_2 * 0.5  # 1 / sqrt(2 pi)
_ONE_SIXTH = float(np.float32(1.0) / np.float32(6.0))  # PyTorch's 1.0f / 6.0f, also for double
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------- helpers
def _wide(x, kernel):
    """``(xw, dt)``: ``x`` in the precision the kernel computes in, and the result dtype.

    Float16 and small float32 arrays compute in float64 and are rounded once at the end (see
    ``pointwise._EXACT_MAX``); other float arrays compute in their own dtype. Non-float inputs
    raise PyTorch's NotImplementedError for ``kernel``.
    """
    dt = x.dtype
    if dt is _F32 or dt == _F32:
        return (x.astype(_F64) if x.size <= _EXACT_MAX else x), _F32
    if dt == _F64:
        return x, _F64
    if dt == _F16:
        return x.astype(_F64), _F16
    raise _not_implemented(kernel, dt)


def _work_dtype(x, kernel):
    """The dtype whose arithmetic a kernel emulates step by step: float32 for float16 (PyTorch's
    opmath type), else the input's own float dtype."""
    dt = x.dtype
    if dt.kind != "f":
        raise _not_implemented(kernel, dt)
    return _F32 if dt == _F16 else dt


def _exp(x):
    """exp, correctly rounded for small float32 arrays."""
    if x.dtype == _F32 and x.size <= _EXACT_MAX:
        return np.exp(x.astype(_F64)).astype(_F32)
    return np.exp(x)


def _log(x):
    if x.dtype == _F32 and x.size <= _EXACT_MAX:
        return np.log(x.astype(_F64)).astype(_F32)
    return np.log(x)


def _rounded(fn, x):
    """``fn(x)`` correctly rounded for small float32 arrays (computed in float64)."""
    if x.dtype == _F32 and x.size <= _EXACT_MAX:
        return fn(x.astype(_F64)).astype(_F32)
    return fn(x)


def _erf_arr(x):
    """erf of a float array: ``math.erf`` (correctly rounded in float64) for small arrays, a
    float32 rational approximation (a few ulp) for large float32 ones, Cephes' float64 one for
    large float64 ones."""
    n = x.size
    if n <= _EXACT_MAX:
        r = np.fromiter(map(math.erf, x.ravel().tolist()), _F64, n).reshape(x.shape)
        return r.astype(x.dtype, copy=False)
    if x.dtype == _F32:
        return _erf32(x)
    return _erf(x)


# erf(x) = x * P(x^2) / Q(x^2) on [-4, 4] (Eigen's float erf): within about 4e-7 everywhere
_ERF32_P = tuple(np.float32(c) for c in (
    -2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
    -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02))
_ERF32_Q = tuple(np.float32(c) for c in (
    -1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03,
    -1.42647390514189e-02))


def _erf32(x):
    x = np.clip(x, np.float32(-4), np.float32(4))
    x2 = x * x
    p = x2 * _ERF32_P[0] + _ERF32_P[1]
    for c in _ERF32_P[2:]:
        p = p * x2 + c
    q = x2 * _ERF32_Q[0] + _ERF32_Q[1]
    for c in _ERF32_Q[2:]:
        q = q * x2 + c
    return x * p / q


def _start(x, kernel):
    """``(xs, dt)``: ``x`` in the kernel's working dtype (float32 for float16, PyTorch's opmath
    type) and the result dtype; non-float inputs raise PyTorch's NotImplementedError."""
    dt = x.dtype
    if dt == _F32 or dt == _F64:
        return x, dt
    if dt == _F16:
        return x.astype(_F32), dt
    raise _not_implemented(kernel, dt)


def _erf_any(x):
    """erf of an array (float64 kernel) or of a Tensor (the differentiable Ember op)."""
    if isinstance(x, Tensor):
        from .pointwise import erf

        return erf(x)
    return _erf_arr(x)


def _check_float(x, kernel):
    if x.dtype.kind != "f":
        raise _not_implemented(kernel, x.dtype)


def _scalar(value, dt):
    """A Python number as a NumPy scalar of dtype ``dt`` (PyTorch's ``Scalar.to<scalar_t>()``)."""
    return dt.type(value)


def _int_scalar(value, dt):
    """A Python number converted to integer dtype ``dt`` as PyTorch's Scalar does, with its
    overflow error (floats must fit the range; ints may wrap as in ``pointwise._scalar_as``)."""
    if isinstance(value, float):
        info = np.iinfo(dt)
        if not info.min <= value <= info.max:
            from .pointwise import _C_NAMES

            raise RuntimeError(f"value cannot be converted to type {_C_NAMES[dt.name]} without "
                               "overflow")
        return dt.type(int(value))
    from .pointwise import _scalar_as

    return dt.type(_scalar_as(value, dt))


def _fmt(v) -> str:
    """A number as C++'s ostream prints it (6 significant digits), for error messages."""
    return f"{v:g}" if isinstance(v, float) else str(v)


# ---------------------------------------------------------------- hardtanh / relu6
class Hardtanh(Function):
    """clamp(x, min_val, max_val); the gradient passes strictly inside (min_val, max_val)."""

    _arrays = True
    _n_edges = 1
    name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        dt = x.dtype
        kind = dt.kind
        if kind == "b":
            raise RuntimeError("Bool inputs not supported for hardtanh")
        if kind == "u" and (lo < 0 or hi < 0):
            raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
        if kind == "f":
            lo_, hi_ = dt.type(lo), dt.type(hi)
        else:
            lo_, hi_ = dt.type(int(lo)), dt.type(int(hi))
        y = _min_first(_max_first(x, lo_), hi_)
        if ctx.needs_input_grad[0]:
            ctx.mask = (x > lo_) & (x < hi_)
        return y

    @staticmethod
    def backward(ctx, grad):
        return np.where(ctx.mask, grad, 0.0), None, None


# ---------------------------------------------------------------- leaky_relu
class LeakyRelu(Function):
    """x if x > 0 else negative_slope * x."""

    _arrays = True
    _n_edges = 1
    name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, x, slope):
        dt = x.dtype
        if dt.kind != "f":
            raise _not_implemented("leaky_relu_cpu", dt)
        wt = _F32 if dt == _F16 else dt
        xs = x.astype(wt) if wt is not dt else x
        pos = xs > 0
        y = np.where(pos, xs, xs * wt.type(slope))
        if wt is not dt:
            y = y.astype(dt)
        if ctx.needs_input_grad[0]:
            ctx.mask = pos
            ctx.slope = slope
        return y

    @staticmethod
    def backward(ctx, grad):
        return np.where(ctx.mask, grad, grad * ctx.slope), None


class LeakyReluInplace(LeakyRelu):
    """``leaky_relu_``: PyTorch's node computes the gradient from the result."""

    name = "LeakyReluBackward1"

    @staticmethod
    def backward(ctx, grad):
        if ctx.slope < 0:
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope which "
                "is not supported. This is caused by calling in-place forward function with a "
                "negative slope, please call out-of-place version instead. File an issue at "
                "https://github.com/pytorch/pytorch if you do require supporting in-place "
                "leakRelu backward calculation with negative slope"
            )
        return np.where(ctx.mask, grad, grad * ctx.slope), None


# ---------------------------------------------------------------- elu / selu / celu
def _elu_forward(x, alpha, scale, input_scale):
    """PyTorch's elu kernel: x > 0 ? x * scale : (exp(x * input_scale) - 1) * alpha * scale,
    in the input's arithmetic (float32 for float16), with exp correctly rounded."""
    dt = x.dtype
    wt = _work_dtype(x, "elu_cpu")
    xs = x.astype(wt) if wt is not dt else x
    t = wt.type
    negcoef = t(alpha) * t(scale)
    z = xs if input_scale == 1 else xs * t(input_scale)
    neg = (_exp(z) - t(1)) * negcoef
    pos = xs if scale == 1 else xs * t(scale)
    y = np.where(xs > 0, pos, neg)
    return y.astype(dt) if wt is not dt else y


def _elu_coefs(x, alpha, scale, input_scale):
    """(alpha * scale, scale, input_scale) as the kernel's dtype rounds them."""
    t = (_F32 if x.dtype == _F16 else x.dtype).type
    return float(t(alpha) * t(scale)), float(t(scale)), float(t(input_scale))


class Elu(Function):
    """ELU with PyTorch's (alpha, scale, input_scale); also SELU (EluBackward0 in PyTorch)."""

    _arrays = True
    _n_edges = 1
    name = "EluBackward0"

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        y = _elu_forward(x, alpha, scale, input_scale)
        if ctx.needs_input_grad[0]:
            ctx.coefs = _elu_coefs(x, alpha, scale, input_scale)
            ctx.mask = x > 0
            ctx.save_for_backward(x)
        return y

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        negcoef, scale, input_scale = ctx.coefs
        neg = grad * input_scale * negcoef * np.exp(x * input_scale)
        return np.where(ctx.mask, grad * scale, neg), None, None, None


class EluInplace(Function):
    """``elu_``/``selu_``/``celu_``: PyTorch's node computes the gradient from the result."""

    _arrays = True
    _n_edges = 1
    name = "EluBackward1"

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        y = _elu_forward(x, alpha, scale, input_scale)
        if ctx.needs_input_grad[0]:
            ctx.coefs = _elu_coefs(x, alpha, scale, input_scale)
            ctx.mask = y > 0
            ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        negcoef, scale, input_scale = ctx.coefs
        neg = grad * input_scale * (y + negcoef)
        return np.where(ctx.mask, grad * scale, neg), None, None, None


class Celu(Elu):
    name = "CeluBackward0"


class CeluInplace(EluInplace):
    name = "CeluBackward1"


# ---------------------------------------------------------------- gelu
class Gelu(Function):
    """x * Phi(x) (approximate='none') or its tanh approximation (approximate='tanh')."""

    _arrays = True
    _n_edges = 1
    name = "GeluBackward0"

    @staticmethod
    def forward(ctx, x, approximate):
        xw, dt = _start(x, "GeluKernelImpl")
        if approximate == "tanh":
            inner = _GELU_BETA * (xw + _GELU_KAPPA * (xw * xw * xw))
            y = 0.5 * xw * (1 + _rounded(np.tanh, inner))
        else:
            y = xw * 0.5 * (1 + _erf_arr(xw * _SQRT1_2))
            if xw.dtype == _F32:  # PyTorch's float kernel gives NaN at +-inf
                y = np.where(np.isinf(xw), np.float32(np.nan), y)
        if ctx.needs_input_grad[0]:
            ctx.approximate = approximate
            ctx.save_for_backward(x)
        return y.astype(dt, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            x_sq = x * x
            inner = _GELU_BETA * (x + _GELU_KAPPA * (x_sq * x))
            th = np.tanh(inner)
            left = 0.5 * x
            right = 1 + th
            d_inner = _GELU_BETA * (1 + 3 * _GELU_KAPPA * x_sq)
            return grad * (0.5 * right + left * (1 - th * th) * d_inner), None
        cdf = 0.5 * (1 + _erf_any(x * _SQRT1_2))
        pdf = _PDF_BETA * np.exp(x * x * -0.5)
        return grad * (cdf + x * pdf), None


# ---------------------------------------------------------------- silu / mish
class Silu(Function):
    """x * sigmoid(x), as PyTorch computes it: x / (1 + exp(-x))."""

    _arrays = True
    name = "SiluBackward0"

    @staticmethod
    def forward(ctx, x):
        xw, dt = _start(x, "silu_cpu")
        y = xw / (1 + _exp(-xw))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        return y.astype(dt, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = 1 / (1 + np.exp(-x))
        return grad * s * (1 + x * (1 - s))


class Mish(Function):
    """x * tanh(softplus(x)), softplus(x) = log1p(exp(x))."""

    _arrays = True
    name = "MishBackward0"

    @staticmethod
    def forward(ctx, x):
        xw, dt = _start(x, "mish_cpu")
        y = xw * _rounded(np.tanh, _rounded(np.log1p, _exp(xw)))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        return y.astype(dt, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = 1 / (1 + np.exp(-x))
        tsp = np.tanh(np.log1p(np.exp(x)))
        return grad * (tsp + x * s * (1 - tsp * tsp))


# ---------------------------------------------------------------- hardsigmoid / hardswish
class Hardsigmoid(Function):
    """min(max(x + 3, 0), 6) / 6; the gradient is 1/6 strictly inside (-3, 3)."""

    _arrays = True
    name = "HardsigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        dt = x.dtype
        wt = _work_dtype(x, "hardsigmoid_cpu")
        xs = x.astype(wt) if wt is not dt else x
        y = np.minimum(np.maximum(xs + wt.type(3), wt.type(0)), wt.type(6)) / wt.type(6)
        if ctx.needs_input_grad[0]:
            ctx.mask = (x > -3) & (x < 3)
        return y.astype(dt) if wt is not dt else y

    @staticmethod
    def backward(ctx, grad):
        return np.where(ctx.mask, grad * _ONE_SIXTH, 0.0)


class Hardswish(Function):
    """x * min(max(x + 3, 0), 6) / 6."""

    _arrays = True
    name = "HardswishBackward0"

    @staticmethod
    def forward(ctx, x):
        dt = x.dtype
        wt = _work_dtype(x, "hardswish_cpu")
        xs = x.astype(wt) if wt is not dt else x
        y = xs * np.minimum(np.maximum(xs + wt.type(3), wt.type(0)), wt.type(6)) / wt.type(6)
        if ctx.needs_input_grad[0]:
            ctx.low = x <= -3
            ctx.mid = x < 3
            ctx.save_for_backward(x)
        return y.astype(dt) if wt is not dt else y

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        mid = np.where(ctx.mid, grad * (x / 3 + 0.5), grad)
        return np.where(ctx.low, 0.0, mid)


# ---------------------------------------------------------------- softplus
class Softplus(Function):
    """log1p(exp(beta * x)) / beta, and x itself where beta * x > threshold."""

    _arrays = True
    _n_edges = 1
    name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, x, beta, threshold):
        xw, dt = _start(x, "softplus_cpu")
        bx = xw * beta
        y = np.where(bx > threshold, xw, _rounded(np.log1p, _exp(bx)) / beta)
        if ctx.needs_input_grad[0]:
            ctx.coefs = (beta, threshold)
            ctx.lin = (x * beta) > threshold
            ctx.save_for_backward(x)
        return y.astype(dt, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        beta, _ = ctx.coefs
        z = np.exp(x * beta)
        return np.where(ctx.lin, grad, grad * z / (z + 1)), None, None


# ---------------------------------------------------------------- shrink / threshold
class Softshrink(Function):
    """x - lambd above lambd, x + lambd below -lambd, 0 in between."""

    _arrays = True
    _n_edges = 1
    name = "SoftshrinkBackward0"

    @staticmethod
    def forward(ctx, x, lambd):
        dt = x.dtype
        if dt.kind != "f":
            raise _not_implemented("softshrink_check", dt)
        if not 0 <= lambd <= np.finfo(dt).max:
            tname = {"float32": "Float", "float64": "Double", "float16": "Half"}[dt.name]
            raise RuntimeError(
                f"lambda must be in range [0, {np.finfo(dt).max:g}] for input dtype {tname}, "
                f"but found {_fmt(lambd)}"
            )
        lam = dt.type(lambd)
        y = np.where(x > lam, x - lam, np.where(x < -lam, x + lam, x * dt.type(0)))
        if ctx.needs_input_grad[0]:
            ctx.mask = (x >= -lam) & (x <= lam)
        return y

    @staticmethod
    def backward(ctx, grad):
        return np.where(ctx.mask, 0.0, grad), None


class Hardshrink(Function):
    """0 for -lambd <= x <= lambd, else x."""

    _arrays = True
    _n_edges = 1
    name = "HardshrinkBackward0"

    @staticmethod
    def forward(ctx, x, lambd):
        dt = x.dtype
        if dt.kind != "f":
            raise _not_implemented("hardshrink_cpu", dt)
        lam = dt.type(lambd)
        mask = (x >= -lam) & (x <= lam)
        y = np.where(mask, dt.type(0), x)
        if ctx.needs_input_grad[0]:
            ctx.mask = mask
        return y

    @staticmethod
    def backward(ctx, grad):
        return np.where(ctx.mask, 0.0, grad), None


class Threshold(Function):
    """value where x <= threshold, else x; the gradient is zero where x <= threshold."""

    _arrays = True
    _n_edges = 1
    name = "ThresholdBackward0"

    @staticmethod
    def forward(ctx, x, threshold, value):
        dt = x.dtype
        if dt.kind == "b":
            raise _not_implemented("threshold_cpu", dt)
        if dt.kind == "f":
            th, v = dt.type(threshold), dt.type(value)
        else:
            th, v = _int_scalar(threshold, dt), _int_scalar(value, dt)
        y = np.where(x <= th, v, x)
        if ctx.needs_input_grad[0]:
            ctx.mask = x <= th
        return y

    @staticmethod
    def backward(ctx, grad):
        return np.where(ctx.mask, 0.0, grad), None, None


class ThresholdInplace(Threshold):
    """``threshold_`` (the same gradient, PyTorch's node name for the in-place op)."""

    name = "ThresholdBackward1"


# ---------------------------------------------------------------- logsigmoid
class LogSigmoid(Function):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): never overflows."""

    _arrays = True
    name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        xw, dt = _start(x, "log_sigmoid_cpu")
        y = np.minimum(xw, 0) - _rounded(np.log1p, _exp(-np.abs(xw)))
        if ctx.needs_input_grad[0]:
            ctx.neg = x < 0
            ctx.save_for_backward(x)
        return y.astype(dt, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        b = np.exp(-np.abs(x))
        r = b / (1 + b)
        return np.where(ctx.neg, 1 - r, r) * grad


# ---------------------------------------------------------------- glu
class Glu(Function):
    """a * sigmoid(b), where a and b are the two halves of the input along ``dim``."""

    _arrays = True
    _n_edges = 1
    name = "GluBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        xw, dt = _start(x, "glu_cpu")
        n = x.shape[dim] // 2
        idx_a = (slice(None),) * dim + (slice(0, n),)
        idx_b = (slice(None),) * dim + (slice(n, None),)
        a, b = xw[idx_a], xw[idx_b]
        y = a * (1 / (1 + _exp(-b)))
        if ctx.needs_input_grad[0]:
            ctx.idx = (idx_a, idx_b, dim)
            ctx.save_for_backward(x)
        return y.astype(dt, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        idx_a, idx_b, dim = ctx.idx
        a, b = x[idx_a], x[idx_b]
        s = 1 / (1 + np.exp(-b))
        return np.concatenate([grad * s, (1 - s) * s * a * grad], axis=dim), None


# ---------------------------------------------------------------- prelu
class PreluKernel(Function):
    """x if x > 0 else weight * x, ``weight`` already shaped to broadcast against ``x``."""

    _arrays = True
    name = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx, x, w):
        if x.dtype.kind != "f":
            raise _not_implemented("prelu_cpu", x.dtype)
        pos = x > 0
        y = np.where(pos, x, w * x)
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.mask = pos
            ctx.save_for_backward(x, w)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = np.where(ctx.mask, grad, w * grad) if need[0] else None
        gw = np.where(ctx.mask, 0.0, x * grad) if need[1] else None
        return gx, gw


# ---------------------------------------------------------------- softmax / log_softmax
_SOFTMAX_KERNELS = {
    False: ("softmax_lastdim_kernel_impl", "softmax_kernel_impl"),
    True: ("log_softmax_lastdim_kernel_impl", "log_softmax_kernel_impl"),
}


def _softmax_check(x, dim, log):
    if x.dtype.kind != "f":
        last = dim == x.ndim - 1 or x.ndim == 0
        raise _not_implemented(_SOFTMAX_KERNELS[log][0 if last else 1], x.dtype)


def _max_keep(x, dim):
    """``x.max(axis=dim, keepdims=True)``. NumPy pays per row for a max along a short last
    axis (a classifier's logits, (64, 10)); the max over the first axis of the transposed copy
    is the same value found in a quarter of the time."""
    if x.ndim == 2 and dim == 1 and x.shape[1] <= 16 and x.shape[0] >= 16:
        return np.maximum.reduce(np.ascontiguousarray(x.T), axis=0)[:, None]
    return x.max(axis=dim, keepdims=True)


class Softmax(Function):
    """exp(x - max) / sum(exp(x - max)) along ``dim``."""

    _arrays = True
    _n_edges = 1
    name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        _softmax_check(x, dim, False)
        dt = x.dtype
        if x.ndim == 0 or x.size == 0:
            y = np.exp(x - x) if x.ndim == 0 else x.copy()
        else:
            wt = _F32 if dt == _F16 else dt
            xs = x.astype(wt) if wt is not dt else x
            e = np.subtract(xs, xs.max(axis=dim, keepdims=True))
            if e.size > _EXACT_MAX or wt != _F32:
                np.exp(e, out=e)  # in place: one work array for the whole kernel
            else:
                e = _exp(e)
            s = e.sum(axis=dim, keepdims=True)
            if dim == x.ndim - 1:  # PyTorch's last-dim kernel multiplies by 1 / sum
                y = np.multiply(e, wt.type(1) / s, out=e)
            else:
                y = np.divide(e, s, out=e)
            if wt is not dt:
                y = y.astype(dt)
        if ctx.needs_input_grad[0]:
            ctx.dim = dim
            ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        # PyTorch's kernels: grad_input = (grad - sum(grad * y)) * y
        (y,) = ctx.saved_tensors
        gy = grad * y
        s = np.sum(gy, axis=ctx.dim, keepdims=True)
        if type(gy) is np.ndarray and type(s) is np.ndarray and gy.dtype == s.dtype:
            np.subtract(grad, s, out=gy)  # reuse the product's array
            gy *= y
            return gy, None
        return (grad - s) * y, None


class LogSoftmax(Function):
    """x - max - log(sum(exp(x - max))) along ``dim``."""

    _arrays = True
    _n_edges = 1
    name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        _softmax_check(x, dim, True)
        dt = x.dtype
        if x.ndim == 0 or x.size == 0:
            y = (x - x) if x.ndim == 0 else x.copy()
        else:
            wt = _F32 if dt == _F16 else dt
            xs = x.astype(wt) if wt is not dt else x
            shifted = xs - _max_keep(xs, dim)
            y = np.subtract(shifted, _log(_exp(shifted).sum(axis=dim, keepdims=True)),
                            out=shifted)
            if wt is not dt:
                y = y.astype(dt)
        if ctx.needs_input_grad[0]:
            ctx.dim = dim
            ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        if type(y) is np.ndarray and type(grad) is np.ndarray and y.ndim:
            s = np.add.reduce(grad, axis=ctx.dim, keepdims=True)
            e = np.exp(y)
            e *= s
            return np.subtract(grad, e, out=e), None
        return grad - np.exp(y) * np.sum(grad, axis=ctx.dim, keepdims=True), None


_MISSING = object()


def _softmax_dim(dim, ndim, fname, pos):
    if dim is _MISSING:
        raise TypeError(f'{fname}() missing 1 required positional arguments: "dim"')
    if type(dim) is not int:
        if isinstance(dim, bool) or not hasattr(dim, "__index__"):
            raise TypeError(f"{fname}(): argument 'dim' (position {pos}) must be int, not "
                            f"{type(dim).__name__}")
        dim = dim.__index__()
    if 0 <= dim < ndim:
        return dim
    return _wrap_dim(dim, ndim)


def _softmax_impl(cls, input, dim, dtype, fname, pos):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    d = _softmax_dim(dim, input._data.ndim, fname, pos)
    if dtype is not None:
        input = input.to(dtype)
    return cls.apply(input, d)


def softmax(input, dim=_MISSING, dtype=None) -> Tensor:
    """Softmax along ``dim``: ``exp(x) / exp(x).sum(dim, keepdim=True)``, computed stably.

    Args:
        input: the input tensor (floating point, unless ``dtype`` is given).
        dim: the dimension to normalize over.
        dtype: if given, the input is cast to it first.

    >>> ember.softmax(ember.tensor([1.0, 2.0, 3.0]), 0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    return _softmax_impl(Softmax, input, dim, dtype, "softmax", 2)


def log_softmax(input, dim=_MISSING, dtype=None) -> Tensor:
    """Log of softmax along ``dim``, computed as ``x - max - log(sum(exp(x - max)))``.

    >>> ember.log_softmax(ember.tensor([1.0, 2.0, 3.0]), 0)
    tensor([-2.4076, -1.4076, -0.4076])
    """
    return _softmax_impl(LogSoftmax, input, dim, dtype, "log_softmax", 2)


def _softmax_method(self, dim=_MISSING, dtype=None) -> Tensor:
    return _softmax_impl(Softmax, self, dim, dtype, "softmax", 1)


def _log_softmax_method(self, dim=_MISSING, dtype=None) -> Tensor:
    return _softmax_impl(LogSoftmax, self, dim, dtype, "log_softmax", 1)


# ---------------------------------------------------------------- tensor-level activations
def _must_be_tensor(fname, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def relu_(input) -> Tensor:
    """In-place ``relu``."""
    _must_be_tensor("relu_", input)
    return apply_inplace(input, Relu)


def selu(input, inplace=False) -> Tensor:
    """SELU: ``scale * elu(x, alpha)`` with the fixed self-normalizing constants."""
    _must_be_tensor("selu", input)
    if inplace:
        return apply_inplace(input, EluInplace, SELU_ALPHA, SELU_SCALE, 1.0)
    return Elu.apply(input, SELU_ALPHA, SELU_SCALE, 1.0)


def selu_(input) -> Tensor:
    """In-place ``selu``."""
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False) -> Tensor:
    """CELU: ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    _must_be_tensor("celu", input)
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    inv = 1.0 / float(alpha)
    if inplace:
        return apply_inplace(input, CeluInplace, alpha, 1.0, inv)
    return Celu.apply(input, alpha, 1.0, inv)


def celu_(input, alpha=1.0) -> Tensor:
    """In-place ``celu``."""
    return celu(input, alpha, True)


def prelu(input, weight) -> Tensor:
    """PReLU: ``x if x > 0 else weight * x``, ``weight`` applying per channel (dim 1).

    Args:
        input: the input tensor.
        weight: a 1-element tensor or one value per channel (``input.shape[1]``).
    """
    _must_be_tensor("prelu", input)
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not "
                        f"{type(weight).__name__}")
    xd, wd = input._data, weight._data
    if xd.dtype != wd.dtype:
        from .._tensor import _TYPE_NAMES

        def scalar_name(d):
            return _TYPE_NAMES[d.name].replace("Tensor", "")

        raise RuntimeError(f"prelu: Type promoting not supported. Got {scalar_name(xd.dtype)} "
                           f"and {scalar_name(wd.dtype)}")
    ndim = xd.ndim
    if wd.size != 1:
        if ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = xd.shape[1] if ndim > 1 else 1
        if channels != wd.size:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {wd.size} and channel size = {channels}."
            )
    if wd.ndim > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {wd.ndim}"
        )
    if ndim != wd.ndim:
        shape = [1] * ndim
        if ndim > 1:
            shape[1] = wd.size
        weight = weight.reshape(shape)
    return PreluKernel.apply(input, weight)


def hardshrink(input, lambd=0.5) -> Tensor:
    """0 where ``-lambd <= x <= lambd``, else ``x``."""
    _must_be_tensor("hardshrink", input)
    return Hardshrink.apply(input, lambd)


def threshold(input, threshold, value, inplace=False) -> Tensor:  # noqa: A002
    """``value`` where ``x <= threshold``, else ``x``."""
    _must_be_tensor("threshold", input)
    if inplace:
        return apply_inplace(input, ThresholdInplace, threshold, value)
    return Threshold.apply(input, threshold, value)


def threshold_(input, threshold, value) -> Tensor:  # noqa: A002
    """In-place ``threshold``."""
    _must_be_tensor("threshold_", input)
    return apply_inplace(input, ThresholdInplace, threshold, value)


register(
    softmax=_softmax_method, log_softmax=_log_softmax_method, prelu=prelu,
    hardshrink=hardshrink,
)
