"""Convolutions, transposed convolutions, padding and the bilinear form, as autograd Functions.

Every convolution is one of three array kernels, all built on im2col + BLAS:

- ``_conv_fwd``: the correlation ``out[n, o, l] = sum_{c, k} w[o, c, k] * xpad[n, c, s*l + d*k]``.
  The patches of a block of images are copied (one strided slice copy per kernel offset; the
  padding is never materialised, its buffer entries stay zero) into a buffer laid out
  ``(images, groups, C/g * K, L)``, and one ``matmul`` with the weight ``(groups, O/g, C/g * K)``
  writes the block's output straight into NCHW order. Blocking over the batch keeps the patch
  buffer in cache, which is what makes the GEMM fast here; the bias rides in the GEMM as one
  more weight column against a row of ones.
- ``_conv_input_grad``: the adjoint of ``_conv_fwd`` in its input (the transposed convolution).
  For stride 1 it is again a correlation (of the padded gradient with the flipped, transposed
  weight); otherwise it is made phase by phase (``_phase_input_grad``: per phase of the
  stride, a sum of shifted slabs of one GEMM's output, then one strided copy).
- ``_conv_weight_grad``: the adjoint in the weight: patches times gradient, summed over images.

Stride-1 convolutions (the common case) mostly run on a *flat grid* instead (``_grid_plan``):
a block of images is copied once, channel-major, onto a zero grid whose rows carry the padding,
so that every kernel tap becomes one constant shift of the flattened grid and im2col/col2im
become a few long contiguous slab copies/adds around one GEMM per block (``_grid_fwd``;
``_grid_fwd_split`` beyond 16 channels per group, with slabs for the last kernel axis only;
``_grid_backward``, which makes the input and weight gradients in one pass).

``Convolution`` (PyTorch's ``ConvolutionBackward0``) runs the first or, when ``transposed``, the
second as its forward. Its backward is made of the other two; when a graph is being recorded
(double backward) it calls ``Convolution``/``ConvWeightGrad`` again, so conv is differentiable
any number of times.
"""

from __future__ import annotations

__all__: list[str] = []

import math
import warnings

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function

# bytes of patch buffer per block of images: the GEMM's right operand stays in L2 (2 MiB here;
# 4 MiB blocks spilled to L3 and paid twice the page faults: 16x16x32x32 3x3 fwd 1.80 -> 1.42 ms)
_BLOCK_BYTES = 1 << 20
_PHASES = True


# ---------------------------------------------------------------- array kernels
def _pad_zeros(x: np.ndarray, pads) -> np.ndarray:
    """``x`` with zeros added (or, for negative amounts, entries cropped) on its spatial axes;
    ``pads`` is one ``(before, after)`` pair per spatial axis."""
    if not any(lo or hi for lo, hi in pads):
        return x
    d = len(pads)
    crop = (slice(None),) * (x.ndim - d) + tuple(
        slice(max(-lo, 0), x.shape[x.ndim - d + i] - max(-hi, 0)) for i, (lo, hi) in enumerate(pads)
    )
    x = x[crop]
    pos = [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
    if not any(lo or hi for lo, hi in pos):
        return x
    shape = x.shape[: x.ndim - d] + tuple(
        x.shape[x.ndim - d + i] + lo + hi for i, (lo, hi) in enumerate(pos)
    )
    out = np.zeros(shape, x.dtype)
    out[(slice(None),) * (x.ndim - d) + tuple(slice(lo, lo + x.shape[x.ndim - d + i])
                                               for i, (lo, _) in enumerate(pos))] = x
    return out


def _out_size(sp, k, s, d):
    return tuple((p - dl * (kk - 1) - 1) // st + 1 for p, kk, st, dl in zip(sp, k, s, d))


def _im2col_plan(in_sp, pads, ksize, stride, dil, out_sp):
    """For each kernel offset, the (patch-buffer, input) slices that im2col copies.

    Padding is never materialised: the buffer entries that fall in the padding are left at
    zero (they are the same in every block), so only the valid part of each shifted window is
    copied. Returns the copy list and whether any buffer entry is padding.
    """
    per_dim = []
    partial = False
    for size, (lo, _), k, s, dl, length in zip(in_sp, pads, ksize, stride, dil, out_sp):
        opts = []
        for kj in range(k):
            off = kj * dl - lo  # input index of output 0
            o0 = max(0, (-off + s - 1) // s) if off < 0 else 0
            o1 = min(length, (size - 1 - off) // s + 1) if size - 1 - off >= 0 else 0
            if o1 <= o0:
                opts.append(None)
                partial = True
                continue
            if o0 > 0 or o1 < length:
                partial = True
            start = o0 * s + off
            opts.append((slice(o0, o1), slice(start, start + (o1 - o0 - 1) * s + 1, s)))
        per_dim.append(opts)
    plan = []
    for k in np.ndindex(*ksize):
        parts = [per_dim[i][kj] for i, kj in enumerate(k)]
        if any(p is None for p in parts):
            continue
        plan.append((k + tuple(p[0] for p in parts), tuple(p[1] for p in parts)))
    return plan, partial


def _im2col_buffer(x, b, groups, pads, ksize, stride, dil, out_sp, ones_row=False,
                   tap_major=False):
    """A patch buffer (b, groups, C/g * K [+ 1], L) and a function filling it from images
    ``i:i+nb``. With ``ones_row`` each group's patch matrix gets a last row of ones, so that a
    bias column appended to the weight adds the bias inside the GEMM. The patch rows are
    ordered (channel, tap), or with ``tap_major`` (tap, channel): the order in which PyTorch's
    (oneDNN's) forward kernel sums, so that a GEMM over them gives its bits for up to 16
    channels per group."""
    plan, partial = _im2col_plan(x.shape[2:], pads, ksize, stride, dil, out_sp)
    n, c = x.shape[:2]
    cg = c // groups
    cgk = cg * math.prod(ksize)
    length = math.prod(out_sp)
    shape = (b, groups, cgk + ones_row, length)
    buf = np.zeros(shape, x.dtype) if partial else np.empty(shape, x.dtype)
    if ones_row:
        buf[:, :, cgk] = 1
    # the patch part as (b, g, C/g, *K, *L) (or (b, g, *K, C/g, *L)), and the input as
    # (N, g, C/g, *S)
    d = len(ksize)
    if tap_major:
        view = buf[:, :, :cgk].reshape((b, groups) + tuple(ksize) + (cg,) + tuple(out_sp))
        plan = [((slice(None),) * 2 + dst[:d] + (slice(None),) + dst[d:], src)
                for dst, src in plan]
    else:
        view = buf[:, :, :cgk].reshape((b, groups, cg) + tuple(ksize) + tuple(out_sp))
        plan = [((slice(None),) * 3 + dst, src) for dst, src in plan]
    xg = x.reshape((n, groups, cg) + x.shape[2:])
    lead = (slice(None),) * 3

    def fill(i, nb):
        cols = view[:nb]
        src = xg[i:i + nb]
        for dst_sl, src_sl in plan:
            cols[dst_sl] = src[lead + src_sl]
        return buf[:nb]

    return fill


def _block(n_images: int, per_image: int) -> int:
    return max(1, min(n_images, _BLOCK_BYTES // max(per_image, 1)))


def _conv_fwd(x, w, stride, pads, dil, groups, bias=None):
    """Correlation of ``x`` (N, C, *S) with ``w`` (O, C/g, *K); zero padding ``pads``; plus
    ``bias`` (O,), added block by block while the output is still in cache."""
    n, c = x.shape[:2]
    o = w.shape[0]
    ksize = w.shape[2:]
    sp_pad = tuple(sz + lo + hi for sz, (lo, hi) in zip(x.shape[2:], pads))
    out_sp = _out_size(sp_pad, ksize, stride, dil)
    g = groups
    kk = math.prod(ksize)
    cgk = (c // g) * kk
    length = math.prod(out_sp)
    dtype = np.result_type(x.dtype, w.dtype)
    wg = w.reshape(g, o // g, cgk)
    bcol = None if bias is None else bias.reshape(g, o // g, 1).astype(dtype, copy=False)
    if n == 0 or length == 0 or o == 0:
        out = np.zeros((n, o) + out_sp, dtype)
        return out if bcol is None else out + bcol.reshape((o,) + (1,) * len(out_sp))
    if kk == 1 and all(s == 1 for s in stride) and not any(lo or hi for lo, hi in pads):
        cols = x.reshape(n, g, cgk, length)
        out = np.matmul(wg, cols)
        if bcol is not None:
            out += bcol
        return out.reshape((n, o) + out_sp)
    if all(s == 1 for s in stride) and _grid_pays(c, o, kk):
        # up to 16 channels per group one GEMM over all (tap, channel) rows sums in the order
        # PyTorch's (oneDNN's) kernel does, bit for bit; beyond, the split form is as close
        split = c // g > 16 and len(ksize) > 0 and ksize[-1] < kk
        out = (_grid_fwd_split if split else _grid_fwd)(x, w, pads, dil, groups, out_sp, bcol)
        if out is not None:
            return out
    out = np.empty((n, g, o // g, length), dtype)
    b = _block(n, c * kk * length * x.itemsize)
    with_bias = bcol is not None and x.dtype == dtype and w.dtype == dtype
    # rows ordered (tap, channel), the weight's columns alike
    wg = w.reshape(g, o // g, c // g, kk).transpose(0, 1, 3, 2).reshape(g, o // g, cgk)
    if with_bias:  # the bias as one more weight column, against a row of ones in the patches
        wg = np.concatenate([wg, bcol], axis=2)
    fill = _im2col_buffer(x, b, g, pads, ksize, stride, dil, out_sp, with_bias, True)
    for i in range(0, n, b):
        nb = min(b, n - i)
        dst = out[i:i + nb]
        np.matmul(wg, fill(i, nb), out=dst)
        if bcol is not None and not with_bias:
            dst += bcol
    return out.reshape((n, o) + out_sp)


def _flip_weight(w, groups):
    """(O, C/g, *K) -> (C, O/g, *K) flipped in space: the weight of the adjoint correlation."""
    o, cg = w.shape[:2]
    ksize = w.shape[2:]
    g = groups
    wt = w.reshape((g, o // g, cg) + ksize).swapaxes(1, 2).reshape((g * cg, o // g) + ksize)
    return wt[(slice(None), slice(None)) + (slice(None, None, -1),) * len(ksize)]


def _conv_input_grad(gy, w, in_sp, stride, pads, dil, groups):
    """Adjoint of ``_conv_fwd`` in its input: the transposed convolution of ``gy`` with ``w``,
    giving an array of spatial size ``in_sp``."""
    n = gy.shape[0]
    o, cg = w.shape[:2]
    c = cg * groups
    ksize = w.shape[2:]
    d = len(ksize)
    dtype = np.result_type(gy.dtype, w.dtype)
    out_sp = gy.shape[2:]
    if n == 0 or c == 0 or math.prod(in_sp) == 0:
        return np.zeros((n, c) + tuple(in_sp), dtype)
    if all(s == 1 for s in stride) and math.prod(out_sp) and np.isfinite(w).all():
        res = _grid_backward(gy, None, w, in_sp, pads, dil, groups, True, False)
        if res is not None:  # (gx, gw)
            return res[0]
    if all(s == 1 for s in stride):
        # gx[i] = sum_k gy[i + lo - dl*k] w[k]: a correlation of gy, padded by dl*(K-1) - lo
        # before (cropped if negative) and to length in + dl*(K-1), with the flipped weight
        ext = []
        for i in range(d):
            span = dil[i] * (ksize[i] - 1)
            before = span - pads[i][0]
            after = in_sp[i] + span - out_sp[i] - before
            ext.append((before, after))
        return _conv_fwd(gy, np.ascontiguousarray(_flip_weight(w, groups)), stride, ext, dil,
                         groups)
    g = groups
    kk = math.prod(ksize)
    length = math.prod(out_sp)
    sp_pad = tuple(s + lo + hi for s, (lo, hi) in zip(in_sp, pads))
    # the padded gradient, large enough for every window even where padding crops the input
    full = tuple(max(p, (m - 1) * st + dl * (k - 1) + 1)
                 for p, m, st, dl, k in zip(sp_pad, out_sp, stride, dil, ksize))
    if kk > 1 and _PHASES:
        gxp = _phase_input_grad(gy, w, full, stride, dil, groups, dtype)
    else:
        gxp = np.zeros((n, c) + full, dtype)
        wt = w.reshape(g, o // g, cg * kk).swapaxes(1, 2)  # (g, C/g*K, O/g)
        gyr = gy.reshape(n, g, o // g, length)
        b = _block(n, c * kk * length * gy.itemsize)
        for i in range(0, n, b):
            nb = min(b, n - i)
            cols = np.matmul(wt, gyr[i:i + nb]).reshape((nb, c) + tuple(ksize) + tuple(out_sp))
            dst = gxp[i:i + nb]
            for k in np.ndindex(*ksize):
                sl = tuple(slice(dl * kj, dl * kj + (m - 1) * st + 1, st)
                           for kj, dl, m, st in zip(k, dil, out_sp, stride))
                dst[(slice(None), slice(None)) + sl] += cols[(slice(None), slice(None)) + k]
    crop = tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, in_sp))
    res = gxp[(slice(None), slice(None)) + crop]
    return np.ascontiguousarray(res)


def _phase_input_grad(gy, w, full, stride, dil, groups, dtype):
    """The padded input gradient ``(N, C, *full)`` of a strided convolution, phase by phase.

    An input entry ``z = s*u + a`` (per axis) gets the taps ``k`` with ``dl*k % s == a``, each
    from the output gradient at ``u - dl*k // s``. On a flat zero grid holding the gradient
    at ``E + i`` (``E`` the largest such shift; see ``_grid_plan`` for the shared padding),
    every tap is one constant shift of the grid: one GEMM with the weight ``(K * C/g, O/g)``
    makes every tap's product for a block of images, a phase is the sum of its taps' shifted
    slabs (long contiguous adds, in tap order like the scatter-add), and one strided copy puts
    it in place; the scatter form instead adds every tap into strided positions.
    """
    n = gy.shape[0]
    o, cg = w.shape[:2]
    g = groups
    og = o // g
    ksize = w.shape[2:]
    out_sp = gy.shape[2:]
    d = len(ksize)
    kk = math.prod(ksize)
    big = tuple((dl * (k - 1)) // s for k, s, dl in zip(ksize, stride, dil))
    umax = tuple(-(-f // s) for f, s in zip(full, stride))
    ext = tuple(max(e + m, u) for e, m, u in zip(big, out_sp, umax))
    st = [1] * d
    for i in range(d - 2, -1, -1):
        st[i] = st[i + 1] * ext[i + 1]
    p = math.prod(ext)
    phases: dict = {}  # phase -> [(tap index, shift)], taps in increasing order
    for j, k in enumerate(np.ndindex(*ksize)):
        a = tuple(dl * kj % s for kj, dl, s in zip(k, dil, stride))
        off = sum((e - dl * kj // s) * t for kj, dl, s, e, t in zip(k, dil, stride, big, st))
        phases.setdefault(a, []).append((j, off))
    tail = max(off for taps in phases.values() for _, off in taps)
    itemsize = np.dtype(dtype).itemsize
    b = _block(n, (kk * cg + og + cg) * g * p * itemsize)
    r = b * p + tail
    gyg = np.zeros((g, og, r), dtype)
    gyv = gyg[:, :, :b * p].reshape((g, og, b) + ext)
    data = tuple(slice(e, e + m) for e, m in zip(big, out_sp))
    # (g, K * C/g, O/g): rows ordered (tap, channel)
    wt = w.reshape(g, og, cg, kk).transpose(0, 3, 2, 1).reshape(g, kk * cg, og)
    wt = wt.astype(dtype, copy=False)
    u = np.empty((g, kk, cg, r), dtype)
    uf = u.reshape(g, kk * cg, r)
    acc = np.empty((g, cg, b * p), dtype)
    gxp = np.zeros((n, g * cg) + tuple(full), dtype)
    to_grid = (1, 2, 0) + tuple(range(3, 3 + d))
    from_grid = (2, 0, 1) + tuple(range(3, 3 + d))
    for i in range(0, n, b):
        nb = min(b, n - i)
        m = nb * p
        src = gy[i:i + nb].reshape((nb, g, og) + tuple(out_sp))
        gyv[(slice(None), slice(None), slice(0, nb)) + data] = src.transpose(to_grid)
        if nb < b:  # the images past the block's end are zeros
            gyv[:, :, nb:] = 0
        np.matmul(wt, gyg[:, :, :m + tail], out=uf[:, :, :m + tail])
        dst = gxp[i:i + nb].reshape((nb, g, cg) + tuple(full))
        for a, taps in phases.items():
            lens = tuple(len(range(aa, f, s)) for aa, f, s in zip(a, full, stride))
            if 0 in lens:
                continue
            j0, s0 = taps[0]
            part = u[:, j0, :, s0:s0 + m]
            if len(taps) > 1:
                j1, s1 = taps[1]
                np.add(part, u[:, j1, :, s1:s1 + m], out=acc[:, :, :m])
                part = acc[:, :, :m]
                for j, s in taps[2:]:
                    np.add(part, u[:, j, :, s:s + m], out=part)
            grid = part.reshape((g, cg, nb) + ext)
            grid = grid[(slice(None), slice(None), slice(None))
                        + tuple(slice(0, ln) for ln in lens)]
            sl = tuple(slice(aa, None, s) for aa, s in zip(a, stride))
            dst[(slice(None), slice(None), slice(None)) + sl] = grid.transpose(from_grid)
    return gxp


def _grid_plan(in_sp, out_sp, pads, ksize, dil):
    """The flat-grid layout of a stride-1 convolution (see ``_grid_backward``), or None.

    Each image is laid out on a grid of extents ``G_i = max(S_i + max(lo_i, hi_i), O_i)``
    flattened to ``P`` entries, the images one after the other; input entry ``y`` sits at grid
    coordinate ``lo + y`` and output entry ``o`` at ``o``, so that kernel tap ``k`` of output
    ``q`` reads the input at ``q + off[k]``. Padding entries shared between neighbouring rows
    (and images) are zero, so that every tap of a valid output reads zero or its input.
    """
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        return None
    ext = [max(s + max(lo, hi), o) for s, (lo, hi), o in zip(in_sp, pads, out_sp)]
    strides = [1] * len(ext)
    for i in range(len(ext) - 2, -1, -1):
        strides[i] = strides[i + 1] * ext[i + 1]
    offs = [sum(kj * dl * st for kj, dl, st in zip(k, dil, strides)) for k in np.ndindex(*ksize)]
    return tuple(ext), math.prod(ext), offs


def _grid_pays(c: int, o: int, kk: int) -> bool:
    """Whether the flat-grid layout beats direct im2col for a convolution without an input
    gradient: it copies the input and the output (gradient) with short strided rows, and
    then makes the patches with long contiguous copies; direct im2col makes every patch row
    with a short strided copy, so it wins when there are few patch rows per channel."""
    return kk > 1 and 10 * (c + o) < 7 * c * kk


def _grid_patches(x, plan, b, groups, pads, dtype, ones):
    """A zeroed patch buffer ``(g, K*C/g [+ 1], R)`` on the flat grid of ``plan`` (rows ordered
    (tap, channel); with ``ones`` a last row of ones) and a function filling it from images
    ``i:i+nb``: the input goes onto the first tap's slab (whose padding entries stay zero), and
    each other tap's slab is one contiguous copy of it, shifted by ``off[k]``."""
    ext, p, offs = plan
    g = groups
    n, c = x.shape[:2]
    cg = c // g
    kk = len(offs)
    full = b * p
    r = full + offs[-1]
    flat = cg * r
    in_sp = x.shape[2:]
    cols = np.zeros((g, kk * cg + ones, r), dtype)
    if ones:
        cols[:, -1] = 1
    cols2 = cols[:, :kk * cg].reshape(g, kk, flat)
    xv = cols[:, :cg, :full].reshape((g, cg, b) + ext)
    data = tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, in_sp))
    order = (1, 2, 0) + tuple(range(3, 3 + len(in_sp)))

    def fill(i, nb):
        src = x[i:i + nb].reshape((nb, g, cg) + in_sp)
        xv[(slice(None), slice(None), slice(0, nb)) + data] = src.transpose(order)
        if nb < b:  # images past the block's end read as zero padding
            xv[:, :, nb:] = 0
        for k in range(1, kk):
            s = offs[k]
            np.copyto(cols2[:, k, :flat - s], cols2[:, 0, s:])
        return cols[:, :, :nb * p]

    return fill


def _grid_fwd(x, w, pads, dil, groups, out_sp, bcol):
    """``_conv_fwd`` for stride 1 on the flat grid (see ``_grid_plan``): per block of images,
    the patches by contiguous shifted copies, one GEMM with the (bias-extended) weight writing
    the block's outputs onto the grid, and a crop into NCHW. None when the layout does not
    apply."""
    n, c = x.shape[:2]
    o = w.shape[0]
    in_sp = x.shape[2:]
    plan = _grid_plan(in_sp, out_sp, pads, w.shape[2:], dil)
    if plan is None:
        return None
    ext, p, offs = plan
    g = groups
    og, cg, kk = o // g, c // g, len(offs)
    dtype = np.result_type(x.dtype, w.dtype)
    b = _block(n, c * kk * p * np.dtype(dtype).itemsize)
    # (g, O/g, K*C/g [+ 1]): columns ordered (tap, channel) like the patch rows
    wk = w.reshape(g, og, cg, kk).transpose(0, 1, 3, 2).reshape(g, og, kk * cg)
    if bcol is not None:
        wk = np.concatenate([wk, bcol], axis=2)
    wk = wk.astype(dtype, copy=False)
    fill = _grid_patches(x, plan, b, g, pads, dtype, bcol is not None)
    outg = np.empty((g, og, b * p), dtype)
    outv = outg.reshape((g, og, b) + ext)
    outs = tuple(slice(0, m) for m in out_sp)
    order = (2, 0, 1) + tuple(range(3, 3 + len(out_sp)))
    res = np.empty((n, o) + tuple(out_sp), dtype)
    for i in range(0, n, b):
        nb = min(b, n - i)
        np.matmul(wk, fill(i, nb), out=outg[:, :, :nb * p])
        blk = outv[(slice(None), slice(None), slice(0, nb)) + outs]
        res[i:i + nb].reshape((nb, g, og) + tuple(out_sp))[...] = blk.transpose(order)
    return res


def _grid_fwd_split(x, w, pads, dil, groups, out_sp, bcol):
    """``_conv_fwd`` for stride 1 on the flat grid (see ``_grid_plan``), or None when the layout
    does not apply.

    Per block of images the input is copied once onto a zero grid (channel-major) and repeated
    shifted by each tap of the last kernel axis (``KL`` slabs, contiguous copies): the patches
    of those taps. One GEMM with the weight rearranged to ``(K/KL * O, KL * C [+ 1])`` (rows
    ordered (outer tap, out channel); the bias column only in the first outer tap's rows) gives
    each outer tap's contribution on the grid, and these are added, shifted by the outer taps'
    offsets, straight into the NCHW result (the adds also crop). Compared with all ``K`` tap
    slabs in one GEMM this copies ``KL`` times the input instead of ``K`` times.
    """
    n, c = x.shape[:2]
    o = w.shape[0]
    in_sp = x.shape[2:]
    ksize = w.shape[2:]
    plan = _grid_plan(in_sp, out_sp, pads, ksize, dil)
    if plan is None:
        return None
    ext, p, offs = plan
    g = groups
    og, cg, kk = o // g, c // g, len(offs)
    kl = ksize[-1]
    ko = kk // kl
    sl = [j * dil[-1] for j in range(kl)]
    so = [offs[i * kl] for i in range(ko)]
    dtype = np.result_type(x.dtype, w.dtype)
    ones = bcol is not None
    b = _block(n, (c * kl + o * ko) * p * np.dtype(dtype).itemsize)
    full = b * p
    # (g, K/KL * O/g, KL * C/g [+ 1]): rows (outer tap, out channel), columns (last tap, channel)
    wk = w.reshape(g, og, cg, ko, kl).transpose(0, 3, 1, 4, 2).reshape(g, ko * og, kl * cg)
    if ones:
        bc = np.zeros((g, ko * og, 1), dtype)
        bc[:, :og] = bcol
        wk = np.concatenate([wk, bc], axis=2)
    wk = wk.astype(dtype, copy=False)
    r = full + so[-1]  # the products' row length: each outer tap reads up to so[-1] further
    rp = r + sl[-1]  # the patch slabs' row length
    cols = np.zeros((g, kl * cg + ones, rp), dtype)
    if ones:
        cols[:, -1] = 1
    colsf = cols[:, :kl * cg].reshape(g, kl, cg * rp)
    xv = cols[:, :cg, :full].reshape((g, cg, b) + ext)
    data = tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, in_sp))
    d = len(in_sp)
    to_grid = (1, 2, 0) + tuple(range(3, 3 + d))
    from_grid = (2, 0, 1) + tuple(range(3, 3 + d))
    z = np.empty((g, ko, og, r), dtype)
    zf = z.reshape(g, ko * og, r)
    outs = tuple(slice(0, m) for m in out_sp)
    res = np.empty((n, o) + tuple(out_sp), dtype)
    for i in range(0, n, b):
        nb = min(b, n - i)
        src = x[i:i + nb].reshape((nb, g, cg) + in_sp)
        xv[(slice(None), slice(None), slice(0, nb)) + data] = src.transpose(to_grid)
        if nb < b:  # images past the block's end read as zero padding
            xv[:, :, nb:] = 0
        for j in range(1, kl):
            s = sl[j]
            np.copyto(colsf[:, j, :cg * rp - s], colsf[:, 0, s:])
        m = nb * p + so[-1]
        np.matmul(wk, cols[:, :, :m], out=zf[:, :, :m])
        dst = res[i:i + nb].reshape((nb, g, og) + tuple(out_sp))
        for j in range(ko):
            s = so[j]
            part = z[:, j, :, s:s + nb * p].reshape((g, og, nb) + ext)
            part = part[(slice(None), slice(None), slice(None)) + outs].transpose(from_grid)
            if j == 0:
                first = part
                if ko == 1:
                    dst[...] = part
            elif j == 1:
                np.add(first, part, out=dst)
            else:
                np.add(dst, part, out=dst)
    return res


def _grid_backward(gy, x, w, in_sp, pads, dil, groups, want_x, want_w, wshape=None):
    """Input and/or weight gradient of a stride-1 convolution, in one pass over blocks of
    images.

    A block's output gradient is copied once onto a flat zero grid (channel-major, the block's
    images side by side, each row padded; see ``_grid_plan``). On the grid a kernel tap is a
    constant shift ``off[k]``, so every remaining step is a GEMM or a long contiguous slice
    operation (NumPy runs those several times faster than strided ones):

    - ``gx`` (the transposed convolution): the gradient's grid is repeated shifted by each tap
      of the last kernel axis (``KL`` slabs, contiguous copies), one GEMM with the weight
      rearranged to ``(K/KL * C, KL * O)`` gives the contribution of each group of outer taps,
      and these are added into the first one shifted by their outer offsets (``K/KL - 1``
      contiguous slab adds: the col2im, without a patch copy of the many-channel gradient);
      the valid entries are then cropped out;
    - ``gw``: the input is put on a grid too and repeated shifted by each outer tap (``K/KL``
      slabs); one GEMM of the gradient's ``KL`` slabs with these gives every tap's product,
      summed over all the block's images at once (tap = last-axis shift + outer shift). Without
      ``gx`` the gradient is not repeated and the input gets all ``K`` slabs instead
      (``_grid_patches``).

    The grid's junk entries (padding shared by neighbouring rows and images) hold zero in the
    gradient, so they add nothing (0 * x: callers fall back when a result is not finite).
    Returns ``(gx, gw)`` (None for what is not wanted), or None when the layout does not
    apply. (The bias gradient is left to ``np.sum``: pairwise summation is more accurate than
    a GEMM's row of ones, and PyTorch's printed training numbers are reproduced with it.)
    """
    n, o = gy.shape[:2]
    out_sp = gy.shape[2:]
    wshape = w.shape if wshape is None else wshape
    ksize = tuple(wshape[2:])
    plan = _grid_plan(in_sp, out_sp, pads, ksize, dil)
    if plan is None:
        return None
    ext, p, offs = plan
    g = groups
    og = o // g
    cg = wshape[1]
    c = cg * g
    kk = len(offs)
    dtype = gy.dtype if x is None else np.result_type(x.dtype, gy.dtype)
    if want_x:
        dtype = np.result_type(dtype, w.dtype)
    b = _block(n, max(c * kk, o) * p * np.dtype(dtype).itemsize)
    full = b * p  # grid entries of a full block
    d = len(ksize)
    # taps split into the last kernel axis (shifts ``sl``) and the outer ones (shifts ``so``)
    kl = ksize[-1] if want_x else 1
    ko = kk // kl
    sl = [j * dil[-1] for j in range(kl)]
    so = [offs[i * kl] for i in range(ko)]
    r3 = full + sl[-1]  # row length of the gradient's slabs
    gy3 = np.zeros((g, kl, og, r3), dtype)
    gy3f = gy3.reshape(g, kl, og * r3)
    gyv = gy3[:, 0, :, :full].reshape((g, og, b) + ext)
    outs = tuple(slice(0, m) for m in out_sp)
    gx = gw = None
    if want_x:
        gx = np.empty((n, c) + tuple(in_sp), dtype)
        # (g, K/KL * C/g, KL * O/g): rows ordered (outer tap, channel), columns (last tap, out)
        wt = w.reshape(g, og, cg, ko, kl).transpose(0, 3, 2, 4, 1).reshape(g, ko * cg, kl * og)
        ru = r3 + so[-1]  # row length of the contributions' slabs (their tails stay zero)
        u = np.zeros((g, ko * cg, ru), dtype)
        uf = u.reshape(g, ko, cg * ru)
        gxv = u[:, :cg, :full].reshape((g, cg, b) + ext)  # the first slab, as grids
        data = tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, in_sp))
    if want_w and want_x:
        # the input's grid repeated shifted by each outer tap: ``K/KL`` slabs, against the
        # gradient's ``KL`` slabs, makes every tap's product
        rx = r3 + so[-1]
        x3 = np.zeros((g, ko * cg, rx), dtype)
        x3f = x3.reshape(g, ko, cg * rx)
        xv = x3[:, :cg, :full].reshape((g, cg, b) + ext)
        gwt = np.zeros((g, kl * og, ko * cg), dtype)
    elif want_w:
        fill = _grid_patches(x, plan, b, g, pads, dtype, False)
        gwt = np.zeros((g, kk * cg, og), dtype)
    to_grid = (1, 2, 0) + tuple(range(3, 3 + d))
    from_grid = (2, 0, 1) + tuple(range(3, 3 + d))
    for i in range(0, n, b):
        nb = min(b, n - i)
        m = nb * p
        src = gy[i:i + nb].reshape((nb, g, og) + tuple(out_sp))
        gyv[(slice(None), slice(None), slice(0, nb)) + outs] = src.transpose(to_grid)
        if nb < b:  # the images past the block's end are zeros
            gyv[:, :, nb:] = 0
        if want_x:
            for j in range(1, kl):
                s = sl[j]
                np.copyto(gy3f[:, j, s:], gy3f[:, 0, :og * r3 - s])
            m3 = m + sl[-1]
            np.matmul(wt, gy3[..., :m3].reshape(g, kl * og, m3), out=u[:, :, :m3])
            for j in range(1, ko):  # so[0] == 0: the first slab accumulates
                s = so[j]
                dst = uf[:, 0, s:]
                np.add(dst, uf[:, j, :cg * ru - s], out=dst)
            blk = gxv[(slice(None), slice(None), slice(0, nb)) + data]  # (g, C/g, nb, *S)
            gx[i:i + nb].reshape((nb, g, cg) + tuple(in_sp))[...] = blk.transpose(from_grid)
        if want_w and want_x:
            xsrc = x[i:i + nb].reshape((nb, g, cg) + tuple(in_sp))
            xv[(slice(None), slice(None), slice(0, nb)) + data] = xsrc.transpose(to_grid)
            if nb < b:
                xv[:, :, nb:] = 0
            for j in range(1, ko):
                s = so[j]
                np.copyto(x3f[:, j, :cg * rx - s], x3f[:, 0, s:])
            gwt += np.matmul(gy3[..., :m3].reshape(g, kl * og, m3), x3[:, :, :m3].swapaxes(1, 2))
        elif want_w:
            gwt += np.matmul(fill(i, nb), gy3[:, 0, :, :m].swapaxes(1, 2))
    if want_w and want_x:
        # (g, (last tap, out), (outer tap, channel)) -> (O, C/g, *K)
        gw = gwt.reshape(g, kl, og, ko, cg).transpose(0, 2, 4, 3, 1).reshape(wshape)
    elif want_w:
        gw = gwt.reshape(g, kk, cg, og).transpose(0, 3, 2, 1).reshape(wshape)
    return gx, gw


def _conv_weight_grad(x, gy, wshape, stride, pads, dil, groups):
    """Adjoint of ``_conv_fwd`` in its weight: ``gw[o,c,k] = sum_{n,l} gy[n,o,l] xpad[n,c,.]``."""
    n, c = x.shape[:2]
    o = wshape[0]
    ksize = tuple(wshape[2:])
    g = groups
    kk = math.prod(ksize)
    cgk = (c // g) * kk
    out_sp = gy.shape[2:]
    length = math.prod(out_sp)
    dtype = np.result_type(x.dtype, gy.dtype)
    if n == 0 or length == 0:
        return np.zeros(wshape, dtype)
    gyr = gy.reshape(n, g, o // g, length)
    if kk == 1 and all(s == 1 for s in stride) and not any(lo or hi for lo, hi in pads):
        cols = x.reshape(n, g, cgk, length)
        return np.matmul(gyr, cols.swapaxes(2, 3)).sum(0).reshape(wshape)
    if all(s == 1 for s in stride) and _grid_pays(c, o, kk):
        res = _grid_backward(gy, x, None, x.shape[2:], pads, dil, groups, False, True, wshape)
        if res is not None and np.isfinite(res[1]).all():
            return res[1]
    acc = None
    b = _block(n, c * kk * length * x.itemsize)
    fill = _im2col_buffer(x, b, g, pads, ksize, stride, dil, tuple(out_sp))
    for i in range(0, n, b):
        nb = min(b, n - i)
        part = np.matmul(gyr[i:i + nb], fill(i, nb).swapaxes(2, 3))
        part = part.sum(0) if nb > 1 else part[0]
        acc = part if acc is None else np.add(acc, part, out=acc)
    return acc.reshape(wshape).astype(dtype, copy=False)


# ---------------------------------------------------------------- Functions
def _any_tensor(*xs) -> bool:
    return any(isinstance(x, Tensor) for x in xs)


def _input_grad(gy, w, in_sp, stride, pads, dil, groups):
    if _any_tensor(gy, w):
        return Convolution.apply(gy, w, None, stride, pads, dil, True, groups, tuple(in_sp))
    return _conv_input_grad(gy, w, in_sp, stride, pads, dil, groups)


def _forward_conv(x, w, stride, pads, dil, groups):
    if _any_tensor(x, w):
        return Convolution.apply(x, w, None, stride, pads, dil, False, groups, None)
    return _conv_fwd(x, w, stride, pads, dil, groups)


def _weight_grad(x, gy, wshape, stride, pads, dil, groups):
    if _any_tensor(x, gy):
        return ConvWeightGrad.apply(x, gy, tuple(wshape), stride, pads, dil, groups)
    return _conv_weight_grad(x, gy, wshape, stride, pads, dil, groups)


class Convolution(Function):
    """``out = conv(x, w) + b`` (or the transposed convolution); PyTorch's ``convolution``.

    ``pads`` holds one ``(before, after)`` zero-padding pair per spatial axis; ``out_sp`` is the
    output's spatial size for a transposed convolution (None otherwise).
    """

    _arrays = True
    _n_edges = 3
    name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dil, transposed, groups, out_sp):
        if transposed:
            out = _conv_input_grad(x, w, out_sp, stride, pads, dil, groups)
            if b is not None:
                out += b.reshape((-1,) + (1,) * (out.ndim - 2))
        else:
            out = _conv_fwd(x, w, stride, pads, dil, groups, b)
        need = ctx.needs_input_grad
        ctx.conf = (stride, pads, dil, transposed, groups)
        ctx.shapes = (x.shape, w.shape, b is not None)
        ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        stride, pads, dil, transposed, groups = ctx.conf
        xshape, wshape, has_b = ctx.shapes
        need = ctx.needs_input_grad
        gx = gw = gb = None
        kk = math.prod(wshape[2:])
        if (need[1] and not transposed and all(s == 1 for s in stride)
                and not _any_tensor(grad, x, w) and grad.size and x.size
                and (np.isfinite(w).all() if need[0] else _grid_pays(xshape[1], wshape[0], kk))):
            # the weight gradient together with the input gradient, in one pass
            res = _grid_backward(grad, x, w, xshape[2:], pads, dil, groups, need[0], True,
                                 wshape)
            if res is not None and np.isfinite(res[1]).all():
                gx, gw = res
        if need[0] and gx is None:
            if transposed:
                gx = _forward_conv(grad, w, stride, pads, dil, groups)
            else:
                gx = _input_grad(grad, w, xshape[2:], stride, pads, dil, groups)
        if need[1] and gw is None:
            if transposed:
                gw = _weight_grad(grad, x, wshape, stride, pads, dil, groups)
            else:
                gw = _weight_grad(x, grad, wshape, stride, pads, dil, groups)
        if has_b and need[2]:
            gb = np.sum(grad, axis=(0,) + tuple(range(2, len(xshape))))
        return gx, gw, gb, None, None, None, None, None, None


class ConvWeightGrad(Function):
    """The weight gradient of a convolution as an op of (input, output gradient), so that it can
    itself be differentiated (double backward)."""

    _arrays = True
    _n_edges = 2
    name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, gy, wshape, stride, pads, dil, groups):
        need = ctx.needs_input_grad
        ctx.conf = (stride, pads, dil, groups, x.shape)
        ctx.save_for_backward(x if need[1] else None, gy if need[0] else None)
        return _conv_weight_grad(x, gy, wshape, stride, pads, dil, groups)

    @staticmethod
    def backward(ctx, ggw):
        x, gy = ctx.saved_tensors
        stride, pads, dil, groups, xshape = ctx.conf
        need = ctx.needs_input_grad
        gx = _input_grad(gy, ggw, xshape[2:], stride, pads, dil, groups) if need[0] else None
        ggy = _forward_conv(x, ggw, stride, pads, dil, groups) if need[1] else None
        return gx, ggy, None, None, None, None, None


# ---------------------------------------------------------------- padding
def _pad_index(size: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """Source index of every output position along one axis (after cropping negative pads)."""
    j = np.arange(-lo, size + hi)
    if mode == "reflect":
        j = np.abs(j)
        j = np.where(j >= size, 2 * (size - 1) - j, j)
    elif mode == "replicate":
        j = np.clip(j, 0, size - 1)
    else:  # circular
        j = j % size
    return j


class Pad(Function):
    """Reflect/replicate/circular padding of the last ``len(pads)`` axes (a gather)."""

    _arrays = True
    name = "ReflectionPad2DBackward0"  # renamed per mode/rank by the subclasses below

    @staticmethod
    def forward(ctx, x, pads, mode):
        d = len(pads)
        x = _pad_zeros(x, [(min(lo, 0), min(hi, 0)) for lo, hi in pads])  # crop first
        ctx.conf = (x.shape, pads, mode)
        for i, (lo, hi) in enumerate(pads):
            lo, hi = max(lo, 0), max(hi, 0)
            if lo or hi:
                ax = x.ndim - d + i
                x = np.take(x, _pad_index(x.shape[ax], lo, hi, mode), axis=ax)
        return x if x.base is None else x.copy()

    @staticmethod
    def backward(ctx, grad):
        shape, pads, mode = ctx.conf
        if isinstance(grad, Tensor):
            return PadBackward.apply(grad, shape, pads, mode), None, None
        return _pad_adjoint(grad, shape, pads, mode), None, None


def _pad_adjoint(grad, shape, pads, mode):
    """Sum each padded entry of ``grad`` back onto the entry it copies (the adjoint of Pad)."""
    d = len(pads)
    g = grad
    for i in reversed(range(d)):
        lo, hi = max(pads[i][0], 0), max(pads[i][1], 0)
        if not (lo or hi):
            continue
        ax = g.ndim - d + i
        size = shape[ax]
        idx = _pad_index(size, lo, hi, mode)
        pre = (slice(None),) * ax
        out = g[pre + (slice(lo, lo + size),)].copy()
        for j in list(range(lo)) + list(range(lo + size, lo + size + hi)):
            out[pre + (idx[j],)] += g[pre + (j,)]
        g = out
    pads_neg = [(min(lo, 0), min(hi, 0)) for lo, hi in pads]
    if any(lo or hi for lo, hi in pads_neg):
        g = _pad_zeros(g, [(-lo, -hi) for lo, hi in pads_neg])
    return g


class PadBackward(Function):
    """The adjoint of :class:`Pad` as an op (so padding has a double backward)."""

    _arrays = True
    name = "ReflectionPad2DBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, pads, mode):
        ctx.conf = (pads, mode)
        return _pad_adjoint(grad, shape, pads, mode)

    @staticmethod
    def backward(ctx, gg):
        pads, mode = ctx.conf
        return _PAD_CLS[(mode, len(pads))].apply(gg, pads, mode), None, None, None


_PAD_CLS = {}
for _mode, _stem in (("reflect", "ReflectionPad"), ("replicate", "ReplicationPad"),
                     ("circular", None)):
    for _d in (1, 2, 3):
        _name = f"{_stem}{_d}DBackward0" if _stem else "CopySlices"
        _PAD_CLS[(_mode, _d)] = type(f"Pad_{_mode}{_d}", (Pad,), {"name": _name,
                                                                "__module__": __name__})


class ConstantPad(Function):
    """``constant_pad_nd``: pad (or crop, for negative amounts) with a constant."""

    _arrays = True
    name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pads, value):
        d = len(pads)
        ctx.pads = pads
        if value == 0:
            out = _pad_zeros(x, pads)
            return out.copy() if out is x or out.base is x else out
        xc = _pad_zeros(x, [(min(lo, 0), min(hi, 0)) for lo, hi in pads])
        pos = [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
        shape = xc.shape[: x.ndim - d] + tuple(
            xc.shape[x.ndim - d + i] + lo + hi for i, (lo, hi) in enumerate(pos))
        out = np.full(shape, value, x.dtype)
        out[(slice(None),) * (x.ndim - d) + tuple(
            slice(lo, lo + xc.shape[x.ndim - d + i]) for i, (lo, _) in enumerate(pos))] = xc
        return out

    @staticmethod
    def backward(ctx, grad):
        neg = [(-lo, -hi) for lo, hi in ctx.pads]
        if isinstance(grad, Tensor):
            return ConstantPad.apply(grad, neg, 0), None, None
        return np.ascontiguousarray(_pad_zeros(grad, neg)), None, None


def _warn_same_even():
    if not _warned[0]:
        _warned[0] = True
        warnings.warn(
            "Using padding='same' with even kernel lengths and odd dilation may require a "
            "zero-padded copy of the input be created", UserWarning, stacklevel=4)


_warned = [False]


# ---------------------------------------------------------------- bilinear
class Trilinear(Function):
    """``out[b, o] = sum_{i,j} x1[b, i] w[o, i, j] x2[b, j]`` (PyTorch's ``_trilinear`` as
    used by ``bilinear``)."""

    _arrays = True
    name = "TrilinearBackward0"

    @staticmethod
    def forward(ctx, x1, w, x2):
        need = ctx.needs_input_grad
        ctx.save_for_backward(x1 if (need[1] or need[2]) else None, w if (need[0] or need[2])
                              else None, x2 if (need[0] or need[1]) else None)
        if x1.shape[0] == 0:
            return np.zeros((0, w.shape[0]), np.result_type(x1, w, x2))
        # (B, I) @ (I, O*J) -> (B, O, J); then contract J with x2
        t = np.matmul(x1, w.transpose(1, 0, 2).reshape(w.shape[1], -1))
        t = t.reshape(x1.shape[0], w.shape[0], w.shape[2])
        return np.matmul(t, x2[:, :, None])[:, :, 0]

    @staticmethod
    def backward(ctx, grad):
        x1, w, x2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        g1 = np.einsum("bo,oij,bj->bi", grad, w, x2) if need[0] else None
        gw = np.einsum("bo,bi,bj->oij", grad, x1, x2) if need[1] else None
        g2 = np.einsum("bo,oij,bi->bj", grad, w, x1) if need[2] else None
        return g1, gw, g2


# ---------------------------------------------------------------- functional forms
def _sizes(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _expand(value, n: int, name: str, k: int | None = None) -> tuple:
    """An int or sequence argument expanded to ``n`` values (PyTorch's IntArrayRef[n]); with
    ``k``, then checked against the convolution's dimensionality as ``at::convolution`` does."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        vals = (int(value),) * n
    else:
        vals = tuple(int(v) for v in value)
        if len(vals) == 1:
            vals = vals * n
    if k is not None and len(vals) != k:
        if len(vals) == 1:
            return vals * k
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {k} values to match the "
            f"convolution dimensions, but got {name}={_sizes(vals)}"
        )
    return vals


_DT = {"float32": "float", "float64": "double", "float16": "half", "int64": "long",
       "int32": "int", "int16": "short", "int8": "signed char", "uint8": "unsigned char",
       "bool": "bool"}
_ST = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
       "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _check_conv(x, w, b, stride, padding, dil, groups, transposed, output_padding=None):
    """PyTorch's ``check_shape_forward`` (ATen/native/Convolution.cpp), in its order."""
    xs, ws = x.shape, w.shape
    k = len(ws) - 2
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if output_padding is not None and any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d < 0 for d in dil):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if len(xs) != len(ws):
        raise RuntimeError(
            f"Expected {len(ws)}-dimensional input for {len(ws)}-dimensional weight {_sizes(ws)}"
            f", but got {len(xs)}-dimensional input of size {_sizes(xs)} instead")
    if ws[0] < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but "
            f"got weight of size {_sizes(ws)} instead")
    if ws[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{_sizes(ws)}] instead")
    if not transposed:
        if xs[1] != ws[1] * groups:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {_sizes(ws)}, expected input{_sizes(xs)} "
                f"to have {ws[1] * groups} channels, but got {xs[1]} channels instead")
        if b is not None and (b.ndim != 1 or b.shape[0] != ws[0]):
            raise RuntimeError(
                f"Given weight of size {_sizes(ws)}, expected bias to be 1-dimensional with "
                f"{ws[0]} elements, but got bias of size {_sizes(b.shape)} instead")
        padded = [xs[2 + i] + 2 * padding[i] for i in range(k)]
        kern = [dil[i] * (ws[2 + i] - 1) + 1 for i in range(k)]
        if any(p < q for p, q in zip(padded, kern)):
            raise RuntimeError(
                "Calculated padded input size per channel: (" + " x ".join(map(str, padded))
                + "). Kernel size: (" + " x ".join(map(str, kern))
                + "). Kernel size can't be greater than actual input size")
    else:
        if xs[1] != ws[0]:
            raise RuntimeError(
                f"Given transposed=1, weight of size {_sizes(ws)}, expected input{_sizes(xs)} to "
                f"have {ws[0]} channels, but got {xs[1]} channels instead")
        if b is not None and (b.ndim != 1 or b.shape[0] != ws[1] * groups):
            raise RuntimeError(
                f"Given transposed=1, weight of size {_sizes(ws)}, expected bias to be "
                f"1-dimensional with {ws[1] * groups} elements, but got bias of size "
                f"{_sizes(b.shape)} instead")
    if any(d == 0 for d in dil):
        raise RuntimeError(f"dilation should be greater than zero, but got {_sizes(dil)}")
    if xs[0] and xs[1] and 0 in xs:  # torch's select_conv_backend; a 1-d conv runs as 2-d
        shown = xs if k != 1 else (xs[0], xs[1], 1, xs[2])
        raise RuntimeError("Only zero batch or zero channel inputs are supported, but got input "
                           f"shape: {_sizes(shown)}")
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"expected scalar type {_ST[str(x.dtype)]} but found {_ST[str(w.dtype)]}")
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(
            f"Input type ({_DT[str(x.dtype)]}) and bias type ({_DT[str(b.dtype)]}) should be the "
            "same")


def _tensor(x, fname: str, argname: str, pos: int) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not "
            f"{type(x).__name__}")
    return x


def _batchify(x: Tensor, d: int, fname: str):
    nd = x._data.ndim
    if nd not in (d + 1, d + 2):
        raise RuntimeError(
            f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {fname}, but got "
            f"input of size: {_sizes(x._data.shape)}")
    return (x, True) if nd == d + 2 else (x.unsqueeze(0), False)


def _conv(d, fname, input, weight, bias, stride, padding, dilation, groups):
    input = _tensor(input, fname, "input", 1)
    weight = _tensor(weight, fname, "weight", 2)
    x, batched = _batchify(input, d, fname)
    w = weight._data
    k = w.ndim - 2
    stride = _expand(stride, d, "stride", k)
    dil = _expand(dilation, d, "dilation", k)
    groups = int(groups)
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * k
            padding = (0,) * k
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = []
            for i in range(k):
                total = dil[i] * (w.shape[2 + i] - 1)
                pads.append((total // 2, total - total // 2))
            if any(lo != hi for lo, hi in pads):
                _warn_same_even()
            padding = tuple(hi for _, hi in pads)  # the size check sees the padded input
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _expand(padding, d, "padding", k)
        pads = [(p, p) for p in padding]
    bd = None if bias is None else bias._data
    if any(lo != hi for lo, hi in pads):
        # size check on the input as PyTorch sees it: zero-padded by the difference first
        xs = x._data.shape
        shp = xs[:2] + tuple(xs[2 + i] + hi - lo for i, (lo, hi) in enumerate(pads))
        _check_conv(_Shape(shp, x._data), w, bd, stride, [lo for lo, _ in pads], dil, groups,
                    False)
    else:
        _check_conv(x._data, w, bd, stride, padding, dil, groups, False)
    out = Convolution.apply(x, weight, bias, stride, tuple(pads), dil, False, groups, None)
    return out if batched else out.squeeze(0)


class _Shape:
    """Shape and dtype of an array, for the checks (a padded input that is never built)."""

    def __init__(self, shape, like):
        self.shape = shape
        self.ndim = len(shape)
        self.dtype = like.dtype


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D convolution (a cross-correlation) over an input of shape (N, C, L) or (C, L).

    Args:
        input: (N, C_in, L) or unbatched (C_in, L).
        weight: (C_out, C_in / groups, kL).
        bias: optional (C_out,).
        stride, padding, dilation: ints or 1-tuples; padding may be ``'valid'`` or ``'same'``.
        groups: split the channels into this many independent convolutions.

    >>> ember.conv1d(ember.ones(1, 2, 5), ember.ones(3, 2, 3)).shape
    torch.Size([1, 3, 3])
    """
    return _conv(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D convolution (a cross-correlation) over an input of shape (N, C, H, W) or (C, H, W).

    Args:
        input: (N, C_in, H, W) or unbatched (C_in, H, W).
        weight: (C_out, C_in / groups, kH, kW).
        bias: optional (C_out,).
        stride, padding, dilation: ints or pairs; padding may be ``'valid'`` or ``'same'``.
        groups: split the channels into this many independent convolutions.

    >>> ember.conv2d(ember.ones(1, 3, 5, 5), ember.ones(2, 3, 3, 3), padding=1).shape
    torch.Size([1, 2, 5, 5])
    """
    return _conv(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """3-D convolution (a cross-correlation) over (N, C, D, H, W) or (C, D, H, W) input.

    Args:
        input: (N, C_in, D, H, W) or unbatched (C_in, D, H, W).
        weight: (C_out, C_in / groups, kD, kH, kW).
        bias: optional (C_out,).
        stride, padding, dilation: ints or triples; padding may be ``'valid'`` or ``'same'``.
        groups: split the channels into this many independent convolutions.

    >>> ember.conv3d(ember.ones(1, 1, 4, 4, 4), ember.ones(1, 1, 3, 3, 3)).shape
    torch.Size([1, 1, 2, 2, 2])
    """
    return _conv(3, "conv3d", input, weight, bias, stride, padding, dilation, groups)


def _conv_t(d, fname, input, weight, bias, stride, padding, output_padding, groups, dilation):
    input = _tensor(input, fname, "input", 1)
    weight = _tensor(weight, fname, "weight", 2)
    if isinstance(padding, str):
        raise TypeError(f"{fname}(): argument 'padding' must be tuple of ints, not str")
    x, batched = _batchify(input, d, fname)
    w = weight._data
    k = w.ndim - 2
    stride = _expand(stride, d, "stride", k)
    padding = _expand(padding, d, "padding", k)
    opad = _expand(output_padding, d, "output_padding", k)
    dil = _expand(dilation, d, "dilation", k)
    groups = int(groups)
    bd = None if bias is None else bias._data
    _check_conv(x._data, w, bd, stride, padding, dil, groups, True, opad)
    if any(not (op < s or op < dl) for op, s, dl in zip(opad, stride, dil)):
        names = ["width"] if k == 1 else ["height", "width"] if k == 2 else \
            ["depth", "height", "width"]
        vals = list(opad)
        st, dl = list(stride), list(dil)
        if k == 1:  # reported through the 2-D kernel, with a unit height
            names, vals, st, dl = ["height", "width"], [0] + vals, [1] + st, [1] + dl
        msg = " ".join(f"output_padding_{n}: {v}" for n, v in zip(names, vals))
        msg += " " + " ".join(f"stride_{n}: {v}" for n, v in zip(names, st))
        msg += " " + " ".join(f"dilation_{n}: {v}" for n, v in zip(names, dl))
        raise RuntimeError(
            f"output padding must be smaller than either stride or dilation, but got {msg}")
    in_sp = x._data.shape[2:]
    out_sp = tuple((n - 1) * s - 2 * p + dl * (kk - 1) + op + 1
                   for n, s, p, dl, kk, op in zip(in_sp, stride, padding, dil, w.shape[2:], opad))
    if any(o <= 0 for o in out_sp):
        raise RuntimeError(
            "Given input size per channel: (" + " x ".join(map(str, in_sp))
            + "). Calculated output size per channel: (" + " x ".join(map(str, out_sp))
            + "). Output size is too small")
    pads = tuple((p, p) for p in padding)
    out = Convolution.apply(x, weight, bias, stride, pads, dil, True, groups, out_sp)
    return out if batched else out.squeeze(0)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """1-D transposed convolution ("deconvolution"), the adjoint of :func:`conv1d`.

    Args:
        input: (N, C_in, L) or unbatched (C_in, L).
        weight: (C_in, C_out / groups, kL).
        output_padding: extra size added to one side of the output.

    >>> ember.conv_transpose1d(ember.ones(1, 2, 3), ember.ones(2, 1, 3)).shape
    torch.Size([1, 1, 5])
    """
    return _conv_t(1, "conv_transpose1d", input, weight, bias, stride, padding, output_padding,
                   groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """2-D transposed convolution ("deconvolution"), the adjoint of :func:`conv2d`.

    Args:
        input: (N, C_in, H, W) or unbatched (C_in, H, W).
        weight: (C_in, C_out / groups, kH, kW).
        output_padding: extra size added to one side of each output dimension.

    >>> ember.conv_transpose2d(ember.ones(1, 2, 3, 3), ember.ones(2, 1, 3, 3), stride=2).shape
    torch.Size([1, 1, 7, 7])
    """
    return _conv_t(2, "conv_transpose2d", input, weight, bias, stride, padding, output_padding,
                   groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """3-D transposed convolution, the adjoint of :func:`conv3d`.

    >>> ember.conv_transpose3d(ember.ones(1, 1, 2, 2, 2), ember.ones(1, 1, 2, 2, 2)).shape
    torch.Size([1, 1, 3, 3, 3])
    """
    return _conv_t(3, "conv_transpose3d", input, weight, bias, stride, padding, output_padding,
                   groups, dilation)


def linear(input, weight, bias=None) -> Tensor:
    """``input @ weight.T + bias``, built from the same ops as PyTorch's ``linear`` (so the
    ``grad_fn`` is ``AddmmBackward0``, ``ViewBackward0``, ... as there).

    Shape:
        input: (*, in_features); weight: (out_features, in_features); bias: (out_features,).

    >>> ember.nn.functional.linear(ember.ones(2, 3), ember.ones(4, 3)).shape
    torch.Size([2, 4])
    """
    from .linalg import addmm, matmul

    input = _tensor(input, "linear", "input", 1)
    weight = _tensor(weight, "linear", "weight", 2)
    xd, wd = input._data.ndim, weight._data.ndim
    if xd == 0 or wd == 0:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {xd}D and {wd}D")
    if bias is not None:
        if xd == 2:
            return addmm(bias, input, weight.t())
        data = input._data
        if data.flags.c_contiguous and (xd == 3 or bias._data.ndim == 1):
            shape = data.shape
            flat = input.reshape(math.prod(shape[:-1]), shape[-1])
            out = addmm(bias, flat, weight.t())
            return out.view(shape[:-1] + out._data.shape[1:])
    out = matmul(input, weight.t())
    if bias is not None:
        out = out + bias
    return out


def bilinear(input1, input2, weight, bias=None) -> Tensor:
    """``y[..., o] = x1[..., i] W[o, i, j] x2[..., j] + b[o]``.

    >>> ember.bilinear(ember.ones(2, 3), ember.ones(2, 5), ember.ones(4, 3, 5)).shape
    torch.Size([2, 4])
    """
    x1 = _tensor(input1, "bilinear", "input1", 1)
    x2 = _tensor(input2, "bilinear", "input2", 2)
    weight = _tensor(weight, "bilinear", "weight", 3)
    s1, s2, ws = x1._data.shape, x2._data.shape, weight._data.shape
    if len(s1) != len(s2):
        raise RuntimeError(
            f"bilinear(): input dimensions do not match: got {len(s1)} and {len(s2)}")
    for i in range(len(s1) - 1):
        if s1[i] != s2[i]:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {i}: got {s1[i]} and "
                f"{s2[i]}")
    if s1[-1] != ws[1]:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {s1[-1]} but expected "
            f"{ws[1]}")
    if s2[-1] != ws[2]:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {s2[-1]} but expected "
            f"{ws[2]}")
    if bias is not None and bias._data.shape[0] != ws[0]:
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got {bias._data.shape[0]} but "
            f"expected {ws[0]}")
    out = Trilinear.apply(x1.reshape(-1, s1[-1]), weight, x2.reshape(-1, s2[-1]))
    out = out.reshape(s1[:-1] + (ws[0],))
    if bias is not None:
        out = out + bias
    return out


_PAD_HELP = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)


def constant_pad_nd(input, pad, value=0) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions with ``value`` (negative amounts crop).

    >>> ember.constant_pad_nd(ember.ones(2), (1, 1)).tolist()
    [0.0, 1.0, 1.0, 0.0]
    """
    input = _tensor(input, "constant_pad_nd", "input", 1)
    pad = _pad_arg(pad, "constant_pad_nd")
    shape = input._data.shape
    if len(pad) % 2:
        raise RuntimeError("Length of pad must be even but instead it equals " + str(len(pad)))
    if len(pad) // 2 > len(shape):
        raise RuntimeError(
            "Length of pad should be no more than twice the number of dimensions of the input. "
            f"Pad length is {len(pad)} while the input has {len(shape)} dimensions.")
    return _constant_pad(input, pad, value)


def _constant_pad(input, pad, value):
    shape = input._data.shape
    d = len(pad) // 2
    pairs = tuple((pad[2 * (d - 1 - i)], pad[2 * (d - 1 - i) + 1]) for i in range(d))
    for i, (lo, hi) in enumerate(pairs):
        if shape[len(shape) - d + i] + min(lo, 0) + min(hi, 0) < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    dt = input._data.dtype
    if dt.kind in "iub":
        value = int(value) if dt.kind != "b" else bool(value)
    return ConstantPad.apply(input, pairs, value)


def _pad_arg(pad, fname):
    out = []
    for i, p in enumerate(pad):
        if isinstance(p, Tensor):
            p = p.item()
        if not isinstance(p, (int, np.integer)) or isinstance(p, bool):
            raise TypeError(
                f"{fname}(): argument 'pad' (position 2) must be tuple of ints, but found element "
                f"of type {type(p).__name__} at pos {i}")
        out.append(int(p))
    return tuple(out)


def pad(input, pad, mode="constant", value=None) -> Tensor:
    """Pad ``input``: ``pad`` lists (before, after) amounts from the last dimension backwards.

    Args:
        mode: ``'constant'`` (with ``value``), ``'reflect'``, ``'replicate'`` or ``'circular'``.

    >>> ember.nn.functional.pad(ember.arange(3.), (2, 1), mode="reflect").tolist()
    [2.0, 1.0, 0.0, 1.0, 2.0, 1.0]
    """
    input = _tensor(input, "pad", "input", 1)
    pad = _pad_arg(pad, "pad")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    shape = input._data.shape
    nd = len(shape)
    if mode == "constant":
        if len(pad) % 2:
            raise RuntimeError("Padding length must be divisible by 2")
        if len(pad) > 2 * nd:
            raise RuntimeError(
                "Padding length should be less than or equal to two times the input dimension "
                f"but got padding length {len(pad)} and input of dimension {nd}")
        return _constant_pad(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * nd:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension "
            f"but got padding length {len(pad)} and input of dimension {nd}")
    d = len(pad) // 2
    if d not in (1, 2, 3) or nd not in (d + 1, d + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n" + _PAD_HELP)
    pairs = tuple((pad[2 * (d - 1 - i)], pad[2 * (d - 1 - i) + 1]) for i in range(d))
    if mode == "circular":
        for i, (lo, hi) in enumerate(pairs):
            if lo > shape[nd - d + i] or hi > shape[nd - d + i]:
                raise RuntimeError("Padding value causes wrapping around more than once.")
    else:
        if any(s == 0 for s in shape[1:]) or (nd == d + 1 and shape[0] == 0):
            raise RuntimeError(
                f"Expected {d + 1}D or {d + 2}D (batch mode) tensor with possibly 0 batch size "
                f"and other non-zero dimensions for input, but got: {_sizes(shape)}")
        if mode == "reflect":
            for i in reversed(range(d)):
                lo, hi = pairs[i]
                size = shape[nd - d + i]
                if lo >= size or hi >= size:
                    raise RuntimeError(
                        f"Argument #{4 + 2 * (d - 1 - i)}: Padding size should be less than the "
                        "corresponding input dimension, but got: padding "
                        f"({lo}, {hi}) at dimension {nd - d + i} of input {_sizes(shape)}")
    return _PAD_CLS[(mode, d)].apply(input, pairs, mode)


__all__ += ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
            "conv_transpose3d", "bilinear", "constant_pad_nd"]
