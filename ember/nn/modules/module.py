"""``ember.nn.Module``: the base class of every network (``torch.nn.modules.module``)."""

from __future__ import annotations

from ..parameter import Parameter

__all__ = ["Module"]


class Module:
    """Base class for all neural network modules."""

    training: bool
    _version: int = 1

    def __init__(self, *args, **kwargs) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", {})

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def __getattr__(self, name):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            if key in d and name in d[key]:
                return d[key][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            params[name] = value
        elif params is not None and name in params:
            params[name] = value
        elif isinstance(value, Module):
            self.__dict__["_modules"][name] = value
        else:
            object.__setattr__(self, name, value)

    def register_parameter(self, name, param):
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        self._buffers[name] = tensor

    def add_module(self, name, module):
        self._modules[name] = module

    register_module = add_module

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        seen = set()
        for mname, m in self.named_modules(prefix=prefix) if recurse else [(prefix, self)]:
            for k, v in m._parameters.items():
                if v is None or id(v) in seen:
                    continue
                seen.add(id(v))
                yield (mname + "." if mname else "") + k, v

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        if memo is None:
            memo = set()
        if self not in memo:
            memo.add(self)
            yield prefix, self
            for name, m in self._modules.items():
                if m is None:
                    continue
                yield from m.named_modules(memo, prefix + ("." if prefix else "") + name)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def children(self):
        yield from self._modules.values()

    def train(self, mode=True):
        self.training = mode
        for m in self.children():
            m.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def __repr__(self):
        return type(self).__name__ + "()"

    __hash__ = object.__hash__
