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
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["case", "Case", "CASES", "measure", "format_seconds"]

Timed = Callable[[], object]


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
    """

    name: str
    setup: Callable[[], tuple[Timed, Timed]]
    repeat: int = 7
    warmup: int = 1
    number: int | None = None
    min_sample_s: float = 0.02


CASES: list[Case] = []
"""Every registered case, in registration order (file by file, alphabetically)."""


def case(
    name: str,
    *,
    repeat: int = 7,
    warmup: int = 1,
    number: int | None = None,
    min_sample_s: float = 0.02,
):
    """Register the decorated setup function as the benchmark ``name``.

    The function takes no arguments and returns ``(ember_fn, torch_fn)``.

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

    def register(setup):
        CASES.append(Case(name, setup, repeat, warmup, number, min_sample_s))
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


def measure(
    bench: Case, repeat: int | None = None, warmup: int | None = None
) -> tuple[float, float]:
    """Median seconds per call of ``(ember_fn, torch_fn)``, timed alternately in this process.

    Alternating (ember, torch, ember, torch, ...) spreads drifts in machine load over both sides
    instead of loading all of it on one.
    """
    ember_fn, torch_fn = bench.setup()
    repeat = bench.repeat if repeat is None else repeat
    warmup = bench.warmup if warmup is None else warmup
    for _ in range(warmup):
        ember_fn()
        torch_fn()
    if bench.number is None:
        number_e = _calibrate(ember_fn, bench.min_sample_s)
        number_t = _calibrate(torch_fn, bench.min_sample_s)
    else:
        number_e = number_t = bench.number
    ember_times, torch_times = [], []
    for _ in range(repeat):
        ember_times.append(_sample(ember_fn, number_e))
        torch_times.append(_sample(torch_fn, number_t))
    return statistics.median(ember_times), statistics.median(torch_times)


def format_seconds(seconds: float) -> str:
    """``0.0123`` -> ``'12.3 ms'``: three significant digits in the nearest unit."""
    units = (("s", 1.0), ("ms", 1e-3), ("us", 1e-6))
    unit, scale = next(((u, s) for u, s in units if seconds >= s), ("ns", 1e-9))
    value = seconds / scale
    decimals = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{decimals}f} {unit}"
