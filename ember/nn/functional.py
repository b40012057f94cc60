"""``ember.nn.functional``: functional forms of the layers (``torch.nn.functional``)."""

from .._functions.joining import one_hot

__all__ = ["one_hot"]
