"""``Generator``: PyTorch's CPU random number generator (mt19937), state for state.

PyTorch's ``CPUGeneratorImpl`` is a 32-bit Mersenne Twister seeded with the low 32 bits of the
seed (``init_genrand``), plus two cached normal samples (Box-Muller makes two at a time). NumPy's
``MT19937`` after ``_legacy_seeding(seed)`` produces exactly the same 32-bit stream, so every
sampler draws its words in bulk from NumPy and stays bit-identical to PyTorch.

The state tensor (``get_state``/``set_state``) has PyTorch's ``CPUGeneratorImplState`` byte layout
(5056 bytes), so states move freely between Ember and PyTorch::

    offset  size  field
    0       8     the_initial_seed (uint64)
    8       4     left (int32): draws left before the next twist, plus one
    12      4     seeded (int32)
    16      8     next (uint64): index of the next word in the state array
    24      4992  state[624] (uint64 each, holding 32-bit words)
    5016    8     normal_x (unused, 0.0)
    5024    8     normal_y: cached double normal sample
    5032    8     normal_rho (unused, 0.0)
    5040    4     normal_is_valid (int32)
    5044    4     padding
    5048    4     next_float_normal_sample (float32)
    5052    1     is_next_float_normal_sample_valid (bool)
    5053    3     padding
"""

from __future__ import annotations

import os

import numpy as np

__all__ = ["Generator", "default_generator"]

_STATE_SIZE = 5056
_N = 624
_DEFAULT_SEED = 67280421310721  # PyTorch's default_rng_seed_val
_U53_BLOCK = 1 << 14  # doubles per block of 53-bit uniforms


def _unpack_seed(seed) -> int:
    """A seed as PyTorch's ``Generator.manual_seed`` reads it: an int in [-2**63, 2**64)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        if hasattr(seed, "__index__") and not isinstance(seed, float):
            seed = seed.__index__()
        else:
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if seed < -(2**63) or seed >= 2**64:
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFF_FFFF_FFFF_FFFF


class Generator:
    """A random number generator with PyTorch's algorithm and state (mt19937, CPU).

    Args:
        device: only ``'cpu'`` is supported.

    >>> g = ember.Generator().manual_seed(42)
    >>> ember.rand(2, generator=g)
    tensor([0.8823, 0.9150])
    """

    def __init__(self, device="cpu"):
        from ._tensor import CPU, _check_device

        if device is not None and str(device) != "cpu":
            _check_device(device)
        self._device = CPU
        self._twister = None  # NumPy's MT19937, made on first use (numpy.random costs import time)
        self._reseed(_DEFAULT_SEED)

    @property
    def _bits(self):
        if self._twister is None:
            self._twister = np.random.MT19937()
            self._twister._legacy_seeding(self._seed & 0xFFFFFFFF)
            self._np_gen = np.random.Generator(self._twister)
        return self._twister

    @property
    def _np(self):
        self._bits  # noqa: B018 - makes the twister
        return self._np_gen

    # ---- seeding -------------------------------------------------------------------------
    def _reseed(self, seed: int) -> None:
        self._seed = seed
        if self._twister is not None:
            self._twister._legacy_seeding(seed & 0xFFFFFFFF)
        self._fresh = True  # PyTorch's freshly seeded engine reports next=0, left=1
        self.next_double_normal = None
        self.next_float_normal = None

    def manual_seed(self, seed) -> Generator:
        """Seed the generator (only the low 32 bits reach the twister); returns ``self``."""
        self._reseed(_unpack_seed(seed))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy and return the seed used."""
        s = int.from_bytes(os.urandom(8), "little")
        self._reseed(s)
        return s

    def initial_seed(self) -> int:
        """The seed last set (all 64 bits of it, as PyTorch reports)."""
        return self._seed

    @property
    def device(self):
        return self._device

    def get_offset(self):
        raise RuntimeError("CPU Generator does not use offset")

    def set_offset(self, offset):
        raise RuntimeError("CPU Generator does not use offset")

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {hex(id(self))}>"

    # ---- state ---------------------------------------------------------------------------
    def get_state(self):
        """The generator's state as a 5056-byte uint8 tensor (PyTorch's layout)."""
        from ._tensor import Tensor

        st = self._bits.state["state"]
        pos = int(st["pos"])
        buf = np.zeros(_STATE_SIZE, np.uint8)
        head = buf[:24].view(np.uint64)
        head[0] = self._seed
        if self._fresh:
            left, nxt = 1, 0
        else:
            left, nxt = _N + 1 - pos, pos
        buf[8:16].view(np.int32)[:] = (left, 1)
        head[2] = nxt
        buf[24:5016].view(np.uint64)[:] = st["key"].astype(np.uint64)
        if self.next_double_normal is not None:
            buf[5024:5032].view(np.float64)[0] = self.next_double_normal
            buf[5040:5044].view(np.int32)[0] = 1
        if self.next_float_normal is not None:
            buf[5048:5052].view(np.float32)[0] = self.next_float_normal
            buf[5052] = 1
        return Tensor._make(buf, False)

    def set_state(self, new_state) -> Generator:
        """Restore a state made by ``get_state`` (Ember's or PyTorch's); returns ``self``."""
        from ._tensor import Tensor

        if not isinstance(new_state, Tensor):
            raise TypeError(
                f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        buf = new_state._data
        if buf.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if buf.size != _STATE_SIZE:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found the input RNG "
                f"state size to be {buf.size}")
        buf = np.ascontiguousarray(buf.reshape(-1))
        seed = int(buf[:8].view(np.uint64)[0])
        left, seeded = (int(v) for v in buf[8:16].view(np.int32))
        nxt = int(buf[16:24].view(np.uint64)[0]) & 0xFFFFFFFF
        if not (seeded != 0 and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        key = (buf[24:5016].view(np.uint64) & 0xFFFFFFFF).astype(np.uint32)
        # PyTorch reads state[next] for the next left-1 draws, then twists; with left == 1
        # it twists at once (NumPy's pos == 624)
        pos = _N if left == 1 else _N + 1 - left
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._seed = seed
        self._fresh = left == 1 and nxt == 0
        valid = int(buf[5040:5044].view(np.int32)[0])
        self.next_double_normal = float(buf[5024:5032].view(np.float64)[0]) if valid else None
        self.next_float_normal = (np.float32(buf[5048:5052].view(np.float32)[0])
                                  if buf[5052] else None)
        return self

    # ---- raw draws (for the samplers) ----------------------------------------------------
    def _u32(self, n: int) -> np.ndarray:
        """``n`` 32-bit words, as PyTorch's ``random()`` returns them, as a uint32 array."""
        if n <= 0:
            return np.empty(0, np.uint32)
        self._fresh = False
        # the inclusive form: with the exclusive bound 2**32 (not a uint32) NumPy takes its
        # broadcasting path, which holds the GIL; this one releases it (same words)
        return self._np.integers(0, 4294967295, size=n, dtype=np.uint32, endpoint=True)

    def _u64(self, n: int) -> np.ndarray:
        """``n`` 64-bit words as PyTorch's ``random64()`` makes them: (first << 32) | second."""
        w = self._u32(2 * n).astype(np.uint64)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def _uniform53(self, n: int) -> np.ndarray:
        """``n`` doubles in [0, 1): the low 53 bits of ``random64()`` times 2**-53."""
        out = np.empty(n, np.float64)
        for a in range(0, n, _U53_BLOCK):  # block by block, in cache
            w = self._u32(2 * min(_U53_BLOCK, n - a)).reshape(-1, 2)
            if np.little_endian:  # a pair of words read as one integer is (second << 32) |
                m = np.empty_like(w)  # first: swap them
                m[:, 0] = w[:, 1]
                m[:, 1] = w[:, 0]
            else:  # pragma: no cover
                m = w
            m = m.view(np.uint64).reshape(-1)
            m &= np.uint64(0x1FFFFFFFFFFFFF)
            o = out[a:a + m.size]
            np.copyto(o, m.view(np.int64), casting="unsafe")
            o *= 2.0**-53
        return out

    def _uniform24(self, n: int) -> np.ndarray:
        """``n`` floats in [0, 1): the low 24 bits of ``random()`` times 2**-24 (float32)."""
        w = self._u32(n)
        w &= 0xFFFFFF
        out = w.view(np.int32).astype(np.float32)
        out *= np.float32(2.0**-24)
        return out


def _check_generator(generator) -> Generator:
    """The generator a sampler uses: ``generator`` or the default one."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(
            f"expected a torch.Generator, but got {type(generator).__name__}")
    return generator


default_generator = Generator()
default_generator.seed()
