"""The benchmark harness: register cases, time Ember against PyTorch, print the table.

A case is a function in a ``benchmarks/cases_*.py`` file, decorated with :func:`case`, that does
its setup and returns a pair of zero-argument callables ``(ember_fn, torch_fn)`` doing the same
work. The runner calls the two alternately in one process, after warmup, and reports the median
time of each and their ratio::

    # benchmarks/cases_nn.py
    from harness import case

    @case("conv2d forward 8x3x32x32", number=10)
    def conv2d():
        import ember, torch
        x_e, x_t = ember.randn(8, 3, 32, 32), torch.randn(8, 3, 32, 32)
        conv_e, conv_t = ember.nn.Conv2d(3, 16, 3), torch.nn.Conv2d(3, 16, 3)
        return (lambda: conv_e(x_e)), (lambda: conv_t(x_t))

Setup in the case function is not timed. Keep inputs identical on both sides (build one from the
other with ``.numpy()`` / ``from_numpy`` where sizes matter) so that the ratio compares like with
like.

``target=`` puts issue 7's goal for the ratio Ember/PyTorch on a case (the table marks it met or
missed); ``memory_target=`` does the same for the ratio of peak memory.

Peak memory: for an in-process case, :func:`measure_memory` calls each side once more and reports
how far that one call raised the process's resident set above where it started (Linux: the
kernel's high-water mark ``VmHWM``, reset through ``/proc/self/clear_refs``; elsewhere NumPy's
allocations as ``tracemalloc`` sees them, for Ember only). A whole-process case returns two
:class:`Command` objects instead of callables: each run is a child process, and its peak is the
child's own maximum resident set (``ru_maxrss`` from ``os.wait4``), median over the timed runs.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "case",
    "Case",
    "CASES",
    "Command",
    "python_command",
    "Result",
    "measure",
    "measure_memory",
    "run_case",
    "format_seconds",
    "format_bytes",
    "memory_method",
    "scratch_dir",
]

Timed = Callable[[], object]

_SCRATCH: dict[str, str] = {}


def scratch_dir(tag: str) -> str:
    """A temporary directory for cases that write files, one per ``tag``, removed at exit."""
    if tag not in _SCRATCH:
        import atexit
        import shutil
        import tempfile

        _SCRATCH[tag] = tempfile.mkdtemp(prefix=f"ember-bench-{tag}-")
        atexit.register(shutil.rmtree, _SCRATCH[tag], ignore_errors=True)
    return _SCRATCH[tag]


@dataclass
class Case:
    """A registered benchmark.

    Args:
        name: the label in the table; ``--filter`` matches against it.
        setup: returns ``(ember_fn, torch_fn)``; called once, untimed.
        repeat: timed samples per side; the table shows their median.
        warmup: untimed calls per side before the samples.
        number: calls per sample (the sample's time is divided by it); ``None`` picks a number
            that makes one sample last at least ``min_sample_s``.
        min_sample_s: the least duration of one sample when ``number`` is ``None``.
        target: the ratio Ember/PyTorch of the times that Ember should reach (at most), if any.
        memory_target: the same for the ratio of peak memory.
    """

    name: str
    setup: Callable[[], tuple[Timed, Timed]]
    repeat: int = 7
    warmup: int = 1
    number: int | None = None
    min_sample_s: float = 0.02
    target: float | None = None
    memory_target: float | None = None


CASES: list[Case] = []
"""Every registered case, in registration order (file by file, alphabetically)."""


def case(
    name: str,
    *,
    repeat: int = 7,
    warmup: int = 1,
    number: int | None = None,
    min_sample_s: float = 0.02,
    target: float | None = None,
    memory_target: float | None = None,
):
    """Register the decorated setup function as the benchmark ``name``.

    The function takes no arguments and returns ``(ember_fn, torch_fn)``: two callables, or two
    :class:`Command` objects for a whole-process case. ``target`` and ``memory_target`` are the
    ratios Ember/PyTorch (time, peak memory) that the table marks as met or missed.

    >>> @case("add 1000")
    ... def add():
    ...     import ember, torch
    ...     a, b = ember.ones(1000), torch.ones(1000)
    ...     return (lambda: a + a), (lambda: b + b)
    """
    if any(existing.name == name for existing in CASES):
        raise ValueError(f"a benchmark case named {name!r} is already registered")
    if repeat < 1 or warmup < 0 or (number is not None and number < 1):
        raise ValueError(f"case {name!r}: need repeat >= 1, warmup >= 0 and number >= 1")
    for label, value in (("target", target), ("memory_target", memory_target)):
        if value is not None and not value > 0:
            raise ValueError(f"case {name!r}: {label} must be a positive ratio, got {value!r}")

    def register(setup):
        CASES.append(
            Case(name, setup, repeat, warmup, number, min_sample_s, target, memory_target)
        )
        return setup

    return register


def _sample(fn: Timed, number: int) -> float:
    """Seconds per call of ``fn``, over ``number`` calls, with the garbage collector off."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - start) / number
    finally:
        if gc_was_enabled:
            gc.enable()


def _calibrate(fn: Timed, min_sample_s: float) -> int:
    """The smallest number of calls in 1, 2, 5, 10, 20, ... whose run lasts ``min_sample_s``."""
    number = 1
    while True:
        for factor in (1, 2, 5):
            calls = number * factor
            if _sample(fn, calls) * calls >= min_sample_s:
                return calls
        number *= 10


_LAUNCHER = """\
import os, sys, time
argv = sys.argv[1:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, time.perf_counter() - start)
"""
"""Runs ``argv`` as its child and prints the child's exit code, ``ru_maxrss`` and wall time.

Why not ``os.wait4`` on our own child: ``subprocess`` starts children with ``vfork`` (and a plain
``fork`` copies the parent's memory map), and Linux counts the address space a process had
before ``exec`` into its ``ru_maxrss``: every child of this process, which holds PyTorch and
Ember, would seem to need at least this process's resident set. The launcher is a small
interpreter, so its child starts from a few MiB, less than any Python program uses.
"""


class Command:
    """A whole-process side of a case: each call runs ``argv`` as a child process and waits.

    The child's output is discarded (its standard error is kept for the message if it fails).
    Each run's wall time and peak resident set (bytes, the child's own ``ru_maxrss``) are
    appended to ``times`` and ``peaks``; the runner reports their medians over the timed runs.
    Where there is no ``fork`` (Windows) only the time is measured, from here.

    >>> Command([sys.executable, "-c", "pass"])()
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: str | os.PathLike | None = None,
    ) -> None:
        self.argv = [str(a) for a in argv]
        self.env = env
        self.cwd = cwd
        self.times: list[float] = []
        self.peaks: list[int] = []

    def __call__(self) -> None:
        import tempfile

        launched = hasattr(os, "fork") and hasattr(os, "wait4")
        argv = [sys.executable, "-I", "-S", "-c", _LAUNCHER, *self.argv] if launched else self.argv
        with tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = subprocess.run(
                argv,
                env=self.env,
                cwd=self.cwd,
                stdout=subprocess.PIPE if launched else subprocess.DEVNULL,
                stderr=err,
            )
            elapsed = time.perf_counter() - start
            code = proc.returncode
            if launched and code == 0:
                code_text, maxrss, elapsed_text = proc.stdout.split()
                code, elapsed = int(code_text), float(elapsed_text)
                # Linux reports kilobytes, macOS bytes
                scale = 1 if sys.platform == "darwin" else 1024
            if code != 0:
                err.seek(0)
                message = err.read().decode(errors="replace").strip()
                raise subprocess.CalledProcessError(code, self.argv, stderr=message)
        self.times.append(elapsed)
        if launched:
            self.peaks.append(int(maxrss) * scale)

    def __repr__(self) -> str:
        return f"Command({self.argv!r})"


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The checkout these benchmarks belong to (its Ember is the one benchmarked)."""


def python_command(*args: str | os.PathLike) -> Command:
    """A :class:`Command` running ``python args...`` (this interpreter) in the checkout's root.

    The child imports this checkout's Ember (the root leads ``PYTHONPATH``) and may write and use
    cached bytecode, as an installed package does: some environments set
    ``PYTHONDONTWRITEBYTECODE``, which would make every start recompile.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [REPO, env.get("PYTHONPATH")]))
    return Command([sys.executable, *args], env=env, cwd=REPO)


@dataclass
class Result:
    """What :func:`run_case` found for one case.

    ``ember_peak``/``torch_peak`` are bytes, or ``None`` where not measured; ``memory`` says how
    (``"rss growth"``, ``"process max rss"``, ``"tracemalloc"`` or ``""``).
    """

    ember_s: float
    torch_s: float
    ember_peak: int | None = None
    torch_peak: int | None = None
    memory: str = ""

    @property
    def ratio(self) -> float:
        """Ember's time over PyTorch's."""
        return self.ember_s / self.torch_s if self.torch_s > 0 else float("inf")

    @property
    def memory_ratio(self) -> float | None:
        """Ember's peak over PyTorch's, when both were measured and PyTorch's is not zero."""
        if self.ember_peak is None or self.torch_peak is None or self.torch_peak <= 0:
            return None
        return self.ember_peak / self.torch_peak


def _time_pair(
    bench: Case, ember_fn: Timed, torch_fn: Timed, repeat: int | None, warmup: int | None
) -> tuple[float, float]:
    """Median seconds per call of the two sides, sampled alternately."""
    repeat = bench.repeat if repeat is None else repeat
    warmup = bench.warmup if warmup is None else warmup
    for _ in range(warmup):
        ember_fn()
        torch_fn()
    commands = isinstance(ember_fn, Command) and isinstance(torch_fn, Command)
    if commands:  # report the timed runs, not the warmup's
        for fn in (ember_fn, torch_fn):
            fn.times.clear()
            fn.peaks.clear()
    if bench.number is None:
        number_e = _calibrate(ember_fn, bench.min_sample_s)
        number_t = _calibrate(torch_fn, bench.min_sample_s)
    else:
        number_e = number_t = bench.number
    ember_times, torch_times = [], []
    for _ in range(repeat):
        ember_times.append(_sample(ember_fn, number_e))
        torch_times.append(_sample(torch_fn, number_t))
    if commands:  # the children's own wall times, without this process's cost of starting them
        ember_times, torch_times = ember_fn.times, torch_fn.times
    return statistics.median(ember_times), statistics.median(torch_times)


def measure(
    bench: Case, repeat: int | None = None, warmup: int | None = None
) -> tuple[float, float]:
    """Median seconds per call of ``(ember_fn, torch_fn)``, timed alternately in this process.

    Alternating (ember, torch, ember, torch, ...) spreads drifts in machine load over both sides
    instead of loading all of it on one. :func:`run_case` does the same and measures memory too.
    """
    ember_fn, torch_fn = bench.setup()
    return _time_pair(bench, ember_fn, torch_fn, repeat, warmup)


def run_case(
    bench: Case, repeat: int | None = None, warmup: int | None = None, memory: bool = True
) -> Result:
    """Time ``bench`` as :func:`measure` does, then (with ``memory``) measure each side's peak.

    A whole-process case's peaks come with its timed runs at no extra cost, so they are reported
    even without ``memory``; an in-process case costs one more call per side.
    """
    ember_fn, torch_fn = bench.setup()
    ember_s, torch_s = _time_pair(bench, ember_fn, torch_fn, repeat, warmup)
    result = Result(ember_s, torch_s)
    if isinstance(ember_fn, Command) and isinstance(torch_fn, Command):
        if ember_fn.peaks and torch_fn.peaks:
            result.ember_peak = int(statistics.median(ember_fn.peaks))
            result.torch_peak = int(statistics.median(torch_fn.peaks))
            result.memory = "process max rss"
    elif memory:
        result.memory = memory_method()
        result.ember_peak = measure_memory(ember_fn)
        if result.memory != "tracemalloc":  # tracemalloc does not see PyTorch's allocations
            result.torch_peak = measure_memory(torch_fn)
    return result


_MEMORY_METHOD: str | None = None


def _status_bytes(field: str) -> int:
    """``VmRSS``/``VmHWM`` of this process, in bytes, from ``/proc/self/status``."""
    with open("/proc/self/status", "rb") as f:
        for line in f:
            if line.startswith(field.encode() + b":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"no {field} in /proc/self/status")


def _reset_high_water_mark() -> None:
    """Make ``VmHWM`` equal to the current ``VmRSS`` (Linux: ``clear_refs`` value 5)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def memory_method() -> str:
    """How :func:`measure_memory` measures here: ``"rss growth"`` or ``"tracemalloc"``."""
    global _MEMORY_METHOD
    if _MEMORY_METHOD is None:
        try:
            _reset_high_water_mark()
            _status_bytes("VmHWM")
            _status_bytes("VmRSS")
            _MEMORY_METHOD = "rss growth"
        except OSError:
            _MEMORY_METHOD = "tracemalloc"
    return _MEMORY_METHOD


def _release_free_memory() -> None:
    """Collect garbage and hand the C heap's free pages back to the system (glibc).

    Without the trim, a call that reuses pages freed by the call before it (the other side's,
    say: both share this process's heap) would not raise the resident set at all.
    """
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def measure_memory(fn: Timed) -> int | None:
    """Bytes by which ONE call of ``fn`` raises this process's peak memory above its start.

    On Linux this is the growth of the resident set's high-water mark (everything: NumPy,
    PyTorch's allocator, Python objects); elsewhere it is the peak of ``tracemalloc``, which sees
    NumPy's and Python's allocations (so it suits the Ember side only). What ``fn`` returns is
    kept alive until the peak has been read, then dropped.
    """
    _release_free_memory()
    if memory_method() == "rss growth":
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            _reset_high_water_mark()
            start = _status_bytes("VmRSS")
            out = fn()
            peak = _status_bytes("VmHWM")
        finally:
            if gc_was_enabled:
                gc.enable()
        del out
        return max(peak - start, 0)
    import tracemalloc

    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        out = fn()
        peak = tracemalloc.get_traced_memory()[1]
        del out
        return max(peak - start, 0)
    finally:
        if not was_tracing:
            tracemalloc.stop()


def format_seconds(seconds: float) -> str:
    """``0.0123`` -> ``'12.3 ms'``: three significant digits in the nearest unit."""
    units = (("s", 1.0), ("ms", 1e-3), ("us", 1e-6))
    unit, scale = next(((u, s) for u, s in units if seconds >= s), ("ns", 1e-9))
    value = seconds / scale
    decimals = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{decimals}f} {unit}"


def format_bytes(n: int | None) -> str:
    """``123456789`` -> ``'118 MiB'``: three significant digits, binary units; ``None`` -> ``-``."""
    if n is None:
        return "-"
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            value = n / scale
            decimals = 0 if value >= 100 else 1 if value >= 10 else 2
            return f"{value:.{decimals}f} {unit}"
    return f"{n} B"
