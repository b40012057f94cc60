"""The benchmark harness (``benchmarks/harness.py``, ``benchmarks/run.py``), not the timings.

Tests never assert on time: these check registration, the table's shape and ``--filter``.
"""

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
