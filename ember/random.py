"""``ember.random``: the default generator and its seed and state, as ``torch.random``."""

from __future__ import annotations

import contextlib
import warnings

from ._generator import Generator, default_generator

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
    "set_rng_state", "fork_rng",
]


def manual_seed(seed) -> Generator:
    """Seed the default generator (and, like PyTorch, the CUDA ones: none here); returns it.

    >>> ember.manual_seed(42)
    <torch._C.Generator object at 0x...>
    """
    seed = int(seed)
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's seed (all 64 bits)."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state: a 5056-byte uint8 tensor, PyTorch's layout."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator's state (from Ember's or PyTorch's ``get_rng_state``)."""
    default_generator.set_state(new_state)


_fork_rng_warned_already = False


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Run a block and then restore the CPU generator's state (no CUDA devices here).

    >>> with ember.random.fork_rng():
    ...     _ = ember.rand(3)  # the default generator is restored after the block
    """
    if device_type == "meta":
        yield
        return
    if not enabled:
        yield
        return
    if devices is not None and len(list(devices)) > 0 and device_type == "cuda":
        warnings.warn("CUDA is not available: fork_rng forks only the CPU generator",
                      stacklevel=3)
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
