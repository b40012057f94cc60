"""``ember.optim.NAdam``: Adam with Nesterov momentum (``torch.optim.nadam``)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _adam_moments,
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

__all__ = ["NAdam"]


def _nadam_kernel(p, g, exp_avg, exp_avg_sq, t0, t1, t2, maximize, weight_decay, decoupled,
                  lr, beta1, beta2, eps, bias_correction2, value_grad, value_avg):
    g = _adam_moments(p, g, exp_avg, exp_avg_sq, t0, t1, maximize, weight_decay, decoupled, lr,
                      beta1, beta2)
    # denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
    np.divide(exp_avg_sq, bias_correction2, out=t0)
    np.sqrt(t0, out=t0)
    t0 += eps
    # param.addcdiv_(grad, denom, value=...); param.addcdiv_(exp_avg, denom, value=...)
    np.multiply(g, value_grad, out=t2)
    t2 /= t0
    p += t2
    np.multiply(exp_avg, value_avg, out=t2)
    t2 /= t0
    p += t2


class NAdam(Optimizer):
    r"""The NAdam algorithm (Adam with Nesterov momentum), as ``torch.optim.NAdam``.

    Args:
        params (iterable): parameters, named parameters or parameter groups (dicts).
        lr (float, Tensor, optional): learning rate (default: 2e-3).
        betas (tuple[float, float], optional): running-average coefficients
            (default: (0.9, 0.999)).
        eps (float, optional): term added to the denominator (default: 1e-8).
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0).
        momentum_decay (float, optional): momentum decay (default: 4e-3).
        decoupled_weight_decay (bool, optional): decoupled (AdamW-style) weight decay.
        maximize (bool, optional): maximize the objective instead of minimizing it.

    >>> opt = ember.optim.NAdam(model.parameters())
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False) -> None:
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
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)
        _check_differentiable(differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0:
                    if not isinstance(p_state["step"], Tensor):
                        p_state["step"] = _scalar_tensor(float(p_state["step"]),
                                                         _get_scalar_dtype())
                    if not isinstance(p_state["mu_product"], Tensor):
                        p_state["mu_product"] = _scalar_tensor(p_state["mu_product"],
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
            lr = _scalar(group["lr"])
            weight_decay = group["weight_decay"]
            momentum_decay = group["momentum_decay"]
            eps = group["eps"]
            decoupled = group["decoupled_weight_decay"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar_tensor(0.0)
                    state["mu_product"] = _scalar_tensor(1.0)
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                _check_capturable(group)
                step_t = state["step"]
                mu_product = state["mu_product"]
                step_t._data += 1
                _bump(step_t)
                step = float(step_t._data)
                bias_correction2 = 1 - beta2**step
                # calculate the momentum cache \mu^{t} and \mu^{t+1}
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mu_product._data *= mu
                _bump(mu_product)
                mu_product_value = float(mu_product._data)
                mu_product_next = mu_product_value * mu_next
                value_grad = -lr * (1.0 - mu) / (1.0 - mu_product_value)
                value_avg = (-lr * mu_next) / (1.0 - mu_product_next)
                _run(self, _nadam_kernel,
                     (p._data, grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data),
                     3, maximize, weight_decay, decoupled, lr, beta1, beta2, eps,
                     bias_correction2, value_grad, value_avg)
                _bump(p, 3 if weight_decay != 0 and decoupled else 2)

        return loss
