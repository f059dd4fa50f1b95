"""The same model gives byte-identical text on every Keras backend."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_command, skip_unless
from golden_cases import CASES, GOLDEN


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_golden_pictures_are_identical_on_another_backend(
    backend: str, tmp_path: Path
) -> None:
    skip_unless(
        importlib.util.find_spec(backend) is not None,
        f"{backend} is not installed (pip install -e '.[test]')",
    )
    result = run_command(
        sys.executable,
        str(ROOT / "tests" / "golden_cases.py"),
        str(tmp_path),
        env={"KERAS_BACKEND": backend},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for case in CASES:
        produced = (tmp_path / f"{case}.txt").read_text(encoding="utf-8")
        assert produced == (GOLDEN / f"{case}.txt").read_text(encoding="utf-8"), case
