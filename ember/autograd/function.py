"""``Function``: one differentiable operation, and the backward-graph nodes it creates.

Every op in Ember, and every user-defined op, is a subclass of :class:`Function`. Calling
``F.apply(*args)`` runs ``F.forward(ctx, ...)``; when an input requires grad, ``ctx`` is a fresh
backward node (an instance of the class ``F._backward_cls``, named as PyTorch names it, e.g.
``SigmoidBackward0``) that becomes the output's ``grad_fn``.

Ember's own ops set ``_arrays = True``: their ``forward`` and ``backward`` see NumPy arrays (fast),
and the same ``backward`` code runs on Tensors when ``create_graph=True`` (Tensor implements the
NumPy protocols, so ``np.cos(grad_tensor)`` is a differentiable Ember op). User subclasses keep
PyTorch's API: ``forward`` and ``backward`` see Tensors.
"""

from __future__ import annotations

import itertools

import numpy as np

from .grad_mode import _state

Tensor = None  # set by ember._tensor (the tensor layer sits above this one)
_anomaly = [False, True]  # detect_anomaly on, check_nan
_seq = itertools.count()


class RemovableHandle:
    """Returned by ``register_hook``-style calls; ``remove()`` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, hooks_dict):
        self.hooks_dict = hooks_dict
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        self.hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _add_hook(d, fn, prepend=False):
    h = RemovableHandle(d)
    d[h.id] = fn
    if prepend:
        d_items = list(d.items())
        d.clear()
        d[h.id] = fn
        d.update(k_v for k_v in d_items if k_v[0] != h.id)
    return h


_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


def _type_name(t) -> str:
    names = {
        "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
        "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
        "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
    }
    return "torch." + names[t.dtype.name]


def _op_name(node) -> str:
    """The op name PyTorch prints in version errors: ``SigmoidBackward0`` -> ``Sigmoid``,
    ``PowBackward2`` -> ``Pow2``, ``CopySlices`` as is."""
    name = type(node).__name__
    i = name.rfind("Backward")
    if i <= 0:
        return name
    suffix = name[i + len("Backward"):]
    return name[:i] + ("" if suffix == "0" else suffix)


class Node:
    """A node of the backward graph: what a tensor's ``grad_fn`` is."""

    _arrays = False  # backward works on arrays (Ember's own ops) or on Tensors (user ops)
    # Defaults as class attributes: a node is created per op, so __init__ sets only what varies.
    next_functions = ()
    _saved = None          # resolved saved values, see _resolve_saved
    _released = False
    _hooks = None          # post hooks: fn(grad_inputs, grad_outputs)
    _pre_hooks = None      # pre hooks: fn(grad_outputs)
    _tensor_hooks = None   # output_nr -> {id: fn(grad)}, from Tensor.register_hook
    _retain = None         # output_nr -> weakref of tensors that retain_grad()
    _in_meta = ()          # per input: (shape, np dtype) or None
    _out_meta = ()         # per output: (shape, np dtype), for multi-output nodes
    _metadata = None
    _trace = None

    def __init__(self):
        self._sequence_nr = next(_seq)

    def name(self) -> str:
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node's backward; may return new
        grad_inputs."""
        if self._hooks is None:
            self._hooks = {}
        return _add_hook(self._hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node's backward; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return _add_hook(self._pre_hooks, fn)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def _release(self) -> None:
        self._saved = None
        self._released = True


class AccumulateGrad(Node):
    """The node that adds a gradient into a leaf tensor's ``.grad``."""

    def __init__(self, variable):
        super().__init__()
        self.variable = variable
        self._sequence_nr = 2**64 - 1  # runs as soon as it is ready, as in PyTorch
        self._in_meta = ((variable._data.shape, variable._data.dtype),)

    def _release(self) -> None:
        pass


class BackwardNode(Node):
    """Base of the generated ``<Op>Backward`` classes: the ``ctx`` of a Function call."""

    _forward_cls = None
    needs_input_grad = ()
    _to_save = ()
    _non_diff = None
    _materialize_grads = True
    _dirty = None
    _saved_vcs = ()

    # ctx API (PyTorch's FunctionCtx)
    def save_for_backward(self, *values) -> None:
        self._to_save = values

    def mark_non_differentiable(self, *values) -> None:
        self._non_diff = values

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize_grads = value

    @property
    def saved_tensors(self):
        return self._unpack(tensors=not self._arrays or _unpack_tensors[0])

    def _unpack(self, tensors):
        if self._released:
            raise RuntimeError(_FREED)
        saved = self._saved
        if not saved:
            return ()
        out = []
        for kind, value, vc, ver, extra in saved:
            if kind == 0:
                out.append(value)
                continue
            if vc[0] != ver:
                _version_error(self, kind, value, vc, ver, extra)
            if kind == 1:  # an input tensor
                out.append(value if tensors else value._data)
            else:  # an output: value is the array, extra its output number
                out.append(self._saved_output(value, extra) if tensors else value)
        return tuple(out)

    def _saved_output(self, arr, k):
        t = Tensor._make(arr, False)
        t._requires_grad = True
        t._grad_fn = self
        t._output_nr = k
        t._vc = self._saved_vcs[k]
        return t

    @property
    def saved_variables(self):
        return self.saved_tensors


# While a create_graph backward runs, Ember's own ops unpack saved values as Tensors.
_unpack_tensors = [False]


def _version_error(node, kind, value, vc, ver, extra):
    if kind == 1:
        t = value
        shape = list(t._data.shape)
        fn = _view_fn(t)
        where = f", which is output {t._output_nr} of {_op_name(fn)}," if fn is not None else ""
        tname = _type_name(t)
    else:
        shape = list(value.shape)
        where = f", which is output {extra} of {_op_name(node)},"
        from .._dtype import FROM_NP

        tname = _type_name(type("T", (), {"dtype": FROM_NP[value.dtype]}))
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{tname} {shape}]{where} is at version {vc[0]}; expected version {ver} "
        "instead. Hint: enable anomaly detection to find the operation that failed to compute its "
        "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


class _NoCtx:
    """The ctx handed to ``forward`` when no graph is recorded: saving is a no-op. One shared
    instance per arity; attributes that forward sets on it are simply overwritten."""

    def __init__(self, n):
        self.needs_input_grad = (False,) * n

    def save_for_backward(self, *values):
        pass

    def mark_non_differentiable(self, *values):
        pass

    def mark_dirty(self, *values):
        pass

    def set_materialize_grads(self, value):
        pass


_NO_CTX = {n: _NoCtx(n) for n in range(8)}


class FunctionMeta(type):
    """Gives each Function subclass its backward-node class, named as PyTorch names it."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        node_name = attrs.get("name") or (name + "Backward")
        cls._backward_cls = type(
            node_name, (BackwardNode,), {"_forward_cls": cls, "_arrays": cls._arrays,
                                         "__module__": cls.__module__}
        )
        if cls._arrays:  # Ember's own ops take the array fast path directly
            cls.apply = classmethod(_apply_arrays)


class Function(metaclass=FunctionMeta):
    """Base class for differentiable operations, with PyTorch's ``autograd.Function`` API.

    Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)`` and call
    ``MyFn.apply(*args)``. ``ctx.save_for_backward``, ``ctx.saved_tensors``,
    ``ctx.needs_input_grad``, ``ctx.mark_non_differentiable`` and ``ctx.mark_dirty`` work as in
    PyTorch.

    >>> class Double(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return x * 2
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         return grad * 2
    """

    _arrays = False
    _view = False  # outputs are views of the first input (share storage and version counter)
    # How many leading forward arguments are graph inputs (``next_functions`` entries), as in
    # PyTorch's node; the rest (shapes, dims, alpha...) are configuration. None: all of them.
    _n_edges = None
    name = None

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the op: ``forward`` now, and record a backward node when an input needs grad."""
        return _apply_tensors(cls, args, kwargs)


def _edge(t):
    """The (node, output_nr) a gradient for tensor ``t`` flows into."""
    fn = t._grad_fn if t._base is None else _view_fn(t)
    if fn is not None:
        return (fn, t._output_nr)
    return (t._grad_accumulator(), 0)


def _apply_arrays(cls, *args):
    """Ember's own ops: forward on arrays, outputs wrapped as Tensors, graph recorded if needed.

    This is the hot path of every op, so it is written for speed: one pass over the arguments,
    tensors made inline, and a single-output fast path.
    """
    T = Tensor
    new = object.__new__
    arrays = []
    edges = None
    for i, a in enumerate(args):
        if isinstance(a, T):
            arrays.append(a._data)
            if a._requires_grad and edges is None and _state[0]:
                edges = [(None, 0)] * i
                needs = [False] * i
                meta = [None] * i
        else:
            arrays.append(a)
        if edges is not None and len(edges) == i:
            if isinstance(a, T) and a._requires_grad:
                needs.append(True)
                fn = a._grad_fn
                if fn is not None and a._base is not None:
                    fn = _view_fn(a)
                edges.append((fn, a._output_nr) if fn is not None
                             else (a._grad_accumulator(), 0))
                d = a._data
                meta.append((d.shape, d.dtype))
            else:
                needs.append(False)
                edges.append((None, 0))
                meta.append(None)
    if edges is None:  # no graph to record
        out = cls.forward(_NO_CTX.get(len(args)) or _NoCtx(len(args)), *arrays)
        if type(out) is tuple:
            base = _view_base(args[0]) if cls._view else None
            return tuple(T._make(o if type(o) is np.ndarray else np.asarray(o), False, base)
                         for o in out)
        return _plain(out, _view_base(args[0]) if cls._view else None)

    ctx = new(cls._backward_cls)
    ctx._sequence_nr = next(_seq)
    ctx.needs_input_grad = needs
    out = cls.forward(ctx, *arrays)
    ctx.next_functions = tuple(edges) if cls._n_edges is None else tuple(edges[:cls._n_edges])
    ctx._in_meta = meta
    if cls._view:
        base = _view_base(args[0])
        ctx._base_fn = base._grad_fn  # see _view_fn
    else:
        base = None
    non_diff = ctx._non_diff
    if type(out) is not tuple and non_diff is None:
        return _finish1(ctx, out, args, arrays, base)

    single = type(out) is not tuple
    raw_outs = (out,) if single else out
    outs = tuple(o if type(o) is np.ndarray else np.asarray(o) for o in raw_outs)
    results = []
    vcs = []
    for k, o in enumerate(outs):
        t = T._make(o, False, base)
        if non_diff is None or not any(o is nd for nd in non_diff):
            t._requires_grad = True
            t._grad_fn = ctx
            t._output_nr = k
        vcs.append(t._vc)
        results.append(t)
    ctx._saved_vcs = vcs
    if len(outs) > 1:
        ctx._out_meta = tuple((o.shape, o.dtype) for o in outs)
    if ctx._to_save:
        ctx._saved = _resolve_saved(ctx._to_save, args, arrays, outs, vcs, raw_outs)
        ctx._to_save = ()
    if _anomaly[0]:
        _record_trace(ctx)
    return results[0] if single else tuple(results)


_NO_CTX1, _NO_CTX2 = _NO_CTX[1], _NO_CTX[2]
_NEEDS = {(True, True): (True, True), (True, False): (True, False),
          (False, True): (False, True)}


def _plain(out, base=None):
    """A fresh Tensor (no graph) around a forward's result; a view of ``base`` if given."""
    t = object.__new__(Tensor)
    t._data = out if type(out) is np.ndarray else np.asarray(out)
    t._requires_grad = False
    t._grad_fn = None
    if base is None:
        t._vc = [0]
    else:
        t._vc = base._vc
        t._base = base
    return t


def _finish1(ctx, out, args, arrays, base=None):
    """Wrap the single output of a recorded op (a view of ``base`` if given) and resolve what
    its node saved."""
    raw = out
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    t = object.__new__(Tensor)
    t._data = out
    t._requires_grad = True
    t._grad_fn = ctx
    if base is None:
        vc = t._vc = [0]
    else:
        vc = t._vc = base._vc
        t._base = base
    vcs = ctx._saved_vcs = [vc]
    if ctx._to_save:
        ctx._saved = _resolve_saved(ctx._to_save, args, arrays, (out,), vcs, (raw,))
        ctx._to_save = ()
    if _anomaly[0]:
        _record_trace(ctx)
    return t


def apply1(cls, x):
    """Fast path of ``cls.apply(x)`` for single-output ops of one tensor argument (not views)."""
    if not (x._requires_grad and _state[0]):
        return _plain(cls.forward(_NO_CTX1, x._data))
    fn = x._grad_fn
    if fn is not None and x._base is not None:
        return _apply_arrays(cls, x)
    ctx = object.__new__(cls._backward_cls)
    ctx._sequence_nr = next(_seq)
    ctx.needs_input_grad = (True,)
    d = x._data
    out = cls.forward(ctx, d)
    ctx.next_functions = ((fn, x._output_nr) if fn is not None else (x._grad_accumulator(), 0),)
    ctx._in_meta = ((d.shape, d.dtype),)
    return _finish1(ctx, out, (x,), (d,))


def apply2(cls, a, b):
    """Fast path of ``cls.apply(a, b)`` for single-output ops of a tensor ``a`` and a tensor or
    Python number ``b``."""
    bt = isinstance(b, Tensor)
    ra = a._requires_grad
    rb = bt and b._requires_grad
    db = b._data if bt else b
    if not ((ra or rb) and _state[0]):
        return _plain(cls.forward(_NO_CTX2, a._data, db))
    fa = a._grad_fn
    fb = b._grad_fn if rb else None
    if (fa is not None and a._base is not None) or (fb is not None and b._base is not None):
        return _apply_arrays(cls, a, b)
    ctx = object.__new__(cls._backward_cls)
    ctx._sequence_nr = next(_seq)
    ctx.needs_input_grad = _NEEDS[(ra, rb)]
    da = a._data
    out = cls.forward(ctx, da, db)
    ea = ((fa, a._output_nr) if fa is not None else (a._grad_accumulator(), 0)) if ra \
        else (None, 0)
    eb = ((fb, b._output_nr) if fb is not None else (b._grad_accumulator(), 0)) if rb \
        else (None, 0)
    ctx.next_functions = (ea, eb)
    ctx._in_meta = ((da.shape, da.dtype) if ra else None, (db.shape, db.dtype) if rb else None)
    return _finish1(ctx, out, (a, b), (da, db))


def _view_base(t):
    """The tensor a view of ``t`` shares storage and version counter with."""
    return t._base if t._base is not None else t


def _view_fn(t):
    """The grad_fn of view ``t``, regenerated if its base's history changed since ``t`` was made.

    When an in-place op rewrites the base (directly or through another view), the values of every
    view of it may have changed, so a view's old node (e.g. ``SliceBackward0`` into the base's old
    history) is stale. As in PyTorch, the view then gets an ``AsStridedBackward0`` node reading
    from the base's current history.
    """
    fn = t._grad_fn
    base = t._base
    if fn is None or base is None or getattr(fn, "_base_fn", base._grad_fn) is base._grad_fn:
        return fn
    if not base._requires_grad:
        return fn
    from .._functions.shape import ViewOfBase, view_positions
    from .grad_mode import enable_grad

    with enable_grad():
        new = ViewOfBase.apply(base, t._data, view_positions(base._data, t._data))
    t._grad_fn = new._grad_fn
    t._output_nr = 0
    return t._grad_fn


def _resolve_saved(to_save, args, arrays, outs, vcs, raw_outs=()):
    """Classify each saved value: an input tensor (1), an output (2) or a constant (0).

    Identity decides. NumPy returns scalars, not 0-d arrays, from ops on 0-d arrays, so a saved
    output may be the scalar ``forward`` returned (``raw_outs``) rather than the wrapped array.
    """
    saved = []
    for s in to_save:
        kind = type(s)
        if kind is np.ndarray or isinstance(s, np.generic):
            found = False
            if kind is np.ndarray:
                for i, a in enumerate(arrays):
                    if s is a:
                        t = args[i]
                        saved.append((1, t, t._vc, t._vc[0], None))
                        found = True
                        break
            if not found:
                for k, o in enumerate(outs):
                    if s is o or (k < len(raw_outs) and s is raw_outs[k]):
                        saved.append((2, o, vcs[k], vcs[k][0], k))
                        found = True
                        break
            if not found:
                saved.append((0, s, None, 0, None))
        else:
            saved.append((0, s, None, 0, None))
    return saved


def _record_trace(ctx):
    import traceback

    ctx._trace = traceback.format_stack()[:-3]


def _apply_tensors(cls, args, kwargs):
    """User-defined Functions: forward sees Tensors (with grad off), outputs get the node."""
    T = Tensor
    needs = [isinstance(a, T) and a._requires_grad for a in args]
    record = _state[0] and any(needs)
    ctx = cls._backward_cls()
    ctx.needs_input_grad = tuple(n and record for n in needs)
    prev = _state[0]
    _state[0] = False
    try:
        out = cls.forward(ctx, *args, **kwargs)
    finally:
        _state[0] = prev
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    if not record:
        return out
    # as in PyTorch, only Tensor arguments are graph inputs; backward still returns one value
    # per forward argument, and the engine picks the Tensor ones (_tensor_pos)
    pos = tuple(i for i, a in enumerate(args) if isinstance(a, T))
    ctx._n_args = len(args)
    ctx._tensor_pos = pos
    ctx.next_functions = tuple(_edge(args[i]) if needs[i] else (None, 0) for i in pos)
    ctx._in_meta = tuple((args[i]._data.shape, args[i]._data.dtype) if needs[i] else None
                         for i in pos)
    non_diff = ctx._non_diff or ()
    dirty = ctx._dirty or ()
    results = []
    k = 0
    for o in outs:
        if not isinstance(o, T):
            results.append(o)
            continue
        if any(o is a for a in args) and not any(o is d for d in dirty):
            o = o.view_as(o)  # an input returned as is becomes a view with this node
        if any(o is nd for nd in non_diff) or not o._data.dtype.kind == "f":
            o._requires_grad = False
        else:
            if any(o is d for d in dirty):
                if o._grad_fn is None and o._requires_grad:
                    raise RuntimeError(
                        "a leaf Variable that requires grad has been used in an in-place "
                        "operation."
                    )
                o._vc[0] += 1  # PyTorch bumps the version of dirty tensors once more
            o._requires_grad = True
            o._grad_fn = ctx
            o._output_nr = k
        k += 1
        results.append(o)
    ctx._out_meta = tuple((r._data.shape, r._data.dtype) for r in results if isinstance(r, T))
    ctx._saved_vcs = [r._vc for r in results if isinstance(r, T)]
    to_save = ctx._to_save
    if to_save:
        saved = []
        for s in to_save:
            if s is None:
                saved.append((0, None, None, 0, None))
            elif isinstance(s, T):
                saved.append((1, s, s._vc, s._vc[0], None))
            else:
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{len(saved)} is of type {type(s).__name__}"
                )
        ctx._saved = saved
        ctx._to_save = ()
    if _anomaly[0]:
        _record_trace(ctx)
    return results[0] if single else tuple(results)


def once_differentiable(fn):
    """Decorator for a ``backward`` that cannot itself be differentiated.

    The backward runs with grad mode off. Under ``create_graph=True`` its outputs are routed
    through an ``Error`` node, so differentiating them again raises PyTorch's error instead of
    silently giving wrong higher-order gradients.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .grad_mode import no_grad

        with no_grad():
            outputs = fn(ctx, *args)
        if not _state[0]:
            return outputs
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        fakes = []
        for o in outs:
            if isinstance(o, Tensor) and o._data.dtype.kind == "f":
                o = Tensor._make(o._data, True)  # a detached alias that "requires grad"
            fakes.append(o)
        tensors = [o for o in fakes if isinstance(o, Tensor) and o._requires_grad]
        if not tensors:
            return outputs
        errs = iter(_DelayedError.apply(*tensors))
        res = tuple(next(errs) if isinstance(o, Tensor) and o._requires_grad else o
                    for o in fakes)
        return res[0] if single else res

    return wrapper


class _DelayedError(Function):
    """The node behind the outputs of a ``@once_differentiable`` backward (PyTorch's ``Error``)."""

    _arrays = True
    name = "Error"

    @staticmethod
    def forward(ctx, *arrays):
        return tuple(arrays)  # aliases of the backward's outputs, always as a tuple

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )
