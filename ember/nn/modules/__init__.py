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

from .loss import *  # noqa: E402, F403
from .loss import __all__ as _loss_all  # noqa: E402

__all__ += _loss_all

from .channelshuffle import ChannelShuffle  # noqa: E402
from .distance import CosineSimilarity, PairwiseDistance  # noqa: E402
from .fold import Fold, Unfold  # noqa: E402
from .padding import *  # noqa: E402, F403
from .padding import __all__ as _padding_all  # noqa: E402
from .pixelshuffle import PixelShuffle, PixelUnshuffle  # noqa: E402
from .pooling import *  # noqa: E402, F403
from .pooling import __all__ as _pooling_all  # noqa: E402
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: E402

__all__ += ["ChannelShuffle", "CosineSimilarity", "Fold", "PairwiseDistance", "PixelShuffle",
            "PixelUnshuffle", "Unfold", "Upsample", "UpsamplingBilinear2d",
            "UpsamplingNearest2d", *_padding_all, *_pooling_all]
