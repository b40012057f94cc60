"""Anomaly detection: record each node's forward traceback and fail on NaN gradients."""

from __future__ import annotations

import warnings

from . import function as _fn


class detect_anomaly:
    """Context manager: while active, a backward that produces NaN raises a RuntimeError naming
    the node, and warns with the traceback of the forward op that created it."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = tuple(_fn._anomaly)
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.", UserWarning, stacklevel=2,
        )

    def __enter__(self) -> None:
        _fn._anomaly[0] = True
        _fn._anomaly[1] = self.check_nan

    def __exit__(self, *exc) -> None:
        _fn._anomaly[0], _fn._anomaly[1] = self.prev


class set_detect_anomaly:
    """Turn anomaly detection on or off (a function call or a context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = tuple(_fn._anomaly)
        _fn._anomaly[0] = bool(mode)
        _fn._anomaly[1] = check_nan

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _fn._anomaly[0], _fn._anomaly[1] = self.prev


def is_anomaly_enabled() -> bool:
    return _fn._anomaly[0]


def is_anomaly_check_nan_enabled() -> bool:
    return _fn._anomaly[1]
