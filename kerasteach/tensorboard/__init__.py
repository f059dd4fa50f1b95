"""TensorBoard hooks that teach: what the layers see, where the classifier is
confused, which examples it gets wrong, and the model in readable text.

Names are loaded on first use, so ``kerasteach tensorboard`` starts without
importing Keras.

>>> import numpy as np, kerasteach
>>> callbacks = kerasteach.tensorboard_callbacks("logs", sample=np.zeros((2, 8, 8, 1)))
>>> len(callbacks)
4
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "tensorboard_callbacks": "bundle",
    "ActivationImages": "callbacks",
    "ClassroomTensorBoard": "callbacks",
    "ConfusionMatrix": "callbacks",
    "HParams": "callbacks",
    "MisclassifiedImages": "callbacks",
    "ModelSummaryText": "callbacks",
    "TensorBoardServer": "launch",
    "launch_tensorboard": "launch",
    "RunFolder": "runs",
    "TensorBoardError": "runs",
}

__all__ = [
    "ActivationImages",
    "ClassroomTensorBoard",
    "ConfusionMatrix",
    "HParams",
    "MisclassifiedImages",
    "ModelSummaryText",
    "RunFolder",
    "TensorBoardError",
    "TensorBoardServer",
    "launch_tensorboard",
    "tensorboard_callbacks",
]
assert __all__ == sorted(_WHERE)  # one list of names, spelled twice for tools

if TYPE_CHECKING:  # for type checkers and the API reference; loaded lazily
    from kerasteach.tensorboard.bundle import tensorboard_callbacks
    from kerasteach.tensorboard.callbacks import (
        ActivationImages,
        ClassroomTensorBoard,
        ConfusionMatrix,
        HParams,
        MisclassifiedImages,
        ModelSummaryText,
    )
    from kerasteach.tensorboard.launch import TensorBoardServer, launch_tensorboard
    from kerasteach.tensorboard.runs import RunFolder, TensorBoardError


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
