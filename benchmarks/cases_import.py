"""Start-up cost: ``python -c "import ember"`` against ``python -c "import torch"``.

Each sample is a whole fresh interpreter, so the times include Python's own start-up (run
``python -c pass`` for that baseline); the first run of each, untimed, warms the file cache. The
memory columns show each child's peak resident set.
"""

from harness import case, python_command


@case("import (fresh python process)", repeat=7, warmup=1, number=1)
def import_time():
    return python_command("-c", "import ember"), python_command("-c", "import torch")
