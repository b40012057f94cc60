"""Containers against PyTorch: ``Sequential``, ``ModuleList``, ``ModuleDict``,
``ParameterList``, ``ParameterDict`` (behaviour, names, reprs, errors)."""

from collections import OrderedDict

import pytest
from nn_helpers import same
from optable import assert_raises_like


def _mods(lib, n=4):
    """n distinguishable modules (their reprs differ)."""
    nn = lib.nn

    class M(nn.Module):
        def __init__(self, k):
            super().__init__()
            self.k = k

        def forward(self, x):
            return x * 10 + self.k

        def extra_repr(self):
            return f"k={self.k}"

    return [M(k) for k in range(n)]


def _keys(m):
    return list(m._modules.keys()), repr(m)


# ---------------------------------------------------------------------- Sequential


def test_sequential_forward_and_construction():
    def fn(lib):
        a, b, c, _ = _mods(lib)
        s = lib.nn.Sequential(a, b, c)
        od = lib.nn.Sequential(OrderedDict([("first", a), ("second", b)]))
        return (s(lib.tensor([1.0])), od(lib.tensor([1.0])), _keys(s), _keys(od),
                lib.nn.Sequential()(lib.tensor([3.0])), len(s), len(lib.nn.Sequential()))

    same(fn)


def test_sequential_indexing_and_slicing():
    def fn(lib):
        ms = _mods(lib)
        s = lib.nn.Sequential(*ms)
        od = lib.nn.Sequential(OrderedDict([("x", ms[0]), ("y", ms[1]), ("z", ms[2])]))
        return (s[0] is ms[0], s[-1] is ms[3], s[-4] is ms[0], _keys(s[1:3]), _keys(s[::-2]),
                type(s[1:]).__name__, _keys(od[1:]), od[-1] is ms[2], s[1:3][0] is ms[1],
                [m is x for m, x in zip(s, ms)], list(iter(od)) == ms[:3])

    same(fn)
    for idx in [4, -5, 100]:
        assert_raises_like(lambda lib, idx=idx: lib.nn.Sequential(*_mods(lib))[idx])
    assert_raises_like(lambda lib: lib.nn.Sequential(*_mods(lib))["0"])
    assert_raises_like(lambda lib: lib.nn.Sequential()[0])


def test_sequential_subclass_slice_keeps_class():
    def fn(lib):
        class MySeq(lib.nn.Sequential):
            pass

        s = MySeq(*_mods(lib))
        return type(s[1:]).__name__, repr(s[:2])

    same(fn)


def test_sequential_setitem_delitem_renumbers():
    def fn(lib):
        ms = _mods(lib, 6)
        s = lib.nn.Sequential(*ms[:5])
        out = []
        s[1] = ms[5]
        out.append(_keys(s))
        s[-1] = ms[0]
        out.append(_keys(s))
        del s[1]
        out.append(_keys(s))
        del s[-1]
        out.append(_keys(s))
        s2 = lib.nn.Sequential(*ms)
        del s2[1:4]
        out.append(_keys(s2))
        del s2[::2]
        out.append(_keys(s2))
        od = lib.nn.Sequential(OrderedDict([("a", ms[0]), ("b", ms[1]), ("c", ms[2])]))
        del od[0]
        out.append(_keys(od))  # renumbered to "0", "1" as in PyTorch
        od2 = lib.nn.Sequential(OrderedDict([("a", ms[0]), ("b", ms[1])]))
        od2[1] = ms[3]
        out.append(_keys(od2))
        return out

    same(fn)
    for code in ["s[5] = m", "del s[7]", "s[0] = 3"]:
        def err(lib, code=code):
            s = lib.nn.Sequential(*_mods(lib))  # noqa: F841 - used by exec
            m = _mods(lib)[0]  # noqa: F841 - used by exec
            exec(code)

        assert_raises_like(err)


def test_sequential_append_insert_extend_pop():
    def fn(lib):
        ms = _mods(lib, 6)
        s = lib.nn.Sequential(ms[0])
        out = [s.append(ms[1]) is s, _keys(s)]
        out.append(s.insert(0, ms[2]) is s)
        out.append(_keys(s))
        s.insert(-1, ms[3])
        out.append(_keys(s))
        s.insert(len(s), ms[4])
        out.append(_keys(s))
        out.append(s.extend([ms[5], ms[0]]) is s)
        out.append(_keys(s))
        out.append(s.pop(1) is ms[3])
        out.append(_keys(s))
        out.append(_keys(s.pop(slice(0, 2))))
        out.append(_keys(s))
        s.extend(lib.nn.Sequential(ms[1]))
        out.append(_keys(s))
        return out

    same(fn)
    assert_raises_like(lambda lib: lib.nn.Sequential(*_mods(lib)).insert(6, _mods(lib)[0]))
    assert_raises_like(lambda lib: lib.nn.Sequential(*_mods(lib)).insert(-6, _mods(lib)[0]))
    assert_raises_like(lambda lib: lib.nn.Sequential().insert(0, 3))
    assert_raises_like(lambda lib: lib.nn.Sequential().append(3))
    assert_raises_like(lambda lib: lib.nn.Sequential().pop(0))


def test_sequential_add_mul():
    def fn(lib):
        a, b, c, d = _mods(lib)
        s = lib.nn.Sequential(a, b)
        t = lib.nn.Sequential(OrderedDict([("x", c), ("y", d)]))
        out = [_keys(s + t), type(s + t).__name__]
        u = lib.nn.Sequential(a)
        v = u
        u += t
        out += [u is v, _keys(u)]
        out.append(_keys(s * 3))
        out.append(_keys(2 * s))
        w = lib.nn.Sequential(a, b)
        w2 = w
        w *= 2
        out += [w is w2, _keys(w), w[0] is w[2]]
        w *= 1
        out.append(_keys(w))
        return out

    same(fn)
    for code in ["s + 1", "s += [1]", "s * 0", "s * -1", "s * 1.5", "s *= 0", "s *= 'a'",
                 "s + lib.nn.ModuleList()"]:
        def err(lib, code=code):
            s = lib.nn.Sequential(*_mods(lib, 2))  # noqa: F841 - used by exec
            exec(code)

        assert_raises_like(err)


def test_sequential_repr_and_dir():
    def fn(lib):
        a, b, c, d = _mods(lib)
        s = lib.nn.Sequential(a, lib.nn.Sequential(b, c), lib.nn.ModuleList([d, d]))
        return repr(s), repr(lib.nn.Sequential()), "0" in dir(s), "append" in dir(s)

    same(fn)


def test_sequential_state_dict_and_params():
    def fn(lib):
        class P(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = lib.nn.Parameter(lib.ones(2))

            def forward(self, x):
                return x * self.w

        s = lib.nn.Sequential(P(), lib.nn.Sequential(P(), P()))
        y = s(lib.tensor([1.0, 2.0]))
        y.sum().backward()
        return list(s.state_dict()), [n for n, _ in s.named_parameters()], y, [
            p.grad for p in s.parameters()]

    same(fn)


# ---------------------------------------------------------------------- ModuleList


def test_modulelist_list_ops():
    def fn(lib):
        ms = _mods(lib, 6)
        ml = lib.nn.ModuleList(ms[:3])
        out = [len(ml), ml[0] is ms[0], ml[-1] is ms[2], _keys(ml[1:]), type(ml[1:]).__name__,
               [m is x for m, x in zip(ml, ms)]]
        ml.append(ms[3])
        ml.extend([ms[4]])
        out.append(_keys(ml))
        ml.insert(1, ms[5])
        out.append(_keys(ml))
        ml[0] = ms[1]
        ml[-2] = ms[2]
        out.append(_keys(ml))
        del ml[1]
        out.append(_keys(ml))
        del ml[::2]
        out.append(_keys(ml))
        out.append(ml.pop(0) is not None)
        out.append(_keys(ml))
        ml += [ms[3]]
        out.append(_keys(ml))
        both = ml + lib.nn.ModuleList([ms[4]])
        out.append((_keys(both), type(both).__name__))
        out.append(_keys(ml + [ms[5]]))
        out.append(_keys(lib.nn.ModuleList()))
        out.append(_keys(lib.nn.ModuleList(m for m in ms[:2])))
        out.append("0" in dir(ml))
        return out

    same(fn)
    for code in ["ml[3]", "ml[-4]", "ml[3] = m", "del ml[5]", "ml.extend(3)", "ml.append(3)",
                 "ml['a']", "lib.nn.ModuleList(3)", "ml.pop(9)", "ml.insert(-1, m)"]:
        def err(lib, code=code):
            ml = lib.nn.ModuleList(_mods(lib, 3))  # noqa: F841 - used by exec
            m = _mods(lib)[0]  # noqa: F841
            exec(code)

        assert_raises_like(err)


def test_modulelist_repr_compression():
    def fn(lib):
        ms = _mods(lib, 3)
        a0, a1 = _mods(lib, 1)[0], _mods(lib, 1)[0]
        return [
            repr(lib.nn.ModuleList([a0, a1, a0, ms[1], ms[2], ms[2], a0])),
            repr(lib.nn.ModuleList([ms[1]])),
            repr(lib.nn.ModuleList([lib.nn.Sequential(ms[0]), lib.nn.Sequential(ms[0])])),
            repr(lib.nn.Sequential(lib.nn.ModuleList([ms[1], ms[1]]))),
            repr(lib.nn.ModuleList()),
        ]

    same(fn)


def test_modulelist_is_not_callable_without_forward():
    assert_raises_like(lambda lib: lib.nn.ModuleList()(1))


# ---------------------------------------------------------------------- ModuleDict


def test_moduledict_ops():
    def fn(lib):
        ms = _mods(lib, 5)
        md = lib.nn.ModuleDict({"b": ms[0], "a": ms[1]})
        out = [list(md.keys()), len(md), "a" in md, "z" in md, md["b"] is ms[0], list(md)]
        md["c"] = ms[2]
        md.update([("d", ms[3]), ["e", ms[4]]])
        md.update(OrderedDict([("f", ms[0])]))
        md.update(lib.nn.ModuleDict({"g": ms[1]}))
        out.append(list(md.keys()))
        out.append([v is ms[0] for v in md.values()])
        out.append([k for k, _ in md.items()])
        out.append(md.pop("a") is ms[1])
        del md["b"]
        out.append(_keys(md))
        out.append([n for n, _ in md.named_parameters()])
        md.clear()
        out.append(_keys(md))
        return out

    same(fn)
    for code in ["md['zz']", "md.update(3)", "md.update([1])", "md.update([(1, 2, 3)])",
                 "md['x.y'] = m", "md['k'] = 3", "md.pop('q')", "del md['q']",
                 "md[1] = m", "md['training'] = m"]:
        def err(lib, code=code):
            md = lib.nn.ModuleDict({"a": _mods(lib)[0]})  # noqa: F841 - used by exec
            m = _mods(lib)[1]  # noqa: F841
            exec(code)

        assert_raises_like(err)


# ---------------------------------------------------------------------- ParameterList


def test_parameterlist_ops_and_repr():
    def fn(lib):
        nn = lib.nn
        p0 = nn.Parameter(lib.ones(2, 3))
        pl = nn.ParameterList([p0, lib.zeros(4), "not a tensor"])
        out = [len(pl), pl[0] is p0, type(pl[1]).__name__, pl[2], pl[-3] is p0,
               [n for n, _ in pl.named_parameters()]]
        pl.append(lib.ones(1, dtype=lib.float64))
        pl.extend([nn.Parameter(lib.ones(2), requires_grad=False)])
        pl += [lib.arange(3.0)]
        out.append(repr(pl))
        pl[1] = lib.full((2,), 3.0)
        out.append((pl[1], type(pl[1]).__name__))
        out.append(repr(pl[1:3]))
        out.append([type(x).__name__ for x in pl])
        out.append(repr(nn.ParameterList()))
        out.append(list(pl.state_dict()))
        return out

    same(fn)
    for code in ["pl[5]", "pl[-6]", "pl.extend(lib.ones(2))", "pl.extend(3)", "pl(1)",
                 "pl[9] = lib.ones(1)", "pl.append(lib.ones(2, dtype=lib.int64))"]:
        def err(lib, code=code):
            pl = lib.nn.ParameterList([lib.ones(1), lib.ones(2)])  # noqa: F841
            exec(code)

        assert_raises_like(err)


# ---------------------------------------------------------------------- ParameterDict


def test_parameterdict_ops_and_repr():
    def fn(lib):
        nn = lib.nn
        p = nn.Parameter(lib.ones(2, 2))
        pd = nn.ParameterDict({"b": p, "a": lib.zeros(3)})  # a plain dict: sorted keys
        out = [list(pd.keys()), pd["b"] is p, type(pd["a"]).__name__, len(pd), "a" in pd]
        pd["c"] = "text"
        pd.update([("d", lib.ones(1, dtype=lib.float64))])
        pd.update(OrderedDict([("z", lib.ones(1)), ("y", lib.ones(1))]))
        out.append(list(pd.keys()))
        out.append(repr(pd))
        out.append([n for n, _ in pd.named_parameters()])
        out.append(pd.get("nope", 5))
        out.append(pd.setdefault("e", lib.ones(2)))
        out.append(list(reversed(pd)))
        out.append(pd.pop("z"))
        out.append(pd.popitem()[0])
        c = pd.copy()
        out.append((type(c).__name__, list(c.keys()), c["b"] is p))
        out.append(list(pd.fromkeys(["u", "v"], lib.ones(1)).keys()))
        merged = pd | nn.ParameterDict({"q": lib.ones(1)})
        out.append(list(merged.keys()))
        pd |= nn.ParameterDict({"r": lib.ones(1)})
        out.append(list(pd.keys()))
        out.append([k for k, _ in pd.items()])
        out.append([type(v).__name__ for v in pd.values()])
        del pd["a"]
        out.append(list(pd.keys()))
        pd.clear()
        out.append((list(pd.keys()), repr(pd)))
        return out

    same(fn)
    for code in ["pd['x']", "pd[1]", "pd[1] = lib.ones(1)", "pd.update(3)", "pd.update([1])",
                 "pd.update([(1, 2, 3)])", "pd(1)", "del pd['q']", "pd['x.y'] = lib.ones(1)"]:
        def err(lib, code=code):
            pd = lib.nn.ParameterDict({"a": lib.ones(1)})  # noqa: F841
            exec(code)

        assert_raises_like(err)


@pytest.mark.parametrize("cls", ["ModuleList", "ModuleDict", "ParameterList", "ParameterDict"])
def test_containers_in_a_model(cls):
    def fn(lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                if cls == "ModuleList":
                    self.c = nn.ModuleList([nn.Sequential(), nn.ModuleList()])
                elif cls == "ModuleDict":
                    self.c = nn.ModuleDict({"x": nn.Sequential()})
                elif cls == "ParameterList":
                    self.c = nn.ParameterList([lib.ones(1), lib.ones(2)])
                else:
                    self.c = nn.ParameterDict({"w": lib.ones(1)})

        net = Net()
        return repr(net), list(net.state_dict()), [n for n, _ in net.named_modules()]

    same(fn)
