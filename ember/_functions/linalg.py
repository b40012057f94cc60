"""Linear algebra: matmul and its relatives (mm, bmm, mv, dot, addmm...), einsum, tensordot,
diagonals and triangles, norms, and the decompositions behind ``ember.linalg``.

Products run on NumPy's BLAS (``np.matmul``); backward passes are written with ``@``,
``np.swapaxes``, ``np.einsum``... so that under ``create_graph=True`` they run as Ember ops and
can be differentiated again. Node names follow PyTorch: ``torch.matmul`` on batched inputs is a
chain of views and a ``bmm`` ending in ``UnsafeViewBackward0``; Ember computes it in one node that
carries the name of PyTorch's last node.
"""

from __future__ import annotations

__all__ = [
    "matmul",
    "mm",
    "bmm",
    "mv",
    "dot",
    "vdot",
    "outer",
    "ger",
    "addmm",
    "addmv",
    "addbmm",
    "baddbmm",
    "addr",
    "einsum",
    "tensordot",
    "kron",
    "inner",
    "cross",
    "trace",
    "diag",
    "diagonal",
    "diag_embed",
    "tril",
    "triu",
    "det",
    "inverse",
    "chain_matmul",
]

import builtins
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided as _np_strided

from .._tensor import Tensor, _wrap_dim, apply_inplace
from ..autograd.function import Function
from ._util import as_operand, operands, register

# PyTorch's names for dtypes in its messages: ScalarType names, and the C++ type names
_SCALAR = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
_CPP = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
        "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
        "bool": "bool"}


def _sn(d) -> str:
    return _SCALAR[np.dtype(d).name]


def _is_t(x) -> bool:
    return isinstance(x, Tensor)


def _tensor_arg(x, fname, argname, pos):
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x, False)
    raise TypeError(
        f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}"
    )


def _swap(x):
    """The transpose of the last two dimensions (arrays and Tensors)."""
    return np.swapaxes(x, -1, -2)


def _col_major(m) -> bool:
    """Whether the matrix ``m`` is laid out column by column (a transposed C-contiguous one, as
    ``weight.t()`` in ``linear``): PyTorch's test for returning its gradient in that layout."""
    st = m.strides
    return m.ndim == 2 and st[0] == m.itemsize and st[1] == m.itemsize * m.shape[0]


def _t_layout(m) -> bool:
    """Whether a batch of matrices is laid out as the transpose of a C-contiguous batch (as
    ``k.transpose(-2, -1)``): its gradient is then best made as the transpose of a C-contiguous
    product, so that later sums and reshapes of it run on contiguous memory."""
    if m.ndim < 3:
        return False
    st = m.strides
    return st[-2] == m.itemsize and st[-1] == m.itemsize * m.shape[-2] and m.shape[-1] > 1


def _mm_grads(grad, m1, m2, col1, col2):
    """The gradients of ``m1 @ m2`` (None where ``m2`` / ``m1`` was not saved), in PyTorch's
    layouts (``mm_mat1_backward`` / ``mm_mat2_backward``): a column-major operand gets its
    gradient as the transpose of a C-contiguous product, so that the gradient of ``linear``'s
    ``weight`` (seen through ``weight.t()``) comes out C-contiguous, like the weight."""
    g1 = g2 = None
    if m2 is not None:
        g1 = _swap(m2 @ _swap(grad)) if col1 else grad @ _swap(m2)
    if m1 is not None:
        g2 = _swap(_swap(grad) @ m1) if col2 else _swap(m1) @ grad
    return g1, g2


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# ---------------------------------------------------------------- checks with PyTorch's messages
def _check_mm(sa, sb, da, db):
    if sa[1] != sb[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})"
        )
    if da != db:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_CPP[da.name]} != "
            f"{_CPP[db.name]}"
        )
    if da.kind == "b":
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _check_mv(sm, sv, dm, dv):
    if sm[1] != sv[0]:
        raise RuntimeError(
            f"size mismatch, got input ({sm[0]}), mat ({sm[0]}x{sm[1]}), vec ({sv[0]})"
        )
    if dm != dv:
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {_sn(dv)}, {_sn(dm)}, and "
            f"{_sn(dv)}"
        )
    if dm.kind == "b":
        raise NotImplementedError("\"addmv_impl_cpu\" not implemented for 'Bool'")


def _check_bmm(sa, sb, da, db):
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{sa[0]}, {sa[2]}] "
            f"but got: [{sb[0]}, {sb[1]}]."
        )
    if da != db:
        raise RuntimeError(f"expected scalar type {_sn(da)} but found {_sn(db)}")
    if da.kind == "b":
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")


def _check_dot(a, b, name="dot"):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{name} : expected both vectors to have same dtype, but found {_sn(a.dtype)} and "
            f"{_sn(b.dtype)}"
        )
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
            f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
            "respectively"
        )
    if a.dtype.kind == "b":
        raise NotImplementedError(f"\"{name}\" not implemented for 'Bool'")


def _infer_size(sa, sb) -> tuple:
    """Broadcast two shapes, with PyTorch's message when they do not broadcast."""
    n = builtins.max(len(sa), len(sb))
    out = []
    for i in range(n):
        a = sa[i - n + len(sa)] if i - n + len(sa) >= 0 else 1
        b = sb[i - n + len(sb)] if i - n + len(sb) >= 0 else 1
        if a != b and a != 1 and b != 1:
            raise RuntimeError(
                f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                f"non-singleton dimension {i}"
            )
        out.append(b if a == 1 else a)
    return tuple(out)


def _expand_error(target, shape):
    """PyTorch's message when ``shape`` does not expand to ``target``."""
    nd = len(target) - len(shape)
    for i in range(len(shape) - 1, -1, -1):
        t = target[i + nd]
        if shape[i] != t and shape[i] != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({t}) must match the existing size "
                f"({shape[i]}) at non-singleton dimension {i + nd}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(shape)}"
            )
    if nd < 0:
        raise RuntimeError(
            f"The number of sizes provided ({len(target)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({len(shape)})"
        )


# ---------------------------------------------------------------- product Functions
class Mm(Function):
    _arrays = True
    name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        ctx.cols = (need[0] and _col_major(a), need[1] and _col_major(b))
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _mm_grads(grad, a, b, *ctx.cols)


class Mv(Function):
    _arrays = True
    name = "MvBackward0"

    @staticmethod
    def forward(ctx, m, v):
        need = ctx.needs_input_grad
        ctx.save_for_backward(m if need[1] else None, v if need[0] else None)
        return np.matmul(m, v)

    @staticmethod
    def backward(ctx, grad):
        m, v = ctx.saved_tensors
        gm = np.outer(grad, v) if v is not None else None
        gv = m.T @ grad if m is not None else None
        return gm, gv


class Dot(Function):
    _arrays = True
    name = "DotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        return np.asarray(np.dot(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * b if b is not None else None), (grad * a if a is not None else None)


class Vdot(Dot):
    name = "VdotBackward0"


class Bmm(Function):
    _arrays = True
    name = "BmmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        ctx.cols = (need[0] and _t_layout(a), need[1] and _t_layout(b))
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _mm_grads(grad, a, b, *ctx.cols)


def _np_matmul(x, y):
    """np.matmul, steering clear of NumPy's slow non-BLAS loop: a batch times a matrix is one
    GEMM on the folded batch, and a matrix broadcast against a batch is made C-contiguous."""
    if x.ndim > 2 and y.ndim == 2:
        return np.matmul(x.reshape(-1, x.shape[-1]), y).reshape(x.shape[:-1] + y.shape[-1:])
    if x.ndim == 2 and y.ndim > 2 and not x.flags.c_contiguous:
        x = np.ascontiguousarray(x)
    elif y.ndim == 2 and x.ndim > 2 and not y.flags.c_contiguous:
        y = np.ascontiguousarray(y)
    return np.matmul(x, y)


def _matmul_any(x, y):
    if type(x) is np.ndarray and type(y) is np.ndarray:
        return _np_matmul(x, y)
    return x @ y


class MatmulND(Function):
    """torch.matmul for the cases PyTorch computes as a folded mm/mv or a broadcast bmm: one node
    named as PyTorch's last one. 1-D operands are treated as a row (left) or column (right)."""

    _arrays = True
    name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, b):
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        out = _np_matmul(a2, b2)
        ctx.out2 = out.shape
        ctx.a1, ctx.b1, ctx.b_nd = a.ndim == 1, b.ndim == 1, b.ndim
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        ctx.cols = (need[0] and _t_layout(a), need[1] and _t_layout(b))
        shape = out.shape
        if b.ndim == 1:
            shape = shape[:-1]
        if a.ndim == 1:
            shape = shape[:-2] + shape[-1:]
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        g = grad.reshape(ctx.out2)
        ga = gb = None
        if b is not None:  # gradient for a
            b2 = b.reshape(-1, 1) if ctx.b1 else b
            if ctx.cols[0] and not ctx.b1:
                ga = _swap(_matmul_any(b2, _swap(g)))
            else:
                ga = _matmul_any(g, _swap(b2))
            if ctx.a1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if a is not None:  # gradient for b
            a2 = a.reshape(1, -1) if ctx.a1 else a
            m = a2.shape[-1]
            if ctx.b_nd <= 2:  # b has no batch: one GEMM over the folded batch of a
                gb = a2.reshape(-1, m).T @ g.reshape(-1, g.shape[-1])
            elif ctx.cols[1] and not ctx.a1:
                gb = _swap(_matmul_any(_swap(g), a2))
            else:
                gb = _matmul_any(_swap(a2), g)
            if ctx.b1:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb


class MatmulClone(MatmulND):
    name = "CloneBackward0"


class MatmulTranspose(MatmulND):
    name = "TransposeBackward0"


class MatmulSqueeze(MatmulND):
    name = "SqueezeBackward4"


class Addmm(Function):
    """out = beta * input + alpha * (mat1 @ mat2); also addmv, addbmm, baddbmm, addr."""

    _arrays = True
    _n_edges = 3  # input, mat1, mat2 (beta, alpha and the kind are configuration)
    name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, inp, m1, m2, beta, alpha, kind):
        need = ctx.needs_input_grad
        ctx.beta, ctx.alpha, ctx.kind = beta, alpha, kind
        ctx.save_for_backward(m1 if need[2] else None, m2 if need[1] else None)
        ctx.cols = (need[1] and _col_major(m1), need[2] and _col_major(m2))
        if kind == "addr":
            prod = np.multiply.outer(m1, m2)
        elif kind == "addbmm":
            b, n, k = m1.shape
            p = m2.shape[2]
            prod = np.matmul(m1.transpose(1, 0, 2).reshape(n, b * k), m2.reshape(b * k, p))
        elif (kind == "addmm" and alpha == 1 and beta == 1 and m1.shape[0] <= 256
              and inp.ndim == 1 and inp.dtype == m1.dtype and m1.flags.c_contiguous
              and _col_major(m2)):
            # linear's x @ weight.t() for a batch of rows: OpenBLAS makes the same numbers
            # sooner as weight @ x.T; the bias add writes them back in rows
            prod = np.matmul(m2.T, m1.T)
            return np.add(prod.T, inp, out=np.empty(prod.shape[::-1], prod.dtype))
        else:
            prod = np.matmul(m1, m2)
        if alpha != 1:
            prod = prod * alpha
        if beta == 0:
            out = np.broadcast_to(prod, prod.shape)
            return np.array(out)
        inp = inp if beta == 1 else inp * beta
        if type(prod) is np.ndarray and np.ndim(inp) <= prod.ndim:  # inp broadcasts to prod
            return np.add(prod, inp, out=prod, casting="unsafe")  # in the product's array
        return np.asarray(np.add(inp, prod), dtype=prod.dtype)

    @staticmethod
    def backward(ctx, grad):
        m1, m2 = ctx.saved_tensors
        kind, a, beta = ctx.kind, ctx.alpha, ctx.beta
        gi = g1 = g2 = None
        if ctx.needs_input_grad[0]:
            gi = grad if beta == 1 else grad * beta
        ga = grad if a == 1 else grad * a
        if kind == "addr":
            g1 = ga @ m2 if m2 is not None else None
            g2 = m1 @ ga if m1 is not None else None
        elif kind == "addmv":
            g1 = np.outer(ga, m2) if m2 is not None else None
            g2 = m1.T @ ga if m1 is not None else None
        elif kind == "addbmm":
            if m2 is not None:
                g1 = ga.reshape((1,) + tuple(ga.shape)) @ _swap(m2)
            if m1 is not None:
                g2 = _swap(m1) @ ga.reshape((1,) + tuple(ga.shape))
        else:
            g1, g2 = _mm_grads(ga, m1, m2, *ctx.cols)
        return gi, g1, g2, None, None, None


class Addmv(Addmm):
    name = "AddmvBackward0"


class Addbmm(Addmm):
    name = "AddbmmBackward0"


class Baddbmm(Addmm):
    name = "BaddbmmBackward0"


class Addr(Addmm):
    name = "AddrBackward0"


# ---------------------------------------------------------------- matmul family, functional
def _should_fold(a: Tensor, b: Tensor) -> bool:
    """PyTorch's ``should_fold``: fold the batch of the larger operand into an mm/mv."""
    d1, d2 = a._data.ndim, b._data.ndim
    larger = d1 >= d2
    dim_t1 = d1 if larger else d2
    dim_t2 = d2 if larger else d1
    if not (dim_t1 >= 3 and dim_t2 <= 2):
        return False
    if (b if larger else a)._requires_grad:
        return True
    if d1 == 2:
        return False
    t1 = a._data if larger else b._data
    if t1.size == 0:
        return True
    shape = list(t1.shape)
    st = [s // t1.itemsize for s in t1.strides]
    if not larger:
        shape[-1], shape[-2] = shape[-2], shape[-1]
        st[-1], st[-2] = st[-2], st[-1]
    return all(st[i] == st[i + 1] * shape[i + 1] for i in range(dim_t1 - 2))


def matmul(input, other, *, out=None) -> Tensor:
    """Matrix product with NumPy/PyTorch broadcasting rules: 1-D @ 1-D is a dot product, a 1-D
    operand is a row (left) or column (right) vector, batch dimensions broadcast.

    >>> ember.matmul(ember.ones(2, 3), ember.ones(3)).shape
    torch.Size([2])
    """
    a = _tensor_arg(input, "matmul", "input", 1)
    b = _tensor_arg(other, "matmul", "other", 2)
    A, B = a._data, b._data
    d1, d2 = A.ndim, B.ndim
    if d1 == 0 or d2 == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {d1}D and {d2}D"
        )
    if d1 == 1 and d2 == 1:
        _check_dot(A, B)
        r = Dot.apply(a, b)
    elif d1 == 2 and d2 == 1:
        _check_mv(A.shape, B.shape, A.dtype, B.dtype)
        r = Mv.apply(a, b)
    elif d1 == 1 and d2 == 2:
        _check_mm((1, A.shape[0]), B.shape, A.dtype, B.dtype)
        r = MatmulSqueeze.apply(a, b)
    elif d1 == 2 and d2 == 2:
        _check_mm(A.shape, B.shape, A.dtype, B.dtype)
        r = Mm.apply(a, b)
    elif _should_fold(a, b):
        cls = MatmulND
        if d1 >= d2:
            folded = (_prod(A.shape[:-1]), A.shape[-1])
            if d2 == 2:
                _check_mm(folded, B.shape, A.dtype, B.dtype)
            else:
                _check_mv(folded, B.shape, A.dtype, B.dtype)
        else:
            folded = (_prod(B.shape[:-2]) * B.shape[-1], B.shape[-2])
            if d1 == 2:
                _check_mm(folded, A.shape[::-1], B.dtype, A.dtype)
                n, p = A.shape[0], B.shape[-1]
                empty = n * p * _prod(B.shape[:-2]) == 0
                cls = MatmulTranspose if (n == 1 or p == 1 or empty) else MatmulClone
            else:
                _check_mv(folded, A.shape, B.dtype, A.dtype)
        r = cls.apply(a, b)
    else:
        batch = _infer_size(A.shape[:-2], B.shape[:-2] if d2 > 1 else ())
        nb = _prod(batch)
        n = A.shape[-2] if d1 > 1 else 1
        m2 = B.shape[-2] if d2 > 1 else B.shape[0]
        p = B.shape[-1] if d2 > 1 else 1
        _check_bmm((nb, n, A.shape[-1]), (nb, m2, p), A.dtype, B.dtype)
        r = MatmulND.apply(a, b)
    return _out(r, out)


def _mat_arg(x, fname, argname, pos):
    return _tensor_arg(x, fname, argname, pos)


def mm(input, mat2, *, out=None) -> Tensor:
    """Product of two matrices: ``(n, m) @ (m, p) -> (n, p)``."""
    a = _mat_arg(input, "mm", "input", 1)
    b = _mat_arg(mat2, "mm", "mat2", 2)
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(a._data.shape, b._data.shape, a._data.dtype, b._data.dtype)
    return _out(Mm.apply(a, b), out)


def bmm(input, mat2, *, out=None) -> Tensor:
    """Batched matrix product: ``(b, n, m) @ (b, m, p) -> (b, n, p)``."""
    a = _mat_arg(input, "bmm", "input", 1)
    b = _mat_arg(mat2, "bmm", "mat2", 2)
    if a._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _check_bmm(a._data.shape, b._data.shape, a._data.dtype, b._data.dtype)
    return _out(Bmm.apply(a, b), out)


def mv(input, vec, *, out=None) -> Tensor:
    """Matrix-vector product: ``(n, m) @ (m,) -> (n,)``."""
    a = _mat_arg(input, "mv", "input", 1)
    v = _mat_arg(vec, "mv", "vec", 2)
    if a._data.ndim != 2 or v._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {a._data.ndim}, {v._data.ndim}"
        )
    _check_mv(a._data.shape, v._data.shape, a._data.dtype, v._data.dtype)
    return _out(Mv.apply(a, v), out)


def dot(input, tensor, *, out=None) -> Tensor:
    """Dot product of two 1-D tensors (no broadcasting, same dtype)."""
    a = _mat_arg(input, "dot", "input", 1)
    b = _mat_arg(tensor, "dot", "tensor", 2)
    _check_dot(a._data, b._data)
    return _out(Dot.apply(a, b), out)


def vdot(input, other, *, out=None) -> Tensor:
    """Dot product of two 1-D tensors, conjugating the first (real tensors: same as ``dot``)."""
    a = _mat_arg(input, "vdot", "input", 1)
    b = _mat_arg(other, "vdot", "other", 2)
    _check_dot(a._data, b._data)
    return _out(Vdot.apply(a, b), out)


def outer(input, vec2, *, out=None) -> Tensor:
    """Outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]``."""
    a = _mat_arg(input, "outer", "input", 1)
    b = _mat_arg(vec2, "outer", "vec2", 2)
    if a._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {a._data.ndim}-D")
    if b._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {b._data.ndim}-D")
    return _out(a.reshape(-1, 1) * b, out)


ger = outer


def _scalar_checks(beta, alpha, dt):
    if dt.kind != "f" and (isinstance(beta, float) or isinstance(alpha, float)):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
            if isinstance(alpha, float) else
            "For integral input tensors, argument beta must not be a floating point number."
        )


def _addlike(cls, kind, inp, m1, m2, beta, alpha, out_shape, out):
    i = as_operand(inp)
    if not isinstance(i, Tensor):
        i = Tensor._make(np.asarray(i), False)
    ishape = i._data.shape
    if ishape != out_shape:
        try:
            np.broadcast_shapes(ishape, out_shape)
            ok = len(ishape) <= len(out_shape) and np.broadcast_shapes(ishape, out_shape) \
                == tuple(out_shape)
        except ValueError:
            ok = False
        if not ok:
            _expand_error(out_shape, ishape)
    dt = m1._data.dtype
    if i._data.dtype != dt:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {_sn(i._data.dtype)} and "
            f"{_sn(m2._data.dtype)}"
        )
    _scalar_checks(beta, alpha, dt)
    return _out(cls.apply(i, m1, m2, beta, alpha, kind), out)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product's shape."""
    a = _mat_arg(mat1, "addmm", "mat1", 2)
    b = _mat_arg(mat2, "addmm", "mat2", 3)
    if a._data.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a._data.ndim}-D tensor")
    if b._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b._data.ndim}-D tensor")
    # PyTorch's addmm meta function checks dtypes before shapes, self against mat2 first
    da, db = a._data.dtype, b._data.dtype
    if isinstance(input, Tensor) and input._data.dtype != db:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{_sn(input._data.dtype)} and {_sn(db)}")
    if da != db:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_sn(da)} and "
                           f"{_sn(db)}")
    _check_mm(a._data.shape, b._data.shape, a._data.dtype, b._data.dtype)
    shape = (a._data.shape[0], b._data.shape[1])
    return _addlike(Addmm, "addmm", input, a, b, beta, alpha, shape, out)


def _linear_addmm(input, weight, bias):
    """``linear(input, weight, bias)`` for a 2-D float input and a bias, as PyTorch computes
    it (``addmm(bias, input, weight.t())``, the same nodes), with the checks of that one case
    only: ``nn.Linear`` runs this on every step. None when the general path must decide."""
    x, w, b = input._data, weight._data, bias._data
    dt = w.dtype
    if (x.ndim != 2 or w.ndim != 2 or b.ndim != 1 or x.shape[1] != w.shape[1]
            or b.shape[0] != w.shape[0] or x.dtype != dt or b.dtype != dt or dt.kind != "f"):
        return None
    from .shape import T

    return Addmm.apply(bias, input, T.apply(weight, 0, 1), 1, 1, "addmm")


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    a = _mat_arg(mat, "addmv", "mat", 2)
    v = _mat_arg(vec, "addmv", "vec", 3)
    if a._data.ndim != 2 or v._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {as_operand(input).dim()}, "
            f"{a._data.ndim}, {v._data.ndim}"
        )
    i = as_operand(input)
    ishape = i._data.shape if isinstance(i, Tensor) else ()
    n = a._data.shape[0]
    if a._data.shape[1] != v._data.shape[0] or (ishape not in ((), (1,), (n,))):
        raise RuntimeError(
            f"size mismatch, got input ({ishape[0] if ishape else 1}), mat "
            f"({n}x{a._data.shape[1]}), vec ({v._data.shape[0]})"
        )
    _check_mv(a._data.shape, v._data.shape, a._data.dtype, v._data.dtype)
    return _addlike(Addmv, "addmv", input, a, v, beta, alpha, (n,), out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    a = _mat_arg(batch1, "addbmm", "batch1", 2)
    b = _mat_arg(batch2, "addbmm", "batch2", 3)
    if a._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _check_bmm(a._data.shape, b._data.shape, a._data.dtype, b._data.dtype)
    shape = (a._data.shape[1], b._data.shape[2])
    return _addlike(Addbmm, "addbmm", input, a, b, beta, alpha, shape, out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (batch1 @ batch2)``, batch by batch."""
    a = _mat_arg(batch1, "baddbmm", "batch1", 2)
    b = _mat_arg(batch2, "baddbmm", "batch2", 3)
    if a._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _check_bmm(a._data.shape, b._data.shape, a._data.dtype, b._data.dtype)
    shape = (a._data.shape[0], a._data.shape[1], b._data.shape[2])
    return _addlike(Baddbmm, "baddbmm", input, a, b, beta, alpha, shape, out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    a = _mat_arg(vec1, "addr", "vec1", 2)
    b = _mat_arg(vec2, "addr", "vec2", 3)
    if a._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {a._data.ndim}-D")
    if b._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {b._data.ndim}-D")
    shape = (a._data.shape[0], b._data.shape[0])
    return _addlike(Addr, "addr", input, a, b, beta, alpha, shape, out)


def chain_matmul(*matrices, out=None) -> Tensor:
    """Deprecated product of a chain of matrices (use ``linalg.multi_dot``)."""
    return _out(multi_dot(matrices), out)


def multi_dot(tensors, *, out=None) -> Tensor:
    """Product of a chain of matrices (the first and last may be 1-D vectors)."""
    from .shape import View

    tensors = [_tensor_arg(t, "linalg_multi_dot", "tensors", 1) for t in tensors]
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0], tensors[-1]
    if first.dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                           f"{first.dim()}D")
    if last.dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got "
                           f"{last.dim()}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    out_shape = []
    if first.dim() == 2:
        out_shape.append(first.shape[0])
    else:
        tensors[0] = first.reshape(1, -1)
    if last.dim() == 2:
        out_shape.append(last.shape[1])
    else:
        tensors[-1] = last.reshape(-1, 1)
    r = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if r._data.shape[1] != t._data.shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i - 1} and {i} with shapes {list(r._data.shape)} and "
                f"{list(t._data.shape)} cannot be multiplied"
            )
        r = mm(r, t)
    return _out(View.apply(r, tuple(out_shape)), out)


# ---------------------------------------------------------------- einsum
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class _Spec:
    """A parsed einsum: per operand its subscripts (after squeezing broadcast size-1 dims), the
    output subscripts, letter sizes, and each operand's original shape."""

    __slots__ = ("subs", "out", "sizes", "shapes", "squeezed")

    def __init__(self, subs, out, sizes, shapes, squeezed):
        self.subs, self.out, self.sizes = subs, out, sizes
        self.shapes, self.squeezed = shapes, squeezed

    def equation(self, k=None, ops_subs=None):
        return ",".join(self.subs) + "->" + self.out


def _squeeze_op(x, spec, k):
    if spec.squeezed[k]:
        shape = tuple(s for s, keep in zip(spec.shapes[k], spec.squeezed[k]) if keep)
        return x.reshape(shape)
    return x


def _einsum_np(eq, *ops):
    if len(ops) <= 1 or not all(type(o) is np.ndarray for o in ops):
        return np.einsum(eq, *ops)
    return np.einsum(eq, *ops, optimize=len(ops) > 2 or ops[0].size * ops[1].size > 64)


class Einsum(Function):
    """Contraction of several operands given by an einsum spec; named as PyTorch's last node."""

    _arrays = True
    name = "ViewBackward0"

    @staticmethod
    def forward(ctx, *args):
        spec = args[-1]
        ops = [_squeeze_op(x, spec, k) for k, x in enumerate(args[:-1])]
        ctx.spec = spec
        ctx.save_for_backward(*args[:-1])
        out = _einsum_np(spec.equation(), *ops) if ops else None
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        spec = ctx.spec
        raw = ctx.saved_tensors
        ops = [_squeeze_op(x, spec, k) for k, x in enumerate(raw)]
        grads = []
        for k in range(len(ops)):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            grads.append(_einsum_grad(k, grad, ops, spec))
        return (*grads, None)


class EinsumMul(Einsum):
    name = "MulBackward0"


class EinsumSum(Einsum):
    name = "SumBackward1"


class EinsumPermute(Einsum):
    """A single operand, no summation: a view (diagonals and a permutation)."""

    name = "PermuteBackward0"
    _view = True

    @staticmethod
    def forward(ctx, x, spec):
        ctx.spec = spec
        ctx.save_for_backward(x)
        out = np.einsum(spec.equation(), x)
        if out.flags.writeable or not x.flags.writeable:
            return out
        return _np_strided(out, shape=out.shape, strides=out.strides)


def _einsum_grad(k, grad, ops, spec):
    """Gradient of an einsum for operand k, itself written as einsums (differentiable again)."""
    sub = spec.subs[k]
    sizes = spec.sizes
    uniq = "".join(dict.fromkeys(sub))
    avail = set(spec.out)
    for j, s in enumerate(spec.subs):
        if j != k:
            avail.update(s)
    present = "".join(c for c in uniq if c in avail)
    terms = [spec.out] + [s for j, s in enumerate(spec.subs) if j != k]
    args = [grad] + [o for j, o in enumerate(ops) if j != k]
    g = _einsum_np(",".join(terms) + "->" + present, *args)
    if len(present) != len(uniq):
        g = g.reshape(tuple(sizes[c] if c in avail else 1 for c in uniq))
        g = np.broadcast_to(g, tuple(sizes[c] for c in uniq))
    if len(uniq) != len(sub):
        # repeated subscripts: put g on the diagonal, multiplying by identity matrices
        used = set(_LETTERS) - set("".join(spec.subs)) - set(spec.out)
        fresh = sorted(used)
        seen = set()
        target = []
        deltas = []
        for c in sub:
            if c in seen:
                f = fresh.pop()
                target.append(f)
                deltas.append(c + f)
            else:
                seen.add(c)
                target.append(c)
        dt = g.dtype if isinstance(g, np.ndarray) else g._data.dtype
        eyes = [np.eye(sizes[d[0]], dtype=dt) for d in deltas]
        g = np.einsum(uniq + "," + ",".join(deltas) + "->" + "".join(target), g, *eyes)
    shape = spec.shapes[k]
    if tuple(g.shape) != tuple(shape):
        g = g.reshape(shape)
    return g


def _parse_term(term, k, where):
    if "." in term:
        i = term.find("...")
        if i < 0 or "." in term[:i] + term[i + 3:]:
            raise RuntimeError(
                f"einsum(): found '.' for {where} that is not part of any ellipsis"
                + (" (...)" if where == "output" else "")
            )
        return term[:i], term[i + 3:], True
    return term, "", False


def _einsum_spec(equation, ops):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) > len(ops):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(ops):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for pos, ch in enumerate(eq):
        if not (ch.isalpha() and ch.isascii()) and ch not in ".,->":
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {pos} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
    parsed = []
    ell_nd = 0
    for k, (term, x) in enumerate(zip(terms, ops)):
        pre, post, ell = _parse_term(term, k, f"operand {k}")
        nlab = len(pre) + len(post)
        nd = x.ndim
        if ell:
            if nlab > nd:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({nlab}) is more than "
                    f"the number of dimensions ({nd}) for operand {k}"
                )
            ell_nd = builtins.max(ell_nd, nd - nlab)
        elif nlab != nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({nlab}) does not match the "
                f"number of dimensions ({nd}) for operand {k} and no ellipsis was given"
            )
        parsed.append((pre, post, ell, nd - nlab if ell else 0))
    used = set(lhs) | set(rhs or "")
    free = [c for c in _LETTERS if c not in used]
    ell_letters = "".join(free[:ell_nd])
    subs = []
    for pre, post, _ell, ne in parsed:
        subs.append(pre + (ell_letters[ell_nd - ne:] if ne else "") + post)
    # sizes, with size-1 broadcasting
    sizes = {}
    for k, (s, x) in enumerate(zip(subs, ops)):
        local = {}
        for c, n in zip(s, x.shape):
            if c in local and local[c] != n:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't "
                    f"match, {n} != {local[c]}"
                )
            local[c] = n
            old = sizes.get(c)
            if old is None or old == 1:
                sizes[c] = n
            elif n != 1 and n != old:
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {k} which does not "
                    f"broadcast with previously seen size {old}"
                )
    if rhs is None:
        counts = {}
        for s in subs:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell_letters + "".join(sorted(c for c, n in counts.items()
                                           if n == 1 and c not in ell_letters))
    else:
        pre, post, ell = _parse_term(rhs, None, "output")
        out = pre + (ell_letters if ell else "") + post
        seen = set()
        for c in pre + post:
            if c in seen:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   "the output")
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
            seen.add(c)
    # drop dims of size 1 that broadcast against a bigger size
    squeezed = []
    new_subs = []
    for s, x in zip(subs, ops):
        keep = [not (n == 1 and sizes[c] != 1) for c, n in zip(s, x.shape)]
        if all(keep):
            squeezed.append(None)
            new_subs.append(s)
        else:
            squeezed.append(keep)
            new_subs.append("".join(c for c, kp in zip(s, keep) if kp))
    return _Spec(new_subs, out, sizes, [x.shape for x in ops], squeezed)


def _sublist_to_eq(args):
    """einsum(op1, sublist1, op2, sublist2, ..., [sublist_out]) to the string form."""
    def conv(sub):
        s = ""
        for v in sub:
            if v is Ellipsis:
                s += "..."
            else:
                v = int(v)
                if not 0 <= v < 52:
                    raise RuntimeError(
                        "einsum(): subscript in subscript list is not within the valid range "
                        "[0, 52)"
                    )
                s += _LETTERS[v]
        return s

    ops = list(args[0::2])
    subs = list(args[1::2])
    out = None
    if len(ops) > len(subs):
        out = ops.pop()
        out = conv(out)
    eq = ",".join(conv(s) for s in subs) + ("->" + out if out is not None else "")
    return eq, ops


def einsum(*args) -> Tensor:
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``. Supports ``...``, the
    implicit output (labels seen once, in alphabetical order) and size-1 broadcasting.

    >>> ember.einsum('bij,bjk->bik', ember.ones(5, 2, 3), ember.ones(5, 3, 4)).shape
    torch.Size([5, 2, 4])
    """
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, "
                        "or at least one operand and its subscripts list")
    if not isinstance(args[0], str):
        eq, ops = _sublist_to_eq(args)
    else:
        eq, ops = args[0], list(args[1:])
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = list(ops[0])
    ops = [as_operand(o) for o in ops]
    ops = [o if isinstance(o, Tensor) else Tensor._make(np.asarray(o), False) for o in ops]
    arrays = [o._data for o in ops]
    if not ops:
        raise RuntimeError("einsum(): must provide at least one operand")
    dt = arrays[0].dtype
    spec = _einsum_spec(eq, arrays)
    for a in arrays[1:]:
        if a.dtype != dt:
            raise RuntimeError(f"expected scalar type {_sn(dt)} but found {_sn(a.dtype)}")
    contracted = any(c not in spec.out for s in spec.subs for c in s)
    if len(ops) == 1:
        cls = EinsumSum if contracted else EinsumPermute
    else:
        cls = Einsum if contracted else EinsumMul
    return cls.apply(*ops, spec)


def tensordot(a, b, dims=2, out=None) -> Tensor:
    """Sum of products over the last ``dims`` dimensions of ``a`` and the first of ``b``, or over
    the dimension lists ``dims=([a dims], [b dims])``."""
    a = _tensor_arg(a, "tensordot", "a", 1)
    b = _tensor_arg(b, "tensordot", "b", 2)
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(-dims, 0))
        db = list(range(dims))
        shown_a = da
    else:
        da, db = dims
        if isinstance(da, int):
            da = [da]
        if isinstance(db, int):
            db = [db]
        da, db = list(da), list(db)
        shown_a = da
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    ia = [_wrap_dim(d, na) for d in da]
    ib = [_wrap_dim(d, nb) for d in db]
    for x, y, sx, sy in zip(ia, ib, shown_a, db):
        if a._data.shape[x] != b._data.shape[y]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a._data.shape[x]} "
                f"in dim {sx} and second has size {b._data.shape[y]} in dim {sy}"
            )
    la = list(_LETTERS[:na])
    lb = list(_LETTERS[na:na + nb])
    for x, y in zip(ia, ib):
        lb[y] = la[x]
    outl = [c for i, c in enumerate(la) if i not in ia] + \
        [c for i, c in enumerate(lb) if i not in ib]
    A, B = a._data, b._data
    if A.dtype != B.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_CPP[A.dtype.name]} != "
            f"{_CPP[B.dtype.name]}"
        )
    sizes = {c: n for c, n in zip(la, A.shape)}
    sizes.update({c: n for c, n in zip(lb, B.shape)})
    spec = _Spec(["".join(la), "".join(lb)], "".join(outl), sizes, [A.shape, B.shape],
                 [None, None])
    return _out(Einsum.apply(a, b, spec), out)


def inner(input, other, *, out=None) -> Tensor:
    """Inner product over the last dimension (a plain product if either is 0-d)."""
    a = _tensor_arg(input, "inner", "input", 1)
    b = _tensor_arg(other, "inner", "other", 2)
    if a._data.ndim == 0 or b._data.ndim == 0:
        return _out(a * b, out)
    if a._data.shape[-1] != b._data.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(a._data.shape)} and {list(b._data.shape)}"
        )
    return _out(tensordot(a, b, ([-1], [-1])), out)


def kron(input, other, *, out=None) -> Tensor:
    """Kronecker product."""
    from .shape import UnsafeView

    a = _tensor_arg(input, "kron", "input", 1)
    b = _tensor_arg(other, "kron", "other", 2)
    nd = builtins.max(a._data.ndim, b._data.ndim)
    sa = (1,) * (nd - a._data.ndim) + a._data.shape
    sb = (1,) * (nd - b._data.ndim) + b._data.shape
    ar = a.reshape(tuple(x for s in sa for x in (s, 1)))
    br = b.reshape(tuple(x for s in sb for x in (1, s)))
    prod = ar * br
    return _out(UnsafeView.apply(prod, tuple(x * y for x, y in zip(sa, sb))), out)


# ---------------------------------------------------------------- cross, trace, diagonals
class Cross(Function):
    _arrays = True
    name = "LinalgCrossBackward0"

    @staticmethod
    def forward(ctx, a, b, dim):
        a, b, _ = operands(a, b)
        ctx.dim = dim
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        return np.cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        d = ctx.dim
        ga = np.cross(b, grad, axis=d) if b is not None else None
        gb = np.cross(grad, a, axis=d) if a is not None else None
        return ga, gb, None


def linalg_cross(input, other, *, dim=-1, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim``, with broadcasting."""
    a = _tensor_arg(input, "linalg_cross", "input", 1)
    b = _tensor_arg(other, "linalg_cross", "other", 2)
    if a._data.ndim != b._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _wrap_dim(dim, a._data.ndim)
    if a._data.shape[d] != 3 or b._data.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{a._data.shape[d]} and {b._data.shape[d]}"
        )
    shape = _infer_size(a._data.shape, b._data.shape)
    d = d - len(shape)
    return _out(Cross.apply(a, b, d), out)


def cross(input, other, dim=None, *, out=None) -> Tensor:
    """Cross product along ``dim`` (default: the first dimension of size 3)."""
    if dim is None:
        import warnings

        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
            "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
            "change to agree with that of linalg.cross in a future release.", UserWarning,
            stacklevel=2)
        shape = _infer_size(input.shape, other.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
    return linalg_cross(input, other, dim=dim, out=out)


class Trace(Function):
    _arrays = True
    name = "TraceBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.int64)
        return np.asarray(np.trace(x, dtype=dt))

    @staticmethod
    def backward(ctx, grad):
        n, m = ctx.shape
        dt = grad.dtype if isinstance(grad, np.ndarray) else grad._data.dtype
        return grad * np.eye(n, m, dtype=dt)


def trace(input) -> Tensor:
    """Sum of the main diagonal of a matrix."""
    x = _tensor_arg(input, "trace", "input", 1)
    if x._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x._data.ndim}")
    if x._data.dtype.kind == "b":
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(x)


def _diag_view(x: np.ndarray, offset, d1, d2) -> np.ndarray:
    """A writable view of the (offset) diagonal of ``x`` over dims d1, d2, with PyTorch's layout:
    the other dims in order, then the diagonal."""
    xs = np.moveaxis(x, (d1, d2), (-2, -1))
    if offset >= 0:
        xs = xs[..., :, offset:]
    else:
        xs = xs[..., -offset:, :]
    n = builtins.max(builtins.min(xs.shape[-2], xs.shape[-1]), 0)
    return _np_strided(xs, shape=xs.shape[:-2] + (n,),
                       strides=xs.strides[:-2] + (xs.strides[-2] + xs.strides[-1],),
                       writeable=x.flags.writeable)


def _embed(g, shape, offset, d1, d2):
    """Zeros of ``shape`` with ``g`` on the (offset) diagonal over d1, d2 (arrays or Tensors)."""
    if isinstance(g, Tensor):
        return DiagonalEmbed.apply(g, tuple(shape), offset, d1, d2)
    z = np.zeros(shape, g.dtype)
    _diag_view(z, offset, d1, d2)[...] = g
    return z


class Diagonal(Function):
    _arrays = True
    _view = True
    name = "DiagonalBackward0"

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args = (x.shape, offset, d1, d2)
        return _diag_view(x, offset, d1, d2)

    @staticmethod
    def backward(ctx, grad):
        return _embed(grad, *ctx.args), None, None, None


class DiagonalCopy(Diagonal):
    name = "DiagonalBackward0_copy"
    _view = False

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args = (x.shape, offset, d1, d2)
        return _diag_view(x, offset, d1, d2).copy()


class DiagonalEmbed(Function):
    """The backward of ``diagonal`` (and the forward of ``diag_embed``)."""

    _arrays = True
    name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        return _embed(g, shape, offset, d1, d2)

    @staticmethod
    def backward(ctx, grad):
        offset, d1, d2 = ctx.args
        if isinstance(grad, Tensor):
            return Diagonal.apply(grad, offset, d1, d2), None, None, None, None
        return _diag_view(grad, offset, d1, d2).copy(), None, None, None, None


class DiagEmbed(DiagonalEmbed):
    name = "DiagEmbedBackward0"


def diagonal(input, offset=0, dim1=0, dim2=1) -> Tensor:
    """A view of the diagonal with the given offset over ``dim1`` and ``dim2`` (appended as the
    last dimension)."""
    x = _tensor_arg(input, "diagonal", "input", 1)
    nd = x._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(x, int(offset), d1, d2)


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1) -> Tensor:
    """``torch.linalg.diagonal``: ``diagonal`` with defaults over the last two dims."""
    return diagonal(A, offset, dim1, dim2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1) -> Tensor:
    """Tensors whose (offset) diagonals over dim1, dim2 are filled by the last dim of input."""
    x = _tensor_arg(input, "diag_embed", "input", 1)
    nd = x._data.ndim + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = x._data.shape[-1] + abs(int(offset)) if x._data.ndim else 1 + abs(int(offset))
    rest = list(x._data.shape[:-1])
    shape = []
    for i in range(nd):
        shape.append(n if i in (d1, d2) else rest.pop(0))
    return DiagEmbed.apply(x if x._data.ndim else x.reshape(1), tuple(shape), int(offset), d1,
                           d2)


def diag(input, diagonal=0, *, out=None) -> Tensor:
    """1-D input: a square matrix with it on the given diagonal; 2-D input: that diagonal."""
    x = _tensor_arg(input, "diag", "input", 1)
    nd = x._data.ndim
    k = int(diagonal)
    if nd == 1:
        n = x._data.shape[0] + abs(k)
        return _out(DiagEmbed.apply(x, (n, n), k, 0, 1), out)
    if nd == 2:
        return _out(DiagonalCopy.apply(x, k, 0, 1), out)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


class Tril(Function):
    _arrays = True
    name = "TrilBackward0"

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.tril(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.tril(grad, ctx.k), None


class Triu(Function):
    _arrays = True
    name = "TriuBackward0"

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.triu(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.triu(grad, ctx.k), None


def _tri_check(x, name):
    if x._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def tril(input, diagonal=0, *, out=None) -> Tensor:
    """The lower triangle (on and below the given diagonal) of the last two dims; zeros above."""
    x = _tensor_arg(input, "tril", "input", 1)
    _tri_check(x, "tril")
    return _out(Tril.apply(x, int(diagonal)), out)


def triu(input, diagonal=0, *, out=None) -> Tensor:
    """The upper triangle (on and above the given diagonal) of the last two dims; zeros below."""
    x = _tensor_arg(input, "triu", "input", 1)
    _tri_check(x, "triu")
    return _out(Triu.apply(x, int(diagonal)), out)


def _tril_(self, diagonal=0):
    _tri_check(self, "tril")
    return apply_inplace(self, Tril, int(diagonal))


def _triu_(self, diagonal=0):
    _tri_check(self, "triu")
    return apply_inplace(self, Triu, int(diagonal))


# ---------------------------------------------------------------- norms
def _float_check(x, name):
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. Got "
            f"{_sn(x._data.dtype)}"
        )


def _dims(dim, nd):
    if dim is None:
        return tuple(range(nd))
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    return tuple(_wrap_dim(d, nd) if nd else _wrap_dim(d, 1) and 0 for d in dim)


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


class VectorNorm(Function):
    _arrays = True
    name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        ctx.ord, ctx.dims, ctx.keepdim = ord, dims, keepdim
        ax = dims if x.ndim else None
        if ord == 2:
            out = np.sqrt(np.sum(x * x, axis=ax, keepdims=True))
        elif ord == math.inf:
            out = np.max(np.abs(x), axis=ax, keepdims=True)
        elif ord == -math.inf:
            out = np.min(np.abs(x), axis=ax, keepdims=True)
        elif ord == 0:
            out = np.sum(x != 0, axis=ax, keepdims=True).astype(x.dtype)
        elif ord == 1:
            out = np.sum(np.abs(x), axis=ax, keepdims=True)
        else:
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                out = np.sum(np.abs(x) ** ord, axis=ax, keepdims=True) ** (1.0 / ord)
        out = np.asarray(out, dtype=x.dtype)
        if ctx.needs_input_grad[0]:
            ctx.sgn = np.sign(x)
            ctx.kshape = out.shape
            if ord in (math.inf, -math.inf):
                mask = (np.abs(x) == out) | np.isnan(x)
                ctx.mask = mask / np.sum(mask, axis=ax, keepdims=True)
            elif ord not in (0, 1):
                ctx.nz = (out != 0).astype(x.dtype)
                if ord < 1:
                    ctx.xz = (x == 0).astype(x.dtype)
        res = out if keepdim else out.reshape(
            tuple(s for i, s in enumerate(out.shape) if i not in dims))
        need = ctx.needs_input_grad
        ctx.save_for_backward(x if need[0] and ord not in (0, 1, math.inf, -math.inf) else None,
                              res if need[0] and ord not in (0, 1, math.inf, -math.inf)
                              else None)
        return res

    @staticmethod
    def backward(ctx, grad):
        x, norm = ctx.saved_tensors
        p = ctx.ord
        g = grad.reshape(ctx.kshape)
        sgn = ctx.sgn
        if p == 0:
            return g * np.zeros(sgn.shape, sgn.dtype), None, None, None
        if p == 1:
            return g * sgn, None, None, None
        if p in (math.inf, -math.inf):
            return g * (sgn * ctx.mask), None, None, None
        nz = ctx.nz
        n = norm.reshape(ctx.kshape) + (1 - nz)  # 1 where the norm is 0, to divide safely
        if p == 2:
            return x * (g / n * nz), None, None, None
        absx = x * sgn
        if p < 1:
            xz = ctx.xz
            scaled = sgn * (absx + xz) ** (p - 1) * (1 - xz)
            return scaled * g * n ** (1 - p), None, None, None
        scaled = sgn * absx ** (p - 1)
        return scaled * (g / n ** (p - 1) * nz), None, None, None


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (all elements by default): ``sum(|x|^ord)^(1/ord)``,
    with ``inf``/``-inf`` the max/min of ``|x|`` and 0 the count of non-zeros."""
    x = _tensor_arg(x, "linalg_vector_norm", "input", 1)
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.number)):
        raise TypeError(
            "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
            f"{type(ord).__name__}"
        )
    _float_check(x, "linalg.vector_norm")
    if dtype is not None:
        x = x.to(dtype)
    nd = x._data.ndim
    dims = _dims(dim, nd)
    ord = float(ord)
    if ord < 0 or math.isinf(ord):
        if x._data.size == 0:
            if dim is None:
                raise RuntimeError(
                    f"linalg.vector_norm cannot compute the {_ord_str(ord)} norm on an empty "
                    "tensor because the operation does not have an identity"
                )
            for d in dims:
                if x._data.shape[d] == 0:
                    raise RuntimeError(
                        f"linalg.vector_norm cannot compute the {_ord_str(ord)} norm on the "
                        f"dimension {d}because this dimension is empty and the operation does "
                        "not have an identity"
                    )
    if ord == int(ord) if not math.isinf(ord) else False:
        ord = int(ord) if ord in (0, 1, 2) else ord
    return _out(VectorNorm.apply(x, ord, dims, bool(keepdim)), out)


def _ord_str(o):
    if math.isinf(o):
        return "inf" if o > 0 else "-inf"
    return str(int(o)) if o == int(o) else str(o)


class MatrixNormSpectral(Function):
    """ord 2 / -2 / 'nuc': from singular values (nuc is their sum, 2/-2 the largest/smallest)."""

    _arrays = True
    name = "AmaxBackward0"

    @staticmethod
    def forward(ctx, x, kind, dims, keepdim):
        a = np.moveaxis(x, dims, (-2, -1))
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        if kind == "nuc":
            out = s.sum(-1)
            w = np.ones_like(s)
        else:
            out = s.max(-1) if kind == 2 else s.min(-1)
            w = (s == out[..., None]).astype(s.dtype)
            w = w / w.sum(-1, keepdims=True)
        ctx.dims, ctx.keepdim = dims, keepdim
        if ctx.needs_input_grad[0]:
            ctx.w = (u * w[..., None, :]) @ vh
            ctx.weights = w
            ctx.save_for_backward(x)
        if keepdim:
            out = np.expand_dims(out, tuple(sorted(dims)))
        return np.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        d0, d1 = ctx.dims
        g = grad
        if not ctx.keepdim:
            g = g.reshape(tuple(g.shape) + (1, 1))
        else:
            g = np.moveaxis(g, (d0, d1), (-2, -1))
        (x,) = ctx.saved_tensors
        if isinstance(x, Tensor):  # create_graph: the singular vectors as functions of x
            u, _, vh = Svd.apply(np.moveaxis(x, (d0, d1), (-2, -1)), False)
            w = ctx.weights
            ga = g * ((u * w.reshape(w.shape[:-1] + (1,) + w.shape[-1:])) @ vh)
        else:
            ga = g * ctx.w
        return np.moveaxis(ga, (-2, -1), (d0, d1)), None, None, None


class MatrixNormSpectralMin(MatrixNormSpectral):
    name = "AminBackward0"


class MatrixNormNuc(MatrixNormSpectral):
    name = "SumBackward1"


class MatrixNormSpectralKeep(MatrixNormSpectral):
    name = "PermuteBackward0"  # PyTorch permutes the kept dims back into place


class MatrixNormAbs(Function):
    """ord 1 / -1 / inf / -inf: max or min over one dim of the sums of |x| over the other."""

    _arrays = True
    name = "AmaxBackward0"

    @staticmethod
    def forward(ctx, x, sum_dim, red_dim, largest, keepdim):
        s = np.sum(np.abs(x), axis=sum_dim, keepdims=True)
        r = np.max(s, axis=red_dim, keepdims=True) if largest else \
            np.min(s, axis=red_dim, keepdims=True)
        if ctx.needs_input_grad[0]:
            mask = (s == r).astype(x.dtype)
            ctx.w = np.sign(x) * (mask / mask.sum(axis=red_dim, keepdims=True))
            ctx.kshape = r.shape
        out = r if keepdim else r.reshape(
            tuple(n for i, n in enumerate(r.shape) if i not in (sum_dim, red_dim)))
        return np.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.kshape) * ctx.w, None, None, None, None, None


class MatrixNormAbsMin(MatrixNormAbs):
    name = "AminBackward0"


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Matrix norms over the two dims ``dim``: 'fro', 'nuc', 2, -2 (singular values), 1, -1
    (column sums of |A|), inf, -inf (row sums of |A|)."""
    A = _tensor_arg(A, "linalg_matrix_norm", "input", 1)
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    _float_check(A, "linalg.matrix_norm")
    if dtype is not None:
        A = A.to(dtype)
    nd = A._data.ndim
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(
            f"linalg.matrix_norm: dim must be a 2-tuple. Got {', '.join(map(str, dim))}"
        )
    d0, d1 = _wrap_dim(dim[0], nd), _wrap_dim(dim[1], nd)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if isinstance(ord, str):
        if ord == "fro":
            return vector_norm(A, 2, (d0, d1), keepdim, out=out)
        if ord == "nuc":
            cls = MatrixNormSpectralKeep if keepdim else MatrixNormNuc
            return _out(cls.apply(A, "nuc", (d0, d1), keepdim), out)
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord in (2, -2):
        cls = MatrixNormSpectral if ord == 2 else MatrixNormSpectralMin
        cls = MatrixNormSpectralKeep if keepdim else cls
        return _out(cls.apply(A, ord, (d0, d1), keepdim), out)
    if ord in (1, -1, math.inf, -math.inf):
        sum_dim, red_dim = (d0, d1) if abs(ord) == 1 else (d1, d0)
        cls = MatrixNormAbs if ord > 0 else MatrixNormAbsMin
        return _out(cls.apply(A, sum_dim, red_dim, ord > 0, keepdim), out)
    o = int(ord) if float(ord) == int(ord) else ord
    raise RuntimeError(f"linalg.matrix_norm: Order {o} not supported.")


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Vector or matrix norm, chosen as PyTorch does from ``ord`` and ``dim``."""
    A = _tensor_arg(A, "linalg_norm", "input", 1)
    if dim is not None:
        if isinstance(dim, (int, np.integer)):
            dim = (int(dim),)
        dim = tuple(dim)
        if len(dim) == 1:
            if isinstance(ord, str):
                raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 "
                                   f"or 2. Got {list(dim)}" if False else
                                   f"linalg.vector_norm: ord {ord} not supported")
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
        if len(dim) != 2:
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {list(dim)}")
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    nd = A._data.ndim
    if nd not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {nd}D.")
    if nd == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None) -> Tensor:
    """``torch.norm``: the Frobenius / vector 2-norm by default; ``p`` a number gives the vector
    norm over ``dim`` (all elements if None); 'fro' and 'nuc' are matrix norms."""
    x = _tensor_arg(input, "norm", "input", 1)
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    if isinstance(p, str):
        if p == "fro" and (dim is None or len(dim) <= 2):
            return vector_norm(x, 2, dim, keepdim, dtype=dtype, out=out)
        if dim is None:
            dim = tuple(range(x._data.ndim))
        return matrix_norm(x, p, dim, keepdim, dtype=dtype, out=out)
    return vector_norm(x, 2 if p is None else p, dim, keepdim, dtype=dtype, out=out)


# ---------------------------------------------------------------- solvers and decompositions
class _LinAlgError(RuntimeError):
    """Raised when a linear-algebra routine fails (singular or non-positive-definite input)."""


_LinAlgError.__module__ = "torch._C"
LinAlgError = _LinAlgError


def _square_check(A, name):
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    n, m = A._data.shape[-2:]
    if n != m:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {n} by "
                           f"{m} matrices")


def _batch_prefix(a, idx):
    return f"(Batch element {idx}): " if a.ndim > 2 else ""


def _first_zero_pivot(a2):
    """1-based index of the first zero pivot of an LU factorization with partial pivoting."""
    a = np.array(a2, dtype=np.float64)
    n = a.shape[0]
    for j in range(n):
        p = j + int(np.argmax(np.abs(a[j:, j])))
        if a[p, j] == 0:
            return j + 1
        if p != j:
            a[[j, p]] = a[[p, j]]
        a[j + 1:, j:] -= np.outer(a[j + 1:, j] / a[j, j], a[j, j:])
    return n


def _singular_info(a):
    """(batch index, pivot) of the first singular matrix of a batch."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for i, m in enumerate(flat):
        try:
            np.linalg.inv(m)
        except np.linalg.LinAlgError:
            return i, _first_zero_pivot(m)
    return 0, a.shape[-1]


class Inv(Function):
    _arrays = True
    name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a):
        try:
            out = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            i, piv = _singular_info(a)
            raise _LinAlgError(
                f"linalg.inv: {_batch_prefix(a, i)}The diagonal element {piv} is zero, the "
                "inversion could not be completed because the input matrix is singular."
            ) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (ai,) = ctx.saved_tensors
        ait = _swap(ai)
        return -(ait @ grad @ ait)


def inv(A, *, out=None) -> Tensor:
    """The inverse of a square matrix (or of each matrix of a batch)."""
    A = _tensor_arg(A, "linalg_inv", "A", 1)
    _square_check(A, "linalg.inv")
    _float_check(A, "linalg.inv")
    return _out(Inv.apply(A), out)


inverse = inv


class Det(Function):
    _arrays = True
    name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        d = np.asarray(np.linalg.det(a), dtype=a.dtype)
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx, grad):
        a, d = ctx.saved_tensors
        gd = (grad * d).reshape(tuple(grad.shape) + (1, 1))
        if isinstance(a, Tensor):
            return gd * _swap(np.linalg.inv(a))
        # the cofactor matrix from the SVD, valid for singular matrices too
        u, s, vh = np.linalg.svd(a)
        n = s.shape[-1]
        ones = np.ones(s.shape[:-1] + (1,), s.dtype)
        pre = np.cumprod(np.concatenate([ones, s[..., :-1]], -1), -1)
        post = np.cumprod(np.concatenate([ones, s[..., :0:-1]], -1), -1)[..., ::-1]
        others = pre * post
        sign = np.linalg.det(u) * np.linalg.det(vh)
        cof = (u * others[..., None, :]) @ vh * sign[..., None, None]
        g = (grad * 1).reshape(tuple(grad.shape) + (1, 1)) * cof
        del n
        return g.astype(a.dtype)


def det(A, *, out=None) -> Tensor:
    """The determinant of a square matrix (or batch)."""
    A = _tensor_arg(A, "linalg_det", "A", 1)
    _square_check(A, "linalg.det")
    _float_check(A, "linalg.det")
    return _out(Det.apply(A), out)


class Slogdet(Function):
    _arrays = True
    name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, a):
        sign, logabs = np.linalg.slogdet(a)
        sign = np.asarray(sign, dtype=a.dtype)
        ctx.save_for_backward(a)
        return sign, np.asarray(logabs, dtype=a.dtype)

    @staticmethod
    def backward(ctx, gsign, glog):
        (a,) = ctx.saved_tensors
        g = glog.reshape(tuple(glog.shape) + (1, 1))
        return g * _swap(np.linalg.inv(a))


def slogdet(A, *, out=None):
    """``(sign, log|det|)`` of a square matrix (or batch)."""
    A = _tensor_arg(A, "linalg_slogdet", "A", 1)
    _square_check(A, "linalg.slogdet")
    _float_check(A, "linalg.slogdet")
    sign, logabs = Slogdet.apply(A)
    return _slogdet_result(sign, logabs)


def _result_type(name, fields):
    from ..return_types import _make

    return _make(name, tuple(fields))


_slogdet_t = _result_type("linalg_slogdet", ("sign", "logabsdet"))
_qr_t = _result_type("linalg_qr", ("Q", "R"))
_svd_t = _result_type("linalg_svd", ("U", "S", "Vh"))
_eigh_t = _result_type("linalg_eigh", ("eigenvalues", "eigenvectors"))


def _slogdet_result(sign, logabs):
    return _slogdet_t((sign, logabs))


class Solve(Function):
    _arrays = True
    name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, a, b, vector, left):
        aa = a if left else _swap(a)  # X A = B  <=>  A^T X^T = B^T
        bb = b if (left or vector) else _swap(b)
        try:
            x = np.linalg.solve(aa, bb[..., None] if vector else bb)
        except np.linalg.LinAlgError:
            raise _LinAlgError(
                "torch.linalg.solve: The solver failed because the input matrix is singular."
            ) from None
        if vector:
            x = x[..., 0]
        elif not left:
            x = _swap(x)
        x = np.ascontiguousarray(x, dtype=a.dtype)
        ctx.vector, ctx.left = vector, left
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        vector, left = ctx.vector, ctx.left
        g, xx = grad, x
        if vector:  # a column (left) or row (right) vector
            extra = (-1, 1) if left else (1, -1)
            g = g.reshape(tuple(g.shape)[:-1] + extra)
            xx = xx.reshape(tuple(xx.shape)[:-1] + extra)
        if left:  # X = A^-1 B
            gb = np.linalg.solve(_swap(a), g)
            ga = -(gb @ _swap(xx))
        else:  # X = B A^-1
            gb = _swap(np.linalg.solve(a, _swap(g)))
            ga = -(_swap(xx) @ gb)
        if vector:
            gb = gb.reshape(tuple(grad.shape))
        return ga, gb, None, None


def solve(A, B, *, left=True, out=None) -> Tensor:
    """Solves ``A X = B`` (``X A = B`` with ``left=False``) for square ``A``; ``B`` may be a
    vector or a batch of vectors, and batch dimensions broadcast."""
    A = _tensor_arg(A, "linalg_solve", "A", 1)
    B = _tensor_arg(B, "linalg_solve", "B", 2)
    _square_check(A, "linalg.solve")
    _float_check(A, "linalg.solve")
    a, b = A._data, B._data
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{_sn(a.dtype)} and B of type {_sn(b.dtype)} instead"
        )
    n = a.shape[-1]
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bs = b.shape + (1,) if vector else b.shape
    if b.ndim == 0 or (bs[-2] if left else bs[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
            f"({n}x{n} and {bs[-2]}x{bs[-1]})"
        )
    return _out(Solve.apply(A, B, vector, left), out)


class Cholesky(Function):
    _arrays = True
    name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, a, upper):
        try:
            low = np.linalg.cholesky(_swap(a) if upper else a)
        except np.linalg.LinAlgError:
            flat = a.reshape((-1,) + a.shape[-2:])
            idx, order = 0, a.shape[-1]
            for i, m in enumerate(flat):
                m = m.T if upper else m
                bad = next((k for k in range(1, m.shape[0] + 1)
                            if not _is_pd(m[:k, :k])), None)
                if bad is not None:
                    idx, order = i, bad
                    break
            raise _LinAlgError(
                f"linalg.cholesky: {_batch_prefix(a, idx)}The factorization could not be "
                "completed because the input is not positive-definite (the leading minor of "
                f"order {order} is not positive-definite)."
            ) from None
        low = low.astype(a.dtype, copy=False)
        ctx.upper = upper
        out = np.ascontiguousarray(_swap(low)) if upper else low
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        L = _swap(out) if ctx.upper else out
        gL = _swap(grad) if ctx.upper else grad
        gA = np.tril(_swap(L) @ gL)
        gA = 0.5 * (gA + _swap(np.tril(gA, -1)))
        gA = np.linalg.solve(_swap(L), gA)  # L^-H gA
        gA = _swap(np.linalg.solve(_swap(L), _swap(gA)))  # (...) L^-1
        return gA, None


def _is_pd(m):
    try:
        np.linalg.cholesky(m)
        return True
    except np.linalg.LinAlgError:
        return False


def cholesky(A, *, upper=False, out=None) -> Tensor:
    """The Cholesky factor ``L`` (lower) with ``A = L L^T``, or ``U`` with ``upper=True``."""
    A = _tensor_arg(A, "linalg_cholesky", "A", 1)
    _square_check(A, "linalg.cholesky")
    _float_check(A, "linalg.cholesky")
    return _out(Cholesky.apply(A, bool(upper)), out)


class Qr(Function):
    _arrays = True
    name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, a, mode):
        ctx.set_materialize_grads(False)
        if mode == "r":
            r = np.linalg.qr(a, mode="r").astype(a.dtype, copy=False)
            q = np.zeros((0,), a.dtype)
            ctx.mode = mode
            return q, r
        q, r = np.linalg.qr(a, mode=mode)
        q, r = q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)
        ctx.mode = mode
        ctx.save_for_backward(q, r)
        return q, r

    @staticmethod
    def backward(ctx, gQ, gR):
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr."
            )
        Q, R = ctx.saved_tensors
        m, n = Q.shape[-2], R.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if gQ is None and gR is None:
            return None, None
        dt = R.dtype if isinstance(R, np.ndarray) else R._data.dtype
        if m >= n:
            return _qr_grad_square(Q, R, gQ, gR, dt), None
        # wide A = Q [U | V]: the square part X = Q U, and Y = Q V
        U, V = _cols(R, 0, m), _cols(R, m, n)
        gU = _cols(gR, 0, m) if gR is not None else None
        gV = _cols(gR, m, n) if gR is not None else None
        if gV is not None:
            extra = (Q @ V) @ _swap(gV)
            gQ = extra if gQ is None else gQ + extra
        gX = _qr_grad_square(Q, U, gQ, gU, dt)
        gY = Q @ gV if gV is not None else np.zeros(tuple(Q.shape[:-1]) + (n - m,), dt) * 0
        if isinstance(gX, Tensor) or isinstance(gY, Tensor):
            from .joining import cat

            return cat([gX, as_operand(gY)], -1), None
        return np.concatenate([gX, gY], -1), None


def _cols(x, a, b):
    return x[..., a:b] if isinstance(x, np.ndarray) else x.narrow(-1, a, b - a)


def _qr_grad_square(Q, R, gQ, gR, dt):
    """gA = (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q (m >= n)."""
    if gR is not None and gQ is not None:
        M = R @ _swap(gR) - _swap(gQ) @ Q
    elif gR is not None:
        M = R @ _swap(gR)
    else:
        M = -(_swap(gQ) @ Q)
    c = np.tril(M) + _swap(np.tril(M, -1))
    b = Q @ c
    if gQ is not None:
        b = b + gQ
    return _swap(np.linalg.solve(R, _swap(b)))  # b R^-T


def qr(A, mode="reduced", *, out=None):
    """QR decomposition ``A = Q R``; mode 'reduced' (default), 'complete' or 'r'."""
    A = _tensor_arg(A, "linalg_qr", "A", 1)
    if A._data.ndim < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    _float_check(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    q, r = Qr.apply(A, mode)
    return _qr_t((q, r))


def _svd_grad(gU, gS, gVh, U, S, Vh, dt):
    """PyTorch's svd_backward for real inputs (distinct singular values)."""
    m, n = U.shape[-2], Vh.shape[-1]
    k = S.shape[-1]
    if gU is None and gVh is None:
        gS2 = gS.reshape(tuple(gS.shape)[:-1] + (1, k))
        return (U * gS2) @ Vh
    Sr = S.reshape(tuple(S.shape)[:-1] + (1, k))  # S as a row
    Sc = S.reshape(tuple(S.shape)[:-1] + (k, 1))  # S as a column
    eye = np.eye(k, dtype=dt)
    S2 = S * S
    E = S2.reshape(tuple(S.shape)[:-1] + (1, k)) - S2.reshape(tuple(S.shape)[:-1] + (k, 1)) + eye
    UhgU = VhgV = None
    if gU is not None:
        X = _swap(U) @ gU
        UhgU = X - _swap(X)
    if gVh is not None:
        X = Vh @ _swap(gVh)
        VhgV = X - _swap(X)
    if UhgU is not None and VhgV is not None:
        gA = (UhgU * Sr + Sc * VhgV) / E
    elif UhgU is not None:
        gA = (UhgU * Sr) / E
    else:
        gA = (Sc * VhgV) / E
    if gS is not None:
        gA = gA + gS.reshape(tuple(gS.shape) + (1,)) * eye
    if m > n and gU is not None:
        gA = U @ gA
        gUSinv = gU / Sr
        gA = gA + gUSinv - U @ (_swap(U) @ gUSinv)
        gA = gA @ Vh
    elif m < n and gVh is not None:
        gA = gA @ Vh
        SinvgVh = gVh / Sc
        gA = gA + SinvgVh - (SinvgVh @ _swap(Vh)) @ Vh
        gA = U @ gA
    else:
        gA = U @ (gA @ Vh)
    return gA


class Svd(Function):
    _arrays = True
    name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a, full_matrices):
        ctx.set_materialize_grads(False)
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        u, s, vh = (x.astype(a.dtype, copy=False) for x in (u, s, vh))
        ctx.save_for_backward(u, s, vh)
        ctx.full = full_matrices
        return u, s, vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        dt = S.dtype if isinstance(S, np.ndarray) else S._data.dtype
        k = S.shape[-1]
        if ctx.full:
            def narrow_cols(x):
                if x is None:
                    return None
                return x[..., :k] if isinstance(x, np.ndarray) else x.narrow(-1, 0, k)

            def narrow_rows(x):
                if x is None:
                    return None
                return x[..., :k, :] if isinstance(x, np.ndarray) else x.narrow(-2, 0, k)

            U, gU = narrow_cols(U), narrow_cols(gU)
            Vh, gVh = narrow_rows(Vh), narrow_rows(gVh)
        return _svd_grad(gU, gS, gVh, U, S, Vh, dt), None


class Svdvals(Function):
    _arrays = True
    name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a):
        if ctx.needs_input_grad[0]:
            u, s, vh = np.linalg.svd(a, full_matrices=False)
            ctx.uvh = (u.astype(a.dtype, copy=False), vh.astype(a.dtype, copy=False))
            ctx.save_for_backward(a)
        else:
            s = np.linalg.svd(a, compute_uv=False)
        return s.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, gS):
        (a,) = ctx.saved_tensors
        if isinstance(a, Tensor):  # create_graph: U and Vh as differentiable functions of A
            U, _, Vh = Svd.apply(a, False)
        else:
            U, Vh = ctx.uvh
        k = gS.shape[-1]
        return (U * gS.reshape(tuple(gS.shape)[:-1] + (1, k))) @ Vh


def svd(A, full_matrices=True, *, driver=None, out=None):
    """Singular value decomposition ``A = U diag(S) Vh``."""
    A = _tensor_arg(A, "linalg_svd", "A", 1)
    if A._data.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    _float_check(A, "linalg.svd")
    u, s, vh = Svd.apply(A, bool(full_matrices))
    return _svd_t((u, s, vh))


def svdvals(A, *, driver=None, out=None) -> Tensor:
    """The singular values of ``A``, in descending order."""
    A = _tensor_arg(A, "linalg_svdvals", "A", 1)
    if A._data.ndim < 2:
        raise RuntimeError("linalg.svdvals: The input tensor A must have at least 2 dimensions.")
    _float_check(A, "linalg.svdvals")
    return _out(Svdvals.apply(A), out)


class Eigh(Function):
    _arrays = True
    name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, a, uplo, want_vectors):
        ctx.set_materialize_grads(False)
        if not want_vectors:
            w = np.linalg.eigvalsh(a, UPLO=uplo).astype(a.dtype, copy=False)
            if ctx.needs_input_grad[0]:
                _, v = np.linalg.eigh(a, UPLO=uplo)
                ctx.uplo = uplo
                ctx.save_for_backward(w, v.astype(a.dtype, copy=False), a)
            return w
        w, v = np.linalg.eigh(a, UPLO=uplo)
        w, v = w.astype(a.dtype, copy=False), v.astype(a.dtype, copy=False)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gL, gV=None):
        saved = ctx.saved_tensors
        L, V = saved[:2]
        if len(saved) == 3 and isinstance(saved[2], Tensor):  # create_graph: V depends on A
            L, V = Eigh.apply(saved[2], ctx.uplo, True)
        dt = L.dtype if isinstance(L, np.ndarray) else L._data.dtype
        k = L.shape[-1]
        eye = np.eye(k, dtype=dt)
        if gV is None:
            return (V * gL.reshape(tuple(gL.shape)[:-1] + (1, k))) @ _swap(V), None, None
        X = _swap(V) @ gV
        X = 0.5 * (X - _swap(X))
        E = L.reshape(tuple(L.shape)[:-1] + (1, k)) - L.reshape(tuple(L.shape)[:-1] + (k, 1)) \
            + eye
        gA = X / E
        if gL is not None:
            gA = gA + gL.reshape(tuple(gL.shape) + (1,)) * eye
        return V @ (gA @ _swap(V)), None, None


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix, from its lower ('L') or
    upper ('U') triangle."""
    A = _tensor_arg(A, "linalg_eigh", "A", 1)
    _square_check(A, "linalg.eigh")
    _float_check(A, "linalg.eigh")
    w, v = Eigh.apply(A, UPLO.upper(), True)
    return _eigh_t((w, v))


def eigvalsh(A, UPLO="L", *, out=None) -> Tensor:
    """Eigenvalues (ascending) of a symmetric matrix."""
    A = _tensor_arg(A, "linalg_eigvalsh", "A", 1)
    _square_check(A, "linalg.eigvalsh")
    _float_check(A, "linalg.eigvalsh")
    return _out(Eigh.apply(A, UPLO.upper(), False), out)


class Vecdot(Function):
    _arrays = True
    name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, y, dim):
        x, y, _ = operands(x, y)
        prod = np.multiply(x, y)
        ctx.dim = dim
        ctx.kshape = prod.shape[:dim % prod.ndim] + (1,) + prod.shape[dim % prod.ndim + 1:]
        need = ctx.needs_input_grad
        ctx.save_for_backward(y if need[0] else None, x if need[1] else None)
        return np.sum(prod, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        g = grad.reshape(ctx.kshape)
        return (g * y if y is not None else None), (g * x if x is not None else None), None


def vecdot(x, y, *, dim=-1, out=None) -> Tensor:
    """Dot product of vectors along ``dim``, with broadcasting."""
    x = _tensor_arg(x, "linalg_vecdot", "x", 1)
    y = _tensor_arg(y, "linalg_vecdot", "y", 2)
    shape = _infer_size(x._data.shape, y._data.shape)
    d = _wrap_dim(dim, len(shape))
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(
            f"linalg.vecdot: Expected x and y to have the same dtype, but found "
            f"x of type {_sn(x._data.dtype)} and y of type {_sn(y._data.dtype)} instead"
        )
    return _out(Vecdot.apply(x, y, d - len(shape)), out)


def matrix_power(A, n, *, out=None) -> Tensor:
    """``A`` multiplied by itself ``n`` times (``n < 0``: powers of the inverse)."""
    A = _tensor_arg(A, "linalg_matrix_power", "A", 1)
    _square_check(A, "linalg.matrix_power")
    if n == 0:
        eye = np.broadcast_to(np.eye(A._data.shape[-1], dtype=A._data.dtype), A._data.shape)
        return _out(Tensor._make(eye.copy(), False), out)
    if n < 0:
        A = inv(A)
        n = -n
    r = A
    for _ in range(n - 1):
        r = matmul(r, A)
    return _out(r, out)


# ---------------------------------------------------------------- out=
def _out(result, out):
    if out is None:
        return result
    from .arithmetic import _out as _arith_out

    return _arith_out(result, out)


# ---------------------------------------------------------------- methods and dispatch
def _rmatmul(self, other):
    if not isinstance(other, (Tensor, np.ndarray)):
        return NotImplemented
    return matmul(other, self)


def _matmul_op(self, other):
    if not isinstance(other, (Tensor, np.ndarray)):
        return NotImplemented
    return matmul(self, other)


def _np_dot(a, b, out=None):
    a, b = as_operand(a), as_operand(b)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor) or a.dim() == 0 or b.dim() == 0:
        return a * b
    if b.dim() > 2:
        return tensordot(a, b, ([-1], [-2]))
    return matmul(a, b)


def _np_diagonal(a, offset=0, axis1=0, axis2=1):
    return diagonal(a, offset, axis1, axis2)


def _np_trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    if offset == 0 and axis1 == 0 and axis2 == 1 and a.dim() == 2:
        return trace(a)
    return einsum("...i->...", diagonal(a, offset, axis1, axis2))


def _np_tensordot(a, b, axes=2):
    return tensordot(a, b, axes)


def _np_cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return linalg_cross(as_operand(a), as_operand(b), dim=-1 if axis is None else axis)


def _np_norm(x, ord=None, axis=None, keepdims=False):
    return linalg_norm(x, ord, axis, keepdims)


register(
    matmul=matmul,
    __matmul__=_matmul_op,
    __rmatmul__=_rmatmul,
    mm=mm,
    bmm=bmm,
    mv=mv,
    dot=dot,
    vdot=vdot,
    outer=outer,
    ger=outer,
    inner=inner,
    kron=kron,
    addmm=addmm,
    addmv=addmv,
    addbmm=addbmm,
    baddbmm=baddbmm,
    addr=addr,
    cross=cross,
    trace=trace,
    diag=diag,
    diagonal=diagonal,
    diag_embed=diag_embed,
    tril=tril,
    triu=triu,
    tril_=_tril_,
    triu_=_triu_,
    det=det,
    inverse=inv,
    dispatch=(
        (np.matmul, lambda a, b, **kw: matmul(a, b)),
        (np.dot, _np_dot),
        (np.vdot, vdot),
        (np.inner, inner),
        (np.einsum, lambda *args, optimize=False, **kw: einsum(*args)),
        (np.tensordot, _np_tensordot),
        (np.outer, lambda a, b, out=None: outer(as_operand(a).flatten(),
                                               as_operand(b).flatten())),
        (np.kron, kron),
        (np.cross, _np_cross),
        (np.trace, _np_trace),
        (np.tril, lambda m, k=0: tril(m, k)),
        (np.triu, lambda m, k=0: triu(m, k)),
        (np.diagonal, _np_diagonal),
        (np.linalg.inv, inv),
        (np.linalg.det, det),
        (np.linalg.solve, lambda a, b: solve(a, b)),
        (np.linalg.cholesky, lambda a, upper=False: cholesky(a, upper=upper)),
        (np.linalg.norm, _np_norm),
        (np.linalg.svd, lambda a, full_matrices=True, compute_uv=True, hermitian=False:
            svd(a, full_matrices) if compute_uv else svdvals(a)),
        (np.linalg.qr, lambda a, mode="reduced": qr(a, mode)),
        (np.linalg.eigh, lambda a, UPLO="L": eigh(a, UPLO)),
        (np.linalg.eigvalsh, lambda a, UPLO="L": eigvalsh(a, UPLO)),
        (np.linalg.matrix_power, matrix_power),
        (np.linalg.slogdet, slogdet),
    ),
)
