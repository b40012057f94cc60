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
