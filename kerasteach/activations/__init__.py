"""Looking inside a network: activations, plots, heat maps, a report, an explorer."""

from kerasteach.activations.extract import (
    ActivationError,
    choose_layers,
    get_activations,
    layer_names,
)
from kerasteach.activations.heatmaps import grad_cam, overlay, plot_heatmaps, saliency
from kerasteach.activations.plots import plot_activations, plot_filters
from kerasteach.activations.report import activation_report

__all__ = [
    "ActivationError",
    "activation_report",
    "choose_layers",
    "get_activations",
    "grad_cam",
    "layer_names",
    "overlay",
    "plot_activations",
    "plot_filters",
    "plot_heatmaps",
    "saliency",
]
