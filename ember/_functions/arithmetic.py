"""Arithmetic: add, sub, mul, div, neg, pow, with PyTorch's type promotion, and the operators.

Each op's backward returns the gradient at the broadcast shape and in the computation dtype; the
engine sums it back to each input's shape and casts it to the input's dtype.
"""

from __future__ import annotations

__all__ = [
    "add",
    "sub",
    "subtract",
    "mul",
    "multiply",
    "div",
    "divide",
    "true_divide",
    "floor_divide",
    "neg",
    "negative",
    "pow",
]

import numpy as np

from .._tensor import Tensor, apply_inplace
from ..autograd.function import Function, apply2
from ._util import as_operand, operands, register


class Add(Function):
    """out = a + alpha * b"""

    _arrays = True
    _n_edges = 2
    name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        a, b, _ = operands(a, b)
        ctx.alpha = alpha
        if alpha != 1:
            b = b * alpha
        return np.add(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha), None


class Sub(Function):
    """out = a - alpha * b"""

    _arrays = True
    _n_edges = 2
    name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        a_bool = type(a) is np.ndarray and a.dtype.kind == "b"
        b_bool = type(b) is np.ndarray and b.dtype.kind == "b"
        if a_bool or b_bool:
            if (a_bool or type(a) is bool) and (b_bool or type(b) is bool):
                raise RuntimeError(
                    "Subtraction, the `-` operator, with two bool tensors is not supported. Use "
                    "the `^` or `logical_xor()` operator instead."
                )
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        a, b, dt = operands(a, b)
        ctx.alpha = alpha
        if alpha != 1:
            b = b * alpha
        return np.subtract(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.alpha == 1 else grad * -ctx.alpha), None


class Mul(Function):
    _arrays = True
    name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b, _ = operands(a, b)
        need = ctx.needs_input_grad
        ctx.save_for_backward(b if need[0] else None, a if need[1] else None)
        return np.multiply(a, b)

    @staticmethod
    def backward(ctx, grad):
        b, a = ctx.saved_tensors
        return (grad * b if b is not None else None), (grad * a if a is not None else None)


class Div(Function):
    """True division; integer inputs give the default float dtype."""

    _arrays = True
    name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = operands(a, b)
        if dt.kind != "f":
            from .._dtype import get_default_dtype

            fd = get_default_dtype().np
            a = a.astype(fd) if type(a) is np.ndarray else float(a)
            b = b.astype(fd) if type(b) is np.ndarray else float(b)
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[1] else None, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.true_divide(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = grad / b if ctx.needs_input_grad[0] else None
        gb = -grad * a / (b * b) if ctx.needs_input_grad[1] else None
        return ga, gb


class DivRounding(Function):
    """Division rounded toward zero ('trunc') or down ('floor'); its gradient is zero."""

    _arrays = True
    _n_edges = 2
    name = "DivBackward1"

    @staticmethod
    def forward(ctx, a, b, mode):
        a, b, dt = operands(a, b)
        if dt.kind in "iu":
            if np.any(np.asarray(b) == 0):
                raise RuntimeError("ZeroDivisionError")
            if mode == "floor":
                return np.floor_divide(a, b)
            q = np.floor_divide(a, b)
            fix = (np.remainder(a, b) != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0))
            return q + fix.astype(q.dtype)
        if dt.kind == "b":
            raise RuntimeError("\"div_floor_cpu\" not implemented for 'Bool'")
        ctx.shape = np.broadcast_shapes(np.shape(a), np.shape(b))
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.true_divide(a, b)
            return np.floor(q) if mode == "floor" else np.trunc(q)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad * 0, None


class Neg(Function):
    _arrays = True
    name = "NegBackward0"

    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                "to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return np.negative(a)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """out = a ** b, for tensor or scalar base and exponent."""

    _arrays = True
    name = "PowBackward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = operands(a, b)
        if dt.kind in "iu" and np.any(np.asarray(b) < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.power(a, b)
        need = ctx.needs_input_grad
        ctx.save_for_backward(a, b, out if need[1] else None)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        ga = gb = None
        # the masks are constants of the graph: compute them on the raw values
        a_val, b_val = _value(a), _value(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:
                # d/da a**b = b * a**(b-1), and 0 where b == 0 (PyTorch's masked_fill)
                ga = _zero_where(b_val == 0, grad * b * a ** (b - 1))
            if ctx.needs_input_grad[1]:
                # d/db a**b = a**b * log(a), and 0 where a == 0 and b >= 0
                gb = _zero_where((a_val == 0) & (b_val >= 0), grad * out * np.log(a))
        return ga, gb


class PowTensor(Pow):
    """tensor ** tensor (PyTorch's ``pow.Tensor_Tensor``)."""

    name = "PowBackward1"


class PowScalarBase(Pow):
    """number ** tensor (PyTorch's ``pow.Scalar``)."""

    name = "PowBackward2"


def _value(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _zero_where(mask, g):
    """``g`` with zeros where ``mask`` holds (a where, not a multiply: 0 * inf would be nan)."""
    if not np.any(mask):
        return g
    if isinstance(g, Tensor):
        from .pointwise import where

        return where(Tensor._make(np.asarray(mask), False), 0.0, g)
    return np.where(mask, 0.0, g).astype(g.dtype, copy=False)


# ---------------------------------------------------------------- functional API
def _check_alpha(input, other, alpha):
    if isinstance(alpha, float) and not isinstance(input, Tensor) or alpha == 1:
        return
    d = input._data.dtype.kind if isinstance(input, Tensor) else "f"
    o = (
        other._data.dtype.kind
        if isinstance(other, Tensor)
        else ("f" if isinstance(other, float) else "i")
    )
    if isinstance(alpha, float) and d != "f" and o != "f":
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other`` with broadcasting and type promotion."""
    input, other = as_operand(input), as_operand(other)
    _check_alpha(input, other, alpha)
    return _out(Add.apply(input, other, alpha), out)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """``input - alpha * other``."""
    input, other = as_operand(input), as_operand(other)
    _check_alpha(input, other, alpha)
    return _out(Sub.apply(input, other, alpha), out)


subtract = sub


def mul(input, other, *, out=None) -> Tensor:
    """Elementwise product."""
    return _out(Mul.apply(as_operand(input), as_operand(other)), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """Division: true division by default, or ``rounding_mode='trunc'`` / ``'floor'``."""
    input, other = as_operand(input), as_operand(other)
    if rounding_mode is None:
        return _out(Div.apply(input, other), out)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return _out(DivRounding.apply(input, other, rounding_mode), out)


divide = div


def true_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, rounding_mode="floor", out=out)


def neg(input, *, out=None) -> Tensor:
    return _out(Neg.apply(input), out)


negative = neg


def pow(input, exponent, *, out=None) -> Tensor:  # noqa: A001
    """``input ** exponent``; either may be a number."""
    input, exponent = as_operand(input), as_operand(exponent)
    if isinstance(exponent, Tensor):
        fn = PowTensor if isinstance(input, Tensor) else PowScalarBase
    else:
        fn = Pow
    return _out(fn.apply(input, exponent), out)


def _out(result: Tensor, out):
    """Write into ``out=`` when given (resizing it as PyTorch does for a different shape)."""
    if out is None:
        return result
    from .._tensor import _check_cast

    _check_cast(result.dtype, out.dtype)
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._vc[0] += 1
    return out


# ---------------------------------------------------------------- methods and operators
class Rsub(Sub):
    """number - tensor (PyTorch's ``rsub``)."""

    name = "RsubBackward1"


def _rsub(self, other, *, alpha=1):
    if isinstance(other, Tensor):
        return sub(other, self, alpha=alpha)
    other = as_operand(other)
    _check_alpha(self, other, alpha)
    return Rsub.apply(other, self, alpha)


def _rdiv(self, other):
    if isinstance(other, Tensor):
        return div(other, self)
    # PyTorch computes number / tensor as reciprocal(tensor) * number (same bits, same graph)
    from .pointwise import reciprocal

    return mul(reciprocal(self), other)


def _rpow(self, other):
    return pow(other, self)


def _rfloordiv(self, other):
    return floor_divide(other, self)


def _add_(self, other, *, alpha=1):
    other = as_operand(other)
    _check_alpha(self, other, alpha)
    return apply_inplace(self, Add, other, alpha)


def _sub_(self, other, *, alpha=1):
    other = as_operand(other)
    _check_alpha(self, other, alpha)
    return apply_inplace(self, Sub, other, alpha)


def _mul_(self, other):
    return apply_inplace(self, Mul, as_operand(other))


def _div_(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return apply_inplace(self, Div, as_operand(other))
    return apply_inplace(self, DivRounding, as_operand(other), rounding_mode)


def _pow_(self, exponent):
    return apply_inplace(self, Pow, as_operand(exponent))


def _neg_(self):
    return apply_inplace(self, Neg)


def _floor_divide_(self, other):
    return apply_inplace(self, DivRounding, as_operand(other), "floor")


# Operators are the hottest entry points (``y = y * 2 + x``): tensors and Python numbers go
# straight to the Function; anything else takes the general path above.
_FAST = (float, int)


def _op_add(self, other):
    if isinstance(other, Tensor) or type(other) in _FAST:
        return apply2(Add, self, other)
    return add(self, other)


def _op_sub(self, other):
    if isinstance(other, Tensor) or type(other) in _FAST:
        return apply2(Sub, self, other)
    return sub(self, other)


def _op_mul(self, other):
    if isinstance(other, Tensor) or type(other) in _FAST:
        return apply2(Mul, self, other)
    return mul(self, other)


def _op_div(self, other):
    if isinstance(other, Tensor) or type(other) in _FAST:
        return apply2(Div, self, other)
    return div(self, other)


register(
    add=add,
    sub=sub,
    subtract=sub,
    mul=mul,
    multiply=mul,
    div=div,
    divide=div,
    true_divide=true_divide,
    floor_divide=floor_divide,
    neg=neg,
    negative=neg,
    pow=pow,
    add_=_add_,
    sub_=_sub_,
    subtract_=_sub_,
    mul_=_mul_,
    multiply_=_mul_,
    div_=_div_,
    divide_=_div_,
    true_divide_=_div_,
    pow_=_pow_,
    neg_=_neg_,
    negative_=_neg_,
    floor_divide_=_floor_divide_,
    __add__=_op_add,
    __radd__=_op_add,
    __iadd__=_add_,
    __sub__=_op_sub,
    __rsub__=_rsub,
    __isub__=_sub_,
    __mul__=_op_mul,
    __rmul__=_op_mul,
    __imul__=_mul_,
    __truediv__=_op_div,
    __rtruediv__=_rdiv,
    __itruediv__=_div_,
    __floordiv__=floor_divide,
    __rfloordiv__=_rfloordiv,
    __ifloordiv__=_floor_divide_,
    __pow__=pow,
    __rpow__=_rpow,
    __ipow__=_pow_,
    __neg__=neg,
    dispatch=(
        (np.add, add),
        (np.subtract, sub),
        (np.multiply, mul),
        (np.true_divide, div),
        (np.negative, neg),
        (np.power, pow),
        (np.floor_divide, floor_divide),
    ),
)
