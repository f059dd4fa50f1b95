"""Drop-in names for keras-tqdm: change the import, keep the workshop code.

keras-tqdm crashes on Keras 3 (``KeyError: 'metrics'``). These classes take its
arguments and customisation points and draw with ``TqdmProgress``. Two
differences: epochs are numbered from 1, as Keras prints them, and values are
shown as Keras gives them (keras-tqdm averaged values that were already
averages). In a log (not a terminal) each epoch is one line, written with
``inner_description_update``.

>>> from kerasteach import TQDMCallback
>>> callback = TQDMCallback(leave_inner=False, metric_format="{name}: {value:0.4f}")
"""

from __future__ import annotations

import numbers
import sys
from typing import IO, Any

import numpy as np

from kerasteach.progress.callback import TqdmProgress
from kerasteach.progress.metrics_text import format_metrics


class TQDMCallback(TqdmProgress):
    """keras-tqdm's ``TQDMCallback``: text bars (lines in a log or file).

    Every argument of keras-tqdm works, and so do its customisation points:
    override ``tqdm()`` (every bar), ``build_tqdm_outer()`` or
    ``build_tqdm_inner()`` (one of them), ``format_metrics()`` (the metrics
    text) or ``append_logs()`` (what is kept of each batch's logs, in
    ``running_logs``). ``initial`` starts the epoch bar at that count.
    """

    def __init__(
        self,
        outer_description: str = "Training",
        inner_description_initial: str = "Epoch: {epoch}",
        inner_description_update: str = "Epoch: {epoch} - {metrics}",
        metric_format: str = "{name}: {value:0.3f}",
        separator: str = ", ",
        leave_inner: bool = True,
        leave_outer: bool = True,
        show_inner: bool = True,
        show_outer: bool = True,
        output_file: IO[str] | None = None,
        initial: int = 0,
        *,
        mode: str = "auto",
    ) -> None:
        super().__init__(
            show_outer=show_outer,
            show_inner=show_inner,
            leave_outer=leave_outer,
            leave_inner=leave_inner,
            metric_format=metric_format,
            separator=separator,
            short_names=False,
            file=output_file if output_file is not None else sys.stderr,
            mode=mode,
            outer_description=outer_description,
            inner_description=inner_description_initial,
        )
        if isinstance(initial, bool) or not isinstance(initial, int) or initial < 0:
            raise ValueError(
                f"initial is a count of epochs, 0 or more; got {initial!r}"
            )
        try:
            inner_description_update.format(epoch=1, epochs=2, metrics="")
        except (KeyError, IndexError, ValueError, AttributeError) as error:
            raise ValueError(
                f"inner_description_update {inner_description_update!r} does not "
                f"work ({error!r}); use {{epoch}} and {{metrics}}"
            ) from None
        self._inner_update = inner_description_update
        # keras-tqdm's attribute names, for subclasses written against it
        self.inner_description_initial = inner_description_initial
        self.inner_description_update = inner_description_update
        self.output_file = self.file
        self.initial = initial
        self.running_logs: dict[str, list[float]] = {}

    # -- keras-tqdm's customisation points ------------------------------------------

    def tqdm(
        self, desc: str, total: int | None, leave: bool, initial: int = 0, **options
    ) -> Any:
        """Make one progress bar. Override it to give tqdm options of your own
        (``super().tqdm(desc, total, leave, initial, ncols=60)``)."""
        return self._display.new_bar(desc, total, leave, initial=initial, **options)

    def build_tqdm_outer(self, desc: str, total: int | None) -> Any:
        """Make the bar over epochs."""
        return self.tqdm(
            desc=desc, total=total, leave=self.leave_outer, initial=self.initial
        )

    def build_tqdm_inner(self, desc: str, total: int | None) -> Any:
        """Make the bar over one epoch's batches."""
        return self.tqdm(desc=desc, total=total, leave=self.leave_inner)

    def append_logs(self, logs: dict) -> None:
        """Keep what a batch reports. Keras' batch logs are already running
        averages, so each metric keeps its latest value (as a one-item list,
        the shape keras-tqdm kept)."""
        for name, value in logs.items():
            if isinstance(value, numbers.Real) and not isinstance(value, bool):
                self.running_logs[name] = [float(value)]

    def format_metrics(self, logs: dict) -> str:
        """The metrics as one string: ``metric_format`` joined by ``separator``."""
        means = {
            name: float(np.mean(value))
            for name, value in (logs or {}).items()
            if _numeric(value)
        }
        return format_metrics(means, self.metric_format, self.separator, shorten=False)

    @property
    def tqdm_outer(self) -> Any:
        """The tqdm bar over epochs, as keras-tqdm named it (None when not shown)."""
        return getattr(self._display, "outer", None)

    @property
    def tqdm_inner(self) -> Any:
        """The tqdm bar over batches, as keras-tqdm named it (None when not shown)."""
        return getattr(self._display, "inner", None)

    # -- wiring them into TqdmProgress ----------------------------------------------

    def _bar_options(self, tqdm_class: Any) -> dict[str, Any]:
        return {"factory": self._make_bar, "offset": self.initial}

    def _make_bar(self, kind: str, desc: str, total: int | None, leave: bool) -> Any:
        if kind == "outer":
            return self.build_tqdm_outer(desc=desc, total=total)
        if kind == "inner":
            return self.build_tqdm_inner(desc=desc, total=total)
        return self.tqdm(desc=desc, total=total, leave=leave)

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self.running_logs = {}
        super().on_epoch_begin(epoch, logs)

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self.append_logs(logs or {})
        super().on_train_batch_end(batch, logs)

    def _progress_text(self, logs: dict | None) -> str:
        return self.format_metrics(self.running_logs)

    def _metrics_text(self, logs: dict | None) -> str:
        return self.format_metrics(logs or {})


def _numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Real):
        return True
    try:
        return np.asarray(value).dtype.kind in "iuf" and np.asarray(value).size > 0
    except (TypeError, ValueError):
        return False


class TQDMNotebookCallback(TQDMCallback):
    """keras-tqdm's ``TQDMNotebookCallback``: tqdm's widgets in Jupyter.

    Outside Jupyter it draws what ``TQDMCallback`` draws, so the same script
    runs in a notebook, a terminal and a CI log.
    """

    def __init__(
        self,
        outer_description: str = "Training",
        inner_description_initial: str = "Epoch {epoch}",
        inner_description_update: str = "[{metrics}] ",
        metric_format: str = "{name}: {value:0.3f}",
        separator: str = ", ",
        leave_inner: bool = False,
        leave_outer: bool = True,
        output_file: IO[str] | None = None,
        show_inner: bool = True,
        show_outer: bool = True,
        initial: int = 0,
    ) -> None:
        super().__init__(
            outer_description,
            inner_description_initial,
            inner_description_update,
            metric_format,
            separator,
            leave_inner,
            leave_outer,
            show_inner,
            show_outer,
            output_file,
            initial,
        )
