"""The digits training demo prints, under ``ember run``, exactly what PyTorch prints."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "examples" / "train_digits.py"
DIGITS = REPO / "ember" / "_data" / "digits.csv.gz"


def _run(*cmd):
    proc = subprocess.run(cmd, capture_output=True, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


def test_train_digits_prints_what_pytorch_prints():
    # Ember finds the bundled file itself; PyTorch is given its path (Ember may not be installed)
    ember_out = _run(sys.executable, "-m", "ember", "run", str(SCRIPT))
    torch_out = _run(sys.executable, str(SCRIPT), str(DIGITS))
    assert ember_out == torch_out
    assert b"epoch 10/10 [####################] loss" in ember_out
