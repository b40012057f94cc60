"""``ember.optim.RAdam``: rectified Adam (``torch.optim.radam``)."""

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

__all__ = ["RAdam"]


def _radam_kernel(p, g, exp_avg, exp_avg_sq, t0, t1, t2, maximize, weight_decay, decoupled,
                  lr, beta1, beta2, eps, bias_correction1, bias_correction2, rect):
    g = _adam_moments(p, g, exp_avg, exp_avg_sq, t0, t1, maximize, weight_decay, decoupled, lr,
                      beta1, beta2)
    # bias_corrected_exp_avg * lr [* adaptive_lr * rect]
    np.divide(exp_avg, bias_correction1, out=t2)
    t2 *= lr
    if rect is not None:
        # adaptive_lr = (bias_correction2**0.5) / (exp_avg_sq.sqrt() + eps): scalar / tensor
        # is reciprocal() * scalar in PyTorch
        np.sqrt(exp_avg_sq, out=t0)
        t0 += eps
        np.reciprocal(t0, out=t0)
        t0 *= bias_correction2**0.5
        t2 *= t0
        t2 *= rect
    p -= t2  # param.add_(update, alpha=-1.0)


class RAdam(Optimizer):
    r"""The RAdam algorithm (Adam with a rectified adaptive learning rate), as
    ``torch.optim.RAdam``.

    Args:
        params (iterable): parameters, named parameters or parameter groups (dicts).
        lr (float, Tensor, optional): learning rate (default: 1e-3).
        betas (tuple[float, float], optional): running-average coefficients
            (default: (0.9, 0.999)).
        eps (float, optional): term added to the denominator (default: 1e-8).
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0).
        decoupled_weight_decay (bool, optional): decoupled (AdamW-style) weight decay.
        maximize (bool, optional): maximize the objective instead of minimizing it.

    >>> opt = ember.optim.RAdam(model.parameters())
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False) -> None:
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
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
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
            group.setdefault("decoupled_weight_decay", False)
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
            lr = _scalar(group["lr"])
            weight_decay = group["weight_decay"]
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
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                _check_capturable(group)
                step_t = state["step"]
                step_t._data += 1
                _bump(step_t)
                step = float(step_t._data)
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                # maximum length of the approximated SMA, and the SMA at this step
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                rect = None
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                _run(self, _radam_kernel,
                     (p._data, grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data),
                     3, maximize, weight_decay, decoupled, lr, beta1, beta2, eps,
                     bias_correction1, bias_correction2, rect)
                _bump(p, 2 if weight_decay != 0 and decoupled else 1)

        return loss
