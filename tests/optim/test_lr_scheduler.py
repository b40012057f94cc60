"""ember.optim.lr_scheduler against torch.optim.lr_scheduler: learning-rate (and momentum)
sequences over many epochs, state_dicts, resuming, warnings and errors."""

import math
import warnings

import numpy as np
import pytest
import torch
from optable import assert_raises_like
from optim_helpers import assert_plain_close, plain

import ember


def S(lib):
    return lib.optim.lr_scheduler


def make_opt(lib, name="SGD", lrs=(0.1, 0.03)):
    groups = [{"params": [lib.nn.Parameter(lib.ones(2))], "lr": lr} for lr in lrs]
    if name == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return getattr(lib.optim, name)(groups)


SCHEDULERS = {
    "LambdaLR": lambda lib, o: S(lib).LambdaLR(o, lambda e: 0.95**e),
    "LambdaLR-list": lambda lib, o: S(lib).LambdaLR(o, [lambda e: 0.9**e, lambda e: 1 / (1 + e)]),
    "MultiplicativeLR": lambda lib, o: S(lib).MultiplicativeLR(o, lambda e: 0.95),
    "StepLR": lambda lib, o: S(lib).StepLR(o, 3, 0.5),
    "MultiStepLR": lambda lib, o: S(lib).MultiStepLR(o, [3, 7, 7, 20], 0.5),
    "ConstantLR": lambda lib, o: S(lib).ConstantLR(o),
    "ConstantLR-0.5": lambda lib, o: S(lib).ConstantLR(o, 0.5, total_iters=10),
    "LinearLR": lambda lib, o: S(lib).LinearLR(o, 0.2, 1.0, 10),
    "LinearLR-down": lambda lib, o: S(lib).LinearLR(o, 1.0, 0.1, 25),
    "ExponentialLR": lambda lib, o: S(lib).ExponentialLR(o, 0.9),
    "PolynomialLR": lambda lib, o: S(lib).PolynomialLR(o, 10, 2.0),
    "CosineAnnealingLR": lambda lib, o: S(lib).CosineAnnealingLR(o, 7, 0.01),
    "CosineAnnealingLR-long": lambda lib, o: S(lib).CosineAnnealingLR(o, 50),
    "CosineAnnealingWarmRestarts": lambda lib, o: S(lib).CosineAnnealingWarmRestarts(o, 4, 2,
                                                                                    0.001),
    "CosineAnnealingWarmRestarts-1": lambda lib, o: S(lib).CosineAnnealingWarmRestarts(o, 5),
    "CyclicLR-triangular": lambda lib, o: S(lib).CyclicLR(o, 0.01, 0.1, 4),
    "CyclicLR-triangular2": lambda lib, o: S(lib).CyclicLR(o, [0.01, 0.02], 0.1, 4, 6,
                                                           mode="triangular2"),
    "CyclicLR-exp_range": lambda lib, o: S(lib).CyclicLR(o, 0.01, 0.1, 5, mode="exp_range",
                                                         gamma=0.97),
    "CyclicLR-scale_fn": lambda lib, o: S(lib).CyclicLR(o, 0.01, 0.1, 3, scale_fn=lambda x: 0.5,
                                                        scale_mode="iterations",
                                                        cycle_momentum=False),
    "OneCycleLR": lambda lib, o: S(lib).OneCycleLR(o, 0.5, total_steps=61),
    "OneCycleLR-linear-3": lambda lib, o: S(lib).OneCycleLR(o, [0.5, 0.2], epochs=5,
                                                            steps_per_epoch=13,
                                                            anneal_strategy="linear",
                                                            three_phase=True),
    "SequentialLR": lambda lib, o: S(lib).SequentialLR(
        o, [S(lib).LinearLR(o, 0.1, total_iters=5), S(lib).ExponentialLR(o, 0.9)], [5]),
    "SequentialLR-3": lambda lib, o: S(lib).SequentialLR(
        o, [S(lib).ConstantLR(o, 0.5, 3), S(lib).CosineAnnealingLR(o, 10),
            S(lib).StepLR(o, 4, 0.7)], [4, 20]),
    "ChainedScheduler": lambda lib, o: S(lib).ChainedScheduler(
        [S(lib).ConstantLR(o, 0.5, 4), S(lib).ExponentialLR(o, 0.9)]),
}


def sequence(lib, make, n=60, opt_name="SGD", keys=("lr",)):
    opt = make_opt(lib, opt_name)
    sched = make(lib, opt)
    out = [[g.get(k) for g in opt.param_groups for k in keys]]
    for _ in range(n):
        opt.step()
        sched.step()
        out.append([g.get(k) for g in opt.param_groups for k in keys] + sched.get_last_lr())
    return out, sched, opt


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_lr_sequence_and_state_dict(name):
    t, ts, _ = sequence(torch, SCHEDULERS[name], keys=("lr", "momentum"))
    e, es, _ = sequence(ember, SCHEDULERS[name], keys=("lr", "momentum"))
    assert e == t  # exactly: the same Python float arithmetic
    assert_plain_close(plain(strip(es.state_dict())), plain(strip(ts.state_dict())))


@pytest.mark.parametrize("name", ["CyclicLR-triangular", "OneCycleLR"])
def test_cycle_momentum_with_adam_betas(name):
    t, _, _ = sequence(torch, SCHEDULERS[name], n=40, opt_name="Adam", keys=("lr", "betas"))
    e, _, _ = sequence(ember, SCHEDULERS[name], n=40, opt_name="Adam", keys=("lr", "betas"))
    assert e == t


def strip(sd):
    """State dicts without the (unpicklable, identity-compared) functions."""
    out = {}
    for k, v in sd.items():
        if callable(v) or k in ("_scale_fn_ref",):
            continue
        if k == "_schedulers":
            v = [strip(s) for s in v]
        out[k] = v
    return out


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR", "SequentialLR",
                                  "CyclicLR-triangular2", "CosineAnnealingWarmRestarts",
                                  "LambdaLR", "ChainedScheduler"])
def test_resume_from_state_dicts(name):
    """Save the optimizer and scheduler at epoch 20, build new ones, load, go on: the same
    learning rates as an uninterrupted run."""
    full, _, _ = sequence(ember, SCHEDULERS[name], n=40)
    _, sched, opt = sequence(ember, SCHEDULERS[name], n=20)
    osd, ssd = opt.state_dict(), sched.state_dict()
    opt2 = make_opt(ember)
    sched2 = SCHEDULERS[name](ember, opt2)
    sched2.load_state_dict(ssd)
    opt2.load_state_dict(osd)
    rest = []
    for _ in range(20):
        opt2.step()
        sched2.step()
        rest.append([g["lr"] for g in opt2.param_groups] + sched2.get_last_lr())
    assert [r[:4] for r in rest] == [r[:4] for r in full[21:]]


def test_reduce_lr_on_plateau():
    metrics = [1.0, 0.9, 0.9, 0.9, 0.95, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.8] * 3

    def run(lib, **kw):
        opt = make_opt(lib)
        sched = S(lib).ReduceLROnPlateau(opt, **kw)
        out = []
        for m in metrics:
            opt.step()
            sched.step(m if kw.get("mode", "min") == "min" else -m)
            out.append(sched.get_last_lr() + [sched.num_bad_epochs, sched.cooldown_counter])
        return out, sched

    for kw in [dict(patience=2), dict(patience=1, cooldown=2, factor=0.5),
               dict(mode="max", patience=1, threshold=0.05),
               dict(threshold_mode="abs", threshold=0.01, patience=0, min_lr=[0.05, 0.001]),
               dict(patience=0, min_lr=0.02, eps=1e-3)]:
        (t, ts), (e, es) = run(torch, **kw), run(ember, **kw)
        assert e == t, kw
        assert_plain_close(plain(es.state_dict()), plain(ts.state_dict()))


def test_epoch_argument_uses_closed_form_and_warns():
    def run(lib):
        opt = make_opt(lib)
        sched = S(lib).StepLR(opt, 3, 0.5)
        out = []
        for epoch in [5, 2, 9, 9, 14]:
            opt.step()
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                sched.step(epoch)
            out.append((sched.get_last_lr(), [str(x.message) for x in w]))
        return out

    assert run(ember) == run(torch)


def test_warmrestarts_with_epochs():
    def run(lib):
        opt = make_opt(lib)
        sched = S(lib).CosineAnnealingWarmRestarts(opt, 3, 2)
        out = []
        for epoch in np.arange(0, 20, 0.4):
            opt.step()
            sched.step(float(epoch))
            out.append(sched.get_last_lr())
        return out

    assert run(ember) == run(torch)


def caught(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(x.category.__name__, str(x.message)) for x in w]


def test_warnings_like_torch():
    def before(lib):  # scheduler.step() before optimizer.step()
        opt = make_opt(lib)
        sched = S(lib).StepLR(opt, 2)
        return caught(sched.step) + caught(sched.step)

    def overridden(lib):  # optimizer.step replaced after the scheduler was built
        opt = make_opt(lib)
        sched = S(lib).StepLR(opt, 2)
        opt.step = lambda: None
        return caught(sched.step)

    def get_lr_outside(lib):
        opt = make_opt(lib)
        sched = S(lib).ExponentialLR(opt, 0.5)
        return caught(sched.get_lr)

    def in_order(lib):
        opt = make_opt(lib)
        sched = S(lib).StepLR(opt, 2)
        opt.step()
        return caught(sched.step)

    for fn in (before, overridden, get_lr_outside, in_order):
        assert fn(ember) == fn(torch), fn.__name__
    assert before(ember) and overridden(ember) and get_lr_outside(ember) and not in_order(ember)


def test_tensor_lr_is_filled_in_place():
    def run(lib):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.Adam([p], lr=lib.tensor(0.1))
        lr = opt.param_groups[0]["lr"]
        sched = S(lib).ExponentialLR(opt, 0.5)
        for _ in range(3):
            opt.step()
            sched.step()
        return opt.param_groups[0]["lr"] is lr, float(lr), [float(x) for x in sched.get_last_lr()]

    assert run(ember) == run(torch)


def test_errors_like_torch():
    cases = [
        lambda lib: S(lib).StepLR(object(), 3),
        lambda lib: S(lib).StepLR(make_opt(lib), 3, last_epoch=4),
        lambda lib: S(lib).LambdaLR(make_opt(lib), [lambda e: 1.0]),
        lambda lib: S(lib).MultiplicativeLR(make_opt(lib), [1.0, 2.0]),
        lambda lib: S(lib).ConstantLR(make_opt(lib), factor=1.5),
        lambda lib: S(lib).LinearLR(make_opt(lib), start_factor=0),
        lambda lib: S(lib).LinearLR(make_opt(lib), end_factor=2),
        lambda lib: S(lib).CosineAnnealingWarmRestarts(make_opt(lib), 0),
        lambda lib: S(lib).CosineAnnealingWarmRestarts(make_opt(lib), 2, T_mult=0),
        lambda lib: S(lib).CosineAnnealingWarmRestarts(make_opt(lib), 2, eta_min="a"),
        lambda lib: S(lib).CyclicLR(make_opt(lib), 0.1, 1.0, mode="wave"),
        lambda lib: S(lib).CyclicLR(make_opt(lib, "Adagrad"), 0.1, 1.0),
        lambda lib: S(lib).CyclicLR(make_opt(lib), [0.1], 1.0),
        lambda lib: S(lib).OneCycleLR(make_opt(lib), 0.1),
        lambda lib: S(lib).OneCycleLR(make_opt(lib), 0.1, total_steps=0),
        lambda lib: S(lib).OneCycleLR(make_opt(lib), 0.1, epochs=2, steps_per_epoch=-1),
        lambda lib: S(lib).OneCycleLR(make_opt(lib), 0.1, total_steps=10, pct_start=2.0),
        lambda lib: S(lib).OneCycleLR(make_opt(lib), 0.1, total_steps=10,
                                      anneal_strategy="exp"),
        lambda lib: S(lib).ReduceLROnPlateau(make_opt(lib), factor=1.0),
        lambda lib: S(lib).ReduceLROnPlateau(make_opt(lib), mode="avg"),
        lambda lib: S(lib).ReduceLROnPlateau(make_opt(lib), threshold_mode="x"),
        lambda lib: S(lib).ReduceLROnPlateau(make_opt(lib), min_lr=[0.1]),
        lambda lib: S(lib).SequentialLR(make_opt(lib), [], []),
        lambda lib: (lambda o: S(lib).SequentialLR(o, [S(lib).StepLR(o, 2)], [3]))(make_opt(lib)),
        lambda lib: (lambda o: S(lib).SequentialLR(
            o, [S(lib).ReduceLROnPlateau(o), S(lib).StepLR(o, 2)], [3]))(make_opt(lib)),
        lambda lib: S(lib).ChainedScheduler([]),
        lambda lib: S(lib).ChainedScheduler([object()]),
    ]
    for fn in cases:
        assert_raises_like(fn)

    def too_many_steps(lib):
        opt = make_opt(lib)
        sched = S(lib).OneCycleLR(opt, 0.1, total_steps=3)
        for _ in range(4):
            opt.step()
            sched.step()

    assert_raises_like(too_many_steps)


def test_resume_with_last_epoch():
    def run(lib):
        opt = make_opt(lib)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
        sched = S(lib).CosineAnnealingLR(opt, 20, last_epoch=5)
        out = [sched.get_last_lr()]
        for _ in range(5):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
        return out

    assert run(ember) == run(torch)
    assert all(math.isfinite(x) for row in run(ember) for x in row)
