"""Benchmarks of ember.safetensors against the safetensors package on torch tensors.

A 100 MB state dict (25 float32 matrices of 1024x1024) saved and loaded, through a file and
through bytes, and a state dict of 500 small tensors where the header dominates. The files are
written in one temporary directory, removed at exit; after the first save they are in the page
cache, so the load cases time the libraries rather than the disk.
"""

from harness import case, scratch_dir


def _dir() -> str:
    return scratch_dir("st")


def _state_dicts(count, shape):
    import numpy as np
    import torch

    import ember

    rng = np.random.default_rng(0)
    arrays = {f"layers.{i}.weight": rng.standard_normal(shape, dtype=np.float32)
              for i in range(count)}
    return ({k: ember.from_numpy(a) for k, a in arrays.items()},
            {k: torch.from_numpy(a) for k, a in arrays.items()})


def _big():
    return _state_dicts(25, (1024, 1024))  # 100 MB


def _small():
    return _state_dicts(500, (16,))


def _save_file_pair(e, t, tag):
    import safetensors.torch as pst

    import ember.safetensors as est

    pe, pt = f"{_dir()}/{tag}-ember.safetensors", f"{_dir()}/{tag}-torch.safetensors"
    return (lambda: est.save_file(e, pe)), (lambda: pst.save_file(t, pt)), pe, pt


@case("safetensors save_file: 100 MB state dict (25 x 1024x1024 float32)", repeat=5,
      target=1.0, memory_target=1.0)
def save_file_100mb():
    e, t = _big()
    fe, ft, _, _ = _save_file_pair(e, t, "save100")
    return fe, ft


def _load_pair(tag, e, t, touch):
    import safetensors.torch as pst

    import ember.safetensors as est

    se, st, pe, pt = _save_file_pair(e, t, tag)
    se()
    st()

    def ember_load():
        d = est.load_file(pe)
        if touch:  # read every byte with the same NumPy reduction on both sides
            for v in d.values():
                v.numpy().sum()
        return d

    def torch_load():
        d = pst.load_file(pt)
        if touch:  # read every byte with the same NumPy reduction on both sides
            for v in d.values():
                v.numpy().sum()
        return d

    return ember_load, torch_load


@case("safetensors load_file: 100 MB state dict (mapped, not read)", target=1.0)
def load_file_100mb():
    return _load_pair("load100", *_big(), touch=False)


@case("safetensors load_file + read every byte: 100 MB state dict", repeat=5, target=1.5)
def load_file_100mb_touch():
    return _load_pair("touch100", *_big(), touch=True)


@case("safetensors save to bytes: 100 MB state dict", repeat=5, target=1.0,
      memory_target=1.0)
def save_bytes_100mb():
    import safetensors.torch as pst

    import ember.safetensors as est

    e, t = _big()
    return (lambda: est.save(e)), (lambda: pst.save(t))


@case("safetensors load from bytes: 100 MB state dict", repeat=5, target=1.0)
def load_bytes_100mb():
    import safetensors.torch as pst

    import ember.safetensors as est

    e, _ = _big()
    data = est.save(e)
    return (lambda: est.load(data)), (lambda: pst.load(data))


@case("safetensors save_file: 500 tensors of 16 float32", target=1.5)
def save_file_small():
    e, t = _small()
    fe, ft, _, _ = _save_file_pair(e, t, "save-small")
    return fe, ft


@case("safetensors load_file: 500 tensors of 16 float32", target=1.5)
def load_file_small():
    return _load_pair("load-small", *_small(), touch=False)
