"""Benchmarks of the Module machinery: the cost of calling modules (hooks checked, no work)."""

from harness import case


@case("Sequential of 20 Identity: call", repeat=7)
def sequential_identity_call():
    import torch

    import ember

    se = ember.nn.Sequential(*[ember.nn.Identity() for _ in range(20)])
    st = torch.nn.Sequential(*[torch.nn.Identity() for _ in range(20)])
    xe, xt = ember.ones(2), torch.ones(2)
    return (lambda: se(xe)), (lambda: st(xt))


@case("Module tree: named_parameters + state_dict (50 Linear)", repeat=7)
def module_tree_traversal():
    import torch

    import ember

    def build(lib):
        return lib.nn.Sequential(*[lib.nn.Sequential(lib.nn.Linear(4, 4), lib.nn.ReLU())
                                   for _ in range(50)])

    me, mt = build(ember), build(torch)

    def run_e():
        list(me.named_parameters())
        me.state_dict()

    def run_t():
        list(mt.named_parameters())
        mt.state_dict()

    return run_e, run_t
