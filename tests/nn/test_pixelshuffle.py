"""PixelShuffle / PixelUnshuffle modules against PyTorch."""

from tests.nn_helpers import same


def test_pixel_shuffle_modules():
    def run(lib):
        ps, pu = lib.nn.PixelShuffle(2), lib.nn.PixelUnshuffle(2)
        x = lib.arange(96.0).reshape(2, 8, 2, 3).requires_grad_(True)
        y = ps(x)
        z = pu(y)
        (z * lib.arange(96.0).reshape(2, 8, 2, 3)).sum().backward()
        return repr(ps), repr(pu), y, z, x.grad

    same(run)
