"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

Each is a context manager and a decorator, as in PyTorch. The state is one module-level flag
that every op reads on its hot path, so it is kept as a plain list cell.
"""

from __future__ import annotations

import functools

# _state[0]: grad mode on; _state[1]: inference mode on
_state = [True, False]


def is_grad_enabled() -> bool:
    """True when operations record the graph for autograd."""
    return _state[0]


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return _state[1]


class _DecoratorContextManager:
    """Base for grad-mode context managers that also decorate functions and generators."""

    def __call__(self, func):
        if isinstance(func, type) or not callable(func):
            raise TypeError(f"{type(self).__name__} can only decorate functions, got {func!r}")
        import inspect

        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                gen = func(*args, **kwargs)
                try:
                    with self.clone():
                        response = gen.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with self.clone():
                                gen.close()
                            raise
                        except BaseException as e:
                            with self.clone():
                                response = gen.throw(e)
                        else:
                            with self.clone():
                                response = gen.send(request)
                except StopIteration as e:
                    return e.value

            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return type(self)()


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """Allows ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecoratorContextManager):
    """Context manager and decorator that disables gradient recording.

    >>> with ember.no_grad():
    ...     y = x * 2          # y.requires_grad is False
    """

    def __init__(self) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = _state[0]
        _state[0] = False

    def __exit__(self, *exc) -> None:
        _state[0] = self.prev


class enable_grad(_NoParamDecoratorContextManager):
    """Context manager and decorator that enables gradient recording (e.g. inside no_grad)."""

    def __enter__(self) -> None:
        self.prev = _state[0]
        _state[0] = True

    def __exit__(self, *exc) -> None:
        _state[0] = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode on or off; works as a function call, a context manager and a decorator."""

    def __init__(self, mode: bool) -> None:
        self.prev = _state[0]
        self.mode = bool(mode)
        _state[0] = self.mode

    def __call__(self, func):
        _state[0] = self.prev
        return super().__call__(func)

    def __enter__(self) -> None:
        _state[0] = self.mode

    def __exit__(self, *exc) -> None:
        _state[0] = self.prev

    def clone(self):
        return type(self)(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad``; tensors made inside are inference tensors (``is_inference()``)."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        self.prev = (_state[0], _state[1])
        if self.mode:
            _state[0] = False
            _state[1] = True

    def __exit__(self, *exc) -> None:
        _state[0], _state[1] = self.prev

    def clone(self):
        return type(self)(self.mode)
