"""``Generator``: seeds, state bytes and errors as PyTorch's CPU generator."""

import numpy as np
import pytest
import torch

import ember
from tests.optable import assert_raises_like


def _state(g) -> np.ndarray:
    return g.get_state().numpy()


def test_new_generator_matches():
    e, t = ember.Generator(), torch.Generator()
    assert e.initial_seed() == t.initial_seed() == 67280421310721
    assert np.array_equal(_state(e), _state(t))
    assert str(e.device) == str(t.device) == "cpu"
    assert ember.Generator(device="cpu").device == ember.device("cpu")


@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 - 1, 2**32 + 5, 2**63, 2**64 - 1, -1, -(2**63)])
def test_seed_state_bytes(seed):
    e = ember.Generator().manual_seed(seed)
    t = torch.Generator().manual_seed(seed)
    assert e.initial_seed() == t.initial_seed()
    assert np.array_equal(_state(e), _state(t))
    # after draws, including a cached double normal sample, states stay byte-identical
    for draw in (lambda L, g: L.rand(3, generator=g), lambda L, g: L.randn(3, generator=g),
                 lambda L, g: L.randn(3, dtype=L.float64, generator=g),
                 lambda L, g: L.rand(700, generator=g), lambda L, g: L.randint(9, (5,), generator=g)):
        draw(ember, e)
        draw(torch, t)
        assert np.array_equal(_state(e), _state(t))


def test_manual_seed_returns_generator_and_clears_cache():
    g = ember.Generator()
    assert g.manual_seed(3) is g
    ember.randn(1, generator=g)  # caches the second sample
    assert g.get_state().numpy()[5040] == 1
    g.manual_seed(3)
    assert g.get_state().numpy()[5040] == 0
    a = ember.randn(1, generator=g)
    assert a.item() == torch.randn(1, generator=torch.Generator().manual_seed(3)).item()


def test_seed_is_nondeterministic_and_64_bit():
    g = ember.Generator()
    seeds = {g.seed() for _ in range(4)}
    assert len(seeds) == 4
    assert all(0 <= s < 2**64 for s in seeds)
    assert g.initial_seed() in seeds


def test_set_state_round_trip_and_interchange():
    t = torch.Generator().manual_seed(11)
    torch.randn(5, generator=t)
    e = ember.Generator().set_state(ember.from_numpy(t.get_state().numpy().copy()))
    assert np.array_equal(_state(e), _state(t))
    assert ember.randn(50, generator=e).numpy().tobytes() == \
        torch.randn(50, generator=t).numpy().tobytes()


@pytest.mark.parametrize("bad", [
    lambda L: L.Generator().manual_seed(-(2**63) - 1),
    lambda L: L.Generator().manual_seed(2**64),
    lambda L: L.Generator().manual_seed("3"),
    lambda L: L.Generator().manual_seed(1.5),
    lambda L: L.Generator().manual_seed(None),
    lambda L: L.manual_seed(2**64),
    lambda L: L.Generator().set_state(L.zeros(5056, dtype=L.int64)),
    lambda L: L.Generator().set_state(L.zeros(10, dtype=L.uint8)),
    lambda L: L.Generator().set_state(L.zeros(5056, dtype=L.uint8)),
    lambda L: L.set_rng_state(L.zeros(10, dtype=L.uint8)),
    lambda L: L.Generator().get_offset(),
])
def test_errors(bad):
    assert_raises_like(bad)


def test_set_state_wrong_type():
    with pytest.raises(TypeError, match="expected a torch.ByteTensor, but got list"):
        ember.Generator().set_state([1, 2])
