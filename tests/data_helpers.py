"""Helpers of the data tests: run the same loading code under PyTorch and Ember and compare."""

import collections

import numpy as np
import torch

import ember


def plain(x):
    """A comparable form of a batch: tensors become (dtype, shape, values); containers recurse."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        return ("T", str(x.dtype), tuple(x.shape), np.asarray(x.tolist()).tolist(),
                x.is_contiguous())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, [plain(v) for v in x])
    if isinstance(x, collections.abc.Mapping):
        return (type(x).__name__, [(k, plain(v)) for k, v in x.items()])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [plain(v) for v in x])
    return (type(x).__name__, x)


def same(fn):
    """``fn(lib)`` gives the same batches, and leaves the same global RNG state, in both."""
    torch.manual_seed(0)
    ember.manual_seed(0)
    t = plain(fn(torch))
    e = plain(fn(ember))
    assert e == t, f"\n torch: {t}\n ember: {e}"
    t_state = torch.get_rng_state().numpy().tobytes()
    e_state = np.asarray(ember.get_rng_state().tolist(), dtype=np.uint8).tobytes()
    assert e_state == t_state, "the global generator's state differs after loading"
    return e
