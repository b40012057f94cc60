"""Embedding and EmbeddingBag against PyTorch: initial weights bit for bit after the same seed,
reprs, lookups and gradients (padding_idx, max_norm renormalizing in place, scale_grad_by_freq,
every bag mode, offsets, per_sample_weights, include_last_offset), from_pretrained, errors."""

import numpy as np
import pytest
import torch
from optable import assert_raises_like, assert_same

import ember

W = np.random.default_rng(0).standard_normal((10, 4)).astype(np.float32) * 2


def _idx(lib, v, dtype=None):
    return lib.tensor(v, dtype=dtype)


CASES = [
    ("emb", lambda L, w: L.nn.functional.embedding(_idx(L, [[1, 2, 2], [9, 0, 1]]), w)),
    ("emb padding", lambda L, w: L.nn.functional.embedding(
        _idx(L, [[1, 2, 2], [9, 0, 1]]), w, padding_idx=2)),
    ("emb padding negative", lambda L, w: L.nn.functional.embedding(
        _idx(L, [[1, 2, 2], [9, 0, 1]]), w, padding_idx=-1)),
    ("emb freq", lambda L, w: L.nn.functional.embedding(
        _idx(L, [[1, 2, 2], [9, 2, 1]]), w, scale_grad_by_freq=True)),
    ("emb max_norm", lambda L, w: L.nn.functional.embedding(
        _idx(L, [[1, 2, 2], [9, 0, 1]]), w * 1, max_norm=1.5)),
    ("emb max_norm p1", lambda L, w: L.nn.functional.embedding(
        _idx(L, [[1, 2, 2], [9, 0, 1]]), w * 1, max_norm=1.5, norm_type=1.0)),
    ("emb int32", lambda L, w: L.nn.functional.embedding(_idx(L, [3, 4], L.int32), w)),
    ("emb scalar", lambda L, w: L.nn.functional.embedding(_idx(L, 3), w)),
    ("emb empty", lambda L, w: L.nn.functional.embedding(L.zeros(0, 2, dtype=L.long), w)),
    ("torch.embedding", lambda L, w: L.embedding(w, _idx(L, [5, 5, 1]), 1)),
    ("bag mean", lambda L, w: L.nn.functional.embedding_bag(
        _idx(L, [1, 2, 4, 5, 4, 3, 2, 9]), w, _idx(L, [0, 4]))),
    ("bag sum empty bag", lambda L, w: L.nn.functional.embedding_bag(
        _idx(L, [1, 2, 4, 5, 4, 3, 2, 9]), w, _idx(L, [0, 4, 4]), mode="sum")),
    ("bag max", lambda L, w: L.nn.functional.embedding_bag(
        _idx(L, [1, 2, 4, 5, 4, 3, 2, 9]), w, _idx(L, [0, 2, 2, 5]), mode="max")),
    ("bag 2d", lambda L, w: L.nn.functional.embedding_bag(_idx(L, [[1, 2, 4], [5, 4, 3]]), w)),
    ("bag per_sample_weights", lambda L, w: L.nn.functional.embedding_bag(
        _idx(L, [1, 2, 4, 5, 4, 3, 2, 9]), w, _idx(L, [0, 4]), mode="sum",
        per_sample_weights=(L.arange(8.0, dtype=w.dtype) / 3).requires_grad_())),
    ("bag include_last_offset", lambda L, w: L.nn.functional.embedding_bag(
        _idx(L, [1, 2, 4, 5, 4, 3, 2, 9]), w, _idx(L, [0, 4, 8]), include_last_offset=True,
        mode="sum")),
    ("bag include_last_offset short", lambda L, w: L.nn.functional.embedding_bag(
        _idx(L, [1, 2, 4, 5, 4, 3, 2, 9]), w, _idx(L, [0, 4, 6]), include_last_offset=True)),
    ("bag include_last_offset max", lambda L, w: L.nn.functional.embedding_bag(
        _idx(L, [1, 2, 4, 5, 4, 3, 2, 9]), w, _idx(L, [0, 4, 6]), include_last_offset=True,
        mode="max")),
    ("bag padding", lambda L, w: L.nn.functional.embedding_bag(
        _idx(L, [1, 2, 4, 5, 4, 3, 2, 9]), w, _idx(L, [0, 4]), padding_idx=4)),
    ("bag padding max", lambda L, w: L.nn.functional.embedding_bag(
        _idx(L, [1, 2, 4, 5, 4, 3, 2, 9]), w, _idx(L, [0, 4]), padding_idx=4, mode="max")),
    ("bag freq", lambda L, w: L.nn.functional.embedding_bag(
        _idx(L, [1, 2, 4, 5, 4, 3, 2, 9]), w, _idx(L, [0, 4]), scale_grad_by_freq=True,
        mode="sum")),
    ("bag max_norm", lambda L, w: L.nn.functional.embedding_bag(
        _idx(L, [1, 2, 4, 5]), w * 1, _idx(L, [0, 1]), max_norm=1.0)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, dtype):
    res = []
    for lib in (torch, ember):
        w = lib.from_numpy(W.astype(dtype)).requires_grad_()
        y = fn(lib, w)
        g = np.random.default_rng(2).standard_normal(tuple(y.shape)).astype(dtype)
        y.backward(lib.from_numpy(g))
        res.append((y, w.grad, y.grad_fn.name()))
    (ty, tg, tn), (ey, eg, en) = res
    assert en == tn
    assert_same(ey, ty, 1e-6, 1e-6)
    assert_same(eg, tg, 1e-6, 1e-6)


def test_max_norm_renormalizes_weight_in_place():
    out = []
    for lib in (torch, ember):
        w = lib.from_numpy(W.copy())
        lib.nn.functional.embedding(lib.tensor([1, 1, 3]), w, max_norm=1.0)
        out.append((w, w._version))
    assert_same(out[1][0], out[0][0], 1e-7, 1e-7)
    assert out[1][1] == out[0][1]


@pytest.mark.parametrize("expr", [
    "Embedding(10, 3)", "Embedding(10, 3, padding_idx=0)", "Embedding(10, 3, padding_idx=-2)",
    "Embedding(5, 2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True)",
    "Embedding(5, 2, sparse=True)", "EmbeddingBag(10, 3)", "EmbeddingBag(10, 3, mode='max')",
    "EmbeddingBag(10, 3, mode='sum', padding_idx=1, max_norm=2.0)",
    "Embedding(4, 2, dtype=torch.float64)",
])
def test_module_init_and_repr(expr):
    torch.manual_seed(3)
    t = eval("torch.nn." + expr)
    ember.manual_seed(3)
    e = eval("ember.nn." + expr.replace("torch.", "ember."))
    assert repr(e) == repr(t)
    np.testing.assert_array_equal(e.weight.detach().numpy(), t.weight.detach().numpy())
    assert list(e.state_dict()) == list(t.state_dict())
    assert torch.rand(2).tolist() == ember.rand(2).tolist()


def test_module_forward_backward_padding_row():
    res = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.Embedding(6, 3, padding_idx=2)
        y = m(lib.tensor([[2, 1, 2], [0, 5, 2]]))
        y.sum().backward()
        res.append((y, m.weight.grad))
    assert_same(res[1][0], res[0][0], 0, 0)
    assert_same(res[1][1], res[0][1], 0, 0)
    assert res[1][1][2].abs().sum().item() == 0


def test_from_pretrained():
    res = []
    for lib in (torch, ember):
        w = lib.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])
        e = lib.nn.Embedding.from_pretrained(w)
        assert not e.weight.requires_grad
        res.append(e(lib.tensor([1])).tolist())
        e2 = lib.nn.Embedding.from_pretrained(w, freeze=False, padding_idx=0)
        assert e2.weight.requires_grad and e2.padding_idx == 0
        b = lib.nn.EmbeddingBag.from_pretrained(w, mode="sum")
        res.append(b(lib.tensor([[0, 1]])).tolist())
        assert not b.weight.requires_grad
    assert res[2:] == res[:2]


def test_embedding_bag_module():
    res = []
    for lib in (torch, ember):
        lib.manual_seed(1)
        m = lib.nn.EmbeddingBag(10, 3, mode="sum")
        y = m(lib.tensor([1, 2, 4, 5, 4, 3, 2, 9]), lib.tensor([0, 4]),
              lib.arange(8.0) / 8)
        y.sum().backward()
        res.append((y, m.weight.grad))
    assert_same(res[1][0], res[0][0])
    assert_same(res[1][1], res[0][1])


def test_sparse_true_raises_clear_error():
    m = ember.nn.Embedding(5, 2, sparse=True)
    with pytest.raises(NotImplementedError, match="sparse"):
        m(ember.tensor([1]))


ERRORS = [
    lambda lib: lib.nn.functional.embedding(lib.tensor([1.0, 2.0]), lib.ones(10, 3)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([1, 10]), lib.ones(10, 3)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([1, -1]), lib.ones(10, 3)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([1]), lib.ones(10, 3), padding_idx=10),
    lambda lib: lib.nn.functional.embedding(lib.tensor([1]), lib.ones(10, 3), padding_idx=-11),
    lambda lib: lib.nn.functional.embedding(lib.tensor([1]), lib.ones(10)),
    lambda lib: lib.nn.Embedding(10, 3, padding_idx=12),
    lambda lib: lib.nn.Embedding(10, 3, _weight=lib.ones(3, 3)),
    lambda lib: lib.nn.Embedding.from_pretrained(lib.ones(3)),
    lambda lib: lib.nn.EmbeddingBag(10, 3, padding_idx=-12),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1, 2]), lib.ones(10, 3),
                                                lib.tensor([1])),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1, 2]), lib.ones(10, 3),
                                                lib.tensor([0, 3])),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1, 20]), lib.ones(10, 3),
                                                lib.tensor([0])),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1, 2, 30]), lib.ones(10, 3),
                                                lib.tensor([0, 2])),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1, 2, 30]), lib.ones(10, 3),
                                                lib.tensor([0, 2]), mode="max"),
    lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([1, -2, 3]), lib.ones(10, 3, dtype=lib.float64), lib.tensor([0, 1])),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1, 2]), lib.ones(10, 3),
                                                lib.tensor([1], dtype=lib.int32)),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1.0]), lib.ones(10, 3),
                                                lib.tensor([0])),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1]), lib.ones(10, 3)),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([[1]]), lib.ones(10, 3),
                                                lib.tensor([0])),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1]), lib.ones(10, 3),
                                                lib.tensor([[0]])),
    lambda lib: lib.nn.functional.embedding_bag(lib.ones(1, 1, 1, dtype=lib.long),
                                                lib.ones(10, 3)),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1]), lib.ones(10),
                                                lib.tensor([0])),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1]), lib.ones(10, 3),
                                                lib.tensor([0]), mode="min"),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1]), lib.ones(10, 3),
                                                lib.tensor([0]), mode="max",
                                                scale_grad_by_freq=True),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1]), lib.ones(10, 3),
                                                lib.tensor([0]), per_sample_weights=lib.ones(1)),
    lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1]), lib.ones(10, 3),
                                                lib.tensor([0]), per_sample_weights=lib.ones(2)),
    lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([1]), lib.ones(10, 3), lib.tensor([0]), mode="sum",
        per_sample_weights=lib.ones(1, dtype=lib.float64)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    assert_raises_like(ERRORS[i])
