"""``ember.optim.Adagrad`` (``torch.optim.adagrad``)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _bump,
    _check_differentiable,
    _closure_loss,
    _get_scalar_dtype,
    _prep_grad,
    _run,
    _scalar,
    _scalar_tensor,
    _use_grad_for_differentiable,
)

__all__ = ["Adagrad"]


def _adagrad_kernel(p, g, state_sum, t0, t1, maximize, weight_decay, eps, clr):
    g = _prep_grad(p, g, t1, weight_decay, maximize)
    # state_sum.addcmul_(grad, grad, value=1); std = state_sum.sqrt().add_(eps)
    np.multiply(g, g, out=t0)
    state_sum += t0
    np.sqrt(state_sum, out=t0)
    t0 += eps
    # param.addcdiv_(grad, std, value=-clr)
    np.multiply(g, -clr, out=t1)
    t1 /= t0
    p += t1


def _full_like(p, value) -> Tensor:
    return Tensor._make(np.full_like(p._data, value))


class Adagrad(Optimizer):
    r"""The Adagrad algorithm, as ``torch.optim.Adagrad``. Its state (``step`` and ``sum``) is
    created for every parameter when the optimizer is built.

    Args:
        params (iterable): parameters, named parameters or parameter groups (dicts).
        lr (float, Tensor, optional): learning rate (default: 1e-2).
        lr_decay (float, optional): learning rate decay (default: 0).
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0).
        initial_accumulator_value (float, optional): initial value of the sum of squares.
        eps (float, optional): term added to the denominator (default: 1e-10).
        maximize (bool, optional): maximize the objective instead of minimizing it.

    >>> opt = ember.optim.Adagrad(model.parameters(), lr=0.01)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False,
                 fused=None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")

        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
            self._need_device_dtype_check_for_fused = True
            self._step_supports_amp_scaling = True
        _check_differentiable(differentiable)

        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _scalar_tensor(
                    0.0, _get_scalar_dtype(is_fused=group["fused"]) if group["fused"] else None)
                state["sum"] = _full_like(p, initial_accumulator_value)

    def __setstate__(self, state):
        super().__setstate__(state)
        # define "fused" for MYPY
        fused = None
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            fused = group.setdefault("fused", None)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = _scalar_tensor(
                        float(p_state["step"]),
                        _get_scalar_dtype(is_fused=fused) if group["fused"] else None)

        state_values = list(self.state.values())
        step_is_tensor = (len(state_values) != 0) and isinstance(state_values[0]["step"], Tensor)
        if not step_is_tensor:
            for s in state_values:
                s["step"] = _scalar_tensor(float(s["step"]), _get_scalar_dtype(is_fused=fused))

    def share_memory(self) -> None:
        """Move the state to shared memory (a no-op: Ember's state lives in process memory)."""

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
            weight_decay = group["weight_decay"]
            lr_decay = group["lr_decay"]
            eps = group["eps"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar_tensor(
                        0.0,
                        _get_scalar_dtype(is_fused=group["fused"]) if group["fused"] else None)
                    state["sum"] = _full_like(p, self.defaults["initial_accumulator_value"])
                step_t = state["step"]
                step_t._data += 1
                _bump(step_t)
                step = float(step_t._data)
                clr = lr / (1 + (step - 1) * lr_decay)
                _run(self, _adagrad_kernel, (p._data, grad._data, state["sum"]._data), 2,
                     maximize, weight_decay, eps, clr)
                _bump(p)

        return loss
