"""Training curves: ``LivePlot`` while training, ``plot_history`` afterwards;
livelossplot's names (``PlotLossesKeras``, ``PlotLosses``) for its notebooks."""

from kerasteach.plots.history import plot_history
from kerasteach.plots.live import LivePlot
from kerasteach.plots.livelossplot_names import (
    ExtremaPrinter,
    MatplotlibPlot,
    PlotLosses,
    PlotLossesKeras,
)

__all__ = [
    "ExtremaPrinter",
    "LivePlot",
    "MatplotlibPlot",
    "PlotLosses",
    "PlotLossesKeras",
    "plot_history",
]
