"""kerasteach: see neural networks while you learn them, on Keras 3.

Importing this package is cheap: Keras and TensorFlow are imported only when a
feature that needs them is first used.

>>> import kerasteach
>>> kerasteach.__version__ >= "0.1"
True
>>> kerasteach.datasets.names()[:2]
['cifar10', 'cifar100']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kerasteach._version import __version__

# Public name -> module that defines it. Resolved on first access so that
# `import kerasteach` (and `kerasteach --help`) never pays for Keras.
_LAZY_NAMES = {
    "summary": "kerasteach.model_summary",
    "keras2ascii": "kerasteach.model_summary",
    "Summary": "kerasteach.model_summary",
    "SummaryRow": "kerasteach.model_summary",
    "TqdmProgress": "kerasteach.progress",
    "TQDMCallback": "kerasteach.progress",
    "TQDMNotebookCallback": "kerasteach.progress",
    "LivePlot": "kerasteach.plots",
    "PlotLosses": "kerasteach.plots",
    "PlotLossesKeras": "kerasteach.plots",
    "plot_history": "kerasteach.plots",
    "get_activations": "kerasteach.activations",
    "ActivationError": "kerasteach.activations",
    "Activations": "kerasteach.activations",
    "LayerNotFoundError": "kerasteach.activations",
    "plot_activations": "kerasteach.activations",
    "plot_convolution": "kerasteach.activations",
    "plot_filters": "kerasteach.activations",
    "saliency": "kerasteach.activations",
    "grad_cam": "kerasteach.activations",
    "plot_heatmaps": "kerasteach.activations",
    "activation_report": "kerasteach.activations",
    "explore": "kerasteach.activations.explorer",
    "tensorboard_callbacks": "kerasteach.tensorboard",
    "launch_tensorboard": "kerasteach.tensorboard",
    "ActivationImages": "kerasteach.tensorboard",
    "ClassroomTensorBoard": "kerasteach.tensorboard",
    "ConfusionMatrix": "kerasteach.tensorboard",
    "HParams": "kerasteach.tensorboard",
    "MisclassifiedImages": "kerasteach.tensorboard",
    "ModelSummaryText": "kerasteach.tensorboard",
    "RunFolder": "kerasteach.tensorboard",
    "TensorBoardError": "kerasteach.tensorboard",
    "TensorBoardServer": "kerasteach.tensorboard",
}

# Subpackages reached as attributes (``kerasteach.datasets.load``), imported on
# first use like the names above.
_LAZY_MODULES = ("datasets",)

__all__ = [
    "ActivationError",
    "Activations",
    "ActivationImages",
    "ClassroomTensorBoard",
    "ConfusionMatrix",
    "HParams",
    "LayerNotFoundError",
    "LivePlot",
    "MisclassifiedImages",
    "ModelSummaryText",
    "PlotLosses",
    "PlotLossesKeras",
    "RunFolder",
    "Summary",
    "SummaryRow",
    "TQDMCallback",
    "TQDMNotebookCallback",
    "TensorBoardError",
    "TensorBoardServer",
    "TqdmProgress",
    "__version__",
    "activation_report",
    "datasets",
    "explore",
    "get_activations",
    "grad_cam",
    "keras2ascii",
    "launch_tensorboard",
    "plot_activations",
    "plot_convolution",
    "plot_filters",
    "plot_heatmaps",
    "plot_history",
    "saliency",
    "summary",
    "tensorboard_callbacks",
]

if TYPE_CHECKING:
    from kerasteach import datasets
    from kerasteach.activations import (
        ActivationError,
        Activations,
        LayerNotFoundError,
        activation_report,
        get_activations,
        grad_cam,
        plot_activations,
        plot_convolution,
        plot_filters,
        plot_heatmaps,
        saliency,
    )
    from kerasteach.activations.explorer import explore
    from kerasteach.model_summary import Summary, SummaryRow, keras2ascii, summary
    from kerasteach.plots import LivePlot, PlotLosses, PlotLossesKeras, plot_history
    from kerasteach.progress import TQDMCallback, TQDMNotebookCallback, TqdmProgress
    from kerasteach.tensorboard import (
        ActivationImages,
        ClassroomTensorBoard,
        ConfusionMatrix,
        HParams,
        MisclassifiedImages,
        ModelSummaryText,
        RunFolder,
        TensorBoardError,
        TensorBoardServer,
        launch_tensorboard,
        tensorboard_callbacks,
    )


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f"kerasteach.{name}")
    module_name = _LAZY_NAMES.get(name)
    if module_name is None:
        raise AttributeError(f"module 'kerasteach' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_NAMES) | set(_LAZY_MODULES))
