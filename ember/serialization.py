"""``save`` and ``load`` in PyTorch's checkpoint formats.

The zip format (PyTorch >= 1.6, the default): a stored (uncompressed) zip whose records are
aligned to 64 bytes with a ``FB`` extra field of ``Z`` padding, holding ``<archive>/data.pkl``
(the object, pickled with protocol 2; tensors refer to storages by persistent id),
``.format_version``, ``.storage_alignment``, ``byteorder``, one ``data/<key>`` record per
storage, ``version`` and ``.data/serialization_id``. Ember writes the same bytes PyTorch 2.13's
miniz writer does, including the serialization id (a hash of the record names in libstdc++'s
``unordered_set`` order combined with the records' CRC-32s), so ``torch.save`` and
``ember.save`` of equal objects give byte-identical files.

The legacy format (``_use_new_zipfile_serialization=False``): three small pickles (magic number,
protocol version, system info), the object's pickle, the sorted storage keys, then each storage
as an int64 element count and its raw bytes.

Loading is safe by default (``weights_only=True``): ``data.pkl`` runs through
:mod:`ember._weights_only_unpickler`, which never imports or calls anything outside its
allow-list. Storage sizes are checked against the file before memory is allocated.
"""

from __future__ import annotations

import os
import sys
from collections import OrderedDict

import numpy as np

__all__ = [
    "save",
    "load",
    "add_safe_globals",
    "get_safe_globals",
    "clear_safe_globals",
    "safe_globals",
    "StorageType",
]

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
STORAGE_ALIGNMENT = 64

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source."
)
_DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default "
    "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)
_CORRUPT = (
    "PytorchStreamReader failed reading zip archive: {}. This is an internal miniz error. If you "
    "are seeing this error, there is a high likelihood that your checkpoint file is corrupted. "
    "This can happen if the checkpoint was not saved properly, was transferred incorrectly, or "
    "the file was modified after saving."
)

# PyTorch's legacy storage class names -> dtype names
_STORAGE_NAMES = {
    "DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16",
    "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16",
    "CharStorage": "int8", "ByteStorage": "uint8", "BoolStorage": "bool",
    "BFloat16Storage": "bfloat16", "ComplexDoubleStorage": "complex128",
    "ComplexFloatStorage": "complex64", "QUInt8Storage": "quint8", "QInt8Storage": "qint8",
    "QInt32Storage": "qint32", "QUInt4x2Storage": "quint4x2", "QUInt2x4Storage": "quint2x4",
}
_DTYPE_TO_STORAGE = {v: k for k, v in _STORAGE_NAMES.items()}


# ---------------------------------------------------------------------------------- safe globals
def add_safe_globals(safe_globals: list) -> None:
    """Mark globals as safe for ``weights_only`` load (a class, a function, or a
    ``(global, "module.name")`` pair).

    >>> ember.serialization.add_safe_globals([MyClass])
    """
    from . import _weights_only_unpickler as wo

    wo._add_safe_globals(safe_globals)


def get_safe_globals() -> list:
    """The globals added with :func:`add_safe_globals`."""
    from . import _weights_only_unpickler as wo

    return wo._get_safe_globals()


def clear_safe_globals() -> None:
    """Forget every global added with :func:`add_safe_globals`."""
    from . import _weights_only_unpickler as wo

    wo._clear_safe_globals()


class safe_globals:
    """Context manager that adds ``safe_globals`` for ``weights_only`` loads inside it.

    >>> with ember.serialization.safe_globals([MyClass]):
    ...     ember.load("ckpt.pt")
    """

    def __init__(self, safe_globals: list):
        self.safe_globals = safe_globals

    def __enter__(self):
        from . import _weights_only_unpickler as wo

        wo._add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        from . import _weights_only_unpickler as wo

        wo._remove_safe_globals(self.safe_globals)


# ---------------------------------------------------------------------------------- storages
class StorageType:
    """The marker ``torch.FloatStorage`` & co. unpickle to: it carries the element dtype."""

    __slots__ = ("name", "dtype_name")

    def __init__(self, name: str):
        if name == "UntypedStorage":
            self.dtype_name = "uint8"
        elif name in _STORAGE_NAMES:
            self.dtype_name = _STORAGE_NAMES[name]
        elif name == "TypedStorage":
            self.dtype_name = None
        else:
            raise KeyError(name)
        self.name = name

    @property
    def dtype(self):
        from . import _dtype

        d = getattr(_dtype, self.dtype_name or "", None)
        return d if isinstance(d, _dtype.dtype) else None

    def __str__(self) -> str:
        return f"StorageType(dtype=torch.{self.dtype_name})"

    __repr__ = __str__


class _Storage:
    """A loaded storage: its raw bytes (a uint8 ndarray) and the dtype the file gives it."""

    __slots__ = ("raw", "dtype", "key", "device")

    def __init__(self, raw: np.ndarray, dtype, key: str):
        self.raw = raw
        self.dtype = dtype
        self.key = key
        self.device = "cpu"

    def nbytes(self) -> int:
        return self.raw.nbytes

    def size(self) -> int:
        return self.raw.nbytes // self.dtype.itemsize

    def cpu(self) -> _Storage:
        return self

    def cuda(self, *args, **kwargs):
        from ._tensor import _no_cuda

        _no_cuda()

    def to(self, *args, **kwargs):
        dev = kwargs.get("device", args[0] if args else "cpu")
        if str(dev) != "cpu":
            _restore(self, str(dev))
        return self

    def __repr__(self) -> str:
        return f"<ember storage data/{self.key}: {self.raw.nbytes} bytes, {self.dtype}>"


def _restore(storage: _Storage, location: str) -> _Storage:
    """PyTorch's ``default_restore_location`` for a machine with only a CPU."""
    if location == "cpu":
        return storage
    if location.startswith("cuda"):
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
            "False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU."
        )
    raise RuntimeError(
        "don't know how to restore data location of torch.storage.UntypedStorage (tagged with "
        f"{location}) (Ember loads onto the CPU only: pass map_location='cpu')"
    )


def _get_restore_location(map_location):
    """A function ``(storage, location) -> storage`` for each kind of ``map_location``."""
    if map_location is None:
        return _restore
    if isinstance(map_location, dict):
        return lambda storage, location: _restore(storage, map_location.get(location, location))
    if isinstance(map_location, (str, bytes)):
        loc = map_location.decode() if isinstance(map_location, bytes) else map_location
        return lambda storage, location: _restore(storage, loc)
    from ._tensor import device

    if isinstance(map_location, device):
        return lambda storage, location: _restore(storage, str(map_location))

    def restore(storage, location):
        result = map_location(storage, location)
        if result is None:
            result = _restore(storage, location)
        if not isinstance(result, _Storage):
            raise RuntimeError(
                f"map_location returned {type(result).__name__}; Ember expects the storage it "
                "was given (or None)"
            )
        return result

    return restore


def _get_layout(name):
    """``torch.serialization._get_layout``: the layout object named ``name``."""
    import ember

    if name == "torch.strided":
        return ember.strided
    raise RuntimeError(f"Ember supports only the torch.strided layout, not {name}")


# ---------------------------------------------------------------------------------- rebuild
def _rebuild_tensor(storage, storage_offset, size, stride):
    """A tensor viewing ``storage`` (shares its memory) with the given offset/size/stride."""
    from ._tensor import Tensor

    if not isinstance(storage, _Storage):
        raise RuntimeError(f"expected a storage to rebuild a tensor from, got {type(storage)}")
    if type(size) is not tuple and type(size) is not list or (
        type(stride) is not tuple and type(stride) is not list
    ):
        from ._weights_only_unpickler import _brief

        raise RuntimeError(
            f"invalid tensor size {_brief(size)} or stride {_brief(stride)} in checkpoint"
        )
    if len(size) != len(stride) or not all(
        type(s) is int and s >= 0 for s in (*size, *stride)
    ) or type(storage_offset) is not int or storage_offset < 0:
        from ._weights_only_unpickler import _brief

        raise RuntimeError(
            f"invalid tensor metadata in checkpoint: size {_brief(list(size))}, stride "
            f"{_brief(list(stride))}, storage offset {_brief(storage_offset)}"
        )
    dt = storage.dtype
    itemsize = dt.itemsize
    n_storage = storage.raw.nbytes // itemsize
    numel = 1
    for s in size:
        numel *= s
    if numel:
        need = storage_offset + 1 + sum((s - 1) * st for s, st in zip(size, stride))
        if need > n_storage:
            raise RuntimeError(
                f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                f"{storage_offset}, and itemsize {itemsize} requiring a storage size of "
                f"{need * itemsize} are out of bounds for storage of size "
                f"{n_storage * itemsize}"
            )
    typed = storage.raw[: n_storage * itemsize].view(dt.np)
    shape = tuple(size)
    try:
        arr = _view(typed, storage_offset, shape, stride, numel, n_storage, itemsize)
    except ValueError as e:  # e.g. a stride-0 view with more elements than NumPy can index
        raise RuntimeError(
            f"cannot rebuild a tensor of size {list(size)} and stride {list(stride)}: {e}"
        ) from None
    return Tensor._make(arr)


def _view(typed, storage_offset, shape, stride, numel, n_storage, itemsize):
    """The ndarray view of ``typed`` (a storage) that a tensor's geometry describes."""
    if numel == 0:
        arr = typed[min(storage_offset, n_storage):][:0].reshape(shape)
    else:
        c = 1
        contiguous = True
        for s, st in zip(reversed(shape), reversed(stride)):
            if s != 1 and st != c:
                contiguous = False
                break
            c *= s
        if contiguous:
            arr = typed[storage_offset: storage_offset + numel].reshape(shape)
        else:
            arr = np.lib.stride_tricks.as_strided(
                typed[storage_offset:], shape, tuple(st * itemsize for st in stride)
            )
    return arr


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    """``torch._utils._rebuild_tensor_v2``."""
    t = _rebuild_tensor(storage, storage_offset, size, stride)
    if requires_grad:
        if not t.is_floating_point():
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        t._requires_grad = True
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    """``torch._utils._rebuild_tensor_v3`` (an untyped storage plus a dtype)."""
    from . import _dtype

    if not isinstance(dtype, _dtype.dtype):
        from ._weights_only_unpickler import _brief

        raise RuntimeError(f"Ember has no dtype {_brief(dtype)}: cannot load this tensor")
    if isinstance(storage, _Storage):
        storage = _Storage(storage.raw, dtype, storage.key)
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
                              backward_hooks, metadata)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    """``torch._utils._rebuild_parameter``."""
    from ._tensor import Tensor
    from .nn.parameter import Parameter

    if not isinstance(data, Tensor):
        raise RuntimeError(f"_rebuild_parameter expects a tensor, got {type(data)}")
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    """``torch._utils._rebuild_parameter_with_state``: a Parameter with Python attributes."""
    from ._weights_only_unpickler import _set_obj_state

    param = _rebuild_parameter(data, requires_grad, backward_hooks)
    _set_obj_state(param, state)
    return param


def _rebuild_from_type_v2(func, new_type, args, state):
    """``torch._tensor._rebuild_from_type_v2``: a tensor with Python attributes."""
    from ._tensor import Tensor
    from ._weights_only_unpickler import _brief, _set_obj_state

    if func not in (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter,
                    _rebuild_parameter_with_state) or type(args) is not tuple:
        raise RuntimeError(
            f"_rebuild_from_type_v2 can only call a tensor rebuild function, not {_brief(func)}"
        )
    ret = func(*args)
    if not isinstance(ret, Tensor):
        raise RuntimeError(f"_rebuild_from_type_v2 expected a tensor, got {type(ret)}")
    if type(ret) is not new_type:
        if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
            raise RuntimeError(f"cannot rebuild a tensor as {_brief(new_type)}")
        ret.__class__ = new_type
    _set_obj_state(ret, state)
    return ret


def _unsupported(what):
    def rebuild(*args, **kwargs):
        raise RuntimeError(f"Ember cannot load {what} tensors (only strided CPU tensors)")

    rebuild.__qualname__ = rebuild.__name__ = "_rebuild_" + what.replace(" ", "_")
    return rebuild


_REBUILD = None


def _rebuild_functions() -> dict:
    """PyTorch's rebuild-function names -> Ember's functions (allow-list entries)."""
    global _REBUILD
    if _REBUILD is None:
        _REBUILD = {
            "torch._utils._rebuild_tensor": _rebuild_tensor,
            "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
            "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
            "torch._utils._rebuild_parameter": _rebuild_parameter,
            "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
            "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        }
        for name, what in (("qtensor", "quantized"), ("sparse_tensor", "sparse"),
                           ("meta_tensor_no_storage", "meta"), ("nested_tensor", "nested"),
                           ("wrapper_subclass", "wrapper subclass"),
                           ("device_tensor_from_numpy", "device"),
                           ("device_tensor_from_cpu_tensor", "device")):
            _REBUILD["torch._utils._rebuild_" + name] = _unsupported(what)
    return _REBUILD


# ---------------------------------------------------------------------------------- saving
_TORCH_NAMES: dict = {}  # id(Ember object) -> (module, name) written as GLOBAL in the pickle
_KEEP: list = []  # the objects whose ids are in _TORCH_NAMES (keeps the ids valid)
_STORAGE_TAG = "storage"
_CPU = "cpu"


def _torch_names() -> dict:
    if _TORCH_NAMES:
        return _TORCH_NAMES
    from . import _dtype
    from ._tensor import Size, Tensor, device
    from .nn.parameter import Parameter

    def add(obj, module, name):
        _TORCH_NAMES[id(obj)] = (module, name)
        _KEEP.append(obj)

    add(_rebuild_tensor_v2, "torch._utils", "_rebuild_tensor_v2")
    add(_rebuild_parameter, "torch._utils", "_rebuild_parameter")
    add(_rebuild_parameter_with_state, "torch._utils", "_rebuild_parameter_with_state")
    add(_rebuild_from_type_v2, "torch._tensor", "_rebuild_from_type_v2")
    add(Size, "torch", "Size")
    add(device, "torch", "device")
    add(Tensor, "torch", "Tensor")
    add(Parameter, "torch.nn.parameter", "Parameter")
    add(_get_layout, "torch.serialization", "_get_layout")
    for d in _dtype.ALL:
        add(d, "torch", d.name)
        add(_SAVE_MARKERS.setdefault(d.name, _SaveStorageType(d.name)), "torch",
            _DTYPE_TO_STORAGE[d.name])
    return _TORCH_NAMES


class _SaveStorageType:
    """Pickles as ``torch.FloatStorage`` & co."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


_SAVE_MARKERS: dict = {}


class _StorageRef:
    """Stands for a storage in the pickle; ``persistent_id`` turns it into PyTorch's tuple."""

    __slots__ = ("pid",)

    def __init__(self, pid):
        self.pid = pid


class _Storages:
    """Finds the storages of the tensors being saved: one per root ndarray (shared memory)."""

    def __init__(self):
        self.by_root: dict = {}  # id(root) -> (key, dtype name, raw bytes, itemsize, root)
        self.records: list = []  # (key, raw uint8 array) in first-seen order

    def locate(self, arr: np.ndarray):
        """``(storage_pid, element_offset, strides)`` for the ndarray behind a tensor."""
        from ._tensor import _c_strides, _root_array

        itemsize = arr.itemsize
        root = _root_array(arr)
        ok = (root.flags.c_contiguous or root.flags.f_contiguous) and all(
            s >= 0 for s in arr.strides
        ) and root.nbytes % itemsize == 0
        if ok:
            low = root.__array_interface__["data"][0]  # contiguous: the lowest address
            delta = arr.__array_interface__["data"][0] - low
            ok = delta % itemsize == 0 and all(s % itemsize == 0 for s in arr.strides)
        if not ok:  # memory PyTorch could not describe: save a compact copy
            root = arr = np.ascontiguousarray(arr)
            delta = 0
        offset = delta // itemsize
        strides = (_c_strides(arr.shape) if arr.size == 0
                   else tuple(s // itemsize for s in arr.strides))
        dname = _dtype_name(arr.dtype)
        entry = self.by_root.get(id(root))
        if entry is None:
            raw = root.reshape(-1, order="A").view(np.uint8) if root.ndim else (
                root.reshape(1).view(np.uint8))
            key = str(len(self.by_root))
            entry = (key, dname, raw, itemsize, root)
            self.by_root[id(root)] = entry
            self.records.append((key, raw))
        elif entry[1] != dname:
            raise RuntimeError(
                "Cannot save multiple tensors or storages that view the same data as different "
                "types"
            )
        key, _, raw, _, _ = entry
        marker = _SAVE_MARKERS[dname]
        pid = (_STORAGE_TAG, marker, key, _CPU, raw.nbytes // itemsize)
        return pid, offset, strides


def _dtype_name(npd) -> str:
    from ._dtype import FROM_NP

    return FROM_NP[npd].name


def _make_pickler(file, protocol: int, storages: _Storages, legacy: bool):
    import pickle

    from ._dtype import dtype as dtype_cls
    from ._tensor import Size, Tensor, device
    from .nn.parameter import Parameter

    names = _torch_names()
    GLOBAL = pickle.GLOBAL

    class _Pickler(pickle._Pickler):
        """The pure-Python pickler (its output equals the C pickler's), with Ember objects
        written under PyTorch's names."""

        def persistent_id(self, obj):
            if type(obj) is _StorageRef:
                return obj.pid + (None,) if legacy else obj.pid
            return None

        def reducer_override(self, obj):
            mn = names.get(id(obj))
            if mn is not None:  # a string makes pickle call self.save_global (functions too)
                return mn[1]
            t = type(obj)
            if t is Tensor and not _obj_state(obj):
                return _reduce_tensor(obj, storages)
            if t is Parameter:
                state = _obj_state(obj)
                data = Tensor._make(obj._data)
                if not state:
                    return (_rebuild_parameter, (data, obj._requires_grad, OrderedDict()))
                return (_rebuild_parameter_with_state,
                        (data, obj._requires_grad, OrderedDict(), state))
            if t is dtype_cls:
                return obj.name
            if t is _SaveStorageType:
                return _DTYPE_TO_STORAGE[obj.name]
            if t is device:
                # torch.device.type is a fresh string each time (never a memo hit): copy it
                typ = (obj.type + " ")[:-1]
                args = (typ,) if obj.index is None else (typ, obj.index)
                return (device, args)
            if t is Size:
                return (Size, (tuple(obj),))
            if isinstance(obj, Tensor):  # a Tensor subclass or a tensor with attributes
                func, args = _reduce_tensor(obj, storages)
                return (_rebuild_from_type_v2, (func, t, args, _obj_state(obj)))
            return NotImplemented

        def save_global(self, obj, name=None):
            mn = names.get(id(obj))
            if mn is None:
                return super().save_global(obj, name)
            self.write(GLOBAL + mn[0].encode() + b"\n" + mn[1].encode() + b"\n")
            self.memoize(obj)

    return _Pickler(file, protocol)


def _obj_state(t) -> dict:
    """A tensor's Python attributes (not Ember's own autograd state), as PyTorch pickles them."""
    from ._tensor import _INTERNAL

    d = getattr(t, "__dict__", None)
    if not d:
        return {}
    return {k: v for k, v in d.items() if k not in _INTERNAL}


def _reduce_tensor(t, storages: _Storages):
    pid, offset, strides = storages.locate(t._data)
    args = (_StorageRef(pid), offset, tuple(t._data.shape), strides, t._requires_grad,
            OrderedDict())
    return (_rebuild_tensor_v2, args)


# libstdc++'s unordered_set: bucket count after the n-th insertion triggers a rehash
_REHASH = ((1, 13), (14, 29), (30, 59), (60, 127), (128, 257), (258, 541), (542, 1109),
           (1110, 2357), (2358, 5087), (5088, 10273), (10274, 20753), (20754, 42043),
           (42044, 85229), (85230, 172933), (172934, 351061), (351062, 712697),
           (712698, 1447153), (1447154, 2938679), (2938680, 5967347), (5967348, 12117689),
           (12117690, 24607243))
_M64 = (1 << 64) - 1


def _std_hash(b: bytes) -> int:
    """libstdc++'s ``std::hash<std::string>`` (``_Hash_bytes``, seed 0xc70f6907) on 64 bits."""
    mul = 0xC6A4A7935BD1E995
    n = len(b)
    h = (0xC70F6907 ^ (n * mul)) & _M64
    end = n & ~7
    for i in range(0, end, 8):
        d = (int.from_bytes(b[i:i + 8], "little") * mul) & _M64
        h ^= ((d ^ (d >> 47)) * mul) & _M64
        h = (h * mul) & _M64
    if n & 7:
        h ^= int.from_bytes(b[end:], "little")
        h = (h * mul) & _M64
    h ^= h >> 47
    h = (h * mul) & _M64
    return h ^ (h >> 47)


def _hash_combine(seed: int, value: int) -> int:
    """``c10::hash_combine``."""
    return (seed ^ ((value + 0x9E3779B9 + ((seed << 6) & _M64) + (seed >> 2)) & _M64)) & _M64


def _unordered_set_order(names: list) -> list:
    """The iteration order of a libstdc++ ``std::unordered_set<std::string>`` after inserting
    ``names`` in order: each node goes first in its bucket; a bucket that becomes non-empty goes
    first in the list; a rehash re-inserts the nodes in list order the same way."""
    hashes = {}
    order: list = []  # list of [bucket, [nodes...]] groups, front first
    nb = 1
    steps = iter(_REHASH)
    nxt = next(steps)

    def place(groups, index, bucket, name):
        g = index.get(bucket)
        if g is None:
            g = [name]
            index[bucket] = g
            groups.insert(0, g)
        else:
            g.insert(0, name)

    index: dict = {}
    for i, name in enumerate(names, 1):
        if nxt is not None and i >= nxt[0]:
            nb = nxt[1]
            nxt = next(steps, None)
            flat = [n for g in order for n in g]
            order, index = [], {}
            for n in flat:
                place(order, index, hashes[n] % nb, n)
        h = hashes[name] = _std_hash(name.encode())
        place(order, index, h % nb, name)
    return [n for g in order for n in g]


class _ZipWriter:
    """Writes PyTorch's zip container (miniz's stored, 64-byte aligned layout) to ``f``."""

    def __init__(self, f, archive_name: str):
        self.f = f
        self.write = f.write
        self.prefix = archive_name + "/"
        self.pos = 0
        self.central: list = []
        self.names: list = []
        self.crc_combined = 0

    def record(self, name: str, data) -> None:
        import struct
        import zlib

        full = (self.prefix + name).encode()
        mv = memoryview(data).cast("B") if not isinstance(data, bytes) else data
        size = len(mv)
        cursor = self.pos
        big = size >= 0xFFFFFFFF or cursor >= 0xFFFFFFFF
        zip64 = b""
        if big:
            fields = b""
            if size >= 0xFFFFFFFF:
                fields += struct.pack("<QQ", size, 0)
            if cursor >= 0xFFFFFFFF:
                fields += struct.pack("<Q", cursor)
            zip64 = struct.pack("<HH", 1, len(fields)) + fields
        start = cursor + 30 + len(full) + len(zip64) + 4
        pad = -start % STORAGE_ALIGNMENT
        extra = zip64 + b"FB" + struct.pack("<H", pad) + b"Z" * pad
        flags = 0x0808 if size else 0x0800
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, flags, 0, 0, 0, 0, 0, 0,
                             len(full), len(extra))
        self.write(header + full + extra)
        if size:
            crc = _write_with_crc(self.write, mv, zlib.crc32)
            if size >= 8 and bytes(mv[:4]) == b"PK\x07\x08":  # miniz's writer sees a descriptor
                self.crc_combined = _hash_combine(self.crc_combined,
                                                  int.from_bytes(mv[4:8], "little"))
            if big:
                desc = struct.pack("<IIQQ", 0x08074B50, crc, size, size)
            else:
                desc = struct.pack("<IIII", 0x08074B50, crc, size, size)
            self.write(desc)
            self.crc_combined = _hash_combine(self.crc_combined, crc)
        else:
            crc = 0
            desc = b""
        self.pos = start + pad + size + len(desc)
        self.central.append((full, flags, crc, size, cursor))
        self.names.append(name)

    def finish(self) -> None:
        import struct

        name_hash = 0
        for n in _unordered_set_order(self.names):
            name_hash = _hash_combine(name_hash, _std_hash(n.encode()))
        self.record(".data/serialization_id", b"%020d%020d" % (name_hash, self.crc_combined))
        cd_start = self.pos
        parts = []
        for full, flags, crc, size, ofs in self.central:
            fields = b""
            if size >= 0xFFFFFFFF:
                fields += struct.pack("<QQ", size, size)
            if ofs >= 0xFFFFFFFF:
                fields += struct.pack("<Q", ofs)
            extra = struct.pack("<HH", 1, len(fields)) + fields if fields else b""
            parts.append(struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, flags, 0, 0, 0, crc,
                min(size, 0xFFFFFFFF), min(size, 0xFFFFFFFF), len(full), len(extra), 0, 0, 0, 0,
                min(ofs, 0xFFFFFFFF)) + full + extra)
        cd = b"".join(parts)
        n = len(self.central)
        eocd64_pos = cd_start + len(cd)
        tail = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 0x002D, 0, 0, n, n, len(cd),
                           cd_start)
        tail += struct.pack("<IIQI", 0x07064B50, 0, eocd64_pos, 1)
        tail += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF),
                            min(len(cd), 0xFFFFFFFF), min(cd_start, 0xFFFFFFFF), 0)
        self.write(cd + tail)
        self.pos = eocd64_pos + len(tail)


def _write_with_crc(write, mv, crc32) -> int:
    """Write ``mv`` and return its CRC-32; big buffers are checksummed on a second thread while
    the main thread writes (both release the GIL)."""
    if len(mv) < (1 << 22):
        write(mv)
        return crc32(mv)
    import threading

    out = [0]

    def work():
        out[0] = crc32(mv)

    th = threading.Thread(target=work)
    th.start()
    try:
        write(mv)
    finally:
        th.join()
    return out[0]


def _archive_name(path: str) -> str:
    """miniz's archive folder for a path: the file's base name without its extension."""
    base = path.replace("\\", "/").rsplit("/", 1)[-1]
    if "." in base:
        base = base[: base.rfind(".")]
    return base


def _save_zip(obj, f, archive_name: str, pickle_protocol: int,
              disable_byteorder_record: bool) -> None:
    import io

    storages = _Storages()
    buf = io.BytesIO()
    _make_pickler(buf, pickle_protocol, storages, legacy=False).dump(obj)
    w = _ZipWriter(f, archive_name)
    w.record("data.pkl", buf.getvalue())
    w.record(".format_version", b"1")
    w.record(".storage_alignment", str(STORAGE_ALIGNMENT).encode())
    if not disable_byteorder_record:
        w.record("byteorder", sys.byteorder.encode())
    for key, raw in storages.records:
        w.record(f"data/{key}", raw)
    w.record("version", b"3\n")
    w.finish()


def _save_legacy(obj, f, pickle_protocol: int) -> None:
    import io
    import pickle
    import struct

    sys_info = {
        "protocol_version": PROTOCOL_VERSION,
        "little_endian": sys.byteorder == "little",
        "type_sizes": {"short": 2, "int": 4, "long": 8 if os.name != "nt" else 4},
    }
    head = io.BytesIO()
    pickle.dump(MAGIC_NUMBER, head, protocol=pickle_protocol)
    pickle.dump(PROTOCOL_VERSION, head, protocol=pickle_protocol)
    pickle.dump(sys_info, head, protocol=pickle_protocol)
    storages = _Storages()
    _make_pickler(head, pickle_protocol, storages, legacy=True).dump(obj)
    keys = sorted(k for k, _ in storages.records)
    pickle.dump(keys, head, protocol=pickle_protocol)
    f.write(head.getvalue())
    raws = dict(storages.records)
    itemsizes = {e[0]: e[3] for e in storages.by_root.values()}
    for key in keys:
        raw = raws[key]
        f.write(struct.pack("<q", raw.nbytes // itemsizes[key]))
        f.write(memoryview(raw))


def save(obj: object, f, pickle_module=None, pickle_protocol: int = DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` to a file in PyTorch's checkpoint format (readable by ``torch.load``).

    Tensors that share memory are saved once and stay shared when loaded; views keep their
    offset and strides. Saving to a path is atomic: the data goes to a temporary file in the same
    directory that replaces ``f`` only once it is complete, so an error (or a full disk) leaves
    an existing checkpoint untouched.

    Args:
        obj: the object to save (tensors, state dicts, containers, any picklable object).
        f: a path (``str`` / ``os.PathLike``) or a binary file object with ``write``.
        pickle_module: accepted for PyTorch compatibility; Ember always uses ``pickle``.
        pickle_protocol: the pickle protocol (PyTorch's default, 2).
        _use_new_zipfile_serialization: ``False`` writes the legacy (pre-1.6) format.

    >>> ember.save({"w": ember.ones(2)}, "ckpt.pt")
    >>> ember.load("ckpt.pt")
    {'w': tensor([1., 1.])}
    """
    if pickle_module is not None and getattr(pickle_module, "__name__", "") == "dill":
        raise ValueError("Ember saves with the standard pickle module only")
    if not isinstance(f, (str, os.PathLike)) and not hasattr(f, "write"):
        raise AttributeError(
            "expected 'f' to be string, path, or a file-like object with a 'write' attribute"
        )
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        _save_to_path(obj, path, pickle_protocol, _use_new_zipfile_serialization,
                      _disable_byteorder_record)
        return
    if _use_new_zipfile_serialization:
        if not callable(getattr(f, "write", None)):
            raise TypeError(f"Buffer of {str(type(f)).strip('<>')} has no callable attribute "
                            "'write'")
        _save_zip(obj, f, "archive", pickle_protocol, _disable_byteorder_record)
    else:
        _save_legacy(obj, f, pickle_protocol)
    flush = getattr(f, "flush", None)
    if flush is not None:
        flush()


def _save_to_path(obj, path: str, protocol: int, zip_format: bool, no_byteorder: bool) -> None:
    from ._atomic import atomic_write

    target = os.path.realpath(path) if os.path.islink(path) else path
    if not os.path.isdir(os.path.dirname(target) or "."):
        raise RuntimeError(f"Parent directory {os.path.dirname(path)} does not exist.")
    with atomic_write(path) as fh:
        if zip_format:
            _save_zip(obj, fh, _archive_name(path), protocol, no_byteorder)
        else:
            _save_legacy(obj, fh, protocol)


# ---------------------------------------------------------------------------------- loading
def _default_to_weights_only(pickle_module) -> bool:
    return pickle_module is None


def _wo_message(message: str) -> str:
    """PyTorch's wording around a weights-only unpickling error."""
    import re

    if re.search(r"GLOBAL (\S+) was not an allowed global by default.", message):
        updated = (
            "Weights only load failed. This file can still be loaded, to do so you have two "
            "options, \033[1mdo those steps only if you trust the source of the checkpoint"
            f"\033[0m. \n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with "
            "`weights_only=True` please check the recommended steps in the following error "
            "message.\n\tWeightsUnpickler error: " + message
        )
    else:
        # (PyTorch searches ``(\S+) must be (\S+) to load``: the same matches, but quadratic
        # in a long run of non-spaces)
        if re.search(r"\S must be \S+ to load", message):
            return f"Weights only load failed. {message}\n {UNSAFE_MESSAGE}\n"
        updated = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
        if not re.search(r"whose module (\S+) is blocked", message):
            updated += (
                "Please file an issue with the following so that we can make "
                "`weights_only=True` compatible with your use case: WeightsUnpickler error: "
            )
        updated += "\n\n" + message
    return updated + _DOCS_MESSAGE


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args):
    """Load an object saved with ``torch.save`` or ``ember.save`` (zip or legacy format).

    Args:
        f: a path or a binary file object with ``read``, ``readline``, ``tell`` and ``seek``.
        map_location: ``None``, ``'cpu'``, a device, a dict remapping location tags, or a
            function ``(storage, location) -> storage``; anything asking for CUDA raises.
        pickle_module: the unpickling module for ``weights_only=False`` (default ``pickle``).
        weights_only: ``True`` (the default) unpickles only tensors, containers, numbers,
            strings and the allow-listed types; ``False`` runs arbitrary pickles (trusted files
            only).
        mmap: map the file's storages instead of reading them (``f`` must be a path to a zip
            checkpoint). Writes to the tensors are private to the process.

    >>> sd = ember.load("model.pt", map_location="cpu")
    >>> model.load_state_dict(sd)
    """
    import pickle

    weights_only_not_set = weights_only is None
    if weights_only_not_set:
        weights_only = _default_to_weights_only(pickle_module)
    true_values = ["1", "y", "yes", "true"]
    force_wo = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in true_values
    force_no_wo = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in true_values
    if force_wo and force_no_wo:
        raise RuntimeError(
            "Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` "
            "should be set, but both were set."
        )
    elif force_wo:
        weights_only = True
    elif force_no_wo and weights_only_not_set:
        import warnings

        warnings.warn(
            "Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since the"
            "`weights_only` argument was not explicitly passed to `torch.load`, forcing "
            "weights_only=False.", UserWarning, stacklevel=2)
        weights_only = False
    if weights_only:
        if pickle_module is not None:
            raise RuntimeError(
                "Can not safely load weights when explicit pickle_module is specified"
            )
    elif pickle_module is None:
        pickle_module = pickle
    if pickle_load_args and weights_only:
        import warnings

        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
    mmap = bool(mmap)
    if "encoding" not in pickle_load_args:
        pickle_load_args["encoding"] = "utf-8"

    is_path = isinstance(f, (str, os.PathLike))
    if is_path:
        fh = open(f, "rb", buffering=0)  # noqa: SIM115 - closed below
    else:
        fh = f
        try:
            fh.seek(fh.tell())
        except (OSError, AttributeError) as e:
            if "seek" in str(e) or "tell" in str(e):
                raise type(e)(
                    str(e) + ". You can only torch.load from a file that is seekable. Please "
                    "pre-load the data into a buffer like io.BytesIO and try to load from it "
                    "instead."
                ) from None
            raise
    try:
        start = fh.tell()
        magic = fh.read(4)
        fh.seek(start)
        if magic == b"PK\x03\x04":
            loader = _ZipLoader(fh, map_location, weights_only, pickle_module, pickle_load_args,
                                os.fspath(f) if (mmap and is_path) else None)
            if mmap and not is_path:
                raise ValueError("f must be a file path in order to use the mmap argument")
            run = loader.load
        else:
            if mmap:
                f_name = "" if not isinstance(f, str) else f"{f}, "
                raise RuntimeError(
                    "mmap can only be used with files saved with "
                    f"`torch.save({f_name}_use_new_zipfile_serialization=True), "
                    "please torch.save your checkpoint with this option in order to use mmap."
                )
            loader = _LegacyLoader(fh, map_location, weights_only, pickle_module,
                                   pickle_load_args)
            run = loader.load
        if weights_only:
            try:
                return run()
            except pickle.UnpicklingError as e:
                raise pickle.UnpicklingError(_wo_message(str(e))) from None
            except (RuntimeError, OSError, _EndiannessError):
                raise
            except Exception as e:  # a malformed file tripped a check we do not have
                raise RuntimeError(
                    f"corrupted checkpoint: {type(e).__name__}: {e} (while loading with "
                    "weights_only=True)"
                ) from e
        return run()
    finally:
        if is_path:
            fh.close()


class _EndiannessError(ValueError):
    """PyTorch raises ValueError for an unknown ``byteorder`` record."""


class _LoaderBase:
    def __init__(self, fh, map_location, weights_only, pickle_module, pickle_load_args):
        self.fh = fh
        self.restore = _get_restore_location(map_location)
        self.weights_only = weights_only
        self.pickle_module = pickle_module
        self.pickle_load_args = pickle_load_args
        self.storages: dict = {}

    def _storage_dtype(self, pid):
        """Check a storage persistent id and return (dtype, key, location, numel)."""
        from pickle import UnpicklingError

        from ._weights_only_unpickler import _brief, _decode_ascii

        if not isinstance(pid, tuple) or len(pid) < 5 or _decode_ascii(pid[0]) != "storage":
            raise UnpicklingError(
                f"invalid persistent id {_brief(pid)}: expected a storage tuple"
            )
        storage_type, key, location, numel = pid[1:5]
        if not isinstance(storage_type, StorageType):
            raise RuntimeError(
                f"invalid persistent id: storage type {_brief(storage_type)} is not a storage "
                "class"
            )
        key = _decode_ascii(key)
        location = _decode_ascii(location)
        if type(key) is not str or type(location) is not str or type(numel) is not int or \
                numel < 0:
            raise UnpicklingError(f"invalid persistent id {_brief(pid)}")
        if storage_type.dtype_name is None:
            raise UnpicklingError("invalid persistent id: TypedStorage without a dtype")
        dt = storage_type.dtype
        if dt is None:
            raise RuntimeError(
                f"Ember has no dtype torch.{storage_type.dtype_name}: cannot load the tensor "
                f"stored in data/{key}"
            )
        return dt, key, location, numel


class _ZipLoader(_LoaderBase):
    def __init__(self, fh, map_location, weights_only, pickle_module, pickle_load_args,
                 mmap_path):
        super().__init__(fh, map_location, weights_only, pickle_module, pickle_load_args)
        import zipfile

        start = fh.tell()
        fh.seek(0, 2)
        self.file_size = fh.seek(0, 2)
        fh.seek(start)
        try:
            self.zf = zipfile.ZipFile(fh)
            infos = self.zf.infolist()
        except Exception as e:  # zipfile raises BadZipFile, struct.error, ValueError...
            raise RuntimeError(_CORRUPT.format(f"failed finding central directory ({e})")) \
                from None
        if not infos:
            raise RuntimeError("PytorchStreamReader failed: archive does not contain any files")
        first = infos[0].filename
        if "/" not in first:
            raise RuntimeError(f"file in archive is not in a subdirectory: {first}")
        self.prefix = first[: first.index("/") + 1]
        self.infos = {i.filename: i for i in infos}
        self.total = 0
        self.mm = None
        if mmap_path is not None:
            import mmap as mmap_mod

            with open(mmap_path, "rb") as mf:
                self.mm = np.frombuffer(
                    mmap_mod.mmap(mf.fileno(), 0, access=mmap_mod.ACCESS_COPY), dtype=np.uint8
                )

    def has(self, name: str) -> bool:
        return self.prefix + name in self.infos

    def get(self, name: str) -> bytes:
        """A small record's bytes (data.pkl, version...), bounded by the file's size."""
        info = self.infos.get(self.prefix + name)
        if info is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found")
        if info.compress_type == 0:
            if info.file_size != info.compress_size:
                raise RuntimeError(_CORRUPT.format(f"record {name} has inconsistent sizes"))
            off = self._data_offset(info)
            if off + info.file_size > self.file_size:
                raise RuntimeError(_CORRUPT.format(f"record {name} runs past the end of the file"))
            self.fh.seek(off)
            data = self.fh.read(info.file_size)
            if len(data) != info.file_size:
                raise RuntimeError(_CORRUPT.format(f"record {name} is truncated"))
            import zlib

            if zlib.crc32(data) != info.CRC:
                raise RuntimeError(_CORRUPT.format(f"CRC-32 mismatch in record {name}"))
            return data
        # a compressed record (PyTorch never writes them): bounded input and output
        if info.compress_size > self.file_size or info.file_size > max(1 << 20,
                                                                        64 * self.file_size):
            raise RuntimeError(_CORRUPT.format(f"record {name} claims an impossible size"))
        try:
            return self.zf.read(info)
        except Exception as e:
            raise RuntimeError(_CORRUPT.format(f"failed reading record {name} ({e})")) from None

    def _data_offset(self, info) -> int:
        import struct

        if not 0 <= info.header_offset < self.file_size:
            raise RuntimeError(_CORRUPT.format(f"invalid local header offset for {info.filename}"))
        self.fh.seek(info.header_offset)
        head = self.fh.read(30)
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            raise RuntimeError(_CORRUPT.format(f"invalid local header for {info.filename}"))
        n, e = struct.unpack("<HH", head[26:30])
        return info.header_offset + 30 + n + e

    def read_storage(self, key: str, nbytes: int) -> np.ndarray:
        name = f"data/{key}"
        info = self.infos.get(self.prefix + name)
        if info is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found")
        if info.file_size != nbytes:
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {name}: record size "
                f"{info.file_size} mismatch with dst size {nbytes} (the checkpoint is corrupted)"
            )
        self.total += nbytes
        if self.total > max(self.file_size, 1 << 20) * (64 if info.compress_type else 1):
            raise RuntimeError(_CORRUPT.format(
                f"the storages claim {self.total} bytes, more than the {self.file_size}-byte "
                "file holds (overlapping or lying records)"))
        if info.compress_type != 0:
            data = self.get(name)
            raw = np.empty(nbytes, np.uint8)
            raw[:] = np.frombuffer(data, np.uint8)
            return raw
        off = self._data_offset(info)
        if off + nbytes > self.file_size:
            raise RuntimeError(_CORRUPT.format(
                f"record {name} of {nbytes} bytes runs past the end of the file"))
        if self.mm is not None:
            return self.mm[off: off + nbytes]
        raw = np.empty(nbytes, np.uint8)
        self.fh.seek(off)
        got = self.fh.readinto(memoryview(raw))
        while got is not None and got < nbytes:  # short reads from raw files
            more = self.fh.readinto(memoryview(raw)[got:])
            if not more:
                break
            got += more
        if got != nbytes:
            raise RuntimeError(_CORRUPT.format(f"record {name} is truncated"))
        return raw

    def _check_version(self) -> None:
        """The ``version`` record, checked as PyTorch's reader does (1 to 10)."""
        name = "version" if self.has("version") else ".data/version"
        if not self.has(name):
            raise RuntimeError(
                'Expected hasRecord("version") to be true, but got false.  (Could this error '
                "message be improved?  If so, please report an enhancement request to PyTorch.)"
            )
        text = self.get(name)
        try:
            version = int(text.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            raise RuntimeError(
                f"Couldn't parse the version {text.decode('latin1')} as Long Long."
            ) from None
        if version < 1:
            raise RuntimeError(
                f"Attempted to read a PyTorch file with version {version}, but the minimum "
                "supported version for reading is 1. Your PyTorch script module file is too "
                "old. Please regenerate it with latest version of PyTorch to mitigate this issue."
            )
        if version > 10:
            raise RuntimeError(
                f"Attempted to read a PyTorch file with version {version}, but the maximum "
                "supported version for reading is 10. The version of your PyTorch installation "
                "may be too old, please upgrade PyTorch to latest version to mitigate this issue."
            )

    def persistent_load(self, pid):
        dt, key, location, numel = self._storage_dtype(pid)
        st = self.storages.get(key)
        if st is None:
            nbytes = numel * dt.itemsize
            raw = self.read_storage(key, nbytes)
            if self.byteorder != sys.byteorder and dt.itemsize > 1:
                raw.view(dt.np).byteswap(inplace=True)
            st = self.restore(_Storage(raw, dt, key), location)
            self.storages[key] = st
        return st  # a key seen before keeps its first dtype, as in torch

    def load(self):
        import io

        if self.has("constants.pkl"):
            raise RuntimeError(
                "Cannot use ``weights_only=True`` with TorchScript archives passed to "
                "``torch.load``. " + UNSAFE_MESSAGE if self.weights_only else
                "Ember cannot load TorchScript archives (torch.jit.save files)"
            )
        self._check_version()
        self.byteorder = "little"
        if self.has("byteorder"):
            bo = self.get("byteorder")
            if bo not in (b"little", b"big"):
                raise _EndiannessError("Unknown endianness type: " + bo.decode("latin1"))
            self.byteorder = bo.decode()
        data = io.BytesIO(self.get("data.pkl"))
        if self.weights_only:
            from . import _weights_only_unpickler as wo

            up = wo.Unpickler(data, encoding=self.pickle_load_args.get("encoding", "utf-8"))
        else:
            up = _full_unpickler(self.pickle_module, data, self.pickle_load_args)
        up.persistent_load = self.persistent_load
        return up.load()


class _BoundedReader:
    """A file wrapper for the legacy format that refuses reads past the end of the file, so a
    hostile length field cannot make Python allocate a huge buffer."""

    def __init__(self, fh, size):
        self.fh = fh
        self.size = size

    def read(self, n=-1):
        if n is None or n < 0 or n > self.size - self.fh.tell():
            n = max(0, self.size - self.fh.tell())
        return self.fh.read(n)

    def readline(self, limit=-1):
        return self.fh.readline(65536 if limit is None or limit < 0 else limit)

    def readinto(self, b):
        return self.fh.readinto(b)

    def tell(self):
        return self.fh.tell()

    def seek(self, *args):
        return self.fh.seek(*args)


class _LegacyLoader(_LoaderBase):
    def persistent_load(self, pid):
        from pickle import UnpicklingError

        from ._weights_only_unpickler import _brief

        if isinstance(pid, tuple) and len(pid) == 6:
            view = pid[5]
            dt, key, location, numel = self._storage_dtype(pid[:5])
        else:
            raise UnpicklingError(f"invalid persistent id {_brief(pid)} in legacy checkpoint")
        st = self.storages.get(key)
        if st is None:
            nbytes = numel * dt.itemsize
            self.claimed += nbytes
            if self.claimed > self.remaining:
                raise RuntimeError(
                    f"corrupted checkpoint: storage {key} claims {numel} elements "
                    f"({nbytes} bytes) but the file has only {self.remaining} bytes left"
                )
            st = self.restore(_Storage(np.empty(nbytes, np.uint8), dt, key), location)
            self.storages[key] = st
        if view is not None:
            if not (isinstance(view, tuple) and len(view) == 3):
                raise UnpicklingError(f"invalid storage view {_brief(view)}")
            view_key, offset, size = view
            vkey = _decode(view_key)
            if vkey not in self.storages:
                if type(offset) is not int or type(size) is not int or offset < 0 or size < 0 \
                        or (offset + size) * dt.itemsize > st.raw.nbytes:
                    raise UnpicklingError(f"invalid storage view {_brief(view)}")
                b = offset * dt.itemsize
                # (keyed by its root: only roots must appear in the storage key list)
                self.storages[vkey] = _Storage(st.raw[b: b + size * dt.itemsize], dt, st.key)
            st = self.storages[vkey]
        return st

    def _pickle_load(self, f):
        if self.weights_only:
            from . import _weights_only_unpickler as wo

            return wo.Unpickler(f, encoding=self.pickle_load_args.get("encoding", "utf-8")).load()
        return self.pickle_module.load(f, **self.pickle_load_args)

    def load(self):
        import struct

        from ._weights_only_unpickler import _brief

        fh = self.fh
        start = fh.tell()
        size = fh.seek(0, 2)
        fh.seek(start)
        if start == 0 and size >= 262:
            fh.seek(257)
            tar = fh.read(5)
            fh.seek(0)
            if tar == b"ustar":
                raise RuntimeError(
                    "Cannot use ``weights_only=True`` with files saved in the legacy .tar "
                    "format. " + UNSAFE_MESSAGE if self.weights_only else
                    "Ember cannot load the legacy .tar checkpoint format (PyTorch < 0.4)"
                )
        f = _BoundedReader(fh, size)
        magic_number = self._pickle_load(f)
        if magic_number != MAGIC_NUMBER:
            raise RuntimeError("Invalid magic number; corrupt file?")
        protocol_version = self._pickle_load(f)
        if protocol_version != PROTOCOL_VERSION:
            raise RuntimeError(f"Invalid protocol version: {protocol_version}")
        self._pickle_load(f)  # sys_info
        self.remaining = size - fh.tell()
        self.claimed = 0
        if self.weights_only:
            from . import _weights_only_unpickler as wo

            up = wo.Unpickler(f, encoding=self.pickle_load_args.get("encoding", "utf-8"))
        else:
            up = _full_unpickler(self.pickle_module, f, self.pickle_load_args)
        up.persistent_load = self.persistent_load
        result = up.load()
        keys = self._pickle_load(f)
        if not isinstance(keys, list):
            raise RuntimeError("corrupted legacy checkpoint: storage key list missing")
        filled: set = set()
        for key in keys:
            if not isinstance(key, (str, bytes)):
                raise RuntimeError(
                    f"corrupted legacy checkpoint: invalid storage key {_brief(key)}"
                )
            st = self.storages.get(_decode(key))
            if st is None:
                raise RuntimeError(f"storage key {_brief(key)} not found in deserialized_objects")
            if _decode(key) in filled:
                raise RuntimeError(
                    f"corrupted legacy checkpoint: storage key {_brief(key)} repeated"
                )
            head = fh.read(8)
            if len(head) != 8:
                raise RuntimeError(f"corrupted legacy checkpoint: storage {key} is truncated")
            (n,) = struct.unpack("<q", head)
            itemsize = st.dtype.itemsize
            if n * itemsize != st.raw.nbytes:
                raise RuntimeError(
                    f"storage has wrong byte size: expected {st.raw.nbytes} got {n * itemsize}"
                )
            got = fh.readinto(memoryview(st.raw))
            while got is not None and got < st.raw.nbytes:
                more = fh.readinto(memoryview(st.raw)[got:])
                if not more:
                    break
                got += more
            if got != st.raw.nbytes:
                raise RuntimeError(f"corrupted legacy checkpoint: storage {key} is truncated")
            if sys.byteorder != "little" and itemsize > 1:
                st.raw.view(st.dtype.np).byteswap(inplace=True)
            filled.add(_decode(key))
        roots = {k for k, st in self.storages.items() if st.key == k}
        if roots - filled:  # never hand back uninitialised memory
            raise RuntimeError(
                "corrupted legacy checkpoint: storages "
                f"{sorted(roots - filled)} are used but missing from the storage key list"
            )
        return result


def _decode(s):
    if isinstance(s, bytes):
        from ._weights_only_unpickler import _brief

        try:
            return s.decode("ascii")
        except UnicodeDecodeError:
            raise RuntimeError(
                f"corrupted checkpoint: storage key {_brief(s)} is not ASCII"
            ) from None
    return s


def _full_unpickler(pickle_module, f, pickle_load_args):
    """``weights_only=False``: the standard unpickler, with PyTorch's names mapped to Ember."""
    from . import _weights_only_unpickler as wo

    allowed = wo._get_allowed_globals()

    class UnpicklerWrapper(pickle_module.Unpickler):
        def find_class(self, mod_name, name):
            if type(name) is str and "Storage" in name:
                try:
                    return StorageType(name)
                except KeyError:
                    pass
            if mod_name == "torch.tensor":
                mod_name = "torch._tensor"
            full = f"{mod_name}.{name}"
            if full in allowed and mod_name.startswith("torch"):
                return allowed[full]
            if mod_name == "torch" or mod_name.startswith("torch."):
                import importlib

                try:
                    module = importlib.import_module("ember" + mod_name[5:])
                    obj = module
                    for part in name.split("."):
                        obj = getattr(obj, part)
                    return obj
                except (ImportError, AttributeError):
                    raise AttributeError(
                        f"Ember has no equivalent of {full} (needed to unpickle this file)"
                    ) from None
            return super().find_class(mod_name, name)

    return UnpicklerWrapper(f, **pickle_load_args)
