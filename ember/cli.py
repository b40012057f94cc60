"""The ``ember`` command: run PyTorch programs on Ember.

``ember run SCRIPT [ARGS...]`` runs a script as ``python SCRIPT ARGS...`` would (same ``sys.argv``,
``__name__ == "__main__"``, ``sys.path[0]``, ``__file__``, exit status and tracebacks), except
that ``import torch`` gives Ember. ``ember run -m MODULE`` and ``ember run -c CODE`` mirror
``python -m`` and ``python -c``. ``ember demo`` runs Ember's demo program the same way.

The module imports only ``sys`` at import time; the rest is imported when a command needs it.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

PROG = "ember"

USAGE = f"""\
usage: {PROG} [-h] [--version] <command> ...
       {PROG} run SCRIPT [ARGS...]
       {PROG} run -m MODULE [ARGS...]
       {PROG} run -c CODE [ARGS...]
       {PROG} demo [--source]
"""

HELP = f"""\
{USAGE}
Run PyTorch programs unchanged on Ember, PyTorch's programming model on NumPy.

commands:
  run SCRIPT [ARGS...]     run a Python script as `python SCRIPT ARGS...` would, with
                           `import torch` (and `import torch.nn`, ...) resolved to Ember
  run -m MODULE [ARGS...]  run a library module as a script, like `python -m MODULE`
  run -c CODE [ARGS...]    run the program passed as a string, like `python -c CODE`
  demo                     run Ember's demo (autograd, the seed tutorial's networks, a digits CNN)
  demo --source            print the demo program instead; `python` runs it on PyTorch

options:
  -h, --help               show this help message and exit
  --version                show Ember's version and exit

examples:
  {PROG} run train.py --epochs 3
  {PROG} demo
"""

RUN_HELP = f"""\
usage: {PROG} run SCRIPT [ARGS...]
       {PROG} run -m MODULE [ARGS...]
       {PROG} run -c CODE [ARGS...]

Run a PyTorch program on Ember: like `python SCRIPT ARGS...` (or `python -m`, `python -c`),
with `import torch` resolved to Ember. Everything after SCRIPT, MODULE or CODE is passed to the
program in sys.argv, untouched.

options:
  -h, --help               show this help message and exit
"""

DEMO_HELP = f"""\
usage: {PROG} demo [--source]

Run Ember's demo program, a plain PyTorch program, with `import torch` resolved to Ember.

options:
  -h, --help               show this help message and exit
  --source                 print the demo program's source instead of running it
"""


class _UsageError(Exception):
    """Bad command-line usage: reported with the usage text and exit status 2."""

    def __init__(self, message: str, usage: str = USAGE, prog: str = PROG) -> None:
        super().__init__(message)
        self.usage = usage
        self.prog = prog


def main(argv: list[str] | None = None) -> int:
    """Run the ``ember`` command line and return its exit status.

    A program run by ``ember run`` that calls ``sys.exit`` ends the process the same way here:
    its ``SystemExit`` passes through ``main``.

    Args:
        argv: the arguments after the program name; ``sys.argv[1:]`` when ``None``.

    >>> main(["--version"])  # doctest: +SKIP
    ember 0.1.0
    0
    """
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        return _dispatch(args)
    except _UsageError as error:
        sys.stderr.write(error.usage)
        sys.stderr.write(f"{error.prog}: error: {error}\n")
        return 2


def _dispatch(args: list[str]) -> int:
    """Pick the command from ``args`` and run it."""
    if not args:
        raise _UsageError("a command is required (run, demo); see 'ember --help'")
    first, rest = args[0], args[1:]
    if first in ("-h", "--help"):
        sys.stdout.write(HELP)
        return 0
    if first == "--version":
        sys.stdout.write(f"{PROG} {_version()}\n")
        return 0
    if first == "run":
        return _command_run(rest)
    if first == "demo":
        return _command_demo(rest)
    if first.startswith("-"):
        raise _UsageError(f"unrecognized option: {first}")
    raise _UsageError(f"unknown command {first!r} (choose from 'run', 'demo')")


def _version() -> str:
    """Ember's version: ``ember.__version__`` if the package sets it, else the installed one."""
    version = getattr(sys.modules.get("ember"), "__version__", None)
    if isinstance(version, str):
        return version
    try:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as installed_version
    except ImportError:  # pragma: no cover - always there on Python >= 3.8
        return "unknown"
    try:
        return installed_version("ember")
    except PackageNotFoundError:
        return "unknown"


def _command_run(args: list[str]) -> int:
    """``ember run``: parse the target the way ``python`` does, then run it."""
    run_usage = RUN_HELP.split("\n\n", 1)[0] + "\n"
    if not args:
        raise _UsageError("a script, -m MODULE or -c CODE is required", run_usage, f"{PROG} run")
    first = args[0]
    if first in ("-h", "--help"):
        sys.stdout.write(RUN_HELP)
        return 0
    if first == "--":
        args = args[1:]
        if not args:
            raise _UsageError("a script is required after '--'", run_usage, f"{PROG} run")
        return run_path(args[0], args[1:])
    if first in ("-m", "-c"):
        if len(args) < 2:
            what = "MODULE" if first == "-m" else "CODE"
            raise _UsageError(
                f"argument {first}: expected one argument ({what})", run_usage, f"{PROG} run"
            )
        if first == "-m":
            return run_module(args[1], args[2:])
        return run_code(args[1], args[2:])
    if first.startswith("-") and first != "-":
        raise _UsageError(f"unrecognized option: {first}", run_usage, f"{PROG} run")
    return run_path(first, args[1:])


def _command_demo(args: list[str]) -> int:
    """``ember demo``: run (or with ``--source``, print) ``ember/demo.py``."""
    import os

    demo_usage = DEMO_HELP.split("\n\n", 1)[0] + "\n"
    if args and args[0] in ("-h", "--help"):
        sys.stdout.write(DEMO_HELP)
        return 0
    unknown = [arg for arg in args if arg != "--source"]
    if unknown:
        raise _UsageError(f"unrecognized arguments: {' '.join(unknown)}", demo_usage, "ember demo")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo.py")
    if "--source" in args:
        with open(path, encoding="utf-8") as file:
            sys.stdout.write(file.read())
        return 0
    # Run it like a script, but with nothing put on sys.path: the demo's own directory is
    # Ember's package directory, whose modules (random.py, ...) would shadow the stdlib's.
    return _run(lambda: _exec_file(path), [path], None)


# --------------------------------------------------------------------------------------------
# Running a program the way `python` does


def run_path(script: str, args: list[str]) -> int:
    """Run ``script`` as ``python script *args`` would, with the ``torch`` alias installed.

    Returns the exit status (0, or 1 after an uncaught exception, whose traceback is printed);
    a ``SystemExit`` raised by the program passes through.

    Args:
        script: path of a ``.py`` file, or of a directory or zip file with a ``__main__.py``.
        args: the program's arguments: ``sys.argv`` becomes ``[script, *args]``.
    """
    import os

    # Like Python: join with the working directory, without normalizing (`a/../b.py` stays).
    path = script if os.path.isabs(script) else os.path.join(os.getcwd(), script)
    if not os.path.exists(path):
        # Python's own words: "python: can't open file '/abs/x.py': [Errno 2] No such file ..."
        sys.stderr.write(
            f"{PROG} run: can't open file {path!r}: [Errno 2] No such file or directory\n"
        )
        return 2
    # Python puts the script's directory first on sys.path (symlinks resolved). For a directory
    # or zip file with a __main__.py it puts the path itself, which runpy does too: then leave
    # the first entry to runpy (None removes the entry Python put there for `ember`).
    sys_path0 = os.path.dirname(os.path.realpath(path))
    if os.path.isdir(path) or (not path.endswith(".py") and _is_zipfile(path)):
        sys_path0 = None

    if sys_path0 is None:

        def target():
            import runpy

            runpy.run_path(script, run_name="__main__")  # runpy sets argv[0] and sys.path[0]

    else:

        def target():
            _exec_file(path)

    return _run(target, [script, *args], sys_path0)


def _exec_file(path: str) -> None:
    """Run the Python file at absolute ``path`` as the ``__main__`` module, as ``python`` does.

    ``__file__`` is the absolute path (as since Python 3.9) while ``sys.argv[0]`` keeps the path
    as typed, which is why this does not use ``runpy.run_path`` (that sets both to one value).
    The new ``__main__`` stays in ``sys.modules`` after the program: threads it started may still
    pickle its classes by their ``__main__`` names.
    """
    import builtins
    import io
    from importlib.machinery import SourceFileLoader

    with io.open_code(path) as file:
        source = file.read()
    code = compile(source, path, "exec", dont_inherit=True)
    module = _new_main()
    module.__file__ = path
    module.__cached__ = None
    module.__loader__ = SourceFileLoader("__main__", path)
    module.__builtins__ = builtins
    exec(code, module.__dict__)


def _new_main():
    """A fresh, empty ``__main__`` module, put in ``sys.modules`` (the one ``python`` makes)."""
    module = type(sys)("__main__")
    sys.modules["__main__"] = module
    return module


def _is_zipfile(path: str) -> bool:
    """Whether ``path`` is a zip file (which ``python path`` runs as an archive)."""
    import zipfile

    return zipfile.is_zipfile(path)


def run_module(module: str, args: list[str]) -> int:
    """Run ``module`` as ``python -m module *args`` would, with the ``torch`` alias installed.

    Args:
        module: a module name such as ``pkg.tool``; a package runs its ``__main__``.
        args: the program's arguments: ``sys.argv[1:]``.
    """
    import os

    def target():
        import runpy

        try:
            # alter_sys=True puts the module's file in sys.argv[0], as `python -m` does.
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        except ImportError as error:
            if getattr(error, "__traceback__", None) is not None and _raised_by_runpy(error):
                # Python's own words: "python: No module named nosuch" (status 1).
                sys.stderr.write(f"{PROG} run: {error}\n")
                raise SystemExit(1) from None
            raise

    return _run(target, ["-m", *args], os.getcwd())


def run_code(code: str, args: list[str]) -> int:
    """Run the program ``code`` as ``python -c code *args`` would, with the alias installed.

    Args:
        code: Python source text.
        args: the program's arguments: ``sys.argv`` becomes ``['-c', *args]``.
    """

    def target():
        import builtins

        module = _new_main()
        module.__builtins__ = builtins
        exec(compile(code, "<string>", "exec", dont_inherit=True), module.__dict__)

    return _run(target, ["-c", *args], "")


def _run(target, argv: list[str], sys_path0: str | None) -> int:
    """Install the alias, set ``sys.argv`` and ``sys.path[0]``, and call ``target()``.

    ``sys_path0`` replaces the first entry of ``sys.path`` (``None`` removes it); Ember's
    stand-in ``torch`` directory goes right after it, for multiprocessing's child interpreters
    (see ``ember/_torch_shim/__init__.py``).

    An uncaught exception is printed as Python prints it (through ``sys.excepthook``) without
    Ember's and runpy's own frames, and gives status 1. ``KeyboardInterrupt`` ends the process
    by SIGINT after its traceback, as Python does.
    """
    from . import _alias

    _alias.install()
    sys.argv[:] = argv
    # Python prepends the script's directory unless -P / PYTHONSAFEPATH said not to; `ember`
    # started the same way, so sys.path[0] is the entry Python put there for us: replace it.
    shim_position = 0
    if not getattr(sys.flags, "safe_path", False):
        if sys.path:
            del sys.path[0]
        if sys_path0 is not None:
            sys.path.insert(0, sys_path0)
            shim_position = 1
    # Child interpreters that multiprocessing starts (spawn, forkserver) get this sys.path and
    # find Ember's stand-in `torch` package there, ahead of a real PyTorch in site-packages.
    import os

    shim = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_torch_shim")
    sys.path.insert(shim_position, shim)
    try:
        target()
    except SystemExit:
        raise
    except BaseException as error:  # reported like Python's own top level
        _report(error)
        if isinstance(error, KeyboardInterrupt):
            _die_of_sigint()
            return 130
        return 1
    return 0


def _report(error: BaseException) -> None:
    """Print ``error`` through ``sys.excepthook`` as Python would, without the launcher's frames.

    The frames of ``ember.cli`` and ``runpy`` come off the top; for a ``torch`` submodule that
    Ember lacks, the alias finder's frame comes off the bottom, so the traceback ends at the
    program's ``import`` line as it does for any missing module.
    """
    tb = error.__traceback__
    while tb is not None and _module_of(tb) in ("ember.cli", "runpy"):
        tb = tb.tb_next
    if isinstance(error, ModuleNotFoundError):
        last_kept = None
        link = tb
        while link is not None:
            if _module_of(link) != "ember._alias":
                last_kept = link
            link = link.tb_next
        if last_kept is not None:
            last_kept.tb_next = None  # what follows it, if anything, is the alias finder
    error.__traceback__ = tb
    try:
        sys.stdout.flush()
    except Exception:  # a closed stdout must not hide the traceback
        pass
    sys.excepthook(type(error), error, tb)


def _module_of(tb) -> str | None:
    """The ``__name__`` of the module whose code the traceback entry ``tb`` is in."""
    return tb.tb_frame.f_globals.get("__name__")


def _raised_by_runpy(error: BaseException) -> bool:
    """Whether ``error`` was raised by runpy itself (module not found), not by the program."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_globals.get("__name__") == "runpy"


def _die_of_sigint() -> None:
    """End the process by SIGINT, as Python does after an uncaught KeyboardInterrupt."""
    import os
    import signal

    if hasattr(signal, "SIGINT") and hasattr(os, "kill"):
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # dying anyway
            pass
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
