"""Looking inside a network: activations, plots, heat maps, a report, an explorer."""

from kerasteach.activations.convolution import plot_convolution
from kerasteach.activations.extract import (
    ActivationError,
    Activations,
    LayerNotFoundError,
    choose_layers,
    get_activations,
    layer_names,
    output_keys,
)
from kerasteach.activations.heatmaps import grad_cam, overlay, plot_heatmaps, saliency
from kerasteach.activations.plots import plot_activations, plot_filters
from kerasteach.activations.report import activation_report

__all__ = [
    "ActivationError",
    "Activations",
    "LayerNotFoundError",
    "activation_report",
    "choose_layers",
    "get_activations",
    "grad_cam",
    "layer_names",
    "output_keys",
    "overlay",
    "plot_activations",
    "plot_convolution",
    "plot_filters",
    "plot_heatmaps",
    "saliency",
]
