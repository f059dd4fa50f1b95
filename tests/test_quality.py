"""The suite's own rules, checked: no test times the machine, and every block
of output in the docs is produced by the code the doc tests run above it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import ROOT

CLOCKS = {"monotonic", "perf_counter", "time", "monotonic_ns", "perf_counter_ns"}
OUTPUT_BLOCK = re.compile(r"^```(?P<lang>[\w-]*)\n.*?^```$", re.M | re.S)


def _reads_a_clock(node: ast.AST) -> bool:
    return any(
        isinstance(call, ast.Call)
        and (
            (isinstance(call.func, ast.Attribute) and call.func.attr in CLOCKS)
            or (isinstance(call.func, ast.Name) and call.func.id in CLOCKS)
        )
        for call in ast.walk(node)
    )


def _is_elapsed(node: ast.AST, elapsed_names: set[str]) -> bool:
    """A clock difference (``monotonic() - start``) or a name holding one."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
        return _reads_a_clock(node)
    return isinstance(node, ast.Name) and node.id in elapsed_names


def timing_comparisons(source: str) -> list[int]:
    """Lines where a measured duration is compared with a number.

    >>> timing_comparisons("assert time.monotonic() - start < 4")
    [1]
    >>> timing_comparisons("spent = perf_counter() - t0\\nassert spent <= 2.5")
    [2]
    >>> timing_comparisons("while time.monotonic() < deadline: pass")
    []
    """
    tree = ast.parse(source)
    elapsed_names = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.BinOp)
        and _is_elapsed(node.value, set())
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        timed = any(_is_elapsed(side, elapsed_names) for side in sides)
        number = any(
            isinstance(side, ast.Constant) and isinstance(side.value, int | float)
            for side in sides
        )
        if timed and number:
            found.append(node.lineno)
    return found


@pytest.mark.parametrize(
    "test_file", sorted((ROOT / "tests").glob("*.py")), ids=lambda p: p.name
)
def test_no_test_compares_a_measured_time_with_a_number(test_file: Path) -> None:
    # shared, noisy machines: a time limit in a test fails for the wrong reason
    assert timing_comparisons(test_file.read_text(encoding="utf-8")) == []


def orphan_outputs(text: str) -> list[int]:
    """Lines of ```text/```console blocks not directly after a ```python block.

    >>> orphan_outputs("```python\\nprint(1)\\n```\\n\\n```text\\n1\\n```\\n")
    []
    >>> orphan_outputs("Some words.\\n\\n```text\\nmade up\\n```\\n")
    [3]
    """
    blocks = list(OUTPUT_BLOCK.finditer(text))
    orphans = []
    for before, block in zip([None, *blocks], blocks, strict=False):
        if block["lang"] not in ("text", "console"):
            continue
        follows_code = (
            before is not None
            and before["lang"] == "python"
            and not text[before.end() : block.start()].strip()
        )
        if not follows_code:
            orphans.append(text[: block.start()].count("\n") + 1)
    return orphans


@pytest.mark.parametrize(
    "page",
    sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_every_output_in_the_docs_comes_from_the_code_above_it(page: Path) -> None:
    # tests/test_docs.py runs each python block and compares the text block
    # right after it; an output block anywhere else would be checked by no one
    assert orphan_outputs(page.read_text(encoding="utf-8")) == []
