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


# ---------------------------------------------------------------- normalization, dropout, embedding
# Kernels in ember/_functions/normalization.py, dropout.py and embedding.py; these are PyTorch's
# signatures and Python-level checks around them.
from .._functions import dropout as _drop  # noqa: E402
from .._functions import normalization as _norm  # noqa: E402
from .._functions.embedding import embedding as _embedding  # noqa: E402
from .._functions.embedding import embedding_bag  # noqa: E402
from .._functions.embedding import embedding_renorm_ as _embedding_renorm_  # noqa: E402

__all__ += [
    "batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm",
    "normalize", "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
    "feature_alpha_dropout", "embedding", "embedding_bag",
]


def _verify_batch_size(size) -> None:
    size_prods = size[0]
    for i in range(len(size) - 2):
        size_prods *= size[i + 2]
    if size_prods == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}")


def _verify_spatial_size(size) -> None:
    size_prods = 1
    for i in range(2, len(size)):
        size_prods *= size[i]
    if size_prods == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5):
    """Batch normalization over dim 1 of (N, C, *): ``(x - mean) / sqrt(var + eps) * weight +
    bias``.

    Args:
        input: the (N, C, *) input.
        running_mean, running_var: running statistics (C,), or None; updated in place when
            ``training`` (``momentum`` weights the new batch; the variance is unbiased).
        weight, bias: optional (C,) affine parameters.
        training: normalize with batch statistics (else with the running ones).

    >>> F.batch_norm(ember.tensor([[1.0], [3.0]]), None, None, training=True)
    tensor([[-1.0000],
            [ 1.0000]])
    """
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return _norm.batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
                            eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5):
    """Normalize each (sample, channel) plane of (N, C, *) separately."""
    if use_input_stats:
        _verify_spatial_size(input.size())
    return _norm.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                               momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalize over the last ``len(normalized_shape)`` dims, then apply the elementwise affine
    ``weight``/``bias`` (of shape ``normalized_shape``).

    >>> F.layer_norm(ember.tensor([[1.0, 3.0]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    return _norm.layer_norm(input, normalized_shape, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalization over the last dims: ``x / sqrt(mean(x**2) + eps) *
    weight``; ``eps`` defaults to the dtype's machine epsilon."""
    return _norm.rms_norm(input, normalized_shape, weight, eps)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):
    """Normalize (N, C, *) over groups of channels, then scale and shift per channel."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    _verify_batch_size([input.size(0) * input.size(1) // num_groups, num_groups]
                       + list(input.size()[2:]))
    return _norm.group_norm(input, num_groups, weight, bias, eps)


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0):
    """Normalize each element by the squares of its ``size`` neighbours across channels:
    ``x / (k + alpha * mean(x**2 over the window)) ** beta`` (the window zero-padded)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality                          input (got {dim} "
            "dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    sizes = input.size()
    div = div.reshape(sizes[0], sizes[1], -1).unsqueeze(1)
    div = pad(div, (0, 0, size // 2, (size - 1) // 2))
    # the window average of avg_pool (count_include_pad): sum of `size` shifted slices / size
    c = sizes[1]
    acc = div[:, :, 0:c]
    for i in range(1, size):
        acc = acc + div[:, :, i:i + c]
    div = (acc / size).squeeze(1).reshape(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):
    """``input / max(||input||_p along dim, eps)``.

    >>> F.normalize(ember.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    return out.copy_(input / denom)


def _check_p(p) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero each element with probability ``p`` (in training) and scale the rest by
    ``1 / (1 - p)``; the mask is PyTorch's for the same seed.

    >>> ember.manual_seed(0); F.dropout(ember.ones(4))
    tensor([0., 0., 2., 0.])
    """
    _check_p(p)
    return _drop.dropout_(input, p, training) if inplace else _drop.dropout(input, p, training)


def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Alpha dropout (for SELU networks): keeps the input's mean and variance."""
    _check_p(p)
    if inplace:
        return _drop.alpha_dropout_(input, p, training)
    return _drop.alpha_dropout(input, p, training)


def _feature_dropout(input, p, training, inplace, batched):
    if not batched:
        inp = input.unsqueeze(0)
        res = (_drop.feature_dropout_(inp, p, training) if inplace
               else _drop.feature_dropout(inp, p, training))
        if inplace:
            return input
        return res.squeeze(0)
    if inplace:
        return _drop.feature_dropout_(input, p, training)
    return _drop.feature_dropout(input, p, training)


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, L) or (C, L) with probability ``p``."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {inp_dim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _feature_dropout(input, p, training, inplace, inp_dim == 3)


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) with probability ``p``."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (3, 4):
        _warnings.warn(
            f"dropout2d: Received a {inp_dim}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if inp_dim == 3:
        _warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _feature_dropout(input, p, training, inplace, True)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability ``p``."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (4, 5):
        _warnings.warn(
            f"dropout3d: Received a {inp_dim}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, inp_dim == 5)


def feature_alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Alpha dropout of whole channels."""
    _check_p(p)
    if inplace:
        return _drop.feature_alpha_dropout_(input, p, training)
    return _drop.feature_alpha_dropout(input, p, training)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False):
    """Look up rows of ``weight`` (num_embeddings, dim) at the integer ``input``.

    Args:
        padding_idx: this row's gradient stays zero.
        max_norm: rows looked up with a larger ``norm_type``-norm are renormalized in place.
        scale_grad_by_freq: scale gradients by the inverse frequency of each index.

    >>> F.embedding(ember.tensor([1]), ember.eye(2))
    tensor([[0., 1.]])
    """
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        input = input.contiguous()
        _embedding_renorm_(weight.detach(), input, max_norm, norm_type)
    return _embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


# ---------------------------------------------------------------- losses
# The kernels and autograd Functions live in ember/_functions/loss.py; these are PyTorch's
# signatures around them: string reductions, the legacy size_average/reduce arguments, and the
# checks and warnings PyTorch makes in Python.
import math as _math  # noqa: E402

from .._functions import loss as _loss  # noqa: E402
from . import _reduction as _Reduction  # noqa: E402

__all__ += [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cosine_embedding_loss",
    "cross_entropy", "ctc_loss", "gaussian_nll_loss", "hinge_embedding_loss", "huber_loss",
    "kl_div", "l1_loss", "margin_ranking_loss", "mse_loss", "multi_margin_loss",
    "multilabel_margin_loss", "multilabel_soft_margin_loss", "nll_loss", "poisson_nll_loss",
    "smooth_l1_loss", "soft_margin_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


def _loss_tensor(fname, argname, pos, value):
    if not isinstance(value, _Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not "
                        f"{type(value).__name__}")


def _size_warning(input, target):
    if target.size() != input.size():
        _warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )


def _broadcast_pair(input, target):
    if input.shape == target.shape:
        return input, target
    from .._functions.joining import broadcast_tensors

    return broadcast_tensors(input, target)


def _weighted_reduction(loss, weight, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
            weight=None):
    """Mean (or sum, or elementwise) absolute error ``|input - target|``.

    Args:
        input, target: tensors of the same shape (broadcasting warns, as in PyTorch).
        reduction: 'none', 'mean' or 'sum'.
        weight: optional elementwise weights (the shape of ``input``).

    >>> F.l1_loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 0.0]))
    tensor(1.5000)
    """
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    input, target = _broadcast_pair(input, target)
    if weight is not None:
        if weight.size() != input.size():
            raise ValueError("Weights and input must have the same size.")
        return _weighted_reduction((input - target).abs() * weight, weight, reduction)
    return _loss.l1_loss(input, target, _Reduction.get_enum(reduction))


def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
             weight=None):
    """Mean (or sum, or elementwise) squared error ``(input - target) ** 2``.

    >>> F.mse_loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 0.0]))
    tensor(2.5000)
    """
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    input, target = _broadcast_pair(input, target)
    if weight is not None:
        if weight.size() != input.size():
            raise ValueError("Weights and input must have the same size.")
        return _weighted_reduction((input - target) ** 2 * weight, weight, reduction)
    return _loss.mse_loss(input, target, _Reduction.get_enum(reduction))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0):
    """Cross entropy between ``log_softmax(input)`` and ``target``.

    Args:
        input: logits, (C,), (N, C) or (N, C, d1, ...).
        target: class indices (int64, the input's shape without C) or class probabilities
            (the input's shape).
        weight: optional per-class weights (C,).
        ignore_index: a class index whose samples are skipped (class indices only).
        reduction: 'none', 'mean' (weighted mean over the samples) or 'sum'.
        label_smoothing: in [0, 1]; mixes the target with the uniform distribution.

    >>> F.cross_entropy(ember.tensor([[0.0, 0.0]]), ember.tensor([1]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    if not isinstance(input, _Tensor):
        _loss_tensor("cross_entropy_loss", "input", 1, input)
    if not isinstance(target, _Tensor):
        _loss_tensor("cross_entropy_loss", "target", 2, target)
    return _loss.cross_entropy_loss(input, target, weight, _Reduction.get_enum(reduction),
                                    ignore_index, label_smoothing)


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100,
             reduce=None, reduction: str = "mean"):
    """Negative log likelihood of log-probabilities ``input`` at the target classes.

    >>> F.nll_loss(ember.tensor([[-1.0, -2.0]]), ember.tensor([1]))
    tensor(2.)
    """
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    if not isinstance(input, _Tensor):
        _loss_tensor("nll_loss_nd", "input", 1, input)
    if not isinstance(target, _Tensor):
        _loss_tensor("nll_loss_nd", "target", 2, target)
    return _loss.nll_loss_nd(input, target, weight, _Reduction.get_enum(reduction),
                             ignore_index)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """Binary cross entropy between probabilities ``input`` and ``target`` (logs clamped at
    -100, as in PyTorch).

    >>> F.binary_cross_entropy(ember.tensor([0.5]), ember.tensor([1.0]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction_enum = _Reduction.legacy_get_enum(size_average, reduce)
    else:
        reduction_enum = _Reduction.get_enum(reduction)
    if target.size() != input.size():
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    if weight is not None:
        from .._functions.joining import broadcast_shapes

        weight = weight.expand(broadcast_shapes(target.size(), weight.size()))
    return _loss.binary_cross_entropy(input, target, weight, reduction_enum)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction: str = "mean", pos_weight=None):
    """Binary cross entropy of ``sigmoid(input)``, computed stably from the logits.

    Args:
        pos_weight: weight of the positive term, broadcast against ``target`` (per class).

    >>> F.binary_cross_entropy_with_logits(ember.tensor([0.0]), ember.tensor([1.0]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction_enum = _Reduction.legacy_get_enum(size_average, reduce)
    else:
        reduction_enum = _Reduction.get_enum(reduction)
    if not (target.size() == input.size()):
        raise ValueError(
            f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    return _loss.binary_cross_entropy_with_logits(input, target, weight, pos_weight,
                                                  reduction_enum)


def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False):
    """Kullback-Leibler divergence ``target * (log(target) - input)`` (``input`` holds
    log-probabilities; ``target`` too when ``log_target``). ``reduction='batchmean'`` divides
    the sum by the batch size (the mathematical KL divergence).

    >>> F.kl_div(ember.tensor([-1.0]), ember.tensor([0.5]), reduction="batchmean")
    tensor(0.1534)
    """
    if size_average is not None or reduce is not None:
        reduction_enum = _Reduction.legacy_get_enum(size_average, reduce)
    else:
        if reduction == "mean":
            _warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support "
                "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                "major release.",
                stacklevel=2,
            )
        if reduction == "batchmean":
            reduction_enum = _Reduction.get_enum("sum")
        else:
            reduction_enum = _Reduction.get_enum(reduction)
    reduced = _loss.kl_div(input, target, reduction_enum, log_target=log_target)
    if reduction == "batchmean" and input.dim() != 0:
        reduced = reduced / input.size()[0]
    return reduced


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0):
    """Smooth L1: ``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``
    (``d = input - target``); ``beta=0`` is the L1 loss.

    >>> F.smooth_l1_loss(ember.tensor([0.5, 3.0]), ember.tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    input, target = _broadcast_pair(input, target)
    if beta == 0.0:
        return _loss.l1_loss(input, target, _Reduction.get_enum(reduction))
    return _loss.smooth_l1_loss(input, target, _Reduction.get_enum(reduction), beta)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """Huber loss: ``0.5 d**2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``.

    >>> F.huber_loss(ember.tensor([0.5, 3.0]), ember.tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    _size_warning(input, target)
    input, target = _broadcast_pair(input, target)
    if weight is None:
        return _loss.huber_loss(input, target, _Reduction.get_enum(reduction), delta)
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    weighted = _loss.huber_loss(input, target, _Reduction.get_enum("none"), delta) * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """Two-class logistic loss ``log(1 + exp(-target * input))``.

    >>> F.soft_margin_loss(ember.tensor([0.0]), ember.tensor([1.0]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction_enum = _Reduction.legacy_get_enum(size_average, reduce)
    else:
        reduction_enum = _Reduction.get_enum(reduction)
    return _loss.soft_margin_loss(input, target, reduction_enum)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean"):
    """Multi-label one-versus-all logistic loss, averaged over the classes.

    >>> F.multilabel_soft_margin_loss(ember.tensor([[0.0, 0.0]]), ember.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    C = input.size(class_dim)
    loss = loss.sum(dim=class_dim) / C
    if reduction == "none":
        ret = loss
    elif reduction == "mean":
        ret = loss.mean()
    elif reduction == "sum":
        ret = loss.sum()
    else:
        raise ValueError(reduction + " is not valid")
    return ret


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None,
                      size_average=None, reduce=None, reduction: str = "mean"):
    """Multi-class hinge loss: ``sum_j max(0, margin - x[y] + x[j])**p / C`` over ``j != y``.

    >>> F.multi_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([3]))
    tensor(0.3250)
    """
    if size_average is not None or reduce is not None:
        reduction_enum = _Reduction.legacy_get_enum(size_average, reduce)
    else:
        reduction_enum = _Reduction.get_enum(reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None:
        if weight.dim() != 1:
            raise ValueError("weight must be one-dimensional")
    return _loss.multi_margin_loss(input, target, p, margin, weight, reduction_enum)


def multilabel_margin_loss(input, target, size_average=None, reduce=None,
                           reduction: str = "mean"):
    """Multi-class multi-label hinge loss; ``target`` lists class indices, ended by -1.

    >>> F.multilabel_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]),
    ...                          ember.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """
    if size_average is not None or reduce is not None:
        reduction_enum = _Reduction.legacy_get_enum(size_average, reduce)
    else:
        reduction_enum = _Reduction.get_enum(reduction)
    return _loss.multilabel_margin_loss(input, target, reduction_enum)


def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None,
                        reduce=None, reduction: str = "mean"):
    """``max(0, -target * (input1 - input2) + margin)``.

    >>> F.margin_ranking_loss(ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([1.0]))
    tensor(1.)
    """
    if size_average is not None or reduce is not None:
        reduction_enum = _Reduction.legacy_get_enum(size_average, reduce)
    else:
        reduction_enum = _Reduction.get_enum(reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} "
        )
    return _loss.margin_ranking_loss(input1, input2, target, margin, reduction_enum)


def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1.

    >>> F.hinge_embedding_loss(ember.tensor([0.3, 2.0]), ember.tensor([-1.0, 1.0]))
    tensor(1.3500)
    """
    if size_average is not None or reduce is not None:
        reduction_enum = _Reduction.legacy_get_enum(size_average, reduce)
    else:
        reduction_enum = _Reduction.get_enum(reduction)
    return _loss.hinge_embedding_loss(input, target, margin, reduction_enum)


def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean"):
    """``1 - cos(x1, x2)`` where ``target`` is 1, ``max(0, cos(x1, x2) - margin)`` where it
    is -1.

    >>> x = ember.tensor([[1.0, 0.0]])
    >>> F.cosine_embedding_loss(x, -x, ember.tensor([1.0]))
    tensor(2.)
    """
    if size_average is not None or reduce is not None:
        reduction_enum = _Reduction.legacy_get_enum(size_average, reduce)
    else:
        reduction_enum = _Reduction.get_enum(reduction)
    return _loss.cosine_embedding_loss(input1, input2, target, margin, reduction_enum)


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean"):
    """Triplet loss ``max(0, margin + d(anchor, positive) - d(anchor, negative))``, ``d`` the
    pairwise p-norm distance; ``swap`` uses ``min(d(a, n), d(p, n))``.

    >>> a = ember.tensor([[0.0, 0.0]])
    >>> F.triplet_margin_loss(a, a + 1.0, a + 1.0)
    tensor(1.0000)
    """
    if size_average is not None or reduce is not None:
        reduction_enum = _Reduction.legacy_get_enum(size_average, reduce)
    else:
        reduction_enum = _Reduction.get_enum(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _loss.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                     reduction_enum)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean"):
    """Triplet loss with any ``distance_function(x1, x2)`` (default: pairwise L2 distance).

    >>> a = ember.tensor([[0.0, 0.0]])
    >>> F.triplet_margin_with_distance_loss(a, a, a + 3.0)
    tensor(0.)
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D "
            "inputs"
        )
    if distance_function is None:
        distance_function = _loss.pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        from .._functions.pointwise import minimum

        dist_neg = minimum(dist_neg, distance_function(positive, negative))
    from .._functions.pointwise import clamp_min

    loss = clamp_min(margin + dist_pos - dist_neg, 0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss


def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None, reduction: str = "mean"):
    """Poisson negative log likelihood: ``exp(input) - target * input`` (``log_input``) or
    ``input - target * log(input + eps)``; ``full`` adds Stirling's approximation term.

    >>> F.poisson_nll_loss(ember.tensor([0.0]), ember.tensor([1.0]))
    tensor(1.)
    """
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    if reduction != "none" and reduction != "mean" and reduction != "sum":
        raise ValueError(reduction + " is not a valid value for reduction")
    return _loss.poisson_nll_loss(input, target, log_input, full, eps,
                                  _Reduction.get_enum(reduction))


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean"):
    """Gaussian negative log likelihood ``0.5 (log(var) + (input - target)**2 / var)``, ``var``
    clamped at ``eps``; ``var`` may have one dimension fewer or one broadcast dimension.

    >>> F.gaussian_nll_loss(ember.tensor([1.0]), ember.tensor([1.0]), ember.tensor([1.0]))
    tensor(0.)
    """
    from .._creation import ones_like
    from .._functions.pointwise import log
    from .._functions.reduction import any as _any
    from ..autograd.grad_mode import no_grad

    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif _any(var < 0):
        raise ValueError("var has negative entry/entries")
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(
                y for x, y in zip(input.size(), var.size(), strict=True) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction != "none" and reduction != "mean" and reduction != "sum":
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (log(var) + (input - target) ** 2 / var)
    if full:
        loss += 0.5 * _math.log(2 * _math.pi)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False):
    """Connectionist Temporal Classification loss.

    Args:
        log_probs: (T, N, C) or (T, C) log-probabilities (``log_softmax`` output).
        targets: (N, S) padded or 1-D concatenated label sequences (no blanks).
        input_lengths, target_lengths: per-sample lengths (tensors or sequences of ints).
        blank: the blank label.
        reduction: 'none', 'mean' (each loss divided by its target length, then averaged) or
            'sum'.
        zero_infinity: replace infinite losses (impossible alignments) and their gradients by 0.

    >>> lp = ember.zeros(4, 1, 3).log_softmax(2)
    >>> F.ctc_loss(lp, ember.tensor([[1, 2]]), [4], [2], reduction="sum")
    tensor(1.6864)
    """
    return _loss.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                          _Reduction.get_enum(reduction), zero_infinity)


# ---------------------------------------------------------------- pooling, upsampling, vision
# Kernels in ember/_functions/pooling.py, upsampling.py, fold.py and distance.py.
from .._functions import pooling as _pool  # noqa: E402
from .._functions.distance import cosine_similarity, pairwise_distance  # noqa: E402
from .._functions.fold import fold, unfold  # noqa: E402
from .._functions.pooling import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    fractional_max_pool2d,
    fractional_max_pool3d,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
)
from .._functions.upsampling import (  # noqa: E402
    channel_shuffle,
    interpolate,
    native_channel_shuffle,
    pixel_shuffle,
    pixel_unshuffle,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)

__all__ += [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
    "avg_pool3d", "fractional_max_pool2d", "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d", "fractional_max_pool3d_with_indices", "lp_pool1d", "lp_pool2d",
    "lp_pool3d", "max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool2d_with_indices",
    "max_pool3d", "max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
    "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "fold", "unfold",
    "cosine_similarity", "pairwise_distance",
]


def adaptive_max_pool1d(input, output_size, return_indices: bool = False):
    """Max pooling of (N, C, L) or (C, L) to a fixed length; with ``return_indices`` also the
    argmax indices."""
    res = _pool.adaptive_max_pool1d(input, output_size)
    return res if return_indices else res[0]


def adaptive_max_pool1d_with_indices(input, output_size, return_indices: bool = False):
    """``adaptive_max_pool1d`` returning ``(values, indices)``."""
    return _pool.adaptive_max_pool1d(input, output_size)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices: bool = False):
    """``adaptive_max_pool2d`` returning ``(values, indices)``."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices: bool = False):
    """``adaptive_max_pool3d`` returning ``(values, indices)``."""
    return adaptive_max_pool3d(input, output_size, True)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """``max_pool1d`` returning ``(values, indices)``."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """``max_pool2d`` returning ``(values, indices)``."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """``max_pool3d`` returning ``(values, indices)``."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices: bool = False, _random_samples=None):
    """``fractional_max_pool2d`` returning ``(values, indices)``."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices: bool = False, _random_samples=None):
    """``fractional_max_pool3d`` returning ``(values, indices)``."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)
