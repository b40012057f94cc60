"""``ember.nn.modules``: the module classes (``torch.nn.modules``)."""

from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .module import Module
from .activation import *  # noqa: F403
from .activation import __all__ as _activation_all
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, Linear

__all__ = [
    "Module",
    "ModuleDict",
    "ModuleList",
    "ParameterDict",
    "ParameterList",
    "Sequential",
]
__all__ += ["Bilinear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
            "ConvTranspose3d", "Flatten", "Identity", "Linear", "Unflatten"]
__all__ += _activation_all

from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d  # noqa: E402
from .dropout import (  # noqa: E402
    AlphaDropout,
    Dropout,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    FeatureAlphaDropout,
)
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d  # noqa: E402
from .normalization import GroupNorm, LayerNorm, LocalResponseNorm, RMSNorm  # noqa: E402
from .sparse import Embedding, EmbeddingBag  # noqa: E402

__all__ += ["AlphaDropout", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "Dropout", "Dropout1d",
            "Dropout2d", "Dropout3d", "Embedding", "EmbeddingBag", "FeatureAlphaDropout",
            "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LayerNorm",
            "LocalResponseNorm", "RMSNorm"]
