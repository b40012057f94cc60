"""Helpers of ``DataLoader`` (as ``torch.utils.data._utils``): collation, fetching, workers."""

import atexit

MP_STATUS_CHECK_INTERVAL = 5.0
"""Seconds between checks that the other side of a worker queue is still alive."""

python_exit_status = False
"""Set when the interpreter starts shutting down (workers are then left to die quietly)."""


def _set_python_exit_flag() -> None:
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)

from . import collate, fetch, worker  # noqa: E402
