"""Losses: the autograd Functions behind ``ember.nn.functional``'s loss functions, and the losses
PyTorch also offers at tensor level (``ember.kl_div``, ``ember.binary_cross_entropy_with_logits``,
``ember.ctc_loss``...), which take the reduction as PyTorch's enum (0 none, 1 mean, 2 sum).

Where PyTorch has a kernel with its own backward node (``nll_loss``, ``mse_loss``,
``binary_cross_entropy``, ``smooth_l1_loss``, ``huber_loss``, ``soft_margin_loss``,
``multi_margin_loss``, ``multilabel_margin_loss``, ``_ctc_loss``), Ember has a Function of the
same name (``NllLossBackward0``...) that follows PyTorch's formula step by step. Where PyTorch
composes other ops (``l1_loss``, ``kl_div``, ``cross_entropy`` = ``log_softmax`` + ``nll_loss``,
the margin and embedding losses), Ember composes the same Ember ops, so the graph and the
numbers are PyTorch's.

``nll_loss`` sums its terms the way PyTorch's CPU kernel does (a cascade of sequential partial
sums in the input dtype), so losses print exactly as under PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import _TYPE_NAMES, Tensor
from ..autograd.function import Function, _finish1, _NoCtx, _plain, _seq
from ..autograd.grad_mode import _state
from ._util import check_broadcast, operands
from .activation import LogSoftmax
from .linalg import VectorNorm

__all__ = [
    "binary_cross_entropy_with_logits", "cosine_embedding_loss", "ctc_loss",
    "hinge_embedding_loss", "kl_div", "margin_ranking_loss", "poisson_nll_loss",
    "triplet_margin_loss",
]

NONE, MEAN, SUM = 0, 1, 2
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_EXACT_MAX = 1024  # float32 arrays up to this size get correctly rounded exp/log (via float64)


# ---------------------------------------------------------------- helpers
def _tn(npd) -> str:
    """PyTorch's short dtype name (``Float``, ``Long``...)."""
    return _TYPE_NAMES[np.dtype(npd).name]


def _not_implemented(kernel: str, npd):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_tn(npd)}\'')


def _sizes(shape) -> str:
    """A shape as PyTorch's C++ prints it: ``[2, 3]``."""
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _rounded(fn, x):
    """``fn(x)``, correctly rounded for small float32 arrays (computed in float64)."""
    if x.dtype == _F32 and x.size <= _EXACT_MAX:
        return fn(x.astype(_F64)).astype(_F32)
    return fn(x)


def _reduce(loss, reduction):
    """PyTorch's ``apply_loss_reduction`` on an array."""
    if reduction == MEAN:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.sum(loss) / loss.dtype.type(loss.size) if loss.size
                              else loss.dtype.type(np.nan), dtype=loss.dtype)
    if reduction == SUM:
        return np.asarray(np.sum(loss), dtype=loss.dtype)
    return loss


def _norm(reduction, x):
    """The factor a mean reduction puts on every element's gradient."""
    return 1.0 / x.size if reduction == MEAN and x.size else 1.0


def no_grad_arg(fname: str, argname: str, t) -> None:
    """PyTorch's error for a tensor argument its kernel cannot differentiate."""
    if t is not None and isinstance(t, Tensor) and t._requires_grad and _state[0]:
        raise RuntimeError(
            f"The function '{fname}' is not differentiable with respect to argument '{argname}'. "
            "This input cannot have requires_grad True."
        )


def _float_pair(x, t, kernel):
    """``x`` and ``t`` cast to their promoted dtype, which must be floating."""
    x, t, dt = operands(x, t)
    if dt.kind != "f":
        raise _not_implemented(kernel, dt)
    return x, t, dt


def _like_input(x, t, kernel):
    """Kernels whose output has the input's dtype (``huber_loss``, ``soft_margin_loss``): the
    computation runs in the promoted dtype and is cast to the input's."""
    dx = x.dtype
    x2, t2, dt = operands(x, t)
    if dt != dx and dt.kind == "f" and dx.kind != "f":
        raise RuntimeError(f"result type {_tn(dt)} can't be cast to the desired output type "
                           f"{_tn(dx)}")
    if dt.kind != "f":
        raise _not_implemented(kernel, dt)
    return x2, t2, dx


# ---------------------------------------------------------------- tensor-scalar ops
# PyTorch's C++ loss code combines tensors with C++ scalars (``margin + dist``, ``x - eps``),
# which records the Scalar overloads' nodes (AddBackward1, SubBackward1, MulBackward1,
# DivBackward1); Python's ``tensor + 1.0`` records AddBackward0. These keep the graph PyTorch's.
class _AddScalar(Function):
    _arrays = True
    _n_edges = 1
    name = "AddBackward1"

    @staticmethod
    def forward(ctx, x, s):
        a, b, _ = operands(x, s)
        return np.add(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class _SubScalar(_AddScalar):
    name = "SubBackward1"

    @staticmethod
    def forward(ctx, x, s):
        a, b, _ = operands(x, s)
        return np.subtract(a, b)


class _RSubScalar(Function):
    """``scalar - tensor`` (PyTorch's C++ wraps the scalar: a ``SubBackward0`` node)."""

    _arrays = True
    name = "SubBackward0"

    @staticmethod
    def forward(ctx, s, x):
        a, b, _ = operands(s, x)
        return np.subtract(a, b)

    @staticmethod
    def backward(ctx, grad):
        return None, -grad


class _MulScalar(Function):
    _arrays = True
    _n_edges = 1
    name = "MulBackward1"

    @staticmethod
    def forward(ctx, x, s):
        ctx.s = s
        a, b, _ = operands(x, s)
        return np.multiply(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.s, None


class _DivScalar(Function):
    _arrays = True
    _n_edges = 1
    name = "DivBackward1"

    @staticmethod
    def forward(ctx, x, s):
        ctx.s = s
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.true_divide(x, x.dtype.type(s))

    @staticmethod
    def backward(ctx, grad):
        return grad / ctx.s, None


# ---------------------------------------------------------------- mse / smooth l1 / huber
class MseLoss(Function):
    """(x - t)^2, reduced."""

    _arrays = True
    _n_edges = 2
    name = "MseLossBackward0"

    @staticmethod
    def forward(ctx, x, t, reduction):
        xs, ts, dt = _float_pair(x, t, "mse_cpu")
        d = xs - ts
        out = _reduce(d * d, reduction)
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.norm = 2.0 / xs.size if reduction == MEAN and xs.size else 2.0
            ctx.save_for_backward(xs, ts)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        g = ctx.norm * (x - t) * grad
        need = ctx.needs_input_grad
        return (g if need[0] else None), (-g if need[1] else None), None


class SmoothL1Loss(Function):
    """0.5 (x - t)^2 / beta where |x - t| < beta, else |x - t| - 0.5 beta; reduced."""

    _arrays = True
    _n_edges = 2
    name = "SmoothL1LossBackward0"

    @staticmethod
    def forward(ctx, x, t, reduction, beta):
        xs, ts, dt = _float_pair(x, t, "smooth_l1_cpu")
        b = dt.type(beta)
        half = dt.type(0.5)
        z = np.abs(xs - ts)
        loss = np.where(z < b, half * z * z / b, z - half * b)
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.norm, ctx.beta = _norm(reduction, xs), beta
            ctx.save_for_backward(xs, ts)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        norm, beta = ctx.norm, ctx.beta
        d = x - t
        dv = np.asarray(d._data if isinstance(d, Tensor) else d)
        g = np.where(dv <= -beta, -norm * grad,
                     np.where(dv >= beta, norm * grad, norm * d * grad / beta))
        need = ctx.needs_input_grad
        return (g if need[0] else None), (-g if need[1] else None), None, None


class HuberLoss(Function):
    """0.5 (x - t)^2 where |x - t| < delta, else delta (|x - t| - 0.5 delta); reduced."""

    _arrays = True
    _n_edges = 2
    name = "HuberLossBackward0"

    @staticmethod
    def forward(ctx, x, t, reduction, delta):
        xs, ts, dx = _like_input(x, t, "huber_cpu")
        dt = xs.dtype
        dl = dt.type(delta)
        half = dt.type(0.5)
        z = np.abs(xs - ts)
        loss = np.where(z < dl, half * z * z, dl * (z - half * dl)).astype(dx, copy=False)
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.norm, ctx.delta = _norm(reduction, xs), delta
            ctx.save_for_backward(xs, ts)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        norm, delta = ctx.norm, ctx.delta
        d = x - t
        dv = np.asarray(d._data if isinstance(d, Tensor) else d)
        g = np.where(dv <= -delta, -norm * grad * delta,
                     np.where(dv >= delta, norm * grad * delta, norm * d * grad))
        need = ctx.needs_input_grad
        return (g if need[0] else None), (-g if need[1] else None), None, None


# ---------------------------------------------------------------- soft margin
class SoftMarginLoss(Function):
    """log(1 + exp(-t x)), reduced."""

    _arrays = True
    _n_edges = 1
    name = "SoftMarginLossBackward0"

    @staticmethod
    def forward(ctx, x, t, reduction):
        xs, ts, dx = _like_input(x, t, "soft_margin_loss")
        z = (-xs * ts).astype(dx, copy=False)
        loss = _rounded(lambda v: np.log1p(np.exp(v)), z)
        if ctx.needs_input_grad[0]:
            ctx.norm = _norm(reduction, x)
            ctx.save_for_backward(x, t)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        norm = ctx.norm
        z = np.exp(-t * x)
        return t * z * -norm / (z + 1) * grad, None, None


# ---------------------------------------------------------------- binary cross entropy
class BinaryCrossEntropy(Function):
    """-w (t log(x) + (1 - t) log(1 - x)), each log clamped at -100 as PyTorch does; reduced."""

    _arrays = True
    _n_edges = 2
    name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, t, w, reduction):
        dt = x.dtype
        if t.dtype != dt:
            raise RuntimeError(f"Found dtype {_tn(t.dtype)} but expected {_tn(dt)}")
        if dt.kind != "f":
            raise _not_implemented("binary_cross_entropy", dt)
        if x.shape != t.shape:
            check_broadcast(x.shape, t.shape)
        bad_x = ~((x >= 0) & (x <= 1))
        bad_t = ~((t >= 0) & (t <= 1))
        if bad_x.any() or bad_t.any():
            first = np.flatnonzero(np.broadcast_to(bad_x | bad_t, np.broadcast_shapes(
                x.shape, t.shape)))[0]
            if np.broadcast_to(bad_x, np.broadcast_shapes(x.shape, t.shape)).flat[first]:
                raise RuntimeError("all elements of input should be between 0 and 1")
            raise RuntimeError("all elements of target should be between 0 and 1")
        m100 = dt.type(-100)
        one = dt.type(1)
        log_x = np.maximum(_rounded(np.log, x), m100)
        log_1mx = np.maximum(_rounded(np.log1p, -x), m100)
        loss = (t - one) * log_1mx - t * log_x
        if w is not None:
            loss = loss * w.astype(dt, copy=False)
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.norm = _norm(reduction, x)
            ctx.save_for_backward(x, t, None if w is None else w.astype(dt, copy=False))
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t, w = ctx.saved_tensors
        n = ctx.norm
        need = ctx.needs_input_grad
        gx = gt = None
        if need[0]:
            gx = grad * (x - t) / np.maximum((1 - x) * x, 1e-12)
            if w is not None:
                gx = gx * w
            if n != 1.0:
                gx = gx * n
        if need[1]:
            gt = -np.log(x / (1 - x)) * grad
            if w is not None:
                gt = gt * w
            if n != 1.0:
                gt = gt * n
        return gx, gt, None, None


def _log_sigmoid(x):
    """min(x, 0) - log1p(exp(-|x|)), PyTorch's log_sigmoid kernel."""
    return np.minimum(x, 0) - _rounded(lambda v: np.log1p(np.exp(v)), -np.abs(x))


class BinaryCrossEntropyWithLogits(Function):
    """(1 - t) x - log_sigmoid(x) (1 + (pos_weight - 1) t), times weight; reduced. Stable for
    any logit."""

    _arrays = True
    _n_edges = 2
    name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, x, t, w, pw, reduction):
        if x.dtype.kind != "f":
            raise _not_implemented("log_sigmoid_cpu", x.dtype)
        if t.dtype.kind != "f":
            raise RuntimeError(f"result type Float can't be cast to the desired output type "
                               f"{_tn(t.dtype)}")
        dt = t.dtype
        ls = _log_sigmoid(x)
        if pw is not None:
            if pw.shape != t.shape:
                check_broadcast(pw.shape, t.shape)
            lw = (pw - 1) * t + 1
            ls = ls * lw
        loss = ((1 - t) * x - ls).astype(dt, copy=False)
        if w is not None:
            loss = (loss * w).astype(dt, copy=False)
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.norm = _norm(reduction, x)
            ctx.save_for_backward(x, t, w, pw)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t, w, pw = ctx.saved_tensors
        n = ctx.norm
        need = ctx.needs_input_grad
        gx = gt = None
        if need[0]:
            sig = 1 / (1 + np.exp(-x))
            if pw is not None:
                tp = pw * t
                gx = ((tp + 1) - t) * sig - tp
            else:
                gx = sig - t
            gx = gx * grad
            if w is not None:
                gx = gx * w
            if n != 1.0:
                gx = gx * n
        if need[1]:
            if pw is not None:
                gt = _log_sigmoid_any(-x) - _log_sigmoid_any(x) * pw
            else:
                gt = -x
            gt = gt * grad
            if w is not None:
                gt = gt * w
            if n != 1.0:
                gt = gt * n
        return gx, gt, None, None, None


def _log_sigmoid_any(x):
    if isinstance(x, Tensor):
        from .activation import LogSigmoid

        return LogSigmoid.apply(x)
    return _log_sigmoid(x)


# ---------------------------------------------------------------- nll
def _seq_sum(a, dt):
    """Sequential (left to right) sum of a 1-D array in dtype ``dt``, starting from 0."""
    if a.size == 0:
        return dt.type(0)
    return np.add.accumulate(a, dtype=dt)[-1]


def _cascade_sum_loop(vals, valid, dt):
    zero = dt.type(0)
    levels = [zero] * 8
    for b in np.flatnonzero(valid).tolist():
        levels[0] = dt.type(levels[0] + vals[b])
        for j in range(7):
            if b & (15 << (4 * j)):
                break
            levels[j + 1] = dt.type(levels[j + 1] + levels[j])
            levels[j] = zero
    acc = zero
    for v in levels:
        acc = dt.type(acc + v)
    return acc


def cascade_sum(vals, valid=None):
    """The sum of 1-D ``vals`` as PyTorch's CPU nll_loss kernels accumulate it: partial sums in
    8 levels, level j + 1 taking level j's sum every 16**(j + 1) elements, then the levels added
    in order. Entries where ``valid`` is False are skipped (and do not trigger a carry)."""
    dt = vals.dtype
    n = vals.size
    zero = dt.type(0)
    if n == 0:
        return zero
    if valid is not None:
        if not valid[::16].all():
            return _cascade_sum_loop(vals, valid, dt)
        vals = np.where(valid, vals, zero)
    # element 0 carries straight to the top level; the others fill level 0 in runs of 16,
    # each run's sum carrying to level 1, whose runs of 16 carry to level 2, ...
    acc = zero
    cur = vals[1:]
    depth = 0
    while cur.size and depth < 7:
        k = cur.size >> 4
        if cur.size & 15:
            acc = dt.type(acc + np.add.accumulate(cur[k << 4:])[-1])
        cur = np.add.accumulate(cur[:k << 4].reshape(k, 16), axis=1)[:, 15] if k else cur[:0]
        depth += 1
    if depth < 7:
        acc = dt.type(acc + zero)  # the empty levels (turns -0.0 into 0.0, as in PyTorch)
    top = vals[0] if not cur.size else np.add.accumulate(np.concatenate((vals[:1], cur)))[-1]
    return dt.type(acc + top)


def _nll_weight(w, dt):
    if w is None:
        return None
    if w.dtype != dt:
        raise RuntimeError(f"expected scalar type {_tn(dt)} but found {_tn(w.dtype)}")
    return w


class NllLoss(Function):
    """-w[t] x[t] per sample, skipping ``ignore_index``; 'mean' divides by the summed weights.

    ``x`` is (C,), (N, C), or (N, C, d1, ...) with targets (N, d1, ...) (``NllLoss2d``).
    """

    _arrays = True
    _n_edges = 1
    name = "NllLossBackward0"
    kernel = "nll_loss_out_frame"

    @staticmethod
    def forward(ctx, x, t, w, reduction, ignore_index):
        dt = x.dtype
        if dt.kind != "f":
            raise _not_implemented(NllLoss2d.kernel if x.ndim > 2 else NllLoss.kernel, dt)
        tdt = t.dtype
        if tdt != np.int64 and tdt != np.uint8:
            raise RuntimeError("expected target dtype to be Long or Byte, but got "
                               f"{_tn(tdt)}")
        if w is not None:
            w = _nll_weight(w, dt)
        if x.ndim == 1:
            c = x.shape[0]
            x3 = x.reshape(1, c, 1)
        else:
            c = x.shape[1]
            x3 = x.reshape(x.shape[0], c, math.prod(x.shape[2:]))
        m = x3.shape[2]
        tf = t.reshape(-1)
        n = tf.size
        if tdt != np.int64:
            tf = tf.astype(np.int64)
        zero = dt.type(0)
        # fast check: every target in [0, C) and ignore_index outside it
        # (as unsigned, a negative target is huge: one max checks both ends)
        if n and (ignore_index < 0 or ignore_index >= c) and tf.view(np.uint64).max() < c:
            all_valid, valid, ts = True, None, tf
        else:
            valid = tf != ignore_index
            all_valid = bool(valid.all())
            bad = (tf < 0) | (tf >= c)
            if not all_valid:
                bad &= valid
            if bad.any():
                raise IndexError(f"Target {tf[np.flatnonzero(bad)[0]]} is out of bounds.")
            ts = tf if all_valid else np.where(valid, tf, 0)
        ar = np.arange(n)
        where = (ar, ts, 0) if m == 1 else (ar // m, ts, ar % m)
        picked = x[ar, ts] if x.ndim == 2 else x3[where]
        wt = None
        if w is not None:
            wt = w[ts]
            if not all_valid:
                wt = np.where(valid, wt, zero)
            picked = picked * wt
        elif not all_valid:
            picked = np.where(valid, picked, zero)
        tw = None
        if reduction == NONE:
            out = np.negative(picked).reshape(t.shape if x.ndim > 1 else ())
        else:
            out = cascade_sum(np.negative(picked), valid)
            if w is None:
                tw = dt.type(n if all_valid else int(valid.sum()))
            else:
                tw = cascade_sum(wt, valid)
            if reduction == MEAN:
                if tw:
                    out = dt.type(out / tw)
                else:
                    with np.errstate(invalid="ignore", divide="ignore"):
                        out = dt.type(out / tw)
            out = np.asarray(out, dtype=dt)
        if ctx.needs_input_grad[0]:
            # the gradient is -w[t] (times the output gradient, over the total weight for
            # 'mean') at each target position, 0 elsewhere
            ctx.where, ctx.shape3, ctx.shape = where, x3.shape, x.shape
            ctx.dt = dt
            ctx.vals = wt if wt is not None else (None if all_valid else valid.astype(dt))
            ctx.reduction = reduction
            ctx.tw = tw
        return out

    @staticmethod
    def backward(ctx, grad):
        red = ctx.reduction
        vals = ctx.vals
        if red == MEAN:
            g = -(grad / ctx.tw)
        elif red == SUM:
            g = -grad
        else:
            g = None
        if not isinstance(grad, Tensor):
            out = np.zeros(ctx.shape3, ctx.dt)
            if g is not None:  # PyTorch's kernel: w[t] * -(g / total_weight)
                out[ctx.where] = g if vals is None else vals * g
            else:  # -w[t] * g[i]
                gi = grad.reshape(-1)
                out[ctx.where] = -gi if vals is None else -vals * gi
            return out.reshape(ctx.shape), None, None, None, None
        coef = np.zeros(ctx.shape3, ctx.dt)
        coef[ctx.where] = 1 if vals is None else vals
        coef = coef.reshape(ctx.shape)
        if g is not None:
            return g * coef, None, None, None, None
        if coef.ndim > 1:  # grad has the target's shape: put the class dim back
            grad = grad.reshape(grad.shape[:1] + (1,) + grad.shape[1:])
        return -grad * coef, None, None, None, None


class NllLoss2d(NllLoss):
    name = "NllLoss2DBackward0"
    kernel = "nll_loss2d_forward_out_frame"


_NO_CTXS = {n: _NoCtx(n) for n in range(2, 6)}
_NEEDS_FIRST = {n: (True,) + (False,) * (n - 1) for n in range(2, 6)}


def _apply_first(cls, x, *rest):
    """``cls.apply(x, *rest)`` with less per-call work, for Functions whose only graph input is
    the tensor ``x`` (``rest``: arrays and constants). cross_entropy runs this on every
    training step."""
    nargs = 1 + len(rest)
    if not (x._requires_grad and _state[0]):
        return _plain(cls.forward(_NO_CTXS[nargs], x._data, *rest))
    fn = x._grad_fn
    if fn is not None and x._base is not None:  # a view: let the general path find its node
        return cls.apply(x, *rest)
    ctx = object.__new__(cls._backward_cls)
    ctx._sequence_nr = next(_seq)
    ctx.needs_input_grad = _NEEDS_FIRST[nargs]
    d = x._data
    out = cls.forward(ctx, d, *rest)
    ctx.next_functions = ((fn, x._output_nr) if fn is not None else (x._grad_accumulator(), 0),)
    ctx._in_meta = ((d.shape, d.dtype),) + (None,) * (nargs - 1)
    return _finish1(ctx, out, (x,), (d,))


def _nll_apply(cls, x, t, w, reduction, ignore_index):
    return _apply_first(cls, x, t._data, None if w is None else w._data, reduction,
                        ignore_index)


def nll_loss(input, target, weight=None, reduction=MEAN, ignore_index=-100) -> Tensor:
    """PyTorch's ``nll_loss`` for (C,) or (N, C) input (``torch._C._nn.nll_loss``)."""
    no_grad_arg("nll_loss_forward", "weight", weight)
    x = input._data
    t = target._data
    if not 0 < x.ndim <= 2:
        raise RuntimeError("input tensor should be 1D or 2D")
    if t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if x.ndim == 1 and t.ndim == 1:
        if t.shape[0] != 1:
            raise ValueError("For 1D input, 1D target must have size 1, but got target size: "
                             f"{t.shape[0]}")
    elif not (x.ndim == 1 and t.ndim == 0) and x.shape[0] != (t.shape[0] if t.ndim else 1):
        raise RuntimeError(f"size mismatch (got input: {_sizes(x.shape)}, target: "
                           f"{_sizes(t.shape)})")
    c = x.shape[-1]
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {_sizes(weight.shape)}")
    return _nll_apply(NllLoss, input, target, weight, reduction, ignore_index)


def nll_loss2d(input, target, weight=None, reduction=MEAN, ignore_index=-100) -> Tensor:
    """PyTorch's ``nll_loss2d``: (N, C, H, W) input, (N, H, W) target."""
    no_grad_arg("nll_loss2d_forward", "weight", weight)
    x = input._data
    t = target._data
    if t.ndim != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {t.ndim}")
    if x.ndim != 4:
        raise RuntimeError("only batches of spatial inputs supported (4D tensors), but got "
                           f"input of dimension: {x.ndim}")
    if weight is not None and weight._data.size != x.shape[1]:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    if x.shape[0] != t.shape[0] or x.shape[2] != t.shape[1] or x.shape[3] != t.shape[2]:
        raise RuntimeError(f"size mismatch (got input: {_sizes(x.shape)} , target: "
                           f"{_sizes(t.shape)}")
    return _nll_apply(NllLoss2d, input, target, weight, reduction, ignore_index)


def nll_loss_nd(input, target, weight=None, reduction=MEAN, ignore_index=-100) -> Tensor:
    """PyTorch's ``nll_loss_nd``: input (C,), (N, C) or (N, C, d1, ...), target without C."""
    x = input._data
    t = target._data
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if x.ndim != 1 and x.shape[0] != (t.shape[0] if t.ndim else 0):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    if x.ndim <= 2:
        return nll_loss(input, target, weight, reduction, ignore_index)
    if x.ndim == 4:
        return nll_loss2d(input, target, weight, reduction, ignore_index)
    n, c = x.shape[0], x.shape[1]
    out_size = (n,) + x.shape[2:]
    if t.shape[1:] != x.shape[2:]:
        raise RuntimeError(f"Expected target size {_sizes(out_size)}, got {_sizes(t.shape)}")
    if x.size > 0:
        inp = input.contiguous().view(n, c, 1, -1)
    else:
        inp = input.contiguous().view(n, c, 0, 0)
    tgt = target.contiguous().view(n, 1, -1) if t.size > 0 else target.contiguous().view(n, 0, 0)
    out = nll_loss2d(inp, tgt, weight, reduction, ignore_index)
    if reduction == NONE:
        out = out.view(out_size)
    return out


# ---------------------------------------------------------------- multi margin
class MultiMarginLoss(Function):
    """sum_{j != y} max(0, margin - x[y] + x[j])^p * w[y] / C per sample; reduced."""

    _arrays = True
    _n_edges = 1
    name = "MultiMarginLossBackward0"

    @staticmethod
    def forward(ctx, x, t, p, margin, w, reduction):
        dt = x.dtype
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
        nframe, dim = x2.shape
        if dt.kind != "f":
            raise _not_implemented("multi_margin_loss_cpu_kernel", dt)
        if t.dtype != np.int64:
            raise RuntimeError(f"expected scalar type Long but found {_tn(t.dtype)}")
        if w is not None and w.dtype != dt:
            raise RuntimeError(f"expected scalar type {_tn(dt)} but found {_tn(w.dtype)}")
        tf = t.reshape(-1)
        if ((tf < 0) | (tf >= dim)).any():
            raise RuntimeError("target out of range")
        rows = np.arange(nframe)
        xt = x2[rows, tf][:, None]
        z = dt.type(margin) - xt + x2
        pos = z > 0
        pos[rows, tf] = False
        h = z if p == 1 else z * z
        if w is not None:
            h = h * w[tf][:, None]
        h = np.where(pos, h, dt.type(0))
        per = np.cumsum(h, axis=1, dtype=dt)[:, -1] / dt.type(dim) if dim else h.sum(1)
        per = per.astype(dt, copy=False)
        if reduction == NONE:
            out = per.reshape((nframe,) if x.ndim == 2 else ())
        else:  # PyTorch accumulates the samples in double
            total = _seq_sum(per.astype(_F64), _F64)
            if reduction == MEAN:
                total = total / nframe if nframe else np.nan
            out = np.asarray(total, dt)
        if ctx.needs_input_grad[0]:
            g = dt.type(1.0 / (nframe * dim) if reduction == MEAN else 1.0 / dim) \
                if nframe * dim else dt.type(0)
            hg = g if p == 1 else 2 * g * z
            if w is not None:
                hg = hg * w[tf][:, None]
            coef = np.where(pos, hg, dt.type(0)).astype(dt, copy=False)
            coef[rows, tf] = -np.cumsum(coef, axis=1, dtype=dt)[:, -1] if dim else 0
            ctx.coef = coef.reshape(x.shape)
            ctx.reduction = reduction
            ctx.batched = x.ndim == 2
        return out

    @staticmethod
    def backward(ctx, grad):
        coef = ctx.coef
        if ctx.reduction == NONE and ctx.batched:
            grad = grad.reshape(grad.shape + (1,))
        return coef * grad, None, None, None, None, None


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction=MEAN) -> Tensor:
    """PyTorch's ``multi_margin_loss`` kernel entry (``torch._C._nn.multi_margin_loss``)."""
    no_grad_arg("multi_margin_loss", "weight", weight)
    x = input._data
    nd = x.ndim
    if not ((nd == 2 and x.shape[1] != 0) or (nd == 1 and x.shape[0] != 0) or nd == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {_sizes(x.shape)}")
    nframe = 1 if nd <= 1 else x.shape[0]
    dim = 1 if nd == 0 else x.shape[-1]
    t = target._data
    if not (t.ndim <= 1 and t.size == nframe):
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{nframe}], but got "
            f"{_sizes(t.shape)}. Input has shape {_sizes(x.shape)}."
        )
    if weight is not None and not (weight._data.ndim <= 1 and weight._data.size == dim):
        raise RuntimeError(f"inconsistent weight size, expected {dim} but got "
                           f"{_sizes(weight.shape)}")
    return MultiMarginLoss.apply(input, target, p, margin, weight, reduction)


# ---------------------------------------------------------------- multilabel margin
class MultilabelMarginLoss(Function):
    """sum over targets j (up to the first -1) and non-targets i of
    max(0, 1 - (x[j] - x[i])) / C per sample; reduced."""

    _arrays = True
    _n_edges = 1
    name = "MultilabelMarginLossBackward0"

    @staticmethod
    def forward(ctx, x, t, reduction):
        dt = x.dtype
        if dt.kind != "f":
            raise _not_implemented("multilabel_margin_loss_forward_out_frame", dt)
        if t.dtype != np.int64:
            raise RuntimeError(f"expected scalar type Long but found {_tn(t.dtype)}")
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
        t2 = t.reshape(x2.shape)
        nframe, dim = x2.shape
        # targets count up to the first -1
        stop = np.cumsum(t2 < 0, axis=1) > 0
        is_tgt = np.zeros(x2.shape, bool)
        if ((t2 >= dim) & ~stop).any() or ((t2 < -1) & ~stop).any():
            raise RuntimeError("argument #2 'target' is out of range")
        rows = np.repeat(np.arange(nframe), dim).reshape(nframe, dim)
        tj = np.where(stop, 0, t2)
        is_tgt[rows[~stop], tj[~stop]] = True
        xj = np.where(stop, dt.type(0), x2[rows, tj])  # (N, K) target scores
        z = 1 - (xj[:, :, None] - x2[:, None, :])  # (N, K, C)
        act = (z > 0) & ~stop[:, :, None] & ~is_tgt[:, None, :]
        zz = np.where(act, z, dt.type(0))
        per = (zz.sum(axis=(1, 2)) / dt.type(dim)).astype(dt)
        if reduction == NONE:
            out = per.reshape(x.shape[:-1] if x.ndim == 2 else ())
        elif reduction == MEAN:
            out = np.asarray(per.mean() if nframe else dt.type(np.nan), dt)
        else:
            out = np.asarray(per.sum(), dt)
        if ctx.needs_input_grad[0]:
            g = dt.type(1.0 / (nframe * dim) if reduction == MEAN else 1.0 / dim)
            a = act.astype(dt) * g
            coef = a.sum(axis=1)  # +g for each non-target i per active pair
            sub = a.sum(axis=2)  # -g for each target j per active pair
            np.subtract.at(coef, (rows[~stop], tj[~stop]), sub[~stop])
            ctx.coef = coef.reshape(x.shape)
            ctx.reduction = reduction
            ctx.batched = x.ndim == 2
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.reduction == NONE and ctx.batched:
            grad = grad.reshape(grad.shape + (1,))
        return ctx.coef * grad, None, None


def multilabel_margin_loss(input, target, reduction=MEAN) -> Tensor:
    """PyTorch's ``multilabel_margin_loss`` kernel entry."""
    x = input._data
    t = target._data
    nd = x.ndim
    if not ((nd <= 1 and x.size) or (nd == 2 and x.shape[1] != 0) or nd == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {_sizes(x.shape)}")
    if nd <= 1:
        dim = 1 if nd == 0 else x.shape[0]
        if not (t.ndim <= 1 and t.size == dim):
            raise RuntimeError(f"inconsistent target size: {_sizes(t.shape)} for input of size: "
                               f"{_sizes(x.shape)}")
    else:
        if not (t.ndim == 2 and t.shape[0] == x.shape[0] and t.shape[1] == x.shape[1]):
            raise RuntimeError(f"inconsistent target size: {_sizes(t.shape)} for input of size: "
                               f"{_sizes(x.shape)}")
    return MultilabelMarginLoss.apply(input, target, reduction)


# ---------------------------------------------------------------- public kernel entries
def mse_loss(input, target, reduction=MEAN) -> Tensor:
    """``torch._C._nn.mse_loss``."""
    return MseLoss.apply(input, target, reduction)


def smooth_l1_loss(input, target, reduction=MEAN, beta=1.0) -> Tensor:
    """``torch._C._nn.smooth_l1_loss``."""
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return SmoothL1Loss.apply(input, target, reduction, beta)


def huber_loss(input, target, reduction=MEAN, delta=1.0) -> Tensor:
    """``torch._C._nn.huber_loss``."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return HuberLoss.apply(input, target, reduction, delta)


def soft_margin_loss(input, target, reduction=MEAN) -> Tensor:
    """``torch._C._nn.soft_margin_loss``."""
    no_grad_arg("soft_margin_loss", "target", target)
    return SoftMarginLoss.apply(input, target, reduction)


def binary_cross_entropy(input, target, weight=None, reduction=MEAN) -> Tensor:
    """``torch._C._nn.binary_cross_entropy``."""
    no_grad_arg("binary_cross_entropy", "weight", weight)
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
                                     reduction=NONE) -> Tensor:
    """Binary cross entropy of ``sigmoid(input)`` against ``target``, computed from the logits
    without overflow; ``pos_weight`` weighs the positive term per class. As in PyTorch, the
    tensor-level losses default to no reduction (0); 1 is 'mean', 2 'sum'.

    >>> ember.binary_cross_entropy_with_logits(ember.tensor([0.0]), ember.tensor([1.0]), None,
    ...                                        None, 1)
    tensor(0.6931)
    """
    no_grad_arg("binary_cross_entropy_with_logits", "weight", weight)
    no_grad_arg("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


# ---------------------------------------------------------------- composite losses
def apply_loss_reduction(loss: Tensor, reduction: int) -> Tensor:
    """PyTorch's ``apply_loss_reduction``: ``mean()``, ``sum()`` or the loss itself."""
    if reduction == MEAN:
        return loss.mean()
    if reduction == SUM:
        return loss.sum()
    return loss


def l1_loss(input, target, reduction=MEAN) -> Tensor:
    """``torch._C._nn.l1_loss``: ``|input - target|``, reduced."""
    return apply_loss_reduction((input - target).abs(), reduction)


def kl_div(input, target, reduction=NONE, *, log_target=False) -> Tensor:
    """Pointwise KL divergence ``target * (log(target) - input)`` (``input`` holds
    log-probabilities; ``target`` too when ``log_target``), reduced by enum.

    >>> ember.kl_div(ember.tensor([-1.0]), ember.tensor([0.5]), 2)
    tensor(0.1534)
    """
    x, t = input._data, target._data
    if x.dtype.kind in "biu" or t.dtype.kind in "biu":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    from .pointwise import exp, xlogy

    if log_target:
        out = exp(target) * (target - input)
    else:
        out = xlogy(target, target) - target * input
    return apply_loss_reduction(out, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=NONE) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``, reduced by enum.

    >>> ember.margin_ranking_loss(ember.tensor([1.0]), ember.tensor([0.0]), ember.tensor([1.0]))
    tensor([0.])
    """
    out = _AddScalar.apply(-target * (input1 - input2), margin).clamp_min_(0)
    return apply_loss_reduction(out, reduction)


def hinge_embedding_loss(input, target, margin=1.0, reduction=NONE) -> Tensor:
    """``input`` where ``target == 1``, ``max(0, margin - input)`` where ``target == -1``,
    reduced by enum.

    >>> ember.hinge_embedding_loss(ember.tensor([0.3]), ember.tensor([-1.0]))
    tensor([0.7000])
    """
    from .._creation import zeros_like
    from .pointwise import where

    zeros = zeros_like(input)
    margin_clamp = _RSubScalar.apply(margin, input).clamp_min_(0)
    output_margin = where(target != 1, margin_clamp, zeros)
    output_self = where(target != -1, input, zeros)
    return apply_loss_reduction(output_margin + output_self, reduction)


_EPSILON = 1e-12


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=NONE) -> Tensor:
    """``1 - cos(x1, x2)`` where ``target == 1``, ``max(0, cos(x1, x2) - margin)`` where
    ``target == -1``, reduced by enum.

    >>> x = ember.tensor([[1.0, 0.0]])
    >>> ember.cosine_embedding_loss(x, x, ember.tensor([1.0]))
    tensor([0.])
    """
    from .._creation import zeros_like
    from .pointwise import where

    targ_dim = target.dim()
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if targ_dim == 1:
        if not (input1.dim() == 2 and input2.dim() == 2):
            raise RuntimeError(
                "1D target tensor expects 2D input tensors, but found inputs with sizes "
                f"{_sizes(input1.shape)} and {_sizes(input2.shape)}.")
    elif not (input1.dim() == 1 and input2.dim() == 1):
        raise RuntimeError(
            "0D target tensor expects 1D input tensors, but found inputs with sizes "
            f"{_sizes(input1.shape)} and {_sizes(input2.shape)}.")
    prod_sum = (input1 * input2).sum(targ_dim)
    mag_square1 = _AddScalar.apply((input1 * input1).sum(targ_dim), _EPSILON)
    mag_square2 = _AddScalar.apply((input2 * input2).sum(targ_dim), _EPSILON)
    denom = (mag_square1 * mag_square2).sqrt_()
    cos = prod_sum / denom
    zeros = zeros_like(cos)
    pos = _RSubScalar.apply(1, cos)
    neg = _SubScalar.apply(cos, margin).clamp_min_(0)
    output_pos = where(target == 1, pos, zeros)
    output_neg = where(target == -1, neg, zeros)
    return apply_loss_reduction(output_pos + output_neg, reduction)


class _Norm(VectorNorm):
    """``at::norm(x, p, dim, keepdim)``: PyTorch's ``NormBackward1`` node, which
    ``pairwise_distance`` records."""

    name = "NormBackward1"


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False) -> Tensor:
    """``norm(x1 - x2 + eps, p, last dim)``, as PyTorch's ``pairwise_distance``."""
    d = max(x1.dim(), x2.dim())
    return _Norm.apply(_AddScalar.apply(x1 - x2, eps), p, (max(d - 1, 0),), keepdim)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction=NONE) -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d`` the pairwise p-norm distance, reduced
    by enum.

    >>> a = ember.tensor([[0.0, 0.0]])
    >>> ember.triplet_margin_loss(a, a, a + 3.0)
    tensor([0.])
    """
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D "
            "inputs")
    from .pointwise import clamp_min, minimum

    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_swap = pairwise_distance(positive, negative, p, eps)
        dist_neg = minimum(dist_neg, dist_swap)
    output = clamp_min(_AddScalar.apply(dist_pos, margin) - dist_neg, 0)
    return apply_loss_reduction(output, reduction)


def poisson_nll_loss(input, target, log_input, full, eps, reduction) -> Tensor:
    """Poisson negative log likelihood ``exp(input) - target * input`` (``log_input``) or
    ``input - target * log(input + eps)``, plus Stirling's term when ``full``; reduced by enum.

    >>> ember.poisson_nll_loss(ember.tensor([0.0]), ember.tensor([1.0]), True, False, 1e-8, 2)
    tensor(1.)
    """
    from .pointwise import exp, log

    if log_input:
        loss = exp(input) - target * input
    else:
        loss = input - target * log(_AddScalar.apply(input, eps))
    if full:
        stirling = (target * log(target) - target
                    + _MulScalar.apply(log(_MulScalar.apply(target, 2 * math.pi)), 0.5))
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return apply_loss_reduction(loss, reduction)


# ---------------------------------------------------------------- CTC
def _lse3(a, b, c):
    """log(exp(a - m) + exp(b - m) + exp(c - m)) + m, m the max (0 where all are -inf)."""
    m = np.maximum(np.maximum(a, b), c)
    m = np.where(m == -np.inf, m.dtype.type(0), m)
    return np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m)) + m


class CtcLoss(Function):
    """The CTC negative log likelihood per batch element (Graves et al. 2006), by the log-space
    alpha recursion vectorized over the batch and the extended label positions; backward by the
    beta recursion, with PyTorch's gradient formula (which assumes normalized log_probs)."""

    _arrays = True
    _n_edges = 1
    name = "CtcLossBackward0"

    @staticmethod
    def forward(ctx, lp, targets, il, tl, blank, zero_infinity, offsets):
        dt = lp.dtype
        tmax, nb, nc = lp.shape
        smax = int(tl.max()) if tl.size else 0
        nl = 2 * smax + 1
        # extended targets: blank, l1, blank, l2, ..., blank (padded with blanks)
        lab = np.full((nb, smax), blank, np.int64)
        pos = np.arange(smax)
        valid_lab = pos[None, :] < tl[:, None]
        if smax:
            gather = offsets[:, None] + pos[None, :]
            flat = targets.reshape(-1)
            lab = np.where(valid_lab, flat[np.where(valid_lab, gather, 0)], blank)
        ext = np.full((nb, nl), blank, np.int64)
        ext[:, 1::2] = lab
        in_range = (ext >= 0) & (ext < nc)
        ext_c = np.where(in_range, ext, 0)
        # log_probs at each extended position: (T, N, L)
        lpe = np.take_along_axis(lp, np.broadcast_to(ext_c[None], (tmax, nb, nl)), axis=2)
        neginf = dt.type(-np.inf)
        lpe = np.where(in_range[None], lpe, neginf)
        s = np.arange(nl)
        allow3 = np.zeros((nb, nl), bool)
        if nl > 2:
            allow3[:, 2:] = ext[:, 2:] != ext[:, :-2]
        alpha = np.full((tmax, nb, nl), neginf, dt)
        if tmax:
            alpha[0, :, 0] = lpe[0, :, 0]
            if nl > 1:
                alpha[0, :, 1] = np.where(tl > 0, lpe[0, :, 1], neginf)
        ninf_col = np.full((nb, 1), neginf, dt)
        ninf_col2 = np.full((nb, 2), neginf, dt)
        for t in range(1, tmax):
            prev = alpha[t - 1]
            la2 = np.concatenate((ninf_col, prev[:, :-1]), axis=1)
            la3 = np.where(allow3, np.concatenate((ninf_col2, prev[:, :-2]), axis=1)
                           if nl > 2 else neginf, neginf)
            alpha[t] = _lse3(prev, la2, la3) + lpe[t]
        alpha = np.where(s[None, None, :] < 2 * tl[None, :, None] + 1, alpha, neginf)
        b = np.arange(nb)
        last = np.maximum(il - 1, 0)
        l1 = alpha[last, b, 2 * tl]
        l2 = alpha[last, b, np.maximum(2 * tl - 1, 0)]
        m = np.maximum(l1, l2)
        m = np.where(m == neginf, dt.type(0), m)
        ll = np.where(tl == 0, l1, np.log(np.exp(l1 - m) + np.exp(l2 - m)) + m)
        ll = np.where(il == 0, np.where(tl == 0, dt.type(0), neginf), ll)
        nll = (-ll).astype(dt)
        if ctx.needs_input_grad[0]:
            ctx.state = (alpha, lpe, ext_c, in_range, allow3, il, tl, zero_infinity)
            ctx.save_for_backward(lp, nll)
        return nll

    @staticmethod
    def backward(ctx, grad):
        lp, nll = ctx.saved_tensors
        if isinstance(lp, Tensor):  # create_graph: PyTorch's CTC backward is not differentiable
            lp, nll = lp._data, nll._data
        if isinstance(grad, Tensor):
            grad = grad._data
        alpha, lpe, ext_c, in_range, allow3, il, tl, zero_infinity = ctx.state
        dt = lp.dtype
        tmax, nb, nl = alpha.shape
        nc = lp.shape[2]
        neginf = dt.type(-np.inf)
        b = np.arange(nb)
        s = np.arange(nl)
        beta = np.full((tmax, nb, nl), neginf, dt)
        last = il - 1
        has = il > 0
        hb = b[has]
        beta[last[has], hb, 2 * tl[has]] = lpe[last[has], hb, 2 * tl[has]]
        ht = has & (tl > 0)
        beta[last[ht], b[ht], 2 * tl[ht] - 1] = lpe[last[ht], b[ht], 2 * tl[ht] - 1]
        ok2 = s[None, :] < 2 * tl[:, None]       # s + 1 is a valid position
        allow3b = np.zeros((nb, nl), bool)      # s + 2 valid and a different label
        if nl > 2:
            allow3b[:, :-2] = allow3[:, 2:] & (s[None, :-2] < 2 * tl[:, None] - 1)
        ninf_col = np.full((nb, 1), neginf, dt)
        ninf_col2 = np.full((nb, 2), neginf, dt)
        for t in range(tmax - 2, -1, -1):
            nxt = beta[t + 1]
            lb2 = np.where(ok2, np.concatenate((nxt[:, 1:], ninf_col), axis=1), neginf)
            lb3 = np.where(allow3b, np.concatenate((nxt[:, 2:], ninf_col2), axis=1)
                           if nl > 2 else neginf, neginf)
            new = _lse3(nxt, lb2, lb3) + lpe[t]
            # only times before each element's end run the recursion
            beta[t] = np.where((t < last)[:, None], new, beta[t])
        ab = alpha + beta  # (T, N, L)
        valid_s = (s[None, :] < 2 * tl[:, None] + 1) & in_range
        ab = np.where(valid_s[None], ab, neginf)
        mx = ab.max(axis=2, keepdims=True) if nl else np.zeros((tmax, nb, 1), dt)
        mx = np.where(mx == neginf, dt.type(0), mx)
        e = np.exp(ab - mx)  # (T, N, L)
        onehot = np.zeros((nb, nl, nc), dt)
        onehot[b[:, None], s[None, :], ext_c] = 1
        onehot *= valid_s[:, :, None]
        summed = np.einsum("tns,nsc->tnc", e, onehot)
        with np.errstate(divide="ignore"):
            lcab = np.log(summed) + mx
        nll_b = nll[None, :, None]
        g = np.asarray(grad, dt).reshape(1, nb, 1)
        res = (np.exp(lp) - np.exp(lcab + nll_b - lp)) * g
        tpos = np.arange(tmax)[:, None]
        keep = tpos < il[None, :]
        if zero_infinity:
            keep = keep & (nll != np.inf)[None, :]
        res = np.where(keep[:, :, None], res, dt.type(0))
        return res, None, None, None, None, None, None


def _lengths(v, name):
    if isinstance(v, Tensor):
        d = v._data
        if d.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        return d.reshape(-1).astype(np.int64)
    return np.asarray(list(v), dtype=np.int64).reshape(-1)


_CTC = "ctc_loss_allocate_outputs"


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=NONE,
             zero_infinity=False) -> Tensor:
    """Connectionist Temporal Classification loss of ``log_probs`` (T, N, C) or (T, C) against
    ``targets`` ((N, S) padded or 1-D concatenated), reduced by enum ('mean' divides each loss
    by its target length first).

    >>> lp = ember.zeros(4, 1, 3).log_softmax(2)
    >>> ember.ctc_loss(lp, ember.tensor([[1, 2]]), [4], [2], 0, 2)
    tensor(1.6864)
    """
    is_batched = log_probs.dim() == 3
    lp = log_probs if is_batched else log_probs.unsqueeze(1)
    il = _lengths(input_lengths, "input_lengths")
    tl = _lengths(target_lengths, "target_lengths")
    x = lp._data
    tg = targets._data
    if x.ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {x.ndim}-dimensional tensor "
                           f"for argument #1 'log_probs' (while checking arguments for {_CTC})")
    if not 1 <= tg.ndim <= 2:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {tg.ndim}-dimensional tensor "
                           f"for argument #2 'targets' (while checking arguments for {_CTC})")
    if x.dtype.kind != "f":
        raise _not_implemented("ctc_loss_cpu", x.dtype)
    tmax, nb, nc = x.shape
    if not 0 <= blank < nc:
        raise RuntimeError("blank must be in label range")
    if il.size != nb:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl.size != nb:
        raise RuntimeError("target_lengths must be of size batch_size")
    for i in range(nb):
        if tl[i] < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got "
                               f"value {tl[i]} (while checking arguments for {_CTC})")
    if tg.ndim == 1:
        offsets = np.concatenate(([0], np.cumsum(tl)[:-1])).astype(np.int64)
        total = int(tl.sum())
        if tg.shape[0] != total:
            raise RuntimeError(
                f"Expected tensor to have size {total} at dimension 0, but got size "
                f"{tg.shape[0]} for argument #2 'targets' (while checking arguments for {_CTC})")
    else:
        offsets = np.arange(nb, dtype=np.int64) * tg.shape[1]
        if tg.shape[0] != nb:
            raise RuntimeError(
                f"Expected tensor to have size {nb} at dimension 0, but got size "
                f"{tg.shape[0]} for argument #2 'targets' (while checking arguments for {_CTC})")
        smax = int(tl.max()) if nb else 0
        if tg.shape[1] < smax:
            raise RuntimeError(
                f"Expected tensor to have size at least {smax} at dimension 1, but got size "
                f"{tg.shape[1]} for argument #2 'targets' (while checking arguments for {_CTC})")
    for i in range(nb):
        if il[i] < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value "
                               f"{il[i]} (while checking arguments for {_CTC})")
        if il[i] > tmax:
            raise RuntimeError(f"Expected input_lengths to have value at most {tmax}, but got "
                               f"value {il[i]} (while checking arguments for {_CTC})")
    tg_arr = Tensor._make(np.ascontiguousarray(tg).astype(np.int64, copy=False))
    res = CtcLoss.apply(lp, tg_arr, il, tl, blank, zero_infinity, offsets)
    if zero_infinity:
        from .._creation import zeros
        from .pointwise import where

        res = where(res == math.inf, zeros((), dtype=res.dtype), res)
    if reduction == MEAN:
        tlt = Tensor._make(tl.astype(x.dtype)).clamp_min(1)
        return (res / tlt).mean()
    if reduction == SUM:
        return res.sum()
    return res if is_batched else res.squeeze(0)


# ---------------------------------------------------------------- cross entropy
def _class_weight_view(weight, ndim, class_dim):
    if ndim <= 1:
        return weight
    shape = [1] * ndim
    shape[class_dim] = weight.shape[0]
    return weight.view(shape)


def _log_softmax(input, dim):
    return _apply_first(LogSoftmax, input, dim)


def _ce_prob_target(input, target, weight, reduction, label_smoothing):
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    if weight is not None and not (weight.dim() == 1 and weight.numel() == n_classes):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {n_classes} classes "
            f"or no classes but got weight tensor of shape: {_sizes(weight.shape)}")
    lsm = _log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing:g}")
        target = _AddScalar.apply(_MulScalar.apply(target, 1 - label_smoothing),
                                  label_smoothing / n_classes)
    prod = lsm * target
    if weight is not None:
        prod = prod * _class_weight_view(weight, lsm.dim(), class_dim)
    if reduction == MEAN:
        total = -prod.sum()
        if lsm.numel() == 0:
            return total.fill_(math.nan)
        return _DivScalar.apply(total, lsm.numel() // n_classes)
    if reduction == SUM:
        return -prod.sum()
    return -prod.sum(class_dim)


def _ce_label_smoothing(input, target, weight, reduction, ignore_index, label_smoothing):
    from .indexing import masked_select

    class_dim = 0 if input.dim() == 1 else 1
    lsm = _log_softmax(input, class_dim)
    nllloss = nll_loss_nd(lsm, target, weight, reduction, ignore_index)
    n_classes = lsm.shape[class_dim]
    ignore_mask = target == ignore_index
    if weight is not None:
        smooth_loss = -(lsm * _class_weight_view(weight, lsm.dim(), class_dim)).sum(class_dim)
    else:
        smooth_loss = -lsm.sum(class_dim)
    smooth_loss = smooth_loss.masked_fill_(ignore_mask, 0.0)
    if reduction == MEAN:
        if weight is not None:
            picked = masked_select(target, ~ignore_mask).flatten()
            ret = smooth_loss.sum() / weight.gather(0, picked).sum()
        else:
            ret = smooth_loss.sum() / (~ignore_mask).sum()
    elif reduction == SUM:
        ret = smooth_loss.sum()
    else:
        ret = smooth_loss
    return (_MulScalar.apply(nllloss, 1 - label_smoothing)
            + _MulScalar.apply(ret, label_smoothing / n_classes))


def cross_entropy_loss(input, target, weight=None, reduction=MEAN, ignore_index=-100,
                       label_smoothing=0.0) -> Tensor:
    """PyTorch's ``cross_entropy_loss``: ``nll_loss(log_softmax(input, class_dim), target)``
    for class indices; ``-(log_softmax(input) * target)`` summed over classes for class
    probabilities (a target of the input's shape); label smoothing mixes in the uniform
    distribution."""
    x = input._data
    t = target._data
    if x.shape == t.shape:
        if t.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_tn(t.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _ce_prob_target(input, target, weight, reduction, label_smoothing)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing:g}")
        return _ce_label_smoothing(input, target, weight, reduction, ignore_index,
                                   label_smoothing)
    return nll_loss_nd(_log_softmax(input, 0 if x.ndim == 1 else 1), target, weight, reduction,
                       ignore_index)
