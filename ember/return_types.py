"""Named-tuple results of ops that return values and indices, as ``torch.return_types``.

``ember.max(x, dim=1)`` returns a ``return_types.max``: a tuple ``(values, indices)`` whose fields
are also attributes, and whose ``repr`` is PyTorch's::

    torch.return_types.max(
    values=tensor([2., 4.]),
    indices=tensor([1, 1]))
"""

from __future__ import annotations

__all__ = [
    "max",
    "min",
    "median",
    "nanmedian",
    "mode",
    "kthvalue",
    "topk",
    "sort",
    "cummax",
    "cummin",
    "aminmax",
]


class _StructSeq(tuple):
    """Base of the result types: built from a sequence, as PyTorch's structseq types are."""

    __slots__ = ()
    _fields = ("values", "indices")
    n_fields = n_sequence_fields = 2
    n_unnamed_fields = 0

    def __new__(cls, sequence=(), dict=None):  # noqa: A002 - structseq's signature
        seq = tuple(sequence)
        if len(seq) != len(cls._fields):
            raise TypeError(
                f"torch.return_types.{cls.__name__}() takes a {len(cls._fields)}-sequence "
                f"({len(seq)}-sequence given)"
            )
        return tuple.__new__(cls, seq)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _make(name: str, fields=("values", "indices")):
    attrs = {"__slots__": (), "_fields": fields, "__module__": __name__,
             "__qualname__": name}
    for i, f in enumerate(fields):
        attrs[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    return type(name, (_StructSeq,), attrs)


max = _make("max")  # noqa: A001 - PyTorch's names
min = _make("min")  # noqa: A001
median = _make("median")
nanmedian = _make("nanmedian")
mode = _make("mode")
kthvalue = _make("kthvalue")
topk = _make("topk")
sort = _make("sort")
cummax = _make("cummax")
cummin = _make("cummin")
aminmax = _make("aminmax", ("min", "max"))
