"""``TqdmProgress``: tqdm bars for ``fit``, ``evaluate`` and ``predict``."""

from __future__ import annotations

import os
import re
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import IO, Any

import keras

from kerasteach._notebook import have_widgets, in_jupyter
from kerasteach._processes import is_chief, warn_if_unsupported_job
from kerasteach.progress.displays import LineDisplay, TqdmDisplay
from kerasteach.progress.metrics_text import (
    format_metrics,
    separator_for,
)

MODES = ("auto", "notebook", "terminal", "lines")


def keras_passes_last_step(version: str | None = None) -> bool:
    """True from Keras 3.11, whose trainers pass a batch hook the last step of
    an execution of ``steps_per_execution`` batches; before, the first.

    >>> keras_passes_last_step("3.10.0"), keras_passes_last_step("3.11.1")
    (False, True)
    """
    numbers = re.findall(r"\d+", version or keras.__version__)[:2]
    return tuple(int(n) for n in numbers) >= (3, 11)


def steps_per_hook(model: Any) -> int:
    """How many batches a batch hook's ``batch`` stands for after it: 1 where
    Keras passes the last step of an execution, ``steps_per_execution``
    where it passes the first (Keras 3.5 to 3.10)."""
    if keras_passes_last_step():
        return 1
    try:
        return max(1, int(getattr(model, "steps_per_execution", 1) or 1))
    except (TypeError, ValueError):
        return 1


def clamp(seen: int, steps: int | None) -> int:
    """Batches done, at most ``steps``: with ``steps_per_execution`` > 1, Keras
    reports the last execution's nominal end (24 for 23 batches, 20 for 19).

    >>> clamp(24, 23), clamp(24, None)
    (23, 24)
    """
    return min(seen, steps) if steps else seen


class TqdmProgress(keras.callbacks.Callback):
    """Progress bars for training: epochs outside, batches inside, metrics beside.

    Use it with ``verbose=0`` so Keras' own bar stays quiet. The same object
    also gives ``evaluate`` and ``predict`` a bar when passed to them. In
    Jupyter it draws tqdm's widgets, in a terminal text bars, and in a CI log or
    a file (a stream that is not a terminal) one complete line per epoch.

    Args:
        show_outer: the bar over epochs.
        show_inner: the bar over batches (and a validation bar during ``fit``).
        leave_outer: keep the epoch bar (and evaluate/predict bars) when done.
        leave_inner: keep one batch bar per epoch instead of reusing one.
        metric_format: how each metric is written, with ``{name}`` and ``{value}``.
        separator: between metrics; `` · `` unless the stream cannot write it.
        short_names: ``acc`` for ``accuracy``, ``mse`` for ``mean_squared_error``.
        batch_size: when given, rates are shown in samples per second.
        file: the stream (default ``sys.stderr``, as tqdm), or a file path: the
            callback opens it (appending) for each run and closes it after.
        position: the first terminal line of the bars; by default tqdm places
            them below any bars already open (a ``for`` loop of your own).
        mode: ``"auto"``, ``"notebook"``, ``"terminal"`` or ``"lines"``.
        refresh_interval: seconds between redraws (the batch hook does nothing
            else in between, so the bars cost almost nothing).
        all_processes: in a job of several processes (Keras' distribution API
            on JAX), every process draws; by default only process 0 does, so
            the job shows one set of bars. Counts are the job's global batches.

    >>> import io, numpy as np, keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> model.compile(loss="mse")
    >>> log = io.StringIO()  # not a terminal: one line per epoch
    >>> _ = model.fit(np.ones((8, 3)), np.ones(8), epochs=2, batch_size=4,
    ...               verbose=0, callbacks=[TqdmProgress(file=log)])
    >>> [line.split(" · ")[:2] for line in log.getvalue().splitlines()]
    [['Epoch 1/2', '2/2 batches'], ['Epoch 2/2', '2/2 batches']]
    """

    # Batch hooks only store two values and check a clock, under a lock when
    # they draw: safe on Keras' background threads (JAX and PyTorch dispatch
    # batch hooks there unless a callback says it is not safe).
    async_safe = True

    def __init__(
        self,
        *,
        show_outer: bool = True,
        show_inner: bool = True,
        leave_outer: bool = True,
        leave_inner: bool = False,
        metric_format: str = "{name} {value:.3f}",  # metrics_text.DEFAULT_METRIC_FORMAT
        separator: str | None = None,
        short_names: bool = True,
        batch_size: int | None = None,
        file: IO[str] | str | os.PathLike | None = None,
        position: int | None = None,
        mode: str = "auto",
        refresh_interval: float = 0.1,
        outer_description: str = "Training",
        inner_description: str = "Epoch {epoch}/{epochs}",
        all_processes: bool = False,
    ) -> None:
        super().__init__()
        check_arguments(
            all_processes=all_processes,
            show_outer=show_outer,
            show_inner=show_inner,
            leave_outer=leave_outer,
            leave_inner=leave_inner,
            short_names=short_names,
            metric_format=metric_format,
            separator=separator,
            batch_size=batch_size,
            file=file,
            position=position,
            mode=mode,
            refresh_interval=refresh_interval,
            outer_description=outer_description,
            inner_description=inner_description,
        )
        self.show_outer, self.show_inner = show_outer, show_inner
        self.leave_outer, self.leave_inner = leave_outer, leave_inner
        self.metric_format = metric_format
        self.separator = separator
        self.short_names = short_names
        self.batch_size = batch_size
        self.file = file
        self.position = position
        self.mode = mode
        self.refresh_interval = refresh_interval
        self.outer_description = outer_description
        self.inner_description = inner_description
        self.all_processes = all_processes
        self._inner_update: str | None = None  # keras-tqdm's metrics-in-description
        self._initial_epoch = 0
        self._lock = threading.Lock()
        self._display: Any = None
        self._in_fit = False
        self._due = 0.0
        self._epochs = 0
        self._train_steps: int | None = None
        self._validation_steps: int | None = None
        self._run_steps: int | None = None
        self._seen = self._validation_seen = self._run_seen = 0
        self._reach = 1  # batches a hook's step stands for (steps_per_hook)
        self._logs: dict | None = None
        self._validation_logs: dict | None = None
        self._run_logs: dict | None = None
        self._opened: IO[str] | None = None  # a file this callback opened
        self._warned_verbose = False

    # -- choosing the display ---------------------------------------------------

    def resolved_mode(self) -> str:
        """The mode ``"auto"`` stands for here: notebook, terminal or lines."""
        if isinstance(self.file, str | os.PathLike):
            return "lines"  # a file on disk gets complete lines
        if self.mode == "notebook" and not in_jupyter():
            return "terminal"  # widgets outside Jupyter would print as text
        if self.mode != "auto":
            return self.mode
        if in_jupyter():
            return "notebook" if have_widgets() else "terminal"
        stream = self.file if self.file is not None else sys.stderr
        isatty = getattr(stream, "isatty", None)
        return "terminal" if isatty is not None and isatty() else "lines"

    def _stream(self) -> IO[str]:
        """The stream to draw on; a path is opened here and closed by ``_done``."""
        if isinstance(self.file, str | os.PathLike):
            if self._opened is None:
                self._opened = open(Path(self.file), "a", encoding="utf-8")  # noqa: SIM115
            return self._opened
        return self.file if self.file is not None else sys.stderr

    def _done(self) -> None:
        if self._opened is not None:
            self._opened.close()
            self._opened = None

    def _new_display(self) -> Any:
        if not self.all_processes and not is_chief():
            return NullDisplay()  # the chief draws for the whole job
        stream = self._stream()
        separator = self.separator or separator_for(stream)
        mode = self.resolved_mode()
        if mode == "lines":
            return LineDisplay(
                stream,
                outer_description=self.outer_description,
                batch_size=self.batch_size,
                separator=separator,
                inner_description=self.inner_description,
                inner_update=self._inner_update,
            )
        if mode == "notebook" and have_widgets():
            from tqdm.notebook import tqdm as tqdm_class
        else:
            if mode == "notebook":
                warnings.warn(
                    "kerasteach: notebook progress bars need ipywidgets "
                    "(pip install ipywidgets); showing text bars instead.",
                    stacklevel=user_stacklevel(),
                )
            from tqdm.std import tqdm as tqdm_class
        return TqdmDisplay(
            tqdm_class,
            file=None if self.file is None else stream,
            position=self.position,
            show_outer=self.show_outer,
            show_inner=self.show_inner,
            leave_outer=self.leave_outer,
            leave_inner=self.leave_inner,
            outer_description=self.outer_description,
            inner_description=self.inner_description,
            batch_size=self.batch_size,
            separator=separator,
            inner_update=self._inner_update,
            **self._bar_options(tqdm_class),
        )

    def _bar_options(self, tqdm_class: Any) -> dict[str, Any]:
        """Extra TqdmDisplay options: keras-tqdm's drop-ins make their own bars."""
        return {}

    def _text(self, logs: dict | None, keep=None) -> str:
        if logs and keep is not None:
            logs = {k: v for k, v in logs.items() if keep(k)}
        return self._metrics_text(logs)

    def _progress_text(self, logs: dict | None) -> str:
        """The metrics beside the batch bar while an epoch runs."""
        return self._text(logs)

    def _metrics_text(self, logs: dict | None) -> str:
        return format_metrics(
            logs, self.metric_format, self._display.separator, self.short_names
        )

    # -- fit ----------------------------------------------------------------------

    def on_train_begin(self, logs=None) -> None:
        warn_if_unsupported_job()
        self._in_fit = True
        self._reach = steps_per_hook(self.model)
        self._epochs = self.params.get("epochs") or 0
        self._train_steps = self.params.get("steps")
        self._validation_steps = None
        if self.params.get("verbose", 0) not in (0, None):
            # Two bars on one screen interleave into noise: Keras' alone stays.
            if not self._warned_verbose:
                warnings.warn(
                    f"kerasteach.{type(self).__name__}: Keras' own progress bar is "
                    "on too, so this one stays quiet for this fit(); pass "
                    "verbose=0 to fit() to see kerasteach's bars instead.",
                    stacklevel=user_stacklevel(),
                )
                self._warned_verbose = True
            self._display = NullDisplay()
            return
        self._display = self._new_display()
        self._display.train_begin(self._epochs, self._initial_epoch)

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        with self._lock:
            self._seen, self._logs, self._due = 0, None, 0.0
            self._display.epoch_begin(epoch, self._epochs, self._train_steps)

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        # The hot path: store, check the clock, return. With
        # steps_per_execution > 1, ``batch`` is the last step of the execution
        # (Keras 3.11 on) or its first (before): _reach says how far it goes.
        if batch >= self._seen:
            self._seen, self._logs = batch + self._reach, logs
        if time.monotonic() >= self._due and self._lock.acquire(blocking=False):
            try:
                self._due = time.monotonic() + self.refresh_interval
                self._display.train_progress(
                    clamp(self._seen, self._train_steps),
                    self._progress_text(self._logs),
                )
            finally:
                self._lock.release()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        with self._lock:
            if self._train_steps is None:  # unknown length: learned now
                self._train_steps = self._seen or None
            train_text = self._text(logs, keep=lambda name: not name.startswith("val_"))
            stopped = bool(getattr(self.model, "stop_training", False))
            seen = self._whole(self._seen, self._train_steps, stopped)
            self._display.epoch_end(epoch, seen, train_text, self._text(logs))

    def on_train_end(self, logs=None) -> None:
        with self._lock:
            self._in_fit = False
            self._display.train_end()
            self._done()

    # -- evaluate (and validation inside fit) ---------------------------------------

    def on_test_begin(self, logs=None) -> None:
        with self._lock:
            self._reach = steps_per_hook(self.model)
            if self._in_fit:
                self._validation_seen, self._validation_logs = 0, None
                self._display.validation_begin(self._validation_steps)
            else:
                self._run_begin("Evaluate")
            self._due = 0.0

    def on_test_batch_end(self, batch: int, logs=None) -> None:
        if self._in_fit:
            if batch >= self._validation_seen:
                self._validation_seen = batch + self._reach
                self._validation_logs = logs
        elif batch >= self._run_seen:
            self._run_seen, self._run_logs = batch + self._reach, logs
        if time.monotonic() >= self._due and self._lock.acquire(blocking=False):
            try:
                self._due = time.monotonic() + self.refresh_interval
                if self._in_fit:
                    text = self._text(self._validation_logs)
                    seen = clamp(self._validation_seen, self._validation_steps)
                    self._display.validation_progress(seen, text)
                else:
                    self._display.run_progress(
                        clamp(self._run_seen, self._run_steps),
                        self._text(self._run_logs),
                    )
            finally:
                self._lock.release()

    def on_test_end(self, logs=None) -> None:
        with self._lock:
            if self._in_fit:
                if self._validation_steps is None:
                    self._validation_steps = self._validation_seen or None
                seen = self._whole(self._validation_seen, self._validation_steps)
                self._display.validation_end(seen, self._text(logs))
            else:
                seen = self._whole(self._run_seen, self._run_steps)
                self._display.run_end(seen, self._text(logs))
                self._done()

    # -- predict ------------------------------------------------------------------

    def on_predict_begin(self, logs=None) -> None:
        with self._lock:
            self._reach = steps_per_hook(self.model)
            self._run_begin("Predict")

    def on_predict_batch_end(self, batch: int, logs=None) -> None:
        if batch >= self._run_seen:
            self._run_seen = batch + self._reach
        if time.monotonic() >= self._due and self._lock.acquire(blocking=False):
            try:
                self._due = time.monotonic() + self.refresh_interval
                seen = clamp(self._run_seen, self._run_steps)
                self._display.run_progress(seen, "")
            finally:
                self._lock.release()

    def on_predict_end(self, logs=None) -> None:
        with self._lock:
            self._display.run_end(self._whole(self._run_seen, self._run_steps), "")
            self._done()

    def _whole(self, seen: int, steps: int | None, stopped: bool = False) -> int:
        """Batches done at the end of a pass. Before Keras 3.11, with
        steps_per_execution > 1, the hooks name each execution's first step
        and the last, shorter execution may go unreported: a pass that was not
        stopped early did every one of its known steps."""
        if self._reach > 1 and steps and not stopped:
            return steps
        return clamp(seen, steps)

    def _run_begin(self, kind: str) -> None:
        self._display = self._new_display()
        self._run_seen, self._run_logs, self._due = 0, None, 0.0
        self._run_steps = self.params.get("steps")
        self._display.run_begin(kind, self._run_steps)


class NullDisplay:
    """Draws nothing: for a fit where Keras' own bar is on."""

    separator = " · "

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the user's own line (their
    ``fit`` call), past every frame inside Keras, its backends and kerasteach."""
    inside = tuple(
        os.path.dirname(module.__file__) + os.sep
        for module in (keras, sys.modules[__name__.split(".")[0]])
        if getattr(module, "__file__", None)
    ) + tuple(
        os.path.dirname(sys.modules[name].__file__) + os.sep
        for name in ("tensorflow", "jax", "torch", "tree", "optree")
        if name in sys.modules and getattr(sys.modules[name], "__file__", None)
    )
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(inside):
        frame, level = frame.f_back, level + 1
    return level


def check_arguments(**given: Any) -> None:
    """Every argument of TqdmProgress checked when it is made, not mid-training."""
    for name in (
        "show_outer",
        "show_inner",
        "leave_outer",
        "leave_inner",
        "short_names",
        "all_processes",
    ):
        if not isinstance(given[name], bool):
            raise TypeError(f"{name} is True or False; got {given[name]!r}")
    if given["mode"] not in MODES:
        raise ValueError(
            f"mode must be one of {', '.join(MODES)}; got {given['mode']!r}"
        )
    batch_size = given["batch_size"]
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int)
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}")
    position = given["position"]
    if position is not None and (
        isinstance(position, bool) or not isinstance(position, int) or position < 0
    ):
        raise ValueError(
            f"position is a terminal line, 0 or more (or None to let tqdm choose); "
            f"got {position!r}"
        )
    interval = given["refresh_interval"]
    if (
        isinstance(interval, bool)
        or not isinstance(interval, int | float)
        or not (0 <= interval < float("inf"))
    ):
        raise ValueError(
            f"refresh_interval is seconds between redraws, like 0.1; got {interval!r}"
        )
    metric_format = given["metric_format"]
    if not isinstance(metric_format, str):
        raise TypeError(
            f"metric_format is a format string like '{{name}} {{value:.3f}}'; got "
            f"{metric_format!r}"
        )
    try:  # a bad format fails here, not in the middle of training
        metric_format.format(name="loss", value=0.5)
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(
            f"metric_format {metric_format!r} does not work ({error!r}); use "
            "{name} and {value}, e.g. '{name} {value:.3f}'"
        ) from None
    if given["separator"] is not None and not isinstance(given["separator"], str):
        raise TypeError(f"separator is a string like ' · '; got {given['separator']!r}")
    for name in ("outer_description", "inner_description"):
        if not isinstance(given[name], str):
            raise TypeError(f"{name} is a string; got {given[name]!r}")
    try:
        given["inner_description"].format(epoch=1, epochs=2, metrics="")
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(
            f"inner_description {given['inner_description']!r} does not work "
            f"({error!r}); use {{epoch}} and {{epochs}}, e.g. "
            "'Epoch {epoch}/{epochs}'"
        ) from None
    stream = given["file"]
    if stream is not None and not isinstance(stream, str | os.PathLike):
        if not callable(getattr(stream, "write", None)):
            raise TypeError(
                f"file is a stream with write() (like sys.stderr) or a file path; "
                f"got {stream!r}"
            )
        if getattr(stream, "closed", False):
            raise ValueError(
                f"file {getattr(stream, 'name', stream)!r} is closed: pass an open "
                "stream (a `with open(...)` block ends before fit), or a file path, "
                "which the callback opens and closes itself"
            )
    elif isinstance(stream, str | os.PathLike):
        folder = Path(stream).expanduser().resolve().parent
        if not folder.is_dir():
            raise ValueError(f"file {str(stream)!r}: there is no folder {folder}")
