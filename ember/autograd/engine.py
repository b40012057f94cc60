"""The backward engine: walks the graph from the outputs to the leaves, iteratively.

Order follows PyTorch's: a node runs once every gradient flowing into it has arrived, and among
ready nodes the most recently created runs first (PyTorch's sequence numbers), so gradients are
summed in the same order and give the same floating-point results.
"""

from __future__ import annotations

import heapq
from sys import getrefcount

import numpy as np

from . import function as _fn
from .function import AccumulateGrad
from .grad_mode import _state


def _sum_to(g, shape, dtype):
    """Undo broadcasting: sum ``g`` down to ``shape``, then cast to ``dtype``."""
    gshape = g.shape
    if gshape != shape:
        nd = len(gshape) - len(shape)
        axes = tuple(range(nd)) + tuple(
            i + nd for i, s in enumerate(shape) if s == 1 and gshape[i + nd] != 1
        )
        if isinstance(g, np.ndarray):
            g = g.sum(axis=axes, keepdims=True) if axes else g
            g = g.reshape(shape)
            if g.shape != shape:  # a 0-size broadcast
                g = np.broadcast_to(g, shape)
        else:
            g = g.sum_to_size(shape) if axes else g.reshape(shape)
    if isinstance(g, np.ndarray):
        if g.dtype != dtype:
            g = g.astype(dtype)
    elif g._data.dtype != dtype:
        from .._dtype import FROM_NP

        g = g.to(FROM_NP[dtype])
    return g


def _call_hooks(hooks, grad):
    for fn in list(hooks.values()):
        r = fn(grad)
        if r is not None:
            grad = r
    return grad


def _collect(roots):
    """Dependency counts for every node reachable from ``roots``."""
    deps = {}
    seen = set()
    stack = []
    for n in roots:  # a node can be the root twice (two outputs of one op): count it once
        if n is not None and n not in seen:
            seen.add(n)
            stack.append(n)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps, seen


def _needed(seen, targets):
    """Nodes from which some target node can be reached (only these need to run)."""
    parents = {}
    for node in seen:
        for nxt, _ in node.next_functions:
            if nxt is not None:
                parents.setdefault(nxt, []).append(node)
    needed = set(targets)
    stack = list(targets)
    while stack:
        n = stack.pop()
        for p in parents.get(n, ()):
            if p not in needed:
                needed.add(p)
                stack.append(p)
    return needed


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None,
                 accumulate=True, allow_unused=False, materialize_grads=False):
    """Shared core of ``Tensor.backward``, ``autograd.backward`` and ``autograd.grad``.

    Returns the captured gradients for ``inputs`` when ``accumulate`` is False.
    """
    T = _fn.Tensor
    roots = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        roots.append((_fn._edge(t), g))

    deps, seen = _collect([e[0] for e, _ in roots])
    capture = None
    targets = None
    if inputs is not None:
        capture = {}  # (node, nr) -> index into results
        targets = []
        for i, t in enumerate(inputs):
            if not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            node, nr = _fn._edge(t)
            capture.setdefault((node, nr), []).append(i)
            targets.append(node)
        needed = _needed(seen, targets)
    else:
        needed = None
    results = [None] * (len(inputs) if inputs is not None else 0)

    tensor_mode = create_graph
    prev_grad, prev_unpack = _state[0], _fn._unpack_tensors[0]
    _state[0] = create_graph
    _fn._unpack_tensors[0] = create_graph
    try:
        buffers = {}
        heap = []
        for (node, nr), g in roots:
            buf = buffers.get(node)
            if buf is None:
                buf = buffers[node] = [None] * max(len(node._out_meta), 1)
            buf[nr] = g if buf[nr] is None else buf[nr] + g
        for node in buffers:
            if deps.get(node, 0) == 0:
                heapq.heappush(heap, (-node._sequence_nr, id(node), node))
        fast = not tensor_mode and capture is None and not _fn._anomaly[0]
        heappop, heappush = heapq.heappop, heapq.heappush
        while heap:
            _, _, node = heappop(heap)
            grads = buffers.pop(node)
            if needed is not None and node not in needed:
                continue
            if not (fast and node._arrays and len(grads) == 1 and grads[0] is not None
                    and node._tensor_hooks is None and node._retain is None
                    and node._pre_hooks is None and node._hooks is None and not node._released):
                out = g = None  # drop the last node's gradients (see _accumulate's steal)
                _run_node(node, grads, buffers, deps, heap, needed, capture, results,
                          accumulate, tensor_mode, retain_graph, inputs)
                continue
            # fast path: one of Ember's own ops, arrays in and out, no hooks
            out = node._forward_cls.backward(node, grads[0])
            if type(out) is not tuple:
                out = (out,)
            if not retain_graph:
                node._saved = None
                node._released = True
            for (nxt, nr), g, meta in zip(node.next_functions, out, node._in_meta):
                if nxt is None:
                    continue
                if g is not None:
                    if type(g) is not np.ndarray:
                        g = g._data if isinstance(g, T) else np.asarray(g)
                    if g.shape != meta[0] or g.dtype != meta[1]:
                        g = _sum_to(g, meta[0], meta[1])
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * (len(nxt._out_meta) or 1)
                    old = buf[nr]
                    buf[nr] = g if old is None else old + g
                d = deps[nxt] - 1
                deps[nxt] = d
                if d == 0:
                    if nxt in buffers:
                        if needed is None or nxt in needed:
                            heappush(heap, (-nxt._sequence_nr, id(nxt), nxt))
                        else:
                            del buffers[nxt]
                    else:
                        _skip_unreached(nxt, deps, buffers, heap, needed)
    finally:
        _state[0] = prev_grad
        _fn._unpack_tensors[0] = prev_unpack

    if inputs is not None and accumulate:
        # backward(inputs=...) also fills .grad of non-leaf inputs (leaves were accumulated)
        for t, r in zip(inputs, results):
            if r is not None and t._grad_fn is not None:
                _retain(t, r)
    if inputs is not None and not accumulate:
        for i, r in enumerate(results):
            if r is None:
                if materialize_grads:
                    results[i] = _fn.Tensor._make(np.zeros_like(inputs[i]._data), False)
                elif not allow_unused:
                    raise RuntimeError(
                        f"The differentiated Tensor at index {i} appears to not have been used "
                        "in the graph. Set allow_unused=True if this is the desired behavior."
                    )
            elif not isinstance(r, T):
                results[i] = T._make(r, False)
    return results


def _as_tensor_grad(g):
    if g is None or isinstance(g, _fn.Tensor):
        return g
    return _fn.Tensor._make(g, False)


def _run_node(node, grads, buffers, deps, heap, needed, capture, results, accumulate,
              tensor_mode, retain_graph, inputs):
    T = _fn.Tensor
    # tensor hooks and retain_grad on this node's outputs
    if node._tensor_hooks:
        for nr, hooks in node._tensor_hooks.items():
            if grads[nr] is not None and hooks:
                g = grads[nr] if tensor_mode else _as_tensor_grad(grads[nr])
                g = _call_hooks(hooks, g)
                grads[nr] = g if tensor_mode else g._data
    if node._retain:  # retain_grad(): after the tensor hooks, as in PyTorch
        for nr, ref in node._retain.items():
            t = ref()
            if t is not None and grads[nr] is not None:
                _retain(t, grads[nr])
    if node._pre_hooks:
        gt = tuple(_as_tensor_grad(g) for g in grads)
        for fn in list(node._pre_hooks.values()):
            r = fn(gt)
            if r is not None:
                gt = tuple(r)
        grads = [g if (g is None or tensor_mode) else g._data for g in gt]

    if capture is not None:
        for nr in range(len(grads)):
            idxs = capture.get((node, nr))
            if idxs:
                g = grads[nr]
                if type(node) is AccumulateGrad and node.variable._backward_hooks:
                    g = _call_hooks(node.variable._backward_hooks, _as_tensor_grad(g))
                for i in idxs:
                    results[i] = g if results[i] is None else results[i] + g
                if not accumulate and type(node) is AccumulateGrad:
                    return
                if accumulate and type(node) is not AccumulateGrad:
                    pass

    if type(node) is AccumulateGrad:
        if accumulate and (inputs is None or (node, 0) in capture):
            _accumulate(node.variable, grads[0], tensor_mode)
        return

    if node._released:
        raise RuntimeError(_fn._FREED)

    # materialize missing output gradients as zeros (post hooks still see them as None)
    raw_grads = tuple(grads) if node._hooks else None
    if len(grads) > 1 or grads[0] is None:
        for k, g in enumerate(grads):
            if g is None and node._materialize_grads:
                shape, dt = node._out_meta[k] if node._out_meta else ((), np.float32)
                z = np.zeros(shape, dt)
                grads[k] = T._make(z, False) if (tensor_mode or not node._arrays) else z

    fwd = node._forward_cls
    if node._arrays:
        out = fwd.backward(node, *grads)
    else:
        gt = [_as_tensor_grad(g) for g in grads]
        prev = _state[0]
        _state[0] = tensor_mode
        try:
            out = fwd.backward(node, *gt)
        finally:
            _state[0] = prev
    if type(out) is not tuple:
        out = (out,)
    pos = getattr(node, "_tensor_pos", None)  # user Functions: one grad per forward argument
    n_in = len(node.next_functions) if pos is None else node._n_args
    if len(out) != n_in:
        if len(out) > n_in and all(o is None for o in out[n_in:]):
            out = out[:n_in]
        else:
            raise RuntimeError(
                f"function {type(node).__name__} returned an incorrect number of gradients "
                f"(expected {n_in}, got {len(out)})"
            )
    if pos is not None and len(pos) != n_in:
        out = tuple(out[i] for i in pos)
    if node._hooks:
        gi = tuple(_as_tensor_grad(g) for g in out)
        go = tuple(_as_tensor_grad(g) for g in raw_grads)
        for fn in list(node._hooks.values()):
            r = fn(gi, go)
            if r is not None:
                gi = tuple(r)
        out = tuple(g if (g is None or tensor_mode or not node._arrays) else g._data for g in gi)
    if not retain_graph:
        node._release()
    if _fn._anomaly[0] and _fn._anomaly[1]:
        _check_nan(node, out)

    for i, ((nxt, nr), g) in enumerate(zip(node.next_functions, out)):
        if nxt is None:
            continue
        if g is not None:
            if not tensor_mode and type(g) is not np.ndarray:
                g = g._data if isinstance(g, T) else np.asarray(g)
            elif tensor_mode and not isinstance(g, T):
                g = T._make(np.asarray(g), False)
            meta = node._in_meta[i]
            if meta is not None:
                g = _sum_to(g, meta[0], meta[1])
            buf = buffers.get(nxt)
            if buf is None:
                buf = buffers[nxt] = [None] * max(len(nxt._out_meta), 1)
            buf[nr] = g if buf[nr] is None else buf[nr] + g
        d = deps[nxt] - 1
        deps[nxt] = d
        if d == 0:
            if nxt in buffers:
                if needed is None or nxt in needed:
                    heapq.heappush(heap, (-nxt._sequence_nr, id(nxt), nxt))
                else:
                    del buffers[nxt]
            else:
                _skip_unreached(nxt, deps, buffers, heap, needed)


def _skip_unreached(node, deps, buffers, heap, needed):
    """``node`` got only None gradients: it does not run, but the nodes after it must still
    count it as done (else a node that also gets a real gradient elsewhere would wait forever,
    e.g. when an unused output's branch meets a used one further down)."""
    stack = [node]
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            d = deps[nxt] - 1
            deps[nxt] = d
            if d == 0:
                if nxt in buffers:
                    if needed is None or nxt in needed:
                        heapq.heappush(heap, (-nxt._sequence_nr, id(nxt), nxt))
                    else:
                        del buffers[nxt]
                else:
                    stack.append(nxt)


def _retain(t, g):
    """Store gradient ``g`` in non-leaf ``t.grad``: a copy the first time, then a new sum."""
    T = _fn.Tensor
    if isinstance(g, T):  # create_graph: the stored grad keeps its graph (PyTorch clones it)
        t._grad = g.clone() if t._grad is None else t._grad + g
    elif t._grad is None:
        t._grad = T._make(np.array(g, copy=True), False)
    else:
        t._grad = T._make(t._grad._data + g, False)


def _check_nan(node, out):
    import warnings

    for i, g in enumerate(out):
        if g is None:
            continue
        a = g._data if isinstance(g, _fn.Tensor) else g
        if a.dtype.kind == "f" and np.isnan(a).any():
            if node._trace:
                warnings.warn(
                    f"Error detected in {type(node).__name__}. Traceback of forward call that "
                    "caused the error:\n" + "".join(node._trace), stacklevel=4
                )
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned nan values in its {i}th output."
            )


# References to a gradient array that only the engine holds when _accumulate looks at it: the
# node's gradient list, _accumulate's argument and getrefcount's own argument.
_STEAL_REFS = 3


def _sole_owner(g) -> bool:
    """Whether ``g`` owns its memory, or is a whole-array view (a transpose, a reshape) of an
    array that nothing but ``g`` refers to."""
    base = g.base
    if base is None:
        return True
    # references to base: g's, the local name's and getrefcount's argument
    return (type(base) is np.ndarray and base.base is None and base.nbytes == g.nbytes
            and getrefcount(base) <= 3)


def _accumulate(t, g, tensor_mode):
    """AccumulateGrad: run the leaf's hooks, then add ``g`` into ``t.grad``."""
    T = _fn.Tensor
    if t._backward_hooks:
        g = _call_hooks(t._backward_hooks, _as_tensor_grad(g))
        if not tensor_mode:
            g = g._data
    if tensor_mode:
        if t._grad is None:
            t._grad = g if g._grad_fn is not None else T._make(np.array(g._data), False)
        else:
            t._grad = t._grad + g
    else:
        if isinstance(g, T):
            g = g._data
        if t._grad is None:
            d = t._data
            if (type(g) is np.ndarray and g.dtype == d.dtype and g.strides == d.strides
                    and g.flags.writeable and getrefcount(g) <= _STEAL_REFS
                    and _sole_owner(g)):
                # nobody else holds this fresh array (not another leaf, a saved value or the
                # caller): it becomes .grad as it is, as PyTorch's AccumulateGrad steals a
                # gradient whose use count is 1 and whose strides match the parameter's
                t._grad = T._make(g, False)
            else:  # a copy in the parameter's layout
                t._grad = T._make(np.array(g, dtype=d.dtype, order="C" if d.flags.c_contiguous
                                           else "K"), False)
        elif t._grad._requires_grad:
            t._grad = T._make(t._grad._data + g, False)
        else:
            gd = t._grad._data
            np.add(gd, g, out=gd, casting="unsafe")
            t._grad._vc[0] += 1
    if t._post_acc_hooks:
        for fn in list(t._post_acc_hooks.values()):
            fn(t)
