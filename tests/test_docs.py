"""Every Python code block in docs/ and the README runs, and shows what it prints.

A ```python block followed directly by a ```text block must print exactly that
text, clock readings aside (times and speeds, see ``steady``). Blocks of one
page run in order in one namespace, from a fresh Keras session, as a reader
would type them. After an intended change of the output,
rewrite the text blocks and review the diff:

    KERASTEACH_REGEN_DOCS=1 pytest tests/test_docs.py
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from pathlib import Path

import keras
import pytest
from conftest import ROOT, TENSORFLOW_NOISE, run_command

PAGES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
BLOCK = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
REGENERATE = os.environ.get("KERASTEACH_REGEN_DOCS") == "1"
# What a clock decides in an output (progress bars' times and speeds): the
# only part of a text block not compared.
CLOCK = re.compile(
    r"\d\d:\d\d<\d\d:\d\d|\s*[\d.]+(?:epoch|batch)/s|[\d.]+s/(?:epoch|batch)"
    r"|[\d,]+ samples/s|[\d.]+ batches/s|(?<=[·,] )[\d.]+ s(?=[ ,])"
)


def steady(text: str) -> str:
    """``text`` with its clock readings replaced by ``~``.

    >>> steady("3/3 [00:01<00:00,  2.43epoch/s] · 0.5 s · 1,533 samples/s")
    '3/3 [~,~] · ~ · ~'
    >>> steady("Epoch: 1 - loss: 0.58, 32/32 batches, 0.4 s, 87.5 batches/s")
    'Epoch: 1 - loss: 0.58, 32/32 batches, ~, ~'
    """
    return CLOCK.sub("~", text)


def run_page(text: str) -> tuple[str, int]:
    """Run the page's Python blocks; returns the page with its outputs, and a count."""
    keras.utils.clear_session()
    namespace: dict = {"__name__": "__docs__"}
    blocks = list(BLOCK.finditer(text))
    pieces, position, ran = [], 0, 0
    printed = None
    for block in blocks:
        if block["lang"] == "python":
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                exec(compile(block["body"], "<docs>", "exec"), namespace)
            printed, ran = output.getvalue(), ran + 1
        elif block["lang"] == "text" and printed is not None:
            between = text[position : block.start()]
            if between.strip() == "":
                pieces.append(text[position : block.start()])
                pieces.append(f"```text\n{printed}```")
                position = block.end()
            printed = None
            continue
        else:
            printed = None
        if block["lang"] == "python":
            pieces.append(text[position : block.end()])
            position = block.end()
    pieces.append(text[position:])
    return "".join(pieces), ran


# Pages whose code needs another setting, run by another test the same way.
RUN_ELSEWHERE = {
    "docs/scaling.md": "tests/test_scaling.py (JAX, two host devices)",
}
RUN_HERE = [p for p in PAGES if str(p.relative_to(ROOT)) not in RUN_ELSEWHERE]


# A picture a page shows from pictures/ beside it is one its own code writes
# (into the folder it runs in), as a reader running the code gets it.
MADE_PICTURE = re.compile(r"!\[[^\]]*\]\(pictures/(?P<name>[\w.-]+\.png)\)")


def check_page(page: Path) -> None:
    """Run ``page``'s code (in the current folder) and compare its text blocks
    and pictures (or rewrite them)."""
    text = page.read_text(encoding="utf-8")
    produced, ran = run_page(text)
    if "```python" in text:
        assert ran > 0
    if REGENERATE:
        page.write_text(produced, encoding="utf-8")
    for name in MADE_PICTURE.findall(text):
        made = Path(name)
        assert made.is_file(), f"{page.name} shows pictures/{name}; its code made none"
        assert made.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if REGENERATE:
            (page.parent / "pictures").mkdir(exist_ok=True)
            (page.parent / "pictures" / name).write_bytes(made.read_bytes())
    assert steady(produced) == steady(text)


@pytest.mark.parametrize("page", RUN_HERE, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_code_runs_and_prints_what_it_shows(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # files a page writes land here, not in the repo
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))  # no stray caches
    check_page(page)


LINK = re.compile(r"\]\((?!https?:|#|mailto:)(?P<target>[^)#\s]+)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_links_lead_to_files_that_exist(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    missing = [
        link["target"]
        for link in LINK.finditer(text)
        if not (page.parent / link["target"]).exists()
    ]
    assert not missing


# The pages a learner runs in the first hour, as scripts in a terminal
FIRST_HOUR = ["docs/index.md", "docs/handouts/01_first_network.md"]


@pytest.mark.parametrize("page", FIRST_HOUR)
def test_first_hour_pages_print_what_they_show_and_no_tensorflow_noise(
    page: str, tmp_path: Path, nvidia_driver_without_gpu: dict
) -> None:
    """Run as a learner would (a script, TensorFlow's default log level, an
    NVIDIA driver but no GPU): stdout is exactly the page's outputs, and no
    TensorFlow start-up line reaches the terminal."""
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = list(BLOCK.finditer(text))
    script = "\n".join(b["body"] for b in blocks if b["lang"] == "python")
    expected = "".join(
        after["body"]
        for before, after in zip(blocks, blocks[1:], strict=False)
        if before["lang"] == "python"
        and after["lang"] == "text"
        and not text[before.end() : after.start()].strip()
    )
    result = run_command(
        sys.executable,
        "-c",
        script,
        cwd=tmp_path,
        env={**nvidia_driver_without_gpu, "KERAS_BACKEND": "tensorflow"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout == expected
    noise = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if TENSORFLOW_NOISE.search(line)
    ]
    assert noise == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_are_what_a_learner_would_type(page: Path) -> None:
    """No formatter pragmas and no capturing machinery in a page's code: the
    harness that checks the outputs lives here, in the tests."""
    text = page.read_text(encoding="utf-8")
    code = "".join(b["body"] for b in BLOCK.finditer(text) if b["lang"] == "python")
    for machinery in ("# fmt:", "io.StringIO", "re.sub(", "redirect_stdout"):
        assert machinery not in code, f"{page.name}: {machinery}"


@pytest.mark.parametrize(
    "page", ["docs/handouts/01_first_network.md", "docs/handouts/02_convolutions.md"]
)
def test_a_handouts_figures_show_in_a_notebook(page: str, tmp_path: Path) -> None:
    """Each code block run as a cell of a real Jupyter kernel: the cell that
    makes a figure shows it (image/png), as a learner pasting it would see."""
    import notebooks

    text = (ROOT / page).read_text(encoding="utf-8")
    cells = [b["body"] for b in BLOCK.finditer(text) if b["lang"] == "python"]
    notebook = notebooks.execute(cells, tmp_path)
    for cell in notebook.cells:
        if ".savefig(" in cell.source:
            assert any("image/png" in o.get("data", {}) for o in cell.outputs)
