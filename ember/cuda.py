"""``ember.cuda``: what PyTorch built without CUDA offers (Ember computes on the CPU only).

Seeding calls are accepted and do nothing, as in PyTorch without a GPU; calls that need a
device raise PyTorch's ``AssertionError: Torch not compiled with CUDA enabled``.
"""

from __future__ import annotations

__all__ = [
    "is_available", "device_count", "manual_seed", "manual_seed_all", "seed", "seed_all",
    "initial_seed", "synchronize", "empty_cache", "current_device", "get_rng_state",
    "set_rng_state", "is_initialized",
]


def _not_compiled():
    raise AssertionError("Torch not compiled with CUDA enabled")


def is_available() -> bool:
    """False: Ember has no CUDA devices."""
    return False


def device_count() -> int:
    """0: no CUDA devices."""
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed) -> None:
    """Accepted and ignored (no CUDA generators), as in PyTorch without CUDA."""
    int(seed)


def manual_seed_all(seed) -> None:
    """Accepted and ignored (no CUDA generators), as in PyTorch without CUDA."""
    int(seed)


def seed() -> None:
    """Accepted and ignored, as in PyTorch without CUDA."""


def seed_all() -> None:
    """Accepted and ignored, as in PyTorch without CUDA."""


def empty_cache() -> None:
    """Nothing to free: accepted, as in PyTorch without CUDA."""


def initial_seed() -> int:
    _not_compiled()


def synchronize(device=None) -> None:
    _not_compiled()


def current_device() -> int:
    _not_compiled()


def get_rng_state(device="cuda"):
    _not_compiled()


def set_rng_state(new_state, device="cuda") -> None:
    _not_compiled()
