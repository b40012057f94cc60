# ruff: noqa: B023 - the lambdas run at once, inside the loop
"""View and shape ops against PyTorch: values, shapes, strides, storage offsets, view semantics
(shared memory and version counter), grad_fn names, gradients and error messages; in-place ops on
views under autograd (mirrors ``ember/_functions/shape.py``)."""

import pytest
import torch
from optable import OpCase, assert_raises_like, assert_same, check_case, gradcheck_case, make

import ember

# Layouts the op is applied to: the same strided storage is built in both libraries.
LAYOUTS = {
    "contig": lambda lib: lib.arange(24.0).reshape(2, 3, 4),
    "transposed": lambda lib: lib.arange(24.0).reshape(4, 3, 2).transpose(0, 2),
    "sliced": lambda lib: lib.arange(60.0).reshape(3, 4, 5)[1:, 1:, ::2],
    "offset": lambda lib: lib.arange(40.0).reshape(2, 20)[1, 2:14].view(2, 3, 2),
    "expanded": lambda lib: lib.arange(4.0).reshape(1, 1, 4).expand(2, 3, 4),
}

# Ops on a 3-d input, written once for both libraries.
VIEW_OPS = {
    "view": lambda x: x.view(-1) if x.is_contiguous() else x.view(x.shape),
    "view_split_last": lambda x: x.view(x.shape[0], x.shape[1], -1, 1),
    "reshape": lambda x: x.reshape(x.shape[0], -1),
    "reshape_flat": lambda x: x.reshape(-1),
    "permute": lambda x: x.permute(2, 0, 1),
    "permute_neg": lambda x: x.permute(-1, -3, -2),
    "transpose": lambda x: x.transpose(0, 2),
    "transpose_neg": lambda x: x.transpose(-1, -2),
    "mT": lambda x: x.mT,
    "t_of_select": lambda x: x[0].t(),
    "T_2d": lambda x: x[:, 0].T,
    "expand": lambda x: x[:, :1].expand(2, 3, x.shape[2]),
    "expand_new_dim": lambda x: x.expand(2, *x.shape),
    "expand_minus1": lambda x: x[:, :, :1].expand(-1, -1, 5),
    "expand_as": lambda x: x[:1].expand_as(x),
    "squeeze_all": lambda x: x[:, :1, :1].squeeze(),
    "squeeze_dim": lambda x: x[:, :1].squeeze(1),
    "squeeze_noop": lambda x: x.squeeze(0),
    "squeeze_dims": lambda x: x[:1, :, :1].squeeze((0, 2)),
    "unsqueeze0": lambda x: x.unsqueeze(0),
    "unsqueeze_mid": lambda x: x.unsqueeze(2),
    "unsqueeze_last": lambda x: x.unsqueeze(-1),
    "flatten": lambda x: x.flatten(),
    "flatten_part": lambda x: x.flatten(1),
    "flatten_front": lambda x: x.flatten(0, 1),
    "unflatten": lambda x: x.unflatten(2, (2, -1)),
    "narrow": lambda x: x.narrow(2, 1, 2),
    "narrow_neg": lambda x: x.narrow(-2, -2, 2),
    "select": lambda x: x.select(1, 2),
    "select_neg": lambda x: x.select(-1, -1),
    "slice_basic": lambda x: x[1],
    "slice_range": lambda x: x[:, 1:],
    "slice_step": lambda x: x[..., ::2],
    "slice_neg": lambda x: x[-1, -2:],
    "slice_none": lambda x: x[None, :, None],
    "slice_ellipsis_none": lambda x: x[..., None],
    "slice_int_none": lambda x: x[0, None, 1:],
    "slice_empty": lambda x: x[:, 2:1],
    "slice_over": lambda x: x[:, 1:100],
    "slice_mixed": lambda x: x[1, ..., 1::2],
    "slice_tensor_int": lambda x: x[x.new_tensor(1, dtype=None).long()],
    "unbind": lambda x: x.unbind(1),
    "unbind_neg": lambda x: x.unbind(-1),
    "split_int": lambda x: x.split(2, dim=2),
    "split_sizes": lambda x: x.split([1, 2], dim=1),
    "chunk": lambda x: x.chunk(2, dim=2),
    "chunk_uneven": lambda x: x.chunk(2, dim=1),
    "chunk_many": lambda x: x.chunk(10, dim=0),
    "tensor_split_n": lambda x: x.tensor_split(3, dim=2),
    "tensor_split_idx": lambda x: x.tensor_split([1, 3], dim=2),
    "movedim": lambda x: x.movedim(0, -1),
    "movedim_multi": lambda x: x.movedim((0, 1), (2, 0)),
    "swapaxes": lambda x: x.swapaxes(0, 1),
    "contiguous": lambda x: x.contiguous(),
    "alias": lambda x: x[...],
    "broadcast_to": lambda x: x[0].broadcast_to(2, 3, x.shape[2]),
}


def _flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _needs_view_compat(name, layout):
    # torch raises for view() on non-viewable layouts; that case is tested separately
    return name.startswith("view") and layout not in ("contig",)


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("name", list(VIEW_OPS))
def test_view_ops_layout(name, layout):
    op = VIEW_OPS[name]
    tb, eb = LAYOUTS[layout](torch), LAYOUTS[layout](ember)
    try:
        t_out = op(tb)
    except RuntimeError:
        assert_raises_like(lambda lib: op(LAYOUTS[layout](lib)))
        return
    e_out = op(eb)
    assert_same(e_out, t_out, rtol=0, atol=0, what=name)
    for e, t in zip(_flat(e_out), _flat(t_out)):
        if not t.numel():  # NumPy keeps neither the strides nor the offset of empty views
            continue
        assert e.stride() == t.stride(), f"{name}: stride {e.stride()} != {t.stride()}"
        assert e.storage_offset() == t.storage_offset(), f"{name}: storage offset"
        assert e.is_contiguous() == t.is_contiguous(), f"{name}: is_contiguous"
        assert (e._base is not None) == (t._base is not None), f"{name}: _base"
        if t._base is not None:
            # views share memory with the base
            assert e.data_ptr() - eb.data_ptr() == (t.data_ptr() - tb.data_ptr()) \
                // t.element_size() * e.element_size()


@pytest.mark.parametrize("name", list(VIEW_OPS))
def test_view_ops_grad_fn_and_gradients(name):
    op = VIEW_OPS[name]
    if name == "slice_tensor_int":
        return
    tb = torch.tensor(make((2, 3, 4)), requires_grad=True)
    eb = ember.tensor(tb.detach().numpy(), requires_grad=True)
    t_out, e_out = op(tb * 1), op(eb * 1)
    t_names = [type(o.grad_fn).__name__ for o in _flat(t_out)]
    e_names = [type(o.grad_fn).__name__ for o in _flat(e_out)]
    assert e_names == t_names
    case = OpCase(name, lambda lib, x: op(x), [make((2, 3, 4), "float64")])
    check_case(case)
    check_case(OpCase(name + "-nc", lambda lib, x: op(x.transpose(0, 2).transpose(0, 2)),
                      [make((2, 3, 4))]))


@pytest.mark.parametrize("name", ["view", "reshape", "permute", "transpose", "expand", "squeeze_dim",
                                  "unsqueeze_mid", "flatten", "unflatten", "narrow", "select",
                                  "slice_step", "slice_none", "unbind", "split_sizes", "chunk",
                                  "tensor_split_idx", "movedim", "mT", "contiguous"])
def test_view_ops_gradcheck(name):
    op = VIEW_OPS[name]
    gradcheck_case(OpCase(name, lambda lib, x: op(x), [make((2, 3, 4), "float64")]),
                   second_order=True)


def test_leaf_views_grad_fn_names():
    for lib in (ember, torch):
        x = lib.ones(2, 3, requires_grad=True)
        names = [type(f(x).grad_fn).__name__ for f in (
            lambda x: x.view(6), lambda x: x.reshape(3, 2), lambda x: x.t(), lambda x: x.T,
            lambda x: x.transpose(0, 1), lambda x: x.permute(1, 0), lambda x: x.expand(2, 2, 3),
            lambda x: x.squeeze(), lambda x: x.squeeze(0), lambda x: x.squeeze((0,)),
            lambda x: x.unsqueeze(0), lambda x: x[0], lambda x: x[:, 1], lambda x: x[0:1],
            lambda x: x.narrow(1, 0, 2), lambda x: x.select(0, 1), lambda x: x[None],
            lambda x: x.clone(), lambda x: x.t().contiguous(), lambda x: x.t().reshape(6),
            lambda x: x.flatten(), lambda x: x[...], lambda x: x.movedim(0, 1))]
        if lib is ember:
            e_names = names
        else:
            assert e_names == names


def test_reshape_copies_when_needed():
    for lib in (ember, torch):
        x = lib.arange(6.0).reshape(2, 3).clone()
        y = x.t().reshape(6)
        assert y._base is None
        z = x.reshape(3, 2)
        assert z._base is x
        z2 = z.view(6)
        assert z2._base is x  # the base of a view of a view is the root


def test_view_shares_memory_and_version():
    for lib in (ember, torch):
        x = lib.zeros(2, 3)
        v = x[1]
        w = x.t()
        assert v._version == x._version == 0
        v.add_(1)
        assert x.tolist() == [[0, 0, 0], [1, 1, 1]]
        assert x._version == v._version == w._version == 1
        x.mul_(2)
        assert v.tolist() == [2, 2, 2] and w._version == 2
        u = x.unbind(0)[0]
        u.fill_(5) if hasattr(u, "fill_") else u.add_(5)
        assert x._version == 3


def test_view_errors():
    assert_raises_like(lambda lib: lib.arange(6.0).reshape(2, 3).t().view(6))
    assert_raises_like(lambda lib: lib.arange(6.0).view(4))
    assert_raises_like(lambda lib: lib.arange(6.0).view(-1, -1))
    assert_raises_like(lambda lib: lib.arange(6.0).view(5, -1))
    assert_raises_like(lambda lib: lib.arange(6.0).view(-2, 3))
    assert_raises_like(lambda lib: lib.arange(6.0).reshape(4))
    assert_raises_like(lambda lib: lib.arange(0.0).reshape(-1, 0))
    assert_raises_like(lambda lib: lib.zeros(2, 3).permute(0))
    assert_raises_like(lambda lib: lib.zeros(2, 3).permute(0, 0))
    assert_raises_like(lambda lib: lib.zeros(2, 3).transpose(0, 2))
    assert_raises_like(lambda lib: lib.zeros(2, 3).squeeze(3))
    assert_raises_like(lambda lib: lib.zeros(2, 3).unsqueeze(3))
    assert_raises_like(lambda lib: lib.zeros(2, 3).unsqueeze(-4))
    assert_raises_like(lambda lib: lib.zeros(2, 3, 4).t())
    assert_raises_like(lambda lib: lib.zeros(2).mT)
    assert_raises_like(lambda lib: lib.zeros(2, 3).flatten(1, 0))
    assert_raises_like(lambda lib: lib.zeros(2, 6).unflatten(1, (4, 2)))
    assert_raises_like(lambda lib: lib.zeros(2, 3).movedim((0, 1), (0,)))


def test_expand_errors():
    assert_raises_like(lambda lib: lib.zeros(2, 3).expand(3, 3))
    assert_raises_like(lambda lib: lib.zeros(2, 3).expand(3))
    assert_raises_like(lambda lib: lib.zeros(2, 3).expand(-1, 2, 3))


def test_narrow_select_errors():
    assert_raises_like(lambda lib: lib.zeros(4, 5).narrow(0, 3, 2))
    assert_raises_like(lambda lib: lib.zeros(4, 5).narrow(0, 5, 0) if False else
                       lib.zeros(4, 5).narrow(0, 6, 0))
    assert_raises_like(lambda lib: lib.zeros(4, 5).narrow(0, -6, 1))
    assert_raises_like(lambda lib: lib.zeros(4, 5).narrow(2, 0, 1))
    assert_raises_like(lambda lib: lib.tensor(1.0).narrow(0, 0, 1))
    assert_raises_like(lambda lib: lib.zeros(4, 5).select(1, 5))
    assert_raises_like(lambda lib: lib.zeros(4, 5).select(0, -5))
    assert_raises_like(lambda lib: lib.tensor(1.0).select(0, 0))
    assert_raises_like(lambda lib: lib.zeros(4, 5)[4])
    assert_raises_like(lambda lib: lib.zeros(4, 5)[0, -6])
    assert_raises_like(lambda lib: lib.zeros(4, 5)[0, 0, 0])
    assert_raises_like(lambda lib: lib.zeros(4)[::-1])
    assert_raises_like(lambda lib: lib.zeros(4).split(-1))
    assert_raises_like(lambda lib: lib.zeros(4).split([1, 2]))
    assert_raises_like(lambda lib: lib.zeros(4).chunk(0))
    assert_raises_like(lambda lib: lib.zeros(4).tensor_split(0))
    assert_raises_like(lambda lib: lib.zeros(4).unbind(1))


def test_split_chunk_edge_cases():
    for fn in (lambda lib: lib.arange(5).split(2), lambda lib: lib.arange(5).split(5),
               lambda lib: lib.arange(5).split(7), lambda lib: lib.arange(0).split(2),
               lambda lib: lib.arange(6).chunk(4), lambda lib: lib.arange(5).chunk(3),
               lambda lib: lib.arange(2).chunk(5), lambda lib: lib.arange(0).chunk(3),
               lambda lib: lib.arange(7).tensor_split(3), lambda lib: lib.arange(2).tensor_split(4),
               lambda lib: lib.arange(7).tensor_split([2, 100]),
               lambda lib: lib.arange(7).tensor_split([5, 2]),
               lambda lib: lib.arange(7).tensor_split([-2]),
               lambda lib: lib.arange(6).reshape(2, 3).unbind(1),
               lambda lib: lib.zeros(0, 3).unbind(0), lambda lib: lib.arange(6).split([0, 6])):
        assert_same(fn(ember), fn(torch))


def test_functional_forms():
    x = make((2, 3, 4))
    for fn in (lambda lib, x: lib.reshape(x, (4, 6)), lambda lib, x: lib.permute(x, (1, 2, 0)),
               lambda lib, x: lib.transpose(x, 0, 1), lambda lib, x: lib.squeeze(x[:1]),
               lambda lib, x: lib.unsqueeze(x, 1), lambda lib, x: lib.flatten(x, 1),
               lambda lib, x: lib.narrow(x, 1, 0, 2), lambda lib, x: lib.select(x, 0, 1),
               lambda lib, x: lib.unbind(x, 2), lambda lib, x: lib.split(x, 1),
               lambda lib, x: lib.chunk(x, 3, 1), lambda lib, x: lib.movedim(x, 1, 0),
               lambda lib, x: lib.t(x[0]), lambda lib, x: lib.swapdims(x, 0, 2),
               lambda lib, x: lib.clone(x), lambda lib, x: lib.broadcast_to(x, (2, 2, 3, 4)),
               lambda lib, x: lib.tensor_split(x, 2, dim=2),
               lambda lib, x: lib.unflatten(x, 1, (3, 1))):
        check_case(OpCase("functional", fn, [x]))


def test_zero_dim_and_empty():
    for fn in (lambda lib: lib.tensor(2.0).view(1), lambda lib: lib.tensor(2.0).reshape(1, 1),
               lambda lib: lib.tensor(2.0).unsqueeze(0), lambda lib: lib.tensor(2.0).squeeze(),
               lambda lib: lib.tensor(2.0).squeeze(0), lambda lib: lib.tensor(2.0).t(),
               lambda lib: lib.tensor(2.0).T, lambda lib: lib.tensor(2.0).flatten(),
               lambda lib: lib.tensor(2.0).expand(3), lambda lib: lib.tensor(2.0)[None],
               lambda lib: lib.tensor(2.0)[...], lambda lib: lib.tensor(2.0).permute(()),
               lambda lib: lib.zeros(0, 3).view(3, 0), lambda lib: lib.zeros(0, 3).t(),
               lambda lib: lib.zeros(2, 0).reshape(0, 3), lambda lib: lib.zeros(2, 0)[1:],
               lambda lib: lib.tensor([1.0]).view(()), lambda lib: lib.zeros(3, 0, 2).flatten(1)):
        e, t = fn(ember), fn(torch)
        assert_same(e, t)
        if t.numel():
            assert e.stride() == t.stride(), (e.stride(), t.stride())


# ---------------------------------------------------------------- in-place ops on views
def _run_both(fn):
    """``fn(lib)`` returns a list of leaves; compare their gradients (and the returned tensors)."""
    res = {}
    for lib in (ember, torch):
        res[lib.__name__] = fn(lib)
    (e_out, e_leaves), (t_out, t_leaves) = res["ember"], res["torch"]
    assert_same(e_out, t_out, rtol=1e-6, atol=1e-6)
    for e, t in zip(e_leaves, t_leaves):
        assert (e.grad is None) == (t.grad is None)
        if t.grad is not None:
            assert_same(e.grad, t.grad, rtol=1e-6, atol=1e-6)


X = make((3, 4), "float64")
Y = make((4,), "float64")


def _leaves(lib):
    return (lib.tensor(X, requires_grad=True), lib.tensor(Y, requires_grad=True))


INPLACE_ON_VIEW = {
    "row_mul_": lambda lib, x, y: _sum_backward(lib, _f(x * 1, lambda z: z[0].mul_(y)), x),
    "col_add_": lambda lib, x, y: _sum_backward(lib, _f(x * 2, lambda z: z[:, 1].add_(y[:3])), x),
    "block_add_noncontig": lambda lib, x, y: _sum_backward(
        lib, _f(x * 1, lambda z: z[:, 1:].add_(y[1:] * z[:, :3].clone())), x),
    "transposed_base": lambda lib, x, y: _sum_backward(
        lib, _f((x * 1).t(), lambda z: z[1:3].mul_(y[:3])), x),
    "view_of_view": lambda lib, x, y: _sum_backward(
        lib, _f(x * 1, lambda z: z[1:][:, ::2].mul_(2)), x),
    "step_slice_div_": lambda lib, x, y: _sum_backward(
        lib, _f(x * 3, lambda z: z[:, ::2].div_(y[:2] + 5)), x),
    "reshape_view": lambda lib, x, y: _sum_backward(
        lib, _f(x * 1, lambda z: z.view(12)[2:6].mul_(y)), x),
    "two_inplace": lambda lib, x, y: _sum_backward(
        lib, _f(x * 1, lambda z: (z[0].mul_(y), z[1].add_(z[0]))), x),
    "base_used_after": lambda lib, x, y: _sum_backward(
        lib, _g(x * 1, lambda z: (z[0].mul_(y), z * z)[1]), x),
    "view_used_after": lambda lib, x, y: _sum_backward(
        lib, _g(x * 1, lambda z: _keep(z[2], lambda v: v.mul_(y)) * y), x),
    "unsqueeze_view": lambda lib, x, y: _sum_backward(
        lib, _f(x * 1, lambda z: z.unsqueeze(0)[0, 1].sub_(y)), x),
}


def _f(z, op):
    op(z)
    return z


def _g(z, op):
    return op(z)


def _keep(v, op):
    op(v)
    return v


def _sum_backward(lib, out, x):
    out.backward(lib.ones_like(out))
    return out


@pytest.mark.parametrize("name", list(INPLACE_ON_VIEW))
def test_inplace_on_view_autograd(name):
    def fn(lib):
        x, y = _leaves(lib)
        out = INPLACE_ON_VIEW[name](lib, x, y)
        return out, (x, y)

    _run_both(fn)


def test_inplace_on_view_grad_fn_names():
    for lib in (ember, torch):
        x = lib.ones(3, 4, requires_grad=True)
        z = x * 1
        v = z[0]
        v.mul_(2)
        names = (type(z.grad_fn).__name__, type(v.grad_fn).__name__)
        assert names[0] == "CopySlices"
        if lib is ember:
            e_names = names
    assert e_names[0] == names[0]


def test_inplace_on_view_of_leaf_errors():
    assert_raises_like(lambda lib: lib.ones(3, requires_grad=True)[0].mul_(2))
    assert_raises_like(lambda lib: lib.ones(3, 2, requires_grad=True).t().add_(1))
    assert_raises_like(lambda lib: lib.ones(3, requires_grad=True).mul_(2))
    # under no_grad it is allowed and bumps the version
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        with lib.no_grad():
            x[1:].mul_(2)
        assert x.tolist() == [1.0, 2.0, 2.0] and x._version == 1 and x.is_leaf


def test_inplace_on_view_nograd_base_needs_grad_value():
    # a base without grad gets history when a view is written with a value that requires grad
    def fn(lib):
        y = lib.tensor(Y, requires_grad=True)
        z = lib.zeros(3, 4, dtype=lib.float64)
        z[1].add_(y)
        out = z * 2
        out.backward(lib.ones_like(out))
        assert z.requires_grad and type(z.grad_fn).__name__ == "CopySlices"
        return out, (y,)

    _run_both(fn)


def test_modified_saved_view_error():
    def fn(lib):
        x, y = _leaves(lib)
        z = x * 1
        z[:, 1:].add_(y[1:] * z[:, :3])  # z[:, :3] was saved by mul, then overwritten
        z.backward(lib.ones_like(z))

    assert_raises_like(fn)

    def fn2(lib):
        x, y = _leaves(lib)
        h = (x * 2)[0:2]
        z = h * h
        h.add_(1)
        z.backward(lib.ones_like(z))

    assert_raises_like(fn2)


def test_stale_view_after_base_inplace():
    # a view made before its base was modified in place reads the new values and routes its
    # gradient through the base's new history (AsStridedBackward0)
    def fn(lib):
        x, y = _leaves(lib)
        z = x * 1
        col = z[:, 0]
        z[0].mul_(y)
        assert type(col.grad_fn).__name__ == "AsStridedBackward0"
        out = col * 3
        out.backward(lib.ones_like(out))
        return out, (x, y)

    _run_both(fn)


def test_expand_write_errors():
    assert_raises_like(lambda lib: lib.zeros(3, 1).expand(3, 4).add_(1))
