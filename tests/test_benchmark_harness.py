"""The benchmark harness (``benchmarks/harness.py``, ``benchmarks/run.py``), not the timings.

Tests never assert on time: these check registration, the table's shape and ``--filter``.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def harness(monkeypatch):
    """``benchmarks/harness.py`` with an empty, private case registry."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import harness

    monkeypatch.setattr(harness, "CASES", [])
    return harness


def test_case_registers_and_measure_times_both_sides(harness):
    calls = {"ember": 0, "torch": 0}

    def ember_fn():
        calls["ember"] += 1

    def torch_fn():
        calls["torch"] += 1

    @harness.case("counting", repeat=3, warmup=2, number=4)
    def counting():
        return ember_fn, torch_fn

    assert [c.name for c in harness.CASES] == ["counting"]
    ember_s, torch_s = harness.measure(harness.CASES[0])
    assert ember_s >= 0 and torch_s >= 0
    assert calls == {"ember": 2 + 3 * 4, "torch": 2 + 3 * 4}


def test_calibrated_number(harness):
    @harness.case("auto", repeat=2, warmup=0, min_sample_s=0.001)
    def auto():
        return (lambda: None), (lambda: sum(range(100)))

    ember_s, torch_s = harness.measure(harness.CASES[0])
    assert ember_s >= 0 and torch_s >= 0


def test_duplicate_and_bad_cases_are_refused(harness):
    harness.case("once")(lambda: (print, print))
    with pytest.raises(ValueError, match="already registered"):
        harness.case("once")(lambda: (print, print))
    with pytest.raises(ValueError, match="repeat >= 1"):
        harness.case("bad", repeat=0)


def test_format_seconds(harness):
    assert harness.format_seconds(1.5) == "1.50 s"
    assert harness.format_seconds(0.0123) == "12.3 ms"
    assert harness.format_seconds(123e-6) == "123 us"
    assert harness.format_seconds(5e-9) == "5.00 ns"


def _run(*args):
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_run_lists_the_import_case():
    result = _run("--list")
    assert result.returncode == 0, result.stderr
    assert "import (fresh python process)" in result.stdout.splitlines()


def test_run_filter_without_match_fails_clearly():
    result = _run("--filter", "no case is called this")
    assert result.returncode == 1
    assert "no benchmark case matches" in result.stderr


# --- targets, peak memory, whole processes, the table ---------------------------------------


def test_targets_are_recorded_and_checked(harness):
    harness.case("aimed", target=1.0, memory_target=0.25)(lambda: (print, print))
    assert (harness.CASES[0].target, harness.CASES[0].memory_target) == (1.0, 0.25)
    assert harness.CASES[0].target is not None
    harness.case("free")(lambda: (print, print))
    assert harness.CASES[1].target is None and harness.CASES[1].memory_target is None
    with pytest.raises(ValueError, match="target must be a positive ratio"):
        harness.case("bad target", target=0)
    with pytest.raises(ValueError, match="memory_target must be a positive ratio"):
        harness.case("bad memory target", memory_target=-1.0)


def test_measure_memory_sees_one_calls_allocation(harness):
    import numpy as np

    size = 40 * 2**20

    def allocate():
        return np.ones(size // 8)  # touched, so resident

    assert harness.memory_method() in ("rss growth", "tracemalloc")
    for _ in range(2):  # the second call may reuse the first one's freed pages: still counted
        peak = harness.measure_memory(allocate)
        assert isinstance(peak, int)
        assert 0.9 * size <= peak < 4 * size
    assert harness.measure_memory(lambda: None) < size / 4


def test_run_case_reports_both_peaks(harness):
    import numpy as np

    @harness.case("arrays", repeat=2, warmup=1, number=1)
    def arrays():
        return (lambda: np.ones(2**22)), (lambda: np.zeros(2**21) + 1)

    result = harness.run_case(harness.CASES[0])
    assert isinstance(result, harness.Result)
    assert result.ember_s >= 0 and result.torch_s >= 0 and result.ratio >= 0
    assert result.memory in ("rss growth", "tracemalloc")
    assert result.ember_peak >= 0.9 * 2**25
    if result.memory == "rss growth":
        assert result.torch_peak >= 0.9 * 2**24
        assert result.memory_ratio == result.ember_peak / result.torch_peak
    no_memory = harness.run_case(harness.CASES[0], repeat=1, warmup=0, memory=False)
    assert no_memory.ember_peak is None and no_memory.torch_peak is None
    assert no_memory.memory_ratio is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="child peaks need fork and wait4")
def test_command_reports_the_childs_own_peak(harness):
    import numpy as np

    # this process grows well past what a bare interpreter needs: a child started from it must
    # not be charged for it (Linux counts a vfork()ed child's pre-exec address space)
    ballast = np.ones(200 * 2**20 // 8)
    small = harness.Command([sys.executable, "-c", "pass"])
    big = harness.Command(
        [sys.executable, "-c", "import numpy as np; a = np.ones(100 * 2**20 // 8)"]
    )
    small()
    big()
    small()
    assert len(small.times) == 2 and len(small.peaks) == 2 and len(big.peaks) == 1
    assert all(t > 0 for t in small.times)
    assert max(small.peaks) < 100 * 2**20 <= big.peaks[0] < 190 * 2**20
    del ballast


def test_command_failure_raises_with_the_childs_stderr(harness):
    failing = harness.Command([sys.executable, "-c", "import sys; sys.exit('broken on purpose')"])
    with pytest.raises(subprocess.CalledProcessError) as info:
        failing()
    assert info.value.returncode == 1
    assert "broken on purpose" in info.value.stderr


def test_process_case_uses_the_childrens_times_and_peaks(harness):
    @harness.case("processes", repeat=2, warmup=1, number=1, memory_target=10.0)
    def processes():
        return harness.python_command("-c", "pass"), harness.python_command("-c", "pass")

    result = harness.run_case(harness.CASES[0], memory=False)
    assert result.ember_s > 0 and result.torch_s > 0
    if hasattr(os, "fork"):
        assert result.memory == "process max rss"
        assert result.ember_peak > 0 and result.torch_peak > 0


def test_format_bytes(harness):
    assert harness.format_bytes(None) == "-"
    assert harness.format_bytes(512) == "512 B"
    assert harness.format_bytes(1536) == "1.50 KiB"
    assert harness.format_bytes(123456789) == "118 MiB"
    assert harness.format_bytes(3 * 2**30) == "3.00 GiB"


@pytest.fixture
def runner(harness, monkeypatch):
    """``benchmarks/run.py`` as a module (it shares ``harness``'s private registry)."""
    import run

    return run


def test_target_marks(runner):
    assert runner.mark(0.5, 1.0) == "<= 1.00 met"
    assert runner.mark(1.0, 1.0) == "<= 1.00 met"
    assert runner.mark(1.01, 1.0) == "<= 1.00 missed"
    assert runner.mark(0.2, None) == ""
    assert runner.mark(None, 0.1) == "<= 0.10 ?"


def test_table_rows(runner, harness):
    harness.case("aimed", target=1.0, memory_target=0.25)(lambda: (print, print))
    harness.case("plain")(lambda: (print, print))
    aimed, plain = harness.CASES
    widths = [12, *runner.WIDTHS[1:]]
    header, rule = runner.header_lines(widths)
    assert header.split("|")[1:-1] == [
        f" {name:{align}{width}} " for (name, align), width in zip(runner.COLUMNS, widths)
    ]
    assert [name for name, _ in runner.COLUMNS] == [
        "case", "ember", "torch", "ratio", "target",
        "ember peak", "torch peak", "peak ratio", "peak target",
    ]
    assert rule.startswith("|" + "-" * 14 + "|") and rule.endswith(":|")
    result = harness.Result(0.002, 0.004, 3 * 2**20, 12 * 2**20, "rss growth")
    cells = runner.row_cells(aimed, result)
    assert cells == ["aimed", "2.00 ms", "4.00 ms", "0.50", "<= 1.00 met", "3.00 MiB",
                     "12.0 MiB", "0.25", "<= 0.25 met"]
    line = runner.format_row(cells, widths)
    assert len(line) == len(header) and line.startswith("| aimed ")
    slow = harness.Result(0.02, 0.004)
    assert runner.row_cells(aimed, slow)[3:] == ["5.00", "<= 1.00 missed", "-", "-", "-",
                                                 "<= 0.25 ?"]
    assert runner.row_cells(plain, slow)[4] == runner.row_cells(plain, slow)[8] == ""
    errored = runner.row_cells(aimed, None)
    assert errored[1:4] == ["error", "error", "-"]


def test_run_prints_machine_line_and_table_and_writes_markdown(tmp_path):
    out = tmp_path / "table.md"
    result = _run("-k", "^Sequential of 20 Identity", "--repeat", "1", "--warmup", "0",
                  "--markdown", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    machine = lines[0]
    for part in ("cores", "Python ", "NumPy ", "torch ", "Ember "):
        assert part in machine
    assert lines[1] == ""
    assert lines[2].startswith("| case ") and "peak ratio" in lines[2]
    assert lines[3].startswith("|---")
    row = lines[4].split("|")[1:-1]
    assert row[0].strip() == "Sequential of 20 Identity: call"
    assert len(row) == 9 and float(row[3]) > 0
    assert row[5].strip().endswith("B") and row[6].strip().endswith("B")
    assert out.read_text().splitlines()[:5] == lines[:5]


def test_run_no_memory_leaves_in_process_peaks_out():
    result = _run("-k", "^Sequential of 20 Identity", "--repeat", "1", "--warmup", "0",
                  "--no-memory")
    assert result.returncode == 0, result.stderr
    row = result.stdout.splitlines()[4].split("|")[1:-1]
    assert [cell.strip() for cell in row[5:8]] == ["-", "-", "-"]


def test_run_lists_the_workload_and_whole_process_cases():
    names = _run("--list").stdout.splitlines()
    for prefix in ("seed programs, whole process", "train_digits demo, whole process",
                   "ResNet-style step", "attention block", "chain of 150", "MLP step",
                   "CNN step", "conv2d forward"):
        assert any(name.startswith(prefix) for name in names), prefix


def test_workload_cases_agree_with_torch_and_run(monkeypatch):
    """The setups check that both sides compute the same forward; one call of each side runs."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import cases_workloads

    for setup in (cases_workloads.resnet_step, cases_workloads.attention_block):
        ember_fn, torch_fn = setup()
        ember_fn()
        torch_fn()


def test_run_threads_caps_the_pools_and_says_so():
    result = _run("-k", "^Sequential of 20 Identity", "--repeat", "1", "--warmup", "0",
                  "--no-memory", "--threads", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith(", 1 thread (--threads)")
    bad = _run("--threads", "0", "--list")
    assert bad.returncode == 2 and "--threads must be at least 1" in bad.stderr
