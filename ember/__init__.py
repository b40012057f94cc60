"""Ember: PyTorch's programming model on NumPy.

``import ember as torch`` (or ``ember run prog.py``) runs PyTorch programs unchanged and prints
the numbers PyTorch 2.13 prints.
"""

from __future__ import annotations

__version__ = "0.1.0"

import warnings as _warnings

# PyTorch computes inf and nan silently. Ember's kernels are NumPy calls, which would warn
# ("overflow encountered in exp"); ignore those warnings when they come from Ember's own modules
# (the user's own NumPy code still warns). Cheaper than np.errstate around every op.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ember(\.|$)")

from . import (
    _dtype,
    autograd,  # noqa: E402, I001
)
from ._creation import (
    arange,
    as_tensor,
    asarray,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    ones,
    ones_like,
    scalar_tensor,
    tensor,
    zeros,
    zeros_like,
)
from ._creation import range as range  # noqa: A004 - PyTorch's deprecated torch.range
from ._dtype import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
)
from ._functions.arithmetic import *  # noqa: F403
from . import backends, cuda, random  # noqa: E402
from ._deterministic import *  # noqa: F403
from ._functions.random import *  # noqa: F403
from ._generator import Generator, default_generator
from .random import get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from ._functions.indexing import *  # noqa: F403
from ._functions.joining import *  # noqa: F403
from ._functions.pointwise import *  # noqa: F403
from ._functions.activation import *  # noqa: F403
from ._functions.shape import *  # noqa: F403
from ._functions.reduction import *  # noqa: F403
from ._functions.linalg import *  # noqa: F403
from ._functions.conv import *  # noqa: F403
from ._functions.pooling import *  # noqa: F403
from ._functions.upsampling import *  # noqa: F403
from ._functions.distance import *  # noqa: F403
from ._functions.loss import *  # noqa: F403
from ._functions.normalization import *  # noqa: F403
from ._functions.dropout import *  # noqa: F403
from ._functions.embedding import *  # noqa: F403
from . import return_types  # noqa: E402
from .serialization import load, save  # noqa: E402
from ._printing import get_printoptions, printoptions, set_printoptions
from ._tensor import Size, Tensor, device
from .autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled

cfloat = None  # complex dtypes are not supported
layout = type("layout", (), {"__repr__": lambda self: "torch.strided"})
strided = layout()
contiguous_format = "torch.contiguous_format"
preserve_format = "torch.preserve_format"
channels_last = "torch.channels_last"
FloatTensor = DoubleTensor = LongTensor = None  # legacy constructors are not provided


def is_tensor(obj) -> bool:
    """True if ``obj`` is an Ember Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def numel(input) -> int:
    return input.numel()


def result_type(tensor1, tensor2):
    """The dtype PyTorch's type promotion gives for an op on the two operands."""
    return _dtype.result_type(tensor1, tensor2)


def can_cast(from_, to) -> bool:
    from ._tensor import _can_cast

    return _can_cast(from_, to)


def is_nonzero(input) -> bool:
    if input.numel() != 1:
        raise RuntimeError(
            "Boolean value of Tensor with " + ("no values" if input.numel() == 0
                                                else "more than one value") + " is ambiguous"
        )
    return input.item() != 0


# Submodules imported on first use (``ember.optim``, ``import ember.nn``, ``from ember import
# nn``, ``torch.nn`` under the alias all work), so that ``import ember`` loads only the tensor
# library. tests/test_startup.py checks that ``import ember`` leaves them out.
_LAZY_SUBMODULES = frozenset({"linalg", "nn", "optim", "safetensors", "utils"})


def __getattr__(name):
    """Import a lazy submodule on first access (PEP 562)."""
    if name in _LAZY_SUBMODULES:
        from importlib import import_module

        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | _LAZY_SUBMODULES)
