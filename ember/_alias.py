"""The ``torch`` import alias: make ``import torch`` give Ember.

Once :func:`install` has run, ``import torch`` and every ``import torch.a.b`` or ``from torch.a
import b`` resolve to Ember's module of the same path (``torch`` -> ``ember``,
``torch.nn.functional`` -> ``ember.nn.functional``). They are the very same module objects, so
``torch is ember`` holds and a class defined once is one class under both names.

A submodule that Ember does not have raises ``ModuleNotFoundError`` naming it::

    ModuleNotFoundError: No module named 'torch.distributed' (Ember does not provide
    torch.distributed)

``ember run`` installs the alias before it runs a script; a program that prefers to say so itself
can write ``import ember as torch`` instead, which needs no alias at all.

>>> from ember import _alias
>>> _alias.install()
>>> import torch, ember
>>> torch is ember
True
>>> _alias.uninstall()

Installing costs next to nothing: this module imports only ``sys`` and ``importlib.machinery``
(which Python has mostly loaded already), and Ember itself is imported only when ``torch`` is.
"""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec

ModuleType = type(sys)  # the same as types.ModuleType, without importing types

__all__ = ["install", "uninstall", "installed", "ALIAS", "TARGET"]

ALIAS = "torch"
"""The name user programs import."""

TARGET = "ember"
"""The package the alias resolves to."""


def _target_name(fullname: str) -> str | None:
    """``'torch.nn'`` -> ``'ember.nn'``; ``None`` for a name outside the alias."""
    if fullname == ALIAS:
        return TARGET
    if fullname.startswith(ALIAS + "."):
        return TARGET + fullname[len(ALIAS) :]
    return None


def _missing(fullname: str) -> ModuleNotFoundError:
    """The error for a ``torch`` submodule that Ember lacks, in Python's words plus a hint."""
    return ModuleNotFoundError(
        f"No module named {fullname!r} (Ember does not provide {fullname})", name=fullname
    )


class _AliasLoader:
    """Hands the import system the already-imported Ember module instead of a new one.

    ``importlib`` overwrites ``__spec__`` on whatever ``create_module`` returns; ``exec_module``
    puts Ember's own spec back, so ``ember.nn.__spec__.name`` stays ``'ember.nn'`` and Ember's
    relative imports and ``importlib.reload`` keep working.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self._spec: ModuleSpec | None = None

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        """Import the Ember module (if not yet) and return it as the ``torch`` module."""
        module = sys.modules.get(self.target)
        if module is None:
            __import__(self.target)
            module = sys.modules[self.target]
        self._spec = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: Ember's module is already executed. Restore its own ``__spec__``."""
        if self._spec is not None:
            module.__spec__ = self._spec


class _AliasFinder:
    """A ``sys.meta_path`` finder for ``torch`` and ``torch.*``, placed before the path finder."""

    def find_spec(self, fullname: str, path=None, target=None) -> ModuleSpec | None:
        """Return a spec that loads Ember's module for ``fullname``, or raise if Ember lacks it."""
        ember_name = _target_name(fullname)
        if ember_name is None:
            return None
        ember_spec = self._target_spec(ember_name)
        if ember_spec is None:
            if ember_name == TARGET:
                return None  # Ember itself is not importable: let Python say "No module named"
            raise _missing(fullname)
        spec = ModuleSpec(fullname, _AliasLoader(ember_name), origin=ember_spec.origin)
        if ember_spec.submodule_search_locations is not None:
            # A package: `import torch.x.y` and pkgutil need to know that torch.x has submodules.
            spec.submodule_search_locations = list(ember_spec.submodule_search_locations)
        return spec

    def _target_spec(self, ember_name: str) -> ModuleSpec | None:
        """Ember's spec for ``ember_name`` if it can be imported, found without importing it.

        For a submodule the parent is imported already (``torch.nn`` is imported before
        ``torch.nn.functional`` is looked for, and it is ``ember.nn``). A module counts when it
        is in ``sys.modules``, when its parent holds it as an attribute (a module object built at
        run time, whose ``__name__`` must be ``ember_name``), or when another finder on
        ``sys.meta_path`` can find it.
        """
        module = sys.modules.get(ember_name)
        parent_name, _, child = ember_name.rpartition(".")
        search_path = None
        if module is None and parent_name:
            parent = sys.modules.get(parent_name)
            if parent is None:
                return None
            attribute = getattr(parent, child, None)
            if isinstance(attribute, ModuleType) and attribute.__name__ == ember_name:
                # Register it so that the loader (and later imports) find it by name.
                module = sys.modules[ember_name] = attribute
            else:
                search_path = getattr(parent, "__path__", None)
                if search_path is None:
                    return None  # the parent is a plain module: it has no submodules
        if module is not None:
            spec = getattr(module, "__spec__", None)
            if spec is None:  # built at run time without a spec: make one that says so
                spec = ModuleSpec(ember_name, None, is_package=hasattr(module, "__path__"))
                if spec.submodule_search_locations is not None:
                    spec.submodule_search_locations = list(module.__path__)
            return spec
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(ember_name, search_path)
            if spec is not None:
                return spec
        return None

    def __repr__(self) -> str:
        return f"<ember alias finder: {ALIAS} -> {TARGET}>"


_FINDER = _AliasFinder()


def installed() -> bool:
    """Whether the alias finder is on ``sys.meta_path``."""
    return _FINDER in sys.meta_path


def install() -> None:
    """Make ``import torch`` (and ``torch.*``) resolve to Ember. Calling it twice is harmless.

    The finder goes first on ``sys.meta_path``, ahead of a real PyTorch that may be installed.
    A ``torch`` that is already in ``sys.modules`` stays there: run this before anything imports
    ``torch`` (``ember run`` does), or remove those entries first.
    """
    if not installed():
        sys.meta_path.insert(0, _FINDER)


def uninstall() -> None:
    """Undo :func:`install`: remove the finder and the ``torch`` entries it put in ``sys.modules``.

    Ember's own modules (``ember``, ``ember.nn``, ...) stay imported; only the ``torch`` names
    that point at them are dropped, so a later ``import torch`` finds the real PyTorch, if any.
    """
    while _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name, module in list(sys.modules.items()):
        target = _target_name(name)
        if target is not None and module is not None and module is sys.modules.get(target):
            del sys.modules[name]
