"""Time Ember against PyTorch, case by case, and print the ratios.

Usage::

    python benchmarks/run.py                  # every case
    python benchmarks/run.py --filter import  # the cases whose name matches a regex
    python benchmarks/run.py --list           # the names only
    python benchmarks/run.py --no-memory      # times only (no extra call per side for memory)
    python benchmarks/run.py --markdown t.md  # also write the table to t.md

Cases live in ``benchmarks/cases_*.py`` files (see ``harness.py`` for how to write one). Each case
times Ember and PyTorch alternately in this process and reports the median of each; the ratio is
Ember's time over PyTorch's, so below 1 means Ember is faster. Beside the times it shows each
side's peak memory (see ``harness.measure_memory``) and, for cases that carry one of issue 7's
targets, whether the ratio meets it. The table is Markdown, ready for the README's "Performance
vs PyTorch" section, under a line naming the machine. Results are not committed: they depend on the
machine.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for entry in (str(HERE), str(REPO)):  # `from harness import case`, and this checkout's Ember
    if entry not in sys.path:
        sys.path.insert(0, entry)

import harness  # noqa: E402 - needs the path set above


def load_cases() -> list[harness.Case]:
    """Import every ``cases_*.py`` file next to this one, in name order; return the cases."""
    for path in sorted(HERE.glob("cases_*.py")):
        importlib.import_module(path.stem)
    return list(harness.CASES)


def _cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _versions() -> str:
    """One line naming the machine and what is being compared on it."""
    cores = os.cpu_count() or "?"
    parts = [
        f"{_cpu_model()}, {cores} cores, {platform.system()} {platform.machine()}",
        f"Python {platform.python_version()}",
    ]
    for name, label in (("numpy", "NumPy"), ("torch", "torch"), ("ember", "Ember")):
        try:
            module = importlib.import_module(name)
            parts.append(f"{label} {getattr(module, '__version__', '?')}")
        except Exception as error:  # a broken import should not stop the other cases
            parts.append(f"{label}: {type(error).__name__}")
    return ", ".join(parts)


THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def set_threads(n: int) -> None:
    """Cap the BLAS/OpenMP thread pools of NumPy and PyTorch (and of child processes) at ``n``.

    The variables are read when the libraries load, so this must run before the cases import
    NumPy or PyTorch; PyTorch's intra-op pool is also set directly once it is imported.
    """
    for name in THREAD_VARIABLES:
        os.environ[name] = str(n)
    import torch

    torch.set_num_threads(n)


COLUMNS = (
    ("case", "<"),
    ("ember", ">"),
    ("torch", ">"),
    ("ratio", ">"),
    ("target", ">"),
    ("ember peak", ">"),
    ("torch peak", ">"),
    ("peak ratio", ">"),
    ("peak target", ">"),
)
"""The table's columns and their alignment; ratios are Ember's over PyTorch's."""

WIDTHS = (None, 9, 9, 6, 14, 10, 10, 10, 14)
"""Fixed widths of every column but the first (the longest case name's)."""


def mark(ratio: float | None, target: float | None) -> str:
    """The target cell: ``'<= 1.00 met'``, ``'<= 1.00 missed'``, or ``''`` without a target."""
    if target is None:
        return ""
    if ratio is None:
        return f"<= {target:.2f} ?"
    return f"<= {target:.2f} {'met' if ratio <= target else 'missed'}"


def row_cells(bench: harness.Case, result: harness.Result | None) -> list[str]:
    """The table cells of one case; ``result`` is ``None`` when the case failed."""
    if result is None:
        return [bench.name, "error", "error", "-", mark(None, bench.target), "-", "-", "-",
                mark(None, bench.memory_target)]
    memory_ratio = result.memory_ratio
    torch_peak = harness.format_bytes(result.torch_peak)
    if result.memory == "tracemalloc" and result.torch_peak is None:
        torch_peak = "n/a"
    return [
        bench.name,
        harness.format_seconds(result.ember_s),
        harness.format_seconds(result.torch_s),
        f"{result.ratio:.2f}",
        mark(result.ratio, bench.target),
        harness.format_bytes(result.ember_peak),
        torch_peak,
        "-" if memory_ratio is None else f"{memory_ratio:.2f}",
        mark(memory_ratio, bench.memory_target) if result.ember_peak is not None else
        mark(None, bench.memory_target),
    ]


def format_row(cells: Sequence[str], widths: Sequence[int]) -> str:
    """One Markdown table line with the cells padded to ``widths``."""
    padded = (
        f"{cell:{align}{width}}" for cell, (_, align), width in zip(cells, COLUMNS, widths)
    )
    return "| " + " | ".join(padded) + " |"


def header_lines(widths: Sequence[int]) -> list[str]:
    """The table's header and its Markdown separator (right-aligned number columns)."""
    rule = "|" + "|".join(
        "-" * (width + 2) if align == "<" else "-" * (width + 1) + ":"
        for (_, align), width in zip(COLUMNS, widths)
    ) + "|"
    return [format_row([name for name, _ in COLUMNS], widths), rule]


NOTES = (
    "Times are medians; ratio = Ember / PyTorch (below 1: Ember is faster). Peaks: for an "
    "in-process case, how far ONE call raised the process's resident set (its high-water mark) "
    "above where it started; for a whole-process case, the child process's maximum resident set "
    "(median over the timed runs). Targets are issue 7's."
)


def main(argv: list[str] | None = None) -> int:
    """Run the selected cases and print the table; return 1 if any case failed."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Time Ember against PyTorch, side by side in one process, with peak memory.",
    )
    parser.add_argument(
        "--filter", "-k", metavar="REGEX", help="run only the cases whose name matches REGEX"
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--repeat", type=int, help="timed samples per side (default: the case's)")
    parser.add_argument("--warmup", type=int, help="untimed calls per side (default: the case's)")
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="skip the extra call per side that measures an in-process case's peak memory",
    )
    parser.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="let NumPy's BLAS and PyTorch use N threads each (default: their own choice); "
        "1 gives steadier ratios on a loaded machine",
    )
    parser.add_argument(
        "--markdown",
        metavar="PATH",
        help="also write the machine line, the table and its notes to PATH (for the README)",
    )
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.warmup is not None and args.warmup < 0:
        parser.error("--warmup must not be negative")
    if args.threads is not None:
        if args.threads < 1:
            parser.error("--threads must be at least 1")
        if "numpy" in sys.modules or "torch" in sys.modules:
            parser.error("--threads must be set before NumPy and PyTorch are imported")
        set_threads(args.threads)
    try:
        pattern = re.compile(args.filter) if args.filter else None
    except re.error as error:
        parser.error(f"--filter: bad regular expression {args.filter!r}: {error}")

    cases = [c for c in load_cases() if pattern is None or pattern.search(c.name)]
    if args.list:
        for bench in cases:
            print(bench.name)
        return 0
    if not cases:
        print(f"no benchmark case matches {args.filter!r}; see --list", file=sys.stderr)
        return 1

    machine = _versions()
    if args.threads is not None:
        machine += f", {args.threads} thread{'s' if args.threads > 1 else ''} (--threads)"
    lines = [machine, ""]
    widths = [max(len(COLUMNS[0][0]), *(len(c.name) for c in cases)), *WIDTHS[1:]]
    lines += header_lines(widths)
    for line in lines:
        print(line, flush=True)
    failed = 0
    for bench in cases:
        try:
            result = harness.run_case(bench, args.repeat, args.warmup, memory=not args.no_memory)
        except Exception:
            failed += 1
            print(f"benchmark {bench.name!r} failed:", file=sys.stderr)
            traceback.print_exc()
            result = None
        lines.append(format_row(row_cells(bench, result), widths))
        print(lines[-1], flush=True)
    lines += ["", NOTES]
    print()
    print(NOTES)
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
