"""ember.optim.LBFGS against torch.optim.LBFGS: the same iterates, function evaluations and
iteration counts, with and without the strong-Wolfe line search."""

import numpy as np
import pytest
import torch
from optable import assert_raises_like

import ember


def run(lib, line_search_fn, history_size=100, max_iter=4, steps=4, problem="lsq"):
    rng = np.random.default_rng(0)
    if problem == "lsq":
        x = lib.tensor(rng.standard_normal((20, 3)).astype("float32"))
        y = lib.tensor(rng.standard_normal(20).astype("float32"))
        w = lib.nn.Parameter(lib.zeros(3))
        b = lib.nn.Parameter(lib.zeros(1))
        params = [w, b]

        def f():
            return ((x @ w + b - y) ** 2).mean() + 0.1 * (w * w).sum()
    else:  # Rosenbrock, from a hard start
        xy = lib.nn.Parameter(lib.tensor([-1.5, 2.0]))
        params = [xy]

        def f():
            return (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2

    opt = lib.optim.LBFGS(params, lr=1, line_search_fn=line_search_fn,
                          history_size=history_size, max_iter=max_iter)

    def closure():
        opt.zero_grad()
        loss = f()
        loss.backward()
        return loss

    out = []
    for _ in range(steps):
        loss = opt.step(closure).item()
        st = opt.state[params[0]]
        out.append((loss, st["func_evals"], st["n_iter"],
                    np.concatenate([p.detach().numpy().ravel() for p in params])))
    return out, opt


@pytest.mark.parametrize("problem", ["lsq", "rosenbrock"])
@pytest.mark.parametrize("history_size", [100, 2])
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_matches_torch(line_search_fn, history_size, problem):
    steps = 4 if problem == "rosenbrock" else 2
    t, topt = run(torch, line_search_fn, history_size, steps=steps, problem=problem)
    e, eopt = run(ember, line_search_fn, history_size, steps=steps, problem=problem)
    for (tl, tf, tn, tp), (el, ef, en, ep) in zip(t, e):
        assert (ef, en) == (tf, tn)
        np.testing.assert_allclose(el, tl, rtol=1e-4)
        np.testing.assert_allclose(ep, tp, rtol=1e-4, atol=1e-5)
    tst, est = topt.state_dict()["state"][0], eopt.state_dict()["state"][0]
    assert list(est) == list(tst)
    assert [type(v).__name__ for v in est.values()] == [type(v).__name__ for v in tst.values()]


def test_lbfgs_errors():
    def bad_line_search(lib):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.LBFGS([p], line_search_fn="armijo")

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        opt.step(closure)

    assert_raises_like(bad_line_search)


def test_lbfgs_stops_at_optimum():
    def run(lib):
        p = lib.nn.Parameter(lib.zeros(2))
        opt = lib.optim.LBFGS([p])

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        return opt.step(closure).item(), opt.state[p]["n_iter"], opt.state[p]["func_evals"]

    assert run(ember) == run(torch) == (0.0, 0, 1)
