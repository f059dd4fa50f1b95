"""livelossplot's names and options, for notebooks written against it.

``from livelossplot import PlotLossesKeras`` becomes ``from kerasteach import
PlotLossesKeras``; its options keep their names and meaning, and draw with
``LivePlot``:

- ``outputs``: ``"MatplotlibPlot"`` (the curves) and ``"ExtremaPrinter"``
  (each metric's lowest, highest and current value, printed), as names or as
  the objects below with their options; both by default, as livelossplot;
- ``mode``: ``"notebook"`` (livelossplot's default: here, the picture under
  the cell in Jupyter and a file elsewhere) or ``"script"`` (a file);
- ``groups``, ``metric_to_name``, ``from_step``; and MatplotlibPlot's
  ``cell_size``, ``max_cols``, ``max_epoch``, ``skip_first``, ``extra_plots``,
  ``figpath``, ``after_subplot``.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "curves.png")
>>> plot = PlotLosses(outputs=[MatplotlibPlot(figpath=path), "ExtremaPrinter"])
>>> plot.update({"loss": 0.9, "val_loss": 1.0})
loss
    training    (min: 0.9000, max: 0.9000, cur: 0.9000)
    validation  (min: 1.0000, max: 1.0000, cur: 1.0000)
>>> plot.send(); os.path.exists(path)
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kerasteach.plots.live import LivePlot


class MatplotlibPlot:
    """livelossplot's curves output, with its options (see LivePlot)."""

    def __init__(
        self,
        cell_size: tuple[float, float] = (6, 4),
        max_cols: int = 2,
        max_epoch: int | None = None,
        skip_first: int = 0,
        extra_plots: Sequence[Callable[[Any, dict], None]] = (),
        figpath: str | None = None,
        after_subplot: Callable[[Any, str, str], None] | None = None,
    ) -> None:
        self.options = {
            "cell_size": tuple(cell_size),
            "max_cols": max_cols,
            "max_epoch": max_epoch,
            "skip_first": skip_first,
            "extra_plots": tuple(extra_plots),
            "after_subplot": after_subplot,
        }
        self.figpath = figpath


class ExtremaPrinter:
    """livelossplot's printed extrema output."""


OUTPUTS = {"MatplotlibPlot": MatplotlibPlot, "ExtremaPrinter": ExtremaPrinter}


def _chosen(outputs: Sequence[Any]) -> tuple[MatplotlibPlot | None, bool]:
    """The plot output (with its options) and whether extrema are printed."""
    plot, extrema = None, False
    for output in outputs:
        if isinstance(output, str):
            if output not in OUTPUTS:
                raise ValueError(
                    f"outputs are 'MatplotlibPlot' and 'ExtremaPrinter' (or those "
                    f"objects); got {output!r}"
                )
            output = OUTPUTS[output]()
        if isinstance(output, MatplotlibPlot):
            plot = output
        elif isinstance(output, ExtremaPrinter):
            extrema = True
        else:
            raise ValueError(
                f"outputs are 'MatplotlibPlot' and 'ExtremaPrinter' (or those "
                f"objects); got {output!r}"
            )
    return plot, extrema


class PlotLossesKeras(LivePlot):
    """livelossplot's Keras callback: ``callbacks=[PlotLossesKeras()]``.

    Also usable without ``fit``, as livelossplot's ``PlotLosses``:
    ``update(logs)`` each epoch, then ``send()``.
    """

    def __init__(
        self,
        outputs: Sequence[Any] = ("MatplotlibPlot", "ExtremaPrinter"),
        mode: str = "notebook",
        groups: Mapping[str, Sequence[str]] | None = None,
        metric_to_name: Mapping[str, str] | None = None,
        from_step: int = 0,
        **live_options: Any,
    ) -> None:
        if mode not in ("notebook", "script"):
            raise ValueError(f"mode is 'notebook' or 'script'; got {mode!r}")
        plot, extrema = _chosen(outputs)
        options = dict(plot.options) if plot is not None else {}
        path = plot.figpath if plot is not None else None
        self.draws = plot is not None
        cell_size = options.pop("cell_size", None)
        super().__init__(
            live_options.pop("path", path),
            groups=dict(groups) if groups else None,
            metric_to_name=dict(metric_to_name or {}),
            from_step=from_step,
            print_extrema=extrema,
            mode="auto" if mode == "notebook" else "script",
            **{**options, **live_options},
        )
        if cell_size is not None and "figsize" not in live_options:
            self.layout = dataclasses.replace(self.layout, cell_size=cell_size)

    def draw(self) -> None:
        """Redraw the curves (nothing when ``outputs`` has no MatplotlibPlot)."""
        if self.draws:
            super().draw()

    def update(
        self,
        logs: dict[str, float],
        *,
        epoch: int | None = None,
        current_step: int | None = None,
    ) -> None:
        """One epoch's values, as ``LivePlot.update``; livelossplot's
        ``current_step`` is the epoch."""
        super().update(logs, epoch=epoch if epoch is not None else current_step)


PlotLosses = PlotLossesKeras
