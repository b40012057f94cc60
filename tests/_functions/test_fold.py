"""F.unfold (im2col) and F.fold (col2im) against PyTorch: values, gradients, unbatched input,
double backward, grad_fn names and error messages."""

import pytest

from tests.optable import OpCase, assert_raises_like, check_case, gradcheck_case, make


def F(lib):
    return lib.nn.functional


UNFOLD = [((2, 3, 5, 6), dict(kernel_size=2)),
          ((2, 3, 5, 6), dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))),
          ((3, 5, 6), dict(kernel_size=3, padding=1)),
          ((0, 3, 5, 6), dict(kernel_size=2))]


@pytest.mark.parametrize("shape,kw", UNFOLD, ids=[str(i) for i in range(len(UNFOLD))])
def test_unfold_fold(shape, kw):
    x = make(shape, "float32")
    check_case(OpCase("unfold", lambda lib, x: F(lib).unfold(x, **kw), [x]))
    check_case(OpCase("fold_of_unfold", lambda lib, x: F(lib).fold(
        F(lib).unfold(x, **kw), shape[-2:], **kw), [x]))
    import torch
    blocks = torch.nn.functional.unfold(torch.zeros(shape), **kw).shape
    y = make(tuple(blocks), "float32")
    check_case(OpCase("fold", lambda lib, y: F(lib).fold(y, shape[-2:], **kw), [y]))


def test_gradcheck_and_names():
    x = make((1, 2, 4, 4), "float64")
    gradcheck_case(OpCase("unfold", lambda lib, x: F(lib).unfold(x, 2, padding=1, stride=2), [x]),
                   second_order=True)
    y = make((1, 8, 4), "float64")
    gradcheck_case(OpCase("fold", lambda lib, y: F(lib).fold(y, 3, 2), [y]), second_order=True)
    import ember
    t = ember.ones(1, 2, 3, 3, requires_grad=True)
    assert F(ember).unfold(t, 2).grad_fn.name() == "Im2ColBackward0"
    assert F(ember).fold(F(ember).unfold(t, 2), 3, 2).grad_fn.name() == "Col2ImBackward0"


ERRORS = [
    lambda lib: F(lib).unfold(lib.ones(3, 5), 2),
    lambda lib: F(lib).unfold(lib.ones(1, 3, 5, 5, 5), 2),
    lambda lib: F(lib).unfold(lib.ones(2, 3, 5, 5), 6),
    lambda lib: F(lib).unfold(lib.ones(2, 3, 5, 5), 2, stride=0),
    lambda lib: F(lib).unfold(lib.ones(2, 3, 5, 5), 0),
    lambda lib: F(lib).unfold(lib.ones(2, 3, 5, 5), 2, dilation=0),
    lambda lib: F(lib).unfold(lib.ones(2, 3, 5, 5), 2, padding=-1),
    lambda lib: F(lib).unfold(lib.ones(2, 3, 5, 5), (2, 2, 2)),
    lambda lib: F(lib).unfold(lib.ones(2, 0, 5, 5), 2),
    lambda lib: F(lib).unfold(lib.ones(2, 3, 5, 5, dtype=lib.long), 2),
    lambda lib: F(lib).fold(lib.ones(2, 12, 15), 5, 2),
    lambda lib: F(lib).fold(lib.ones(2, 13, 16), 5, 2),
    lambda lib: F(lib).fold(lib.ones(2, 12, 16, 1), 5, 2),
    lambda lib: F(lib).fold(lib.ones(2, 12, 16), (5, 5, 5), 2),
    lambda lib: F(lib).fold(lib.ones(2, 12, 16), 5, 0),
    lambda lib: F(lib).fold(lib.ones(2, 12, 16), 5, 2, stride=0),
    lambda lib: F(lib).fold(lib.ones(2, 12, 16), 1, 2),
    lambda lib: F(lib).fold(lib.ones(2, 12, 16, dtype=lib.long), 5, 2),
    lambda lib: F(lib).fold(lib.ones(2, 0, 16), 5, 2),
]


@pytest.mark.parametrize("fn", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn):
    assert_raises_like(fn)
