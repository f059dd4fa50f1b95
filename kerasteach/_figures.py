"""Matplotlib figures that never touch pyplot: no GUI window, no leaked state.

Each plot is a ``matplotlib.figure.Figure`` with an Agg canvas. It is drawn,
returned or saved, and garbage-collected like any object: pyplot would keep
every figure alive until closed and pop up windows from a script.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from kerasteach._notebook import in_jupyter

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def new_figure(width: float, height: float) -> Figure:
    """An empty figure of ``width`` x ``height`` inches, ready to draw on.

    >>> new_figure(4, 3).get_size_inches().tolist()
    [4.0, 3.0]
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    _show_figures_in_jupyter()
    return figure


def png_bytes(figure: Figure, dpi: int = 100) -> bytes:
    """The figure rendered as PNG."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def save_png(figure: Figure, path: str | os.PathLike, dpi: int = 100) -> Path:
    """Write the figure to ``path`` atomically: a reader never sees half a PNG."""
    from kerasteach._files import atomic_writer

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(target) as stream:
        stream.write(png_bytes(figure, dpi))
    return target


def _show_figures_in_jupyter() -> None:
    # A pyplot-free Figure has no PNG representation of its own, so a returned
    # figure would print as "<Figure size ...>" in a notebook. Register one.
    if not in_jupyter():
        return
    from IPython import get_ipython
    from matplotlib.figure import Figure

    formatter = get_ipython().display_formatter.formatters["image/png"]
    if formatter.for_type(Figure) is None:  # the inline backend may own it
        formatter.for_type(Figure, png_bytes)
