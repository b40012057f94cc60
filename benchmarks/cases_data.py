"""Benchmarks of data loading: a DataLoader epoch over an MNIST-sized TensorDataset."""

from harness import case


def _loaders(shuffle):
    import numpy as np
    import torch

    import ember

    rng = np.random.default_rng(0)
    x = rng.standard_normal((60000, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 60000)
    de = ember.utils.data.TensorDataset(ember.from_numpy(x), ember.from_numpy(y))
    dt = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    le = ember.utils.data.DataLoader(de, batch_size=64, shuffle=shuffle)
    lt = torch.utils.data.DataLoader(dt, batch_size=64, shuffle=shuffle)

    def epoch(loader):
        def run():
            for _ in loader:
                pass

        return run

    return epoch(le), epoch(lt)


@case("DataLoader epoch: TensorDataset 60000x1x28x28, batch 64", repeat=3, number=1)
def dataloader_epoch():
    return _loaders(shuffle=False)


@case("DataLoader epoch: TensorDataset 60000x1x28x28, batch 64, shuffle", repeat=3, number=1)
def dataloader_epoch_shuffle():
    return _loaders(shuffle=True)
