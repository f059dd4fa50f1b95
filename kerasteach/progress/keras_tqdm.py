"""Drop-in names for keras-tqdm: change the import, keep the workshop code.

keras-tqdm crashes on Keras 3 (``KeyError: 'metrics'``). These classes take its
main arguments and draw with ``TqdmProgress``. Two differences: epochs are
numbered from 1, as Keras prints them, and values are shown as Keras gives
them (keras-tqdm averaged values that were already averages).

>>> from kerasteach import TQDMCallback
>>> callback = TQDMCallback(leave_inner=False, metric_format="{name}: {value:0.4f}")
"""

from __future__ import annotations

import sys
from typing import IO

from kerasteach.progress.callback import TqdmProgress


class TQDMCallback(TqdmProgress):
    """keras-tqdm's ``TQDMCallback``: text bars (lines in a log or file)."""

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
        self._inner_update = inner_description_update
        self._initial_epoch = initial


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
