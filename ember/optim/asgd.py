"""``ember.optim.ASGD``: averaged stochastic gradient descent (``torch.optim.asgd``)."""

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
    _prep_grad,
    _run,
    _scalar,
    _scalar_tensor,
    _use_grad_for_differentiable,
    _zeros_like,
)

__all__ = ["ASGD"]


def _asgd_kernel(p, g, ax, t0, t1, maximize, weight_decay, lambd, eta, mu):
    g = _prep_grad(p, g, t1, weight_decay, maximize)
    p *= 1 - lambd * eta  # decay term
    np.multiply(g, -eta, out=t0)  # param.add_(grad, alpha=-eta)
    p += t0
    if mu != 1:  # ax.add_(param.sub(ax).mul_(mu))
        np.subtract(p, ax, out=t0)
        t0 *= mu
        ax += t0
    else:
        ax[...] = p


class ASGD(Optimizer):
    r"""Averaged stochastic gradient descent, as ``torch.optim.ASGD``.

    Args:
        params (iterable): parameters, named parameters or parameter groups (dicts).
        lr (float, Tensor, optional): learning rate (default: 1e-2).
        lambd (float, optional): decay term (default: 1e-4).
        alpha (float, optional): power for the eta update (default: 0.75).
        t0 (float, optional): point at which to start averaging (default: 1e6).
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0).
        maximize (bool, optional): maximize the objective instead of minimizing it.

    >>> opt = ember.optim.ASGD(model.parameters(), lr=0.01)
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")

        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
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
                if len(p_state) != 0:
                    for key in ("step", "eta", "mu"):
                        if not isinstance(p_state[key], Tensor):
                            p_state[key] = _scalar_tensor(float(p_state[key]),
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
            lr = _scalar(group["lr"])
            lambd = group["lambd"]
            alpha = group["alpha"]
            t0 = group["t0"]
            weight_decay = group["weight_decay"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar_tensor(0.0)
                    state["eta"] = _scalar_tensor(lr)
                    state["mu"] = _scalar_tensor(1.0)
                    state["ax"] = _zeros_like(p)
                _check_capturable(group)
                step_t, eta, mu = state["step"], state["eta"], state["mu"]
                step_t._data += 1
                _bump(step_t)
                _run(self, _asgd_kernel, (p._data, grad._data, state["ax"]._data), 2,
                     maximize, weight_decay, lambd, float(eta._data), float(mu._data))
                _bump(p, 2)
                step = float(step_t._data)
                eta._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
                mu._data[...] = 1 / max(1, step - t0)
                _bump(eta)
                _bump(mu)

        return loss
