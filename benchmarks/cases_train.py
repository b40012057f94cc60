"""Whole training steps, as issue 5 names them: an MLP with Adam and a small CNN with SGD."""

from harness import case


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def _cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def _step_fn(lib, model, opt, x, y):
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def _setup(build, make_opt, shape):
    import numpy as np
    import torch

    import ember

    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.integers(0, 10, shape[0])
    fns = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        model = build(lib)
        opt = make_opt(lib, model)
        fns.append(_step_fn(lib, model, opt, lib.from_numpy(x.copy()), lib.from_numpy(y.copy())))
    return fns[0], fns[1]


@case("MLP step 784-256-128-10, batch 64, Adam", repeat=15, target=1.0)
def mlp_step():
    return _setup(_mlp, lambda lib, m: lib.optim.Adam(m.parameters(), lr=1e-3), (64, 784))


@case("CNN step (conv-relu-pool x2, 2 linears), batch 64, SGD momentum", repeat=7,
      target=1.0)
def cnn_step():
    return _setup(_cnn, lambda lib, m: lib.optim.SGD(m.parameters(), lr=0.01, momentum=0.9),
                  (64, 1, 28, 28))
