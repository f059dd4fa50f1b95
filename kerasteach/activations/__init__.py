"""Looking inside a network: activations, plots, heat maps, a report, an explorer."""

from kerasteach.activations.extract import (
    ActivationError,
    choose_layers,
    get_activations,
    layer_names,
)
from kerasteach.activations.plots import plot_activations, plot_filters

__all__ = [
    "ActivationError",
    "choose_layers",
    "get_activations",
    "layer_names",
    "plot_activations",
    "plot_filters",
]
