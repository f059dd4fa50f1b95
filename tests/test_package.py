"""The package and its command line: light to import, clear when misused."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from conftest import ROOT, console_script, run_command

import kerasteach

HEAVY = ("keras", "tensorflow", "jax", "torch", "matplotlib", "numpy")


def test_import_loads_no_heavy_library() -> None:
    result = run_command(sys.executable, "-X", "importtime", "-c", "import kerasteach")
    assert result.returncode == 0, result.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "kerasteach" in imported
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_version_matches_the_package() -> None:
    result = run_command(console_script(), "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"kerasteach {kerasteach.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", kerasteach.__version__)


def test_help_lists_the_subcommands() -> None:
    result = run_command(console_script(), "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: kerasteach")
    assert "summary" in result.stdout


def test_no_subcommand_prints_help() -> None:
    result = run_command(console_script())
    assert result.returncode == 0
    assert "COMMAND" in result.stdout


def test_unknown_subcommand_is_a_usage_error_not_a_traceback() -> None:
    result = run_command(console_script(), "train-my-homework")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr


def test_python_dash_m_runs_the_same_command() -> None:
    result = run_command(sys.executable, "-m", "kerasteach", "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("kerasteach ")


def test_unknown_attribute_raises_attribute_error() -> None:
    try:
        kerasteach.no_such_feature  # noqa: B018
    except AttributeError as error:
        assert "no_such_feature" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_the_source_tree_finds_the_cards_as_the_installed_package_does(
    tmp_path: Path,
) -> None:
    """Python started in the clone's root imports the source folder, not the
    installed package: the cards must be found there too. ``-S`` skips the
    .pth files, so no editable-install finder can hide a missing ``_cards``;
    the site-packages folder is added by hand for NumPy and the rest."""
    import sysconfig

    installed = tmp_path / "installed"
    built = run_command(
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
        "--no-build-isolation", "--target", str(installed), str(ROOT),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    purelib = sysconfig.get_paths()["purelib"]
    script = (
        f"import sys; sys.path += [{str(installed)!r}, {purelib!r}]\n"
        "import kerasteach\n"
        "print(kerasteach.__file__)\n"
        "print(kerasteach.datasets.load('digits').x_train.shape)\n"
    )
    for where, expected in ((ROOT, ROOT), (tmp_path, installed)):
        result = run_command(sys.executable, "-S", "-c", script, cwd=where)
        assert result.returncode == 0, result.stderr[-2000:]
        imported, shape = result.stdout.splitlines()
        assert Path(imported).is_relative_to(expected), imported
        assert shape == "(1433, 8, 8)"


def test_the_wheel_a_teacher_builds_holds_the_cards(tmp_path: Path) -> None:
    """docs/index.md: `pip wheel --no-deps -w dist .` gives one installable file."""
    import zipfile

    built = run_command(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
        "--no-build-isolation", "-w", str(tmp_path), str(ROOT),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("kerasteach-*-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"kerasteach/_cards/mnist.json", "kerasteach/quiet.py"} <= names
