"""``ember.nn.functional``: functional forms of the layers (``torch.nn.functional``)."""

from .._functions.joining import one_hot

__all__ = ["one_hot"]

# convolutions, linear maps, padding (Functions in ember/_functions/conv.py)
from .._functions.conv import (  # noqa: E402
    bilinear,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    linear,
    pad,
)

__all__ += ["bilinear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
            "conv_transpose3d", "linear", "pad"]


# ---------------------------------------------------------------- activations
# The autograd Functions live in ember/_functions/activation.py (relu, sigmoid and tanh in
# pointwise.py); these are PyTorch's signatures around them.
import warnings as _warnings  # noqa: E402

from .._functions import activation as _act  # noqa: E402
from .._functions.activation import (  # noqa: E402
    celu,
    celu_,
    hardshrink,
    prelu,
    selu,
    selu_,
    threshold,
    threshold_,
)
from .._functions.pointwise import Relu as _Relu  # noqa: E402
from .._tensor import Tensor as _Tensor  # noqa: E402
from .._tensor import apply_inplace as _inplace  # noqa: E402
from ..autograd.function import apply1 as _apply1  # noqa: E402

__all__ += [
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "elu", "elu_", "selu",
    "selu_", "celu", "celu_", "gelu", "silu", "mish", "sigmoid", "tanh", "hardtanh", "hardtanh_",
    "hardsigmoid", "hardswish", "softplus", "softsign", "softshrink", "hardshrink", "tanhshrink",
    "threshold", "threshold_", "logsigmoid", "glu", "softmax", "log_softmax", "softmin",
]


def _need_tensor(fname, input):
    if not isinstance(input, _Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def relu(input, inplace: bool = False):
    """Elementwise ``max(x, 0)``; ``inplace=True`` writes into ``input``.

    >>> F.relu(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    if not isinstance(input, _Tensor):
        _need_tensor("relu_" if inplace else "relu", input)
    if inplace:
        return _inplace(input, _Relu)
    return _apply1(_Relu, input)


def relu_(input):
    """In-place ``relu``."""
    _need_tensor("relu_", input)
    return _inplace(input, _Relu)


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """Clamp to ``[min_val, max_val]``; the gradient is zero outside the open interval."""
    if not isinstance(input, _Tensor):
        _need_tensor("hardtanh_" if inplace else "hardtanh", input)
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _inplace(input, _act.Hardtanh, min_val, max_val)
    return _act.Hardtanh.apply(input, min_val, max_val)


def hardtanh_(input, min_val: float = -1.0, max_val: float = 1.0):
    """In-place ``hardtanh``."""
    _need_tensor("hardtanh_", input)
    return _inplace(input, _act.Hardtanh, min_val, max_val)


def relu6(input, inplace: bool = False):
    """``min(max(x, 0), 6)`` (PyTorch's ``hardtanh(x, 0, 6)``)."""
    if not isinstance(input, _Tensor):
        _need_tensor("relu6_" if inplace else "relu6", input)
    if inplace:
        return _inplace(input, _act.Hardtanh, 0.0, 6.0)
    return _act.Hardtanh.apply(input, 0.0, 6.0)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    """``x`` where ``x > 0``, else ``negative_slope * x``."""
    if not isinstance(input, _Tensor):
        _need_tensor("leaky_relu_" if inplace else "leaky_relu", input)
    if inplace:
        return _inplace(input, _act.LeakyReluInplace, negative_slope)
    return _act.LeakyRelu.apply(input, negative_slope)


def leaky_relu_(input, negative_slope: float = 0.01):
    """In-place ``leaky_relu``."""
    _need_tensor("leaky_relu_", input)
    return _inplace(input, _act.LeakyReluInplace, negative_slope)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    """ELU: ``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    if not isinstance(input, _Tensor):
        _need_tensor("elu_" if inplace else "elu", input)
    if inplace:
        return _inplace(input, _act.EluInplace, alpha, 1.0, 1.0)
    return _act.Elu.apply(input, alpha, 1.0, 1.0)


def elu_(input, alpha: float = 1.0):
    """In-place ``elu``."""
    _need_tensor("elu_", input)
    return _inplace(input, _act.EluInplace, alpha, 1.0, 1.0)


def gelu(input, *, approximate: str = "none"):
    """GELU: ``x * Phi(x)``; ``approximate='tanh'`` uses the tanh approximation."""
    _need_tensor("gelu", input)
    if approximate != "none" and approximate != "tanh":
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _act.Gelu.apply(input, approximate)


def silu(input, inplace: bool = False):
    """SiLU (swish): ``x * sigmoid(x)``."""
    if not isinstance(input, _Tensor):
        _need_tensor("silu_" if inplace else "silu", input)
    if inplace:
        return _inplace(input, _act.Silu)
    return _apply1(_act.Silu, input)


def mish(input, inplace: bool = False):
    """Mish: ``x * tanh(softplus(x))``."""
    if not isinstance(input, _Tensor):
        _need_tensor("mish_" if inplace else "mish", input)
    if inplace:
        return _inplace(input, _act.Mish)
    return _apply1(_act.Mish, input)


def sigmoid(input):
    """Elementwise ``1 / (1 + exp(-x))``."""
    return input.sigmoid()


def tanh(input):
    """Elementwise hyperbolic tangent."""
    return input.tanh()


def hardsigmoid(input, inplace: bool = False):
    """``min(max(x + 3, 0), 6) / 6``."""
    if not isinstance(input, _Tensor):
        _need_tensor("hardsigmoid_" if inplace else "hardsigmoid", input)
    if inplace:
        return _inplace(input, _act.Hardsigmoid)
    return _apply1(_act.Hardsigmoid, input)


def hardswish(input, inplace: bool = False):
    """``x * min(max(x + 3, 0), 6) / 6``."""
    if not isinstance(input, _Tensor):
        _need_tensor("hardswish_" if inplace else "hardswish", input)
    if inplace:
        return _inplace(input, _act.Hardswish)
    return _apply1(_act.Hardswish, input)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    """``log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``."""
    _need_tensor("softplus", input)
    return _act.Softplus.apply(input, beta, threshold)


def softsign(input):
    """``x / (1 + |x|)``."""
    return input / (input.abs() + 1)


def softshrink(input, lambd: float = 0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 in between."""
    _need_tensor("softshrink", input)
    return _act.Softshrink.apply(input, lambd)


def tanhshrink(input):
    """``x - tanh(x)``."""
    return input - input.tanh()


def logsigmoid(input):
    """``log(sigmoid(x))``, computed without overflow."""
    _need_tensor("log_sigmoid", input)
    return _apply1(_act.LogSigmoid, input)


def glu(input, dim: int = -1):
    """Gated linear unit: ``a * sigmoid(b)`` for the halves ``a, b`` of ``input`` along ``dim``.

    >>> F.glu(ember.tensor([[1.0, 2.0, 0.0, 0.0]])).shape
    ember.Size([1, 2])
    """
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = input._wrap_dim(dim)
    n = input._data.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    return _act.Glu.apply(input, d)


def _get_softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    _warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.", stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    """Softmax along ``dim``: ``exp(x) / exp(x).sum(dim, keepdim=True)``, computed stably.

    Args:
        input: the input tensor.
        dim: the dimension to normalize over (deprecated implicit choice when None).
        dtype: if given, ``input`` is cast to it before the operation.

    >>> F.softmax(ember.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    """Log of softmax along ``dim``, computed stably as ``x - logsumexp(x)``."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None):
    """Softmin along ``dim``: ``softmax(-x)``."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    return (-input).softmax(dim, dtype=dtype)
