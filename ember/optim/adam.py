"""``ember.optim.Adam`` (``torch.optim.adam``)."""

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
    _to_scalar,
    _use_grad_for_differentiable,
    _zeros_like,
)

__all__ = ["Adam"]


def _adam_kernel(p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, t0, t1, maximize, weight_decay,
                 decoupled, lr, beta1, beta2, eps, step_size, bias_correction2_sqrt):
    # One parameter's update, in PyTorch's single-tensor order of operations.
    g = _adam_moments(p, g, exp_avg, exp_avg_sq, t0, t1, maximize, weight_decay, decoupled, lr,
                      beta1, beta2)
    if max_exp_avg_sq is not None:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        np.sqrt(max_exp_avg_sq, out=t0)
    else:
        np.sqrt(exp_avg_sq, out=t0)
    # denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
    t0 /= bias_correction2_sqrt
    t0 += eps
    # param.addcdiv_(exp_avg, denom, value=-step_size)
    np.multiply(exp_avg, -step_size, out=t1)
    t1 /= t0
    p += t1


def _adam_kernel_ams(p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, t0, t1, *args):
    _adam_kernel(p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, t0, t1, *args)


def _adam_kernel_plain(p, g, exp_avg, exp_avg_sq, t0, t1, *args):
    _adam_kernel(p, g, exp_avg, exp_avg_sq, None, t0, t1, *args)


class Adam(Optimizer):
    r"""The Adam algorithm, as ``torch.optim.Adam``.

    Args:
        params (iterable): parameters, named parameters or parameter groups (dicts).
        lr (float, Tensor, optional): learning rate (default: 1e-3).
        betas (tuple[float, float], optional): coefficients of the running averages of the
            gradient and its square (default: (0.9, 0.999)).
        eps (float, optional): term added to the denominator (default: 1e-8).
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0).
        amsgrad (bool, optional): use the AMSGrad variant (default: False).
        maximize (bool, optional): maximize the objective instead of minimizing it.
        decoupled_weight_decay (bool, optional): AdamW's decoupled weight decay.
        foreach, fused (bool, optional): accepted for compatibility; Ember runs PyTorch's
            single-tensor algorithm.
        capturable, differentiable (bool, optional): not supported on the CPU (False).

    >>> opt = ember.optim.Adam(model.parameters(), lr=1e-3)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False) -> None:
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError(
                    "lr as a Tensor is not supported for capturable=False and foreach=True"
                )
            if lr.numel() != 1:
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
        if not (
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        if isinstance(betas[0], Tensor):
            if not capturable and foreach:
                raise ValueError(
                    "betas[0] as a Tensor is not supported for capturable=False and foreach=True"
                )
            if betas[0].numel() != 1:
                raise ValueError("Tensor betas[0] must be 1-element")
        if isinstance(betas[1], Tensor):
            if not capturable and foreach:
                raise ValueError(
                    "betas[1] as a Tensor is not supported for capturable=False and foreach=True"
                )
            if betas[1].numel() != 1:
                raise ValueError("Tensor betas[1] must be 1-element")
        betas = tuple(map(_to_scalar, betas))

        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            self._step_supports_amp_scaling = True
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        _check_differentiable(differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            fused = group.setdefault("fused", None)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], Tensor):
                    step_val = float(p_state["step"])
                    p_state["step"] = _scalar_tensor(
                        step_val,
                        _get_scalar_dtype(is_fused=fused)
                        if group["capturable"] or group["fused"] else None,
                    )

    def _init_group(self, group, p, grad):
        """The state of ``p`` (created on its first step)."""
        state = self.state[p]
        if len(state) == 0:
            if grad.is_sparse:
                raise RuntimeError(
                    "Adam does not support sparse gradients, please consider SparseAdam instead"
                )
            state["step"] = _scalar_tensor(
                0.0, _get_scalar_dtype(is_fused=group["fused"])
                if group["capturable"] or group["fused"] else None)
            state["exp_avg"] = _zeros_like(p)
            state["exp_avg_sq"] = _zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = _zeros_like(p)
        return state

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
            beta1 = _scalar(beta1)
            beta2 = _scalar(beta2)
            lr = _scalar(group["lr"])
            weight_decay = group["weight_decay"]
            eps = group["eps"]
            maximize = group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            amsgrad = group["amsgrad"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self._init_group(group, p, grad)
                _check_capturable(group)
                step_t = state["step"]
                step_t._data += 1
                _bump(step_t)
                step = float(step_t._data)
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2**0.5
                args = (maximize, weight_decay, decoupled, lr, beta1, beta2, eps, step_size,
                        bias_correction2_sqrt)
                if amsgrad:
                    _run(self, _adam_kernel_ams,
                         (p._data, grad._data, state["exp_avg"]._data,
                          state["exp_avg_sq"]._data, state["max_exp_avg_sq"]._data), 2, *args)
                else:
                    _run(self, _adam_kernel_plain,
                         (p._data, grad._data, state["exp_avg"]._data,
                          state["exp_avg_sq"]._data), 2, *args)
                _bump(p, 2 if weight_decay != 0 and decoupled else 1)

        return loss
