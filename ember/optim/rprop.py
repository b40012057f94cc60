"""``ember.optim.Rprop``: resilient backpropagation (``torch.optim.rprop``)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _bump,
    _check_capturable,
    _check_differentiable,
    _closure_loss,
    _get_scalar_dtype,
    _run,
    _scalar,
    _scalar_tensor,
    _use_grad_for_differentiable,
    _zeros_like,
)

__all__ = ["Rprop"]


def _rprop_kernel(p, g, prev, step_size, t0, t1, t2, maximize, step_size_min, step_size_max,
                  etaminus, etaplus):
    if maximize:
        np.negative(g, out=t1)
        g = t1
    dt = p.dtype.type
    # sign = grad.mul(prev).sign(), then sign>0 -> etaplus, sign<0 -> etaminus, sign==0 -> 1
    np.multiply(g, prev, out=t0)
    positive = t0 > 0
    negative = t0 < 0
    zero = t0 == 0
    np.copyto(t0, dt(etaplus), where=positive)
    np.copyto(t0, dt(etaminus), where=negative)
    np.copyto(t0, dt(1), where=zero)
    # step_size.mul_(sign).clamp_(step_size_min, step_size_max)
    step_size *= t0
    np.clip(step_size, step_size_min, step_size_max, out=step_size)
    # grad = grad.clone(); grad[sign.eq(etaminus)] = 0
    if g is not t1:
        np.copyto(t1, g)
    np.copyto(t1, dt(0), where=t0 == dt(etaminus))
    # param.addcmul_(grad.sign(), step_size, value=-1)
    np.sign(t1, out=t2)
    np.negative(t2, out=t2)
    t2 *= step_size
    p += t2
    prev[...] = t1


class Rprop(Optimizer):
    r"""The resilient backpropagation algorithm, as ``torch.optim.Rprop``.

    Args:
        params (iterable): parameters, named parameters or parameter groups (dicts).
        lr (float, Tensor, optional): learning rate (default: 1e-2).
        etas (tuple[float, float], optional): multiplicative decrease and increase factors
            (default: (0.5, 1.2)).
        step_sizes (tuple[float, float], optional): minimal and maximal step sizes
            (default: (1e-6, 50)).
        maximize (bool, optional): maximize the objective instead of minimizing it.

    >>> opt = ember.optim.Rprop(model.parameters())
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")

        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)
        _check_differentiable(differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = _scalar_tensor(float(p_state["step"]),
                                                     _get_scalar_dtype())

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step.

        Args:
            closure (Callable, optional): A closure that reevaluates the model
                and returns the loss.
        """
        loss = _closure_loss(closure)

        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar_tensor(0.0)
                    state["prev"] = _zeros_like(p)
                    state["step_size"] = Tensor._make(
                        np.full_like(grad._data, _scalar(group["lr"])))
                _check_capturable(group)
                step_t = state["step"]
                step_t._data += 1
                _bump(step_t)
                _run(self, _rprop_kernel,
                     (p._data, grad._data, state["prev"]._data, state["step_size"]._data), 3,
                     maximize, step_size_min, step_size_max, etaminus, etaplus)
                _bump(p)

        return loss
