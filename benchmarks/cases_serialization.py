"""Benchmarks of ember.save / ember.load against torch.save / torch.load (issue 6).

The same 100 MB state dict (25 float32 matrices of 1024x1024, in an OrderedDict as
``Module.state_dict()`` returns) saved to and loaded from files in one temporary directory,
removed at exit. After the first save the files are in the page cache, so the load cases time
the libraries rather than the disk. ``mmap=True`` maps the file: its time should not grow with
the checkpoint's size.
"""

from harness import case, scratch_dir


def _dir() -> str:
    return scratch_dir("ser")


def _state_dicts():
    from collections import OrderedDict

    import numpy as np
    import torch

    import ember

    rng = np.random.default_rng(0)
    arrays = {f"layers.{i}.weight": rng.standard_normal((1024, 1024), dtype=np.float32)
              for i in range(25)}
    return (OrderedDict((k, ember.from_numpy(a)) for k, a in arrays.items()),
            OrderedDict((k, torch.from_numpy(a)) for k, a in arrays.items()))


def _saved(tag):
    """Paths of the state dict saved by each library (written once, untimed)."""
    import torch

    import ember

    e, t = _state_dicts()
    pe, pt = f"{_dir()}/{tag}-ember.pt", f"{_dir()}/{tag}-torch.pt"
    ember.save(e, pe)
    torch.save(t, pt)
    return pe, pt


@case("save 100 MB state_dict", repeat=7, target=1.0)
def save_100mb():
    import torch

    import ember

    e, t = _state_dicts()
    pe, pt = f"{_dir()}/save-ember.pt", f"{_dir()}/save-torch.pt"
    return (lambda: ember.save(e, pe)), (lambda: torch.save(t, pt))


@case("load 100 MB state_dict", repeat=7, target=1.0)
def load_100mb():
    import torch

    import ember

    pe, pt = _saved("load")
    return (lambda: ember.load(pe)), (lambda: torch.load(pt, weights_only=True))


@case("load 100 MB state_dict, mmap=True", repeat=7, target=1.0)
def load_100mb_mmap():
    import torch

    import ember

    pe, pt = _saved("mmap")
    return (lambda: ember.load(pe, mmap=True)), (lambda: torch.load(pt, weights_only=True,
                                                                    mmap=True))


@case("load 1 MB state_dict, mmap=True (compare with 100 MB: near-constant)", repeat=7)
def load_1mb_mmap():
    from collections import OrderedDict

    import numpy as np
    import torch

    import ember

    rng = np.random.default_rng(0)
    arrays = {f"layers.{i}.weight": rng.standard_normal((100, 100), dtype=np.float32)
              for i in range(25)}
    pe, pt = f"{_dir()}/small-ember.pt", f"{_dir()}/small-torch.pt"
    ember.save(OrderedDict((k, ember.from_numpy(a)) for k, a in arrays.items()), pe)
    torch.save(OrderedDict((k, torch.from_numpy(a)) for k, a in arrays.items()), pt)
    return (lambda: ember.load(pe, mmap=True)), (lambda: torch.load(pt, weights_only=True,
                                                                    mmap=True))
