"""``ember.optim.optimizer``: the ``Optimizer`` base class (``torch.optim.optimizer``).

Ported from PyTorch 2.13: parameter groups with per-group options, ``state`` keyed by parameter,
``state_dict`` / ``load_state_dict`` in PyTorch's layout (state keyed by integer indices), step
hooks, ``zero_grad`` and PyTorch's errors. The concrete optimizers update ``p._data`` in place
with NumPy, in PyTorch's single-tensor ("for-loop") order of operations and in the parameter's
dtype, so their parameters follow PyTorch's to float32 round-off.
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode as _grad_mode
from ..nn.modules.module import RemovableHandle, _typename

__all__ = [
    "Optimizer",
    "register_optimizer_step_pre_hook",
    "register_optimizer_step_post_hook",
]

StateDict = dict[str, Any]

_global_optimizer_pre_hooks: dict[int, Callable] = OrderedDict()
_global_optimizer_post_hooks: dict[int, Callable] = OrderedDict()


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _use_grad_for_differentiable(func):
    """Run ``step`` with grad mode set to the optimizer's ``differentiable`` default (off)."""

    def _use_grad(self, *args, **kwargs):
        state = _grad_mode._state
        prev = state[0]
        state[0] = bool(self.defaults["differentiable"])
        try:
            return func(self, *args, **kwargs)
        finally:
            state[0] = prev

    functools.update_wrapper(_use_grad, func)
    return _use_grad


def _get_value(x):
    """A Python number from a 0-d tensor (or the number itself)."""
    return x.item() if isinstance(x, Tensor) else x


def _to_scalar(x):
    """A 1-element hyperparameter tensor squeezed to 0-d; anything else unchanged."""
    if isinstance(x, Tensor) and x.dim() != 0:
        return x.squeeze()
    return x


def _scalar(x) -> float:
    """A hyperparameter as a Python float (a tensor hyperparameter read with ``item``)."""
    return x.item() if isinstance(x, Tensor) else x


def _get_scalar_dtype(is_fused=None):
    """The dtype of the ``step`` counters: float64 under a float64 default dtype, else float32."""
    if is_fused:
        return _dtype.float32
    return _dtype.float64 if _dtype.get_default_dtype() == _dtype.float64 else _dtype.float32


def _scalar_tensor(value, dtype=None) -> Tensor:
    """A 0-d tensor (the ``step``, ``mu_product``... entries of an optimizer's state)."""
    dtype = _get_scalar_dtype() if dtype is None else dtype
    return Tensor._make(np.array(value, dtype=dtype.np))


def _zeros_like(p: Tensor) -> Tensor:
    """``torch.zeros_like(p, memory_format=torch.preserve_format)``."""
    return Tensor._make(np.zeros_like(p._data))


def _check_capturable(group) -> None:
    # capturable needs an accelerator; on the CPU PyTorch's single-tensor loops assert
    if group.get("capturable", False):
        raise AssertionError(
            "If capturable=True, params and state_steps must be on supported devices: "
            "['cuda', 'xpu', 'hpu', 'privateuseone', 'xla']."
        )


def _check_differentiable(differentiable) -> None:
    if differentiable:
        raise NotImplementedError(
            "differentiable=True is not supported by Ember's optimizers: their steps update the "
            "parameters in place outside autograd"
        )


def _closure_loss(closure):
    """The loss from an optimizer step's ``closure`` (run with grad enabled), or None."""
    if closure is None:
        return None
    from ..autograd import enable_grad

    with enable_grad():
        return closure()


def _bump(t: Tensor, n: int = 1) -> None:
    """Count ``n`` in-place updates on ``t`` (its version counter, as PyTorch's ``_version``)."""
    t._vc[0] += n


# Elementwise update kernels run over large tensors in blocks of this many elements, so that
# the kernel's successive NumPy passes find their operands in cache.
_BLOCK = 65536


class _Scratch:
    """Reusable work arrays per (shape, dtype), so a step allocates nothing for its
    temporaries (fresh large arrays cost page faults on every step)."""

    __slots__ = ("_bufs",)

    def __init__(self) -> None:
        self._bufs: dict = {}

    def get(self, shape, dtype, n: int) -> list[np.ndarray]:
        key = (shape, dtype)
        bufs = self._bufs.get(key)
        if bufs is None or len(bufs) < n:
            bufs = [np.empty(shape, dtype) for _ in range(n)]
            self._bufs[key] = bufs
        return bufs


def _run(opt, kernel, arrays, nscratch: int, *args) -> None:
    """Call ``kernel(*arrays, *scratch, *args)``: an elementwise update of same-shaped arrays
    (parameter, gradient, state) using ``nscratch`` work arrays. Large C-contiguous operands are
    processed in blocks of ``_BLOCK`` elements (elementwise math gives the same result)."""
    scratch = opt.__dict__.get("_scratch")
    if scratch is None:
        scratch = opt.__dict__["_scratch"] = _Scratch()
    first = arrays[0]
    n = first.size
    if n <= 2 * _BLOCK or not all(a.flags.c_contiguous for a in arrays):
        kernel(*arrays, *scratch.get(first.shape, first.dtype, nscratch), *args)
        return
    flats = [a.reshape(-1) for a in arrays]
    work = scratch.get((_BLOCK,), first.dtype, nscratch)
    for i in range(0, n, _BLOCK):
        j = min(i + _BLOCK, n)
        if j - i == _BLOCK:
            kernel(*[f[i:j] for f in flats], *work, *args)
        else:
            kernel(*[f[i:j] for f in flats], *[w[: j - i] for w in work], *args)


def _prep_grad(p, g, tg, weight_decay, maximize):
    """The gradient after ``maximize`` (``-grad``) and L2 weight decay
    (``grad.add(param, alpha=weight_decay)``); the work array ``tg`` holds it when it is not the
    original gradient."""
    if weight_decay != 0:
        np.multiply(p, weight_decay, out=tg)
        if maximize:  # -grad + weight_decay * param
            tg -= g
        else:
            tg += g
        return tg
    if maximize:
        np.negative(g, out=tg)
        return tg
    return g


def _adam_moments(p, g, exp_avg, exp_avg_sq, t0, t1, maximize, weight_decay, decoupled, lr,
                  beta1, beta2):
    """The first steps Adam, AdamW, NAdam and RAdam share, in PyTorch's order: decoupled weight
    decay (``param.mul_(1 - lr * weight_decay)``) or L2 decay and ``maximize`` on the gradient,
    ``exp_avg.lerp_(grad, 1 - beta1)``, ``exp_avg_sq.mul_(beta2).addcmul_(grad, grad,
    value=1 - beta2)``. Returns the gradient used (``t1`` when it is not the original); ``t0`` is
    scratch."""
    if weight_decay != 0 and decoupled:
        p *= 1 - lr * weight_decay
        weight_decay = 0
    g = _prep_grad(p, g, t1, weight_decay, maximize)
    _lerp_(exp_avg, g, 1 - beta1, t0)
    exp_avg_sq *= beta2
    np.multiply(g, 1 - beta2, out=t0)
    t0 *= g
    exp_avg_sq += t0
    return g


def _lerp_(a: np.ndarray, end: np.ndarray, weight: float, tmp: np.ndarray) -> None:
    """``a.lerp_(end, weight)`` with PyTorch's formula (which end it starts from depends on
    whether the float32/float64 weight is below one half)."""
    w = a.dtype.type(weight)
    np.subtract(end, a, out=tmp)
    if abs(w) < 0.5:
        tmp *= w
        a += tmp
    else:
        tmp *= w - a.dtype.type(1)
        np.add(end, tmp, out=a)


# Common doc strings among optimizers
_params_doc = """params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups. When using named_parameters,
            all parameters in all groups should be named"""


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    r"""Register a pre hook common to all optimizers: ``hook(optimizer, args, kwargs) -> None
    or (new_args, new_kwargs)``.

    Returns:
        a handle whose ``remove()`` unregisters the hook.
    """
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    r"""Register a post hook common to all optimizers: ``hook(optimizer, args, kwargs) -> None``.

    Returns:
        a handle whose ``remove()`` unregisters the hook.
    """
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


class Optimizer:
    r"""Base class for all optimizers (``torch.optim.Optimizer``).

    Args:
        params (iterable): an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts
            (parameter groups with their own options).
        defaults (dict): default values of the optimization options, used when a parameter
            group does not specify them.

    >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
    >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: dict[int, Callable] = OrderedDict()
        self._optimizer_step_post_hooks: dict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_pre_hooks: dict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_post_hooks: dict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: dict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: dict[int, Callable] = OrderedDict()

        self._patch_step_function()

        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be "
                "an iterable of Tensors or dicts, but got " + _typename(params)
            )

        self.state: defaultdict[Tensor, Any] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]

        for param_group in param_groups:
            self.add_param_group(param_group)

        self._warned_capturable_if_run_uncaptured = True

    def __getstate__(self) -> dict[str, Any]:
        return {
            "defaults": self.defaults,
            "state": self.state,
            "param_groups": self.param_groups,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self._patch_step_function()  # To support multiprocessing pickle/unpickle
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        format_string += ")"
        return format_string

    def _accelerator_graph_capture_health_check(self) -> None:
        """No accelerator graphs on the CPU: nothing to check."""

    def _optimizer_step_code(self) -> None:
        """Entry point for profilers (a no-op), called after ``step()``."""

    @staticmethod
    def profile_hook_step(func):
        """Wrap ``step`` so that it runs the global and per-instance step hooks."""

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            self, *_ = args
            for pre_hook in chain(
                _global_optimizer_pre_hooks.values(),
                self._optimizer_step_pre_hooks.values(),
            ):
                result = pre_hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(
                            f"{func} must return None or a tuple of (new_args, new_kwargs), "
                            f"but got {result}."
                        )

            out = func(*args, **kwargs)
            self._optimizer_step_code()

            for post_hook in chain(
                self._optimizer_step_post_hooks.values(),
                _global_optimizer_post_hooks.values(),
            ):
                post_hook(self, args, kwargs)

            return out

        return wrapper

    def _patch_step_function(self) -> None:
        self._zero_grad_profile_name = (
            f"Optimizer.zero_grad#{self.__class__.__name__}.zero_grad"
        )
        hooked = getattr(self.__class__.step, "hooked", None)
        if not hooked:
            self.__class__.step = self.profile_hook_step(self.__class__.step)
            self.__class__.step.hooked = True

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        r"""Register a hook run before ``step``: ``hook(optimizer, args, kwargs) -> None or
        (new_args, new_kwargs)``. Returns a handle with ``remove()``."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        r"""Register a hook run after ``step``: ``hook(optimizer, args, kwargs) -> None``.
        Returns a handle with ``remove()``."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        r"""Register ``hook(optimizer) -> None``, run before ``state_dict``."""
        handle = RemovableHandle(self._optimizer_state_dict_pre_hooks)
        self._optimizer_state_dict_pre_hooks[handle.id] = hook
        if prepend:
            self._optimizer_state_dict_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        r"""Register ``hook(optimizer, state_dict) -> state_dict or None``, run after
        ``state_dict``."""
        handle = RemovableHandle(self._optimizer_state_dict_post_hooks)
        self._optimizer_state_dict_post_hooks[handle.id] = hook
        if prepend:
            self._optimizer_state_dict_post_hooks.move_to_end(handle.id, last=False)
        return handle

    def state_dict(self) -> StateDict:
        r"""The optimizer's state as a dict with two entries, in PyTorch's layout:

        * ``state``: per-parameter state, keyed by the parameter's index (its position over
          all groups, in order);
        * ``param_groups``: the groups' options, each with ``params`` as a list of indices.

        >>> opt.state_dict()["param_groups"][0]["lr"]
        0.1
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)

        # Save order indices instead of Tensors
        param_mappings: dict[int, int] = {}
        start_index = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update(
                {
                    id(p): i
                    for i, p in enumerate(group["params"], start_index)
                    if id(p) not in param_mappings
                }
            )
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        # Remap state to use order indices as keys
        packed_state = {
            (param_mappings[id(k)] if isinstance(k, Tensor) else k): v
            for k, v in self.state.items()
        }

        state_dict = {
            "state": packed_state,
            "param_groups": param_groups,
        }

        for post_hook in self._optimizer_state_dict_post_hooks.values():
            hook_result = post_hook(self, state_dict)
            if hook_result is not None:
                state_dict = hook_result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups,
                                                  key=None):
        # Floating-point state follows the parameter's dtype; ``step`` keeps its own
        # (unless fused or capturable, where it is float32)
        fused = False
        capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                return value.to(dtype=_dtype.float32)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype)
        return value

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        r"""Register ``hook(optimizer, state_dict) -> state_dict or None``, run before
        ``load_state_dict``."""
        handle = RemovableHandle(self._optimizer_load_state_dict_pre_hooks)
        self._optimizer_load_state_dict_pre_hooks[handle.id] = hook
        if prepend:
            self._optimizer_load_state_dict_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        r"""Register ``hook(optimizer) -> None``, run after ``load_state_dict``."""
        handle = RemovableHandle(self._optimizer_load_state_dict_post_hooks)
        self._optimizer_load_state_dict_post_hooks[handle.id] = hook
        if prepend:
            self._optimizer_load_state_dict_post_hooks.move_to_end(handle.id, last=False)
        return handle

    def load_state_dict(self, state_dict: StateDict) -> None:
        r"""Load the optimizer state (a dict returned by :meth:`state_dict`).

        The saved groups are matched with this optimizer's groups by position; each must have
        as many parameters.
        """
        state_dict = state_dict.copy()

        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            hook_result = pre_hook(self, state_dict)
            if hook_result is not None:
                state_dict = hook_result

        groups = self.param_groups

        # Deepcopy, to be consistent with module API
        saved_groups = deepcopy(state_dict["param_groups"])

        if len(groups) != len(saved_groups):
            raise ValueError(
                "loaded state dict has a different number of parameter groups"
            )
        param_lens = (len(g["params"]) for g in groups)
        saved_lens = (len(g["params"]) for g in saved_groups)
        if any(p_len != s_len for p_len, s_len in zip(param_lens, saved_lens)):
            raise ValueError(
                "loaded state dict contains a parameter group "
                "that doesn't match the size of optimizer's group"
            )

        # Update the state
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )

        def _cast(param, value, param_id=None, param_groups=None, key=None):
            r"""Make a deep copy of value, casting all tensors to the dtype of param."""
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, param_groups, key
                )
            elif isinstance(value, dict):
                return {
                    k: _cast(param, v, param_id=param_id, param_groups=param_groups, key=k)
                    for k, v in value.items()
                }
            elif isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
                return type(value)(
                    _cast(param, v, param_id=param_id, param_groups=param_groups)
                    for v in value
                )
            else:
                return value

        # Copy state assigned to params (and cast tensors to appropriate types).
        # State that is not assigned to params is copied as is (needed for backward
        # compatibility).
        state: defaultdict[Tensor, dict[Any, Any]] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(
                    param, v, param_id=k, param_groups=state_dict["param_groups"]
                )
            else:
                state[k] = v

        # Update parameter groups, setting their 'params' value
        def update_group(group: dict[str, Any], new_group: dict[str, Any]) -> dict[str, Any]:
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})

        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    def zero_grad(self, set_to_none: bool = True) -> None:
        r"""Reset the gradients of all optimized tensors.

        Args:
            set_to_none (bool): set the grads to None instead of zeroing them (default: True).
        """
        if not hasattr(self, "_zero_grad_profile_name"):
            self._patch_step_function()
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is not None:
                    if set_to_none:
                        p._grad = None
                    else:
                        if g._grad_fn is not None:
                            g.detach_()
                        else:
                            g.requires_grad_(False)
                        g._data[...] = 0
                        g._vc[0] += 1

    def step(self, closure=None):
        r"""Perform a single optimization step to update parameter.

        Args:
            closure (Callable): A closure that reevaluates the model and
                returns the loss. Optional for most optimizers.
        """
        raise NotImplementedError

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        r"""Add a param group to the :class:`Optimizer` s ``param_groups``.

        Useful when fine tuning a pre-trained network: frozen layers can be made trainable and
        added to the optimizer as training progresses.

        Args:
            param_group (dict): the tensors to optimize (``"params"``) with group-specific
                optimization options.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")

        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but "
                "the ordering of tensors in sets will change between runs. Please use a list "
                "instead."
            )
        else:
            param_group["params"] = list(params)

        extracted_param_tensors = []
        extracted_param_names = []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                param_name = param[0]
                extracted_param_names.append(param_name)
                extracted_param_tensors.append(param[1])
            else:
                extracted_param_tensors.append(param)

        param_group["params"] = extracted_param_tensors
        if len(extracted_param_names) != 0:
            if len(extracted_param_names) == len(extracted_param_tensors):
                param_group["param_names"] = extracted_param_names
            else:
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, "
                    "but one of the params is " + _typename(param)
                )
            if not self.defaults.get("differentiable", None) and not (
                param.is_leaf or param.retains_grad
            ):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            else:
                param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; "
                "in future, this will cause an error; "
                "see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )

        param_set: set[Tensor] = set()
        for group in self.param_groups:
            param_set.update(set(group["params"]))
            if ("param_names" in param_group) != ("param_names" in group):
                current_group_txt = (
                    "with names" if "param_names" in param_group else "without names"
                )
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {current_group_txt} to the optimizer"
                )

        if not param_set.isdisjoint(set(param_group["params"])):
            raise ValueError("some parameters appear in more than one parameter group")

        self.param_groups.append(param_group)
