"""Helpers for the optimizer tests: the same training run under PyTorch and Ember."""

import numpy as np
import torch

import ember

SHAPES = [(5, 4), (4,), (3, 2, 2), ()]


def make_params(lib, dtype="float32", seed=0, shapes=SHAPES, noncontig=False):
    """Parameters with the same initial values in either library, and the loss coefficients."""
    rng = np.random.default_rng(seed)
    inits = [rng.standard_normal(s).astype(dtype) for s in shapes]
    coefs = [np.clip(rng.standard_normal(s), -2, 2).astype(dtype) for s in shapes]
    if noncontig:  # a transposed (non-contiguous) leaf
        params = [lib.nn.Parameter(lib.tensor(np.ascontiguousarray(x.T)).t())
                  if x.ndim == 2 else lib.nn.Parameter(lib.tensor(x)) for x in inits]
    else:
        params = [lib.nn.Parameter(lib.tensor(x)) for x in inits]
    return params, [lib.tensor(c) for c in coefs]


def loss_fn(params, coefs):
    """A smooth, strongly convex loss (so round-off does not grow chaotically)."""
    return sum((0.2 * (p * c).sin() + 0.5 * p * p + c * p).sum() for p, c in zip(params, coefs))


def train(lib, name, kwargs, steps=100, dtype="float32", seed=0, groups=None, skip=None,
          noncontig=False, shapes=SHAPES):
    """Run ``steps`` optimizer steps; returns the parameters (as arrays) and the optimizer.

    ``groups`` splits the parameters into groups with extra options; ``skip`` is the index of
    a parameter whose gradient is set to None before each step."""
    params, coefs = make_params(lib, dtype, seed, shapes, noncontig)
    if groups is None:
        spec = params
    else:
        spec = [{"params": [params[i] for i in idx], **opts} for idx, opts in groups]
    opt = getattr(lib.optim, name)(spec, **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(params, coefs).backward()
        if skip is not None:
            params[skip].grad = None
        opt.step()
    return [p.detach().numpy().copy() for p in params], opt, params


def plain(x):
    """A comparable form of state_dict values: tensors as (dtype, shape, values)."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        return ("T", str(x.dtype), tuple(x.shape), np.asarray(x.detach().tolist()))
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(plain(v) for v in x)
    return x


def assert_plain_close(e, t, rtol=1e-5, atol=1e-6, path="state_dict"):
    """Two ``plain`` structures are equal, with float tensor values close."""
    if isinstance(t, tuple) and t and t[0] == "T":
        assert isinstance(e, tuple) and e[0] == "T", f"{path}: {e!r} is not a tensor"
        assert e[1:3] == t[1:3], f"{path}: {e[1:3]} != {t[1:3]}"
        np.testing.assert_allclose(e[3], t[3], rtol=rtol, atol=atol, err_msg=path)
        return
    assert type(e) is type(t), f"{path}: {type(e).__name__} != {type(t).__name__}"
    if isinstance(t, dict):
        assert list(e.keys()) == list(t.keys()), f"{path}: keys {list(e)} != {list(t)}"
        for k in t:
            assert_plain_close(e[k], t[k], rtol, atol, f"{path}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert len(e) == len(t), f"{path}: length {len(e)} != {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_plain_close(a, b, rtol, atol, f"{path}[{i}]")
    else:
        assert e == t, f"{path}: {e!r} != {t!r}"
