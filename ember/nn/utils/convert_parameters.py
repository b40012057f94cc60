"""``ember.nn.utils.convert_parameters``: parameters to and from one flat vector
(``torch.nn.utils.convert_parameters``)."""

from __future__ import annotations

from collections.abc import Iterable

from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    r"""Flatten an iterable of parameters into a single vector (differentiable: it is their
    concatenation).

    Args:
        parameters (Iterable[Tensor]): an iterable of Tensors that are the parameters of a
            model.

    Returns:
        The parameters represented by a single vector.

    >>> vec = ember.nn.utils.parameters_to_vector(model.parameters())
    """
    from ... import cat

    # Flag for the device where the parameter is located
    param_device = None

    vec = []
    for param in parameters:
        # Ensure the parameters are located in the same device
        param_device = _check_param_device(param, param_device)
        vec.append(param.view(-1))
    return cat(vec)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    r"""Copy slices of a vector into an iterable of parameters: each parameter's ``data``
    becomes a view of its slice of ``vec``.

    Args:
        vec (Tensor): a single vector representing the parameters of a model.
        parameters (Iterable[Tensor]): an iterable of Tensors that are the parameters of a
            model.

    >>> ember.nn.utils.vector_to_parameters(vec, model.parameters())
    """
    from ..modules.module import _typename

    # Ensure vec of type Tensor
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    # Flag for the device where the parameter is located
    param_device = None

    # Pointer for slicing the vector for each parameter
    pointer = 0
    for param in parameters:
        # Ensure the parameters are located in the same device
        param_device = _check_param_device(param, param_device)

        # The length of the parameter
        num_param = param.numel()
        # Slice the vector, reshape it, and replace the old data of the parameter
        param.data = vec[pointer : pointer + num_param].view_as(param).data

        # Increment the pointer
        pointer += num_param


def _check_param_device(param: Tensor, old_param_device: int | None) -> int:
    """All Ember tensors live on the CPU (device index -1)."""
    return -1
