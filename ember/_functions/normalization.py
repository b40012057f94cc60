"""Normalization: batch, layer, group, instance and RMS norm (``torch.batch_norm``,
``torch.layer_norm``, ... and the kernels behind ``ember.nn.functional``'s forms).

The kernels follow PyTorch's CPU code step by step (ATen's ``batch_norm_kernel.cpp``,
``layer_norm_kernel.cpp``, ``group_norm_kernel.cpp``): the same per-channel ``alpha``/``beta``
terms, statistics summed in double as ``acc_type`` does, and the same order of float
operations, so results agree with PyTorch's to the last bit or nearly.

Each backward has two paths: a fast one on arrays (PyTorch's closed-form gradient), and, under
``create_graph=True``, a composite one written with Ember ops that recomputes the statistics from
the input, so that it can itself be differentiated (double backward).
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ._random_kernels import fma32, fma64

__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm", "native_batch_norm",
           "native_layer_norm", "rms_norm"]

_F64 = np.dtype(np.float64)
_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _not_implemented(kernel, dt):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_TYPE_NAMES[dt.name]}\'')


def _check_mixed(x, *params):
    """PyTorch's CPU check that parameters share the input's float dtype."""
    for p in params:
        if p is not None and p.dtype != x.dtype:
            if x.dtype == np.float64:
                raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of "
                               "Float")


def _inv_std(var, eps, dt):
    """``1 / sqrt(var + eps)`` in double (PyTorch's ``InvStd<acc_type>``), stored in ``dt``;
    zero where both the variance and eps are zero."""
    v = var.astype(_F64) + eps
    with np.errstate(divide="ignore"):
        r = (1.0 / np.sqrt(v)).astype(dt)
    if eps == 0:
        r[var == 0] = 0
    return r


def _fma(a, b, c):
    """``a * b + c`` rounded once, as PyTorch's kernels (built with FMA contraction) compute it."""
    dt = np.result_type(a, b)
    if dt == np.float32:
        return fma32(a, b, c)
    if dt == _F64:
        return fma64(a, b, c)
    return a * b + c


def _channel_sum(a3):
    """Per-channel sums of an (N, C, L) array, accumulated in double. PyTorch adds the elements
    one by one; float64 arrays are summed in that order (a running sum), float32 ones pairwise
    in double, which rounds to the same float32 but for vanishingly rare ties."""
    if a3.dtype == _F64:
        n, c, _ = a3.shape
        if a3.size == 0:
            return np.zeros(c, _F64)
        return np.cumsum(a3.transpose(1, 0, 2).reshape(c, -1), axis=1)[:, -1]
    return a3.sum(axis=(0, 2), dtype=_F64)


def _norm_grad_composite(x, dy, axes, eps, gamma=None):
    """Gradient of ``(x - mean) / sqrt(var + eps) * gamma`` w.r.t. ``x`` with statistics over
    ``axes``, written with Ember ops (differentiable again). Returns ``(dx, xhat)``."""
    n = 1
    for a in axes:
        n *= x.shape[a]
    mean = x.mean(dim=axes, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(dim=axes, keepdim=True)
    rstd = (var + eps).rsqrt()
    xhat = xc * rstd
    g = dy if gamma is None else dy * gamma
    gsum = g.sum(dim=axes, keepdim=True)
    dotp = (g * xhat).sum(dim=axes, keepdim=True)
    dx = (g - gsum / n - xhat * (dotp / n)) * rstd
    return dx, xhat


# ---------------------------------------------------------------- batch norm
def _bn_view(x):
    """``x`` as (N, C, L)."""
    s = x.shape
    return x.reshape(s[0], s[1], -1)


# The float32 kernels below walk the (N*C, L) rows of the input in blocks of about this many
# elements, so that their scratch (float64 for the FMA) stays in cache: one pass over a block
# then costs a fraction of a pass over the whole array, and no full-size temporaries are made.
_BLOCK = 1 << 15
_F32 = np.dtype(np.float32)
_U64 = np.dtype(np.uint64)
_MID_MASK, _MID = np.uint64(0x1FFFFFFF), np.uint64(0x10000000)


def _row_blocks(rows, length):
    """``(start, stop)`` of the row blocks of a (rows, length) array (see ``_BLOCK``)."""
    step = max(1, _BLOCK // max(length, 1))
    return [(r, min(rows, r + step)) for r in range(0, rows, step)], min(step, rows)


def _fma_rows(x2, a, b):
    """``x2 * a[:, None] + b[:, None]`` rounded once per element (PyTorch's FMA), for a float
    (R, L) array and per-row float64 ``a``, ``b`` holding values of ``x2``'s dtype, block by
    block. For float32 the product is exact in float64 and the sum rounds once there; the
    float64 sums that fall exactly on a float32 midpoint (where rounding twice could differ
    from rounding once) are rare, found by their bits and handed to ``fma32``."""
    rows, length = x2.shape
    dt = x2.dtype
    out = np.empty((rows, length), dt)
    blocks, step = _row_blocks(rows, length)
    if dt != _F32:
        fma = fma64 if dt == _F64 else None
        for r0, r1 in blocks:
            ab = a[r0:r1, None].astype(dt)
            bb = b[r0:r1, None].astype(dt)
            out[r0:r1] = fma(x2[r0:r1], ab, bb) if fma else x2[r0:r1] * ab + bb
        return out
    t = np.empty((step, length), _F64)
    u = np.empty((step, length), _U64)
    m = np.empty((step, length), np.bool_)
    for r0, r1 in blocks:
        k = r1 - r0
        tk, uk, mk = t[:k], u[:k], m[:k]
        np.multiply(x2[r0:r1], a[r0:r1, None], out=tk)
        np.add(tk, b[r0:r1, None], out=tk)
        np.copyto(out[r0:r1], tk, casting="same_kind")
        np.bitwise_and(tk.view(_U64), _MID_MASK, out=uk)
        np.equal(uk, _MID, out=mk)
        if mk.any():
            rr, cc = np.nonzero(mk)
            xs = x2[r0:r1][rr, cc]
            out[r0 + rr, cc] = fma32(xs, a[r0 + rr].astype(dt), b[r0 + rr].astype(dt))
    return out


def _bn_transform(x, alpha, beta):
    """``y = x * alpha[c] + beta[c]`` with one rounding (an FMA, as PyTorch's kernel) of an
    (N, C, *) array."""
    s = x.shape
    rows = s[0] * s[1]
    x2 = x.reshape(rows, -1) if rows else x.reshape(rows, 0)
    n = s[0]
    return _fma_rows(x2, np.tile(alpha.astype(_F64), n), np.tile(beta.astype(_F64), n)).reshape(s)


class NativeBatchNorm(Function):
    """Batch normalization over (N, C, *): ``y = x * alpha[c] + beta[c]`` with
    ``alpha = invstd * weight`` and ``beta = bias - mean * alpha`` (PyTorch's CPU kernel).

    In training, batch statistics are used and ``running_mean``/``running_var`` (arrays, or
    None) are updated in place with ``momentum`` (the variance unbiased); otherwise the running
    statistics normalize.
    """

    _arrays = True
    _n_edges = 3
    name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, rm, rv, training, momentum, eps):
        dt = x.dtype
        if dt.kind != "f":
            raise _not_implemented("batch_norm", dt)
        _check_mixed(x, w, b, rm, rv)
        x3 = _bn_view(x)
        C = x3.shape[1]
        n = x.size // C if C else 0
        if training:
            mean = (_channel_sum(x3) / n).astype(dt)
            d = x3 - mean[:, None]
            np.multiply(d, d, out=d)
            var_sum = _channel_sum(d).astype(dt)
            del d
            invstd = _inv_std(var_sum / dt.type(n), eps, dt)
            if rm is not None or rv is not None:
                m = dt.type(momentum)
                one_m = dt.type(1) - m
                if rm is not None:
                    rm[...] = m * mean + one_m * rm
                if rv is not None:
                    unbiased = (var_sum / dt.type(n - 1)).astype(_F64)
                    rv[...] = (_F64.type(m) * unbiased + (one_m * rv).astype(_F64)).astype(dt)
        else:
            mean = rm
            invstd = dt.type(1) / np.sqrt(rv + dt.type(eps))
        # PyTorch: y = x * alpha + beta, alpha = invstd * w, beta = b - mean * alpha (FMAs)
        alpha = invstd if w is None else invstd * w
        beta = _fma(-mean, alpha, dt.type(0) if b is None else b)
        y = _bn_transform(x3, alpha, beta)
        need = ctx.needs_input_grad
        if need[0] or need[1] or need[2]:
            ctx.save_for_backward(x, w)
            ctx.training = training
            ctx.eps = eps
            if training:
                ctx.mean, ctx.invstd = mean, invstd
            else:
                ctx.mean = rm.copy()
                ctx.var = rv.copy()
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if isinstance(grad, Tensor):
            return _bn_backward_composite(ctx, grad, x, w)
        dt = x.dtype
        x3 = _bn_view(x)
        g3 = _bn_view(grad)
        C = x3.shape[1]
        n = x.size // C
        if ctx.training:
            mean, invstd = ctx.mean, ctx.invstd
        else:
            mean = ctx.mean
            invstd = (1.0 / np.sqrt(ctx.var.astype(_F64) + ctx.eps)).astype(dt)
        gsum = _channel_sum(g3)
        if need[1] or (need[0] and ctx.training):
            xc = x3 - mean[:, None]
            if need[0]:
                t = xc * g3  # also the buffer of gx below
            else:
                t = xc
                t *= g3
            dotp = _channel_sum(t)
        gx = gw = gb = None
        if need[0]:
            if ctx.training:  # ((g - grad_mean) - (x - mean) * k) * invstd (* w)
                k = dotp.astype(dt) * invstd * invstd / dt.type(n)
                grad_mean = (gsum / n).astype(dt)
                xc *= k[:, None]
                gx = np.subtract(g3, grad_mean[:, None], out=t)
                gx -= xc
                del xc
                gx *= invstd[:, None]
            else:
                gx = g3 * invstd[:, None]
            if w is not None:
                gx *= w[:, None]
            gx = gx.reshape(x.shape)
        if need[1]:
            gw = (dotp * invstd).astype(dt)
        if need[2]:
            gb = gsum.astype(dt)
        return gx, gw, gb, None, None, None, None, None


def _bn_backward_composite(ctx, grad, x, w):
    """The batch-norm gradient with Ember ops (for double backward)."""
    need = ctx.needs_input_grad
    shape = x.shape
    x3 = x.reshape(shape[0], shape[1], -1)
    g3 = grad.reshape(shape[0], shape[1], -1)
    wb = None if w is None else w.reshape(1, -1, 1)
    gx = gw = gb = None
    if ctx.training:
        dx, xhat = _norm_grad_composite(x3, g3, (0, 2), ctx.eps, wb)
        if need[0]:
            gx = dx.reshape(shape)
        if need[1]:
            gw = (g3 * xhat).sum(dim=(0, 2))
    else:
        invstd = Tensor._make((1.0 / np.sqrt(ctx.var.astype(_F64) + ctx.eps)).astype(ctx.var.dtype))
        inv3 = invstd.reshape(1, -1, 1)
        if need[0]:
            gx = (g3 * inv3 if wb is None else g3 * inv3 * wb).reshape(shape)
        if need[1]:
            mean = Tensor._make(ctx.mean).reshape(1, -1, 1)
            gw = (g3 * (x3 - mean) * inv3).sum(dim=(0, 2))
    if need[2]:
        gb = g3.sum(dim=(0, 2))
    return gx, gw, gb, None, None, None, None, None


def _check_num_features(name, expected, got):
    if expected != got:
        raise RuntimeError(f"{name} should contain {expected} elements not {got}")


def batch_norm(input, weight, bias, running_mean, running_var, training: bool, momentum: float,
               eps: float, cudnn_enabled: bool = False) -> Tensor:
    """``torch.batch_norm``: normalize each channel (dim 1) of ``input``.

    In training, batch statistics normalize and the running statistics (if given) are updated in
    place; otherwise the running statistics normalize. See ``nn.functional.batch_norm``.
    """
    if input.dim() < 2:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [-{max(input.dim(), 1)}, "
            f"{max(input.dim(), 1) - 1}], but got 1)")
    num_features = input.shape[1]
    if input.numel() == 0:
        # PyTorch: a clone (not a view, not a new empty tensor) so the graph stays connected
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        if bias is not None:
            out = out + bias[0]
        return out
    if running_mean is not None:
        _check_num_features("running_mean", num_features, running_mean.numel())
    elif not training:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if running_var is not None:
        _check_num_features("running_var", num_features, running_var.numel())
    elif not training:
        raise RuntimeError("running_var must be defined in evaluation mode")
    if weight is not None:
        _check_num_features("weight", num_features, weight.numel())
    if bias is not None:
        _check_num_features("bias", num_features, bias.numel())
    rm = None if running_mean is None else running_mean._data
    rv = None if running_var is None else running_var._data
    return NativeBatchNorm.apply(input, weight, bias, rm, rv, bool(training), float(momentum),
                                 float(eps))


def native_batch_norm(input, weight, bias, running_mean, running_var, training: bool,
                      momentum: float, eps: float):
    """``torch.native_batch_norm``: ``(output, save_mean, save_invstd)``; the statistics are
    empty when not training."""
    out = batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)
    x = input._data
    dt = x.dtype
    if not training:
        return out, Tensor._make(np.empty(0, dt)), Tensor._make(np.empty(0, dt))
    x3 = _bn_view(x)
    n = x.size // x3.shape[1]
    mean = (_channel_sum(x3) / n).astype(dt)
    d = x3 - mean[:, None]
    var_sum = _channel_sum(d * d).astype(dt)
    return out, Tensor._make(mean), Tensor._make(_inv_std(var_sum / dt.type(n), eps, dt))


# ---------------------------------------------------------------- layer norm
def _row_moments(x2, eps):
    """Per-row mean and ``1 / sqrt(var + eps)`` of a 2-D array, in its dtype (PyTorch's
    ``RowwiseMoments`` accumulates in the input's own float type too)."""
    dt = x2.dtype
    mean = x2.mean(axis=1)
    d = x2 - mean[:, None]
    var = _rowdot(d, d) / dt.type(x2.shape[1])
    del d
    rstd = dt.type(1) / np.sqrt(np.maximum(var, dt.type(0)) + dt.type(eps))
    return mean, rstd


def _rowdot(a, b):
    """Per-row sums of ``a * b`` (2-D arrays), in one pass."""
    return np.einsum("ij,ij->i", a, b)


def _coldot(a, b):
    """Per-column sums of ``a * b`` (2-D arrays), in one pass."""
    return np.einsum("ij,ij->j", a, b)


class NativeLayerNorm(Function):
    """Layer normalization of the last dims (flattened to N values per row; M rows):
    ``y = (x * rstd - rstd * mean) * gamma + beta`` (PyTorch's CPU kernel)."""

    _arrays = True
    _n_edges = 3
    name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, n_norm, eps):
        dt = x.dtype
        if dt.kind != "f":
            raise _not_implemented("LayerNormKernelImpl", dt)
        _check_mixed(x, w, b)
        N = 1
        for s in x.shape[x.ndim - n_norm:]:
            N *= s
        x2 = x.reshape(-1, N)
        if x2.shape[0] == 0 or N == 0:
            mean = rstd = np.empty(x2.shape[0], dt)
            y = np.empty(x.shape, dt)
        else:
            mean, rstd = _row_moments(x2, eps)
            # PyTorch: (x * rstd + (-rstd * mean)) * gamma + beta
            y = x2 * rstd[:, None]
            y += (-rstd * mean)[:, None]
            if w is not None:
                y *= w.reshape(-1)
            if b is not None:
                y += b.reshape(-1)
        need = ctx.needs_input_grad
        if need[0] or need[1] or need[2]:
            ctx.save_for_backward(x, w)
            ctx.mean, ctx.rstd, ctx.n_norm, ctx.eps = mean, rstd, n_norm, eps
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        n_norm = ctx.n_norm
        if isinstance(grad, Tensor):
            return _ln_backward_composite(ctx, grad, x, w)
        dt = x.dtype
        N = 1
        for s in x.shape[x.ndim - n_norm:]:
            N *= s
        x2 = x.reshape(-1, N)
        g2 = grad.reshape(-1, N)
        wshape = x.shape[x.ndim - n_norm:]
        if x2.shape[0] == 0:
            z = np.zeros(wshape, dt)
            return (np.zeros(x.shape, dt) if need[0] else None, z if need[1] else None,
                    z.copy() if need[2] else None, None, None)
        mean, rstd = ctx.mean[:, None], ctx.rstd[:, None]
        gx = gw = gb = None
        wf = None if w is None else w.reshape(-1)
        t = g2 * rstd  # a * dy
        if need[1]:  # sum over rows of dy * (x * rstd - rstd * mean)
            gw = (_coldot(t, x2) - (rstd * mean)[:, 0] @ g2).reshape(wshape)
        if need[2]:
            gb = g2.sum(axis=0).reshape(wshape)
        if need[0]:
            if wf is None:
                ds, db = _rowdot(g2, x2)[:, None], g2.sum(axis=1)[:, None]
            else:
                gg = g2 * wf
                ds, db = _rowdot(gg, x2)[:, None], (g2 @ wf)[:, None]
                del gg
            scale = dt.type(1) / dt.type(N)
            bb = (db * mean - ds) * rstd * rstd * rstd * scale
            cc = -bb * mean - db * rstd * scale
            gx = t
            if wf is not None:
                gx *= wf
            gx += x2 * bb
            gx += cc
            gx = gx.reshape(x.shape)
        return gx, gw, gb, None, None


def _ln_backward_composite(ctx, grad, x, w):
    need = ctx.needs_input_grad
    axes = tuple(range(x.dim() - ctx.n_norm, x.dim()))
    lead = tuple(range(x.dim() - ctx.n_norm))
    dx, xhat = _norm_grad_composite(x, grad, axes, ctx.eps, w)
    gw = (grad * xhat).sum(dim=lead) if need[1] and lead else (grad * xhat if need[1] else None)
    gb = (grad.sum(dim=lead) if lead else grad) if need[2] else None
    return dx if need[0] else None, gw, gb, None, None


def _check_layer_norm(input, normalized_shape, weight, bias):
    ns = list(normalized_shape)
    if len(ns) < 1:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []")
    if weight is not None and list(weight.shape) != ns:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {ns}")
    if bias is not None and list(bias.shape) != ns:
        raise RuntimeError(
            "Expected bias to be of same shape as normalized_shape, but got bias of shape "
            f"{list(bias.shape)} and normalized_shape = {ns}")
    shape = list(input.shape)
    if len(shape) < len(ns) or shape[len(shape) - len(ns):] != ns:
        raise RuntimeError(
            f"Given normalized_shape={ns}, expected input with shape [*"
            + "".join(f", {s}" for s in ns) + f"], but got input of size{shape}")


def _shape_arg(fname, normalized_shape):
    if isinstance(normalized_shape, int) or (isinstance(normalized_shape, Tensor)):
        raise TypeError(f"{fname}(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type(normalized_shape).__name__}")
    return tuple(int(s) for s in normalized_shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enable: bool = True) -> Tensor:
    """``torch.layer_norm``: normalize over the last ``len(normalized_shape)`` dims, then scale
    by ``weight`` and shift by ``bias`` (elementwise, of shape ``normalized_shape``)."""
    ns = _shape_arg("layer_norm", normalized_shape)
    _check_layer_norm(input, ns, weight, bias)
    return NativeLayerNorm.apply(input, weight, bias, len(ns), float(eps))


def native_layer_norm(input, normalized_shape, weight, bias, eps: float):
    """``torch.native_layer_norm``: ``(output, mean, rstd)``, the statistics shaped for
    broadcasting against ``input``."""
    ns = _shape_arg("native_layer_norm", normalized_shape)
    _check_layer_norm(input, ns, weight, bias)
    out = NativeLayerNorm.apply(input, weight, bias, len(ns), float(eps))
    x = input._data
    k = x.ndim - len(ns)
    stat_shape = x.shape[:k] + (1,) * len(ns)
    if x.size == 0:
        z = np.empty(stat_shape, x.dtype)
        return out, Tensor._make(z), Tensor._make(z.copy())
    mean, rstd = _row_moments(x.reshape(int(np.prod(x.shape[:k], dtype=np.int64)), -1), eps)
    return out, Tensor._make(mean.reshape(stat_shape)), Tensor._make(rstd.reshape(stat_shape))


# ---------------------------------------------------------------- group norm
class NativeGroupNorm(Function):
    """Group normalization of (N, C, *) with G groups: per (n, c),
    ``y = x * scale + bias`` with ``scale = rstd[n, g] * gamma[c]`` and
    ``bias = -scale * mean[n, g] + beta[c]`` (PyTorch's CPU kernel)."""

    _arrays = True
    _n_edges = 3
    name = "NativeGroupNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, G, eps):
        dt = x.dtype
        if dt.kind != "f":
            raise _not_implemented("GroupNormKernelImpl", dt)
        _check_mixed(x, w, b)
        N, C = x.shape[0], x.shape[1]
        if x.size == 0:
            y = np.empty(x.shape, dt)
            mean = rstd = np.empty((N, G), dt)
        else:
            mean, rstd = _row_moments(x.reshape(N * G, -1), eps)
            mean, rstd = mean.reshape(N, G), rstd.reshape(N, G)
            D = C // G
            if w is None and b is None:  # PyTorch's kernel: (x - mean) * rstd
                x2 = x.reshape(N * G, -1)
                y = x2 - mean.reshape(-1, 1)
                y *= rstd.reshape(-1, 1)
                y = y.reshape(x.shape)
        if x.size and (w is not None or b is not None):
            scale = np.repeat(rstd, D, axis=1)  # (N, C)
            if w is not None:
                scale = scale * w
            bias = -scale * np.repeat(mean, D, axis=1)
            if b is not None:
                bias += b
            x3 = x.reshape(N, C, -1)
            y = x3 * scale[:, :, None]
            y += bias[:, :, None]
            y = y.reshape(x.shape)
        need = ctx.needs_input_grad
        if need[0] or need[1] or need[2]:
            ctx.save_for_backward(x, w)
            ctx.mean, ctx.rstd, ctx.G, ctx.eps = mean, rstd, G, eps
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        G = ctx.G
        if isinstance(grad, Tensor):
            return _gn_backward_composite(ctx, grad, x, w)
        dt = x.dtype
        N, C = x.shape[0], x.shape[1]
        if x.size == 0:
            z = np.zeros(C, dt)
            return (np.zeros(x.shape, dt) if need[0] else None, z if need[1] else None,
                    z.copy() if need[2] else None, None, None)
        D = C // G
        x3 = x.reshape(N, C, -1)
        g3 = grad.reshape(N, C, -1)
        HxW = x3.shape[2]
        ds = np.einsum("ncl,ncl->nc", g3, x3)  # (N, C)
        db = g3.sum(axis=2)
        mean, rstd = ctx.mean, ctx.rstd
        gx = gw = gb = None
        if need[0]:
            gamma = np.ones(C, dt) if w is None else w
            ds_g = (ds * gamma).reshape(N, G, D).sum(axis=2, dtype=_F64).astype(dt)
            db_g = (db * gamma).reshape(N, G, D).sum(axis=2, dtype=_F64).astype(dt)
            s = dt.type(1) / dt.type(D * HxW)
            c2 = (db_g * mean - ds_g) * rstd * rstd * rstd * s
            c3 = -c2 * mean - db_g * rstd * s
            c1 = np.repeat(rstd, D, axis=1) * gamma  # (N, C)
            gx = g3 * c1[:, :, None]
            gx += x3 * np.repeat(c2, D, axis=1)[:, :, None]
            gx += np.repeat(c3, D, axis=1)[:, :, None]
            gx = gx.reshape(x.shape)
        if need[1]:
            m = np.repeat(mean, D, axis=1)
            r = np.repeat(rstd, D, axis=1)
            gw = ((ds - db * m) * r).sum(axis=0, dtype=_F64).astype(dt)
        if need[2]:
            gb = db.sum(axis=0, dtype=_F64).astype(dt)
        return gx, gw, gb, None, None


def _gn_backward_composite(ctx, grad, x, w):
    need = ctx.needs_input_grad
    G = ctx.G
    shape = x.shape
    N, C = shape[0], shape[1]
    x4 = x.reshape(N, G, C // G, -1)
    g4 = grad.reshape(N, G, C // G, -1)
    w4 = None if w is None else w.reshape(1, G, C // G, 1)
    dx, xhat = _norm_grad_composite(x4, g4, (2, 3), ctx.eps, w4)
    gx = dx.reshape(shape) if need[0] else None
    gw = (g4 * xhat).sum(dim=(0, 3)).reshape(C) if need[1] else None
    gb = g4.sum(dim=(0, 3)).reshape(C) if need[2] else None
    return gx, gw, gb, None, None


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enabled: bool = True) -> Tensor:
    """``torch.group_norm``: normalize (N, C, *) over groups of ``C // num_groups`` channels,
    then scale and shift per channel."""
    shape = list(input.shape)
    C = shape[1]
    if C % num_groups != 0:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {shape} and num_groups={num_groups}")
    if weight is not None and (weight.dim() != 1 or weight.numel() != C):
        raise RuntimeError(
            "Expected weight to be a vector of size equal to the number of channels in input, "
            f"but got weight of shape {list(weight.shape)} and input of shape {shape}")
    if bias is not None and (bias.dim() != 1 or bias.numel() != C):
        # PyTorch's message prints the weight's shape here ([0] without a weight)
        wshape = list(weight.shape) if weight is not None else [0]
        raise RuntimeError(
            "Expected bias to be a vector of size equal to the number of channels in input, "
            f"but got bias of shape {wshape} and input of shape {shape}")
    return NativeGroupNorm.apply(input, weight, bias, int(num_groups), float(eps))


# ---------------------------------------------------------------- instance norm
def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats: bool,
                  momentum: float, eps: float, cudnn_enabled: bool = False) -> Tensor:
    """``torch.instance_norm``: batch norm of each (sample, channel) plane, done as PyTorch does
    it: the input viewed as (1, N*C, *), the parameters and running statistics repeated N times,
    and the running statistics averaged back over the batch."""
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError(
            "Expected running_mean and running_var to be defined when use_input_stats is false")
    shape = list(input.shape)
    b, c = shape[0], shape[1]
    new_shape = [1, b * c] + shape[2:]
    w_ = None if weight is None else weight.repeat(b)
    b_ = None if bias is None else bias.repeat(b)
    rm_ = None if running_mean is None else running_mean.repeat(b)
    rv_ = None if running_var is None else running_var.repeat(b)
    x_ = input.contiguous().view(new_shape)
    out = batch_norm(x_, w_, b_, rm_, rv_, use_input_stats, momentum, eps)
    with no_grad():
        if running_mean is not None:
            running_mean.copy_(rm_.view(b, c).mean(0))
        if running_var is not None:
            running_var.copy_(rv_.view(b, c).mean(0))
    return out.view(shape)


# ---------------------------------------------------------------- RMS norm
_EPS = {np.dtype(np.float32): float(np.finfo(np.float32).eps),
        np.dtype(np.float16): float(np.finfo(np.float32).eps),
        np.dtype(np.float64): float(np.finfo(np.float64).eps)}


def rms_norm(input, normalized_shape, weight=None, eps=None) -> Tensor:
    """``torch.rms_norm``: ``x / sqrt(mean(x**2) + eps) * weight`` over the last dims, composed
    of Ember ops as PyTorch composes it; ``eps`` defaults to the dtype's machine epsilon."""
    ns = _shape_arg("rms_norm", normalized_shape)
    shape = list(input.shape)
    if weight is not None and list(weight.shape) != list(ns):
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {list(ns)}")
    if len(shape) < len(ns) or shape[len(shape) - len(ns):] != list(ns):
        raise RuntimeError(
            f"Given normalized_shape={list(ns)}, expected input with shape [*"
            + ", ".join(str(s) for s in ns) + f"], but got input of size{shape}")
    dt = input._data.dtype
    if dt.kind != "f":
        raise _not_implemented("rms_norm", dt)
    if eps is None:
        eps = _EPS[dt]
    dims = tuple(range(input.dim() - 1, input.dim() - 1 - len(ns), -1))
    r = input.pow(2).mean(dims, keepdim=True).add(eps).rsqrt()
    out = input.mul(r)
    if weight is not None:
        out = out.mul(weight)
        if out.dtype != input.dtype:
            out = out.to(input.dtype)
    return out
