"""The ``ember`` command (``ember/cli.py``): ``ember run`` must behave like ``python``.

Each test runs ``python -m ember ...`` in a subprocess on a small script written to a temporary
directory, and where it can, compares with what plain ``python`` does with the same script.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "ember" / "demo.py"


def _env():
    """The environment for a child: this checkout's Ember first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PYTHONSAFEPATH", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def ember(*args, cwd=None):
    """Run ``python -m ember *args`` and return the completed process (text output)."""
    return subprocess.run(
        [sys.executable, "-m", "ember", *map(str, args)],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def python(*args, cwd=None):
    """Run plain ``python *args`` the same way, for comparison."""
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


REPORT = """
import json, sys
{imports}
print(json.dumps({{
    "argv": sys.argv,
    "name": __name__,
    "file": __file__,
    "path0": sys.path[0],
    "torch_name": {torch_name},
    "torch_is_ember": {torch_is_ember},
    "main_is_module": sys.modules["__main__"].__dict__ is globals(),
}}))
"""
# What the report says under `ember run`, and a version without torch for plain python.
REPORT_EMBER = REPORT.format(
    imports="import torch, ember", torch_name="torch.__name__", torch_is_ember="torch is ember"
)
REPORT_PLAIN = REPORT.format(imports="", torch_name="'ember'", torch_is_ember="True")


# --------------------------------------------------------------------------------------------
# ember run SCRIPT


def test_run_sets_argv_name_file_and_path(tmp_path):
    script = write(tmp_path / "sub" / "prog.py", REPORT_EMBER)
    result = ember("run", "sub/prog.py", "a", "--flag", "-x", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["argv"] == ["sub/prog.py", "a", "--flag", "-x"]
    assert report["name"] == "__main__"
    assert report["file"] == str(script)
    assert report["path0"] == str(script.parent.resolve())
    assert report["torch_name"] == "ember"
    assert report["torch_is_ember"] is True
    assert report["main_is_module"] is True


def test_run_matches_python_on_argv_file_and_path(tmp_path):
    write(tmp_path / "d" / "prog.py", REPORT_PLAIN)
    ours = ember("run", "d/../d/prog.py", "x", cwd=tmp_path)
    theirs = python("d/../d/prog.py", "x", cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)


def test_script_directory_is_importable(tmp_path):
    write(tmp_path / "proj" / "helper.py", "VALUE = 42\n")
    write(tmp_path / "proj" / "main.py", "import helper\nprint(helper.VALUE)\n")
    result = ember("run", tmp_path / "proj" / "main.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "42\n"


def test_submodule_imports(tmp_path):
    write(
        tmp_path / "prog.py",
        """
        import torch
        import torch.autograd
        import torch.autograd as ag
        from torch import autograd
        import ember.autograd
        assert torch.autograd is ag is autograd is ember.autograd
        print("ok")
        """,
    )
    result = ember("run", "prog.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"


@pytest.mark.parametrize(
    ("code", "status", "stderr"),
    [
        ("print('done')", 0, ""),
        ("import sys; sys.exit(3)", 3, ""),
        ("import sys; sys.exit(0)", 0, ""),
        ("import sys; sys.exit('bad things')", 1, "bad things\n"),
        ("raise SystemExit(4)", 4, ""),
    ],
)
def test_exit_status_passes_through(tmp_path, code, status, stderr):
    write(tmp_path / "prog.py", code + "\n")
    result = ember("run", "prog.py", cwd=tmp_path)
    assert result.returncode == status
    assert result.stderr == stderr


def test_uncaught_exception_prints_python_traceback(tmp_path):
    write(
        tmp_path / "prog.py",
        """
        import torch
        print("before")

        def inner():
            raise ValueError("boom")

        inner()
        """,
    )
    result = ember("run", "prog.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == "before\n"
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1].startswith(f'  File "{tmp_path / "prog.py"}", line 8, in <module>')
    assert lines[-1] == "ValueError: boom"
    assert "cli.py" not in result.stderr
    assert "runpy" not in result.stderr


def test_traceback_is_the_same_as_pythons(tmp_path):
    write(
        tmp_path / "prog.py",
        """
        def f(x):
            return 1 / x

        try:
            f(0)
        except ZeroDivisionError as error:
            raise KeyError("chained") from error
        """,
    )
    ours = ember("run", "prog.py", cwd=tmp_path)
    theirs = python("prog.py", cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 1
    assert ours.stderr == theirs.stderr


def test_syntax_error_is_reported_like_python(tmp_path):
    write(tmp_path / "prog.py", "x = (1,\nprint(x\n")
    ours = ember("run", "prog.py", cwd=tmp_path)
    theirs = python("prog.py", cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 1
    assert ours.stderr == theirs.stderr


def test_missing_submodule_error(tmp_path):
    write(tmp_path / "prog.py", "import torch\nimport torch.distributed\n")
    result = ember("run", "prog.py", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-1] == (
        "ModuleNotFoundError: No module named 'torch.distributed' "
        "(Ember does not provide torch.distributed)"
    )
    assert "_alias.py" not in result.stderr  # the traceback ends at the program's import


def test_missing_submodule_can_be_caught(tmp_path):
    write(
        tmp_path / "prog.py",
        """
        try:
            import torch.distributed
        except ImportError as error:
            print(type(error).__name__, error.name)
        """,
    )
    result = ember("run", "prog.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ModuleNotFoundError torch.distributed\n"


def test_missing_script(tmp_path):
    result = ember("run", "nope.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "can't open file" in result.stderr
    assert "nope.py" in result.stderr


def test_arguments_after_script_are_not_ember_options(tmp_path):
    write(tmp_path / "prog.py", "import sys; print(sys.argv[1:])\n")
    result = ember("run", "prog.py", "--help", "--version", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "['--help', '--version', 'run']\n"


def test_multiprocessing_children_get_ember_too(tmp_path):
    """Workers started by spawn or forkserver re-import the script: `torch` must be Ember there."""
    import multiprocessing

    methods = [m for m in ("spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]
    write(
        tmp_path / "prog.py",
        """
        import multiprocessing as mp
        import sys
        import torch

        def probe(_):
            import torch.autograd
            return torch.__name__, torch.autograd.__name__

        if __name__ == "__main__":
            for method in sys.argv[1:]:
                with mp.get_context(method).Pool(1) as pool:
                    print(method, *pool.map(probe, [0]))
        """,
    )
    result = ember("run", "prog.py", *methods, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{method} ('ember', 'ember.autograd')" for method in methods
    ]


# --------------------------------------------------------------------------------------------
# ember run -m / -c


def test_run_module(tmp_path):
    write(tmp_path / "pkg" / "__init__.py", "")
    write(
        tmp_path / "pkg" / "tool.py",
        """
        import sys, torch
        print(__name__, torch.__name__, sys.argv[1:])
        """,
    )
    result = ember("run", "-m", "pkg.tool", "a", "b", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "__main__ ember ['a', 'b']\n"


def test_run_missing_module(tmp_path):
    result = ember("run", "-m", "no_such_module_here", cwd=tmp_path)
    assert result.returncode == 1
    assert "No module named no_such_module_here" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_code(tmp_path):
    result = ember(
        "run",
        "-c",
        "import sys, torch; print(__name__, torch.__name__, sys.argv)",
        "x",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "__main__ ember ['-c', 'x']\n"


# --------------------------------------------------------------------------------------------
# usage


def test_help():
    result = ember("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: ember")
    assert "run SCRIPT" in result.stdout
    assert "demo" in result.stdout


def test_run_help():
    result = ember("run", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: ember run")


def test_version():
    result = ember("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("ember ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "a command is required"),
        (("frobnicate",), "unknown command 'frobnicate'"),
        (("--frobnicate",), "unrecognized option: --frobnicate"),
        (("run",), "a script, -m MODULE or -c CODE is required"),
        (("run", "-m"), "argument -m: expected one argument"),
        (("run", "--bogus"), "unrecognized option: --bogus"),
        (("demo", "extra"), "unrecognized arguments: extra"),
    ],
)
def test_bad_usage_exits_2(args, message):
    result = ember(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: ember")
    assert message in result.stderr
    assert "error:" in result.stderr.splitlines()[-1]


def test_cli_module_imports_nothing_heavy():
    code = (
        "import sys\n"
        "import ember\n"
        "before = set(sys.modules)\n"
        "import ember.cli\n"
        "print(sorted(set(sys.modules) - before - {'ember.cli'}))\n"
    )
    result = python("-c", code, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert set(eval(result.stdout)) <= {"__future__"}


# --------------------------------------------------------------------------------------------
# ember demo


def _sections(output: str) -> dict:
    """Split the demo's output into {title: text} by its '== N. title ==' headers."""
    sections, title = {}, None
    for line in output.splitlines():
        if line.startswith("== ") and line.endswith(" =="):
            title = line
            sections[title] = []
        elif title is not None:
            sections[title].append(line)
    return {key: "\n".join(lines).strip() for key, lines in sections.items()}


def test_demo_runs():
    result = ember("demo")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("== 1. ")


def test_demo_prints_what_pytorch_prints(tmp_path):
    """Every example that this Ember can run prints exactly what it prints on PyTorch."""
    pytest.importorskip("torch")
    ours = ember("demo")
    # Plain python, so `import torch` is the real PyTorch; from a copy, so that Ember's package
    # directory is not first on sys.path.
    # The demo runs examples/ of the checkout (beside the package): copy both, same layout.
    (tmp_path / "pkg").mkdir()
    demo = tmp_path / "pkg" / "demo.py"
    demo.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copytree(DEMO.parent.parent / "examples", tmp_path / "examples")
    theirs = python(demo, cwd=tmp_path / "pkg")
    assert ours.returncode == 0, ours.stderr
    assert theirs.returncode == 0, theirs.stderr
    ours_by_title, theirs_by_title = _sections(ours.stdout), _sections(theirs.stdout)
    assert list(ours_by_title) == list(theirs_by_title)
    for title, text in ours_by_title.items():
        if text.startswith("(skipped: "):
            continue
        assert text == theirs_by_title[title], title


def test_demo_source():
    result = ember("demo", "--source")
    assert result.returncode == 0
    assert result.stdout == DEMO.read_text(encoding="utf-8")
