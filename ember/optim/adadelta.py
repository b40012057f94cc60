"""``ember.optim.Adadelta`` (``torch.optim.adadelta``)."""

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

__all__ = ["Adadelta"]


def _adadelta_kernel(p, g, square_avg, acc_delta, t0, t1, t2, maximize, weight_decay, lr, rho,
                     eps):
    g = _prep_grad(p, g, t1, weight_decay, maximize)
    # square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
    square_avg *= rho
    np.multiply(g, 1 - rho, out=t0)
    t0 *= g
    square_avg += t0
    # std = square_avg.add(eps).sqrt_(); delta = acc_delta.add(eps).sqrt_()
    np.add(square_avg, eps, out=t0)
    np.sqrt(t0, out=t0)
    np.add(acc_delta, eps, out=t2)
    np.sqrt(t2, out=t2)
    # delta.div_(std).mul_(grad)
    t2 /= t0
    t2 *= g
    # acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
    acc_delta *= rho
    np.multiply(t2, 1 - rho, out=t0)
    t0 *= t2
    acc_delta += t0
    # param.add_(delta, alpha=-lr)
    t2 *= -lr
    p += t2


class Adadelta(Optimizer):
    r"""The Adadelta algorithm, as ``torch.optim.Adadelta``.

    Args:
        params (iterable): parameters, named parameters or parameter groups (dicts).
        lr (float, Tensor, optional): coefficient scaling delta (default: 1.0).
        rho (float, optional): coefficient of the running average of squared gradients
            (default: 0.9).
        eps (float, optional): term added to the denominator (default: 1e-6).
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0).
        maximize (bool, optional): maximize the objective instead of minimizing it.

    >>> opt = ember.optim.Adadelta(model.parameters())
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")

        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
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
            lr = _scalar(group["lr"])
            rho = group["rho"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            maximize = group["maximize"]
            _check_capturable(group)
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar_tensor(0.0)
                    state["square_avg"] = _zeros_like(p)
                    state["acc_delta"] = _zeros_like(p)
                step_t = state["step"]
                step_t._data += 1
                _bump(step_t)
                _run(self, _adadelta_kernel,
                     (p._data, grad._data, state["square_avg"]._data, state["acc_delta"]._data),
                     3, maximize, weight_decay, lr, rho, eps)
                _bump(p)

        return loss
