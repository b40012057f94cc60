"""cosine_similarity, pairwise_distance and cdist against PyTorch: values, gradients,
broadcasting, integer inputs, grad_fn names and errors."""

import numpy as np
import pytest

from tests.optable import OpCase, assert_raises_like, check_case, gradcheck_case, make


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cosine_similarity(dtype):
    a, b = make((4, 5), dtype), make((4, 5), dtype)
    check_case(OpCase("cos", lambda lib, a, b: F(lib).cosine_similarity(a, b), [a, b]))
    check_case(OpCase("cos_dim0", lambda lib, a, b: lib.cosine_similarity(a, b, dim=0, eps=0.5),
                      [a, b]))
    check_case(OpCase("cos_bcast", lambda lib, a, b: F(lib).cosine_similarity(a, b, dim=-1),
                      [a, make((5,), dtype)]))
    check_case(OpCase("cos_zero", lambda lib, a, b: F(lib).cosine_similarity(a, b),
                      [np.zeros((3, 4), dtype), b[:3, :4]]))
    check_case(OpCase("cos_int", lambda lib, a, b: F(lib).cosine_similarity(a, b),
                      [np.arange(12).reshape(3, 4), make((3, 4), dtype)]))


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf"), 0.5])
def test_pairwise_distance(p):
    a, b = make((4, 5)), make((4, 5))
    check_case(OpCase("pd", lambda lib, a, b: F(lib).pairwise_distance(a, b, p=p), [a, b],
                      rtol=1e-4))
    check_case(OpCase("pd_keep", lambda lib, a, b: lib.pairwise_distance(a, b, p, 1e-3, True),
                      [a, make((5,))], rtol=1e-4))


def test_pairwise_distance_shapes():
    check_case(OpCase("pd_1d", lambda lib, a, b: F(lib).pairwise_distance(a, b),
                      [make((5,)), make((5,))]))
    check_case(OpCase("pd_0d", lambda lib, a, b: F(lib).pairwise_distance(a, b),
                      [make(()), make(())]))
    check_case(OpCase("pd_int", lambda lib, a, b: F(lib).pairwise_distance(a, b),
                      [np.arange(6).reshape(2, 3), np.ones((2, 3), np.int64)]))


@pytest.mark.parametrize("p", [2.0, 1.0, 1.5, 0.0, float("inf")])
def test_cdist(p):
    a, b = make((2, 4, 3)), make((2, 5, 3))
    check_case(OpCase("cdist", lambda lib, a, b: lib.cdist(a, b, p=p), [a, b], rtol=1e-4))


def test_gradcheck():
    a, b = make((3, 4), "float64"), make((3, 4), "float64")
    gradcheck_case(OpCase("cos", lambda lib, a, b: F(lib).cosine_similarity(a, b), [a, b]),
                   second_order=True)
    gradcheck_case(OpCase("pd", lambda lib, a, b: F(lib).pairwise_distance(a, b), [a, b]),
                   second_order=True)
    gradcheck_case(OpCase("cdist", lambda lib, a, b: lib.cdist(a, b), [a, b[:2]]))


ERRORS = [
    lambda lib: F(lib).cosine_similarity(lib.ones(2, 3), lib.ones(4, 3)),
    lambda lib: F(lib).cosine_similarity(lib.ones(2, 3, dtype=lib.long),
                                         lib.ones(2, 3, dtype=lib.long)),
    lambda lib: F(lib).cosine_similarity(lib.ones(2, 3), lib.ones(2, 3), dim=2),
    lambda lib: F(lib).pairwise_distance(lib.ones(2, 3), lib.ones(4, 3)),
    lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(4, 2)),
    lambda lib: lib.cdist(lib.ones(3), lib.ones(4, 3)),
    lambda lib: lib.cdist(lib.ones(2, 3, dtype=lib.long), lib.ones(4, 3, dtype=lib.long)),
    lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(4, 3), p=-1),
]


@pytest.mark.parametrize("fn", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn):
    assert_raises_like(fn)
