"""Build PyTorch-format checkpoints by hand, byte by byte, for the hostile-file tests.

Nothing here imports Ember or torch: a checkpoint is a pickle program (assembled from opcodes
with :class:`Pickle`) plus raw storage records, wrapped either in PyTorch's zip layout
(``archive/data.pkl``, ``archive/data/<key>``, ``archive/version``, ``archive/byteorder``) by
:func:`zip_checkpoint` or in the legacy non-zip layout (magic number, protocol version, sys info,
the pickle, the storage keys, then each storage as an int64 element count and its bytes) by
:func:`legacy_checkpoint`.
"""

import io
import pickle
import struct
import zipfile
import zlib
from dataclasses import dataclass

__all__ = [
    "Pickle",
    "zip_checkpoint",
    "legacy_checkpoint",
    "tensor_pickle",
    "state_dict_pickle",
    "LEGACY_MAGIC",
    "raw_zip",
    "ZipEntry",
    "archive_entries",
]

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
LEGACY_SYS_INFO = {
    "protocol_version": LEGACY_PROTOCOL,
    "little_endian": True,
    "type_sizes": {"short": 2, "int": 4, "long": 4},
}


class Pickle:
    """A tiny pickle assembler: each method appends one opcode and returns self.

    ``Pickle().proto().global_("os", "system").str("touch x").tuple1().reduce().stop().bytes``
    """

    def __init__(self):
        self.buf = bytearray()

    @property
    def bytes(self):
        """The assembled program."""
        return bytes(self.buf)

    def raw(self, data):
        """Append raw bytes (for malformed programs)."""
        self.buf += data
        return self

    def proto(self, n=2):
        """PROTO n."""
        self.buf += pickle.PROTO + bytes([n])
        return self

    def stop(self):
        """STOP."""
        self.buf += pickle.STOP
        return self

    def global_(self, module, name):
        """GLOBAL 'module name' (protocol 0-2 form)."""
        self.buf += pickle.GLOBAL + module.encode() + b"\n" + name.encode() + b"\n"
        return self

    def stack_global(self, module, name):
        """BINUNICODE module, BINUNICODE name, STACK_GLOBAL (protocol 4 form)."""
        self.str(module).str(name)
        self.buf += pickle.STACK_GLOBAL
        return self

    def inst(self, module, name):
        """MARK ... INST 'module name' (protocol 0 instantiation); call after pushing args."""
        self.buf += pickle.INST + module.encode() + b"\n" + name.encode() + b"\n"
        return self

    def str(self, s):
        """BINUNICODE s."""
        data = s.encode("utf-8")
        self.buf += pickle.BINUNICODE + struct.pack("<I", len(data)) + data
        return self

    def short_bytes(self, b):
        """SHORT_BINSTRING b (read back as bytes by torch's unpickler)."""
        self.buf += pickle.SHORT_BINSTRING + bytes([len(b)]) + b
        return self

    def int(self, n):
        """The smallest integer opcode for n (BININT1/BININT2/BININT/LONG1)."""
        if 0 <= n < 256:
            self.buf += pickle.BININT1 + bytes([n])
        elif 0 <= n < 65536:
            self.buf += pickle.BININT2 + struct.pack("<H", n)
        elif -(2**31) <= n < 2**31:
            self.buf += pickle.BININT + struct.pack("<i", n)
        else:
            data = pickle.encode_long(n)
            self.buf += pickle.LONG1 + bytes([len(data)]) + data
        return self

    def float(self, x):
        """BINFLOAT x."""
        self.buf += pickle.BINFLOAT + struct.pack(">d", x)
        return self

    def none(self):
        """NONE."""
        self.buf += pickle.NONE
        return self

    def bool(self, v):
        """NEWTRUE / NEWFALSE."""
        self.buf += pickle.NEWTRUE if v else pickle.NEWFALSE
        return self

    def mark(self):
        """MARK."""
        self.buf += pickle.MARK
        return self

    def tuple(self):
        """TUPLE (everything since the last MARK)."""
        self.buf += pickle.TUPLE
        return self

    def tuple1(self):
        """TUPLE1."""
        self.buf += pickle.TUPLE1
        return self

    def tuple2(self):
        """TUPLE2."""
        self.buf += pickle.TUPLE2
        return self

    def empty_tuple(self):
        """EMPTY_TUPLE."""
        self.buf += pickle.EMPTY_TUPLE
        return self

    def empty_list(self):
        """EMPTY_LIST."""
        self.buf += pickle.EMPTY_LIST
        return self

    def empty_dict(self):
        """EMPTY_DICT."""
        self.buf += pickle.EMPTY_DICT
        return self

    def append(self):
        """APPEND."""
        self.buf += pickle.APPEND
        return self

    def setitem(self):
        """SETITEM."""
        self.buf += pickle.SETITEM
        return self

    def reduce(self):
        """REDUCE."""
        self.buf += pickle.REDUCE
        return self

    def build(self):
        """BUILD."""
        self.buf += pickle.BUILD
        return self

    def newobj(self):
        """NEWOBJ."""
        self.buf += pickle.NEWOBJ
        return self

    def obj(self):
        """OBJ (MARK cls args... OBJ)."""
        self.buf += pickle.OBJ
        return self

    def ext1(self, code):
        """EXT1 code (copyreg extension registry lookup)."""
        self.buf += pickle.EXT1 + bytes([code])
        return self

    def persid(self):
        """BINPERSID."""
        self.buf += pickle.BINPERSID
        return self

    def put(self, i):
        """BINPUT i."""
        self.buf += pickle.BINPUT + bytes([i])
        return self

    def get(self, i):
        """BINGET i."""
        self.buf += pickle.BINGET + bytes([i])
        return self

    def long_get(self, i):
        """LONG_BINGET i."""
        self.buf += pickle.LONG_BINGET + struct.pack("<I", i)
        return self

    def tensor(self, storage_type="FloatStorage", key="0", location="cpu", numel=6, offset=0,
               size=(2, 3), stride=(3, 1), requires_grad=False, legacy_view=False):
        """Push ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, rg, OrderedDict())``.

        ``storage_type`` may be a string (``torch.<name>``), a ``(module, name)`` pair, or None
        (omit the GLOBAL and push None instead). ``key``/``numel`` are pushed as given (any
        type: ints, strings, floats...). The persistent id is ``('storage', type, key, location,
        numel)``, with a trailing ``None`` view slot when ``legacy_view`` is true.
        """
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.mark().mark().str("storage")
        if storage_type is None:
            self.none()
        elif isinstance(storage_type, tuple):
            self.global_(*storage_type)
        else:
            self.global_("torch", storage_type)
        self.value(key).value(location).value(numel)
        if legacy_view:
            self.none()
        self.tuple().persid()
        tup = lambda v: tuple(v) if isinstance(v, list) else v  # noqa: E731
        self.value(offset).value(tup(size)).value(tup(stride)).bool(requires_grad)
        self.global_("collections", "OrderedDict").empty_tuple().reduce()
        self.tuple().reduce()
        return self

    def value(self, v):
        """Push a plain Python value (int, float, str, bytes, None, bool, tuple, list)."""
        if v is None:
            return self.none()
        if isinstance(v, bool):
            return self.bool(v)
        if isinstance(v, int):
            return self.int(v)
        if isinstance(v, float):
            return self.float(v)
        if isinstance(v, str):
            return self.str(v)
        if isinstance(v, bytes):
            return self.short_bytes(v)
        if isinstance(v, tuple):
            self.mark()
            for item in v:
                self.value(item)
            return self.tuple()
        if isinstance(v, list):
            self.empty_list()
            for item in v:
                self.value(item).append()
            return self
        if isinstance(v, dict):
            self.empty_dict()
            for key, item in v.items():
                self.value(key).value(item).setitem()
            return self
        raise TypeError(f"cannot assemble {type(v)}")


def tensor_pickle(**kwargs):
    """A whole program whose result is one tensor (see :meth:`Pickle.tensor`)."""
    return Pickle().proto().tensor(**kwargs).stop().bytes


def state_dict_pickle(entries, **kwargs):
    """A program for ``{name: tensor}``: ``entries`` maps names to :meth:`Pickle.tensor` kwargs."""
    p = Pickle().proto().empty_dict()
    for name, tkw in entries.items():
        p.str(name).tensor(**{**kwargs, **tkw}).setitem()
    return p.stop().bytes


def zip_checkpoint(pkl, storages=None, prefix="archive", version=b"3\n", byteorder=b"little",
                   extra=None, omit=()):
    """Wrap a pickle program and raw storage records in PyTorch's zip layout; return bytes.

    ``storages`` maps keys to bytes (written as ``<prefix>/data/<key>``); ``extra`` maps other
    record names (relative to ``prefix``) to bytes; names in ``omit`` are left out
    (e.g. ``"data.pkl"`` or ``"version"``).
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        records = {"data.pkl": pkl, ".format_version": b"1", ".storage_alignment": b"64",
                   "byteorder": byteorder}
        for key, data in (storages or {}).items():
            records[f"data/{key}"] = data
        records["version"] = version
        records.update(extra or {})
        for name, data in records.items():
            if name in omit or data is None:
                continue
            z.writestr(zipfile.ZipInfo(f"{prefix}/{name}"), data)
    return buf.getvalue()


def legacy_checkpoint(pkl, storages=None, keys=None, magic=LEGACY_MAGIC,
                      protocol=LEGACY_PROTOCOL, numels=None, itemsize=4):
    """PyTorch's legacy (``_use_new_zipfile_serialization=False``) layout; return bytes.

    ``storages`` maps keys to raw bytes; each is written as an int64 element count (``numels``
    overrides it per key, to make the header lie) followed by the bytes. ``keys`` overrides the
    pickled storage-key list.
    """
    storages = storages or {}
    numels = numels or {}
    out = io.BytesIO()
    pickle.dump(magic, out, protocol=2)
    pickle.dump(protocol, out, protocol=2)
    pickle.dump(LEGACY_SYS_INFO, out, protocol=2)
    out.write(pkl)
    pickle.dump(list(storages) if keys is None else keys, out, protocol=2)
    for key, data in storages.items():
        out.write(struct.pack("<q", numels.get(key, len(data) // itemsize)))
        out.write(data)
    return out.getvalue()


@dataclass
class ZipEntry:
    """One member for :func:`raw_zip`; the ``claimed_*`` and ``crc`` fields make headers lie.

    ``claimed_size`` replaces the uncompressed size in both headers (and the compressed size
    of a stored member; ``claimed_csize`` replaces the compressed size alone) (zip64 extra fields are
    written when it does not fit 32 bits); ``crc`` replaces the CRC-32; ``deflate`` stores the
    data deflate-compressed (method 8) instead of stored (method 0), so a small member may claim
    a large uncompressed size honestly (a zip bomb). ``alias_of`` names an earlier member: this
    one gets no local header or data of its own, only a central-directory entry pointing at that
    member's (overlapping records: N names, one copy of the bytes).
    """

    name: str
    data: bytes
    claimed_size: int = None
    claimed_csize: int = None
    crc: int = None
    deflate: bool = False
    alias_of: str = None


def raw_zip(entries):
    """Write a zip archive by hand from :class:`ZipEntry` members (no padding, no data
    descriptors); return bytes. Python's ``zipfile`` and PyTorch's reader both read it when the
    headers tell the truth."""
    out = bytearray()
    central = bytearray()
    written = {}  # name -> the central-directory fields after the name length
    for e in entries:
        if e.alias_of is not None:
            fields, target_extra = written[e.alias_of]
            name = e.name.encode()
            central += fields[0] + struct.pack("<HH", len(name), len(target_extra)) + fields[1]
            central += name + target_extra
            continue
        if e.deflate:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            payload = c.compress(e.data) + c.flush()
            method = 8
        else:
            payload, method = e.data, 0
        size = len(e.data) if e.claimed_size is None else e.claimed_size
        csize = len(payload) if method == 8 else size
        if e.claimed_size is not None and method == 0:
            csize = e.claimed_size
        if e.claimed_csize is not None:
            csize = e.claimed_csize
        crc = zlib.crc32(e.data) if e.crc is None else e.crc
        name = e.name.encode()
        zip64 = size >= 0xFFFFFFFF or csize >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, size, csize) if zip64 else b""
        s32 = 0xFFFFFFFF if zip64 else size
        c32 = 0xFFFFFFFF if zip64 else csize
        version = 45 if zip64 else 20
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, version, 0, method, 0, 0x21, crc, c32, s32,
                           len(name), len(extra)) + name + extra + payload
        cextra = extra
        if offset >= 0xFFFFFFFF:  # pragma: no cover - the tests write small archives
            raise ValueError("archive too large")
        head = struct.pack("<IHHHHHHIII", 0x02014B50, version, version, 0, method, 0, 0x21, crc,
                           c32, s32)
        tail = struct.pack("<HHHII", 0, 0, 0, 0, offset)
        written[e.name] = ((head, tail), cextra)
        central += head + struct.pack("<HH", len(name), len(cextra)) + tail + name + cextra
    cd_offset = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                       cd_offset, 0)
    return bytes(out)


def archive_entries(pkl, storages=None, prefix="archive", version=b"3\n", byteorder=b"little"):
    """The :class:`ZipEntry` list of a torch-style checkpoint, for :func:`raw_zip`."""
    entries = [ZipEntry(f"{prefix}/data.pkl", pkl), ZipEntry(f"{prefix}/byteorder", byteorder)]
    for key, data in (storages or {}).items():
        entries.append(ZipEntry(f"{prefix}/data/{key}", data))
    entries.append(ZipEntry(f"{prefix}/version", version))
    return entries
