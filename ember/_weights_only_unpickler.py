"""The ``weights_only=True`` unpickler: a port of PyTorch's ``torch/_weights_only_unpickler.py``.

It executes pickle opcodes itself (it does not subclass ``pickle.Unpickler``), so nothing can be
imported or called unless it is on the allow-list below: containers, numbers, strings, tensors,
``Parameter``, ``Size``, ``device``, dtypes, storage markers and the tensor rebuild functions,
plus whatever the user adds with :func:`ember.serialization.add_safe_globals`. GLOBAL names are
PyTorch's (``torch._utils._rebuild_tensor_v2``) and resolve to Ember's objects.

Differences from PyTorch, all on hostile input: malformed opcodes (stack underflow, missing memo
entries, truncated data, bad UTF-8) raise ``pickle.UnpicklingError`` instead of
``IndexError``/``KeyError``; ``bytearray(n)`` with an integer, ``_codecs.encode`` with a codec
other than latin-1/utf-8/ascii, and NEWOBJ of ``Tensor``/``device`` are refused, because they
would allocate unbounded memory or import codec modules.
"""

from __future__ import annotations

import _codecs
from collections import Counter, OrderedDict
from pickle import UnpicklingError
from struct import unpack

__all__ = ["Unpickler", "load"]

# modules in this list are never allowed, even if the user attempts to allowlist
# functions/classes from them
_blocklisted_modules = ["sys", "os", "posix", "nt"]

_marked_safe_globals_set: set = set()

# Python 2 names that pickle protocol 2 may carry (torch._utils.IMPORT_MAPPING / NAME_MAPPING)
IMPORT_MAPPING = {
    "__builtin__": "builtins", "copy_reg": "copyreg", "Queue": "queue", "repr": "reprlib",
    "_abcoll": "collections.abc", "UserDict": "collections", "UserList": "collections",
    "UserString": "collections", "whichdb": "dbm", "StringIO": "io", "cStringIO": "io",
}
NAME_MAPPING = {
    ("__builtin__", "xrange"): ("builtins", "range"),
    ("__builtin__", "reduce"): ("functools", "reduce"),
    ("__builtin__", "intern"): ("sys", "intern"),
    ("__builtin__", "unichr"): ("builtins", "chr"),
    ("__builtin__", "unicode"): ("builtins", "str"),
    ("__builtin__", "long"): ("builtins", "int"),
    ("itertools", "izip"): ("builtins", "zip"),
    ("itertools", "imap"): ("builtins", "map"),
    ("itertools", "ifilter"): ("builtins", "filter"),
    ("itertools", "ifilterfalse"): ("itertools", "filterfalse"),
    ("itertools", "izip_longest"): ("itertools", "zip_longest"),
    ("UserDict", "IterableUserDict"): ("collections", "UserDict"),
    ("UserList", "UserList"): ("collections", "UserList"),
    ("UserString", "UserString"): ("collections", "UserString"),
    ("__builtin__", "basestring"): ("builtins", "str"),
    ("exceptions", "StandardError"): ("builtins", "Exception"),
    ("UserDict", "UserDict"): ("collections", "UserDict"),
}


def _add_safe_globals(safe_globals) -> None:
    global _marked_safe_globals_set
    _marked_safe_globals_set = _marked_safe_globals_set.union(set(safe_globals))


def _get_safe_globals() -> list:
    return list(_marked_safe_globals_set)


def _clear_safe_globals() -> None:
    global _marked_safe_globals_set
    _marked_safe_globals_set = set()


def _remove_safe_globals(globals_to_remove) -> None:
    global _marked_safe_globals_set
    _marked_safe_globals_set = _marked_safe_globals_set - set(globals_to_remove)


class _safe_globals:
    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        _add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):  # noqa: A002
        _remove_safe_globals(self.safe_globals)


def _get_user_allowed_globals() -> dict:
    rc: dict = {}
    for f in _marked_safe_globals_set:
        if isinstance(f, tuple):
            if len(f) != 2:
                raise ValueError(
                    "Expected tuple of length 2 (global, str of callable full path), but got "
                    f"tuple of length: {len(f)}"
                )
            if type(f[1]) is not str:
                raise TypeError(
                    "Expected second item in tuple to be str of callable full path, but got: "
                    f"{type(f[1])}"
                )
            f, name = f
            rc[name] = f
        else:
            rc[f"{f.__module__}.{f.__qualname__}"] = f
    return rc


class _Placeholder:
    """An allowed PyTorch global that Ember has no equivalent for (bfloat16, quantized schemes,
    legacy tensor types). It can be unpickled as a value; calling it raises a clear error."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"Ember cannot load {self.name}: it has no equivalent in Ember")


_BRIEF_ITEMS = 6  # container items shown by _brief
_BRIEF_TEXT = 60  # characters of a str/bytes shown by _brief


def _brief(obj, level: int = 2) -> str:
    """A bounded ``repr`` of an unpickled value for error messages.

    A checkpoint can make values whose ``repr`` is huge (a tuple DAG shared through the memo:
    2**d leaves in 5*d bytes) or recursion-deep (50 000 nested tuples), so messages show at most
    ``level`` levels of containers, a few items per level and the start of long strings;
    objects of other types are shown by their type name. Short ordinary values print as
    ``repr`` does.
    """
    t = type(obj)
    if obj is None or t is bool or t is float or t is complex:
        return repr(obj)
    if t is int:
        return repr(obj) if obj.bit_length() <= 256 else f"<int of {obj.bit_length()} bits>"
    if t is str or t is bytes or t is bytearray:
        if len(obj) <= _BRIEF_TEXT:
            return repr(obj)
        return f"{obj[:_BRIEF_TEXT]!r}... ({len(obj)} characters)"
    if isinstance(obj, (tuple, list, dict, set, frozenset)):
        if isinstance(obj, dict):
            base, items = dict, obj.items()
        else:
            base = next(b for b in (tuple, list, set, frozenset) if isinstance(obj, b))
            items = obj
        if level <= 0:
            body = "..." if len(obj) else ""
        else:
            parts = []
            for i, item in enumerate(items):
                if i == _BRIEF_ITEMS:
                    parts.append(f"... ({len(obj)} items)")
                    break
                if base is dict:
                    parts.append(f"{_brief(item[0], level - 1)}: {_brief(item[1], level - 1)}")
                else:
                    parts.append(_brief(item, level - 1))
            body = ", ".join(parts)
        if base is tuple:
            text = f"({body},)" if len(obj) == 1 and level > 0 else f"({body})"
        elif base is list:
            text = f"[{body}]"
        elif base is dict:
            text = f"{{{body}}}"
        else:
            text = f"{{{body}}}" if len(obj) else ""
            if base is frozenset or not len(obj):
                text = f"{base.__name__}({text})"
        if t is base:
            return text
        from ._tensor import Size

        if t is Size and level > 0:
            return f"torch.Size([{body}])"
        return f"{t.__name__}({text})"
    from . import _dtype
    from ._tensor import device
    from .serialization import StorageType

    if isinstance(obj, (type, _Placeholder, _dtype.dtype, device, StorageType)) or (
        callable(obj) and hasattr(obj, "__qualname__")
    ):
        return repr(obj)[:200]
    return f"<{t.__name__} object>"


def _brief_error(e: BaseException) -> str:
    """``type: message`` of an exception, the message cut to a few hundred characters."""
    msg = str(e)
    if len(msg) > 300:
        msg = msg[:300] + f"... ({len(msg)} characters)"
    return f"{type(e).__name__}: {msg}"


def _safe_bytearray(*args):
    """``builtins.bytearray`` without ``bytearray(n)``, which would allocate n bytes."""
    if args and not isinstance(args[0], (bytes, bytearray, str, list, tuple)):
        raise UnpicklingError(
            f"bytearray() may only be rebuilt from bytes, str or a list, not {type(args[0])}"
        )
    return bytearray(*args)


def _safe_encode(obj, encoding="utf-8", errors="strict"):
    """``_codecs.encode`` restricted to the text codecs pickle uses for ``bytes``."""
    if not isinstance(obj, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8", "ascii"):
        raise UnpicklingError(
            f"_codecs.encode is only allowed on str with latin1, not {_brief(encoding)}"
        )
    return _codecs.encode(obj, encoding, errors)


_ALLOWED = None
_ALLOWED_IDS = None
_NEWOBJ_OK = None
_ARG_CHECKS: dict = {}  # id(allowed callable) -> args -> bool, checked before calling it


def _get_allowed_globals() -> dict:
    """PyTorch 2.13's default allow-list, mapped to Ember objects (built once, on first use)."""
    global _ALLOWED, _ALLOWED_IDS, _NEWOBJ_OK
    if _ALLOWED is not None:
        return _ALLOWED
    from . import _dtype
    from ._tensor import Size, Tensor, device
    from .nn.parameter import Parameter
    from .serialization import _STORAGE_NAMES, StorageType, _get_layout, _rebuild_functions

    rc: dict = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.serialization._get_layout": _get_layout,
        "torch.Size": Size,
        "torch.Tensor": Tensor,
        "torch.device": device,
        "_codecs.encode": _safe_encode,
        "builtins.bytearray": _safe_bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
    }
    dtype_names = (
        "bool uint8 int8 int16 int32 int64 float16 float32 float64 bfloat16 complex32 complex64 "
        "complex128 qint8 quint8 qint32 quint4x2 quint2x4 bits1x8 bits2x4 bits4x2 bits8 bits16 "
        "float8_e5m2 float8_e4m3fn float8_e5m2fnuz float8_e4m3fnuz float8_e8m0fnu "
        "float4_e2m1fn_x2 uint16 uint32 uint64 uint1 uint2 uint3 uint4 uint5 uint6 uint7 int1 "
        "int2 int3 int4 int5 int6 int7"
    ).split()
    for name in dtype_names:
        d = getattr(_dtype, name, None)
        rc["torch." + name] = d if isinstance(d, _dtype.dtype) else _Placeholder("torch." + name)
    for prefix in ("torch.", "torch.cuda."):
        for name in _STORAGE_NAMES:
            rc[prefix + name] = StorageType(name)
    rc["torch.storage.TypedStorage"] = StorageType("TypedStorage")
    rc["torch.storage.UntypedStorage"] = StorageType("UntypedStorage")
    legacy = "Double Float Half BFloat16 Long Int Short Char Byte Bool".split()
    for prefix in ("torch.", "torch.cuda."):
        for k in legacy:
            rc[f"{prefix}{k}Tensor"] = _Placeholder(f"{prefix}{k}Tensor")
    for prefix in ("torch.sparse.", "torch.cuda.sparse."):
        for k in legacy[:8]:
            rc[f"{prefix}{k}Tensor"] = _Placeholder(f"{prefix}{k}Tensor")
    for q in ("per_tensor_affine", "per_tensor_symmetric", "per_channel_affine",
              "per_channel_symmetric", "per_channel_affine_float_qparams"):
        rc["torch." + q] = _Placeholder("torch." + q)
    for name, fn in _rebuild_functions().items():
        rc[name] = fn
    _ALLOWED = rc
    _ALLOWED_IDS = {id(v) for v in rc.values()}
    _NEWOBJ_OK = {id(c) for c in (OrderedDict, Counter, set, complex, Size)}

    def device_args(a):
        return 1 <= len(a) <= 2 and (
            type(a[0]) is str and len(a[0]) <= 100 or type(a[0]) is int
            or type(a[0]) is device
        ) and (len(a) == 1 or a[1] is None or type(a[1]) is int)

    _ARG_CHECKS[id(device)] = device_args
    _ARG_CHECKS[id(_get_layout)] = lambda a: (
        len(a) == 1 and type(a[0]) is str and len(a[0]) <= 100
    )
    return rc


# longest GLOBAL module / name accepted: real qualified names are far shorter, and a long one
# only makes the error message (and PyTorch's regexes over it) big
_MAX_GLOBAL_NAME = 1000


def _read_global_instruction(readline) -> tuple[str, str]:
    parts = []
    for what in ("module", "name"):
        line = readline()
        if len(line) > _MAX_GLOBAL_NAME + 1:
            raise UnpicklingError(
                f"GLOBAL {what} too long: {len(line) - 1} characters (at most "
                f"{_MAX_GLOBAL_NAME}), starting {_brief(line[:40])}"
            )
        parts.append(line[:-1].decode("utf-8"))
    module, name = parts
    if (module, name) in NAME_MAPPING:
        module, name = NAME_MAPPING[(module, name)]
    elif module in IMPORT_MAPPING:
        module = IMPORT_MAPPING[module]
    return module, name


def _unsupported_global(full_path: str) -> UnpicklingError:
    builtins_name = "builtins"
    if full_path.startswith(builtins_name):
        full_path = full_path[len(builtins_name):]
        full_path = (
            full_path[1:]
            if len(full_path) > 0 and full_path[0] == "."
            else builtins_name + full_path
        )
    return UnpicklingError(
        f"Unsupported global: GLOBAL {full_path} was not an allowed global by default. "
        f"Please use `torch.serialization.add_safe_globals([{full_path}])` or the "
        f"`torch.serialization.safe_globals([{full_path}])` context manager to allowlist this "
        "global if you trust this class/function."
    )


# dict keys / set elements: total tuple elements hashed per load, and tuple nesting depth
_HASH_BUDGET = 5 * 10**7  # about 0.5 s of hashing at worst
_MAX_KEY_DEPTH = 1000
_HASHING_IDS = frozenset(id(c) for c in (set, Counter, OrderedDict))  # hash their argument


# opcodes (pickle protocol 2 and the few of protocol 0/1 PyTorch accepts)
_MARK, _STOP, _BINPERSID, _REDUCE, _BUILD, _GLOBAL, _NEWOBJ = 40, 46, 81, 82, 98, 99, 129
_APPEND, _APPENDS, _SETITEM, _SETITEMS, _TUPLE = 97, 101, 115, 117, 116
_TUPLE1, _TUPLE2, _TUPLE3, _NONE, _NEWFALSE, _NEWTRUE = 133, 134, 135, 78, 137, 136
_EMPTY_TUPLE, _EMPTY_LIST, _EMPTY_DICT, _EMPTY_SET = 41, 93, 125, 143
_BININT, _BININT1, _BININT2, _BINFLOAT, _LONG1 = 74, 75, 77, 71, 138
_BINUNICODE, _SHORT_BINSTRING, _BINGET, _LONG_BINGET = 88, 85, 104, 106
_BINPUT, _LONG_BINPUT, _PROTO = 113, 114, 128


class Unpickler:
    """Unpickle PyTorch checkpoints' ``data.pkl`` with an allow-list of globals.

    Args:
        file: an object with ``read(n)`` and ``readline()`` (a ``BytesIO`` of the pickle).
        encoding: how SHORT_BINSTRING (Python 2 ``str``) is decoded; ``"bytes"`` keeps bytes.
    """

    def __init__(self, file, *, encoding: str = "bytes"):
        self.encoding = encoding
        self.readline = file.readline
        self.read = file.read
        self.memo: dict = {}
        self.proto: int = -1
        self._tuple_costs: dict = {}  # id(tuple) -> (tuple, leaves, depth), see _charge_hash
        self._hash_spent = 0

    def _read_exact(self, n: int) -> bytes:
        data = self.read(n)
        if len(data) != n:
            raise UnpicklingError("pickle data was truncated")
        return data

    def load(self):
        """Read a pickled object representation from the open file and return it."""
        try:
            return self._load()
        except UnpicklingError:
            raise
        except (IndexError, KeyError, EOFError, UnicodeDecodeError) as e:
            what = {IndexError: "unpickling stack underflow", KeyError: "memo key not found",
                    EOFError: "pickle data was truncated"}.get(type(e), "invalid string data")
            raise UnpicklingError(f"{what} ({type(e).__name__}: {e})") from None

    def _load(self):
        allowed = _get_allowed_globals()
        self.metastack: list = []
        self.stack: list = []
        self.append = self.stack.append
        read = self._read_exact
        while True:
            key = self.read(1)
            if not key:
                raise EOFError
            op = key[0]
            # Risky operators
            if op == _GLOBAL:
                module, name = _read_global_instruction(self.readline)
                full_path = f"{module}.{name}"
                if module in _blocklisted_modules:
                    raise UnpicklingError(
                        f"Trying to load unsupported GLOBAL {full_path} whose module {module} is "
                        "blocked."
                    )
                if full_path in allowed:
                    self.append(allowed[full_path])
                else:
                    user = _get_user_allowed_globals()
                    if full_path in user:
                        self.append(user[full_path])
                    else:
                        raise _unsupported_global(full_path)
            elif op == _NEWOBJ:
                args = self.stack.pop()
                cls = self.stack.pop()
                if type(args) is not tuple:
                    raise UnpicklingError(f"NEWOBJ expected an argument tuple, got {type(args)}")
                from .nn.parameter import Parameter

                if cls is Parameter:
                    self.append(self._call(Parameter, args))
                elif id(cls) in _NEWOBJ_OK or (
                    isinstance(cls, type) and cls in _get_user_allowed_globals().values()
                ):
                    self.append(self._call(cls.__new__, (cls, *args)))
                else:
                    raise UnpicklingError(
                        "Can only create new object for nn.Parameter or classes allowlisted "
                        f"via `add_safe_globals` but got {_brief(cls)}"
                    )
            elif op == _REDUCE:
                args = self.stack.pop()
                func = self.stack[-1]
                if id(func) not in _ALLOWED_IDS and (
                    func not in _get_user_allowed_globals().values()
                ):
                    error_msg = (
                        f"Trying to call reduce for unrecognized function {_brief(func)}"
                    )
                    if hasattr(func, "__self__"):
                        error_msg += f" which belongs to {_brief(func.__self__)}"
                    raise UnpicklingError(error_msg)
                if type(args) is not tuple:
                    raise UnpicklingError(f"REDUCE expected an argument tuple, got {type(args)}")
                self.stack[-1] = self._call(func, args)
            elif op == _BUILD:
                state = self.stack.pop()
                inst = self.stack[-1]
                self._build(inst, state)
            # Stack manipulation
            elif op == _APPEND:
                item = self.stack.pop()
                list_obj = self.stack[-1]
                if type(list_obj) is not list:
                    raise UnpicklingError(f"Can only append to lists, but got {type(list_obj)}")
                list_obj.append(item)
            elif op == _APPENDS:
                items = self.pop_mark()
                list_obj = self.stack[-1]
                if type(list_obj) is not list:
                    raise UnpicklingError(f"Can only extend lists, but got {type(list_obj)}")
                list_obj.extend(items)
            elif op == _SETITEM:
                (v, k) = (self.stack.pop(), self.stack.pop())
                self._check_set_item_target("SETITEM")
                self._setitem(self.stack[-1], k, v)
            elif op == _SETITEMS:
                items = self.pop_mark()
                self._check_set_item_target("SETITEMS")
                if len(items) % 2:
                    raise UnpicklingError("SETITEMS got an odd number of items")
                target = self.stack[-1]
                for i in range(0, len(items), 2):
                    self._setitem(target, items[i], items[i + 1])
            elif op == _MARK:
                self.metastack.append(self.stack)
                self.stack = []
                self.append = self.stack.append
            elif op == _TUPLE:
                items = self.pop_mark()
                self.append(tuple(items))
            elif op == _TUPLE1:
                self.stack[-1] = (self.stack[-1],)
            elif op == _TUPLE2:
                if len(self.stack) < 2:
                    raise IndexError("TUPLE2")
                self.stack[-2:] = [(self.stack[-2], self.stack[-1])]
            elif op == _TUPLE3:
                if len(self.stack) < 3:
                    raise IndexError("TUPLE3")
                self.stack[-3:] = [(self.stack[-3], self.stack[-2], self.stack[-1])]
            # Basic types construction
            elif op == _NONE:
                self.append(None)
            elif op == _NEWFALSE:
                self.append(False)
            elif op == _NEWTRUE:
                self.append(True)
            elif op == _EMPTY_TUPLE:
                self.append(())
            elif op == _EMPTY_LIST:
                self.append([])
            elif op == _EMPTY_DICT:
                self.append({})
            elif op == _EMPTY_SET:
                self.append(set())
            elif op == _BININT:
                self.append(unpack("<i", read(4))[0])
            elif op == _BININT1:
                self.append(read(1)[0])
            elif op == _BININT2:
                self.append(unpack("<H", read(2))[0])
            elif op == _BINFLOAT:
                self.append(unpack(">d", read(8))[0])
            elif op == _BINUNICODE:
                strlen = unpack("<I", read(4))[0]
                self.append(str(read(strlen), "utf-8", "surrogatepass"))
            elif op == _SHORT_BINSTRING:
                strlen = read(1)[0]
                strdata = read(strlen)
                if self.encoding != "bytes":
                    strdata = strdata.decode(self.encoding, "strict")
                self.append(strdata)
            elif op == _BINPERSID:
                pid = self.stack.pop()
                # Only allow persistent load of storage
                if type(pid) is not tuple and type(pid) is not int:
                    raise UnpicklingError(
                        f"persistent_load id must be tuple or int, but got {type(pid)}"
                    )
                if type(pid) is tuple and len(pid) > 0 and _decode_ascii(pid[0]) != "storage":
                    raise UnpicklingError(
                        f"Only persistent_load of storage is allowed, but got {type(pid[0])}"
                    )
                self.append(self.persistent_load(pid))
            elif op == _BINGET or op == _LONG_BINGET:
                idx = (read(1) if op == _BINGET else unpack("<I", read(4)))[0]
                if idx not in self.memo:
                    raise UnpicklingError(f"Memo value not found at index {idx}")
                self.append(self.memo[idx])
            elif op == _BINPUT or op == _LONG_BINPUT:
                i = (read(1) if op == _BINPUT else unpack("<I", read(4)))[0]
                self.memo[i] = self.stack[-1]
            elif op == _LONG1:
                n = read(1)[0]
                self.append(int.from_bytes(read(n), "little", signed=True))
            # First and last deserializer ops
            elif op == _PROTO:
                self.proto = read(1)[0]
                if self.proto != 2:
                    import warnings

                    warnings.warn(
                        f"Detected pickle protocol {self.proto} in the checkpoint, which was "
                        "not the default pickle protocol used by `torch.load` (2). The "
                        "weights_only Unpickler might not support all instructions implemented "
                        "by this protocol, please file an issue for adding support if you "
                        "encounter this.",
                        stacklevel=2,
                    )
            elif op == _STOP:
                rc = self.stack.pop()
                return rc
            else:
                raise UnpicklingError(f"Unsupported operand {op}")

    def _call(self, func, args):
        """Call an allowed global; argument errors become UnpicklingError."""
        from ._tensor import Tensor

        if func is Tensor:
            raise UnpicklingError("Calling torch.Tensor(...) is not allowed while unpickling")
        if id(func) in _HASHING_IDS and args and isinstance(args[0], (list, tuple, dict, set)):
            is_od = func is OrderedDict and not isinstance(args[0], dict)
            for item in args[0]:
                if is_od and isinstance(item, (tuple, list)) and item:
                    item = item[0]  # (key, value) pairs: the key is hashed
                self._charge_hash(item)
        check = _ARG_CHECKS.get(id(func)) if id(func) in _ALLOWED_IDS else None
        if check is not None and not check(args):
            # the callee would put repr(args) in its message: for a memo-shared tuple DAG that
            # is exponential in the pickle's size
            raise UnpicklingError(
                f"Calling {_brief(func)} while unpickling failed: invalid arguments of types "
                f"({', '.join(type(a).__name__ for a in args)})"
            )
        try:
            return func(*args)
        except (RuntimeError, UnpicklingError):
            raise
        except Exception as e:  # TypeError, ValueError, LookupError... from bad arguments
            raise UnpicklingError(
                f"Calling {_brief(func)} while unpickling failed: {_brief_error(e)}"
            ) from None

    def _build(self, inst, state) -> None:
        from ._tensor import Tensor
        from .nn.parameter import Parameter

        t = type(inst)
        if t is Tensor:
            # PyTorch calls ``inst.set_(*state)`` here (the pre-1.0 Tensor pickle format) and sets
            # no attributes; Ember has no storage-based set_, and attribute state would shadow
            # Tensor methods
            raise UnpicklingError(
                "BUILD on a torch.Tensor (the legacy set_(storage, offset, size, stride) state) "
                f"is not supported, got state of {type(state)}"
            )
        if t is Parameter:
            if not isinstance(state, dict) and not (
                isinstance(state, tuple) and len(state) == 2
            ):
                raise UnpicklingError(f"Cannot BUILD a {t.__name__} from state of {type(state)}")
            _set_obj_state(inst, state, shadow_public=False)
        elif t is OrderedDict:
            if type(state) is not dict:
                raise UnpicklingError(f"Cannot BUILD an OrderedDict from {type(state)}")
            inst.__dict__.update(state)
        elif t in _get_user_allowed_globals().values():
            try:
                if hasattr(inst, "__setstate__"):
                    inst.__setstate__(state)
                else:
                    slotstate = None
                    if isinstance(state, tuple) and len(state) == 2:
                        state, slotstate = state
                    if state:
                        inst.__dict__.update(state)
                    if slotstate:
                        for k, v in slotstate.items():
                            setattr(inst, k, v)
            except (RuntimeError, UnpicklingError):
                raise
            except Exception as e:
                raise UnpicklingError(f"BUILD of {t.__name__} failed: {_brief_error(e)}") from None
        else:
            # PyTorch also lets BUILD reach the other default-allowed types (set, Size, device,
            # Counter...); none of them is built from state by pickle, so Ember refuses them.
            raise UnpicklingError(
                "Can only build Tensor, Parameter, OrderedDict or types allowlisted "
                f"via `add_safe_globals`, but got {type(inst)}"
            )

    def _tuple_cost(self, obj) -> tuple[int, int]:
        """(leaves, depth) of the tuple tree ``hash(obj)`` walks: Python hashes tuples
        recursively and caches nothing, so a memo-shared DAG of depth d costs 2**d steps and a
        deeply nested one overflows the C stack. Walked iteratively, each distinct tuple once
        (the cache holds the tuples, so their ids stay valid)."""
        costs = self._tuple_costs
        todo = [(obj, 1)]
        while todo:
            o, level = todo[-1]
            if id(o) in costs:
                todo.pop()
                continue
            if level > _MAX_KEY_DEPTH:  # stop walking: too deep already
                return 1, level
            pending = [(x, level + 1) for x in o if isinstance(x, tuple) and id(x) not in costs]
            if pending:
                todo.extend(pending)
                continue
            leaves, depth = 1, 0
            for x in o:
                if isinstance(x, tuple):
                    _, n, d = costs[id(x)]
                    leaves += n
                    depth = max(depth, d)
                else:
                    leaves += 1
            costs[id(o)] = (o, min(leaves, _HASH_BUDGET + 1), depth + 1)
            todo.pop()
        _, leaves, depth = costs[id(obj)]
        return leaves, depth

    def _charge_hash(self, key) -> None:
        """Refuse a dict key or set element whose hash would take too long or crash."""
        if not isinstance(key, tuple):
            return
        leaves, depth = self._tuple_cost(key)
        self._hash_spent += leaves
        if depth > _MAX_KEY_DEPTH:
            raise UnpicklingError(
                "refusing a dict key or set element made of tuples nested more than "
                f"{_MAX_KEY_DEPTH} levels deep"
            )
        if self._hash_spent > _HASH_BUDGET:
            raise UnpicklingError(
                "refusing dict keys or set elements made of tuples with more than "
                f"{_HASH_BUDGET} elements in all (counting shared parts each time they occur): "
                "hashing them would take too long"
            )

    def _setitem(self, target, k, v) -> None:
        self._charge_hash(k)
        try:
            target[k] = v
        except TypeError as e:  # an unhashable key
            raise UnpicklingError(f"invalid dict key while unpickling: {e}") from None

    # Return a list of items pushed in the stack after last MARK instruction.
    def pop_mark(self):
        items = self.stack
        self.stack = self.metastack.pop()
        self.append = self.stack.append
        return items

    def _check_set_item_target(self, opcode: str) -> None:
        if type(self.stack[-1]) not in (dict, OrderedDict, Counter):
            raise UnpicklingError(
                f"Can only {opcode} for dict, collections.OrderedDict, "
                f"collections.Counter, but got {type(self.stack[-1])}"
            )

    def persistent_load(self, pid):
        raise UnpicklingError("unsupported persistent id encountered")


def _decode_ascii(s):
    if isinstance(s, bytes):
        try:
            return s.decode("ascii")
        except UnicodeDecodeError:
            raise UnpicklingError("persistent id tag is not ASCII") from None
    return s


# Ember's own tensor state: a checkpoint may not overwrite it through attribute state
_PROTECTED = frozenset(
    ("_data", "_requires_grad", "_grad_fn", "_vc", "_grad", "_output_nr", "_base", "_grad_acc",
     "_backward_hooks", "_post_acc_hooks", "_retains_grad", "data", "grad", "requires_grad",
     "grad_fn", "shape", "dtype", "device")
)


def _set_obj_state(obj, state, *, shadow_public: bool = True) -> None:
    """``torch._utils._set_obj_state``: restore Python attributes (dict state, slot state).

    Names of the class's private methods and attributes are refused; public ones (``size``)
    may be shadowed as in PyTorch unless ``shadow_public`` is False (BUILD on a Parameter, where
    PyTorch's ``__setstate__`` sets no attributes)."""
    if isinstance(state, tuple):
        if not len(state) == 2:
            raise UnpicklingError(f"Invalid serialized state: {_brief(state)}")
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    if dict_state:
        if not isinstance(dict_state, dict):
            raise UnpicklingError(f"Invalid serialized state: {type(dict_state)}")
        for k, v in dict_state.items():
            # (a private name of the class is one of Ember's own methods or attributes, which
            # PyTorch keeps in C++ where no attribute can replace them)
            if not isinstance(k, str) or k in _PROTECTED or k.startswith("__") or (
                (k.startswith("_") or not shadow_public) and hasattr(type(obj), k)
            ):
                raise UnpicklingError(f"Refusing to set attribute {_brief(k)} while unpickling")
            setattr(obj, k, v)
    if slots_state:
        if not isinstance(slots_state, dict):
            raise UnpicklingError(f"Invalid serialized state: {type(slots_state)}")
        for k, v in slots_state.items():
            if not isinstance(k, str) or k.startswith("_") or (
                not shadow_public and hasattr(type(obj), k)
            ):
                raise UnpicklingError(f"Refusing to set slot {_brief(k)} while unpickling")
            setattr(obj, k, v)


def load(file, *, encoding: str = "ASCII"):
    """Unpickle one object from ``file`` with the allow-list (no persistent ids)."""
    return Unpickler(file, encoding=encoding).load()
