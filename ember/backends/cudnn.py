"""``ember.backends.cudnn``: cuDNN's flags, settable and readable as in PyTorch without CUDA.

Programs set ``deterministic = True`` and ``benchmark = False`` for reproducibility; Ember
computes deterministically on the CPU either way, so the flags are only stored.
"""

from __future__ import annotations

enabled = True
deterministic = False
benchmark = False
benchmark_limit = 10
allow_tf32 = True


def is_available() -> bool:
    """False: no cuDNN (no CUDA) here."""
    return False


def version():
    """None: no cuDNN library."""
    return None


def is_acceptable(tensor) -> bool:
    return False
