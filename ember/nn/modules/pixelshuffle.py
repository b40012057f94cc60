"""``PixelShuffle`` and ``PixelUnshuffle`` (``torch/nn/modules/pixelshuffle.py``)."""

from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle"]


class PixelShuffle(Module):
    """Rearrange (*, C r^2, H, W) into (*, C, H r, W r).

    >>> nn.PixelShuffle(2)(ember.ones(1, 4, 3, 3)).shape
    torch.Size([1, 1, 6, 6])
    """

    __constants__ = ["upscale_factor"]

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearrange (*, C, H r, W r) into (*, C r^2, H, W), the inverse of :class:`PixelShuffle`.

    >>> nn.PixelUnshuffle(2)(ember.ones(1, 1, 6, 6)).shape
    torch.Size([1, 4, 3, 3])
    """

    __constants__ = ["downscale_factor"]

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
