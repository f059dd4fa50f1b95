"""Looking inside a network: activations, plots, heat maps, a report, an explorer."""

from kerasteach.activations.extract import (
    ActivationError,
    choose_layers,
    get_activations,
    layer_names,
)

__all__ = ["ActivationError", "choose_layers", "get_activations", "layer_names"]
