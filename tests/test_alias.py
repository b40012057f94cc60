"""The ``torch`` import alias (``ember/_alias.py``), in this process.

Other tests import the real PyTorch to compare with it, so every test here runs inside the
``alias`` fixture: it sets the real ``torch`` modules aside, installs the alias, and afterwards
uninstalls it and puts the real modules back, leaving ``sys.modules`` as it found it.
"""

import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import ember
from ember import _alias

REPO = Path(__file__).resolve().parents[1]


def _torch_entries():
    return {
        name: module
        for name, module in sys.modules.items()
        if name == "torch" or name.startswith("torch.")
    }


@pytest.fixture
def alias():
    """Install the alias with no ``torch`` module imported; restore everything afterwards."""
    saved = _torch_entries()
    for name in saved:
        del sys.modules[name]
    was_installed = _alias.installed()
    _alias.install()
    try:
        yield _alias
    finally:
        _alias.uninstall()
        for name in _torch_entries():
            del sys.modules[name]
        sys.modules.update(saved)
        if was_installed:
            _alias.install()


def test_import_torch_is_ember(alias):
    import torch

    assert torch is ember
    assert sys.modules["torch"] is ember


def test_submodules_are_embers_own(alias):
    import torch.autograd
    from torch import autograd

    import ember.autograd

    assert torch.autograd is ember.autograd
    assert autograd is ember.autograd
    assert sys.modules["torch.autograd"] is ember.autograd
    assert importlib.import_module("torch.autograd") is ember.autograd


def test_import_as(alias):
    import torch.autograd as ag

    import ember.autograd

    assert ag is ember.autograd


def test_ember_keeps_its_own_spec(alias):
    import torch.autograd

    assert ember.__spec__.name == "ember"
    assert torch.autograd.__spec__.name == "ember.autograd"
    assert torch.__name__ == "ember"


def test_find_spec_sees_through_the_alias(alias):
    spec = importlib.util.find_spec("torch.autograd")
    assert spec is not None
    assert spec.submodule_search_locations is not None  # a package


def test_missing_submodule_names_it(alias):
    with pytest.raises(ModuleNotFoundError) as info:
        import torch.distributed  # noqa: F401
    assert str(info.value) == (
        "No module named 'torch.distributed' (Ember does not provide torch.distributed)"
    )
    assert info.value.name == "torch.distributed"
    assert "torch.distributed" not in sys.modules


def test_missing_nested_submodule(alias):
    with pytest.raises(ModuleNotFoundError) as info:
        importlib.import_module("torch.autograd.no_such_thing")
    assert info.value.name == "torch.autograd.no_such_thing"
    assert "Ember does not provide torch.autograd.no_such_thing" in str(info.value)


def test_from_import_of_a_missing_name_is_an_import_error(alias):
    with pytest.raises(ImportError, match="cannot import name 'no_such_name'"):
        from torch import no_such_name  # noqa: F401


def test_other_names_are_not_aliased(alias):
    with pytest.raises(ModuleNotFoundError) as info:
        importlib.import_module("torchish_no_such_module")
    assert info.value.name == "torchish_no_such_module"
    assert "Ember" not in str(info.value)


def test_install_is_idempotent(alias):
    alias.install()
    alias.install()
    finders = [finder for finder in sys.meta_path if finder is _alias._FINDER]
    assert len(finders) == 1
    assert sys.meta_path[0] is _alias._FINDER


def test_uninstall_removes_finder_and_torch_names(alias):
    import torch.autograd  # noqa: F401

    alias.uninstall()
    assert not alias.installed()
    assert _torch_entries() == {}
    assert sys.modules["ember"] is ember  # Ember's own modules stay
    assert "ember.autograd" in sys.modules


def test_uninstall_then_torch_is_found_elsewhere(alias):
    import torch  # noqa: F401

    alias.uninstall()
    # Look without importing: executing the real torch twice in one process is not safe.
    spec = importlib.util.find_spec("torch")
    if spec is not None:
        assert "Ember does not provide" not in repr(spec)
        assert spec.origin is None or not spec.origin.startswith(str(REPO / "ember"))


def test_install_imports_only_the_standard_library():
    """Installing must stay cheap: no third-party module, no Ember submodule, no torch."""
    code = (
        "import sys\n"
        "import ember\n"
        "before = set(sys.modules)\n"
        "from ember import _alias\n"
        "_alias.install()\n"
        "new = sorted(set(sys.modules) - before - {'ember._alias'})\n"
        "bad = [n for n in new if n.split('.')[0] not in sys.stdlib_module_names]\n"
        "print(bad, new)\n"
        "raise SystemExit(1 if bad or 'torch' in sys.modules else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
