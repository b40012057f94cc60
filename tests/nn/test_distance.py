"""CosineSimilarity / PairwiseDistance modules against PyTorch."""

import numpy as np
import torch

import ember


def test_distance_modules():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((4, 5)).astype(np.float32), rng.standard_normal((4, 5)).astype(
        np.float32)
    res = []
    for lib in (torch, ember):
        mods = [lib.nn.CosineSimilarity(), lib.nn.CosineSimilarity(dim=0, eps=1e-6),
                lib.nn.PairwiseDistance(), lib.nn.PairwiseDistance(p=1.5, eps=1e-5, keepdim=True)]
        row = []
        for m in mods:
            x1 = lib.from_numpy(a.copy()).requires_grad_(True)
            y = m(x1, lib.from_numpy(b.copy()))
            y.sum().backward()
            row.append((repr(m), tuple(y.shape), y.grad_fn.name(), y.detach().numpy(),
                        x1.grad.numpy()))
        res.append(row)
    for t, e in zip(*res):
        assert e[:3] == t[:3]
        np.testing.assert_allclose(e[3], t[3], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(e[4], t[4], rtol=1e-4, atol=1e-5)
