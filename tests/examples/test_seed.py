"""The seed tutorial's programs print, under ``ember run``, exactly what PyTorch prints, and
what the tutorial shows."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "examples" / "seed_module_vs_sequential.py"
SEED_DOC = REPO.parent / "shared" / "seed"


def _run(*cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_seed_programs_print_what_pytorch_prints():
    ember_out = _run(sys.executable, "-m", "ember", "run", str(SCRIPT))
    torch_out = _run(sys.executable, str(SCRIPT))
    assert ember_out == torch_out


def test_seed_programs_print_the_tutorials_outputs():
    docs = sorted(SEED_DOC.glob("*.txt")) if SEED_DOC.is_dir() else []
    ember_out = _run(sys.executable, "-m", "ember", "run", str(SCRIPT))
    if docs:
        text = docs[0].read_text()
        blocks = re.findall(r"Output:\n```\n(.*?)```", text, re.S)
        assert len(blocks) == 2
    else:  # the tutorial ships beside the repository; without it, check against PyTorch only
        blocks = []
    position = 0
    for block in blocks:
        found = ember_out.find(block, position)
        assert found >= 0, f"tutorial output not printed:\n{block}"
        position = found + len(block)
