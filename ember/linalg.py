"""``ember.linalg``: PyTorch's ``torch.linalg`` namespace (norms, solvers, decompositions).

The implementations live with the other linear-algebra ops in ``ember/_functions/linalg.py``.
"""

from __future__ import annotations

from ._functions.linalg import (
    LinAlgError,
    cholesky,
    det,
    eigh,
    eigvalsh,
    inv,
    matmul,
    matrix_norm,
    matrix_power,
    multi_dot,
    qr,
    slogdet,
    solve,
    svd,
    svdvals,
    vecdot,
    vector_norm,
)
from ._functions.linalg import linalg_cross as cross
from ._functions.linalg import linalg_diagonal as diagonal
from ._functions.linalg import linalg_norm as norm

__all__ = [
    "LinAlgError",
    "cholesky",
    "cross",
    "det",
    "diagonal",
    "eigh",
    "eigvalsh",
    "inv",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "multi_dot",
    "norm",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "vecdot",
    "vector_norm",
]
