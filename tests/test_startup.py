"""Start-up cost: what ``import ember`` and ``ember run`` load, and that the lazy parts resolve.

``import ember`` loads the tensor library only; ``ember.nn``, ``ember.optim``, ``ember.utils``,
``ember.linalg`` and ``ember.safetensors`` are imported on first use (module ``__getattr__``,
PEP 562). Each check runs in a fresh interpreter. No timings are asserted: the tests pin down
which modules are loaded, which is what the time depends on.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SITE = str(Path(np.__file__).resolve().parents[1])  # where NumPy is installed

# Ember's modules that `import ember` must leave for first use.
LAZY_EMBER = [
    "ember.nn",
    "ember.nn.utils",
    "ember.optim",
    "ember.optim.lr_scheduler",
    "ember.utils",
    "ember.utils.data",
    "ember.linalg",
    "ember.safetensors",
]

# Standard-library modules (and numpy.random) that Ember must not add to what NumPy imports.
# Some of them (inspect, typing, re, pickle, ...) come with NumPy itself; the test asks only
# that `import ember` does not bring in one that `import numpy` did not.
HEAVY = [
    "argparse",
    "ast",
    "asyncio",
    "concurrent.futures",
    "csv",
    "dataclasses",
    "decimal",
    "email",
    "fractions",
    "gzip",
    "importlib.metadata",
    "importlib.resources",
    "inspect",
    "json",
    "logging",
    "multiprocessing",
    "numpy.random",
    "pathlib",
    "pickle",
    "queue",
    "random",
    "re",
    "shutil",
    "socket",
    "subprocess",
    "tempfile",
    "textwrap",
    "tokenize",
    "typing",
    "unittest",
    "zipfile",
]


def _fresh(code: str, *, isolated: bool = False, args=()) -> dict:
    """Run ``code`` in a new interpreter with this checkout's Ember; return what it printed
    as JSON.

    ``isolated`` starts Python with ``-S`` (no ``site``, so no ``.pth`` file of this machine
    imports anything first) and puts only the checkout and NumPy's directory on ``sys.path``.
    """
    env = dict(os.environ)
    env.pop("PYTHONSAFEPATH", None)
    if isolated:
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), SITE])
        command = [sys.executable, "-S", "-c", code, *args]
    else:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        command = [sys.executable, "-c", code, *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_ember_leaves_lazy_and_heavy_modules_out():
    code = textwrap.dedent(
        """
        import json, sys
        import numpy
        before = set(sys.modules)
        import ember
        print(json.dumps({"before": sorted(before), "after": sorted(sys.modules)}))
        """
    )
    seen = _fresh(code, isolated=True)
    before, after = set(seen["before"]), set(seen["after"])
    assert "ember._tensor" in after
    assert sorted(m for m in LAZY_EMBER if m in after) == []
    added = after - before
    assert sorted(m for m in HEAVY if m in added) == []


def test_ember_run_loads_only_what_the_program_uses():
    # `ember run` of a program that uses only tensors: no nn, optim, data loading.
    code = textwrap.dedent(
        """
        import json, sys
        from ember.cli import main
        main(["run", "-c", "import torch; torch.manual_seed(0); print(torch.ones(2) + 1)"])
        print(json.dumps(sorted(sys.modules)))
        """
    )
    loaded = set(_fresh(code, isolated=True))
    assert sorted(m for m in LAZY_EMBER if m in loaded) == []
    assert "torch" in loaded  # the alias's entry for the program's `import torch`


def test_lazy_submodules_resolve_every_way():
    code = textwrap.dedent(
        """
        import json, sys
        import ember
        out = {}
        out["listed"] = [n for n in ("nn", "optim", "utils", "linalg", "safetensors")
                         if n in dir(ember)]
        out["optim_attr"] = ember.optim.SGD.__module__
        import ember.optim.lr_scheduler
        out["scheduler"] = ember.optim.lr_scheduler.StepLR.__name__
        from ember import linalg
        out["linalg"] = linalg is sys.modules["ember.linalg"]
        out["utils"] = ember.utils.data.DataLoader.__name__
        out["nn_utils"] = ember.nn.utils.clip_grad_norm_.__name__
        out["nn_has_utils"] = "utils" in dir(ember.nn)
        out["hasattr"] = [hasattr(ember, "nn"), hasattr(ember, "nosuch")]
        try:
            ember.nosuch
        except AttributeError as error:
            out["error"] = str(error)
        try:
            ember.nn.nosuch
        except AttributeError as error:
            out["nn_error"] = str(error)
        print(json.dumps(out))
        """
    )
    out = _fresh(code)
    assert out == {
        "listed": ["nn", "optim", "utils", "linalg", "safetensors"],
        "optim_attr": "ember.optim.sgd",
        "scheduler": "StepLR",
        "linalg": True,
        "utils": "DataLoader",
        "nn_utils": "clip_grad_norm_",
        "nn_has_utils": True,
        "hasattr": [True, False],
        "error": "module 'ember' has no attribute 'nosuch'",
        "nn_error": "module 'ember.nn' has no attribute 'nosuch'",
    }


def test_lazy_submodules_under_the_torch_alias():
    program = textwrap.dedent(
        """
        import json
        import torch
        from torch import optim
        import torch.utils.data
        from torch.nn.utils import clip_grad_norm_
        import torch.linalg as LA
        out = [optim.Adam.__name__, torch.optim.lr_scheduler.StepLR.__name__,
               torch.utils.data.TensorDataset.__name__, clip_grad_norm_.__name__,
               LA.norm(torch.ones(4)).item(), torch.nn.Linear.__module__,
               torch.optim is optim, "optim" in dir(torch)]
        print(json.dumps(out))
        """
    )
    code = "import sys; from ember.cli import main; sys.exit(main(['run', '-c', sys.argv[1]]))"
    out = _fresh(code, args=[program])
    assert out == ["Adam", "StepLR", "TensorDataset", "clip_grad_norm_", 2.0,
                   "ember.nn.modules.linear", True, True]
