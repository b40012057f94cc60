"""``torch.utils``: data loading (``ember.utils.data``).

``ember.utils.data`` is imported on first use (``ember.utils.data.DataLoader`` or ``import
ember.utils.data``), so that ``import ember`` stays quick.
"""

import importlib as _importlib

__all__ = ["data"]


def __getattr__(name):
    if name in __all__:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
