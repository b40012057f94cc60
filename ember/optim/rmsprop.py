"""``ember.optim.RMSprop`` (``torch.optim.rmsprop``)."""

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

__all__ = ["RMSprop"]


def _rmsprop_kernel(p, g, square_avg, grad_avg, buf, t0, t1, t2, maximize, weight_decay, lr,
                    alpha, eps, momentum):
    g = _prep_grad(p, g, t1, weight_decay, maximize)
    # square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    square_avg *= alpha
    np.multiply(g, 1 - alpha, out=t0)
    t0 *= g
    square_avg += t0
    if grad_avg is not None:
        _lerp_(grad_avg, g, 1 - alpha, t0)
        # avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        np.negative(grad_avg, out=t0)
        t0 *= grad_avg
        t0 += square_avg
        np.sqrt(t0, out=t0)
    else:
        np.sqrt(square_avg, out=t0)
    t0 += eps
    if buf is not None:
        # buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)
        buf *= momentum
        np.divide(g, t0, out=t2)
        buf += t2
        np.multiply(buf, -lr, out=t2)
        p += t2
    else:
        # param.addcdiv_(grad, avg, value=-lr)
        np.multiply(g, -lr, out=t2)
        t2 /= t0
        p += t2


def _kernel_plain(p, g, square_avg, t0, t1, t2, *args):
    _rmsprop_kernel(p, g, square_avg, None, None, t0, t1, t2, *args)


def _kernel_centered(p, g, square_avg, grad_avg, t0, t1, t2, *args):
    _rmsprop_kernel(p, g, square_avg, grad_avg, None, t0, t1, t2, *args)


def _kernel_momentum(p, g, square_avg, buf, t0, t1, t2, *args):
    _rmsprop_kernel(p, g, square_avg, None, buf, t0, t1, t2, *args)


def _kernel_centered_momentum(p, g, square_avg, grad_avg, buf, t0, t1, t2, *args):
    _rmsprop_kernel(p, g, square_avg, grad_avg, buf, t0, t1, t2, *args)


class RMSprop(Optimizer):
    r"""The RMSprop algorithm, as ``torch.optim.RMSprop``.

    Args:
        params (iterable): parameters, named parameters or parameter groups (dicts).
        lr (float, Tensor, optional): learning rate (default: 1e-2).
        alpha (float, optional): smoothing constant (default: 0.99).
        eps (float, optional): term added to the denominator (default: 1e-8).
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0).
        momentum (float, optional): momentum factor (default: 0).
        centered (bool, optional): normalize the gradient by an estimate of its variance.
        maximize (bool, optional): maximize the objective instead of minimizing it.

    >>> opt = ember.optim.RMSprop(model.parameters(), lr=0.01)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")

        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)
        _check_differentiable(differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
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
            alpha = group["alpha"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            momentum = group["momentum"]
            centered = group["centered"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar_tensor(0.0)
                    state["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        state["grad_avg"] = _zeros_like(p)
                _check_capturable(group)
                step_t = state["step"]
                step_t._data += 1
                _bump(step_t)
                arrays = [p._data, grad._data, state["square_avg"]._data]
                if centered:
                    arrays.append(state["grad_avg"]._data)
                if momentum > 0:
                    arrays.append(state["momentum_buffer"]._data)
                kernel = ((_kernel_centered_momentum if momentum > 0 else _kernel_centered)
                          if centered else (_kernel_momentum if momentum > 0 else _kernel_plain))
                _run(self, kernel, arrays, 3, maximize, weight_decay, lr, alpha, eps, momentum)
                _bump(p)

        return loss
