"""Start-up cost: ``python -c "import ember"`` against ``python -c "import torch"``.

Each sample is a whole fresh interpreter, so the times include Python's own start-up (run
``python -c pass`` for that baseline); the first run of each, untimed, warms the file cache.
"""

import os
import subprocess
import sys
from pathlib import Path

from harness import case

REPO = Path(__file__).resolve().parents[1]


def _python(code: str):
    """A callable that runs ``python -c code`` in a fresh process with this checkout's Ember."""
    env = dict(os.environ)
    # Time what a user gets: an installed package has its bytecode cached. Some environments
    # (this workplace's included) set PYTHONDONTWRITEBYTECODE, which makes every start recompile.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    command = [sys.executable, "-c", code]

    def run():
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)

    return run


@case("import (fresh python process)", repeat=7, warmup=1, number=1)
def import_time():
    return _python("import ember"), _python("import torch")
