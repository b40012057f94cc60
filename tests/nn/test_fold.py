"""Fold / Unfold modules against PyTorch."""

from tests.nn_helpers import same


def test_fold_unfold_modules():
    def run(lib):
        u = lib.nn.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2))
        f = lib.nn.Fold((5, 6), (2, 3), dilation=2, padding=1, stride=(1, 2))
        x = lib.arange(60.0).reshape(1, 2, 5, 6).requires_grad_(True)
        cols = u(x)
        y = f(cols)
        (y * y).sum().backward()
        return repr(u), repr(f), repr(lib.nn.Fold(4, 2)), repr(lib.nn.Unfold(2)), cols, y, x.grad

    same(run)
