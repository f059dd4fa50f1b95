"""The printed handouts: built by docs/make_handouts.py in real headless
Chromium, then read back with poppler's pdftotext, as a printer would show
them: every code block whole, on one page, inside the margins, pictures in,
page numbers on every page."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_command, skip_unless

HANDOUTS = sorted((ROOT / "docs" / "handouts").glob("[0-9][0-9]_*.md"))
# The right and left margins of docs/make_handouts.py (16 mm), in points.
MARGIN_POINTS = 16 / 25.4 * 72


@pytest.fixture(scope="module", params=["A4", "Letter"])
def printed(request, tmp_path_factory: pytest.TempPathFactory) -> Path:
    for tool in ("chromium", "pdftotext", "pdfinfo", "pdfimages"):
        skip_unless(
            shutil.which(tool) is not None,
            f"{tool} is not installed (apt-get install chromium poppler-utils)",
        )
    out = tmp_path_factory.mktemp(f"handouts-{request.param}")
    result = run_command(
        sys.executable, str(ROOT / "docs" / "make_handouts.py"), "--out", str(out),
        "--paper", request.param,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def pages(pdf: Path) -> list[str]:
    """The text of each page, line by line as printed (pdftotext -layout)."""
    info = run_command("pdfinfo", str(pdf)).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))
    return [
        run_command(
            "pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"
        ).stdout
        for n in range(1, count + 1)
    ]


def squeezed(text: str) -> str:
    """Text without whitespace: wrapping and layout do not change it."""
    return re.sub(r"\s+", "", text)


def code_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```[\w-]*\n(.*?)^```", markdown, flags=re.M | re.S)


@pytest.mark.parametrize("handout", HANDOUTS, ids=lambda p: p.stem)
def test_every_code_block_is_printed_whole_on_one_page(
    printed: Path, handout: Path
) -> None:
    texts = [squeezed(page) for page in pages(printed / f"{handout.stem}.pdf")]
    blocks = code_blocks(handout.read_text())
    assert blocks
    for block in blocks:
        found = [i for i, text in enumerate(texts) if squeezed(block) in text]
        assert found, f"{handout.name}: not printed whole on one page:\n{block}"


@pytest.mark.parametrize("handout", HANDOUTS, ids=lambda p: p.stem)
def test_no_line_runs_past_the_margins(printed: Path, handout: Path) -> None:
    layout = run_command(
        "pdftotext", "-bbox", str(printed / f"{handout.stem}.pdf"), "-"
    ).stdout
    for page in re.finditer(r'<page width="([\d.]+)".*?</page>', layout, re.S):
        width = float(page.group(1))
        for word in re.finditer(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<',
            page.group(0),
        ):
            left, right, text = (
                float(word.group(1)),
                float(word.group(2)),
                word.group(3),
            )
            assert left >= MARGIN_POINTS - 1, (handout.name, text, left)
            assert right <= width - MARGIN_POINTS + 1, (handout.name, text, right)


@pytest.mark.parametrize("handout", HANDOUTS, ids=lambda p: p.stem)
def test_pages_are_numbered_and_pictures_printed(printed: Path, handout: Path) -> None:
    pdf = printed / f"{handout.stem}.pdf"
    texts = pages(pdf)
    for number, text in enumerate(texts, start=1):
        assert f"page {number} of {len(texts)}" in text, (handout.name, number)
    pictures = handout.read_text().count("![")
    assert pictures >= 1, f"{handout.name} has no picture"  # one per handout at least
    listed = run_command("pdfimages", "-list", str(pdf)).stdout.splitlines()[2:]
    assert len(listed) >= pictures, (handout.name, pictures, listed)


@pytest.mark.parametrize("handout", HANDOUTS, ids=lambda p: p.stem)
def test_results_are_printed_as_numbers(printed: Path, handout: Path) -> None:
    """A learner's code prints what it measured (an accuracy), not a bare
    ``True`` from a comparison."""
    for text in pages(printed / f"{handout.stem}.pdf"):
        lines = [line.strip() for line in text.splitlines()]
        assert "True" not in lines and "False" not in lines, handout.name
