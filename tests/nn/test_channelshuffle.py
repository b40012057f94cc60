"""ChannelShuffle module against PyTorch."""

from tests.nn_helpers import same


def test_channel_shuffle_module():
    def run(lib):
        m = lib.nn.ChannelShuffle(3)
        x = lib.arange(36.0).reshape(1, 6, 2, 3).requires_grad_(True)
        y = m(x)
        (y * lib.arange(36.0).reshape(1, 6, 2, 3)).sum().backward()
        return repr(m), m.groups, y, x.grad

    same(run)
