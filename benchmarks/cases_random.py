"""Random sampling: Ember's bit-exact samplers against PyTorch's (same seed, same numbers)."""

from harness import case


@case("rand 10^7 float32", repeat=7, target=1.5)
def rand_large():
    import torch

    import ember

    return (lambda: ember.rand(10**7)), (lambda: torch.rand(10**7))


@case("randn 10^7 float32", repeat=5, target=1.5)
def randn_large():
    import torch

    import ember

    return (lambda: ember.randn(10**7)), (lambda: torch.randn(10**7))


@case("randn 10^6 float64", repeat=5)
def randn_double():
    import torch

    import ember

    return (lambda: ember.randn(10**6, dtype=ember.float64)), \
        (lambda: torch.randn(10**6, dtype=torch.float64))


@case("randint 0..1000 10^6", repeat=7)
def randint_large():
    import torch

    import ember

    return (lambda: ember.randint(1000, (10**6,))), (lambda: torch.randint(1000, (10**6,)))


@case("bernoulli_(0.5) 10^6 (dropout mask)", repeat=7)
def bernoulli_large():
    import torch

    import ember

    xe, xt = ember.empty(10**6), torch.empty(10**6)
    return (lambda: xe.bernoulli_(0.5)), (lambda: xt.bernoulli_(0.5))


@case("randperm 10^5", repeat=5)
def randperm_mid():
    import torch

    import ember

    return (lambda: ember.randperm(10**5)), (lambda: torch.randperm(10**5))


@case("randn(1, 3, 4, 4) small", repeat=15)
def randn_small():
    import torch

    import ember

    return (lambda: ember.randn(1, 3, 4, 4)), (lambda: torch.randn(1, 3, 4, 4))
