"""Time Ember against PyTorch, case by case, and print the ratios.

Usage::

    python benchmarks/run.py                  # every case
    python benchmarks/run.py --filter import  # the cases whose name matches a regex
    python benchmarks/run.py --list           # the names only

Cases live in ``benchmarks/cases_*.py`` files (see ``harness.py`` for how to write one). Each case
times Ember and PyTorch alternately in this process and reports the median of each; the ratio is
Ember's time over PyTorch's, so below 1 means Ember is faster. The table is Markdown, ready for
the README's "Performance vs PyTorch" section. Results are not committed: they depend on the
machine.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import re
import sys
import traceback
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


def _versions() -> str:
    """One line naming what is being compared, on what."""
    parts = [f"Python {platform.python_version()}", platform.machine() or "unknown machine"]
    for name in ("ember", "torch", "numpy"):
        try:
            module = importlib.import_module(name)
            parts.append(f"{name} {getattr(module, '__version__', '?')}")
        except Exception as error:  # a broken import should not stop the other cases
            parts.append(f"{name}: {type(error).__name__}")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Run the selected cases and print the table; return 1 if any case failed."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Time Ember against PyTorch, side by side in one process.",
    )
    parser.add_argument(
        "--filter", "-k", metavar="REGEX", help="run only the cases whose name matches REGEX"
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--repeat", type=int, help="timed samples per side (default: the case's)")
    parser.add_argument("--warmup", type=int, help="untimed calls per side (default: the case's)")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.warmup is not None and args.warmup < 0:
        parser.error("--warmup must not be negative")
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

    print(_versions())
    print()
    header = ("case", "ember", "torch", "ratio ember/torch")
    width = max(len(header[0]), *(len(c.name) for c in cases))
    print(f"| {header[0]:<{width}} | {header[1]:>10} | {header[2]:>10} | {header[3]:>17} |")
    print(f"|{'-' * (width + 2)}|{'-' * 11}:|{'-' * 11}:|{'-' * 18}:|")
    failed = 0
    for bench in cases:
        try:
            ember_s, torch_s = harness.measure(bench, args.repeat, args.warmup)
        except Exception:
            failed += 1
            print(f"benchmark {bench.name!r} failed:", file=sys.stderr)
            traceback.print_exc()
            row = (bench.name, "error", "error", "-")
        else:
            ratio = ember_s / torch_s if torch_s > 0 else float("inf")
            row = (
                bench.name,
                harness.format_seconds(ember_s),
                harness.format_seconds(torch_s),
                f"{ratio:.2f}",
            )
        print(f"| {row[0]:<{width}} | {row[1]:>10} | {row[2]:>10} | {row[3]:>17} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
