"""Golden texts: the summary pictures cannot drift unnoticed.

After an intended change of the picture, regenerate the files and review the diff:

    KERASTEACH_REGEN_GOLDEN=1 pytest tests/test_summary_golden.py
"""

from __future__ import annotations

import os

import pytest
from golden_cases import CASES, GOLDEN, render

REGENERATE = os.environ.get("KERASTEACH_REGEN_GOLDEN") == "1"


@pytest.mark.quick
@pytest.mark.parametrize("case", sorted(CASES))
def test_picture_matches_golden_text(case: str) -> None:
    text = render(case)
    path = GOLDEN / f"{case}.txt"
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with KERASTEACH_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_every_golden_file_has_a_case() -> None:
    assert {p.stem for p in GOLDEN.glob("*.txt")} == set(CASES)


def test_ascii_style_is_pure_ascii() -> None:
    for case, (_, options, _) in CASES.items():
        if options.get("style", "ascii") == "ascii":
            text = (GOLDEN / f"{case}.txt").read_text(encoding="utf-8")
            assert text.isascii(), case
