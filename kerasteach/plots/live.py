"""``LivePlot``: loss and metric curves redrawn after every epoch."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras

from kerasteach._figures import new_figure, png_bytes, save_png
from kerasteach._notebook import in_jupyter
from kerasteach._processes import is_chief
from kerasteach.plots.history import Layout, draw_curves

DEFAULT_PATH = "training_curves.png"
MODES = ("auto", "notebook", "script")


class LivePlot(keras.callbacks.Callback):
    """Training curves that grow while the model trains (livelossplot's job).

    One panel per metric with its validation twin. In Jupyter the picture below
    the cell is replaced in place after each epoch (progress bars above it stay);
    in a script the curves are written to ``path`` (default
    ``training_curves.png``), atomically, so an image viewer never sees half a
    file. Only epoch hooks are used: training is not slowed between epochs.

    Without ``fit`` (a training loop written by hand), call ``update(logs)``
    once an epoch, with a dict like ``{"loss": 0.3, "val_loss": 0.4}``.

    Args:
        path: where to save the PNG. In Jupyter nothing is saved unless given.
        metrics: the panels to draw (default: every metric, loss first).
        every: redraw every this many epochs (the last epoch is always drawn).
        dpi: resolution of the PNG.
        groups: several metrics in one panel, ``{"accuracy": ["acc", "top5"]}``
            (livelossplot's ``groups``).
        metric_to_name: display names for the panels, ``{"acc": "Accuracy"}``.
        log_scale: True, or the panels drawn on a logarithmic values axis.
        figsize: (width, height) in inches; max_cols: panels per row.
        skip_first: epochs left out at the start of the curves.
        from_step: livelossplot's name: a positive number is ``skip_first``,
            a negative one shows only the last that many epochs.
        max_epoch: the epochs axis spans 1 to this from the first epoch.
        after_subplot: ``after_subplot(axes, title, "epoch")`` is called once
            each panel is drawn, to restyle it.
        extra_plots: functions drawn in panels of their own, each called as
            ``plot(axes, logs)`` (``logs["epoch"]`` and every metric's values).
        print_extrema: after each epoch, print each metric's lowest, highest
            and current value (livelossplot's ``ExtremaPrinter``).
        mode: ``"auto"`` (a picture under the cell in Jupyter, a file
            elsewhere), ``"notebook"`` (always shown under the cell) or
            ``"script"`` (always a file, in Jupyter too).
        all_processes: in a job of several processes, every process draws
            and saves; by default only process 0 does (one picture per job).

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
        groups: dict[str, list[str]] | None = None,
        metric_to_name: dict[str, str] | None = None,
        log_scale: bool | list[str] = False,
        figsize: tuple[float, float] | None = None,
        max_cols: int = 3,  # MAX_COLUMNS, written out for the API reference
        skip_first: int = 0,
        from_step: int = 0,
        max_epoch: int | None = None,
        after_subplot: Callable[[Any, str, str], None] | None = None,
        extra_plots: Sequence[Callable[[Any, dict], None]] = (),
        print_extrema: bool = False,
        mode: str = "auto",
        all_processes: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(all_processes, bool):
            raise TypeError(f"all_processes is True or False; got {all_processes!r}")
        if mode not in MODES:
            raise ValueError(f"mode is one of {', '.join(MODES)}; got {mode!r}")
        if isinstance(from_step, bool) or not isinstance(from_step, int):
            raise ValueError(
                f"from_step is a whole number of epochs (negative: the last ones); "
                f"got {from_step!r}"
            )
        self.all_processes = all_processes
        self.mode = mode
        self.print_extrema = bool(print_extrema)
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive int; got {every!r}")
        self.path = Path(path) if path is not None else None
        self.metrics = metrics
        self.layout = Layout(
            metrics=metrics,
            groups=groups,
            names=dict(metric_to_name or {}),
            log_scale=log_scale,
            max_cols=max_cols,
            figsize=figsize,
            skip_first=max(skip_first, from_step),
            last=-from_step if from_step < 0 else None,
            max_epoch=max_epoch,
            after_subplot=after_subplot,
            extra_plots=tuple(extra_plots),
        )
        self.every = every
        self.dpi = dpi
        self.epochs: list[int] = []
        self.logs: dict[str, list[float]] = {}
        self.figure = None
        self._handle: Any = None
        self._drawn_epoch: int | None = None

    def _in_notebook(self) -> bool:
        """Whether the picture goes under the cell (``mode``, else Jupyter)."""
        return self.mode == "notebook" or (self.mode == "auto" and in_jupyter())

    @property
    def saved_to(self) -> Path | None:
        """Where the PNG goes: ``path``, or the default outside Jupyter."""
        if self.path is not None:
            return self.path
        return None if self._in_notebook() else Path(DEFAULT_PATH)

    def on_train_begin(self, logs=None) -> None:
        self._handle = None  # a new fit (or a re-run cell) gets a new picture

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.epochs and epoch <= self.epochs[-1] - 1:
            self.epochs, self.logs = [], {}  # fit started over: a new run
        self._record(epoch + 1, logs or {})
        self._show(epoch + 1)

    def update(self, logs: dict[str, float], *, epoch: int | None = None) -> None:
        """One epoch of a training loop written by hand: record, then redraw.

        ``epoch`` counts from 1 (default: the one after the last). Values may be
        Python or NumPy numbers, or 0-d tensors of any backend.

        >>> import tempfile
        >>> live = LivePlot(os.path.join(tempfile.mkdtemp(), "c.png"))
        >>> for epoch in range(3):
        ...     live.update({"loss": 1 / (epoch + 1), "val_loss": 1.2 / (epoch + 1)})
        >>> live.epochs, [round(v, 2) for v in live.logs["val_loss"]]
        ([1, 2, 3], [1.2, 0.6, 0.4])
        """
        if not isinstance(logs, dict):
            raise TypeError(
                f"update() takes a dict of metric values, like {{'loss': 0.3}}; "
                f"got {type(logs).__name__}"
            )
        number = (
            epoch if epoch is not None else (self.epochs[-1] + 1 if self.epochs else 1)
        )
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ValueError(f"epoch counts from 1; got {epoch!r}")
        self._record(number, logs)
        self._show(number)

    def _show(self, epoch: int) -> None:
        """After an epoch is recorded: redraw when due, print the extrema."""
        if epoch % self.every == 0:
            self.draw()
        if self.print_extrema and self._draws_here():
            print(extrema_text(self.layout, self.logs), flush=True)

    def send(self) -> None:
        """livelossplot's name for drawing now (a no-op if already drawn)."""
        if self.epochs and self._drawn_epoch != self.epochs[-1]:
            self.draw()

    def _record(self, epoch: int, logs: dict) -> None:
        self.epochs.append(epoch)
        length = len(self.epochs)
        for name, value in logs.items():
            number = _as_number(value)
            if number is None:
                continue
            values = self.logs.setdefault(name, [])
            values += [math.nan] * (
                length - 1 - len(values)
            )  # a metric that starts late
            values.append(number)

    def on_train_end(self, logs=None) -> None:
        if self.epochs and self._drawn_epoch != self.epochs[-1]:
            self.draw()
        if not self._draws_here():
            return
        if self.saved_to is not None and self.epochs and not self._in_notebook():
            print(f"Training curves saved to {self.saved_to}", file=sys.stderr)

    def draw(self) -> None:
        """Redraw the curves now: in the notebook, into the PNG file, or both."""
        chosen = self.layout.panels(self.logs)
        if not chosen or not self._draws_here():
            return
        size = self.layout.size(len(chosen))
        if self.figure is None:
            self.figure = new_figure(*size)
        self.figure.clear()  # one figure, reused: nothing piles up per epoch
        self.figure.set_size_inches(*size)
        draw_curves(self.figure, {"": (self.epochs, self.logs)}, chosen, self.layout)
        self._drawn_epoch = self.epochs[-1]
        if self._in_notebook():
            self._show_in_notebook()
        if self.saved_to is not None:
            save_png(self.figure, self.saved_to, self.dpi)

    def _draws_here(self) -> bool:
        """Process 0 draws for a multi-process job (unless all_processes)."""
        return self.all_processes or is_chief()

    def _show_in_notebook(self) -> None:
        from IPython.display import Image, display

        image = Image(data=png_bytes(self.figure, self.dpi), format="png")
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)


def extrema_text(layout: Layout, logs: dict[str, list[float]]) -> str:
    """Each panel's metrics: lowest, highest and current value, for training
    and validation (livelossplot's ``ExtremaPrinter``).

    >>> print(extrema_text(Layout(), {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]}))
    loss
        training    (min: 0.5000, max: 0.9000, cur: 0.5000)
        validation  (min: 0.7000, max: 1.0000, cur: 0.7000)
    """
    lines = []
    for title, members in layout.panels(logs):
        lines.append(layout.names.get(title, title))
        for metric in members:
            for name, kind in ((metric, "training"), (f"val_{metric}", "validation")):
                values = [v for v in logs.get(name, []) if not math.isnan(v)]
                if not values or (metric.startswith("val_") and name != metric):
                    continue
                label = kind if len(members) == 1 else f"{metric} {kind}"
                lines.append(
                    f"    {label:<11} (min: {min(values):.4f}, max: "
                    f"{max(values):.4f}, cur: {values[-1]:.4f})"
                )
    return "\n".join(lines)


def _as_number(value: Any) -> float | None:
    """A metric value as a float: Python, NumPy or a 0-d tensor; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        import numpy as np

        array = np.asarray(keras.ops.convert_to_numpy(value))
    except Exception:  # not a number of any kind Keras knows
        return None
    return float(array) if array.ndim == 0 and array.dtype.kind in "iuf" else None
