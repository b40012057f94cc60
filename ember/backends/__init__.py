"""``ember.backends``: PyTorch's backend switches, accepted on a CPU-only build."""

from __future__ import annotations

from . import cudnn

__all__ = ["cudnn"]
