"""``LivePlot``: loss and metric curves redrawn after every epoch."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import keras

from kerasteach._figures import new_figure, png_bytes, save_png
from kerasteach._notebook import in_jupyter
from kerasteach.plots.history import draw_curves, figure_size, panels

DEFAULT_PATH = "training_curves.png"


class LivePlot(keras.callbacks.Callback):
    """Training curves that grow while the model trains (livelossplot's job).

    One panel per metric with its validation twin. In Jupyter the picture below
    the cell is replaced in place after each epoch (progress bars above it stay);
    in a script the curves are written to ``path`` (default
    ``training_curves.png``), atomically, so an image viewer never sees half a
    file. Only epoch hooks are used: training is not slowed between epochs.

    Args:
        path: where to save the PNG. In Jupyter nothing is saved unless given.
        metrics: the panels to draw (default: every metric, loss first).
        every: redraw every this many epochs (the last epoch is always drawn).
        dpi: resolution of the PNG.

    >>> import numpy as np, keras, tempfile, os
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> model.compile(loss="mse", metrics=["mae"])
    >>> path = os.path.join(tempfile.mkdtemp(), "curves.png")
    >>> _ = model.fit(np.ones((8, 3)), np.ones(8), epochs=2, verbose=0,
    ...               validation_split=0.25, callbacks=[LivePlot(path)])
    >>> os.path.getsize(path) > 0
    True
    """

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        *,
        metrics: list[str] | None = None,
        every: int = 1,
        dpi: int = 100,
    ) -> None:
        super().__init__()
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive int; got {every!r}")
        self.path = Path(path) if path is not None else None
        self.metrics = metrics
        self.every = every
        self.dpi = dpi
        self.epochs: list[int] = []
        self.logs: dict[str, list[float]] = {}
        self.figure = None
        self._handle: Any = None
        self._drawn_epoch: int | None = None

    @property
    def saved_to(self) -> Path | None:
        """Where the PNG goes: ``path``, or the default outside Jupyter."""
        if self.path is not None:
            return self.path
        return None if in_jupyter() else Path(DEFAULT_PATH)

    def on_train_begin(self, logs=None) -> None:
        self._handle = None  # a new fit (or a re-run cell) gets a new picture

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.epochs and epoch <= self.epochs[-1] - 1:
            self.epochs, self.logs = [], {}  # fit started over: a new run
        self.epochs.append(epoch + 1)
        for name, value in (logs or {}).items():
            if isinstance(value, int | float):
                self.logs.setdefault(name, []).append(float(value))
        if (epoch + 1) % self.every == 0:
            self.draw()

    def on_train_end(self, logs=None) -> None:
        if self.epochs and self._drawn_epoch != self.epochs[-1]:
            self.draw()
        if self.saved_to is not None and self.epochs and not in_jupyter():
            print(f"Training curves saved to {self.saved_to}", file=sys.stderr)

    def draw(self) -> None:
        """Redraw the curves now: in the notebook, into the PNG file, or both."""
        chosen = panels(self.logs, self.metrics)
        if not chosen:
            return
        if self.figure is None:
            self.figure = new_figure(*figure_size(len(chosen)))
        self.figure.clear()  # one figure, reused: nothing piles up per epoch
        self.figure.set_size_inches(*figure_size(len(chosen)))
        draw_curves(self.figure, {"": (self.epochs, self.logs)}, chosen)
        self._drawn_epoch = self.epochs[-1]
        if in_jupyter():
            self._show_in_notebook()
        if self.saved_to is not None:
            save_png(self.figure, self.saved_to, self.dpi)

    def _show_in_notebook(self) -> None:
        from IPython.display import Image, display

        image = Image(data=png_bytes(self.figure, self.dpi), format="png")
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)
