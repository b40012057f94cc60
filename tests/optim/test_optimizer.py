"""ember.optim against torch.optim: every algorithm's parameters after 100 steps (float32 and
float64, several option sets), state_dict layouts, load_state_dict, param groups, hooks,
zero_grad, reprs and errors.

Ember's steps run PyTorch's single-tensor algorithms op for op in the parameter's dtype; the
remaining differences are float32 round-off (PyTorch's CPU kernels fuse some multiply-adds).
"""

import copy
import importlib
import warnings

import numpy as np
import pytest
import torch
from optable import assert_raises_like
from optim_helpers import assert_plain_close, make_params, plain, train

import ember

CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, maximize=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, maximize=True, betas=(0.3, 0.9))),
    ("Adam", dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5,
                     maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, weight_decay=0.1, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.05), maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, t0=10, lambd=0.01, weight_decay=0.1, maximize=True)),
]
NAMES = sorted({name for name, _ in CASES})
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in CASES]


def close(e, t, dtype="float32"):
    rtol, atol = (2e-5, 2e-7) if dtype == "float32" else (1e-12, 1e-14)
    for a, b in zip(e, t):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


# ------------------------------------------------------------------ numbers
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_parameters_after_100_steps(name, kwargs, dtype):
    t, topt, tp = train(torch, name, kwargs, dtype=dtype)
    e, eopt, ep = train(ember, name, kwargs, dtype=dtype)
    close(e, t, dtype)
    # state dtypes and the version counters follow PyTorch's
    for a, b in zip(ep, tp):
        assert a._version == b._version
        for k, v in topt.state[b].items():
            w = eopt.state[a][k]
            assert str(w.dtype) == str(v.dtype) and tuple(w.shape) == tuple(v.shape), k


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_state_dict_layout(name, kwargs):
    """The state_dict (after a few steps) has PyTorch's structure, keys, dtypes and values."""
    _, topt, _ = train(torch, name, kwargs, steps=3)
    _, eopt, _ = train(ember, name, kwargs, steps=3)
    t, e = plain(topt.state_dict()), plain(eopt.state_dict())
    assert_plain_close(e, t)
    assert repr(eopt) == repr(topt)


@pytest.mark.parametrize("name", NAMES)
def test_groups_and_missing_grads(name):
    """Per-group options, and a parameter whose gradient is None (skipped, no state)."""
    kwargs = dict(CASES[[n for n, _ in CASES].index(name)][1])
    group_lr = {"lr": 0.02} if name not in ("Adadelta",) else {"lr": 0.3}
    groups = [((0, 2), group_lr), ((1, 3), {})]
    t, topt, _ = train(torch, name, kwargs, steps=20, groups=groups, skip=1)
    e, eopt, _ = train(ember, name, kwargs, steps=20, groups=groups, skip=1)
    close(e, t)
    assert_plain_close(plain(eopt.state_dict()), plain(topt.state_dict()), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Rprop"])
def test_large_and_noncontiguous_parameters(name):
    """Tensors updated block by block (over 2 blocks of elements) and transposed leaves."""
    kwargs = dict(CASES[[n for n, _ in CASES].index(name)][1])
    if name == "SGD":
        kwargs["momentum"] = 0.9
    shapes = [(400, 350), (7, 5), (50,)]
    t, _, _ = train(torch, name, kwargs, steps=5, shapes=shapes)
    e, _, _ = train(ember, name, kwargs, steps=5, shapes=shapes)
    close(e, t)
    t, _, _ = train(torch, name, kwargs, steps=5, shapes=shapes, noncontig=True)
    e, _, _ = train(ember, name, kwargs, steps=5, shapes=shapes, noncontig=True)
    close(e, t)


def test_training_a_model_with_adam():
    """A small MLP, the same weights (same seed), the same data, 30 Adam steps."""
    def run(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(6, 16), lib.nn.Tanh(), lib.nn.Linear(16, 3))
        rng = np.random.default_rng(1)
        x = lib.tensor(rng.standard_normal((32, 6)).astype("float32"))
        y = lib.tensor(rng.standard_normal((32, 3)).astype("float32"))
        opt = lib.optim.Adam(model.parameters(), lr=1e-2)
        losses = []
        for _ in range(30):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, [p.detach().numpy().copy() for p in model.parameters()]

    (tl, tp), (el, ep) = run(torch), run(ember)
    np.testing.assert_allclose(el, tl, rtol=1e-5)
    close(ep, tp)


def test_tensor_lr():
    for lib in (torch, ember):
        params, coefs = make_params(lib)
        opt = lib.optim.SGD(params, lr=lib.tensor(0.05), momentum=0.9)
        for _ in range(10):
            opt.zero_grad()
            sum((p * c).sum() + (p * p).sum() for p, c in zip(params, coefs)).backward()
            opt.step()
        if lib is torch:
            t = [p.detach().numpy().copy() for p in params]
        else:
            close([p.detach().numpy() for p in params], t)
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        ember.optim.Adam(make_params(ember)[0], lr=ember.tensor([0.1, 0.2]))


# ------------------------------------------------------------------ state_dict / load
@pytest.mark.parametrize("name,kwargs", CASES[::2], ids=IDS[::2])
def test_load_state_dict_resumes_exactly(name, kwargs):
    """Stop after 10 steps, load the state into a new optimizer on copies of the parameters and
    go on: the same parameters as an uninterrupted run (Ember against itself, bit for bit)."""
    full, _, _ = train(ember, name, kwargs, steps=20)
    params, coefs = make_params(ember)
    opt = getattr(ember.optim, name)(params, **kwargs)
    for _ in range(10):
        opt.zero_grad()
        sum((0.2 * (p * c).sin() + 0.5 * p * p + c * p).sum()
            for p, c in zip(params, coefs)).backward()
        opt.step()
    saved = copy.deepcopy(opt.state_dict())
    params2 = [ember.nn.Parameter(p.detach().clone()) for p in params]
    opt2 = getattr(ember.optim, name)(params2, lr=123.0)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for _ in range(10):
        opt2.zero_grad()
        sum((0.2 * (p * c).sin() + 0.5 * p * p + c * p).sum()
            for p, c in zip(params2, coefs)).backward()
        opt2.step()
    for a, b in zip(params2, full):
        np.testing.assert_array_equal(a.detach().numpy(), b)


def test_load_state_dict_casts_and_shares_like_torch():
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(3, dtype=lib.float64))
        opt = lib.optim.Adam([p])
        sd = {"state": {0: {"step": lib.tensor(4.0), "exp_avg": lib.ones(3),
                            "exp_avg_sq": lib.ones(3, dtype=lib.float64)}},
              "param_groups": [dict(opt.state_dict()["param_groups"][0], lr=0.5)]}
        opt.load_state_dict(sd)
        st = opt.state[p]
        assert str(st["step"].dtype) == "torch.float32"  # step keeps its dtype
        assert str(st["exp_avg"].dtype) == "torch.float64"  # cast to the parameter's
        assert st["exp_avg_sq"] is sd["state"][0]["exp_avg_sq"]  # .to() of the same dtype
        assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"][0] is p
        assert sd["param_groups"][0]["params"] == [0]


def test_load_state_dict_errors():
    def fewer_groups(lib):
        p, q = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))
        lib.optim.SGD([{"params": [p]}, {"params": [q]}]).load_state_dict(
            lib.optim.SGD([p, q]).state_dict())

    def group_size(lib):
        p, q = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))
        lib.optim.Adam([{"params": [p, q]}, {"params": [lib.nn.Parameter(lib.ones(1))]}]) \
            .load_state_dict(lib.optim.Adam([{"params": [p]}, {"params": [q]}]).state_dict())

    assert_raises_like(fewer_groups)
    assert_raises_like(group_size)


def test_state_dict_with_param_names_and_shared_indices():
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2)
        opt = lib.optim.SGD(m.named_parameters(), lr=0.1, momentum=0.9)
        m(lib.ones(1, 3)).sum().backward()
        opt.step()
        return plain(opt.state_dict())

    assert_plain_close(fn(ember), fn(torch))


def test_adagrad_state_exists_before_the_first_step():
    def fn(lib):
        return plain(lib.optim.Adagrad(make_params(lib)[0], initial_accumulator_value=0.3)
                     .state_dict())

    assert_plain_close(fn(ember), fn(torch))


def test_deepcopy_keeps_state_and_groups():
    _, opt, params = train(ember, "Adam", dict(lr=0.01), steps=3)
    clone = copy.deepcopy(opt)
    assert len(clone.state) == len(params)
    assert_plain_close(plain(clone.state_dict()), plain(opt.state_dict()))


# ------------------------------------------------------------------ groups, zero_grad, hooks
def test_add_param_group_defaults_and_names():
    def fn(lib):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.SGD([a], lr=0.1, momentum=0.5)
        opt.add_param_group({"params": b, "lr": 0.3})
        return repr(opt), [sorted(g) for g in opt.param_groups]

    assert fn(ember) == fn(torch)

    def mixed_names(lib):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.SGD([("a", a)], lr=0.1)
        opt.add_param_group({"params": [b]})

    assert_raises_like(mixed_names)


def test_duplicate_parameters_warn_in_one_group():
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(2))
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([p, p], lr=0.1)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")
@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    def fn(lib):
        p = lib.nn.Parameter(lib.ones(2))
        q = lib.nn.Parameter(lib.ones(2))
        (p * 3).sum().backward(create_graph=True)  # a grad with a grad_fn
        opt = lib.optim.SGD([p, q], lr=0.1)
        opt.zero_grad(set_to_none=set_to_none)
        return (None if p.grad is None else (p.grad.tolist(), p.grad.requires_grad,
                                             p.grad.grad_fn is None), q.grad)

    assert fn(ember) == fn(torch)


def test_step_hooks():
    def fn(lib):
        calls = []
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", a[1:], k)))
        h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(("post", a[1:], sorted(k))))
        mod = importlib.import_module(lib.__name__ + ".optim.optimizer")
        g1 = mod.register_optimizer_step_pre_hook(lambda o, a, k: calls.append("global pre"))
        g2 = mod.register_optimizer_step_post_hook(
            lambda o, a, k: calls.append("global post"))

        def swap(o, a, k):  # a pre hook may replace the arguments
            return a, {"closure": lambda: calls.append("closure") or 7.0}

        h3 = opt.register_step_pre_hook(swap)
        p.grad = lib.ones(2)
        out = opt.step()
        for h in (h1, h2, h3, g1, g2):
            h.remove()
        opt.step()
        return calls, out, p.tolist()

    assert fn(ember) == fn(torch)


def test_pre_hook_bad_return():
    p = ember.nn.Parameter(ember.ones(2))
    opt = ember.optim.SGD([p], lr=0.1)
    opt.register_step_pre_hook(lambda o, a, k: 3)
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt.step()


def test_closure_runs_with_grad_and_returns_loss():
    def fn(lib):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.Adam([p], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        with lib.no_grad():
            loss = opt.step(closure)
        return loss.item(), p.tolist()

    assert fn(ember) == fn(torch)


def test_state_dict_hooks():
    def fn(lib):
        calls = []
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        opt.register_state_dict_pre_hook(lambda o: calls.append("pre"))
        opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
        opt.register_load_state_dict_pre_hook(lambda o, sd: calls.append("load pre"))
        opt.register_load_state_dict_post_hook(lambda o: calls.append("load post"), prepend=True)
        sd = opt.state_dict()
        opt.load_state_dict(sd)
        return calls, sorted(sd)

    assert fn(ember) == fn(torch)


# ------------------------------------------------------------------ errors and reprs
def test_errors_like_torch():
    def P(lib, n=2):
        return lib.nn.Parameter(lib.zeros(n))

    cases = [
        lambda lib: lib.optim.SGD(P(lib)),
        lambda lib: lib.optim.SGD([]),
        lambda lib: lib.optim.Adam([lib.zeros(2, requires_grad=True) * 2]),
        lambda lib: (lambda p: lib.optim.SGD([{"params": [p]}, {"params": p}]))(P(lib)),
        lambda lib: (lambda p: lib.optim.SGD([p]).add_param_group({"params": [p]}))(P(lib)),
        lambda lib: lib.optim.SGD([P(lib)]).add_param_group([P(lib)]),
        lambda lib: lib.optim.SGD([{"params": {P(lib)}}]),
        lambda lib: lib.optim.SGD([1.0]),
        lambda lib: lib.optim.SGD([("a", P(lib)), P(lib)]),
        lambda lib: lib.optim.SGD([P(lib)], lr=-1),
        lambda lib: lib.optim.SGD([P(lib)], momentum=-1),
        lambda lib: lib.optim.SGD([P(lib)], weight_decay=-1),
        lambda lib: lib.optim.SGD([P(lib)], nesterov=True),
        lambda lib: lib.optim.SGD([P(lib)], fused=True, foreach=True),
        lambda lib: lib.optim.Adam([P(lib)], betas=(1.0, 0.9)),
        lambda lib: lib.optim.Adam([P(lib)], betas=(0.9, 1)),
        lambda lib: lib.optim.Adam([P(lib)], betas=(0.9, lib.tensor(0.99))),
        lambda lib: lib.optim.Adam([P(lib)], eps=-1),
        lambda lib: lib.optim.AdamW([P(lib)], weight_decay=-1),
        lambda lib: lib.optim.Adamax([P(lib)], betas=(0.9, 2.0)),
        lambda lib: lib.optim.NAdam([P(lib)], momentum_decay=-1),
        lambda lib: lib.optim.RAdam([P(lib)], lr=-0.1),
        lambda lib: lib.optim.RMSprop([P(lib)], alpha=-1),
        lambda lib: lib.optim.RMSprop([P(lib)], momentum=-1),
        lambda lib: lib.optim.Adagrad([P(lib)], lr_decay=-1),
        lambda lib: lib.optim.Adagrad([P(lib)], initial_accumulator_value=-1),
        lambda lib: lib.optim.Adadelta([P(lib)], rho=1.5),
        lambda lib: lib.optim.Rprop([P(lib)], etas=(1.5, 0.5)),
        lambda lib: lib.optim.ASGD([P(lib)], weight_decay=-1),
        lambda lib: lib.optim.LBFGS([{"params": [P(lib)]}, {"params": [P(lib)]}]),
        lambda lib: lib.optim.LBFGS([P(lib)], lr=-1),
    ]
    for fn in cases:
        assert_raises_like(fn)


def test_capturable_on_cpu_asserts_like_torch():
    def fn(lib):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.Adam([p], capturable=True)
        p.grad = lib.ones(2)
        opt.step()

    assert_raises_like(fn)


def test_differentiable_is_refused():
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        ember.optim.SGD([ember.nn.Parameter(ember.ones(2))], differentiable=True)


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
def test_repr(name):
    def fn(lib):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(2))
        if name == "LBFGS":
            return repr(lib.optim.LBFGS([a, b]))
        return repr(getattr(lib.optim, name)([{"params": [a]}, {"params": [b], "lr": 0.5}]))

    assert fn(ember) == fn(torch)


def test_no_warnings_in_a_plain_step():
    p = ember.nn.Parameter(ember.ones(2))
    opt = ember.optim.Adam([p])
    p.grad = ember.ones(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()


def test_user_defined_optimizer():
    """An Optimizer subclass written with tensor ops, as in PyTorch's tutorials."""
    def run(lib):
        class MySGD(lib.optim.Optimizer):
            def __init__(self, params, lr=0.1, decay=0.0):
                super().__init__(params, dict(lr=lr, decay=decay))

            @lib.no_grad()
            def step(self, closure=None):
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is None:
                            continue
                        state = self.state[p]
                        state["n"] = state.get("n", 0) + 1
                        p.mul_(1 - group["decay"]).add_(p.grad, alpha=-group["lr"])

        params, coefs = make_params(lib)
        opt = MySGD([{"params": params[:2]}, {"params": params[2:], "lr": 0.05}], decay=0.01)
        calls = []
        opt.register_step_post_hook(lambda o, a, k: calls.append(len(o.state)))
        for _ in range(5):
            opt.zero_grad()
            sum((p * p * c).sum() for p, c in zip(params, coefs)).backward()
            opt.step()
        return [p.detach().numpy().copy() for p in params], calls, repr(opt), opt.state_dict()

    (tp, tc, tr, ts), (ep, ec, er, es) = run(torch), run(ember)
    close(ep, tp)
    assert (ec, er.replace("MySGD", "X")) == (tc, tr.replace("MySGD", "X"))
    assert_plain_close(plain(es), plain(ts))


@pytest.mark.parametrize("name", ["Adam", "NAdam", "ASGD", "Adagrad", "RMSprop"])
def test_step_dtype_follows_default_dtype(name):
    def fn(lib):
        old = lib.get_default_dtype()
        lib.set_default_dtype(lib.float64)
        try:
            p = lib.nn.Parameter(lib.ones(2))
            opt = getattr(lib.optim, name)([p])
            p.grad = lib.ones(2)
            opt.step()
            return plain(opt.state_dict())
        finally:
            lib.set_default_dtype(old)

    assert_plain_close(fn(ember), fn(torch))
