"""``ember.optim.SGD``: stochastic gradient descent, optionally with momentum
(``torch.optim.sgd``)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _bump,
    _check_differentiable,
    _closure_loss,
    _prep_grad,
    _run,
    _scalar,
    _use_grad_for_differentiable,
)

__all__ = ["SGD"]


def _sgd_kernel(p, g, t0, t1, weight_decay, maximize, lr):
    g = _prep_grad(p, g, t1, weight_decay, maximize)
    np.multiply(g, -lr, out=t0)  # param.add_(grad, alpha=-lr)
    p += t0


def _sgd_momentum_kernel(p, g, buf, t0, t1, weight_decay, maximize, lr, momentum, dampening,
                         nesterov, first):
    g = _prep_grad(p, g, t1, weight_decay, maximize)
    if first:  # buf = grad.detach().clone()
        buf[...] = g
    else:  # buf.mul_(momentum).add_(grad, alpha=1 - dampening)
        buf *= momentum
        if dampening == 0:
            buf += g
        else:
            np.multiply(g, 1 - dampening, out=t0)
            buf += t0
    if nesterov:  # grad = grad.add(buf, alpha=momentum)
        np.multiply(buf, momentum, out=t0)
        t0 += g
        g = t0
    else:
        g = buf
    np.multiply(g, -lr, out=t0)  # param.add_(grad, alpha=-lr)
    p += t0


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    Args:
        params (iterable): parameters, named parameters or parameter groups (dicts).
        lr (float, Tensor, optional): learning rate (default: 1e-3).
        momentum (float, optional): momentum factor (default: 0).
        dampening (float, optional): dampening for momentum (default: 0).
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0).
        nesterov (bool, optional): enables Nesterov momentum (default: False).
        maximize (bool, optional): maximize the objective instead of minimizing it.
        foreach, fused (bool, optional): accepted for compatibility; Ember runs PyTorch's
            single-tensor algorithm.
        differentiable (bool, optional): not supported (must be False).

    >>> opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")

        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

        if fused:
            self._step_supports_amp_scaling = True
            self._need_device_dtype_check_for_fused = True
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        _check_differentiable(differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step.

        Args:
            closure (Callable, optional): A closure that reevaluates the model
                and returns the loss.
        """
        loss = _closure_loss(closure)

        state = self.state
        for group in self.param_groups:
            weight_decay = _scalar(group["weight_decay"])
            momentum = group["momentum"]
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            lr = _scalar(group["lr"])
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                if momentum == 0:
                    _run(self, _sgd_kernel, (p._data, grad._data), 2, weight_decay, maximize, lr)
                else:
                    pstate = state[p]
                    buf = pstate.get("momentum_buffer")
                    first = buf is None
                    if first:
                        buf = pstate["momentum_buffer"] = Tensor._make(np.empty_like(grad._data))
                    _run(self, _sgd_momentum_kernel, (p._data, grad._data, buf._data), 2,
                         weight_decay, maximize, lr, momentum, dampening, nesterov, first)
                _bump(p)

        return loss
