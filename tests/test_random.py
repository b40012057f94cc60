"""``ember.random``, ``ember.cuda`` and ``ember.backends``: the seeding surface of PyTorch."""

import numpy as np
import pytest
import torch

import ember


def test_manual_seed_and_initial_seed():
    for seed in (0, 7, 2**40 + 3, -5, "12", 3.9, True):
        assert ember.manual_seed(seed) is ember.default_generator
        torch.manual_seed(seed)
        assert ember.initial_seed() == torch.initial_seed()
        assert np.array_equal(ember.get_rng_state().numpy(), torch.get_rng_state().numpy())
    assert ember.random.initial_seed() == ember.initial_seed()
    assert ember.random.default_generator is ember.default_generator


def test_seed():
    s = ember.seed()
    assert ember.initial_seed() == s
    assert ember.random.seed() != s


def test_fork_rng_restores_state():
    ember.manual_seed(1)
    before = ember.get_rng_state().numpy()
    with ember.random.fork_rng():
        ember.randn(10)
    assert np.array_equal(ember.get_rng_state().numpy(), before)
    with ember.random.fork_rng(enabled=False):
        ember.randn(10)
    assert not np.array_equal(ember.get_rng_state().numpy(), before)


def test_rng_state_through_module():
    ember.manual_seed(5)
    st = ember.random.get_rng_state()
    a = ember.rand(4)
    ember.random.set_rng_state(st)
    assert ember.rand(4).tolist() == a.tolist()


def test_cuda_without_gpu():
    assert ember.cuda.is_available() is torch.cuda.is_available() is False
    assert ember.cuda.device_count() == torch.cuda.device_count() == 0
    for lib in (ember, torch):
        assert lib.cuda.manual_seed(42) is None
        assert lib.cuda.manual_seed_all(42) is None
        assert lib.cuda.seed() is None
        assert lib.cuda.seed_all() is None
        assert lib.cuda.empty_cache() is None
    for name in ("synchronize", "initial_seed", "current_device"):
        with pytest.raises(AssertionError) as t_info:
            getattr(torch.cuda, name)()
        with pytest.raises(AssertionError) as e_info:
            getattr(ember.cuda, name)()
        assert str(e_info.value) == str(t_info.value)


def test_backends_cudnn_flags():
    cudnn = ember.backends.cudnn
    for name in ("enabled", "deterministic", "benchmark", "allow_tf32"):
        assert getattr(cudnn, name) == getattr(torch.backends.cudnn, name), name
    assert cudnn.is_available() == torch.backends.cudnn.is_available()
    cudnn.deterministic, cudnn.benchmark = True, False
    assert ember.backends.cudnn.deterministic is True
    cudnn.deterministic = False


def test_deterministic_algorithms():
    assert ember.are_deterministic_algorithms_enabled() is False
    ember.use_deterministic_algorithms(True)
    try:
        assert ember.are_deterministic_algorithms_enabled() is True
        assert ember.get_deterministic_debug_mode() == 2
        ember.use_deterministic_algorithms(True, warn_only=True)
        assert ember.is_deterministic_algorithms_warn_only_enabled() is True
        assert ember.get_deterministic_debug_mode() == 1
    finally:
        ember.use_deterministic_algorithms(False)
    assert ember.get_deterministic_debug_mode() == 0
    with pytest.raises(TypeError) as t_info:
        torch.use_deterministic_algorithms("x")
    with pytest.raises(TypeError) as e_info:
        ember.use_deterministic_algorithms("x")
    assert str(e_info.value) == str(t_info.value)
