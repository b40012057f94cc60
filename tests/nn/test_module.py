"""``nn.Module`` against PyTorch: registration, traversal, state_dict, hooks, modes, reprs,
errors. Each test runs the same code under both libraries and compares."""

import copy
import pickle
import warnings

import numpy as np
import pytest
import torch
from nn_helpers import make_classes, same
from optable import assert_raises_like

import ember

# ---------------------------------------------------------------------- registration


def test_registration_order_and_names():
    def fn(lib):
        Lin, Block, Act, Net = make_classes(lib)
        net = Net()
        return (
            [n for n, _ in net.named_parameters()],
            [n for n, _ in net.named_buffers()],
            [n for n, _ in net.named_modules()],
            [n for n, _ in net.named_children()],
            [type(m).__name__ for m in net.modules()],
            [type(m).__name__ for m in net.children()],
            [n for n, _ in net.named_parameters(prefix="model")],
            [n for n, _ in net.named_parameters(recurse=False)],
            [n for n, _ in net.inp.named_parameters(recurse=False)],
            [n for n, _ in net.named_buffers(prefix="p", recurse=True)],
            [n for n, _ in net.named_modules(prefix="root")],
            list(net.inp._parameters), list(net.head._parameters),
            net.head.bias,
            sorted(net.inp._non_persistent_buffers_set),
        )

    same(fn)


def test_parameters_are_the_registered_objects():
    for lib in (torch, ember):
        Lin, Block, Act, Net = make_classes(lib)
        net = Net()
        params = list(net.parameters())
        assert params[0] is net.inp.weight
        assert net.inp.__dict__.get("weight") is None  # stored in _parameters, not __dict__
        assert net.inp._parameters["weight"] is net.inp.weight
        assert isinstance(net.inp.weight, lib.nn.Parameter)
        assert net.blocks[0].fc is net.blocks._modules["0"].fc


def test_shared_parameters_and_remove_duplicate():
    def fn(lib):
        Lin, *_ = make_classes(lib)
        a = Lin(2, 2)
        seq = lib.nn.Sequential(a, a, Lin(2, 2))
        seq[2].weight = a.weight
        return (
            [n for n, _ in seq.named_parameters()],
            [n for n, _ in seq.named_parameters(remove_duplicate=False)],
            [n for n, _ in seq.named_modules()],
            [n for n, _ in seq.named_modules(remove_duplicate=False)],
            [n for n, _ in seq.named_buffers(remove_duplicate=False)],
            len(list(seq.parameters())),
            len(list(seq.modules())),
            len(list(seq.modules(remove_duplicate=False))),
            [n for n, _ in seq.named_children()],
        )

    same(fn)


def test_setattr_moves_between_kinds_and_delattr():
    def fn(lib):
        nn = lib.nn
        m = nn.Module()
        out = []
        m.x = nn.Parameter(lib.ones(1))
        out.append((list(m._parameters), list(m._buffers), list(m._modules), "x" in m.__dict__))
        m.x = None  # stays a (None) parameter
        out.append((list(m._parameters), m.x))
        del m.x
        m.x = nn.Module()  # becomes a module
        out.append((list(m._parameters), list(m._modules)))
        m.register_buffer("b", lib.zeros(2))
        m.b = lib.ones(2)  # assigning a tensor to a buffer name replaces the buffer
        out.append((list(m._buffers), m.b))
        m.b = None
        out.append((list(m._buffers), m.b))
        m.c = nn.Buffer(lib.ones(3), persistent=False)
        out.append((list(m._buffers), sorted(m._non_persistent_buffers_set)))
        m.c = nn.Parameter(lib.ones(3))
        out.append((list(m._buffers), list(m._parameters),
                    sorted(m._non_persistent_buffers_set)))
        m.plain = 3
        out.append((m.plain, "plain" in m.__dict__))
        del m.x, m.c, m.b, m.plain
        out.append((list(m._parameters), list(m._buffers), list(m._modules)))
        m.c = lib.ones(1)  # a plain tensor attribute, not registered
        out.append((list(m._buffers), "c" in m.__dict__))
        return out

    same(fn)


@pytest.mark.parametrize("case", range(20))
def test_registration_errors(case):
    def fn(lib):
        nn = lib.nn
        Lin, *_ = make_classes(lib)
        m = Lin(2, 3)
        if case == 0:
            m.weight = lib.ones(3, 2)
        elif case == 1:
            m.weight = lib.ones(3, 2, dtype=lib.float64)
        elif case == 2:
            m.weight = 3
        elif case == 3:
            return m.foo
        elif case == 4:
            class Bad(nn.Module):
                def __init__(self):
                    self.x = nn.Sequential()
            Bad()
        elif case == 5:
            class Bad(nn.Module):
                def __init__(self):
                    self.w = nn.Parameter(lib.ones(1))
            Bad()
        elif case == 6:
            class Bad(nn.Module):
                def __init__(self):
                    self.register_buffer("b", lib.ones(1))
            Bad()
        elif case == 7:
            m.register_parameter("a.b", None)
        elif case == 8:
            m.register_parameter("", None)
        elif case == 9:
            m.register_parameter("running", nn.Parameter(lib.ones(1)))
        elif case == 10:
            m.register_parameter("p", lib.ones(1))
        elif case == 11:
            m.register_buffer("b", [1, 2])
        elif case == 12:
            m.register_buffer("weight", lib.ones(1))
        elif case == 13:
            m.add_module("w", 3)
        elif case == 14:
            m.add_module("a.b", nn.Module())
        elif case == 15:
            m.register_parameter(3, None)
        elif case == 16:
            s = nn.Sequential(nn.Module())
            s[0] = None
            s._modules["0"] = nn.Module()
            setattr(s, "0", 5)
        elif case == 17:
            m.register_parameter("q", None)
            p = nn.Parameter(lib.ones(2))
            m.q = p * 2
        elif case == 18:
            m.register_buffer("running", 3)
        elif case == 19:
            m.add_module("", nn.Module())

    assert_raises_like(fn)


def test_non_leaf_parameter_error():
    def fn(lib):
        m = lib.nn.Module()
        p = lib.nn.Parameter(lib.ones(2))
        y = p * 2
        y.__class__ = lib.nn.Parameter  # a non-leaf Parameter
        m.register_parameter("w", y)

    assert_raises_like(fn)


def test_missing_forward():
    assert_raises_like(lambda lib: lib.nn.Module()(lib.ones(1)))

    def fn(lib):
        class NoForward(lib.nn.Module):
            pass

        NoForward()(1, 2, k=3)

    assert_raises_like(fn)


def test_init_arguments_errors():
    assert_raises_like(lambda lib: lib.nn.Module(3))
    assert_raises_like(lambda lib: lib.nn.Module(k=3))


def test_get_submodule_parameter_buffer():
    def fn(lib):
        Lin, Block, Act, Net = make_classes(lib)
        net = Net()
        return (
            net.get_submodule("blocks.1.fc") is net.blocks[1].fc,
            net.get_submodule("") is net,
            net.get_parameter("blocks.0.fc.weight"),
            net.get_buffer("inp.running"),
            net.get_buffer("inp.scratch"),
        )

    same(fn)
    for target, method in [("blocks.7", "get_submodule"), ("inp.weight", "get_submodule"),
                           ("inp.nope", "get_parameter"), ("inp.running", "get_parameter"),
                           ("inp.weight", "get_buffer"), ("x.y", "get_buffer"),
                           ("inp.nope", "get_buffer"), ("blocks.training", "get_parameter")]:
        def err(lib, target=target, method=method):
            net = make_classes(lib)[3]()
            getattr(net, method)(target)

        assert_raises_like(err)


def test_set_submodule():
    def fn(lib):
        Lin, Block, Act, Net = make_classes(lib)
        net = Net()
        net.set_submodule("blocks.0.act", Lin(2, 2))
        net.set_submodule("blocks.new", Act())
        return repr(net)

    same(fn)
    for args in [("", None), ("blocks.0", 3), ("blocks.zzz", "m", True), ("inp.weight", "m")]:
        def err(lib, args=args):
            net = make_classes(lib)[3]()
            a = list(args)
            if a[1] == "m":
                a[1] = lib.nn.Module()
            net.set_submodule(*a)

        assert_raises_like(err)


# ---------------------------------------------------------------------- repr


def test_repr_nested_and_compressed():
    def fn(lib):
        nn = lib.nn
        Lin, Block, Act, Net = make_classes(lib)
        net = Net()
        net.extra = nn.ModuleList([Block(), Block(), Block(), Lin(2, 2), Block()])
        net.empty = nn.ModuleList()
        net.d = nn.ModuleDict({"a": Act(), "b": nn.Sequential()})
        net.none_child = None
        return repr(net), str(net), repr(nn.Module()), repr(Act())

    same(fn)


def test_repr_multiline_extra_repr():
    def fn(lib):
        nn = lib.nn

        class Multi(nn.Module):
            def __init__(self, child):
                super().__init__()
                if child:
                    self.c = nn.Module()

            def extra_repr(self):
                return "line one\nline two"

        class One(nn.Module):
            def __init__(self):
                super().__init__()
                self.c = Multi(False)

            def extra_repr(self):
                return "only"

        return repr(Multi(True)), repr(Multi(False)), repr(One()), repr(
            nn.Sequential(Multi(True), nn.Sequential(One())))

    same(fn)


def test_dir_lists_registered_names():
    for lib in (torch, ember):
        Lin, *_ = make_classes(lib)
        d = dir(lib.nn.Sequential(Lin(2, 2)))
        assert "0" not in d and "forward" in d and "training" in d
        d = dir(Lin(2, 2))
        assert {"weight", "bias", "running", "scratch"} <= set(d)
        assert d == sorted(d)


# ---------------------------------------------------------------------- state_dict


def test_state_dict_keys_metadata_and_detach():
    def fn(lib):
        Lin, Block, Act, Net = make_classes(lib)
        net = Net()
        sd = net.state_dict()
        sd2 = net.state_dict(prefix="pre.", keep_vars=True)
        return (list(sd.keys()), type(sd).__name__, list(sd._metadata.items()),
                list(sd2.keys()), list(sd2._metadata.items()),
                sd["inp.weight"], sd2["pre.inp.weight"],
                sd["inp.weight"].requires_grad, sd2["pre.inp.weight"] is net.inp.weight)

    same(fn)


def test_state_dict_shares_storage():
    for lib in (torch, ember):
        Lin, *_ = make_classes(lib)
        m = Lin(2, 2)
        sd = m.state_dict()
        with lib.no_grad():
            m.weight.add_(1)
        assert lib.equal(sd["weight"], m.weight)


def test_state_dict_destination_and_positional_warning():
    def fn(lib):
        Lin, *_ = make_classes(lib)
        m = Lin(2, 2)
        dest = {}
        out = m.state_dict(destination=dest, prefix="a.")
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            d2 = m.state_dict({}, "b.")
        return out is dest, list(dest), list(d2), [str(x.message) for x in w]

    same(fn)


def test_load_state_dict_roundtrip_and_result():
    def fn(lib):
        Lin, Block, Act, Net = make_classes(lib)
        a, b = Net(), Net()
        with lib.no_grad():
            for p in a.parameters():
                p.mul_(-2).add_(1)
            a.inp.running.fill_(7)
        r = b.load_state_dict(a.state_dict())
        return repr(r), str(r), r.missing_keys, list(b.state_dict().values()), r == ([], [])

    same(fn)


def test_load_state_dict_nonstrict_and_errors_text():
    def fn(lib):
        Lin, Block, Act, Net = make_classes(lib)
        net = Net()
        sd = net.state_dict()
        del sd["blocks.0.fc.bias"]
        sd["blocks.0.fc.extra"] = lib.ones(1)
        sd["nothere.weight"] = lib.ones(1)
        sd["inp.running.x"] = lib.ones(1)
        r = net.load_state_dict(sd, strict=False)
        return repr(r), r.missing_keys, r.unexpected_keys

    same(fn)

    def err(lib):
        Lin, Block, Act, Net = make_classes(lib)
        net = Net()
        sd = net.state_dict()
        del sd["blocks.0.fc.bias"]
        del sd["head.weight"]
        sd["blocks.0.fc.extra"] = lib.ones(1)
        sd["inp.weight"] = lib.ones(5, 3)
        sd["blocks.1.fc.running"] = lib.ones(3, 1)
        net.load_state_dict(sd)

    assert_raises_like(err)

    def err_nonstrict(lib):
        Lin, *_ = make_classes(lib)
        m = Lin(2, 2)
        m.load_state_dict({"weight": lib.ones(3, 3), "junk": lib.ones(1)}, strict=False)

    assert_raises_like(err_nonstrict)
    assert_raises_like(lambda lib: make_classes(lib)[0](2, 2).load_state_dict([1, 2]))

    def non_tensor(lib):
        make_classes(lib)[0](2, 2).load_state_dict({"weight": [[1.0, 2.0], [3.0, 4.0]],
                                                    "bias": lib.ones(2), "running": lib.ones(2)})

    assert_raises_like(non_tensor)


def test_failed_load_leaves_model_unchanged():
    """Ember's improvement: nothing is copied when a strict load fails."""
    Lin, Block, Act, Net = make_classes(ember)
    net = Net()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    good = {k: v + 5 for k, v in net.state_dict().items()}

    for mutate in [lambda sd: sd.pop("head.weight"),
                   lambda sd: sd.__setitem__("junk", ember.ones(1)),
                   lambda sd: sd.__setitem__("blocks.1.fc.weight", ember.ones(3, 3))]:
        sd = dict(good)
        mutate(sd)
        with pytest.raises(RuntimeError, match="Error"):
            net.load_state_dict(sd)
        for k, v in net.state_dict().items():
            assert ember.equal(v, before[k]), k
    # a size mismatch fails even with strict=False, and copies nothing either
    sd = dict(good)
    sd["inp.bias"] = ember.ones(7)
    with pytest.raises(RuntimeError, match="size mismatch"):
        net.load_state_dict(sd, strict=False)
    for k, v in net.state_dict().items():
        assert ember.equal(v, before[k]), k
    # set_extra_state is deferred too
    class E(ember.nn.Module):
        state = "old"

        def get_extra_state(self):
            return self.state

        def set_extra_state(self, state):
            self.state = state

    e = E()
    with pytest.raises(RuntimeError, match="Unexpected"):
        e.load_state_dict({"_extra_state": "new", "junk": ember.ones(1)})
    assert e.state == "old"
    e.load_state_dict({"_extra_state": "new"})
    assert e.state == "new"
    # and a load that passes copies everything
    net.load_state_dict(good)
    for k, v in net.state_dict().items():
        assert ember.equal(v, good[k]), k


def test_load_state_dict_copies_in_place_and_keeps_identity():
    for lib in (torch, ember):
        Lin, *_ = make_classes(lib)
        m = Lin(2, 2)
        w = m.weight
        ver = w._version
        m.load_state_dict({"weight": lib.full((2, 2), 3.0), "bias": lib.ones(2),
                           "running": lib.ones(2)})
        assert m.weight is w and w.requires_grad and w.grad_fn is None
        assert w._version == ver + 1
        assert lib.equal(w, lib.full((2, 2), 3.0))


def test_load_state_dict_assign():
    def fn(lib):
        Lin, *_ = make_classes(lib)
        m = Lin(2, 2)
        m.weight.requires_grad_(False)
        new_w = lib.full((2, 2), 4.0)
        new_b = lib.nn.Parameter(lib.ones(2))
        run = lib.ones(2, dtype=lib.float64)
        m.load_state_dict({"weight": new_w, "bias": new_b, "running": run}, assign=True)
        return (m.weight, m.bias, m.running, m.bias is new_b, m.running is run,
                type(m.weight).__name__, m.weight.requires_grad)

    same(fn)


def test_load_state_dict_scalar_from_one_element():
    def fn(lib):
        m = lib.nn.Module()
        m.s = lib.nn.Parameter(lib.tensor(1.0))
        m.load_state_dict({"s": lib.tensor([5.0])})
        return m.s

    same(fn)


def test_load_state_dict_metadata_version_reaches_load_from_state_dict():
    def fn(lib):
        seen = []

        class V(lib.nn.Module):
            _version = 3

            def __init__(self):
                super().__init__()
                self.w = lib.nn.Parameter(lib.ones(1))

            def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs):
                seen.append((prefix, dict(local_metadata)))
                if local_metadata.get("version", 0) < 3:
                    state_dict[prefix + "w"] = state_dict.pop(prefix + "old_w")
                super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                              missing_keys, unexpected_keys, error_msgs)

        outer = lib.nn.Sequential(V())
        sd = outer.state_dict()
        sd2 = {"0.old_w": lib.full((1,), 9.0)}
        outer.load_state_dict(sd)
        r = outer.load_state_dict(sd2)
        return seen, outer[0].w, repr(r)

    same(fn)


def test_extra_state():
    def fn(lib):
        class E(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.state = {"k": 1}

            def get_extra_state(self):
                return self.state

            def set_extra_state(self, state):
                self.state = dict(state, loaded=True)

        s = lib.nn.Sequential(E())
        sd = s.state_dict()
        s.load_state_dict(sd)
        return list(sd.keys()), s[0].state

    same(fn)

    def err(lib):
        lib.nn.Module().load_state_dict({"_extra_state": 1})

    assert_raises_like(err)


def test_state_dict_hooks():
    def fn(lib):
        log = []
        Lin, *_ = make_classes(lib)
        m = lib.nn.Sequential(Lin(2, 2))
        m[0].register_state_dict_pre_hook(lambda mod, prefix, kv: log.append(("pre", prefix, kv)))

        def post(mod, sd, prefix, meta):
            log.append(("post", prefix, dict(meta)))
            sd[prefix + "added"] = lib.zeros(1)

        def private(mod, sd, prefix, meta):
            log.append(("private", prefix))
            new = type(sd)((k.upper(), v) for k, v in sd.items())
            return new

        h1 = m[0].register_state_dict_post_hook(post)
        h2 = m._register_state_dict_hook(private)
        keys = list(m.state_dict(keep_vars=True).keys())
        h1.remove()
        h2.remove()
        keys2 = list(m.state_dict().keys())
        return log, keys, keys2

    same(fn)

    def bad_public(lib):
        m = lib.nn.Module()
        m.register_state_dict_post_hook(lambda *a: {})
        m.state_dict()

    assert_raises_like(bad_public)

    def same_fn_twice(lib):
        m = lib.nn.Module()

        def h(*a):
            return None

        m.register_state_dict_post_hook(h)
        m._register_state_dict_hook(h)

    assert_raises_like(same_fn_twice)


def test_load_state_dict_hooks():
    def fn(lib):
        log = []
        Lin, *_ = make_classes(lib)
        m = lib.nn.Sequential(Lin(2, 2))

        def pre(mod, sd, prefix, meta, strict, missing, unexpected, errors):
            log.append(("pre", type(mod).__name__, prefix, sorted(sd), strict))
            sd.pop(prefix + "junk", None)

        def pre_private(sd, prefix, *rest):
            log.append(("pre_private", prefix))

        def post(mod, keys):
            log.append(("post", type(mod).__name__, list(keys.missing_keys),
                        list(keys.unexpected_keys)))
            keys.missing_keys.clear()

        m[0].register_load_state_dict_pre_hook(pre)
        m._register_load_state_dict_pre_hook(pre_private)
        m.register_load_state_dict_post_hook(post)
        sd = {"0.weight": lib.ones(2, 2), "0.junk": lib.ones(1)}
        r = m.load_state_dict(sd)
        return log, repr(r), m[0].weight, sorted(sd)

    same(fn)

    def bad_post(lib):
        m = lib.nn.Module()
        m.register_load_state_dict_post_hook(lambda mod, keys: 1)
        m.load_state_dict({})

    assert_raises_like(bad_post)


# ---------------------------------------------------------------------- modes, grads, apply


def test_train_eval_requires_grad_zero_grad_apply():
    def fn(lib):
        Lin, Block, Act, Net = make_classes(lib)
        net = Net()
        out = [net.training, net.eval() is net, [m.training for m in net.modules()]]
        net.train()
        out.append([m.training for m in net.modules()])
        net.blocks.train(False)
        out.append([m.training for m in net.modules()])
        out.append(net.requires_grad_(False) is net)
        out.append([p.requires_grad for p in net.parameters()])
        net.requires_grad_()
        y = net(lib.ones(4, 3)).sum()
        y.backward()
        out.append([p.grad for p in net.parameters()])
        net.zero_grad(set_to_none=False)
        out.append([p.grad for p in net.parameters()])
        net.zero_grad()
        out.append([p.grad for p in net.parameters()])
        visited = []
        out.append(net.apply(lambda m: visited.append(type(m).__name__)) is net)
        out.append(visited)
        return out

    same(fn)
    assert_raises_like(lambda lib: lib.nn.Module().train("yes"))


def test_conversions():
    def fn(lib):
        Lin, *_ = make_classes(lib)
        m = Lin(2, 2)
        m.register_buffer("count", lib.tensor(3))
        w = m.weight
        y = m(lib.ones(1, 2)).sum()
        y.backward()
        out = [m.double() is m, m.weight is w, m.weight.dtype, m.weight.grad.dtype,
               m.count.dtype, m.running.dtype]
        m.float()
        out += [m.weight.dtype, m.weight.grad.dtype, m.count.dtype]
        m.half()
        out += [m.weight.dtype, m.count.dtype]
        m.to(lib.float64)
        out += [m.weight.dtype, m.count.dtype, m.weight is w, m.weight.requires_grad]
        m.to("cpu", lib.float32)
        out += [m.weight.dtype]
        m.to(lib.ones(1, dtype=lib.float64))
        out += [m.weight.dtype]
        m.to(device="cpu", dtype=lib.float32)
        m.type(lib.float64)
        out += [m.weight.dtype, m.count.dtype]
        m.cpu()
        out += [m.weight]
        return out

    same(fn)
    assert_raises_like(lambda lib: make_classes(lib)[0](2, 2).to(lib.int64))


def test_cuda_raises_when_there_is_something_to_move():
    with pytest.raises(AssertionError, match="CUDA"):
        make_classes(ember)[0](2, 2).cuda()
    ember.nn.Module().cuda()  # nothing to move: no error, as in PyTorch
    ember.nn.Module().to("cuda")
    with pytest.raises(AssertionError, match="CUDA"):
        make_classes(ember)[0](2, 2).to("cuda")


# ---------------------------------------------------------------------- forward hooks


def test_forward_hooks_order_and_results():
    def fn(lib):
        log = []
        Lin, *_ = make_classes(lib)
        m = Lin(2, 2)
        m.register_forward_pre_hook(lambda mod, args: log.append(("pre1", len(args))))
        m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        m.register_forward_pre_hook(lambda mod, args: log.append("pre0"), prepend=True)
        m.register_forward_pre_hook(lambda mod, args, kw: (args, kw) if log.append(
            ("prekw", sorted(kw))) is None else None, with_kwargs=True)
        m.register_forward_hook(lambda mod, args, out: log.append(("hook1", out.shape)))
        m.register_forward_hook(lambda mod, args, out: out + 1)
        m.register_forward_hook(lambda mod, args, kw, out: log.append(("hookkw", kw)),
                                with_kwargs=True)
        m.register_forward_hook(lambda mod, args, out: log.append("hook0"), prepend=True)
        y = m(lib.ones(1, 2))
        return log, y

    same(fn)


def test_forward_pre_hook_single_value_and_bad_return():
    def fn(lib):
        m = lib.nn.Module()
        m.forward = lambda *a: a
        m.register_forward_pre_hook(lambda mod, args: 5)
        return m(1, 2)

    same(fn)

    def err(lib):
        class Echo(lib.nn.Module):
            def forward(self, *a):
                return a

        m = Echo()
        m.register_forward_pre_hook(lambda mod, args, kw: 5, with_kwargs=True)
        m(1)

    assert_raises_like(err)


def test_hook_handles_remove_and_context_manager():
    def fn(lib):
        log = []
        m = make_classes(lib)[2]()
        h = m.register_forward_hook(lambda *a: log.append("h"), with_kwargs=False,
                                    always_call=True)
        m(lib.ones(1))
        h.remove()
        h.remove()
        m(lib.ones(1))
        with m.register_forward_pre_hook(lambda *a: log.append("p")):
            m(lib.ones(1))
        m(lib.ones(1))
        return log, len(m._forward_hooks), len(m._forward_hooks_always_called), len(
            m._forward_pre_hooks)

    same(fn)


def test_always_call_hook_runs_when_forward_raises():
    def fn(lib):
        log = []

        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        m = Boom()
        m.register_forward_hook(lambda mod, args, out: log.append(("always", out)),
                                always_call=True)
        m.register_forward_hook(lambda mod, args, out: log.append("never"))
        try:
            m(1)
        except ValueError as e:
            log.append(str(e))
        return log

    same(fn)


def test_global_forward_hooks():
    def fn(lib):
        mm = lib.nn.modules.module
        log = []
        h1 = mm.register_module_forward_pre_hook(lambda mod, a: log.append(
            ("gpre", type(mod).__name__)))
        h2 = mm.register_module_forward_hook(lambda mod, a, o: log.append(
            ("ghook", type(mod).__name__)))
        try:
            Lin, Block, Act, Net = make_classes(lib)
            b = Block()
            b.register_forward_hook(lambda mod, a, o: log.append("own"))
            b(lib.ones(1, 2))
        finally:
            h1.remove()
            h2.remove()
        b(lib.ones(1, 2))
        return log

    same(fn)


def test_registration_hooks():
    def fn(lib):
        mm = lib.nn.modules.module
        log = []
        hs = [
            mm.register_module_parameter_registration_hook(
                lambda mod, name, p: log.append(("param", name))),
            mm.register_module_buffer_registration_hook(
                lambda mod, name, b: log.append(("buffer", name))),
            mm.register_module_module_registration_hook(
                lambda mod, name, sub: log.append(("module", name))),
        ]
        try:
            make_classes(lib)[1]()
        finally:
            for h in hs:
                h.remove()
        return log

    same(fn)


# ---------------------------------------------------------------------- backward hooks


def _bw_module(lib):
    class TwoIn(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = lib.nn.Parameter(lib.tensor([1.0, 2.0]))

        def forward(self, x, y, k):
            return x * self.w * k, y * 3

    return TwoIn()


def test_full_backward_hooks():
    def fn(lib):
        log = []
        m = _bw_module(lib)

        def pre(mod, gout):
            log.append(("pre", gout))
            return (gout[0] * 10, gout[1])

        def hook(mod, gin, gout):
            log.append(("hook", gin, gout))
            return (gin[0] + 1, gin[1], None)

        m.register_full_backward_pre_hook(pre)
        m.register_full_backward_hook(hook)
        m.register_full_backward_hook(lambda mod, gin, gout: log.append("first"), prepend=True)
        x = lib.tensor([1.0, 1.0], requires_grad=True)
        y = lib.tensor([2.0, 2.0], requires_grad=True)
        a, b = m(x, y, 2)
        log.append((a.grad_fn.name(), b.grad_fn.name()))
        (a.sum() + b.sum() * 2).backward()
        return log, x.grad, y.grad, m.w.grad

    same(fn)


def test_full_backward_hook_no_input_requires_grad():
    def fn(lib):
        log = []
        m = _bw_module(lib)
        m.register_full_backward_hook(lambda mod, gin, gout: log.append((gin, gout)))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            a, b = m(lib.ones(2), lib.ones(2), 1.0)
            a.sum().backward()
        return log, m.w.grad, [str(x.message)[:40] for x in w]

    same(fn)


def test_backward_hook_errors():
    assert_raises_like(lambda lib: (lambda m: (m.register_backward_hook(lambda *a: None),
                                               m.register_full_backward_hook(lambda *a: None)))(
        lib.nn.Module()))

    def wrong_len(lib):
        m = _bw_module(lib)
        m.register_full_backward_hook(lambda mod, gin, gout: (gin[0],))
        x = lib.ones(2, requires_grad=True)
        a, b = m(x, x, 1.0)
        a.sum().backward()

    assert_raises_like(wrong_len)

    def wrong_pre_len(lib):
        m = _bw_module(lib)
        m.register_full_backward_pre_hook(lambda mod, gout: (gout[0],))
        x = lib.ones(2, requires_grad=True)
        a, b = m(x, x, 1.0)
        a.sum().backward()

    assert_raises_like(wrong_pre_len)


def test_backward_hook_on_sequential_layers():
    def fn(lib):
        log = []
        Lin, Block, Act, Net = make_classes(lib)
        net = Net()
        for name, mod in net.named_modules():
            mod.register_full_backward_hook(
                lambda m, gi, go, name=name: log.append((name, [g is None for g in gi],
                                                         go[0].shape)))
        x = lib.ones(2, 3, requires_grad=True)
        net(x).sum().backward()
        return log, x.grad, [p.grad for p in net.parameters()]

    same(fn)


# ---------------------------------------------------------------------- copy, pickle


def test_deepcopy_keeps_sharing_and_copies_values():
    for lib in (torch, ember):
        Lin, Block, Act, Net = make_classes(lib)
        a = Lin(2, 2)
        net = lib.nn.Sequential(a, a, Net())
        c = copy.deepcopy(net)
        assert c[0] is c[1] and c[0] is not a
        assert c[0].weight is not a.weight
        assert lib.equal(c[0].weight, a.weight)
        assert isinstance(c[0].weight, lib.nn.Parameter) and c[0].weight.requires_grad
        assert len(list(c.parameters())) == len(list(net.parameters()))
        with lib.no_grad():
            c[0].weight.add_(1)
        assert not lib.equal(c[0].weight, a.weight)
        assert repr(c) == repr(net)


def test_pickle_roundtrip():
    m = ember.nn.Sequential(ember.nn.Sequential(), ember.nn.ModuleList([ember.nn.Module()]))
    m.p = ember.nn.Parameter(ember.ones(2))
    m.register_buffer("b", ember.zeros(1), persistent=False)
    r = pickle.loads(pickle.dumps(m))
    assert repr(r) == repr(m)
    assert isinstance(r.p, ember.nn.Parameter) and r.p.requires_grad
    assert r._non_persistent_buffers_set == {"b"}


def test_setstate_fills_missing_attributes():
    m = ember.nn.Module()
    state = m.__getstate__()
    for k in ("_forward_pre_hooks", "_state_dict_pre_hooks", "_non_persistent_buffers_set",
              "_is_full_backward_hook", "_backward_pre_hooks"):
        state.pop(k)
    n = ember.nn.Module.__new__(ember.nn.Module)
    n.__setstate__(state)
    assert n._non_persistent_buffers_set == set() and n._is_full_backward_hook is None
    assert list(n.state_dict()) == []


# ---------------------------------------------------------------------- misc


def test_subclass_attribute_lookup_prefers_normal_attributes():
    class P(ember.nn.Module):
        @property
        def double_w(self):
            return self.w * 2

    m = P()
    m.w = ember.nn.Parameter(ember.ones(1))
    assert ember.equal(m.double_w, ember.full((1,), 2.0))
    with pytest.raises(AttributeError, match="'P' object has no attribute 'nope'"):
        _ = m.nope


def test_call_fast_path_ignores_empty_hook_dicts():
    m = make_classes(ember)[2]()
    h = m.register_forward_hook(lambda *a: None)
    h.remove()
    assert ember.equal(m(ember.zeros(1)), ember.zeros(1))


def test_incompatible_keys_repr():
    IK = ember.nn.modules.module._IncompatibleKeys
    TK = torch.nn.modules.module._IncompatibleKeys
    for args in [([], []), (["a"], []), ([], ["b", "c"])]:
        assert repr(IK(*args)) == repr(TK(*args))
        assert str(IK(*args)) == str(TK(*args))


def test_typename_of_ember_objects_reads_as_torch():
    def fn(lib):
        m = lib.nn.Module()
        m.register_parameter("p", None)
        m.p = lib.nn.Sequential()

    assert_raises_like(fn)


def test_np_arrays_never_leak_into_state():
    m = make_classes(ember)[3]()
    for v in m.state_dict().values():
        assert isinstance(v, ember.Tensor) and not isinstance(v, np.ndarray)
