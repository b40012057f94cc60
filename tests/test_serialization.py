"""ember.save / ember.load against torch.save / torch.load (PyTorch 2.13): round trips both ways,
byte-identical files, sharing, views, every dtype, state dicts, optimizers, legacy format, mmap,
map_location, file objects, atomic writes and error messages.

Hostile files and the fuzz test are in tests/test_serialization_hostile.py.
"""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

import ember
from ember import serialization

DTYPES = ["float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool"]


def _values(lib, dtype, shape=(2, 3)):
    a = (np.arange(int(np.prod(shape))).reshape(shape) % 5).astype(getattr(ember, dtype).np)
    return lib.from_numpy(a.copy())


def _assert_same(e, t):
    """An Ember tensor equals a torch tensor: values, dtype, shape, strides, offset."""
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.stride() == t.stride()
    assert e.storage_offset() == t.storage_offset()
    assert e.requires_grad == t.requires_grad
    np.testing.assert_array_equal(e.numpy() if not e.requires_grad else e.detach().numpy(),
                                  t.detach().numpy())


def _nested(lib):
    x = lib.arange(12.0).reshape(3, 4)
    return {
        "x": x, "t": x.t(), "slice": x[1:, 2:], "row": x[2], "col": x[:, 1],
        "p": lib.nn.Parameter(lib.ones(2)), "frozen": lib.nn.Parameter(lib.ones(2), False),
        "i": lib.tensor([1, 2, 3]), "scalar": lib.tensor(3.5), "empty": lib.empty(0, 3),
        "list": [lib.zeros(2), 1, 2.5, "s", None, True], "tuple": (lib.ones(1), (1, 2)),
        "dtype": lib.float64, "size": lib.Size([2, 3]), "device": lib.device("cpu"),
        "bytes": b"\x00\xff", "set": {1, 2}, "complex": 1 + 2j, "bigint": 2 ** 70,
    }


# ------------------------------------------------------------------------- byte-identical files
BYTE_CASES = {
    "tensor": lambda L: L.arange(6.0).reshape(2, 3),
    "views and sharing": _nested,
    "every dtype": lambda L: {d: _values(L, d) for d in DTYPES},
    "0-d and empty": lambda L: [L.tensor(1.0), L.empty(0), L.zeros(0, 2, dtype=L.int64)],
    "state_dict": lambda L: (L.manual_seed(0), L.nn.Sequential(
        L.nn.Linear(3, 4), L.nn.BatchNorm1d(4), L.nn.Linear(4, 2)).state_dict())[1],
    "300 storages": lambda L: {f"k{i}": L.full((3,), float(i)) for i in range(300)},
    "no tensors": lambda L: {"a": [1, 2.0, "x"], "b": None},
}


@pytest.mark.parametrize("name", list(BYTE_CASES))
@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_files_are_byte_identical_to_torch(name, legacy):
    be, bt = io.BytesIO(), io.BytesIO()
    ember.save(BYTE_CASES[name](ember), be, _use_new_zipfile_serialization=not legacy)
    torch.save(BYTE_CASES[name](torch), bt, _use_new_zipfile_serialization=not legacy)
    if not legacy:
        assert be.getvalue() == bt.getvalue()
    else:  # legacy storage keys are pointers in torch: compare what loads
        be.seek(0)
        bt.seek(0)
        re, rt = torch.load(be, weights_only=True), torch.load(bt, weights_only=True)
        assert pickle.dumps(type(re)) == pickle.dumps(type(rt))


def test_path_uses_file_stem_as_archive_name(tmp_path):
    pe, pt = tmp_path / "e.model.pt", tmp_path / "t" / "e.model.pt"
    pt.parent.mkdir()
    ember.save({"w": ember.ones(3)}, pe)
    torch.save({"w": torch.ones(3)}, pt)
    assert pe.read_bytes() == pt.read_bytes()
    assert zipfile.ZipFile(pe).namelist()[0] == "e.model/data.pkl"


# ------------------------------------------------------------------------- torch saves, Ember loads
@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_torch_saves_ember_loads(legacy):
    obj = _nested(torch)
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=not legacy)
    buf.seek(0)
    got = ember.load(buf)
    for k, v in obj.items():
        if isinstance(v, torch.Tensor):
            _assert_same(got[k], v)
            assert type(got[k]).__name__ == type(v).__name__
    assert got["list"][1:] == [1, 2.5, "s", None, True]
    assert got["tuple"][1] == (1, 2)
    assert got["dtype"] is ember.float64 and got["size"] == ember.Size([2, 3])
    assert got["device"] == ember.device("cpu")
    assert got["bytes"] == b"\x00\xff" and got["set"] == {1, 2} and got["complex"] == 1 + 2j
    assert got["bigint"] == 2 ** 70
    # views of one storage share memory after loading, as in torch
    got["x"][1, 2] = 100.0
    assert got["t"][2, 1].item() == 100.0 and got["slice"][0, 0].item() == 100.0
    assert got["row"].storage_offset() == 8 and got["col"].stride() == (4,)
    assert got["p"].requires_grad and not got["frozen"].requires_grad


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("noncontig", [False, True])
def test_every_dtype_both_ways(dtype, noncontig):
    t = _values(torch, dtype, (3, 4))
    e = _values(ember, dtype, (3, 4))
    if noncontig:
        t, e = t[:, ::2], e[:, ::2]
    bt, be = io.BytesIO(), io.BytesIO()
    torch.save(t, bt)
    ember.save(e, be)
    bt.seek(0)
    be.seek(0)
    _assert_same(ember.load(bt), t)
    _assert_same(e, torch.load(be, weights_only=True))


def test_ember_saves_torch_loads_sharing_and_views():
    obj = _nested(ember)
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    got = torch.load(buf, weights_only=True)
    for k, v in obj.items():
        if isinstance(v, ember.Tensor):
            _assert_same(v, got[k])
    assert got["t"].untyped_storage().data_ptr() == got["x"].untyped_storage().data_ptr()
    assert isinstance(got["p"], torch.nn.Parameter) and got["p"].requires_grad


def test_tensor_attributes_and_requires_grad():
    x = ember.ones(2, requires_grad=True)
    x.note = "hello"
    buf = io.BytesIO()
    ember.save(x, buf)
    buf.seek(0)
    t = torch.load(buf, weights_only=True)
    assert t.requires_grad and t.note == "hello"
    buf.seek(0)
    e = ember.load(buf)
    assert e.requires_grad and e.note == "hello"


# ------------------------------------------------------------------------- models and optimizers
def _model(lib):
    lib.manual_seed(0)
    # (BatchNorm after the ReLU: right after a Linear it would zero the bias gradient, and Adam
    # would turn rounding noise into full steps)
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.BatchNorm1d(8),
                             lib.nn.Linear(8, 3))


def _train(lib, model, opt_name):
    opt = (lib.optim.Adam(model.parameters(), lr=0.01) if opt_name == "adam"
           else lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9))
    x = lib.from_numpy(np.linspace(-1, 1, 40, dtype=np.float32).reshape(10, 4))
    for _ in range(3):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
    return opt, x


@pytest.mark.parametrize("opt_name", ["adam", "sgd"])
@pytest.mark.parametrize("direction", ["torch->ember", "ember->torch"])
def test_trained_state_dicts_load_in_the_other(opt_name, direction, tmp_path):
    src, dst = (torch, ember) if direction == "torch->ember" else (ember, torch)
    m_src = _model(src)
    opt_src, x = _train(src, m_src, opt_name)
    path = tmp_path / "ckpt.pt"
    src.save({"model": m_src.state_dict(), "optim": opt_src.state_dict()}, path)
    ck = dst.load(path, weights_only=True)
    assert ck["model"]._metadata == m_src.state_dict()._metadata
    m_dst = _model(dst)
    m_dst.load_state_dict(ck["model"])
    opt_dst = (dst.optim.Adam(m_dst.parameters(), lr=0.01) if opt_name == "adam"
               else dst.optim.SGD(m_dst.parameters(), lr=0.1, momentum=0.9))
    opt_dst.load_state_dict(ck["optim"])
    m_src.eval()
    m_dst.eval()
    xd = dst.from_numpy(x.numpy())
    np.testing.assert_allclose(m_dst(xd).detach().numpy(), m_src(x).detach().numpy(),
                               rtol=1e-6, atol=1e-6)
    # the optimizer state came across exactly
    sd_src, sd_dst = opt_src.state_dict(), opt_dst.state_dict()
    assert sd_src["param_groups"] == sd_dst["param_groups"]
    for i, st in sd_src["state"].items():
        for k, v in st.items():
            np.testing.assert_array_equal(np.asarray(sd_dst["state"][i][k].numpy()),
                                          np.asarray(v.numpy()), err_msg=f"{i}.{k}")
    if opt_name == "sgd":  # one more step stays in lockstep (Adam amplifies rounding noise)
        for m, opt, inp in ((m_src, opt_src, x), (m_dst, opt_dst, xd)):
            m.train()
            opt.zero_grad()
            m(inp).pow(2).mean().backward()
            opt.step()
        for (k, a), b in zip(m_src.state_dict().items(), m_dst.state_dict().values()):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


# ------------------------------------------------------------------------- files, mmap, locations
def test_paths_file_objects_and_bytesio(tmp_path):
    x = ember.arange(5)
    p = tmp_path / "a.pt"
    ember.save(x, str(p))
    assert ember.load(str(p)).tolist() == [0, 1, 2, 3, 4]
    with open(p, "wb") as fh:
        ember.save(x, fh)
    with open(p, "rb") as fh:
        assert ember.load(fh).tolist() == [0, 1, 2, 3, 4]
    assert torch.load(p, weights_only=True).tolist() == [0, 1, 2, 3, 4]


def test_mmap_maps_storages(tmp_path):
    p = tmp_path / "m.pt"
    torch.save({"a": torch.arange(1000.0), "b": torch.ones(3, dtype=torch.int64)}, p)
    got = ember.load(p, mmap=True)
    assert got["a"][999].item() == 999.0
    import mmap

    base = got["a"]._data
    while isinstance(base, np.ndarray):
        base = base.base
    assert isinstance(getattr(base, "obj", base), mmap.mmap)
    got["a"][0] = 5.0  # private: the file is unchanged
    assert torch.load(p, weights_only=True)["a"][0].item() == 0.0
    with pytest.raises(ValueError, match="f must be a file path"):
        ember.load(io.BytesIO(p.read_bytes()), mmap=True)
    legacy = tmp_path / "l.pt"
    torch.save(torch.ones(2), legacy, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="mmap can only be used with files saved with"):
        ember.load(str(legacy), mmap=True)


@pytest.mark.parametrize("map_location", [None, "cpu", "device", "dict", "callable"])
def test_map_location_to_cpu(map_location):
    loc = {"device": ember.device("cpu"), "dict": {"cpu": "cpu"},
           "callable": lambda storage, location: storage}.get(map_location, map_location)
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf)
    buf.seek(0)
    assert ember.load(buf, map_location=loc)["w"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("map_location", ["cuda", "cuda:0", "device", "dict"])
def test_map_location_cuda_raises_torchs_error(map_location):
    def call(lib):
        loc = {"device": lib.device("cuda"), "dict": {"cpu": "cuda:0"}}.get(map_location,
                                                                            map_location)
        buf = io.BytesIO()
        torch.save({"w": torch.ones(2)}, buf)
        buf.seek(0)
        lib.load(buf, map_location=loc)

    with pytest.raises(RuntimeError) as et:
        call(torch)
    with pytest.raises(RuntimeError) as ee:
        call(ember)
    assert str(ee.value) == str(et.value)


# ------------------------------------------------------------------------- safety and errors
def _messages(make_bytes, **kw):
    out = []
    for lib in (torch, ember):
        with pytest.raises(Exception) as ex:
            lib.load(io.BytesIO(make_bytes()), **kw)
        out.append((type(ex.value), str(ex.value)))
    return out


def test_unsupported_global_message_matches_torch():
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    def make():
        buf = io.BytesIO()
        torch.save({"x": Evil()}, buf)
        return buf.getvalue()

    (tc, tm), (ec, em) = _messages(make)
    assert tc is ec is pickle.UnpicklingError
    assert em == tm


def test_custom_class_needs_safe_globals():
    buf = io.BytesIO()
    ember.save({"c": Point(1, 2)}, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL"):
        ember.load(buf)
    buf.seek(0)
    with serialization.safe_globals([Point]):
        assert ember.load(buf)["c"] == Point(1, 2)
    buf.seek(0)
    assert ember.load(buf, weights_only=False)["c"] == Point(1, 2)
    assert serialization.get_safe_globals() == []


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return (self.x, self.y) == (other.x, other.y)


def test_weights_only_with_pickle_module_raises():
    with pytest.raises(RuntimeError, match="Can not safely load weights when explicit"):
        ember.load(io.BytesIO(b""), pickle_module=pickle, weights_only=True)


def test_corrupted_zip_message_matches_torch():
    buf = io.BytesIO()
    torch.save(torch.ones(3), buf)
    data = buf.getvalue()
    for cut in (len(data) - 10, 100):
        (tc, tm), (ec, em) = _messages(lambda cut=cut: data[:cut])
        assert tc is ec is RuntimeError
        assert em.startswith(tm.split(":")[0])


def test_storage_size_disagreeing_with_record_is_rejected():
    buf = io.BytesIO()
    torch.save(torch.ones(3), buf)
    src = zipfile.ZipFile(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:  # the pickle claims 9 elements, the record holds 3
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("data.pkl"):
                data = data.replace(b"cpuq\x04K\x03t", b"cpuq\x04K\x09t")
            dst.writestr(info.filename, data)
    data = out.getvalue()
    with pytest.raises(RuntimeError, match="record size 12 mismatch with dst size 36"):
        ember.load(io.BytesIO(data))


def test_failed_load_leaves_model_unchanged():
    model = ember.nn.Linear(2, 2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(pickle.UnpicklingError):
        model.load_state_dict(ember.load(io.BytesIO(_evil_zip())))
    for k, v in model.state_dict().items():
        assert ember.equal(v, before[k])


def _evil_zip():
    buf = io.BytesIO()

    class Evil:
        def __reduce__(self):
            return (eval, ("1",))

    torch.save(Evil(), buf)
    return buf.getvalue()


# ------------------------------------------------------------------------- atomic writes
def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    p = tmp_path / "ckpt.pt"
    ember.save({"w": ember.ones(2)}, p)
    old = p.read_bytes()

    class Boom:
        def __reduce__(self):
            raise RuntimeError("boom while pickling")

    with pytest.raises(RuntimeError, match="boom while pickling"):
        ember.save({"w": ember.zeros(2), "bad": Boom()}, p)
    assert p.read_bytes() == old
    assert os.listdir(tmp_path) == ["ckpt.pt"]


def test_atomic_write_on_full_disk(tmp_path, monkeypatch):
    p = tmp_path / "ckpt.pt"
    ember.save(ember.ones(2), p)
    old = p.read_bytes()

    def write_fails(self, *args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(serialization._ZipWriter, "record", write_fails)
    with pytest.raises(OSError, match="No space left"):
        ember.save(ember.zeros(1000), p)
    assert p.read_bytes() == old
    assert os.listdir(tmp_path) == ["ckpt.pt"]


def test_save_keeps_permissions_and_follows_symlinks(tmp_path):
    real = tmp_path / "real.pt"
    ember.save(ember.ones(1), real)
    os.chmod(real, 0o640)
    link = tmp_path / "link.pt"
    os.symlink(real, link)
    ember.save(ember.zeros(1), link)
    assert os.path.islink(link)
    assert (os.stat(real).st_mode & 0o777) == 0o640
    assert ember.load(link).tolist() == [0.0]


def test_save_argument_errors():
    with pytest.raises(AttributeError, match="expected 'f' to be string, path, or a file-like"):
        ember.save(ember.ones(1), 3)
    with pytest.raises(RuntimeError, match="Parent directory"):
        ember.save(ember.ones(1), "/nonexistent_dir_xyz/a.pt")
