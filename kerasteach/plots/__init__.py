"""Training curves: ``LivePlot`` while training, ``plot_history`` afterwards."""

from kerasteach.plots.history import plot_history
from kerasteach.plots.live import LivePlot

__all__ = ["LivePlot", "plot_history"]
