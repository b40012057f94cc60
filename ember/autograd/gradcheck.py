"""``gradcheck`` / ``gradgradcheck``: compare analytical gradients with finite differences."""

from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    """Raised by gradcheck when a gradient does not match its numerical estimate."""


def _tensors(inputs):
    from .._tensor import Tensor

    if isinstance(inputs, Tensor):
        return (inputs,)
    return tuple(inputs)


def _flat_outputs(fn, inputs):
    from .._tensor import Tensor

    out = fn(*inputs)
    if isinstance(out, Tensor):
        return (out,)
    return tuple(o for o in out if isinstance(o, Tensor))


def _numerical_jacobian(fn, inputs, out_index, eps):
    """d out[out_index] / d input, by central differences, for each differentiable input."""
    jac = []
    for t in inputs:
        if not (hasattr(t, "_data") and t._requires_grad):
            jac.append(None)
            continue
        data = t._data
        cols = []
        flat = data.reshape(-1) if data.flags.c_contiguous else None
        for i in range(data.size):
            idx = np.unravel_index(i, data.shape)
            orig = data[idx].copy()
            data[idx] = orig + eps
            plus = _flat_outputs(fn, inputs)[out_index]._data.astype(np.float64).copy()
            data[idx] = orig - eps
            minus = _flat_outputs(fn, inputs)[out_index]._data.astype(np.float64).copy()
            data[idx] = orig
            cols.append(((plus - minus) / (2 * eps)).reshape(-1))
        del flat
        n_out = _flat_outputs(fn, inputs)[out_index]._data.size
        jac.append(np.stack(cols, 1) if cols else np.zeros((n_out, 0)))
    return jac


def _analytical_jacobian(fn, inputs, out_index):
    from .._tensor import Tensor
    from . import grad as autograd_grad

    diff = [t for t in inputs if hasattr(t, "_data") and t._requires_grad]
    out = _flat_outputs(fn, inputs)[out_index]
    n_out = out._data.size
    rows = [np.zeros((n_out, t._data.size)) for t in diff]
    if not out._requires_grad:
        return rows
    for j in range(n_out):
        go = np.zeros(out._data.shape, out._data.dtype)
        go.reshape(-1)[j] = 1
        gs = autograd_grad(out, diff, Tensor._make(go, False), retain_graph=True,
                           allow_unused=True)
        for r, g in zip(rows, gs):
            if g is not None:
                r[j] = g._data.astype(np.float64).reshape(-1)
    return rows


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None) -> bool:
    """Check the gradients of ``func`` at ``inputs`` (float64 tensors with requires_grad)
    against central finite differences; raises GradcheckError (or returns False) on mismatch."""
    inputs = _tensors(inputs)
    for t in inputs:
        if hasattr(t, "_data") and t._requires_grad and t._data.dtype != np.float64:
            import warnings

            warnings.warn(
                "Input #0 requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ", stacklevel=2,
            )
    n_outputs = len(_flat_outputs(func, inputs))
    diff_idx = [i for i, t in enumerate(inputs) if hasattr(t, "_data") and t._requires_grad]
    for k in range(n_outputs):
        num = _numerical_jacobian(func, inputs, k, eps)
        num = [n for n in num if n is not None]
        ana = _analytical_jacobian(func, inputs, k)
        for i, (a, n) in enumerate(zip(ana, num)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                msg = (
                    f"Jacobian mismatch for output {k} with respect to input {diff_idx[i]},\n"
                    f"numerical:{n}\nanalytical:{a}\n"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True,
                  fast_mode=False, masked=False) -> bool:
    """Check second derivatives: gradcheck of the function that maps inputs (and grad_outputs)
    to the first derivatives computed with ``create_graph=True``."""
    from .._tensor import Tensor
    from . import grad as autograd_grad

    inputs = _tensors(inputs)
    outputs = _flat_outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            Tensor._make(rng.standard_normal(o._data.shape).astype(o._data.dtype), True)
            for o in outputs
        )
    else:
        grad_outputs = _tensors(grad_outputs)
    n_in = len(inputs)

    def first_derivative(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = _flat_outputs(func, ins)
        diff = [t for t in ins if hasattr(t, "_data") and t._requires_grad]
        pairs = [(o, g) for o, g in zip(outs, gos) if o._requires_grad]
        if not pairs:
            return tuple()
        gs = autograd_grad([p[0] for p in pairs], diff, [p[1] for p in pairs],
                           create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_derivative, inputs + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
