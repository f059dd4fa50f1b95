"""Notebooks run for real: cells executed in a Jupyter kernel (nbclient)."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import skip_unless


def execute(cells: list[tuple[str, str] | str], folder: Path, timeout: int = 600):
    """Run ``cells`` (code, or ``(kind, text)`` with kind "code" or "markdown")
    in a new python3 kernel working in ``folder``; returns the notebook."""
    try:
        import nbclient
        import nbformat
    except ImportError:  # the test extra installs them; CI must have them
        skip_unless(False, "nbclient and nbformat are not installed")
    notebook = nbformat.v4.new_notebook()
    for cell in cells:
        kind, text = ("code", cell) if isinstance(cell, str) else cell
        make = (
            nbformat.v4.new_markdown_cell
            if kind == "markdown"
            else nbformat.v4.new_code_cell
        )
        notebook.cells.append(make(text))
    return _run(nbclient, notebook, folder, timeout)


def run_file(path: Path, folder: Path, timeout: int = 600):
    """Run the notebook file at ``path`` in a new python3 kernel working in
    ``folder``; returns the executed notebook (the file is not changed)."""
    try:
        import nbclient
        import nbformat
    except ImportError:
        skip_unless(False, "nbclient and nbformat are not installed")
    return _run(nbclient, nbformat.read(path, as_version=4), folder, timeout)


def _run(nbclient, notebook, folder: Path, timeout: int):
    client = nbclient.NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    # As Jupyter starts it: with PYTEST_CURRENT_TEST, ipykernel would leave
    # descriptor 2 alone, and C++ output (TensorFlow's) would miss the notebook.
    kernel_environment = {
        k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"
    }
    client.execute(env=kernel_environment)
    return notebook


def printed(cells) -> str:
    """Everything the code cells printed, in order."""
    return "".join(
        output.get("text", "")
        for cell in cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
