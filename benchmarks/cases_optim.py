"""Benchmarks of the optimizers: one ``step()`` over the parameters of the issue's MLP and CNN
(gradients already in place), and gradient clipping."""

from harness import case

MLP = [(256, 784), (256,), (128, 256), (128,), (10, 128), (10,)]
CNN = [(32, 1, 3, 3), (32,), (64, 32, 3, 3), (64,), (128, 3136), (128,), (10, 128), (10,)]


def _params(shapes):
    import numpy as np
    import torch

    import ember

    rng = np.random.default_rng(0)
    data = [(rng.standard_normal(s).astype("float32"), rng.standard_normal(s).astype("float32"))
            for s in shapes]
    out = []
    for lib in (ember, torch):
        ps = []
        for w, g in data:
            p = lib.nn.Parameter(lib.from_numpy(w.copy()))
            p.grad = lib.from_numpy(g.copy())
            ps.append(p)
        out.append(ps)
    return out


def _step_case(name, shapes, **kwargs):
    import torch

    import ember

    pe, pt = _params(shapes)
    oe = getattr(ember.optim, name)(pe, **kwargs)
    ot = getattr(torch.optim, name)(pt, **kwargs)
    return oe.step, ot.step


@case("optim: Adam step, MLP 784-256-128-10 parameters")
def adam_mlp():
    return _step_case("Adam", MLP, lr=1e-3)


@case("optim: SGD momentum step, CNN parameters")
def sgd_cnn():
    return _step_case("SGD", CNN, lr=0.01, momentum=0.9)


@case("optim: AdamW step, CNN parameters")
def adamw_cnn():
    return _step_case("AdamW", CNN, lr=1e-3)


@case("optim: RMSprop step, 50 small parameters")
def rmsprop_small():
    return _step_case("RMSprop", [(16,)] * 50, lr=1e-3)


@case("nn.utils: clip_grad_norm_, MLP gradients")
def clip_mlp():
    import torch

    import ember

    pe, pt = _params(MLP)
    return (lambda: ember.nn.utils.clip_grad_norm_(pe, 1e9),
            lambda: torch.nn.utils.clip_grad_norm_(pt, 1e9))
