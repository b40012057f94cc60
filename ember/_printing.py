"""``repr(tensor)`` exactly as PyTorch 2.13 prints it, and PyTorch's print options.

A port of ``torch/_tensor_str.py`` to NumPy arrays, for the real dtypes Ember has. The layout
rules (summarization with ``...``, line wrapping, nested indentation, suffixes) follow PyTorch
line for line; the width analysis is vectorized (see ``_Formatter``) but gives the same widths.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from ember import _dtype

__all__ = ["get_printoptions", "printoptions", "set_printoptions", "tensor_repr"]


class _PrinterOptions:
    """The current print options; one module-level instance, as PyTorch's ``PRINT_OPTS``."""

    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None


PRINT_OPTS = _PrinterOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set options for printing tensors, with PyTorch's semantics.

    Args:
        precision: digits after the decimal point for floating-point output (default 4).
        threshold: total number of elements above which the output is summarized with
            ``...`` (default 1000).
        edgeitems: items shown at the start and end of each dimension when summarizing
            (default 3).
        linewidth: characters per line used to wrap 1-d rows (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"``; sets the four options above, which
            any explicit argument then overrides.
        sci_mode: force scientific notation on (True) or off (False); None (the default)
            lets the formatter choose. Like PyTorch, every call sets this option, so a call
            without it turns a forced mode off.

    >>> set_printoptions(precision=2)
    >>> ember.tensor([1.12345])
    tensor([1.12])
    >>> set_printoptions(profile="default")
    """
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80
        elif profile == "short":
            PRINT_OPTS.precision = 2
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 2
            PRINT_OPTS.linewidth = 80
        elif profile == "full":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = math.inf
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80

    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current print options, as a dict that can be passed back to ``set_printoptions``.

    >>> get_printoptions()
    {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}
    """
    return {name: getattr(PRINT_OPTS, name) for name in _PrinterOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that sets print options for its block and restores them afterwards.

    Takes the same keyword arguments as ``set_printoptions``.

    >>> with printoptions(precision=2):
    ...     print(ember.tensor([1.12345]))
    tensor([1.12])
    """
    old_kwargs = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old_kwargs)


class _Formatter:
    """Chooses the number format (int, fixed or scientific) and column width for a tensor.

    PyTorch formats every value to find the widest; here only the values that can be widest
    are formatted. That is exact because correctly rounded ``'f'`` output grows with ``|v|``
    (so the widest positive is the largest and the widest negative the most negative), and the
    exponent of ``'e'`` output grows with ``|v|`` (so its digit count peaks at an extreme).
    """

    def __init__(self, data: np.ndarray, floating: bool):
        self.floating_dtype = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        flat = data.reshape(-1)
        if not floating:
            if flat.size:
                if flat.dtype == np.bool_:
                    width = 4 if flat.all() else 5  # "True" / "False"
                else:
                    width = max(len(str(int(flat.max()))), len(str(int(flat.min()))))
                self.max_width = max(self.max_width, width)
            return

        # PyTorch does this analysis in float64; every real dtype converts to it exactly.
        vals = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if vals.size == 0:
            return  # no valid number, do nothing

        nonzero_finite_abs = np.abs(vals)
        nonzero_finite_min = float(nonzero_finite_abs.min())
        nonzero_finite_max = float(nonzero_finite_abs.max())

        self.int_mode = bool(np.all(np.ceil(vals) == vals))

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = (
                nonzero_finite_max / nonzero_finite_min > 1000.0
                or nonzero_finite_max > 1.0e8
                or nonzero_finite_min < 1.0e-4
            )
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        pos = vals[vals > 0]
        neg = vals[vals < 0]
        candidates = []
        for part in (pos, neg):
            if part.size:
                candidates.append(float(part.min()))
                candidates.append(float(part.max()))

        precision = PRINT_OPTS.precision
        if self.sci_mode:
            fmt = f"{{:.{precision}e}}"
            extra = 0
        elif self.int_mode:
            # in int_mode for floats, all numbers are integers, and a decimal point is appended
            fmt = "{:.0f}"
            extra = 1
        else:
            fmt = f"{{:.{precision}f}}"
            extra = 0
        for value in candidates:
            self.max_width = max(self.max_width, len(fmt.format(value)) + extra)

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{{:{self.max_width}.{PRINT_OPTS.precision}e}}".format(value)
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{{:.{PRINT_OPTS.precision}f}}".format(value)
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _vector_str(data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    # length includes spaces and comma between elements
    element_length = formatter.width() + 2
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    fmt = formatter.format
    edgeitems = PRINT_OPTS.edgeitems

    if summarize and not edgeitems:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * edgeitems:
        items = (
            [fmt(val) for val in data[:edgeitems].tolist()]
            + [" ..."]
            + [fmt(val) for val in data[-edgeitems:].tolist()]
        )
    else:
        items = [fmt(val) for val in data.tolist()]

    lines = [
        ", ".join(items[i : i + elements_per_line]) for i in range(0, len(items), elements_per_line)
    ]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(
    data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter
) -> str:
    dim = data.ndim
    if dim == 0:
        return formatter.format(data.item())
    if dim == 1:
        return _vector_str(data, indent, summarize, formatter)

    edgeitems = PRINT_OPTS.edgeitems
    n = data.shape[0]
    if summarize and n > 2 * edgeitems:
        slices = (
            [
                _tensor_str_with_formatter(data[i], indent + 1, summarize, formatter)
                for i in range(edgeitems)
            ]
            + ["..."]
            + [
                _tensor_str_with_formatter(data[i], indent + 1, summarize, formatter)
                for i in range(n - edgeitems, n)
            ]
        )
    else:
        slices = [
            _tensor_str_with_formatter(data[i], indent + 1, summarize, formatter) for i in range(n)
        ]

    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized_data(data: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows: PyTorch's ``get_summarized_data``."""
    dim = data.ndim
    edgeitems = PRINT_OPTS.edgeitems
    if dim == 0:
        return data
    if dim == 1:
        if data.shape[0] > 2 * edgeitems:
            # NOTE: with edgeitems == 0, data[-0:] is the whole array, as in PyTorch.
            return np.concatenate((data[:edgeitems], data[-edgeitems:]))
        return data
    if not edgeitems:
        return data[(slice(0, 0),) * dim]
    # Keep the first and last edgeitems along every long dimension (PyTorch stacks the
    # summarized rows recursively, which selects the same elements).
    for axis, n in enumerate(data.shape):
        if n > 2 * edgeitems:
            keep = np.concatenate((np.arange(edgeitems), np.arange(n - edgeitems, n)))
            data = np.take(data, keep, axis=axis)
    return data


def _tensor_str(data: np.ndarray, indent: int, floating: bool) -> str:
    if data.size == 0:
        return "[]"
    summarize = data.size > PRINT_OPTS.threshold
    formatter = _Formatter(_summarized_data(data) if summarize else data, floating)
    return _tensor_str_with_formatter(data, indent, summarize, formatter)


def _add_suffixes(tensor_str: str, suffixes: list, indent: int, force_newline: bool) -> str:
    tensor_strs = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def tensor_repr(t) -> str:
    """The repr (and str) of a tensor, character for character as PyTorch prints it.

    Reads ``t._data`` (the values), ``t.dtype``, ``t.requires_grad`` and ``t.grad_fn``.

    Args:
        t: a tensor, or any object with those attributes.

    >>> tensor_repr(ember.tensor([1.0, 2.5], requires_grad=True))
    'tensor([1.0000, 2.5000], requires_grad=True)'
    """
    data = np.asarray(t._data)
    dtype = t.dtype
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []

    default_name = _dtype.get_default_dtype().name
    if data.size == 0:
        # Explicitly print the shape if it is not (0,), to match NumPy behavior
        if data.ndim != 1:
            suffixes.append("size=" + str(tuple(data.shape)))
        # In an empty tensor there are no elements to infer the dtype from, so even int64
        # is shown.
        if dtype.name != default_name:
            suffixes.append("dtype=" + repr(dtype))
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(data.shape)))
        if dtype.name not in (default_name, "int64", "bool"):
            suffixes.append("dtype=" + repr(dtype))
        tensor_str = _tensor_str(data, indent, dtype.is_floating_point)

    grad_fn = getattr(t, "grad_fn", None)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + tensor_str, suffixes, indent, force_newline=False)
