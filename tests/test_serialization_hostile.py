"""Hostile checkpoints against ``ember.load``: the adversary's side of issue 6.

Every file here is built in the test from pickle opcodes (``serialization_helpers``), never
stored. The guarantees checked for each hostile file:

* ``ember.load`` raises ``pickle.UnpicklingError`` or ``RuntimeError`` (never a bare
  ``KeyError``/``EOFError``/``struct.error``/``RecursionError``/``MemoryError``) with a message
  that names the problem;
* nothing runs: each payload would create a marker file in ``tmp_path`` if it ever ran;
* nothing large is allocated: the call runs under ``tracemalloc`` (which also sees NumPy's
  buffers) and its peak stays under ``ALLOC_LIMIT``, whatever size the file claims;
* a model whose ``load_state_dict(ember.load(...))`` fails keeps its parameters bit-identical;
* any tensor that *is* returned lies inside the memory of its storage (no view reaching before
  or past the buffer).

Where ``torch.load(..., weights_only=True)`` rejects the same file cleanly, the class matches
PyTorch's. Where PyTorch leaks an odd class (``KeyError``, ``EOFError``...), crashes or allocates,
Ember must still give one of the two documented classes.

The fuzz test at the end mutates valid checkpoints written by ``ember.save`` and ``torch.save``;
run ``pytest -s`` to see how many cases were loaded and how many rejected.
"""

import collections
import contextlib
import copyreg
import io
import os
import pickle
import re
import struct
import sys
import tempfile
import time
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
from serialization_helpers import (
    Pickle,
    ZipEntry,
    archive_entries,
    legacy_checkpoint,
    raw_zip,
    state_dict_pickle,
    tensor_pickle,
    zip_checkpoint,
)

import ember

try:  # NumPy 2 moved it
    from numpy.lib.array_utils import byte_bounds
except ImportError:  # pragma: no cover - NumPy 1.x
    byte_bounds = np.byte_bounds

torch = pytest.importorskip("torch")

CLEAN = (pickle.UnpicklingError, RuntimeError)
ALLOC_LIMIT = 50 * 2**20
MAX_MESSAGE = 20_000
F32 = np.arange(6, dtype=np.float32).tobytes()

# HOSTILE_ORACLE=torch runs the same files through torch.load (to see where PyTorch itself
# leaks odd exceptions or allocates); the default, and what CI runs, is ember.load.
ORACLE = os.environ.get("HOSTILE_ORACLE", "ember")
FUZZ_MARKER = os.path.join(tempfile.mkdtemp(prefix="ember-hostile-"), "pwned")

pytestmark = pytest.mark.skipif(ORACLE == "ember" and not hasattr(ember, "load"),
                                reason="ember.load not there yet")


def _load(src, **kwargs):
    if ORACLE == "torch":
        kwargs.setdefault("weights_only", True)
        return torch.load(src, **kwargs)
    return ember.load(src, **kwargs)


# ---------------------------------------------------------------------------------------------
# the checks


def _source(data, tmp_path, as_path):
    if not as_path:
        return io.BytesIO(data)
    path = tmp_path / "ckpt.pt"
    path.write_bytes(data)
    return str(path)


def _measured(fn):
    """Run fn() under tracemalloc; return (result, exception, peak bytes)."""
    tracemalloc.start()
    try:
        try:
            return fn(), None, tracemalloc.get_traced_memory()[1]
        except BaseException as e:  # noqa: BLE001 - classified by the caller
            if isinstance(e, KeyboardInterrupt):
                raise
            return None, e, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _root_array(arr):
    root, b = arr, arr.base
    while b is not None:
        if isinstance(b, np.ndarray):
            root = b
        b = getattr(b, "base", None)
    return root


def _walk(obj, limit=10000):
    """Yield every object reachable through containers (iteratively, each once)."""
    seen, todo = set(), [obj]
    while todo and len(seen) < limit:
        o = todo.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        yield o
        if isinstance(o, dict):
            todo.extend(o.keys())
            todo.extend(o.values())
            meta = getattr(o, "_metadata", None)
            if meta is not None:
                todo.append(meta)
        elif isinstance(o, (list, tuple, set, frozenset)):
            todo.extend(o)


def assert_tensors_in_bounds(obj):
    """Every Ember tensor reachable from obj is a view inside its root buffer."""
    for o in _walk(obj):
        if not isinstance(o, ember.Tensor):
            continue
        arr = o._data
        assert isinstance(arr, np.ndarray), f"tensor data is {type(arr)}"
        if arr.size == 0:
            continue
        lo, hi = byte_bounds(arr)
        rlo, rhi = byte_bounds(_root_array(arr))
        assert rlo <= lo and hi <= rhi, (
            f"tensor of shape {tuple(arr.shape)} strides {arr.strides} reaches outside its "
            f"storage: [{lo - rlo}, {hi - rlo}) of [0, {rhi - rlo})")


def check_clean_failure(exc, match=None, classes=CLEAN):
    """exc is one of the documented classes with a message naming the problem."""
    assert exc is not None, "the hostile file loaded without error"
    ok = isinstance(exc, classes) and not isinstance(exc, RecursionError)
    assert ok, f"leaked {type(exc).__name__}: {exc}"
    msg = str(exc)
    assert msg.strip(), f"{type(exc).__name__} without a message"
    # a message that echoes attacker-sized objects is itself an amplifier (and PyTorch's
    # message post-processing runs backtracking regexes over it)
    assert len(msg) <= MAX_MESSAGE, f"a {len(msg)}-character message: {msg[:300]!r}..."
    if match is not None:
        assert re.search(match, msg, re.S), f"message does not name the problem: {msg!r}"


def reject(data, tmp_path, match=None, *, classes=CLEAN, as_path=False, limit=ALLOC_LIMIT,
           **kwargs):
    """ember.load(data) fails cleanly, runs nothing, allocates little; return the exception."""
    src = _source(data, tmp_path, as_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, exc, peak = _measured(lambda: _load(src, **kwargs))
    assert not (tmp_path / "pwned").exists(), "the payload ran"
    assert peak < limit, f"ember.load allocated {peak / 2**20:.0f} MiB for a hostile file"
    if exc is None:
        assert_tensors_in_bounds(result)
    check_clean_failure(exc, match, classes)
    return exc


def survive(data, tmp_path, *, as_path=False, **kwargs):
    """ember.load(data) either returns (in-bounds tensors) or fails cleanly; runs nothing,
    allocates little. Return (result, exception)."""
    src = _source(data, tmp_path, as_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, exc, peak = _measured(lambda: _load(src, **kwargs))
    assert not (tmp_path / "pwned").exists(), "the payload ran"
    assert peak < ALLOC_LIMIT, f"ember.load allocated {peak / 2**20:.0f} MiB"
    if exc is None:
        assert_tensors_in_bounds(result)
    else:
        check_clean_failure(exc)
    return result, exc


def torch_outcome(data):
    """(result, exception) of torch.load(weights_only=True) on the same bytes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return torch.load(io.BytesIO(data), weights_only=True), None
        except Exception as e:  # noqa: BLE001
            return None, e


def same_class_as_torch(exc, data):
    """Where torch rejects with one of the documented classes, Ember uses the same one."""
    _, texc = torch_outcome(data)
    if isinstance(texc, CLEAN):
        tcls = pickle.UnpicklingError if isinstance(texc, pickle.UnpicklingError) else RuntimeError
        assert isinstance(exc, tcls), (
            f"torch raises {type(texc).__name__}, Ember {type(exc).__name__}: {exc}")


def zipped(pkl, storages=None, **kw):
    """A torch-style zip around pkl with one float32 storage "0" of 6 elements by default."""
    return zip_checkpoint(pkl, {"0": F32} if storages is None else storages, **kw)


@contextlib.contextmanager
def labelled(name):
    """Prefix a failing assertion's message with the case's name."""
    try:
        yield
    except AssertionError as e:
        raise AssertionError(f"[{name}] {e}") from None


@pytest.fixture
def marker(tmp_path):
    """The path a payload would create."""
    return str(tmp_path / "pwned")


# ---------------------------------------------------------------------------------------------
# 1. globals that must never resolve, however they are reached


def _payloads(m):
    """(id, module, name, args) whose call would create the marker file m."""
    cmd = f"touch {m}"
    code = f"open({m!r}, 'w').close()"
    return [
        ("os.system", "os", "system", (cmd,)),
        ("posix.system", "posix", "system", (cmd,)),
        ("nt.system", "nt", "system", (cmd,)),
        ("os.popen", "os", "popen", (cmd,)),
        ("builtins.eval", "builtins", "eval", (code,)),
        ("builtins.exec", "builtins", "exec", (code,)),
        ("__builtin__.eval", "__builtin__", "eval", (code,)),
        ("builtins.open", "builtins", "open", (m, "w")),
        ("io.open", "io", "open", (m, "w")),
        ("_io.open", "_io", "open", (m, "w")),
        ("codecs.open", "codecs", "open", (m, "w")),
        ("pathlib.Path.touch", "pathlib", "Path.touch", (m,)),
        ("subprocess.Popen", "subprocess", "Popen", (["touch", m],)),
        ("subprocess.call", "subprocess", "call", (["touch", m],)),
        ("subprocess.check_output", "subprocess", "check_output", (["touch", m],)),
        ("builtins.compile", "builtins", "compile", (code, "x", "exec")),
        ("builtins.__import__", "builtins", "__import__", ("os",)),
        ("builtins.getattr", "builtins", "getattr", ("x", "upper")),
        ("builtins.setattr", "builtins", "setattr", ("x", "y", 1)),
        ("builtins.globals", "builtins", "globals", ()),
        ("builtins.breakpoint", "builtins", "breakpoint", ()),
        ("builtins.type", "builtins", "type", ("X", (), {})),
        ("importlib.import_module", "importlib", "import_module", ("os",)),
        ("runpy.run_path", "runpy", "run_path", (m,)),
        ("pickle.loads", "pickle", "loads",
         (f"cos\nsystem\n(V{cmd}\ntR.".encode(),)),
        ("_pickle.loads", "_pickle", "loads", (f"cos\nsystem\n(V{cmd}\ntR.".encode(),)),
        ("numpy.load", "numpy", "load", (m,)),
        ("numpy.save", "numpy", "save", (m, 1)),
        ("numpy.core.multiarray._reconstruct", "numpy.core.multiarray", "_reconstruct",
         (1, (0,), b"b")),
        ("shutil.copyfile", "shutil", "copyfile", (__file__, m)),
        ("torch.save", "torch", "save", ({}, m)),
        ("torch.load", "torch", "load", (m,)),
        ("torch.serialization.save", "torch.serialization", "save", ({}, m)),
        ("torch.storage._load_from_bytes", "torch.storage", "_load_from_bytes", (b"x",)),
        ("torch.hub.load", "torch.hub", "load", (m, "x")),
        ("torch.from_numpy", "torch", "from_numpy", (1,)),
        ("torch.tensor", "torch", "tensor", ([1.0],)),
        ("torch.zeros", "torch", "zeros", (10**12,)),
        ("torch.empty", "torch", "empty", (10**12,)),
        ("ember.save", "ember", "save", ({}, m)),
        ("ember.load", "ember", "load", (m,)),
        ("ember.serialization.save", "ember.serialization", "save", ({}, m)),
        ("ember.cli.main", "ember.cli", "main", (["run", m],)),
        # dotted names: attribute chains off allowed objects must not be followed
        ("OrderedDict.__class__", "collections", "OrderedDict.__class__", ("X", (), {})),
        ("OrderedDict.fromkeys", "collections", "OrderedDict.fromkeys", ((1,),)),
        ("_codecs.encode.__self__", "_codecs", "encode.__self__", ()),
        ("Parameter.__init_subclass__", "torch.nn.parameter", "Parameter.__init_subclass__", ()),
        ("Tensor.__subclasses__", "torch", "Tensor.__subclasses__", ()),
        ("torch.Tensor.__reduce_ex__", "torch", "Tensor.__reduce_ex__", (2,)),
        ("torch.device.__class__", "torch", "device.__class__", ("X", (), {})),
        ("set.__class__", "builtins", "set.__class__", ("X", (), {})),
        ("torch.nn.Module", "torch.nn", "Module", ()),
        ("torch.nn.modules.module.Module", "torch.nn.modules.module", "Module", ()),
        ("torch.serialization.load", "torch.serialization", "load", (m,)),
        ("torch._utils._rebuild_tensor_v2.__globals__", "torch._utils",
         "_rebuild_tensor_v2.__globals__", ()),
        ("torch.ops", "torch", "ops", ()),
        ("torch._C", "torch", "_C", ()),
        ("sys.modules", "sys", "modules", ()),
    ]


PAYLOAD_IDS = [p[0] for p in _payloads("M")]


def _payload(m, pid):
    return next(p for p in _payloads(m) if p[0] == pid)


def _global_name_re(module, name):
    """What the message must mention: the global's last name component."""
    return re.escape(name.split(".")[-1])


@pytest.mark.parametrize("pid", PAYLOAD_IDS)
def test_global_reduce_is_rejected(pid, tmp_path, marker):
    _, module, name, args = _payload(marker, pid)
    pkl = Pickle().proto().global_(module, name).value(args).reduce().stop().bytes
    data = zipped(pkl)
    exc = reject(data, tmp_path, _global_name_re(module, name))
    assert isinstance(exc, pickle.UnpicklingError), f"{type(exc).__name__}: {exc}"
    reject(legacy_checkpoint(pkl), tmp_path, _global_name_re(module, name))


@pytest.mark.parametrize("pid", PAYLOAD_IDS[:12] + ["torch.save", "ember.save", "set.__class__"])
@pytest.mark.parametrize("route", ["bare", "stack_global", "inst", "obj", "newobj", "build",
                                   "persid_text", "ext1"])
def test_other_routes_to_a_call(pid, route, tmp_path, marker):
    """GLOBAL pushed and left, STACK_GLOBAL (protocol 4), INST, OBJ, NEWOBJ, BUILD with a
    state, text PERSID and EXT1 (copyreg's extension registry) never call anything."""
    _, module, name, args = _payload(marker, pid)
    p = Pickle().proto(4 if route == "stack_global" else 2)
    if route == "bare":
        p.global_(module, name)
    elif route == "stack_global":
        p.stack_global(module, name).value(args).reduce()
    elif route == "inst":
        p.mark()
        for a in args:
            p.value(a)
        p.inst(module, name)
    elif route == "obj":
        p.mark().global_(module, name)
        for a in args:
            p.value(a)
        p.obj()
    elif route == "newobj":
        p.global_(module, name).value(args).newobj()
    elif route == "build":
        p.global_("collections", "OrderedDict").empty_tuple().reduce()
        p.global_(module, name).value(args).tuple2().build()
    elif route == "persid_text":
        p.raw(b"P" + f"{module} {name}".encode() + b"\n")
    elif route == "ext1":
        copyreg.add_extension(module, name, 241)
        p.ext1(241).value(args).reduce()
    try:
        reject(zipped(p.stop().bytes), tmp_path, None, classes=pickle.UnpicklingError)
    finally:
        if route == "ext1":
            copyreg.remove_extension(module, name, 241)


def test_blocked_and_unsupported_global_messages_match_torch(tmp_path, marker):
    """The wording users search for: torch's, global by global."""
    for module, name in [("os", "system"), ("posix", "system"), ("builtins", "eval"),
                         ("subprocess", "Popen"), ("collections", "OrderedDict.fromkeys")]:
        data = zipped(Pickle().proto().global_(module, name).str("x").tuple1().reduce()
                      .stop().bytes)
        exc = reject(data, tmp_path)
        _, texc = torch_outcome(data)
        assert type(exc) is type(texc) and str(exc) == str(texc), (str(exc), str(texc))


def test_default_and_none_weights_only_are_safe(tmp_path, marker):
    """weights_only defaults to True; None means the default, as in PyTorch."""
    pkl = Pickle().proto().global_("os", "system").str(f"touch {marker}").tuple1().reduce()
    data = zipped(pkl.stop().bytes)
    reject(data, tmp_path, "system")
    reject(data, tmp_path, "system", weights_only=True)
    reject(data, tmp_path, "system", weights_only=None)
    reject(data, tmp_path, "system", as_path=True)
    reject(data, tmp_path, "system", map_location="cpu", mmap=True, as_path=True)


def test_hostile_sys_info_and_magic_pickles_in_legacy_files(tmp_path, marker):
    """The legacy format has four pickles besides the main one; each goes through the
    allow-list too."""
    evil = Pickle().proto().global_("os", "system").str(f"touch {marker}").tuple1().reduce()
    evil = evil.stop().bytes
    good = Pickle().proto().tensor(legacy_view=True).stop().bytes
    full = legacy_checkpoint(good, {"0": F32})
    # replace the magic number pickle, then the sys-info pickle, then the key list pickle
    magic = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
    proto = pickle.dumps(1001, protocol=2)
    assert full.startswith(magic + proto)
    reject(evil + full[len(magic):], tmp_path, "system")
    reject(magic + evil + full[len(magic) + len(proto):], tmp_path, "system")
    info = pickle.dumps({"protocol_version": 1001, "little_endian": True,
                         "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2)
    head = magic + proto + info
    assert full.startswith(head)
    reject(head[:-len(info)] + evil + full[len(head):], tmp_path, "system")
    keys = pickle.dumps(["0"], protocol=2)
    i = full.index(keys, len(head) + len(good))
    reject(full[:i] + evil + full[i + len(keys):], tmp_path, "system")


# ---------------------------------------------------------------------------------------------
# 2. opcodes outside the allow-list, and the allowed callables given hostile arguments

SUPPORTED = set(b"a}](Ntq\x80\x85\x86\x87\x88\x89)RbeusJKMGXUcQhjrp\x8a\x81\x8f.")


@pytest.mark.parametrize("op", sorted(set(range(256)) - SUPPORTED))
def test_every_other_opcode_fails_cleanly(op, tmp_path):
    """Each opcode PyTorch's unpickler does not know, followed by junk that would satisfy
    its argument: a clean error, or (if Ember knows the opcode) a harmless value."""
    arg = struct.pack("<I", 3) + b"abc" + b"\n" + b"x\n" + b"."
    data = zipped(Pickle().proto().raw(bytes([op]) + arg).stop().bytes)
    survive(data, tmp_path)


@pytest.mark.parametrize("opcode", ["LONG4", "BINBYTES", "BINUNICODE8", "BINBYTES8",
                                    "BYTEARRAY8", "FRAME", "BINUNICODE", "BINSTRING"])
@pytest.mark.parametrize("as_path", [False, True])
def test_length_prefixed_opcodes_claiming_gigabytes(opcode, as_path, tmp_path):
    """An opcode whose length prefix claims 2-4 GB in a tiny file must not allocate it
    (reading ``f.read(n)`` from a real file allocates n bytes up front). Legacy files are
    unpickled straight from the file, so the path case is the sharp one."""
    op = getattr(pickle, opcode)
    n = 2**31 - 1 if opcode in ("LONG4", "BINSTRING") else 2**32 - 1
    wide = opcode in ("BINUNICODE8", "BINBYTES8", "BYTEARRAY8", "FRAME")
    prefix = struct.pack("<Q", n) if wide else struct.pack("<I" if opcode != "LONG4" else "<i", n)
    pkl = Pickle().proto(4 if wide else 2).raw(op + prefix + b"abc").stop().bytes
    reject(zipped(pkl), tmp_path, as_path=as_path)
    reject(legacy_checkpoint(pkl), tmp_path, as_path=as_path)


ALLOWED_GLOBALS = [
    ("collections", "OrderedDict"), ("collections", "Counter"), ("builtins", "set"),
    ("builtins", "bytearray"), ("builtins", "complex"), ("_codecs", "encode"),
    ("torch", "Size"), ("torch", "device"), ("torch", "Tensor"), ("torch", "FloatTensor"),
    ("torch.nn.parameter", "Parameter"), ("torch", "FloatStorage"), ("torch", "float32"),
    ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"),
    ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"),
    ("torch._tensor", "_rebuild_from_type_v2"), ("torch.serialization", "_get_layout"),
    ("torch._utils", "_rebuild_device_tensor_from_numpy"),
    ("torch._utils", "_rebuild_wrapper_subclass"),
    ("torch._utils", "_rebuild_meta_tensor_no_storage"),
]
HOSTILE_ARGS = [(), (50_000_000,), ((50_000_000,),), (-1,), ("x" * 40,), (None,),
                ([1, 2],), ({"a": 1},), ("abc", "rot13"), ("abc", "zlib_codec"),
                (b"\x00" * 8, "hex_codec"), ((), ()), (1.5, 2.5, 3.5)]


@pytest.mark.parametrize("module,name", ALLOWED_GLOBALS, ids=lambda x: str(x))
@pytest.mark.parametrize("how", ["reduce", "newobj", "build"])
def test_allowed_globals_with_hostile_arguments(module, name, how, tmp_path):
    """Each allowed callable, called (REDUCE/NEWOBJ) or BUILT with odd arguments: a value or
    a clean error, and never a large allocation (``bytearray(50_000_000)`` and
    ``torch.Tensor(50_000_000)`` from a 60-byte file would be 50-200 MB)."""
    for args in HOSTILE_ARGS:
        p = Pickle().proto().global_(module, name)
        if how == "build":
            p.empty_tuple().reduce().value(args).build()
        else:
            p.value(args)
            if how == "reduce":
                p.reduce()
            else:
                p.newobj()
        survive(zipped(p.stop().bytes), tmp_path)


def test_build_on_ordered_dict_cannot_change_its_class(tmp_path):
    """BUILD on an OrderedDict updates its ``__dict__`` (for ``_metadata``), nothing more."""
    p = Pickle().proto().global_("collections", "OrderedDict").empty_tuple().reduce()
    p.empty_dict().str("__class__").global_("collections", "Counter").setitem()
    p.str("keys").global_("builtins", "set").setitem().build()
    result, exc = survive(zipped(p.stop().bytes), tmp_path)
    if exc is None:
        assert type(result) is collections.OrderedDict
        assert list(result.keys()) == []


def test_build_with_slot_state_on_a_tensor(tmp_path):
    """``_rebuild_from_type_v2`` / BUILD state that would overwrite a tensor's internals."""
    p = Pickle().proto().global_("torch._tensor", "_rebuild_from_type_v2")
    p.mark().global_("torch._utils", "_rebuild_tensor_v2")
    p.global_("torch", "Tensor")
    p.mark().mark().str("storage").global_("torch", "FloatStorage").str("0").str("cpu").int(6)
    p.tuple().persid().int(0).value((6,)).value((1,)).bool(False)
    p.global_("collections", "OrderedDict").empty_tuple().reduce().tuple()
    p.empty_dict().str("_data").str("not an array").setitem()
    p.str("_version").int(-1).setitem()
    p.tuple().reduce()
    result, exc = survive(zipped(p.stop().bytes), tmp_path)
    if exc is None and isinstance(result, ember.Tensor):
        assert isinstance(result._data, np.ndarray)


TENSOR_STATES = {
    "_data str": {"_data": "not an array"},
    "_data list": {"_data": [1, 2, 3]},
    "_vc None": {"_vc": None},
    "_grad_fn set": {"_grad_fn": ("builtins", "set")},
    "_requires_grad str": {"_requires_grad": "yes"},
    "requires_grad property": {"requires_grad": "yes"},
    "grad property": {"grad": "x"},
    "slot _data": ({}, {"_data": "x"}),
    "slot __class__": ({}, {"__class__": ("collections", "OrderedDict")}),
    "dict __class__": {"__class__": ("collections", "OrderedDict")},
    "not a dict": [1, 2],
    "legacy set_ tuple": ((), 0, (6,), (1,)),
}


def _push_state(p, state):
    """Push a state value where ("module", "name") pairs inside dicts stand for GLOBALs."""
    if isinstance(state, dict):
        p.empty_dict()
        for k, v in state.items():
            p.str(k)
            if isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, str) for x in v):
                p.global_(*v)
            else:
                p.value(v)
            p.setitem()
    elif isinstance(state, tuple) and len(state) == 2 and isinstance(state[1], dict):
        p.mark()
        _push_state(p, state[0])
        _push_state(p, state[1])
        p.tuple()
    else:
        p.value(state)
    return p


@pytest.mark.parametrize("case", list(TENSOR_STATES))
def test_build_cannot_break_tensor_internals(case, tmp_path):
    """BUILD on a rebuilt tensor (PyTorch: ``set_(*state)`` for legacy state, attributes via
    ``_set_obj_state``) must not replace Ember's internals (``_data``, ``_vc``, ``_grad_fn``,
    ``_requires_grad``) with arbitrary objects, nor change the tensor's class."""
    p = _push_state(Pickle().proto().tensor(), TENSOR_STATES[case]).build()
    result, exc = survive(zipped(p.stop().bytes), tmp_path)
    if exc is None:
        fresh = ember.zeros(2)
        assert type(result) is ember.Tensor
        assert isinstance(result._data, np.ndarray)
        np.testing.assert_array_equal(result._data, np.arange(6, dtype=np.float32).reshape(2, 3))
        assert result._requires_grad in (True, False)
        assert result._grad_fn is None
        assert type(result._vc) is type(fresh._vc)
        assert result.requires_grad in (True, False) and result.grad is None


def _tensor_with_attr_program(route, name, value_global):
    """A tensor whose Python attribute ``name`` is set to a GLOBAL by BUILD on a plain tensor
    or through ``_rebuild_from_type_v2``'s state."""
    if route == "build":
        p = Pickle().proto().tensor().empty_dict().str(name).global_(*value_global)
        return p.setitem().build().stop().bytes
    p = Pickle().proto().global_("torch._tensor", "_rebuild_from_type_v2").mark()
    p.global_("torch._utils", "_rebuild_tensor_v2").global_("torch", "Tensor")
    p.mark().mark().str("storage").global_("torch", "FloatStorage").str("0").str("cpu").int(6)
    p.tuple().persid().int(0).value((2, 3)).value((3, 1)).bool(False)
    p.global_("collections", "OrderedDict").empty_tuple().reduce().tuple()
    p.empty_dict().str(name).global_(*value_global).setitem()
    return p.tuple().reduce().stop().bytes


@pytest.mark.parametrize("name", ["_wrap_dim", "_scalar_value", "_make", "size", "numpy"])
@pytest.mark.parametrize("route", ["build", "from_type"])
def test_state_cannot_shadow_tensor_methods(name, route, tmp_path):
    """Tensor attributes from a checkpoint must not shadow Ember's own methods: after
    ``{"_wrap_dim": set}`` every ``t.size(0)`` raises. PyTorch's BUILD on a plain tensor
    is ``set_(*state)`` and sets no attribute at all; its ``_rebuild_from_type_v2`` state can
    shadow public methods (so ``size``/``numpy`` are accepted there), but PyTorch's internals
    are C++ and cannot be replaced, while Ember's private methods are Python attributes."""
    data = zipped(_tensor_with_attr_program(route, name, ("builtins", "set")))
    result, exc = survive(data, tmp_path)
    if exc is None:
        if route == "from_type" and not name.startswith("_"):
            return  # PyTorch parity
        assert name not in vars(result), f"the checkpoint replaced Tensor.{name}"
        assert result.size(0) == 2 and float(result.sum()) == 15.0


@pytest.mark.parametrize("what", ["device", "Size", "set", "Counter", "complex", "Parameter"])
@pytest.mark.parametrize("state", [{"type": "cuda"}, ({}, {"type": "cuda"}),
                                   ({}, {"__class__": ("collections", "OrderedDict")}),
                                   {"__dict__": 1}, ({}, {"most_common": ("builtins", "set")}),
                                   (50_000_000,)], ids=str)
def test_build_on_allowed_values(what, state, tmp_path):
    """BUILD on instances of the allowed classes: a clean error or a harmless value, never a
    leaked AttributeError/TypeError, never a mutated device or a changed class."""
    p = Pickle().proto()
    if what == "device":
        p.global_("torch", "device").value(("cpu",)).reduce()
    elif what == "Size":
        p.global_("torch", "Size").value(((2, 3),)).reduce()
    elif what == "set":
        p.global_("builtins", "set").value(([1],)).reduce()
    elif what == "Counter":
        p.global_("collections", "Counter").value(("ab",)).reduce()
    elif what == "complex":
        p.global_("builtins", "complex").value((1.0, 2.0)).reduce()
    else:
        p.global_("torch._utils", "_rebuild_parameter").mark().tensor().bool(True)
        p.global_("collections", "OrderedDict").empty_tuple().reduce().tuple().reduce()
    p = _push_state(p, state).build()
    result, exc = survive(zipped(p.stop().bytes), tmp_path)
    if exc is None:
        expected = {"device": ember.device, "Size": ember.Size, "set": set,
                    "Counter": collections.Counter, "complex": complex,
                    "Parameter": ember.nn.Parameter}[what]
        assert type(result) is expected
        if what == "device":
            assert result.type == "cpu"
        if what == "Counter":
            assert result.most_common() == [("a", 1), ("b", 1)]


# ---------------------------------------------------------------------------------------------
# 3. persistent ids


BAD_PIDS = {
    "int": 3,
    "str": "storage",
    "list": ["storage", "FloatStorage", "0", "cpu", 6],
    "none": None,
    "module": ("module", "x", "y", "z"),
    "empty tuple": (),
    "short": ("storage",),
    "too long": ("storage", None, "0", "cpu", 6, None, None),
    "storage type int": ("storage", 1, "0", "cpu", 6),
    "storage type str": ("storage", "FloatStorage", "0", "cpu", 6),
}


@pytest.mark.parametrize("pid", list(BAD_PIDS))
def test_bad_persistent_ids(pid, tmp_path):
    data = zipped(Pickle().proto().value(BAD_PIDS[pid]).persid().stop().bytes)
    exc = reject(data, tmp_path)
    same_class_as_torch(exc, data)


BAD_STORAGE_REFS = {
    "unknown key": dict(key="7"),
    "int key (torch accepts)": dict(key=0),
    "unhashable key": dict(key=[1]),
    "key traversal": dict(key="../version"),
    "key absolute": dict(key="/etc/passwd"),
    "huge key": dict(key="9" * 5000),
    "no such dtype": dict(storage_type="Float128Storage"),
    "not a storage": dict(storage_type=("collections", "OrderedDict")),
    "storage None": dict(storage_type=None),
    "Tensor as storage": dict(storage_type=("torch", "Tensor")),
    "numel 10**12": dict(numel=10**12, size=(10**12,), stride=(1,)),
    "numel 10**30": dict(numel=10**30, size=(6,), stride=(1,)),
    "numel negative": dict(numel=-6, size=(2,), stride=(1,)),
    "numel str": dict(numel="6"),
    "numel float": dict(numel=6.0),
    "location cuda": dict(location="cuda:0"),
    "location meta": dict(location="meta"),
    "location evil": dict(location="evil"),
    "location int": dict(location=3),
}


@pytest.mark.parametrize("case", list(BAD_STORAGE_REFS))
@pytest.mark.parametrize("fmt", ["zip", "legacy"])
def test_bad_storage_references(case, fmt, tmp_path):
    kw = BAD_STORAGE_REFS[case]
    if fmt == "zip":
        data = zipped(tensor_pickle(**kw))
    else:
        data = legacy_checkpoint(Pickle().proto().tensor(legacy_view=True, **kw).stop().bytes,
                                 {"0": F32})
    if case == "int key (torch accepts)" or case == "location meta":
        survive(data, tmp_path)
        return
    exc = reject(data, tmp_path)
    if fmt == "zip":
        same_class_as_torch(exc, data)


def test_one_key_two_dtypes_never_reads_past_the_record(tmp_path):
    """The first reference to storage "0" says 6 float32 (24 bytes); a second reference to
    the same key says 6 int64 / 10**12 float32. PyTorch keeps the first storage (both
    tensors float32); Ember must not view 24 bytes as 48 (or 4 TB)."""
    for second in (dict(storage_type="LongStorage", size=(6,), stride=(1,)),
                   dict(storage_type="LongStorage", size=(3,), stride=(1,)),
                   dict(storage_type="DoubleStorage", numel=6, size=(6,), stride=(1,)),
                   dict(numel=10**12, size=(10**6,), stride=(1,))):
        pkl = Pickle().proto().mark().tensor().tensor(**second).tuple().stop().bytes
        data = zipped(pkl)
        result, exc = survive(data, tmp_path)
        if exc is None:
            tres, texc = torch_outcome(data)
            assert texc is None, "torch rejects this file but Ember loads it"
            for e, t in zip(result, tres):
                assert tuple(e.shape) == tuple(t.shape)
                np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_rebuild_from_type_cannot_call_tensor_constructor(tmp_path):
    """``_rebuild_from_type_v2(func, type, args, state)`` calls ``func(*args)``; with ``func``
    = ``torch.Tensor`` that is ``Tensor(50_000_000)``: 200 MB from a 300-byte file (REDUCE on
    ``torch.Tensor`` itself is refused, this is the same call by another road)."""
    for func, args in ((("torch", "Tensor"), (50_000_000,)),
                       (("torch", "Tensor"), (10**12,)),
                       (("torch", "Tensor"), (5000, 5000, 2)),
                       (("torch.nn.parameter", "Parameter"), ()),
                       (("builtins", "bytearray"), (50_000_000,)),
                       (("torch._tensor", "_rebuild_from_type_v2"), ())):
        p = Pickle().proto().global_("torch._tensor", "_rebuild_from_type_v2").mark()
        p.global_(*func).global_("torch", "Tensor").value(args).empty_dict().tuple().reduce()
        with labelled(f"{func} {args}"):
            survive(zipped(p.stop().bytes), tmp_path)


def test_overlapping_zip_records_are_not_a_memory_amplifier(tmp_path):
    """100 central-directory entries (data/0..data/99) all pointing at one 1 MiB record: the
    pickle asks for 100 storages and a reader that trusts each entry allocates 100 MiB from a
    1 MiB file (PyTorch does). The storages of a stored zip cannot hold more bytes than the
    file; Ember refuses (or maps them with mmap=True, which allocates nothing)."""
    n, numel = 100, 2**18
    entries = {str(i): dict(key=str(i), numel=numel, size=(numel,), stride=(1,))
               for i in range(n)}
    members = archive_entries(state_dict_pickle(entries),
                              {"0": np.ones(numel, np.float32).tobytes()})
    members += [ZipEntry(f"archive/data/{i}", b"", alias_of="archive/data/0")
                for i in range(1, n)]
    data = raw_zip(members)
    assert len(data) < 2 * 2**20
    reject(data, tmp_path, as_path=True)
    reject(data, tmp_path)
    survive(data, tmp_path, as_path=True, mmap=True)


@pytest.mark.parametrize("member", [0, 1])
def test_lying_compressed_size_does_not_allocate(member, tmp_path):
    """A stored record (``data.pkl``, ``byteorder``) whose central directory claims a
    compressed size of 2 GB - 4 GB - 1 TB: ``zipfile`` then asks the file for
    ``min(1 GiB, compress_size)`` bytes in one ``read``, and a real file object allocates that
    much up front (a 700-byte file costs 1 GiB). Bytes objects are not affected; paths are."""
    for csize in (0x7FFFFFFF, 0xFFFFFFF0, 2**40):
        members = archive_entries(tensor_pickle(), {"0": F32})
        members[member].claimed_csize = csize
        data = raw_zip(members)
        with labelled(f"member {member} compress_size {csize:#x}"):
            survive(data, tmp_path)
            survive(data, tmp_path, as_path=True)


def test_legacy_storage_key_list_oddities(tmp_path):
    """The legacy key list is a pickle of its own: keys that are unhashable, non-ASCII bytes,
    or missing. A storage the pickle refers to but the key list leaves out is never read from
    the file: PyTorch hands back uninitialised memory; Ember refuses it or gives zeros, never
    stale heap contents."""
    good = Pickle().proto().tensor(legacy_view=True).stop().bytes
    for keys in ([[1]], [b"\xff"], [None], [("0",)], ["0", "0"]):
        with labelled(f"keys {keys!r}"):
            survive(legacy_checkpoint(good, {"0": F32}, keys=keys), tmp_path)
    for _ in range(3):
        # free a 24-byte buffer holding 12345.0s, then load without reading data/0
        stale = np.full(6, 12345.0, np.float32)
        del stale
        result, exc = survive(legacy_checkpoint(good, {"0": F32}, keys=[]), tmp_path)
        if exc is None:
            np.testing.assert_array_equal(result.numpy(), np.zeros((2, 3), np.float32),
                                          err_msg="a storage absent from the key list came "
                                          "back with whatever the allocator held")


# ---------------------------------------------------------------------------------------------
# 4. tensor geometry


GEOMETRY = {
    "size past storage": dict(size=(4, 3)),
    "stride past end": dict(size=(2, 3), stride=(30, 1)),
    "offset past end": dict(offset=100),
    "offset at end": dict(offset=6, size=(1,), stride=(1,)),
    "offset negative": dict(offset=-1, size=(2,), stride=(1,)),
    "negative size": dict(size=(-2, 3)),
    "negative stride reads before start": dict(size=(2,), stride=(-1,)),
    "negative stride from the end": dict(offset=5, size=(6,), stride=(-1,)),
    "huge stride": dict(size=(2,), stride=(2**62,)),
    "stride overflow int64": dict(size=(3,), stride=(2**63 - 1,)),
    "size overflow": dict(size=(2**32, 2**32), stride=(0, 0)),
    "size product overflow with stride 1": dict(size=(2**40, 2**40), stride=(1, 1)),
    "ndim mismatch": dict(size=(2, 3), stride=(1,)),
    "size float": dict(size=(2.0, 3)),
    "size str": dict(size="ab"),
    "size None": dict(size=None),
    "offset str": dict(offset="0"),
    "requires_grad on int64": dict(storage_type="LongStorage", numel=3, size=(3,), stride=(1,),
                                   requires_grad=True),
}
GEOMETRY_ACCEPTED = {
    # PyTorch loads these; Ember may too (they allocate nothing), or reject them cleanly
    "size zero with huge dims": dict(size=(0, 10**18), stride=(1, 1)),
    "stride 0, 10**12 virtual elements": dict(size=(10**6, 10**6), stride=(0, 0)),
    "overlapping strides": dict(size=(4, 3), stride=(1, 1)),
    "exact fit": dict(offset=5, size=(1,), stride=(1,)),
    "0-d at the last element": dict(offset=5, size=(), stride=()),
}


@pytest.mark.parametrize("case", list(GEOMETRY))
@pytest.mark.parametrize("mode", ["zip", "zip mmap", "legacy"])
def test_geometry_outside_the_storage_is_rejected(case, mode, tmp_path):
    kw = GEOMETRY[case]
    if mode == "legacy":
        itemsize = 8 if kw.get("storage_type") == "LongStorage" else 4
        data = legacy_checkpoint(Pickle().proto().tensor(legacy_view=True, **kw).stop().bytes,
                                 {"0": F32}, itemsize=itemsize)
        reject(data, tmp_path)
        return
    data = zipped(tensor_pickle(**kw))
    if mode == "zip mmap":
        exc = reject(data, tmp_path, as_path=True, mmap=True)
    else:
        exc = reject(data, tmp_path)
        same_class_as_torch(exc, data)


@pytest.mark.parametrize("case", list(GEOMETRY_ACCEPTED))
def test_geometry_torch_accepts(case, tmp_path):
    data = zipped(tensor_pickle(**GEOMETRY_ACCEPTED[case]))
    result, exc = survive(data, tmp_path)
    if exc is None and case in ("overlapping strides", "exact fit", "0-d at the last element"):
        tres, _ = torch_outcome(data)
        np.testing.assert_array_equal(result.numpy(), tres.numpy())


# ---------------------------------------------------------------------------------------------
# 5. records and zips


def test_record_sizes_that_disagree_with_numel(tmp_path):
    for record in (F32[:8], F32 + b"x" * 8, b"", F32[:-1]):
        data = zipped(tensor_pickle(), {"0": record})
        exc = reject(data, tmp_path, r"data/0|record|size|bytes")
        same_class_as_torch(exc, data)
        reject(data, tmp_path, as_path=True, mmap=True)


def test_missing_records(tmp_path):
    for omit, match in (("data.pkl", "data.pkl"), ("data/0", "data/0")):
        data = zip_checkpoint(tensor_pickle(), {} if omit == "data/0" else {"0": F32},
                              omit=(omit,))
        exc = reject(data, tmp_path, match)
        same_class_as_torch(exc, data)


def test_header_claims_10_12_elements_consistently(tmp_path):
    """The pickle, the zip's local header and its central directory all agree on a 4 TB
    storage (zip64 sizes); the file is 600 bytes. Rejected before any allocation."""
    for numel in (10**12, 10**8):
        entries = archive_entries(tensor_pickle(numel=numel, size=(numel,), stride=(1,)),
                                  {"0": F32})
        entries[2].claimed_size = 4 * numel
        data = raw_zip(entries)
        exc = reject(data, tmp_path)
        same_class_as_torch(exc, data)
        reject(data, tmp_path, as_path=True, mmap=True)


def test_deflated_zip_bomb(tmp_path):
    """A deflated record claiming 4 TB (PyTorch writes stored records only, but its reader
    and Python's zipfile inflate): never inflated into memory."""
    entries = archive_entries(tensor_pickle(numel=10**12, size=(10**12,), stride=(1,)),
                              {"0": bytes(4096)})
    entries[2].deflate = True
    entries[2].claimed_size = 4 * 10**12
    reject(raw_zip(entries), tmp_path)
    # a deflated data.pkl claiming a huge size
    entries = archive_entries(tensor_pickle(), {"0": F32})
    entries[0].deflate = True
    entries[0].claimed_size = 10**12
    reject(raw_zip(entries), tmp_path)


def test_deflated_records_that_tell_the_truth(tmp_path):
    """PyTorch loads deflated records; Ember loads the same values or says why not."""
    for i in (0, 2):
        entries = archive_entries(tensor_pickle(), {"0": F32})
        entries[i].deflate = True
        data = raw_zip(entries)
        result, exc = survive(data, tmp_path)
        if exc is None:
            np.testing.assert_array_equal(result.numpy(), torch_outcome(data)[0].numpy())


def test_crc_mismatch(tmp_path):
    """PyTorch's reader ignores CRCs; Ember loads the stored bytes as they are (as PyTorch)
    or rejects the record cleanly (stricter)."""
    for i in (0, 2):
        entries = archive_entries(tensor_pickle(), {"0": F32})
        entries[i].crc = 0xDEADBEEF
        data = raw_zip(entries)
        result, exc = survive(data, tmp_path)
        if exc is None:
            np.testing.assert_array_equal(result.numpy(), torch_outcome(data)[0].numpy())


def test_unknown_byteorder_and_versions(tmp_path):
    # PyTorch raises ValueError("Unknown endianness type: middle"); a RuntimeError is fine too
    reject(zipped(tensor_pickle(), byteorder=b"middle"), tmp_path, "middle|endian|byteorder",
           classes=CLEAN + (ValueError,))
    survive(zipped(tensor_pickle(), version=b"garbage"), tmp_path)


@pytest.mark.parametrize("version", [b"0\n", b"11\n", b"99\n", None])
def test_unsupported_format_versions(version, tmp_path):
    """PyTorch 2.13 reads record versions 1..10 and requires the ``version`` record; a file
    from a future format is refused, not misread."""
    data = zipped(tensor_pickle(), version=version)
    exc = reject(data, tmp_path, "version")
    same_class_as_torch(exc, data)


def test_big_endian_checkpoint_is_byteswapped(tmp_path):
    data = zipped(tensor_pickle(), {"0": np.arange(6, dtype=">f4").tobytes()}, byteorder=b"big")
    result, exc = survive(data, tmp_path)
    if exc is None:
        np.testing.assert_array_equal(result.numpy(), np.arange(6, dtype=np.float32).reshape(2, 3))


def test_torchscript_archive_refused(tmp_path):
    data = zipped(tensor_pickle(), extra={"constants.pkl": pickle.dumps((), protocol=2)})
    exc = reject(data, tmp_path, "TorchScript|weights_only")
    same_class_as_torch(exc, data)


def test_legacy_tar_refused(tmp_path):
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in ("storages", "tensors", "pickle"):
            info = tarfile.TarInfo(name)
            payload = pickle.dumps(0, protocol=2)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    reject(buf.getvalue(), tmp_path, as_path=True)


def _valid_zip():
    buf = io.BytesIO()
    torch.save({"w": torch.arange(12.0).reshape(3, 4), "b": torch.ones(3)}, buf)
    return buf.getvalue()


def test_truncated_zips(tmp_path):
    """Cut at every 7th byte and at each record boundary."""
    data = _valid_zip()
    bounds = {i.header_offset for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    cuts = sorted(set(range(0, len(data), 7)) | bounds | {len(data) - 1, len(data) - 22})
    for cut in cuts:
        exc = reject(data[:cut], tmp_path)
        if cut % 49 == 0:
            same_class_as_torch(exc, data[:cut])


def test_corrupted_central_directory(tmp_path):
    data = _valid_zip()
    cd = data.rindex(b"PK\x01\x02")
    start = data.index(b"PK\x01\x02")
    for pos in range(start, len(data), 3):
        for flip in (0xFF, 0x01, 0x80):
            corrupted = bytearray(data)
            corrupted[pos] ^= flip
            survive(bytes(corrupted), tmp_path)
    assert cd >= start


def test_zip_with_duplicate_members_and_odd_layouts(tmp_path):
    # two records named data/0: whichever is read, the values are a 6-float record or an error
    entries = archive_entries(tensor_pickle(), {"0": F32})
    entries.insert(3, ZipEntry("archive/data/0", b"\xff" * 4))
    survive(raw_zip(entries), tmp_path)
    # two data.pkl under different prefixes
    entries = archive_entries(tensor_pickle(), {"0": F32}) + archive_entries(
        Pickle().proto().global_("os", "system").str("x").tuple1().reduce().stop().bytes,
        prefix="other")
    survive(raw_zip(entries), tmp_path)
    # no prefix at all
    entries = [ZipEntry("data.pkl", tensor_pickle()), ZipEntry("data/0", F32)]
    survive(raw_zip(entries), tmp_path)


def test_not_a_checkpoint(tmp_path):
    for data in (b"", b"\x80", b"hello world", b"PK\x03\x04" + b"\x00" * 40, b"\x80\x02." * 3,
                 bytes(range(256))):
        reject(data, tmp_path)
        reject(data, tmp_path, as_path=True)


# ---------------------------------------------------------------------------------------------
# 6. legacy (non-zip) format


LEGACY_GOOD = Pickle().proto().tensor(legacy_view=True).stop().bytes


@pytest.mark.parametrize("as_path", [False, True])
def test_legacy_hostile(as_path, tmp_path):
    cases = {
        "bad magic": legacy_checkpoint(LEGACY_GOOD, {"0": F32}, magic=5),
        "bad protocol": legacy_checkpoint(LEGACY_GOOD, {"0": F32}, protocol=7),
        "pickle claims 10**12": legacy_checkpoint(
            Pickle().proto().tensor(legacy_view=True, numel=10**12, size=(6,), stride=(1,))
            .stop().bytes, {"0": F32}),
        "record header claims 10**12": legacy_checkpoint(LEGACY_GOOD, {"0": F32},
                                                         numels={"0": 10**12}),
        "record header negative": legacy_checkpoint(LEGACY_GOOD, {"0": F32}, numels={"0": -1}),
        "record shorter than header": legacy_checkpoint(LEGACY_GOOD, {"0": F32[:8]},
                                                        numels={"0": 6}),
        "unknown key in key list": legacy_checkpoint(LEGACY_GOOD, {"0": F32}, keys=["0", "1"]),
        "key list not a list": legacy_checkpoint(LEGACY_GOOD, {"0": F32}, keys=7),
        "truncated": legacy_checkpoint(LEGACY_GOOD, {"0": F32})[:-5],
        "view past root": legacy_checkpoint(
            Pickle().proto().global_("torch._utils", "_rebuild_tensor_v2").mark().mark()
            .str("storage").global_("torch", "FloatStorage").str("0").str("cpu").int(6)
            .value(("v", 4, 10**6)).tuple().persid().int(0).value((10**6,)).value((1,))
            .bool(False).global_("collections", "OrderedDict").empty_tuple().reduce().tuple()
            .reduce().stop().bytes, {"0": F32}),
    }
    for name, data in cases.items():
        with labelled(name):
            reject(data, tmp_path, as_path=as_path)


# ---------------------------------------------------------------------------------------------
# 7. the unpickler's own limits


def test_deeply_nested_containers(tmp_path):
    """100 000 nested lists / MARKs: a value or a clean error, never a RecursionError."""
    n = 100_000
    survive(zipped(Pickle().proto().raw(b"]" * n + b"a" * (n - 1)).stop().bytes), tmp_path)
    survive(zipped(Pickle().proto().raw(b"(" * n + b")" + b"t" * n).stop().bytes), tmp_path)
    survive(zipped(Pickle().proto().raw(b"}" * n).stop().bytes), tmp_path)
    p = Pickle().proto().raw(b"}")
    for _ in range(n // 10):
        p.str("k").raw(b"}")
    survive(zipped(p.raw(b"s" * (n // 10)).stop().bytes), tmp_path)


def test_self_referential_and_shared_containers(tmp_path):
    """Cycles through the memo, and a DAG with 2**40 paths: loads quickly (nothing walks the
    result recursively or copies shared parts)."""
    cyc = Pickle().proto().empty_list().put(0).get(0).append().stop().bytes
    result, exc = survive(zipped(cyc), tmp_path)
    if exc is None:
        assert result[0] is result
    cyc = Pickle().proto().empty_dict().put(0).str("me").get(0).setitem().stop().bytes
    survive(zipped(cyc), tmp_path)
    p = Pickle().proto().tensor().put(0)
    for i in range(40):
        p.get(i).get(i).tuple2().put(i + 1)
    start = time.perf_counter()
    survive(zipped(p.stop().bytes), tmp_path)
    assert time.perf_counter() - start < 5
    p = Pickle().proto().empty_dict().put(0)
    for i in range(40):
        p.empty_dict().str("a").get(i).setitem().str("b").get(i).setitem().put(i + 1)
    start = time.perf_counter()
    survive(zipped(p.stop().bytes), tmp_path)
    assert time.perf_counter() - start < 5


def _push_dag(p, depth, slot=200):
    """Push a tuple DAG with 2**depth leaves in ~5*depth bytes (each level pairs the previous
    one with itself through the memo); its repr is 2**depth times as long."""
    p.int(1).put(slot)
    for i in range(depth):
        p.get(slot + i).tuple2().put(slot + i + 1)
    return p


def _push_deep(p, depth=50_000):
    """Push a tuple nested ``depth`` levels (TUPLE1 repeated): its repr overflows the stack."""
    return p.int(1).raw(pickle.TUPLE1 * depth)


def _amplifier_programs(push):
    """Programs that hand the object ``push`` makes to a place that reports it in an error."""
    storage_head = Pickle().proto().mark().str("storage").global_("torch", "FloatStorage")
    progs = {}
    p = Pickle().proto().mark().str("storage")
    progs["short persistent id"] = push(p).tuple().persid().stop().bytes
    p = Pickle().raw(storage_head.bytes)
    progs["persistent id key"] = push(p).str("cpu").int(6).tuple().persid().stop().bytes
    p = Pickle().raw(storage_head.bytes).str("0")
    progs["persistent id location"] = push(p).int(6).tuple().persid().stop().bytes
    p = Pickle().proto().global_("torch._utils", "_rebuild_tensor_v2").mark()
    p.raw(storage_head.bytes[3:]).str("0").str("cpu").int(6).tuple().persid().int(0)
    push(p).tuple1().value((1,)).bool(False)
    progs["size element"] = p.global_("collections", "OrderedDict").empty_tuple().reduce() \
        .tuple().reduce().stop().bytes
    progs["BUILD state"] = push(Pickle().proto().tensor()).build().stop().bytes
    for module, name in (("torch.serialization", "_get_layout"), ("torch", "device"),
                         ("builtins", "complex"), ("torch", "Size"),
                         ("torch.nn.parameter", "Parameter")):
        p = Pickle().proto().global_(module, name)
        progs[f"{name}(X)"] = push(p).tuple1().reduce().stop().bytes
    p = Pickle().proto().global_("_codecs", "encode")
    progs["encode(X)"] = push(p).str("latin1").tuple2().reduce().stop().bytes
    p = Pickle().proto().global_("torch._utils", "_rebuild_tensor_v2")
    progs["rebuild args"] = push(p).tuple1().reduce().stop().bytes
    return progs


@pytest.mark.parametrize("kind", ["dag", "deep"])
def test_error_messages_do_not_amplify(kind, tmp_path):
    """A 2**19-leaf DAG (a 200-byte file) or a 50 000-deep tuple, put where a bad value gets
    reported: the message must name the problem without ``repr``-ing the object (a 2**19 DAG's
    repr is 3 MB and 2**32 would exhaust memory; a deep one raises RecursionError)."""
    push = (lambda p: _push_dag(p, 19)) if kind == "dag" else _push_deep
    for where, pkl in _amplifier_programs(push).items():
        with labelled(where):
            start = time.perf_counter()
            survive(zipped(pkl), tmp_path)
            assert time.perf_counter() - start < 3, "slow: the object was walked or printed"


def test_dag_dict_keys_do_not_hash_forever(tmp_path):
    """A 2**27-leaf tuple DAG used as a dict key (or put in a set): Python hashes tuples
    recursively without caching, so SETITEM costs 2**27 steps here (about 1.5 s) and 2**40
    (hours) in a 900-byte file. An unpickler that tracks each container's expanded size
    refuses it at once."""
    for build in ("dict", "set"):
        p = Pickle().proto()
        if build == "dict":
            _push_dag(p.empty_dict(), 27).int(0).setitem()
        else:
            p.global_("builtins", "set").empty_list()
            _push_dag(p, 27).append().tuple1().reduce()
        start = time.perf_counter()
        survive(zipped(p.stop().bytes), tmp_path)
        assert time.perf_counter() - start < 0.5, f"{build}: the DAG was hashed"


def test_deep_and_repeated_dict_keys(tmp_path):
    """A 250 000-deep tuple as a dict key, set or Counter element: Python's tuple hash recurses
    in C without a depth check (a segfault from 200 000 levels on); and one 2**20-leaf DAG key set 200 times (3 bytes a
    time) costs 2**20 hash steps each time. Both are refused quickly."""
    n = 250_000
    for build in ("dict", "set", "Counter", "OrderedDict"):
        p = Pickle().proto()
        if build == "dict":
            p.empty_dict().int(1).raw(pickle.TUPLE1 * n).int(0).setitem()
        else:
            module = "builtins" if build == "set" else "collections"
            p.global_(module, build).empty_list().int(1).raw(pickle.TUPLE1 * n)
            if build == "OrderedDict":
                p.int(0).tuple2()
            p.append().tuple1().reduce()
        with labelled(build):
            reject(zipped(p.stop().bytes), tmp_path, "nested more than 1000 levels")
    p = _push_dag(Pickle().proto().empty_dict(), 20).put(1).int(0).setitem()
    for _ in range(200):
        p.get(1).int(0).setitem()
    start = time.perf_counter()
    reject(zipped(p.stop().bytes), tmp_path, "hashing them would take too long")
    assert time.perf_counter() - start < 0.5


def test_unrecognized_reduce_function_message_is_bounded(tmp_path):
    """REDUCE / NEWOBJ on a non-callable value name it in the message, briefly."""
    for op in (pickle.REDUCE, pickle.NEWOBJ):
        p = _push_dag(Pickle().proto(), 25).empty_tuple().raw(op)
        with labelled(str(op)):
            reject(zipped(p.stop().bytes), tmp_path)


def test_long_global_names_do_not_make_the_message_slow(tmp_path):
    """A GLOBAL with a 20 000-character name: PyTorch's message post-processing searches the
    message with ``(\\S+) must be (\\S+) to load``, quadratic in a long run of non-spaces
    (torch.load takes 2 s here, 8 s at 40 000, hours at 10**6). Ember bounds it."""
    for module, name in (("os", "A" * 20_000), ("A" * 20_000, "b"), ("builtins", "A" * 20_000)):
        data = zipped(Pickle().proto().global_(module, name).stop().bytes, {})
        with labelled(f"{module[:5]}.{name[:5]}"):
            start = time.perf_counter()
            reject(data, tmp_path, classes=pickle.UnpicklingError)
            assert time.perf_counter() - start < 0.5


def test_memo_tricks(tmp_path):
    survive(zipped(Pickle().proto().long_get(2**32 - 1).stop().bytes), tmp_path)
    survive(zipped(Pickle().proto().get(5).stop().bytes), tmp_path)
    big_put = Pickle().proto().int(1).raw(pickle.LONG_BINPUT + struct.pack("<I", 2**32 - 1))
    survive(zipped(big_put.raw(pickle.LONG_BINGET + struct.pack("<I", 2**32 - 1)).stop().bytes),
            tmp_path)
    # MEMOIZE (protocol 4) with an empty stack, and BINPUT with an empty stack
    survive(zipped(Pickle().proto(4).raw(pickle.MEMOIZE).stop().bytes), tmp_path)
    survive(zipped(Pickle().proto().put(0).stop().bytes), tmp_path)


def test_stack_underflow_and_marks(tmp_path):
    for raw in (b"", b"R", b"b", b"a", b"e", b"s", b"u", b"t", b"\x85", b"\x86", b"\x87",
                b"Q", b"\x81", b"(a", b"(.", b")(s", b"]t", b"K\x01K\x02"):
        survive(zipped(Pickle().proto().raw(raw).stop().bytes), tmp_path)
    survive(zipped(Pickle().proto().int(1).bytes), tmp_path)  # no STOP


def test_huge_integers_and_strings(tmp_path):
    # LONG1 of 255 bytes is a valid (big) int; used as a size it must not be trusted
    survive(zipped(Pickle().proto().raw(pickle.LONG1 + b"\xff" + b"\x7f" * 255).stop().bytes),
            tmp_path)
    reject(zipped(tensor_pickle(size=(2**2000,), stride=(1,))), tmp_path)
    reject(zipped(tensor_pickle(numel=2**2000, size=(6,), stride=(1,))), tmp_path)
    survive(zipped(Pickle().proto().raw(pickle.BINUNICODE + struct.pack("<I", 2)
                                        + b"\xff\xfe").stop().bytes), tmp_path)


# ---------------------------------------------------------------------------------------------
# 8. the destination model is left unchanged


def _model():
    ember.manual_seed(0)
    return ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.ReLU(), ember.nn.Linear(4, 2))


def _snapshot(model):
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def _assert_unchanged(model, before):
    after = _snapshot(model)
    assert after.keys() == before.keys()
    for k in before:
        assert after[k].tobytes() == before[k].tobytes(), f"{k} changed"


def _model_entries(**over):
    shapes = {"0.weight": (4, 3), "0.bias": (4,), "2.weight": (2, 4), "2.bias": (2,)}
    entries, storages = {}, {}
    for i, (name, shape) in enumerate(shapes.items()):
        n = int(np.prod(shape))
        stride = (shape[1], 1) if len(shape) == 2 else (1,)
        entries[name] = dict(key=str(i), numel=n, size=shape, stride=stride)
        storages[str(i)] = np.full(n, 7.0, np.float32).tobytes()
    for name, kw in over.items():
        entries[name] = {**entries[name], **kw}
    return entries, storages


def test_failed_load_leaves_the_model_unchanged(tmp_path, marker):
    model = _model()
    before = _snapshot(model)
    evil_pkl = Pickle().proto().global_("os", "system").str(f"touch {marker}").tuple1().reduce()
    hostile = {
        "os.system": zipped(evil_pkl.stop().bytes),
        "last tensor 10**12": None,
        "last record short": None,
        "last tensor negative stride": None,
        "truncated": None,
    }
    entries, storages = _model_entries(**{"2.bias": dict(numel=10**12)})
    hostile["last tensor 10**12"] = zip_checkpoint(state_dict_pickle(entries), storages)
    entries, storages = _model_entries()
    short = dict(storages, **{"3": storages["3"][:4]})
    hostile["last record short"] = zip_checkpoint(state_dict_pickle(entries), short)
    entries, storages = _model_entries(**{"2.bias": dict(stride=(-1,))})
    hostile["last tensor negative stride"] = zip_checkpoint(state_dict_pickle(entries), storages)
    entries, storages = _model_entries()
    good = zip_checkpoint(state_dict_pickle(entries), storages)
    hostile["truncated"] = good[:-30]
    for name, data in hostile.items():
        with labelled(name):
            with pytest.raises(CLEAN):
                model.load_state_dict(_load(io.BytesIO(data)))
            _assert_unchanged(model, before)
    assert not os.path.exists(marker)
    # loadable files that do not fit the model: shape, missing key, bogus _metadata
    entries, storages = _model_entries(**{"2.bias": dict(numel=3, size=(3,))})
    bad_shape = zip_checkpoint(state_dict_pickle(entries), dict(storages, **{"3": F32[:12]}))
    with pytest.raises(RuntimeError, match="size mismatch"):
        model.load_state_dict(ember.load(io.BytesIO(bad_shape)))
    _assert_unchanged(model, before)
    entries, storages = _model_entries()
    del entries["2.bias"]
    with pytest.raises(RuntimeError, match="Missing key"):
        model.load_state_dict(ember.load(io.BytesIO(zip_checkpoint(
            state_dict_pickle(entries), storages))))
    _assert_unchanged(model, before)
    # and the good one does load (the test's files are right)
    model.load_state_dict(ember.load(io.BytesIO(good)))
    assert all((v.numpy() == 7).all() for v in model.state_dict().values())


BOGUS_METADATA = {
    "str": "x",
    "list": [1, 2],
    "entry str": {"": "x", "0": "y"},
    "version str": {"": {"version": "2"}, "1": {"version": "x"}},
    "version tuple": {"1": {"version": (1, 2)}},
    "assign flag": {"0": {"assign_to_params_buffers": "yes"}},
}


@pytest.mark.parametrize("case", list(BOGUS_METADATA))
def test_bogus_metadata_leaves_the_model_unchanged(case, tmp_path):
    """``_metadata`` arrives through BUILD on the state dict's OrderedDict, so a hostile file
    controls it (PyTorch's too). ``load_state_dict`` either works or raises, and when it raises
    the model (with a BatchNorm, whose loader reads ``version``) is as it was."""
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4))
    before = _snapshot(model)
    sd = model.state_dict()
    buf = io.BytesIO()
    ember.save({k: v * 0 + 3 for k, v in sd.items()}, buf)
    # re-pickle: an OrderedDict with the hostile _metadata (BUILD), same storages
    good = ember.load(io.BytesIO(buf.getvalue()))
    p = Pickle().proto().global_("collections", "OrderedDict").empty_tuple().reduce()
    for i, (name, t) in enumerate(good.items()):
        shape = tuple(t.shape)
        stride = tuple(t.stride())
        st = {"float32": "FloatStorage", "int64": "LongStorage"}[str(t.dtype).split(".")[-1]]
        p.str(name).tensor(storage_type=st, key=str(i), numel=max(t.numel(), 1), size=shape,
                           stride=stride).setitem()
    p.empty_dict().str("_metadata").value(BOGUS_METADATA[case]).setitem().build()
    storages = {str(i): t.numpy().tobytes() if t.numel() else b"" for i, t in
                enumerate(good.values())}
    data = zip_checkpoint(p.stop().bytes, storages)
    loaded, exc = survive(data, tmp_path)
    assert exc is None, exc
    try:
        model.load_state_dict(loaded)
    except Exception:  # noqa: BLE001 - any error will do, as long as nothing was copied
        _assert_unchanged(model, before)
    else:
        assert all((v.numpy() == 3).all() for v in model.state_dict().values())


# ---------------------------------------------------------------------------------------------
# 9. fuzzing: mutate valid checkpoints

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _seeds():
    """Valid checkpoints from torch.save and ember.save (zip and legacy)."""
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                 torch.nn.Linear(4, 2))
    base = torch.arange(10.0)
    nested = {"list": [1, 2.5, "s", torch.ones(2, dtype=torch.int64)],
              "tuple": (torch.zeros(()), base[2:8:2], base), "none": None,
              "bytes": b"ab", "set": {1, 2}, "bool": torch.tensor([True, False])}
    out = []
    for obj in (tmodel.state_dict(), nested):
        for legacy in (False, True):
            buf = io.BytesIO()
            torch.save(obj, buf, _use_new_zipfile_serialization=not legacy)
            out.append(buf.getvalue())
    ember.manual_seed(0)
    emodel = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.Linear(4, 2))
    ebase = ember.arange(10.0)
    for obj in (emodel.state_dict(), {"t": (ebase, ebase[1:7:3]), "n": [1, "x", None]}):
        buf = io.BytesIO()
        ember.save(obj, buf)
        out.append(buf.getvalue())
    return out


SEEDS = []
FUZZ_STATS = collections.Counter()
DANGEROUS_SNIPPETS = [
    Pickle().global_("os", "system").str(f"touch {FUZZ_MARKER}").tuple1().reduce().bytes,
    Pickle().global_("builtins", "exec").str(f"open({FUZZ_MARKER!r}, 'w')").tuple1().reduce()
    .bytes,
    Pickle().mark().str(f"touch {FUZZ_MARKER}").inst("os", "system").bytes,
    b"cos\nsystem\n", b"cbuiltins\neval\n", b"csubprocess\nPopen\n", b"\x93", b"i", b"o",
    b"\x81", b"\x82\x01", b"b", b"R", b"Q", b"P0\n", b"\x8a\xff" + b"\x7f" * 255,
    b"X\xff\xff\xff\xff", b"J\x00\x00\x00\x80", b"J\xff\xff\xff\x7f", b"(", b"t", b"s",
    b"ctorch._utils\n_rebuild_tensor_v2\n", b"ctorch\nLongStorage\n", b"ctorch\nTensor\n",
    b"ccollections\nOrderedDict\n", b"c__builtin__\nbytearray\n", b"h\x00", b"j\xff\xff\x00\x00",
]


def _mutate_member(data, member_pred, mutate):
    """Apply mutate() to the first zip member whose name satisfies member_pred; re-zip."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zout:
        done = False
        for info in zin.infolist():
            payload = zin.read(info)
            if not done and member_pred(info.filename):
                payload = mutate(payload)
                done = True
            zout.writestr(zipfile.ZipInfo(info.filename), payload)
    return buf.getvalue()


@st.composite
def mutated_checkpoints(draw):
    if not SEEDS:
        SEEDS.extend(_seeds())
    data = SEEDS[draw(st.integers(0, len(SEEDS) - 1))]
    is_zip = data[:4] == b"PK\x03\x04"
    n_ops = draw(st.integers(1, 4))
    ops = []

    def one(payload):
        kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "splice",
                                     "dup"]))
        ops.append(kind)
        if not payload:
            return payload
        pos = draw(st.integers(0, len(payload) - 1))
        if kind == "flip":
            bit = draw(st.integers(0, 7))
            return payload[:pos] + bytes([payload[pos] ^ (1 << bit)]) + payload[pos + 1:]
        if kind == "set":
            val = draw(st.sampled_from([0, 0xFF, 0x7F, 0x80, ord("."), ord("("), ord("R")]))
            return payload[:pos] + bytes([val]) + payload[pos + 1:]
        if kind == "insert":
            blob = draw(st.binary(min_size=1, max_size=8))
            return payload[:pos] + blob + payload[pos:]
        if kind == "delete":
            n = draw(st.integers(1, 16))
            return payload[:pos] + payload[pos + n:]
        if kind == "truncate":
            return payload[:pos]
        if kind == "dup":
            n = draw(st.integers(1, 32))
            return payload[:pos] + payload[pos:pos + n] * 2 + payload[pos + n:]
        return payload[:pos] + draw(st.sampled_from(DANGEROUS_SNIPPETS)) + payload[pos:]

    target = draw(st.sampled_from(["pickle", "pickle", "whole", "storage"]) if is_zip
                  else st.just("whole"))
    for _ in range(n_ops):
        if target == "pickle":
            data = _mutate_member(data, lambda n: n.endswith("data.pkl"), one)
        elif target == "storage":
            data = _mutate_member(data, lambda n: "/data/" in n, one)
        else:
            data = one(data)
    return target, tuple(ops), data


INTERESTING_INTS = [0, 1, 2, 3, 5, 6, 7, 255, 256, 65535, 2**31 - 1, 2**31, 2**32 - 1, 2**32,
                    2**62, 2**63 - 1, 2**63, 2**64, 10**12, 10**30, -1, -2, -(2**31), -(2**63)]
INTERESTING_STRS = ["", "0", "1", "7", "../version", "data.pkl", "cpu", "cuda", "cuda:0", "meta",
                    "storage", "module", "\udcff", "x" * 300]
INTERESTING_GLOBALS = [("torch", "LongStorage"), ("torch", "DoubleStorage"),
                       ("torch", "BoolStorage"), ("torch", "UntypedStorage"),
                       ("torch", "Float128Storage"), ("torch", "Tensor"), ("torch", "Size"),
                       ("torch._utils", "_rebuild_parameter"),
                       ("torch._tensor", "_rebuild_from_type_v2"),
                       ("collections", "Counter"), ("builtins", "set"),
                       ("builtins", "bytearray"), ("os", "system"), ("builtins", "eval")]


def _pickle_ops(pkl):
    """(opcode name, argument, start, end) of each opcode (stops at the first malformed one)."""
    import pickletools

    ops = []
    try:
        for op, arg, pos in pickletools.genops(pkl):
            ops.append([op.name, arg, pos])
    except Exception:  # noqa: BLE001 - a mutated pickle may be malformed
        pass
    for i, o in enumerate(ops):
        o.append(ops[i + 1][2] if i + 1 < len(ops) else len(pkl))
    return ops


@st.composite
def retargeted_checkpoints(draw):
    """Valid checkpoints whose pickle has 1-3 arguments replaced: integers (sizes, strides,
    offsets, numel, memo indices) by boundary values, strings (keys, locations, the
    'storage' tag) by odd ones, GLOBALs by other allowed or forbidden names."""
    if not SEEDS:
        SEEDS.extend(_seeds())
    zips = [d for d in SEEDS if d[:4] == b"PK\x03\x04"]
    data = zips[draw(st.integers(0, len(zips) - 1))]
    changes = []

    def retarget(pkl):
        for _ in range(draw(st.integers(1, 3))):
            ops = _pickle_ops(pkl)
            cands = [o for o in ops if o[0] in ("BININT", "BININT1", "BININT2", "LONG1",
                                                "BINUNICODE", "GLOBAL", "BINGET", "BINPUT")]
            if not cands:
                break
            name, arg, lo, hi = cands[draw(st.integers(0, len(cands) - 1))]
            if name == "GLOBAL":
                new = Pickle().global_(*draw(st.sampled_from(INTERESTING_GLOBALS))).bytes
            elif name == "BINUNICODE":
                text = draw(st.sampled_from(INTERESTING_STRS))
                new = Pickle().str(text).bytes if text != "\udcff" else (
                    pickle.BINUNICODE + struct.pack("<I", 1) + b"\xff")
            elif name in ("BINGET", "BINPUT"):
                new = bytes([pkl[lo]]) + bytes([draw(st.integers(0, 255))])
            else:
                new = Pickle().int(draw(st.sampled_from(INTERESTING_INTS))).bytes
            changes.append((name, arg, new))
            pkl = pkl[:lo] + new + pkl[hi:]
        return pkl

    return changes, _mutate_member(data, lambda n: n.endswith("data.pkl"), retarget)


def _fuzz_check(data, via, label):
    """One fuzz case: load from bytes, a path, or a path with mmap; the same guarantees."""
    kwargs = {}
    src = io.BytesIO(data)
    if via != "bytes":
        src = os.path.join(os.path.dirname(FUZZ_MARKER), "fuzz.pt")
        with open(src, "wb") as fh:
            fh.write(data)
        kwargs["mmap"] = via == "mmap" and data[:4] == b"PK\x03\x04"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, exc, peak = _measured(lambda: _load(src, **kwargs))
    FUZZ_STATS["cases"] += 1
    assert peak < ALLOC_LIMIT, f"{peak / 2**20:.0f} MiB after {label}"
    assert not os.path.exists(FUZZ_MARKER), f"a payload ran after {label}"
    if exc is None:
        FUZZ_STATS["loaded"] += 1
        assert_tensors_in_bounds(result)
    else:
        FUZZ_STATS["rejected"] += 1
        FUZZ_STATS[f"rejected {type(exc).__name__}"] += 1
        try:
            check_clean_failure(exc)
        except AssertionError as e:
            raise AssertionError(f"{e} after {label}") from None


FUZZ_SETTINGS = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))
# HOSTILE_FUZZ_EXAMPLES=20000 (and a different HOSTILE_FUZZ_SEED) for a longer hunt
FUZZ_EXAMPLES = int(os.environ.get("HOSTILE_FUZZ_EXAMPLES", "1000"))
FUZZ_SEED = int(os.environ.get("HOSTILE_FUZZ_SEED", "20260613"))


@seed(FUZZ_SEED)
@settings(max_examples=FUZZ_EXAMPLES, **FUZZ_SETTINGS)
@given(case=mutated_checkpoints(), via=st.sampled_from(["bytes", "bytes", "path", "mmap"]))
def test_fuzz_mutated_checkpoints(case, via):
    """Byte-level mutations (flip, set, insert, delete, truncate, duplicate, splice a hostile
    opcode sequence) of the whole file, of data.pkl, or of a storage record."""
    target, ops, data = case
    _fuzz_check(data, via, f"{ops} on {target} ({via})")


@seed(FUZZ_SEED + 1)
@settings(max_examples=FUZZ_EXAMPLES, **FUZZ_SETTINGS)
@given(case=retargeted_checkpoints(), via=st.sampled_from(["bytes", "bytes", "mmap"]))
def test_fuzz_retargeted_pickle_arguments(case, via):
    changes, data = case
    FUZZ_STATS["retargeted"] += 1
    _fuzz_check(data, via, f"{changes} ({via})")


def test_fuzz_report():
    """Runs after the fuzz tests (file order): print what they did (pytest -s)."""
    if FUZZ_STATS["cases"]:
        print(f"\nfuzz: {dict(FUZZ_STATS)}", file=sys.stderr)
        assert FUZZ_STATS["rejected"] > 0 and FUZZ_STATS["loaded"] > 0
