"""Grad modes against PyTorch: context managers, decorators, nesting, generators (mirrors
``ember/autograd/grad_mode.py``)."""

import pytest
import torch

import ember

LIBS = (ember, torch)


def _rg(lib):
    return (lib.ones(2, requires_grad=True) * 2).requires_grad


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_context_managers(lib):
    assert lib.is_grad_enabled() and _rg(lib)
    with lib.no_grad():
        assert not lib.is_grad_enabled() and not _rg(lib)
        with lib.enable_grad():
            assert lib.is_grad_enabled() and _rg(lib)
        assert not lib.is_grad_enabled()
    assert lib.is_grad_enabled()
    with lib.set_grad_enabled(False):
        assert not _rg(lib)
    assert _rg(lib)
    with lib.inference_mode():
        assert not _rg(lib) and lib.is_inference_mode_enabled()
    assert not lib.is_inference_mode_enabled()
    with lib.inference_mode(False):
        assert _rg(lib)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_set_grad_enabled_as_function(lib):
    lib.set_grad_enabled(False)
    try:
        assert not lib.is_grad_enabled() and not _rg(lib)
    finally:
        lib.set_grad_enabled(True)
    assert lib.is_grad_enabled()


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_decorators(lib):
    @lib.no_grad()
    def f():
        return _rg(lib)

    @lib.no_grad
    def g(x):
        """doc"""
        return (x * 2).requires_grad

    @lib.enable_grad()
    def h():
        return _rg(lib)

    @lib.set_grad_enabled(False)
    def k():
        return _rg(lib)

    @lib.inference_mode()
    def m():
        return _rg(lib)

    @lib.inference_mode
    def m2():
        return _rg(lib)

    assert f() is False and g(lib.ones(1, requires_grad=True)) is False
    assert g.__name__ == "g" and g.__doc__ == "doc"
    with lib.no_grad():
        assert h() is True
    assert k() is False and lib.is_grad_enabled()
    assert m() is False and m2() is False
    assert lib.is_grad_enabled()


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_generator_decorator(lib):
    @lib.no_grad()
    def gen():
        for _ in range(2):
            yield lib.is_grad_enabled()

    assert list(gen()) == [False, False]
    it = gen()
    assert next(it) is False
    assert lib.is_grad_enabled()  # restored between yields
    assert next(it) is False


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_restored_after_exception(lib):
    with pytest.raises(ValueError):
        with lib.no_grad():
            raise ValueError
    assert lib.is_grad_enabled()

    @lib.no_grad()
    def boom():
        raise KeyError

    with pytest.raises(KeyError):
        boom()
    assert lib.is_grad_enabled()


def test_no_grad_blocks_backward_through_results():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            y = x * 2
        z = y * x  # only x carries history
        z.backward(lib.ones(2))
        assert x.grad.tolist() == [2.0, 2.0]
