"""``unfold`` (im2col) and ``fold`` (col2im): sliding local blocks of a batched image as
columns, and back. Both are one linear map (``Im2Col``) and its adjoint, so each is the other's
backward, and both have a double backward."""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from .pooling import _ST, LinearMap, _ints, _sizes

__all__: list[str] = []


class _Im2Col(LinearMap):
    """(N, C, H, W) -> (N, C * kh * kw, L): the zero-padded blocks, one column per position."""

    names = ("Im2ColBackward0", "Col2ImBackward0")

    def __init__(self, in_sp, k, dil, pad, stride, blocks):
        self.in_sp, self.k, self.dil, self.pad, self.stride = in_sp, k, dil, pad, stride
        self.blocks = blocks
        self.slices = [tuple(slice(j * dl, j * dl + (b - 1) * s + 1, s)
                             for j, dl, s, b in zip(offs, dil, stride, blocks))
                       for offs in np.ndindex(*k)]
        self.padded = tuple(max(i + 2 * p, (b - 1) * s + dl * (kk - 1) + 1)
                            for i, p, s, dl, kk, b in zip(in_sp, pad, stride, dil, k, blocks))

    def fwd(self, x):
        if x.ndim == 3:  # unbatched
            return self.fwd(x[None])[0]
        n, c = x.shape[:2]
        if any(self.pad) or self.padded != tuple(self.in_sp):
            xp = np.zeros((n, c) + self.padded, x.dtype)
            xp[(slice(None), slice(None)) + tuple(
                slice(p, p + i) for p, i in zip(self.pad, self.in_sp))] = x
        else:
            xp = x
        kk = math.prod(self.k)
        out = np.empty((n, c, kk) + tuple(self.blocks), x.dtype)
        for j, sl in enumerate(self.slices):
            out[:, :, j] = xp[(slice(None), slice(None)) + sl]
        return out.reshape(n, c * kk, math.prod(self.blocks))

    def adj(self, g):
        if g.ndim == 2:  # unbatched
            return self.adj(g[None])[0]
        n = g.shape[0]
        kk = math.prod(self.k)
        c = g.shape[1] // kk
        gv = g.reshape((n, c, kk) + tuple(self.blocks))
        gp = np.zeros((n, c) + self.padded, g.dtype)
        for j, sl in enumerate(self.slices):
            gp[(slice(None), slice(None)) + sl] += gv[:, :, j]
        crop = tuple(slice(p, p + i) for p, i in zip(self.pad, self.in_sp))
        return np.ascontiguousarray(gp[(slice(None), slice(None)) + crop])


def _pair_arg(v, fname, name, pos):
    vals = _ints(v, fname, name, pos)
    return vals * 2 if len(vals) == 1 else vals


def _check_params(fname, k, dil, pad, stride):
    for name, v in (("kernel_size", k), ("dilation", dil), ("padding", pad), ("stride", stride)):
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    if k[0] <= 0 or k[1] <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got kernel_height: "
                           f"{k[0]} kernel_width: {k[1]}")
    if dil[0] <= 0 or dil[1] <= 0:
        raise RuntimeError("dilation should be greater than zero, but got dilation_height: "
                           f"{dil[0]} dilation_width: {dil[1]}")
    if pad[0] < 0 or pad[1] < 0:
        raise RuntimeError("padding should be non-negative, but got pad_height: "
                           f"{pad[0]} pad_width: {pad[1]}")
    if stride[0] <= 0 or stride[1] <= 0:
        raise RuntimeError("stride should be greater than zero, but got stride_height: "
                           f"{stride[0]} stride_width: {stride[1]}")


def _blocks(size, k, dil, pad, stride):
    return [(s + 2 * p - (dl * (kk - 1) + 1)) // st + 1
            for s, kk, dl, p, st in zip(size, k, dil, pad, stride)]


def unfold(input, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding local blocks: (N, C, H, W) -> (N, C * prod(kernel_size), L).

    >>> F.unfold(ember.ones(1, 2, 3, 3), 2).shape
    torch.Size([1, 8, 4])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"im2col(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    fname = "im2col"
    k = _pair_arg(kernel_size, fname, "kernel_size", 2)
    dil = _pair_arg(dilation, fname, "dilation", 3)
    pad = _pair_arg(padding, fname, "padding", 4)
    stride = _pair_arg(stride, fname, "stride", 5)
    _check_params(fname, k, dil, pad, stride)
    x = input._data
    nd = x.ndim
    if nd == 2:
        raise IndexError("Dimension out of range (expected to be in range of [-2, 1], but got 2)")
    ok = (nd == 3 and all(s != 0 for s in x.shape)) or (nd == 4 and all(
        s != 0 for s in x.shape[1:]))
    if not ok:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: {_sizes(x.shape)}")
    in_sp = x.shape[-2:]
    blocks = _blocks(in_sp, k, dil, pad, stride)
    if blocks[0] < 1 or blocks[1] < 1:
        raise RuntimeError(
            f"Given input with spatial size ({in_sp[0]}, {in_sp[1]}), kernel_size=({k[0]}, "
            f"{k[1]}), dilation=({dil[0]}, {dil[1]}), padding=({pad[0]}, {pad[1]}), calculated "
            f"shape of the array of sliding blocks as ({blocks[0]}, {blocks[1]}), but its "
            "components must be at least one.")
    if x.dtype.kind in "iu":
        raise NotImplementedError(f'"im2col_out_cpu" not implemented for \'{_ST[str(x.dtype)]}\'')
    op = _Im2Col(tuple(in_sp), tuple(k), tuple(dil), tuple(pad), tuple(stride), tuple(blocks))
    return op.apply(input)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Combine sliding local blocks into an image, summing overlaps (the adjoint of
    :func:`unfold`): (N, C * prod(kernel_size), L) -> (N, C, *output_size).

    >>> F.fold(ember.ones(1, 4, 4), (3, 3), 2)[0, 0]
    tensor([[1., 2., 1.],
            [2., 4., 2.],
            [1., 2., 1.]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"col2im(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    fname = "col2im"
    osz = _pair_arg(output_size, fname, "output_size", 2)
    k = _pair_arg(kernel_size, fname, "kernel_size", 3)
    dil = _pair_arg(dilation, fname, "dilation", 4)
    pad = _pair_arg(padding, fname, "padding", 5)
    stride = _pair_arg(stride, fname, "stride", 6)
    if len(osz) != 2:
        raise RuntimeError(f"It is expected output_size equals to 2, but got size {len(osz)}")
    _check_params(fname, k, dil, pad, stride)
    x = input._data
    nd = x.ndim
    ok = (nd == 2 and all(s != 0 for s in x.shape)) or (nd == 3 and all(
        s != 0 for s in x.shape[1:]))
    if not ok:
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch "
                           f"size and non-zero dimensions for input, but got: {_sizes(x.shape)}")
    cdim = x.shape[-2]
    kk = k[0] * k[1]
    if cdim % kk:
        raise RuntimeError(
            f"Expected size of input's dimension {nd - 2} to be divisible by the product of "
            f"kernel_size, but got input.size({nd - 2})={cdim} and kernel_size=({k[0]}, {k[1]}).")
    blocks = _blocks(osz, k, dil, pad, stride)
    if blocks[0] < 1 or blocks[1] < 1 or blocks[0] * blocks[1] != x.shape[-1]:
        raise RuntimeError(
            f"Given output_size=({osz[0]}, {osz[1]}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({dil[0]}, {dil[1]}), padding=({pad[0]}, {pad[1]}), stride=({stride[0]}, "
            f"{stride[1]}), expected size of input's dimension {nd - 1} to match the calculated "
            f"number of sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but "
            f"got input.size({nd - 1})={x.shape[-1]}.")
    if x.dtype.kind in "iu":
        raise NotImplementedError(f'"col2im_out_cpu" not implemented for \'{_ST[str(x.dtype)]}\'')
    op = _Im2Col(tuple(osz), tuple(k), tuple(dil), tuple(pad), tuple(stride), tuple(blocks))
    return op.T.apply(input)
