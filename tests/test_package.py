"""The package and its command line: light to import, clear when misused."""

from __future__ import annotations

import re
import sys

from conftest import console_script, run_command

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
