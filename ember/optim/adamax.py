"""``ember.optim.Adamax``: Adam with the infinity norm (``torch.optim.adamax``)."""

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
    _lerp_,
    _prep_grad,
    _run,
    _scalar,
    _scalar_tensor,
    _use_grad_for_differentiable,
    _zeros_like,
)

__all__ = ["Adamax"]


def _adamax_kernel(p, g, exp_avg, exp_inf, t0, t1, maximize, weight_decay, beta1, beta2, eps,
                   clr):
    g = _prep_grad(p, g, t1, weight_decay, maximize)
    _lerp_(exp_avg, g, 1 - beta1, t0)
    # torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
    exp_inf *= beta2
    np.abs(g, out=t0)
    t0 += eps
    np.maximum(exp_inf, t0, out=exp_inf)
    # param.addcdiv_(exp_avg, exp_inf, value=-clr)
    np.multiply(exp_avg, -clr, out=t0)
    t0 /= exp_inf
    p += t0


class Adamax(Optimizer):
    r"""The Adamax algorithm (Adam based on the infinity norm), as ``torch.optim.Adamax``.

    Args:
        params (iterable): parameters, named parameters or parameter groups (dicts).
        lr (float, Tensor, optional): learning rate (default: 2e-3).
        betas (tuple[float, float], optional): coefficients of the running average of the
            gradient and of the infinity norm (default: (0.9, 0.999)).
        eps (float, optional): term added to the denominator (default: 1e-8).
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0).
        maximize (bool, optional): maximize the objective instead of minimizing it.

    >>> opt = ember.optim.Adamax(model.parameters())
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False,
                 capturable=False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")

        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
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
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            lr = _scalar(group["lr"])
            weight_decay = group["weight_decay"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar_tensor(0.0)
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_inf"] = _zeros_like(p)
                _check_capturable(group)
                step_t = state["step"]
                step_t._data += 1
                _bump(step_t)
                bias_correction = 1 - beta1 ** float(step_t._data)
                clr = lr / bias_correction
                _run(self, _adamax_kernel,
                     (p._data, grad._data, state["exp_avg"]._data, state["exp_inf"]._data), 2,
                     maximize, weight_decay, beta1, beta2, eps, clr)
                _bump(p)

        return loss
