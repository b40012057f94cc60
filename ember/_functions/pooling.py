"""Pooling as autograd Functions: max and average pooling (1-3 d), adaptive, fractional and
LP pooling, max-unpooling; and ``LinearMap``, the helper every linear layer op of this family
(avg pooling, upsampling, fold/unfold, pixel shuffle) is built on.

Windows are never materialised. A pooling plan lists, for each kernel offset, the strided slice
of the (padded) input that the offset sees for every output position at once; max pooling then
runs PyTorch's CPU loop (``if (val > maxval || isnan(val))``, first maximum wins, the last NaN
wins) over the offsets, vectorized over the whole output, and keeps the winning offset number
(one byte per output) for backward. Average pooling sums the same slices in the same order as
PyTorch's kernel and divides once, so float results match PyTorch's to the bit.

Every backward is itself an op (``LinearMap`` with the adjoint), so these layers support double
backward.
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "avg_pool1d",
           "adaptive_avg_pool1d", "adaptive_max_pool1d"]


# ---------------------------------------------------------------- linear maps
class LinearMap:
    """A linear map ``A`` on arrays with its adjoint; ``A.apply(x)`` runs it as a differentiable
    op whose backward node is named ``names[0]`` (the adjoint op's node: ``names[1]``).

    Subclasses define ``fwd(x)`` and ``adj(g)``; both see and return ndarrays.
    """

    names = ("LinearMapBackward0", "LinearMapBackwardBackward0")

    def fwd(self, x):
        raise NotImplementedError

    def adj(self, g):
        raise NotImplementedError

    @property
    def T(self) -> LinearMap:
        return _Adjoint(self)

    def apply(self, x: Tensor) -> Tensor:
        return _map_cls(self.names[0]).apply(x, self)


class _Adjoint(LinearMap):
    def __init__(self, op):
        self.op = op
        self.names = op.names[::-1]

    def fwd(self, x):
        return self.op.adj(x)

    def adj(self, g):
        return self.op.fwd(g)

    @property
    def T(self):
        return self.op


class _Map(Function):
    """``y = op.fwd(x)``; backward ``op.adj(g)`` (itself an op under ``create_graph``)."""

    _arrays = True
    _n_edges = 1

    @staticmethod
    def forward(ctx, x, op):
        ctx.op = op
        return op.fwd(x)

    @staticmethod
    def backward(ctx, g):
        op = ctx.op
        if isinstance(g, Tensor):
            return op.T.apply(g), None
        return op.adj(g), None


_MAP_CLS: dict = {}


def _map_cls(name):
    cls = _MAP_CLS.get(name)
    if cls is None:
        cls = _MAP_CLS[name] = type(f"_Map_{name}", (_Map,), {"name": name,
                                                            "__module__": __name__})
    return cls


# ---------------------------------------------------------------- pooling plans
def pool_out_size(size, k, pad, stride, dil, ceil_mode):
    """PyTorch's ``pooling_output_shape_pad_lr`` (the last window must start inside the input
    or its left padding in ceil mode)."""
    out = (size + 2 * pad - dil * (k - 1) - 1 + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


class _Plan:
    """The windows of a pooling over the last ``d`` axes.

    ``slices[i]`` is, for kernel offset number ``i`` (row-major over the kernel), the strided
    slice of the padded input that offset ``i`` of every window reads.
    """

    def __init__(self, in_sp, ksize, stride, pad, dil, out_sp):
        self.in_sp, self.ksize, self.stride = tuple(in_sp), tuple(ksize), tuple(stride)
        self.pad, self.dil, self.out_sp = tuple(pad), tuple(dil), tuple(out_sp)
        d = len(in_sp)
        self.d = d
        # padded extent: the left padding plus whatever the windows reach
        self.padded = tuple(max(i + p, (o - 1) * s + dl * (k - 1) + 1) if o > 0 else i + p
                            for i, p, s, dl, k, o in zip(in_sp, pad, stride, dil, ksize, out_sp))
        self.needs_pad = any(p != 0 for p in pad) or any(
            pd != i for pd, i in zip(self.padded, in_sp))
        self.slices = [
            tuple(slice(j * dl, j * dl + (o - 1) * s + 1, s)
                  for j, dl, s, o in zip(offs, dil, stride, out_sp))
            for offs in np.ndindex(*ksize)
        ]
        # windows overlap (or revisit an input position) unless the stride exceeds the extent
        self.overlap = any(s < dl * (k - 1) + 1 for s, dl, k in zip(stride, dil, ksize))
        # do some windows start in padding (their first valid offset is not offset 0)?
        self.left_partial = any(p > 0 for p in pad)
        self.tiles = (self.stride == self.ksize and not any(self.pad) and all(
            dl == 1 for dl in self.dil) and all(o * k == i for o, k, i in zip(
                self.out_sp, self.ksize, self.in_sp)))
        self.is_2x2 = (d == 2 and self.ksize == (2, 2) and self.stride == (2, 2)
                       and self.pad == (0, 0) and self.dil == (1, 1))
        self._origin = None
        self._global = {}

    def origins(self):
        """Flat per-plane index of each window's (possibly virtual) first element, and the flat
        offset of each kernel offset from it: a window's winner is ``origin + offs[arg]``."""
        if self._origin is None:
            parts = [np.arange(o) * s - p for o, s, p in zip(self.out_sp, self.stride, self.pad)]
            offs = [np.arange(k) * dl for k, dl in zip(self.ksize, self.dil)]
            self._origin = _flat(parts, self.in_sp).reshape(-1)
            self._offs = _flat(offs, self.in_sp).reshape(-1)
        return self._origin, self._offs

    def global_origins(self, rows):
        """``origins()`` plus each plane's start in the flattened (rows, plane) input, cached
        per number of planes (the hot path of max-pool backward)."""
        g = self._global.get(rows)
        if g is None:
            origin, _ = self.origins()
            plane = math.prod(self.in_sp)
            g = (np.arange(rows, dtype=np.int64)[:, None] * plane + origin).reshape(-1)
            if len(self._global) > 4:
                self._global.clear()
            self._global[rows] = g
        return g

    def padded_input(self, x, value):
        """``x`` padded on the left by ``pad`` and on the right up to the windows' reach."""
        if not self.needs_pad:
            return x
        lead = x.shape[: x.ndim - self.d]
        xp = np.full(lead + self.padded, value, x.dtype)
        xp[(Ellipsis,) + self._inner()] = x
        return xp

    def _inner(self):
        return tuple(slice(p, p + i) for p, i in zip(self.pad, self.in_sp))

    def crop(self, gp):
        if not self.needs_pad:
            return gp
        return np.ascontiguousarray(gp[(Ellipsis,) + self._inner()])

    def zeros_padded(self, lead, dtype):
        return np.zeros(lead + (self.padded if self.needs_pad else self.in_sp), dtype)

    def first_valid(self):
        """Per output position, the number of the first kernel offset inside the input (where
        PyTorch's max loop starts)."""
        per_dim = []
        for p, s, dl, o in zip(self.pad, self.stride, self.dil, self.out_sp):
            start = np.arange(o) * s - p
            j0 = np.where(start < 0, (-start + dl - 1) // dl, 0)
            per_dim.append(j0)
        grids = np.meshgrid(*per_dim, indexing="ij")
        return np.ravel_multi_index(grids, self.ksize).astype(_arg_dtype(self.ksize))

    def flat_indices(self, arg):
        """Flat per-plane input index (PyTorch's returned ``indices``) of each output's winner."""
        origin, offs = self.origins()
        lead = arg.shape[:arg.ndim - self.d]
        flat = origin + np.take(offs, arg.reshape(lead + (math.prod(self.out_sp),)))
        return flat.reshape(arg.shape)


_PLANS: dict = {}


def _plan(in_sp, ksize, stride, pad, dil, out_sp) -> _Plan:
    """A (cached) :class:`_Plan`: a training loop pools the same shapes every step, and the
    plan keeps the index tables its backward needs."""
    key = tuple(tuple(int(v) for v in a) for a in (in_sp, ksize, stride, pad, dil, out_sp))
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= 64:
            _PLANS.clear()
        plan = _PLANS[key] = _Plan(*key)
    return plan


def _arg_dtype(ksize):
    n = math.prod(ksize)
    return np.uint8 if n <= 255 else np.int32


def _lowest(dtype):
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind == "b":
        return False
    return np.iinfo(dtype).min


def _max_windows(x, plan):
    """(max values, winning kernel offset number) of every window, by PyTorch's rule."""
    if plan.is_2x2 and x.shape[-1] % 2 == 0 and x.shape[-2] % 2 == 0 and x.dtype.kind == "f":
        best, arg = _max_2x2(x)
        if not np.isnan(best).any():  # NaN needs PyTorch's last-NaN rule: the general loop
            return best, arg
    best, arg = _max_loop(x, plan, False)
    if x.dtype.kind == "f" and np.isnan(best).any():
        best, arg = _max_loop(x, plan, True)
    return best, arg


def _max_2x2(x):
    """The common 2x2, stride-2 window, separably: the first maximum of each pair along the
    width, then of the two rows (the same winner as PyTorch's row-major scan with a strict
    ``>``). The pair step runs on the flattened array, so NumPy's inner loops stay long."""
    *lead, h, w = x.shape
    lead = tuple(lead)
    xr = x.reshape(-1, 2)
    a, b = xr[:, 0], xr[:, 1]
    mw = np.maximum(a, b)
    aw = np.greater(b, a).view(np.uint8)
    rows = mw.size // w
    mr = mw.reshape(rows, 2, w // 2)
    ar = aw.reshape(rows, 2, w // 2)
    r0, r1 = mr[:, 0], mr[:, 1]
    best = np.maximum(r0, r1)
    ah = np.greater(r1, r0).view(np.uint8)
    a0 = ar[:, 0]
    arg = a0 ^ (ah & (a0 ^ ar[:, 1]))  # the winning row's column bit
    arg += ah << 1
    out = lead + (h // 2, w // 2)
    return best.reshape(out), arg.reshape(out)


def _max_loop(x, plan, has_nan):
    xp = plan.padded_input(x, _lowest(x.dtype))
    lead = x.shape[: x.ndim - plan.d]
    out_shape = lead + plan.out_sp
    if plan.left_partial:
        arg = np.broadcast_to(plan.first_valid(), out_shape).copy()
    else:
        arg = np.zeros(out_shape, _arg_dtype(plan.ksize))
    best = None
    for i, sl in enumerate(plan.slices):
        v = xp[(Ellipsis,) + sl]
        if best is None:
            best = v.copy()
            continue
        m = np.greater(v, best)
        if has_nan:
            m |= np.isnan(v)
        np.maximum(best, v, out=best)
        np.putmask(arg, m, i)
    if best is None:
        best = np.zeros(out_shape, x.dtype)
    return best, arg


class _MaxSelect(LinearMap):
    """The selection made by max pooling: ``fwd`` gathers each window's winner, ``adj``
    scatters gradients back to the winners (adding where windows overlap). Winners are
    addressed by flat index into the (planes, plane) input: the plan's cached window origins
    plus the winning kernel offset."""

    def __init__(self, arg, plan, lead, names):
        self.arg, self.plan, self.lead, self.names = arg, plan, lead, names

    def _flat(self):
        plan = self.plan
        if not self.arg.size:
            return np.zeros(0, np.int64)
        _, offs = plan.origins()
        return plan.global_origins(math.prod(self.lead)) + np.take(offs, self.arg.reshape(-1))

    def fwd(self, x):
        return np.take(x.reshape(-1), self._flat()).reshape(self.lead + self.plan.out_sp)

    def adj(self, g):
        plan = self.plan
        out = np.zeros(math.prod(self.lead) * math.prod(plan.in_sp), g.dtype)
        if plan.overlap:  # an input may win several windows: add
            np.add.at(out, self._flat(), g.reshape(-1))
        else:
            out[self._flat()] = g.reshape(-1)
        return out.reshape(self.lead + plan.in_sp)


class _SelectPool(Function):
    """A pooling that selects one input element per output (max, adaptive max, fractional
    max). ``compute(x)`` returns ``(values, select_op, indices_fn)``; the backward is the
    selection's adjoint (itself an op, for double backward)."""

    _arrays = True
    _n_edges = 1

    @staticmethod
    def forward(ctx, x, compute, with_indices):
        vals, op, indices = compute(x)
        ctx.op = op
        if with_indices:
            idx = indices()
            ctx.mark_non_differentiable(idx)
            return vals, idx
        return vals

    @staticmethod
    def backward(ctx, g, *_):
        op = ctx.op
        if isinstance(g, Tensor):
            return op.T.apply(g), None, None
        return op.adj(g), None, None


_SELECT_CLS: dict = {}


def _select_cls(name):
    cls = _SELECT_CLS.get(name)
    if cls is None:
        cls = _SELECT_CLS[name] = type(f"_Select_{name}", (_SelectPool,), {
            "name": name, "__module__": __name__})
    return cls


def _max_pool_compute(plan, d):
    names = (f"MaxPool{d}DWithIndicesBackward0", f"MaxPool{d}DWithIndicesBackwardBackward0")

    def compute(x):
        vals, arg = _max_windows(x, plan)
        lead = x.shape[: x.ndim - plan.d]
        return vals, _MaxSelect(arg, plan, lead, names), lambda: plan.flat_indices(arg)

    return compute, names[0]


# ---------------------------------------------------------------- average pooling
def _avg_divisor(plan, count_include_pad, divisor_override):
    """PyTorch's per-window divide factor, as an array over the output's spatial axes."""
    if divisor_override is not None:
        return divisor_override
    total = None
    for i in range(plan.d):
        o = np.arange(plan.out_sp[i])
        start = o * plan.stride[i] - plan.pad[i]
        end = np.minimum(start + plan.ksize[i], plan.in_sp[i] + plan.pad[i])
        if count_include_pad:
            n = end - start
        else:
            n = np.minimum(end, plan.in_sp[i]) - np.maximum(start, 0)
        n = n.reshape((-1,) + (1,) * (plan.d - 1 - i))
        total = n if total is None else total * n
    return total


class _AvgPoolMap(LinearMap):
    """Average pooling: window sums (in PyTorch's order) divided by each divisor in ``divs``
    in turn (one array for avg pooling; ``/ kh / kw`` for adaptive pooling, as PyTorch)."""

    def __init__(self, plan, divs, lead, names):
        self.plan, self.divs, self.lead, self.names = plan, divs, lead, names

    def fwd(self, x):
        plan = self.plan
        xp = plan.padded_input(x, 0)
        acc = None
        is_int = x.dtype.kind in "iub"
        for sl in plan.slices:
            v = xp[(Ellipsis,) + sl]
            if acc is None:
                acc = v.astype(np.int64 if is_int else x.dtype, copy=True)
            else:
                acc += v
        if acc is None:
            acc = np.zeros(self.lead + plan.out_sp, x.dtype)
        if is_int:  # C++ integer division (truncates)
            for dv in self.divs:
                dv = np.asarray(dv)
                q = np.abs(acc) // np.abs(dv)
                acc = np.where((acc < 0) != (dv < 0), -q, q)
            return acc.astype(x.dtype)
        return _divide_all(acc, self.divs)

    def adj(self, g):
        plan = self.plan
        gd = _divide_all(g, self.divs)
        if plan.tiles:  # windows tile the input exactly: each input gets its window's share
            for i, k in enumerate(plan.ksize):
                if k > 1:
                    gd = np.repeat(gd, k, axis=gd.ndim - plan.d + i)
            return gd
        gp = plan.zeros_padded(self.lead, g.dtype)
        for sl in plan.slices:
            dst = gp[(Ellipsis,) + sl]
            if plan.overlap:
                dst += gd
            else:
                dst[...] = gd
        return plan.crop(gp)


def _divide_all(a, divs):
    for dv in divs:
        a = np.divide(a, dv.astype(a.dtype) if isinstance(dv, np.ndarray) else dv,
                      dtype=a.dtype)
    return a


# ---------------------------------------------------------------- adaptive pooling
def _adaptive_bounds(i_size, o_size):
    o = np.arange(o_size)
    start = (o * i_size) // o_size
    end = -((-(o + 1) * i_size) // o_size)
    return start, end


def _adaptive_tables(in_sp, out_sp):
    """Per axis: window sizes, and for each offset ``j < max size`` the clamped input index
    and whether it lies inside the window."""
    tables = []
    for i_size, o_size in zip(in_sp, out_sp):
        start, end = _adaptive_bounds(i_size, o_size)
        kmax = int((end - start).max()) if o_size else 0
        tables.append((end - start, [(np.minimum(start + j, end - 1), start + j < end)
                                     for j in range(kmax)]))
    return tables


def _flat(parts, in_sp):
    """Flat per-plane index of the outer combination of per-axis index arrays."""
    d = len(parts)
    flat = None
    for i, pos in enumerate(parts):
        pos = pos.reshape((-1,) + (1,) * (d - 1 - i))
        flat = pos if flat is None else flat * in_sp[i] + pos
    return flat


def _outer_and(parts):
    d = len(parts)
    m = None
    for i, v in enumerate(parts):
        v = v.reshape((-1,) + (1,) * (d - 1 - i))
        m = v if m is None else m & v
    return m


_GATHER_MAX = 64  # largest window (in elements) summed element by element


class _AdaptiveAvgMap(LinearMap):
    """Adaptive average pooling. The forward sums each window in PyTorch's order and divides
    by its height, then its width (``sum / kh / kw``), so results match PyTorch's bit for bit;
    the adjoint (and the forward of very large windows) uses one averaging matrix per axis."""

    def __init__(self, in_sp, out_sp, lead, names):
        self.in_sp, self.out_sp, self.lead, self.names = tuple(in_sp), tuple(out_sp), lead, names
        self.tables = _adaptive_tables(in_sp, out_sp)
        d = len(in_sp)
        self.divs = [t[0].reshape((-1,) + (1,) * (d - 1 - i)) for i, t in enumerate(self.tables)]
        self.mats = None

    def _matrices(self):
        if self.mats is None:
            self.mats = []
            for i_size, o_size in zip(self.in_sp, self.out_sp):
                start, end = _adaptive_bounds(i_size, o_size)
                cols = np.arange(i_size)
                m = (cols >= start[:, None]) & (cols < end[:, None])
                self.mats.append(m / (end - start)[:, None])
        return self.mats

    def fwd(self, x):
        kmax = [len(t[1]) for t in self.tables]
        if math.prod(kmax) > _GATHER_MAX:
            return _per_axis(x, self._matrices())
        d = len(self.in_sp)
        xf = x.reshape(x.shape[: x.ndim - d] + (-1,))
        acc = None
        for offs in np.ndindex(*kmax):
            parts = [self.tables[i][1][j] for i, j in enumerate(offs)]
            flat = np.broadcast_to(_flat([p[0] for p in parts], self.in_sp), self.out_sp)
            v = np.take(xf, flat, axis=-1)
            if acc is None:
                acc = v  # offset 0 lies in every window
            else:
                np.add(acc, v, out=acc, where=_outer_and([p[1] for p in parts]))
        if acc is None:
            return np.zeros(x.shape[: x.ndim - d] + self.out_sp, x.dtype)
        return _divide_all(acc, self.divs)

    def adj(self, g):
        return _per_axis(g, [m.T for m in self._matrices()])


def _per_axis(x, mats):
    """Apply one matrix per trailing axis (``y[..., o, ...] = sum_i m[o, i] x[..., i, ...]``)."""
    d = len(mats)
    y = x
    for i, m in enumerate(mats):
        ax = y.ndim - d + i
        m = m.astype(y.dtype, copy=False)
        if ax == y.ndim - 1:
            y = np.matmul(y, m.T)
        else:
            y = np.moveaxis(np.matmul(m, np.moveaxis(y, ax, -2)), -2, ax)
    return np.ascontiguousarray(y)


def _argmax_loop(xf, flats, out_shape, has_nan):
    """PyTorch's max loop (``val > maxval || isnan(val)``) over candidate flat indices."""
    best = arg = None
    for flat in flats:
        v = np.take_along_axis(xf, flat, axis=-1) if flat.ndim == xf.ndim else \
            np.take(xf, flat, axis=-1)
        if best is None:
            best = v
            arg = np.broadcast_to(flat, v.shape).copy()
            continue
        m = np.greater(v, best)
        if has_nan:
            m |= np.isnan(v)
        np.maximum(best, v, out=best)
        np.copyto(arg, flat, where=m)
    return best, arg


def _adaptive_max(x, out_sp):
    """Adaptive max pooling: values and flat per-plane indices, by PyTorch's rule."""
    d = len(out_sp)
    in_sp = x.shape[x.ndim - d:]
    lead = x.shape[: x.ndim - d]
    tables = _adaptive_tables(in_sp, out_sp)
    xf = x.reshape(lead + (-1,))
    has_nan = x.dtype.kind == "f" and bool(np.isnan(x).any())
    flats = (np.broadcast_to(_flat([tables[i][1][j][0] for i, j in enumerate(offs)], in_sp),
                             out_sp).reshape(-1)
             for offs in np.ndindex(*[len(t[1]) for t in tables]))
    best, arg = _argmax_loop(xf, flats, lead + (-1,), has_nan)
    if best is None:
        return np.zeros(lead + tuple(out_sp), x.dtype), np.zeros(lead + tuple(out_sp), np.int64)
    shape = lead + tuple(out_sp)
    return best.reshape(shape), arg.reshape(shape).astype(np.int64, copy=False)


class _IndexMap(LinearMap):
    """``fwd``: gather the per-plane flat ``idx`` entries of the input (max-pool winners);
    ``adj``: scatter-add them back. With ``assign`` (max-unpooling) the roles swap: ``fwd``
    writes each input value at its index (the last write wins), ``adj`` gathers."""

    def __init__(self, idx, in_sp, names, assign=False):
        self.idx, self.in_sp, self.names, self.assign = idx, tuple(in_sp), names, assign

    def _gather(self, x):
        d = len(self.in_sp)
        lead = x.shape[: x.ndim - d]
        xf = x.reshape(lead + (-1,))
        i = self.idx.reshape(self.idx.shape[: len(lead)] + (-1,))
        return np.take_along_axis(xf, i, axis=-1).reshape(self.idx.shape)

    def _scatter(self, g, add):
        lead = self.idx.shape[: self.idx.ndim - len(self.in_sp)]
        plane = math.prod(self.in_sp)
        rows = math.prod(lead)
        gi = self.idx.reshape(rows, -1)
        gv = g.reshape(rows, -1)
        if add:
            flat = (gi + (np.arange(rows) * plane)[:, None]).ravel()
            out = np.zeros(rows * plane, g.dtype)
            np.add.at(out, flat, gv.ravel())
        else:
            out = np.zeros((rows, plane), g.dtype)
            np.put_along_axis(out, gi, gv, axis=1)
        return out.reshape(lead + self.in_sp)

    def fwd(self, x):
        if self.assign:
            return self._scatter(x, False)
        return self._gather(x)

    def adj(self, g):
        if self.assign:
            return self._gather(g)
        return self._scatter(g, True)


# ---------------------------------------------------------------- argument checks
_ST = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
       "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _sizes(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _need_tensor(x, fname):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def _ints(value, fname, argname, pos) -> list:
    """An ``int[]`` argument as PyTorch's parser reads it: an int becomes ``[v]``."""
    if value is None:
        return []
    if isinstance(value, Tensor):
        value = value.tolist()
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return [int(value)]
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            if isinstance(v, Tensor):
                v = v.item()
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
                raise TypeError(
                    f"{fname}(): argument '{argname}' (position {pos}) must be tuple of ints, "
                    f"but found element of type {type(v).__name__} at pos 0")
            out.append(int(v))
        return out
    raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be tuple of ints, "
                    f"not {type(value).__name__}")


def _not_impl(kernel, dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_ST[str(dtype)]}\'')


def _check_dtype(x, kernel, allow):
    """``allow``: 'all' (every type but bool), 'long' (floats and int64) or 'float'."""
    dt = x.dtype
    if dt.kind == "f":
        return
    if allow == "all" and dt.kind in "iu":
        return
    if allow == "long" and dt == np.int64:
        return
    raise _not_impl(kernel, dt)


def _check_dim_range(x, fname, lo, hi):
    nd = x.ndim
    if not (lo <= nd < hi):
        raise RuntimeError(
            f"Expected {lo} to {hi - 1} dimensions, but got {nd}-dimensional tensor for argument "
            f"#1 'self' (while checking arguments for {fname})")


def _check1d(fname, argname, arg):
    if len(arg) != 1:
        raise RuntimeError(
            f"{fname}() argument '{argname}' should contain one int (got {len(arg)})")


def _expand_n(vals, n, default=None):
    if not vals:
        return list(default)
    return list(vals) * n if len(vals) == 1 else list(vals)


def _output_shape(size, k, pad, stride, dil, ceil_mode):
    """PyTorch's ``pooling_output_shape`` with its checks."""
    if stride == 0:
        raise RuntimeError("stride should not be zero")
    if pad < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {pad}")
    eff = (k - 1) * dil + 1
    if pad > (eff // 2 if eff >= 0 else -(-eff // 2)):  # C++ division truncates
        raise RuntimeError(
            f"pad should be at most half of effective kernel size, but got pad={pad}, "
            f"kernel_size={k} and dilation={dil}")
    return pool_out_size(size, k, pad, stride, dil, ceil_mode)


_HWT = {2: ("H", "W"), 3: ("T", "H", "W")}


def _shape_check(x, d, k, s, p, dil, out_sp, fname3=None, check_input_size=False):
    """``pool2d_shape_check`` / ``pool3d_shape_check`` (ATen/native/Pool.h)."""
    names = _HWT[d]
    shape = x.shape
    nd = x.ndim
    if any(v <= 0 for v in k):
        raise RuntimeError("kernel size should be greater than zero, but got " + " ".join(
            f"k{n}: {v}" for n, v in zip(names, k)))
    if any(v <= 0 for v in s):
        raise RuntimeError("stride should be greater than zero, but got " + " ".join(
            f"d{n}: {v}" for n, v in zip(names, s)))
    if any(v <= 0 for v in dil):
        raise RuntimeError("dilation should be greater than zero, but got " + " ".join(
            f"dilation{n}: {v}" for n, v in zip(names, dil)))
    if d == 2:
        valid = shape[1] != 0 and shape[2] != 0
        if not ((nd == 3 and shape[0] != 0 and valid) or (nd == 4 and valid and shape[3] != 0)):
            raise RuntimeError(
                "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
                f"but got:{_sizes(shape)}")
    else:
        if nd not in (4, 5):
            raise RuntimeError(f"{fname3}: Expected 4D or 5D tensor for input, but got: "
                               f"{_sizes(shape)}")
        for i in range(nd):
            if nd == 5 and i == 0:
                continue
            if shape[i] <= 0:
                raise RuntimeError(
                    f"{fname3}: Expected input's non-batch dimensions to have positive length, "
                    f"but input has a shape of {_sizes(shape)} and non-batch dimension "
                    f"{shape[i]} has length zero!")
        in_sp = shape[-3:]
        if check_input_size and any(i < kk for i, kk in zip(in_sp, k)):
            raise RuntimeError(
                f"input image (T: {in_sp[0]} H: {in_sp[1]} W: {in_sp[2]}) smaller than kernel "
                f"size (kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    eff = [(kk - 1) * dl + 1 for kk, dl in zip(k, dil)]
    if any(e // 2 < pp for e, pp in zip(eff, p)):
        if d == 2:
            raise RuntimeError(
                "pad should be smaller than or equal to half of effective kernel size, but got "
                f"padW = {p[1]}, padH = {p[0]}, effectiveKW = {eff[1]}, effectiveKH = {eff[0]}")
        raise RuntimeError(
            "pad should be smaller than or equal to half of effective kernel size, but got "
            f"padT: {p[0]} padW: {p[2]} padH: {p[1]} effectiveKT: {eff[0]} effectiveKW: "
            f"{eff[2]} effectiveKH: {eff[1]}")
    if any(o < 1 for o in out_sp):
        planes = shape[-d - 1]
        raise RuntimeError(
            "Given input size: (" + "x".join(str(v) for v in (planes,) + shape[-d:])
            + "). Calculated output size: (" + "x".join(str(v) for v in (planes,) + out_sp)
            + "). Output size is too small")


def _pool_args(d, fname, kernel_size, stride, padding, dilation, avg=False):
    """Read and size-check kernel/stride/padding/dilation as the ATen meta functions do."""
    word = "two" if d == 2 else "three"
    k = _ints(kernel_size, fname, "kernel_size", 2)
    s = _ints(stride, fname, "stride", 3)
    p = _ints(padding, fname, "padding", 4)
    dl = _ints(dilation, fname, "dilation", 5) if dilation is not None else [1]
    either = "" if (avg and d == 3) else "either "
    if len(k) not in (1, d):
        raise RuntimeError(f"{fname}: kernel_size must {either}be a single int, or a tuple of "
                           f"{word} ints")
    if len(s) not in (0, 1, d):
        raise RuntimeError(f"{fname}: stride must {either}be omitted, a single int, or a tuple "
                           f"of {word} ints")
    if len(p) not in (1, d):
        raise RuntimeError(f"{fname}: padding must {either}be a single int, or a tuple of "
                           f"{word} ints")
    if len(dl) not in (1, d):
        raise RuntimeError(f"{fname}: dilation must be either a single int, or a tuple of "
                           f"{word} ints")
    k = _expand_n(k, d)
    s = _expand_n(s, d, k)
    return k, s, _expand_n(p, d), _expand_n(dl, d)


# ---------------------------------------------------------------- max pooling
def _max_pool_nd(d, input, kernel_size, stride, padding, dilation, ceil_mode, with_indices,
                 fname=None):
    fname = fname or f"max_pool{d}d"
    k, s, p, dl = _pool_args(d, fname, kernel_size, stride, padding, dilation)
    x = input._data
    if x.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"non-empty {d + 1}D or {d + 2}D (batch mode) tensor expected for "
                           "input")
    in_sp = x.shape[-d:]
    out_sp = tuple(_output_shape(i, kk, pp, ss, dd, ceil_mode)
                   for i, kk, pp, ss, dd in zip(in_sp, k, p, s, dl))
    _shape_check(x, d, k, s, p, dl, out_sp, "max_pool3d_with_indices_out_cpu_template()")
    _check_dtype(x, f"max_pool{d}d", "all")
    plan = _plan(in_sp, k, s, p, dl, out_sp)
    compute, name = _max_pool_compute(plan, d)
    return _select_cls(name).apply(input, compute, with_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling over an input of shape (N, C, H, W) or (C, H, W).

    Args:
        kernel_size: window size (int or pair); stride defaults to it.
        padding: implicit ``-inf`` padding on both sides (at most half the window).
        dilation: spacing between window elements.
        ceil_mode: use ceil instead of floor for the output size.
        return_indices: also return the flat per-plane index of each maximum.

    >>> F.max_pool2d(ember.arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    _need_tensor(input, "max_pool2d")
    return _max_pool_nd(2, input, kernel_size, stride, padding, dilation, ceil_mode,
                        return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-D max pooling over an input of shape (N, C, D, H, W) or (C, D, H, W); arguments as in
    :func:`max_pool2d`.

    >>> F.max_pool3d(ember.ones(1, 1, 4, 4, 4), 2).shape
    torch.Size([1, 1, 2, 2, 2])
    """
    _need_tensor(input, "max_pool3d")
    return _max_pool_nd(3, input, kernel_size, stride, padding, dilation, ceil_mode,
                        return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False):
    """1-D max pooling returning ``(values, indices)`` (run as a 2-D pooling of height 1)."""
    _need_tensor(input, "max_pool1d_with_indices")
    k = _ints(kernel_size, "max_pool1d_with_indices", "kernel_size", 2)
    s = _ints(stride, "max_pool1d_with_indices", "stride", 3) or k
    p = _ints(padding, "max_pool1d_with_indices", "padding", 4)
    dl = _ints(dilation, "max_pool1d_with_indices", "dilation", 5)
    _check_dim_range(input._data, "max_pool1d", 2, 4)
    for name, v in (("kernel_size", k), ("stride", s), ("padding", p), ("dilation", dl)):
        _check1d("max_pool1d", name, v)
    out, idx = _max_pool_nd(2, input.unsqueeze(-2), [1, k[0]], [1, s[0]], [0, p[0]],
                            [1, dl[0]], ceil_mode, True)
    return out.squeeze(-2), idx.squeeze(-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling over an input of shape (N, C, L) or (C, L); arguments as in
    :func:`max_pool2d`.

    >>> F.max_pool1d(ember.tensor([[[1., 3., 2., 0.]]]), 2)
    tensor([[[3., 2.]]])
    """
    _need_tensor(input, "max_pool1d")
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    fname = "max_pool1d"
    x = input._data
    k = _ints(kernel_size, fname, "kernel_size", 2)
    s = _ints(stride, fname, "stride", 3)
    p = _ints(padding, fname, "padding", 4)
    dl = _ints(dilation, fname, "dilation", 5)
    sh = x.shape
    if not ((x.ndim == 2 and sh[1] != 0) or (x.ndim == 3 and sh[1] != 0 and sh[2] != 0)):
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{_sizes(sh)}")
    if len(k) != 1:
        raise RuntimeError("max_pool1d() kernel_size must be an int, list of ints or tuple of "
                           f"ints of size 1 but got size {len(k)}")
    if len(s) not in (0, 1):
        raise RuntimeError("max_pool1d() stride must be None, an int, list of ints, or tuple of "
                           f"ints of size 1 but got size {len(s)}")
    if len(p) != 1:
        raise RuntimeError("max_pool1d() padding must be an int, list of ints, or tuple of "
                           f"ints of size 1 but got size {len(p)}")
    if len(dl) != 1:
        raise RuntimeError("max_pool1d() dilation must be an int, list of ints, or tuple of "
                           f"ints of size 1 but got size {len(dl)}")
    s = s or k
    kw, sw, pw, dw = k[0], s[0], p[0], dl[0]
    if kw <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {kw}")
    if sw <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {sw}")
    if pw < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {pw}")
    if pw > kw // 2:
        raise RuntimeError("max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={pw} and kernel_size={kw}")
    if dw <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {dw}")
    ow = pool_out_size(sh[-1], kw, pw, sw, dw, ceil_mode)
    if ow <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {ow}")
    if x.dtype.kind != "f":
        raise _not_impl("max_pool1d_impl", x.dtype)
    out = _max_pool_nd(2, input.unsqueeze(-2), [1, kw], [1, sw], [0, pw], [1, dw], ceil_mode,
                       False)
    return out.squeeze(-2)


# ---------------------------------------------------------------- average pooling
_AVG_NAMES = {d: (f"AvgPool{d}DBackward0", f"AvgPool{d}DBackwardBackward0") for d in (2, 3)}


def _avg_pool_nd(d, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override):
    fname = f"avg_pool{d}d"
    _need_tensor(input, fname)
    k, s, p, _ = _pool_args(d, fname, kernel_size, stride, padding, None, avg=True)
    x = input._data
    if d == 3 and x.ndim not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if d == 2 and x.ndim < 3:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
            f"{max(x.ndim, 1) - 1}], but got -3)")
    in_sp = x.shape[-d:]
    out_sp = tuple(_output_shape(i, kk, pp, ss, 1, ceil_mode)
                   for i, kk, pp, ss in zip(in_sp, k, p, s))
    if d == 2 and x.ndim > 4:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{_sizes(x.shape)}")
    _shape_check(x, d, k, s, p, [1] * d, out_sp, "avg_pool3d()", check_input_size=True)
    _check_dtype(x, fname, "long")
    plan = _plan(in_sp, k, s, p, [1] * d, out_sp)
    div = _avg_divisor(plan, count_include_pad, divisor_override)
    lead = x.shape[:-d]
    return _AvgPoolMap(plan, [div], lead, _AVG_NAMES[d]).apply(input)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-D average pooling over an input of shape (N, C, H, W) or (C, H, W).

    Args:
        kernel_size: window size (int or pair); stride defaults to it.
        padding: implicit zero padding on both sides (at most half the window).
        ceil_mode: use ceil instead of floor for the output size.
        count_include_pad: count the padding zeros in the divisor.
        divisor_override: divide by this instead of the window size.

    >>> F.avg_pool2d(ember.arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    return _avg_pool_nd(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """3-D average pooling over (N, C, D, H, W) or (C, D, H, W); arguments as in
    :func:`avg_pool2d`.

    >>> F.avg_pool3d(ember.ones(1, 1, 4, 4, 4), 2).shape
    torch.Size([1, 1, 2, 2, 2])
    """
    return _avg_pool_nd(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-D average pooling over (N, C, L) or (C, L) (a 2-D pooling of height 1).

    >>> F.avg_pool1d(ember.tensor([[[1., 3., 2., 0.]]]), 2)
    tensor([[[2., 1.]]])
    """
    _need_tensor(input, "avg_pool1d")
    k = _ints(kernel_size, "avg_pool1d", "kernel_size", 2)
    s = _ints(stride, "avg_pool1d", "stride", 3) or k
    p = _ints(padding, "avg_pool1d", "padding", 4)
    _check_dim_range(input._data, "avg_pool1d", 2, 4)
    for name, v in (("kernel_size", k), ("stride", s), ("padding", p)):
        _check1d("avg_pool1d", name, v)
    out = _avg_pool_nd(2, input.unsqueeze(-2), [1, k[0]], [1, s[0]], [0, p[0]], ceil_mode,
                       count_include_pad, None)
    return out.squeeze(-2)


# ---------------------------------------------------------------- adaptive pooling (API)
def _list_with_default(out_size, defaults):
    if isinstance(out_size, (int, np.integer)) and not isinstance(out_size, bool):
        return out_size
    out_size = list(out_size)
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    return [v if v is not None else d for v, d in zip(out_size, defaults[-len(out_size):])]


def _osize(output_size, n, fname):
    vals = _ints(output_size, fname, "output_size", 2)
    return vals * n if len(vals) == 1 else vals


def _adaptive_avg_nd(d, input, output_size):
    fname = f"adaptive_avg_pool{d}d"
    _need_tensor(input, fname)
    x = input._data
    osz = _osize(_list_with_default(output_size, x.shape), d, fname)
    if len(osz) != d:
        raise RuntimeError(f"{fname}: output_size must be {d}")
    if any(o < 0 for o in osz):
        got = ", ".join(str(o) for o in osz) if d == 2 else ", ".join(
            [str(osz[0]), ",".join(str(o) for o in osz[1:])])
        raise RuntimeError(f"{fname}: elements of output_size must be greater than or equal to "
                           f"0 but received {{{got}}}")
    if all(o == 1 for o in osz):
        return input.mean(tuple(range(-1, -d - 1, -1)), keepdim=True)
    if x.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{fname}(): Expected {d + 1}D or {d + 2}D tensor, but got "
                           f"{_sizes(x.shape)}")
    for i in range(x.ndim - d if d == 3 else x.ndim - 2, x.ndim):
        if x.shape[i] <= 0:
            raise RuntimeError(
                f"{fname}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {_sizes(x.shape)} with dimension {i} being empty")
    _check_dtype(x, fname, "float")
    in_sp = x.shape[-d:]
    out_sp = tuple(osz)
    lead = x.shape[:-d]
    names = (f"AdaptiveAvgPool{d}DBackward0", f"AdaptiveAvgPool{d}DBackwardBackward0")
    if all(o > 0 and i % o == 0 for i, o in zip(in_sp, out_sp)):
        k = [i // o for i, o in zip(in_sp, out_sp)]
        plan = _plan(in_sp, k, k, [0] * d, [1] * d, out_sp)
        return _AvgPoolMap(plan, k, lead, names).apply(input)
    return _AdaptiveAvgMap(in_sp, out_sp, lead, names).apply(input)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (oH, oW) (``None`` keeps the input's size).

    >>> F.adaptive_avg_pool2d(ember.ones(1, 3, 7, 5), (2, 3)).shape
    torch.Size([1, 3, 2, 3])
    """
    return _adaptive_avg_nd(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """Average pooling to a fixed output size (oD, oH, oW).

    >>> F.adaptive_avg_pool3d(ember.ones(1, 1, 4, 5, 6), 2).shape
    torch.Size([1, 1, 2, 2, 2])
    """
    return _adaptive_avg_nd(3, input, output_size)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of (N, C, L) or (C, L) to a fixed length.

    >>> F.adaptive_avg_pool1d(ember.tensor([[[1., 2., 3., 4.]]]), 2)
    tensor([[[1.5000, 3.5000]]])
    """
    _need_tensor(input, "adaptive_avg_pool1d")
    osz = _ints(output_size, "adaptive_avg_pool1d", "output_size", 2)
    _check_dim_range(input._data, "adaptive_avg_pool1d", 2, 4)
    _check1d("adaptive_avg_pool1d", "output_size", osz)
    return _adaptive_avg_nd(2, input.unsqueeze(-2), [1, osz[0]]).squeeze(-2)


def _adaptive_max_nd(d, input, output_size, return_indices, fname=None):
    fname = fname or f"adaptive_max_pool{d}d"
    x = input._data
    osz = _osize(output_size, d, fname)
    if x.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{fname}(): Expected {d + 1}D or {d + 2}D tensor, but got: "
                           f"{_sizes(x.shape)}")
    for i in range(1, x.ndim):
        if x.shape[i] <= 0:
            raise RuntimeError(
                f"{fname}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {_sizes(x.shape)} with dimension {i} being empty")
    if len(osz) != d:
        raise RuntimeError(f"{fname}(): internal error: output_size.size() must be {d}")
    if any(o < 0 for o in osz):
        shape = list(x.shape[:-d]) + osz
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(o for o in osz)}: {_sizes(shape)}")
    _check_dtype(x, f"adaptive_max_pool{d}d", "float")
    out_sp = tuple(osz)
    in_sp = x.shape[-d:]
    names = (f"AdaptiveMaxPool{d}DBackward0", f"AdaptiveMaxPool{d}DBackwardBackward0")

    def compute(x):
        vals, idx = _adaptive_max(x, out_sp)
        return vals, _IndexMap(idx, in_sp, names), lambda: idx

    return _select_cls(names[0]).apply(input, compute, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size (oH, oW); optionally with the argmax indices.

    >>> F.adaptive_max_pool2d(ember.arange(16.).reshape(1, 1, 4, 4), 1)
    tensor([[[[15.]]]])
    """
    _need_tensor(input, "adaptive_max_pool2d")
    output_size = _list_with_default(output_size, input._data.shape)
    return _adaptive_max_nd(2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size (oD, oH, oW); optionally with the argmax indices."""
    _need_tensor(input, "adaptive_max_pool3d")
    output_size = _list_with_default(output_size, input._data.shape)
    return _adaptive_max_nd(3, input, output_size, return_indices)


def adaptive_max_pool1d(input, output_size):
    """Max pooling of (N, C, L) or (C, L) to a fixed length; returns ``(values, indices)``
    (``torch.adaptive_max_pool1d``; ``F.adaptive_max_pool1d`` returns the values alone unless
    asked).

    >>> ember.adaptive_max_pool1d(ember.tensor([[[1., 5., 3., 4.]]]), 2)[0]
    tensor([[[5., 4.]]])
    """
    _need_tensor(input, "adaptive_max_pool1d")
    osz = _ints(output_size, "adaptive_max_pool1d", "output_size", 2)
    x = input._data
    _check_dim_range(x, "adaptive_max_pool1d", 2, 4)
    _check1d("adaptive_max_pool1d", "output_size", osz)
    for i in range(1, x.ndim):
        if x.shape[i] <= 0:
            raise RuntimeError(
                "adaptive_max_pool1d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {_sizes(x.shape)} with dimension {i} being "
                "empty")
    vals, idx = _adaptive_max_nd(2, input.unsqueeze(-2), [1, osz[0]], True)
    return vals.squeeze(-2), idx.squeeze(-2)


# ---------------------------------------------------------------- fractional max pooling
def _intervals(samples, in_size, out_size, pool):
    """PyTorch's ``generate_intervals``, in the samples' own float type: window starts of
    every plane, shape (planes, out_size)."""
    dt = samples.dtype.type
    seq = np.zeros((samples.shape[0], out_size), np.int64)
    if out_size > 1:
        alpha = dt(in_size - pool) / dt(out_size - 1)
        i = np.arange(out_size - 1).astype(dt)
        a = ((i[None, :] + samples[:, None]) * alpha).astype(np.int64)
        b = (samples * alpha).astype(np.int64)
        seq[:, :-1] = a - b[:, None]
    if out_size > 0:
        seq[:, -1] = in_size - pool
    return seq


def _fractional_compute(d, ksize, out_sp, samples, names):
    def compute(x):
        lead = x.shape[: x.ndim - d]
        in_sp = x.shape[x.ndim - d:]
        rows = math.prod(lead)
        smp = samples.reshape(rows, d)
        # 2-D: sample 0 is for the width, 1 for the height; 3-D: (time, height, width)
        order = (1, 0) if d == 2 else (0, 1, 2)
        starts = [_intervals(smp[:, order[i]], in_sp[i], out_sp[i], ksize[i])
                  for i in range(d)]
        xf = x.reshape(rows, -1)
        has_nan = x.dtype.kind == "f" and bool(np.isnan(x).any())

        def flats():
            for offs in np.ndindex(*ksize):
                flat = None
                for i, j in enumerate(offs):
                    pos = (starts[i] + j).reshape((rows,) + (1,) * i + (-1,) + (1,) * (d - 1 - i))
                    flat = pos if flat is None else flat * in_sp[i] + pos
                yield np.broadcast_to(flat, (rows,) + tuple(out_sp)).reshape(rows, -1)

        best, arg = _argmax_loop(xf, flats(), None, has_nan)
        shape = lead + tuple(out_sp)
        if best is None:
            best, arg = np.zeros(shape, x.dtype), np.zeros(shape, np.int64)
        vals = best.reshape(shape)
        idx = arg.reshape(shape).astype(np.int64, copy=False)
        return vals, _IndexMap(idx, in_sp, names), lambda: idx

    return compute


def _fractional_nd(d, input, kernel_size, output_size, output_ratio, return_indices,
                   _random_samples):
    fname = f"fractional_max_pool{d}d"
    _need_tensor(input, fname)
    x = input._data
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fname} requires specifying either an output_size or an "
                         "output_ratio")
    if output_size is None:
        if len(output_ratio) > d:  # a plain float raises TypeError here, as in PyTorch
            raise ValueError(f"{fname} requires output_ratio to either be a single Int or tuple "
                             "of Ints.")
        ratio = list(output_ratio) if len(output_ratio) > 1 else list(output_ratio) * d
        if -d - 1 < -x.ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-x.ndim}, {x.ndim - 1}], but got {-d})")
        output_size = [int(x.shape[-d + i] * ratio[i]) for i in range(d)]
    if _random_samples is None:
        from .random import rand

        if x.ndim < d + 1:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-max(x.ndim, 1)}, {max(x.ndim, 1) - 1}], but got {-d - 1})")
        n_batch = 1 if x.ndim == d + 1 else x.shape[0]
        _random_samples = rand(n_batch, x.shape[-d - 1], d, dtype=input.dtype)
    k = _ints(kernel_size, fname, "kernel_size", 2)
    osz = _ints(output_size, fname, "output_size", 3)
    word = "Int or tuple of Ints"
    if len(k) not in (1, d):
        raise RuntimeError(f"{fname}: kernel_size must either be a single {word}")
    if len(osz) not in (1, d):
        raise RuntimeError(f"{fname}: output_size must either be a single {word}")
    k = _expand_n(k, d)
    osz = _expand_n(osz, d)
    smp = _random_samples._data
    ndim = x.ndim
    if d == 2:
        if ndim not in (3, 4) or x.size == 0 and ndim == 3:
            raise RuntimeError(f"{fname}(): Expected 3D or 4D tensor, but got: "
                               f"{_sizes(x.shape)}")
    else:
        if ndim not in (4, 5):
            raise RuntimeError(f"{fname}(): Expected 4D or 5D tensor, but got: "
                               f"{_sizes(x.shape)}")
    if smp.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to be 3D tensor; got {smp.ndim}D tensor.")
    if smp.dtype != x.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    n_batch = 1 if ndim == d + 1 else x.shape[0]
    if smp.shape[0] < n_batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if smp.shape[1] != x.shape[-d - 1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if smp.shape[2] != d:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {d}; got "
                           f"{smp.shape[2]}.")
    names = ("Height", "Width") if d == 2 else ("Time", "Height", "Width")
    for i in range(d):
        if osz[i] + k[i] - 1 > x.shape[-d + i]:
            nm = names[i].lower()
            raise RuntimeError(f"{fname}(): pool {nm} {k[i]} too large relative to input "
                               f"{nm} {x.shape[-d + i]}")
    _check_dtype(x, fname, "float")
    smp = smp[:n_batch]
    bwd = (f"FractionalMaxPool{d}DBackward0", f"FractionalMaxPool{d}DBackwardBackward0")
    compute = _fractional_compute(d, k, tuple(osz), smp, bwd)
    return _select_cls(bwd[0]).apply(input, compute, return_indices)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Fractional max pooling (Graham, 2014): pseudo-random window starts drawn from
    ``_random_samples`` (by default ``rand(N, C, 2)``, the same draws as PyTorch).

    >>> F.fractional_max_pool2d(ember.ones(1, 1, 8, 8), 2, output_size=5).shape
    torch.Size([1, 1, 5, 5])
    """
    return _fractional_nd(2, input, kernel_size, output_size, output_ratio, return_indices,
                          _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """3-D fractional max pooling; ``_random_samples`` defaults to ``rand(N, C, 3)``."""
    return _fractional_nd(3, input, kernel_size, output_size, output_ratio, return_indices,
                          _random_samples)


# ---------------------------------------------------------------- max unpooling
def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    input_size = input._data.shape
    nk = len(kernel_size)
    default_size = [(input_size[-nk + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d]
                    for d in range(nk)]
    if output_size is None:
        ret = default_size
    else:
        given = output_size
        if len(output_size) == nk + 2:
            output_size = output_size[2:]
        if len(output_size) != nk:
            raise ValueError(
                f"output_size should be a sequence containing {nk} or {nk + 2} elements, but it "
                f"has a length of '{len(output_size)}'")
        for d in range(nk):
            lo, hi = default_size[d] - stride[d], default_size[d] + stride[d]
            if not (lo < output_size[d] < hi):
                raise ValueError(
                    f'invalid output_size "{given}" (dim {d} must be between {lo} and {hi})')
        ret = list(output_size)
    for d in range(nk):
        if ret[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{d}]={ret[d]}")
    return [int(v) for v in ret]


def _unpool_apply(d, input, indices, out_sp):
    x, idx = input._data, indices._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{_ST[str(idx.dtype)]}")
    if d == 2:
        if x.ndim not in (3, 4):
            raise RuntimeError("Input to max_unpooling2d should be a 3d or 4d Tensor, but got a "
                               f"tensor with {x.ndim} dimensions.")
    elif x.ndim not in (4, 5):
        raise RuntimeError("Input to max_unpooling3d should be a 4d or 5d Tensor, but got a "
                           f"tensor with {x.ndim} dimensions.")
    if x.shape != idx.shape:
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor "
            f"({_sizes(x.shape)}) but got indices tensor with shape: {_sizes(idx.shape)}")
    for i in range(1, x.ndim):
        if x.shape[i] <= 0:
            raise RuntimeError(
                f"max_unpooling{d}d_forward_out_cpu(): Expected input to have non-zero size for "
                f"non-batch dimensions, but got {_sizes(x.shape)} with dimension {i} being "
                "empty.")
    if x.dtype.kind != "f":
        raise _not_impl(f"max_unpool{d}d", x.dtype)
    plane = math.prod(out_sp)
    bad = (idx < 0) | (idx >= plane)
    if bad.any():
        last = idx.reshape(-1)[np.flatnonzero(bad.reshape(-1))[-1]]
        raise RuntimeError(f"Found an invalid max index: {last} (output volumes are of size "
                           + "x".join(str(v) for v in out_sp) + ")")
    names = (f"MaxUnpool{d}DBackward0", f"MaxUnpool{d}DBackwardBackward0")
    return _IndexMap(idx, tuple(out_sp), names, assign=True).apply(input)


def _unpool_args(n, kernel_size, stride, padding):
    def tup(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n

    k = tup(kernel_size)
    s = tup(stride) if stride is not None else k
    return list(k), list(s), list(tup(padding))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of :func:`max_pool1d`: puts each value back at its index, zeros
    elsewhere."""
    k, s, p = _unpool_args(1, kernel_size, stride, padding)
    osz = _unpool_output_size(input, k, s, p, output_size)
    return _unpool_apply(2, input.unsqueeze(-1), indices.unsqueeze(-1), osz + [1]).squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of :func:`max_pool2d`: puts each value back at its (flat, per-plane)
    index, zeros elsewhere.

    >>> y, i = F.max_pool2d(ember.arange(16.).reshape(1, 1, 4, 4), 2, return_indices=True)
    >>> F.max_unpool2d(y, i, 2)[0, 0, 1]
    tensor([ 0.,  5.,  0.,  7.])
    """
    k, s, p = _unpool_args(2, kernel_size, stride, padding)
    osz = _unpool_output_size(input, k, s, p, output_size)
    return _unpool_apply(2, input, indices, osz)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of :func:`max_pool3d`."""
    k, s, p = _unpool_args(3, kernel_size, stride, padding)
    osz = _unpool_output_size(input, k, s, p, output_size)
    return _unpool_apply(3, input, indices, osz)


# ---------------------------------------------------------------- LP pooling
def _lp_pool(d, input, norm_type, kernel_size, stride, ceil_mode):
    from .pointwise import sign

    mp = {1: max_pool1d, 2: max_pool2d, 3: max_pool3d}[d]
    ap = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}[d]
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return mp(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -mp(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = ap(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = ap(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    if d == 1:
        n = kernel_size
    else:
        ks = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * d
        n = math.prod(ks)
    return (sign(out) * out.abs().relu()).mul(n).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: ``(sum x^p)^(1/p)`` over each window of (N, C, L) input."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling: ``(sum x^p)^(1/p)`` over each window."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-D power-average pooling: ``(sum x^p)^(1/p)`` over each window."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)
