"""safetensors files: the API of ``safetensors.torch`` (0.7), writing the same bytes.

A safetensors file is an 8-byte little-endian header length ``N``, ``N`` bytes of JSON (padded
with spaces to a multiple of 8) describing each tensor's dtype, shape and byte range, then the
tensors' raw little-endian bytes, back to back with no holes::

    >>> ember.safetensors.save_file({"w": ember.ones(2, 3)}, "model.safetensors")
    >>> ember.safetensors.load_file("model.safetensors")["w"].shape
    torch.Size([2, 3])

Ember writes exactly the bytes the ``safetensors`` package (0.7.0) writes: the header lists the
tensors by dtype alignment (8-byte types first) then by name, in serde_json's compact JSON, so
every tensor's data is aligned to its element size. (The package writes ``__metadata__`` entries
in a random order, as it keeps them in a Rust ``HashMap``; Ember writes them sorted by key, one
of the orders the package produces.)

Reading validates the header as the package does, before touching any tensor data: the header
length against the 100 MB limit and the file size, UTF-8, the JSON and its types (dtype names,
non-negative integer shapes, two offsets, string-only ``__metadata__``), and that the tensors'
byte ranges tile the data section exactly (no holes, overlaps or bytes past the end) and match
their dtype and shape, computed with 64-bit overflow checks, so a header claiming 10^12 elements
is refused without allocating anything. Ember also refuses duplicate keys, which the format
forbids and the package lets through (the last one wins). Problems raise :class:`SafetensorError`
with the package's message (Ember adds the names and sizes involved after a colon).

:func:`safe_open` and :func:`load_file` memory-map the file copy-on-write, as the package does:
a tensor's pages are read when it is first used, and writing to a loaded tensor changes neither
the file nor other loads. :func:`save_file` writes a temporary file next to the destination and
renames it over the destination, so a failed save leaves the old file intact and a reader that
has the old file mapped keeps its data.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict

import numpy as np

from ._dtype import FROM_NP
from ._tensor import Tensor, _check_device, _root_array

__all__ = [
    "SafetensorError",
    "safe_open",
    "save",
    "save_file",
    "load",
    "load_file",
    "save_model",
    "load_model",
]

_MAX_HEADER_SIZE = 100_000_000
_U64_MAX = (1 << 64) - 1

# The format's dtypes in the order of the package's Rust ``Dtype`` enum (increasing alignment),
# with their sizes in bits. Files list tensors by decreasing rank, then by name.
_DTYPE_BITS = {
    "BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8, "I8": 8, "F8_E5M2": 8,
    "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16, "U16": 16, "F16": 16, "BF16": 16, "I32": 32,
    "U32": 32, "F32": 32, "C64": 64, "F64": 64, "I64": 64, "U64": 64,
}
_RANK = {name: i for i, name in enumerate(_DTYPE_BITS)}
_VARIANTS = ", ".join(f"`{name}`" for name in _DTYPE_BITS)

# Ember dtype name -> format name, and format name -> little-endian NumPy dtype
_FORMAT_NAME = {
    "float64": "F64", "float32": "F32", "float16": "F16", "int64": "I64", "int32": "I32",
    "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL",
}
_NUMPY = {
    "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"), "U8": np.dtype("u1"), "BOOL": np.dtype("?"),
}
_TORCH_NAME = {
    "BF16": "torch.bfloat16", "U16": "torch.uint16", "U32": "torch.uint32",
    "U64": "torch.uint64", "C64": "torch.complex64", "F8_E4M3": "torch.float8_e4m3fn",
    "F8_E5M2": "torch.float8_e5m2", "F8_E8M0": "torch.float8_e8m0fnu",
    "F4": "torch.float4_e2m1fn_x2", "F6_E2M3": "no torch dtype", "F6_E3M2": "no torch dtype",
}


class SafetensorError(Exception):
    """A safetensors file or argument the format does not allow (the package's exception).

    Like ``safetensors.SafetensorError``, it subclasses ``Exception`` directly.
    """


# ---------------------------------------------------------------------------------- reading
class _Info:
    """One tensor's header entry, validated."""

    __slots__ = ("dtype", "shape", "start", "stop")

    def __init__(self, dtype: str, shape: list, start: int, stop: int):
        self.dtype, self.shape, self.start, self.stop = dtype, shape, start, stop


def _describe(v) -> str:
    """serde's name for an unexpected JSON value, as in its ``invalid type`` messages."""
    if v is None:
        return "null"
    if v is True or v is False:
        return f"boolean `{'true' if v else 'false'}`"
    if type(v) is int:
        return f"integer `{v}`"
    if type(v) is float:
        r = repr(v).replace("e+", "e")
        return f"floating point `{r if ('.' in r or 'e' in r or 'n' in r) else r + '.0'}`"
    if type(v) is str:
        return f'string "{v}"'
    if type(v) is list:
        return "sequence"
    return "map"


def _json_error(msg: str) -> SafetensorError:
    return SafetensorError("invalid JSON in header: " + msg)


def _usize(v):
    if type(v) is int and 0 <= v <= _U64_MAX:
        return v
    if type(v) is int and v < 0:
        raise _json_error(f"invalid value: integer `{v}`, expected usize")
    if type(v) is int:  # serde_json reads integers past u64 as floats
        v = float(v)
    raise _json_error(f"invalid type: {_describe(v)}, expected usize")


def _pairs(pairs):
    """``object_pairs_hook``: refuse duplicate keys and names that are not valid UTF-8."""
    out = {}
    for k, v in pairs:
        if k in out:
            raise _json_error(f"duplicate key `{k}` (the format does not allow duplicate keys)")
        if not k.isascii():
            try:
                k.encode("utf-8")
            except UnicodeEncodeError:
                raise _json_error("lone surrogate in hex escape") from None
        out[k] = v
    return out


def _parse_int(s: str):
    if s == "-0":
        return -0.0  # serde_json reads -0 as a float
    if len(s) > 24:
        return float(s)  # far past u64 (and clear of Python's int-digit limit)
    return int(s)


def _reject_constant(name):
    raise _json_error(f"expected value (`{name}` is not JSON)")


def _tensor_info(name: str, v) -> _Info:
    """Check one tensor entry's JSON types (serde's rules for ``TensorInfo``)."""
    if type(v) is list:  # serde also reads a struct from a sequence of its fields
        if len(v) != 3:
            raise _json_error(
                f"invalid length {len(v)}, expected struct TensorInfo with 3 elements")
        v = {"dtype": v[0], "shape": v[1], "data_offsets": v[2]}
    elif type(v) is not dict:
        raise _json_error(f"invalid type: {_describe(v)}, expected struct TensorInfo")
    for field in ("dtype", "shape", "data_offsets"):
        if field not in v:
            raise _json_error(f"missing field `{field}` (in tensor `{name}`)")
    dtype = v["dtype"]
    if type(dtype) is not str:
        raise _json_error(f"invalid type: {_describe(dtype)}, expected string or map")
    if dtype not in _RANK:
        raise _json_error(f"unknown variant `{dtype}`, expected one of {_VARIANTS}")
    shape = v["shape"]
    if type(shape) is not list:
        raise _json_error(f"invalid type: {_describe(shape)}, expected a sequence")
    shape = [_usize(d) for d in shape]
    offsets = v["data_offsets"]
    if type(offsets) is not list:
        raise _json_error(f"invalid type: {_describe(offsets)}, expected a tuple of size 2")
    for o in offsets[:2]:
        _usize(o)
    if len(offsets) < 2:
        raise _json_error(f"invalid length {len(offsets)}, expected a tuple of size 2")
    if len(offsets) > 2:
        raise _json_error(f"invalid length {len(offsets)}, expected 2 elements in sequence")
    return _Info(dtype, shape, offsets[0], offsets[1])


def _parse_header(raw, n: int, file_size: int):
    """Validate the header bytes ``raw`` (``n`` of them) of a ``file_size``-byte file.

    Returns ``(metadata, infos)``: the ``__metadata__`` dict (or None) and the tensors'
    ``_Info`` by name, in the order of their data. Raises SafetensorError (without the
    ``Error while deserializing`` prefix, which the callers add).
    """
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError as e:
        if e.reason == "unexpected end of data":
            msg = f"incomplete utf-8 byte sequence from index {e.start}"
        else:
            msg = f"invalid utf-8 sequence of {e.end - e.start} bytes from index {e.start}"
        raise SafetensorError("invalid UTF-8 in header: " + msg) from None
    import json

    try:
        obj = json.loads(text, object_pairs_hook=_pairs, parse_int=_parse_int,
                         parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        if isinstance(e, RecursionError):
            e = "recursion limit exceeded"
        raise _json_error(str(e)) from None
    if type(obj) is not dict:
        raise _json_error(f"invalid type: {_describe(obj)}, expected struct HashMetadata")

    metadata = None
    entries = []
    for name, v in obj.items():
        if name == "__metadata__":
            if v is None:
                continue
            if type(v) is not dict:
                raise _json_error(f"invalid type: {_describe(v)}, expected a map")
            for k, s in v.items():
                if type(s) is not str:
                    raise _json_error(
                        f"invalid type: {_describe(s)}, expected a string "
                        f"(__metadata__ `{k}`: metadata values must be strings)")
            metadata = v
            continue
        entries.append((name, _tensor_info(name, v)))

    # Metadata::validate: sorted by offsets, the ranges must tile [0, end) exactly
    entries.sort(key=lambda e: (e[1].start, e[1].stop))
    infos = {}
    pos = 0
    for name, info in entries:
        s, e = info.start, info.stop
        if s != pos or e < s:
            why = (f"it starts at byte {s} where the previous tensor ends at byte {pos}"
                   if s != pos else f"it ends at byte {e}, before its start {s}")
            raise SafetensorError(f"invalid offset for tensor `{name}`: {why}")
        pos = e
        count = 1
        for d in info.shape:
            count *= d
            if count > _U64_MAX:
                raise SafetensorError(
                    "overflow computing buffer size from shape and/or element type: "
                    f"tensor `{name}` of shape {info.shape}")
        bits = count * _DTYPE_BITS[info.dtype]
        if bits > _U64_MAX:
            raise SafetensorError(
                "overflow computing buffer size from shape and/or element type: "
                f"tensor `{name}` of shape {info.shape}")
        if bits % 8:
            raise SafetensorError(
                "The slice is slicing for subbytes dtypes, and the slice does not end up at a "
                f"byte boundary, this is invalid. (tensor `{name}`)")
        if e - s != bits // 8:
            raise SafetensorError(
                f"invalid shape, data type, or offset for tensor: `{name}` of dtype "
                f"{info.dtype} and shape {info.shape} needs {bits // 8} bytes, its data_offsets "
                f"[{s}, {e}] hold {e - s}")
        infos[name] = info
    if pos + 8 + n != file_size:
        raise SafetensorError(
            "incomplete metadata, file not fully covered: the header and its tensors make "
            f"{8 + n + pos} bytes, the file has {file_size}")
    return metadata, infos


def _header_length(first8, size: int) -> int:
    if size < 8:
        raise SafetensorError(f"header too small: the file has {size} bytes, fewer than 8")
    n = int.from_bytes(first8, "little")
    if n > _MAX_HEADER_SIZE:
        raise SafetensorError(
            f"header too large: it claims {n} bytes, the limit is {_MAX_HEADER_SIZE}")
    if 8 + n > size:
        raise SafetensorError(
            f"invalid header length: it claims {n} bytes, the file has {size - 8} after the "
            "length")
    return n


def _numpy_dtype(name: str, info: _Info) -> np.dtype:
    npd = _NUMPY.get(info.dtype)
    if npd is None:
        raise SafetensorError(
            f"tensor `{name}` has dtype {info.dtype} ({_TORCH_NAME[info.dtype]}), which Ember "
            "does not support: Ember reads F64, F32, F16, I64, I32, I16, I8, U8 and BOOL "
            "(convert the tensor to one of these before saving, e.g. with .float())")
    return npd


def _array(name: str, info: _Info, buffer, offset: int, copy: bool) -> np.ndarray:
    """The tensor ``name`` as an ndarray over ``buffer`` (copied if ``copy`` or misaligned)."""
    npd = _numpy_dtype(name, info)
    nbytes = info.stop - info.start
    if nbytes == 0:
        return np.zeros(info.shape, dtype=npd.newbyteorder("="))
    start = offset + info.start
    a = np.frombuffer(buffer, dtype=npd, count=nbytes // npd.itemsize, offset=start)
    if copy or start % npd.itemsize:
        a = a.copy()
    if npd.kind == "b":
        u = a.view(np.uint8)
        if u.max() > 1:  # a byte other than 0 or 1 is not a NumPy (or PyTorch) bool
            a = u != 0
    elif sys.byteorder == "big" and npd.itemsize > 1:
        a = a.astype(npd.newbyteorder("="))
    return a.reshape(info.shape)


class _SafeSlice:
    """A tensor of an open file, read only where it is indexed (``safe_open.get_slice``)."""

    def __init__(self, owner: safe_open, name: str, info: _Info):
        self._owner, self._name, self._info = owner, name, info

    def get_shape(self) -> list:
        """The full tensor's shape, as a list."""
        return list(self._info.shape)

    def get_dtype(self) -> str:
        """The full tensor's dtype, as the format names it (``"F32"``)."""
        return self._info.dtype

    def __getitem__(self, index) -> Tensor:
        view = Tensor._make(self._owner._view(self._name, self._info))
        out = view[index]
        return Tensor._make(np.array(out._data, copy=True))


class safe_open:  # noqa: N801 - the package's name
    """Open a safetensors file lazily: validate its header, read tensors when asked.

    Args:
        filename: the file's path.
        framework: ``"pt"`` (also ``"torch"``, ``"pytorch"``, ``"np"``, ``"numpy"``): Ember
            returns Ember tensors for each.
        device: ``"cpu"`` (Ember computes on the CPU only).

    >>> with ember.safetensors.safe_open("model.safetensors", framework="pt") as f:
    ...     w = f.get_tensor("w")
    """

    _FRAMEWORKS = ("pt", "torch", "pytorch", "np", "numpy")

    def __init__(self, filename, framework: str = "pt", device="cpu"):
        if framework not in self._FRAMEWORKS:
            if framework in ("tf", "tensorflow", "jax", "flax", "mlx", "paddle"):
                raise SafetensorError(
                    f"framework {framework} is not supported by Ember (use framework='pt')")
            raise SafetensorError(f"framework {framework} is invalid")
        _check_device(device)
        self._mmap = None
        self._open(filename)

    def _open(self, filename) -> None:
        path = os.fspath(filename)
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed below, the map outlives it
        except FileNotFoundError:
            raise FileNotFoundError(f"No such file or directory: {path}") from None
        with f:
            size = os.fstat(f.fileno()).st_size
            try:
                n = _header_length(f.read(8), size)
                self._metadata, self._infos = _parse_header(f.read(n), n, size)
            except SafetensorError as e:
                raise SafetensorError(f"Error while deserializing header: {e}") from None
            import mmap

            # copy-on-write, like the package's torch storage (shared=False)
            self._mmap = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
        self._offset = 8 + n

    def _check_open(self) -> None:
        if self._mmap is None:
            raise SafetensorError("File is closed")

    def _info(self, name: str) -> _Info:
        self._check_open()
        info = self._infos.get(name)
        if info is None:
            raise SafetensorError(f"File does not contain tensor {name}")
        return info

    def _view(self, name: str, info: _Info) -> np.ndarray:
        return _array(name, info, self._mmap, self._offset, copy=False)

    def metadata(self) -> dict[str, str] | None:
        """The header's ``__metadata__`` (a dict of strings), or None if it has none."""
        self._check_open()
        return None if self._metadata is None else dict(self._metadata)

    def keys(self) -> list[str]:
        """The tensors' names, sorted."""
        self._check_open()
        return sorted(self._infos)

    def offset_keys(self) -> list[str]:
        """The tensors' names in the order of their data in the file."""
        self._check_open()
        return list(self._infos)

    def get_tensor(self, name: str) -> Tensor:
        """The tensor ``name``, mapped from the file (copy-on-write: writing to it is private)."""
        return Tensor._make(self._view(name, self._info(name)))

    def get_slice(self, name: str) -> _SafeSlice:
        """A lazy handle on tensor ``name``: ``get_shape()``, ``get_dtype()`` and indexing."""
        return _SafeSlice(self, name, self._info(name))

    def __enter__(self) -> safe_open:
        return self

    def __exit__(self, *exc) -> None:
        # tensors already returned keep the map alive; it is unmapped when the last one goes
        self._mmap = None


def load_file(filename, device="cpu") -> dict[str, Tensor]:
    """Load every tensor of a safetensors file (memory-mapped, copy-on-write).

    Args:
        filename: the file's path.
        device: ``"cpu"``.

    Returns:
        A dict of tensors, in the order of their data in the file.

    >>> tensors = ember.safetensors.load_file("model.safetensors")
    """
    with safe_open(filename, framework="pt", device=device) as f:
        return {k: f.get_tensor(k) for k in f.offset_keys()}


def load(data: bytes) -> dict[str, Tensor]:
    """Load the tensors of a safetensors file held in ``data`` (each tensor a fresh copy).

    >>> ember.safetensors.load(ember.safetensors.save({"w": ember.ones(2)}))
    {'w': tensor([1., 1.])}
    """
    view = memoryview(data).cast("B")
    try:
        n = _header_length(view[:8], len(view))
        _, infos = _parse_header(view[8:8 + n], n, len(view))
    except SafetensorError as e:
        raise SafetensorError(f"Error while deserializing: {e}") from None
    arrays = {name: _array(name, info, view, 8 + n, copy=True) for name, info in infos.items()}
    return {name: Tensor._make(a) for name, a in arrays.items()}


# ---------------------------------------------------------------------------------- writing
def _storage(t: Tensor) -> tuple[int, int]:
    """(address, size in bytes) of the memory ``t`` views: PyTorch's untyped storage."""
    root = _root_array(t._data)
    return root.__array_interface__["data"][0], root.nbytes


def _end_ptr(t: Tensor) -> int:
    a = t._data
    if a.size == 0:
        return t.data_ptr()
    last = sum((d - 1) * s for d, s in zip(a.shape, a.strides))
    return t.data_ptr() + last + a.itemsize


def _filter_shared_not_shared(tensors: list, state_dict: dict) -> list:
    filtered = []
    for shared in tensors:
        if len(shared) < 2:
            filtered.append(shared)
            continue
        areas = sorted((state_dict[name].data_ptr(), _end_ptr(state_dict[name]), name)
                       for name in shared)
        _, last_stop, last_name = areas[0]
        filtered.append({last_name})
        for start, stop, name in areas[1:]:
            if start >= last_stop:
                filtered.append({name})
            else:
                filtered[-1].add(name)
            last_stop = stop
    return filtered


def _find_shared_tensors(state_dict: dict) -> list:
    """Groups of names whose tensors overlap in memory (the package's algorithm)."""
    groups = defaultdict(set)
    for k, v in state_dict.items():
        ptr, size = _storage(v)
        if ptr != 0 and size != 0:
            groups[(ptr, size)].add(k)
    return _filter_shared_not_shared(list(sorted(groups.values())), state_dict)


def _is_complete(t: Tensor) -> bool:
    ptr, size = _storage(t)
    return t.data_ptr() == ptr and t._data.nbytes == size


def _remove_duplicate_names(state_dict: dict, *, preferred_names=None,
                            discard_names=None) -> dict[str, list[str]]:
    """For each group of tensors sharing memory, the name kept and the names to drop."""
    preferred_names = set(preferred_names or [])
    discard_names = set(discard_names or [])
    to_remove = defaultdict(list)
    for shared in _find_shared_tensors(state_dict):
        complete_names = {name for name in shared if _is_complete(state_dict[name])}
        if not complete_names:
            raise RuntimeError(
                "Error while trying to find names to remove to save state dict, but found no "
                f"suitable name to keep for saving amongst: {shared}. None is covering the "
                "entire storage.Refusing to save/load the model since you could be storing much "
                "more memory than needed. Please refer to "
                "https://huggingface.co/docs/safetensors/torch_shared_tensors for more "
                "information. Or open an issue."
            )
        keep_name = sorted(complete_names)[0]
        preferred = complete_names.difference(discard_names)
        if preferred:
            keep_name = sorted(preferred)[0]
        if preferred_names:
            preferred = preferred_names.intersection(complete_names)
            if preferred:
                keep_name = sorted(preferred)[0]
        for name in sorted(shared):
            if name != keep_name:
                to_remove[keep_name].append(name)
    return to_remove


def _flatten(tensors) -> list:
    """Check ``tensors`` as the package does; returns ``[(name, format dtype, array)]``."""
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(v)}")
    failing = [names for names in _find_shared_tensors(tensors) if len(names) > 1]
    if failing:
        raise RuntimeError(
            f"""
            Some tensors share memory, this will lead to duplicate memory on disk and potential differences when loading them again: {failing}.
            A potential way to correctly save your model is to use `save_model`.
            More information at https://huggingface.co/docs/safetensors/torch_shared_tensors
            """  # noqa: E501 - the package's message, verbatim
        )
    out = []
    for k, v in tensors.items():
        a = v._data
        if not a.flags.c_contiguous:
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. It "
                "either means you are trying to save tensors which are reference of each other "
                "in which case it's recommended to save only the full tensors, and reslice at "
                "load time, or simply call `.contiguous()` on your tensor to pack it before "
                "saving."
            )
        out.append((k, _FORMAT_NAME[FROM_NP[a.dtype].name], a))
    for k, _, _ in out:
        if not isinstance(k, str):
            raise TypeError(
                f"argument 'tensor_dict': '{type(k).__name__}' object cannot be converted to "
                "'PyString'")
    return out


def _check_metadata(metadata) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise TypeError(
            f"argument 'metadata': '{type(metadata).__name__}' object cannot be converted to "
            "'PyDict'")
    for k, v in metadata.items():
        for x in (k, v):
            if not isinstance(x, str):
                raise TypeError(
                    f"argument 'metadata': '{type(x).__name__}' object cannot be converted to "
                    "'PyString'")


def _prepare(tensors, metadata) -> tuple[bytes, list]:
    """The file's first 8 + N bytes and its tensors' arrays, in file order."""
    items = _flatten(tensors)
    _check_metadata(metadata)
    from json.encoder import encode_basestring as quote  # serde_json's escapes, bytewise

    items.sort(key=lambda it: (-_RANK[it[1]], it[0]))
    parts = []
    if metadata is not None:
        entries = ",".join(f"{quote(k)}:{quote(metadata[k])}" for k in sorted(metadata))
        parts.append('"__metadata__":{' + entries + "}")
    offset = 0
    arrays = []
    for name, dt, a in items:
        shape = ",".join(map(str, a.shape))
        parts.append(f'{quote(name)}:{{"dtype":"{dt}","shape":[{shape}],'
                     f'"data_offsets":[{offset},{offset + a.nbytes}]}}')
        offset += a.nbytes
        arrays.append(a)
    header = ("{" + ",".join(parts) + "}").encode("utf-8")
    header += b" " * (-len(header) % 8)
    if len(header) > _MAX_HEADER_SIZE:
        raise SafetensorError(
            f"Error while serializing: header too large: {len(header)} bytes, the limit is "
            f"{_MAX_HEADER_SIZE}")
    return len(header).to_bytes(8, "little") + header, arrays


def _raw(a: np.ndarray):
    """The bytes of C-contiguous ``a`` in little-endian order, without copying if possible."""
    if sys.byteorder == "big" and a.itemsize > 1:
        a = a.astype(a.dtype.newbyteorder("<"))
    return a.reshape(-1).view(np.uint8).data


def save(tensors: dict[str, Tensor], metadata: dict[str, str] | None = None) -> bytes:
    """The safetensors file of ``tensors`` (and optional string ``metadata``), as bytes.

    Args:
        tensors: name -> contiguous tensor; no two may share memory.
        metadata: extra header information, str -> str.

    >>> data = ember.safetensors.save({"w": ember.zeros(2, 2)})
    """
    head, arrays = _prepare(tensors, metadata)
    return b"".join([head] + [_raw(a) for a in arrays if a.size])


def _write(f, head: bytes, arrays: list) -> None:
    f.write(head)
    for a in arrays:
        if a.size:
            f.write(_raw(a))


def save_file(tensors: dict[str, Tensor], filename, metadata: dict[str, str] | None = None
              ) -> None:
    """Save ``tensors`` to the safetensors file ``filename``, atomically.

    The file is written under a temporary name in the same directory, then renamed over
    ``filename``: an error midway leaves any previous file as it was, and no temporary file.

    Args:
        tensors: name -> contiguous tensor; no two may share memory.
        filename: the path to write.
        metadata: extra header information, str -> str.

    >>> ember.safetensors.save_file({"w": ember.zeros(2, 2)}, "model.safetensors")
    """
    from ._atomic import atomic_write

    head, arrays = _prepare(tensors, metadata)
    try:
        with atomic_write(filename) as f:
            _write(f, head, arrays)
    except OSError as e:
        raise SafetensorError(
            f"Error while serializing: I/O error: {e.strerror} (os error {e.errno})") from e


# ---------------------------------------------------------------------------------- models
def save_model(model, filename, metadata: dict[str, str] | None = None,
               force_contiguous: bool = True) -> None:
    """Save ``model.state_dict()``, keeping one name of each group of tied tensors.

    Each dropped name goes into the metadata as ``dropped name -> kept name``.

    Args:
        model: the ``nn.Module``.
        filename: the path to write.
        metadata: extra header information, str -> str.
        force_contiguous: save non-contiguous tensors as contiguous copies.

    >>> ember.safetensors.save_model(model, "model.safetensors")
    """
    state_dict = model.state_dict()
    to_removes = _remove_duplicate_names(state_dict)
    for kept_name, to_remove_group in to_removes.items():
        for to_remove in to_remove_group:
            if metadata is None:
                metadata = {}
            if to_remove not in metadata:
                metadata[to_remove] = kept_name
            del state_dict[to_remove]
    if force_contiguous:
        state_dict = {k: v.contiguous() for k, v in state_dict.items()}
    try:
        save_file(state_dict, filename, metadata=metadata)
    except ValueError as e:
        msg = str(e)
        msg += (" Or use save_model(..., force_contiguous=True), read the docs for potential "
                "caveats.")
        raise ValueError(msg) from None


def load_model(model, filename, strict: bool = True, device="cpu"
               ) -> tuple[set[str], list[str]]:
    """Load a safetensors file into ``model``, restoring tied tensors saved by :func:`save_model`.

    The file is validated and the keys and shapes checked before anything is copied: on any
    error the model is left as it was.

    Args:
        model: the ``nn.Module``.
        filename: the path to read.
        strict: raise on missing or unexpected keys (otherwise just return them).
        device: ``"cpu"``.

    Returns:
        ``(missing, unexpected)``: model names not in the file (a set), file names the model
        does not use (a list).

    >>> missing, unexpected = ember.safetensors.load_model(model, "model.safetensors")
    """
    state_dict = load_file(filename, device=device)
    model_state_dict = model.state_dict()
    to_removes = _remove_duplicate_names(model_state_dict, preferred_names=state_dict.keys())

    def adjust(missing, unexpected):
        missing = set(missing)
        for to_remove_group in to_removes.values():
            for to_remove in to_remove_group:
                if to_remove not in missing:
                    unexpected.append(to_remove)
                else:
                    missing.remove(to_remove)
        return missing, unexpected

    if strict:
        # decide before loading, so that a refused file changes nothing
        missing, unexpected = adjust(
            [k for k in model_state_dict if k not in state_dict],
            [k for k in state_dict if k not in model_state_dict])
        if missing or unexpected:
            _raise_keys(model, missing, unexpected)
    missing, unexpected = adjust(*model.load_state_dict(state_dict, strict=False))
    if strict and (missing or unexpected):
        _raise_keys(model, missing, unexpected)
    return missing, unexpected


def _raise_keys(model, missing, unexpected):
    missing_keys = ", ".join([f'"{k}"' for k in sorted(missing)])
    unexpected_keys = ", ".join([f'"{k}"' for k in sorted(unexpected)])
    error = f"Error(s) in loading state_dict for {model.__class__.__name__}:"
    if missing:
        error += f"\n    Missing key(s) in state_dict: {missing_keys}"
    if unexpected:
        error += f"\n    Unexpected key(s) in state_dict: {unexpected_keys}"
    raise RuntimeError(error)
