"""Where progress is drawn: tqdm bars (terminal or notebook widgets) or plain lines.

The callback counts batches and decides when to refresh; a display only draws.
Both displays take the same calls, so the callback never asks where it runs.
"""

from __future__ import annotations

import time
from typing import IO, Any

from kerasteach.progress.metrics_text import separator_for


def rate_text(steps: int, seconds: float, batch_size: int | None) -> str:
    """``"57.1 batches/s"``, or samples per second when the batch size is known.

    >>> rate_text(120, 2.0, None), rate_text(120, 2.0, 128)
    ('60.0 batches/s', '7,680 samples/s')
    """
    if seconds <= 0:
        return ""
    if batch_size:
        return f"{steps * batch_size / seconds:,.0f} samples/s"
    return f"{steps / seconds:.1f} batches/s"


def learn_total(bar: Any, total: int) -> None:
    """Give a bar that was counting with no total the total it found.

    Unlike ``bar.reset(total=...)``, this keeps the count and the clock, so the
    final rate stays right. A notebook bar's widget gets its new end as well
    (tqdm's own ``reset`` does the same to its widget).
    """
    if bar.total is not None:
        return
    bar.total = total
    container = getattr(bar, "container", None)  # tqdm.notebook's widget box
    if container is not None:
        _, widget, _ = container.children
        widget.max = total
        if bar.ncols is None:
            widget.layout.width = None  # was drawn as an indefinite stripe


class TqdmDisplay:
    """Nested tqdm bars: epochs outside, batches inside, validation below them."""

    def __init__(
        self,
        tqdm_class: Any,
        *,
        file: IO[str] | None,
        position: int | None,
        show_outer: bool,
        show_inner: bool,
        leave_outer: bool,
        leave_inner: bool,
        outer_description: str,
        inner_description: str,
        batch_size: int | None,
        separator: str,
        inner_update: str | None = None,
        factory: Any = None,
        offset: int = 0,
    ) -> None:
        self.tqdm_class = tqdm_class
        self.file = file
        self.position = position
        self.show_outer, self.show_inner = show_outer, show_inner
        self.leave_outer, self.leave_inner = leave_outer, leave_inner
        self.outer_description = outer_description
        self.inner_description = inner_description
        self.batch_size = batch_size
        self.separator = separator
        self.outer = self.inner = self.validation = self.run = None
        self.inner_started = 0.0
        self.epoch_number = 0
        # keras-tqdm wrote metrics into the batch bar's description with this.
        self.inner_update = inner_update
        # keras-tqdm's customisation point: factory(kind, desc, total, leave)
        # makes every bar ("outer", "inner", or another) in its place.
        self.factory = factory
        self.offset = offset  # keras-tqdm's `initial`: epochs counted before

    def _bar(
        self, desc: str, total: int | None, unit: str, leave: bool, row: int, kind: str
    ):
        if self.factory is not None:
            return self.factory(kind, desc, total, leave)
        return self.new_bar(desc, total, leave, unit=unit, row=row)

    def new_bar(
        self,
        desc: str,
        total: int | None,
        leave: bool,
        *,
        unit: str = "it",
        row: int = 0,
        initial: int = 0,
        **tqdm_options: Any,
    ):
        """A bar drawn as kerasteach draws them. Without a fixed ``position``,
        tqdm places it below the bars already open (a user's own loop
        included), so nested bars never draw over each other."""
        options: dict[str, Any] = {"file": self.file} if self.file is not None else {}
        if self.position is not None:
            options["position"] = self.position + row
        options.update(
            desc=desc,
            total=total,
            unit=unit,
            leave=leave,
            initial=initial,
            # The callback throttles; every call it makes should draw.
            mininterval=0,
            miniters=1,
            dynamic_ncols=True,
        )
        return self.tqdm_class(**{**options, **tqdm_options})

    @staticmethod
    def _show(bar, n: int, text: str) -> None:
        if bar is None:
            return
        bar.set_postfix_str(text, refresh=False)
        if n > bar.n:
            bar.update(n - bar.n)
        else:
            bar.refresh()

    def _with_rate(self, n: int, text: str) -> str:
        if not self.batch_size:
            return text
        rate = rate_text(n, time.monotonic() - self.inner_started, self.batch_size)
        return self.separator.join(part for part in (rate, text) if part)

    # -- fit ------------------------------------------------------------------

    def train_begin(self, epochs: int, initial: int = 0) -> None:
        if self.show_outer:
            self.outer = self._bar(
                self.outer_description,
                epochs + self.offset,
                "epoch",
                self.leave_outer,
                0,
                "outer",
            )
            self._jump_outer(initial + self.offset)

    def _jump_outer(self, count: int) -> None:
        """Start the epoch bar at ``count`` (a resumed run) without a rate."""
        if self.outer is not None and self.outer.n < count:
            self.outer.n = self.outer.last_print_n = self.outer.initial = count
            self.outer.refresh()

    def epoch_begin(self, epoch: int, epochs: int, steps: int | None) -> None:
        self._jump_outer(epoch + self.offset)  # initial_epoch
        self.inner_started = time.monotonic()
        self.epoch_number = epoch + 1
        if not self.show_inner:
            return
        desc = self.inner_description.format(epoch=epoch + 1, epochs=epochs)
        if self.inner is None:
            self.inner = self._bar(desc, steps, "batch", self.leave_inner, 1, "inner")
        else:
            self.inner.set_description_str(desc, refresh=False)
            self.inner.reset(total=steps)

    def train_progress(self, n: int, text: str) -> None:
        if self.inner is not None and self.inner_update is not None:
            self.inner.set_description_str(
                self.inner_update.format(epoch=self.epoch_number, metrics=text),
                refresh=False,
            )
            text = ""
        self._show(self.inner, n, self._with_rate(n, text))

    def validation_begin(self, steps: int | None) -> None:
        if self.show_inner:
            self.validation = self._bar(
                "Validation", steps, "batch", False, 2, "validation"
            )

    def validation_progress(self, n: int, text: str) -> None:
        self._show(self.validation, n, text)

    def validation_end(self, steps: int = 0, text: str = "") -> None:
        if self.validation is not None:
            learn_total(self.validation, steps)
            self._show(self.validation, steps, text)  # its last count, then gone
            self.validation.close()
            self.validation = None

    def epoch_end(self, epoch: int, steps: int, train_text: str, all_text: str) -> None:
        if self.inner is not None:
            learn_total(self.inner, steps)
            self.train_progress(steps, train_text)
            if self.leave_inner:  # each epoch's bar stays; the next gets a new one
                self.inner.close()
                self.inner = None
        if self.outer is not None:
            self._show(self.outer, epoch + 1 + self.offset, all_text)

    def train_end(self) -> None:
        self.validation_end()
        for bar in (self.inner, self.outer):
            if bar is not None:
                bar.close()
        self.inner = self.outer = None

    # -- evaluate and predict ---------------------------------------------------

    def run_begin(self, kind: str, steps: int | None) -> None:
        self.inner_started = time.monotonic()
        self.run = self._bar(kind, steps, "batch", self.leave_outer, 0, kind.lower())

    def run_progress(self, n: int, text: str) -> None:
        self._show(self.run, n, self._with_rate(n, text))

    def run_end(self, steps: int, text: str) -> None:
        if self.run is not None:
            learn_total(self.run, steps)
            self._show(self.run, steps, self._with_rate(steps, text))
            self.run.close()
            self.run = None


class LineDisplay:
    """For a CI log or a file: one complete line per epoch, no carriage returns."""

    def __init__(
        self,
        file: IO[str],
        *,
        outer_description: str,
        batch_size: int | None,
        separator: str | None = None,
        inner_description: str = "Epoch {epoch}/{epochs}",
        inner_update: str | None = None,
    ) -> None:
        self.file = file
        self.separator = separator or separator_for(file)
        self.outer_description = outer_description
        # The epoch's label, as the bars would have it; with keras-tqdm's
        # update format, the metrics go inside the label.
        self.inner_description = inner_description
        self.inner_update = inner_update
        self.batch_size = batch_size
        self.epochs = 0
        self.kind = ""
        self.started = 0.0

    def _line(self, *parts: str) -> None:
        print(self.separator.join(p for p in parts if p), file=self.file, flush=True)

    def _counts(self, steps: int) -> list[str]:
        seconds = time.monotonic() - self.started
        return [
            f"{steps}/{steps} batches",
            f"{seconds:.1f} s",
            rate_text(steps, seconds, self.batch_size),
        ]

    def train_begin(self, epochs: int, initial: int = 0) -> None:
        self.epochs = epochs

    def epoch_begin(self, epoch: int, epochs: int, steps: int | None) -> None:
        self.started = time.monotonic()

    def epoch_end(self, epoch: int, steps: int, train_text: str, all_text: str) -> None:
        number, total = epoch + 1, self.epochs
        if self.inner_update is not None:
            label = self.inner_update.format(
                epoch=number, epochs=total, metrics=all_text
            )
            self._line(label.strip(), *self._counts(steps))
            return
        label = self.inner_description.format(epoch=number, epochs=total)
        self._line(label, *self._counts(steps), all_text)

    def run_begin(self, kind: str, steps: int | None) -> None:
        self.kind = kind
        self.started = time.monotonic()

    def run_end(self, steps: int, text: str) -> None:
        self._line(self.kind, *self._counts(steps), text)

    # Nothing is drawn while running: a log gets only complete lines.
    def train_progress(self, n: int, text: str) -> None:
        pass

    def validation_begin(self, steps: int | None) -> None:
        pass

    def validation_progress(self, n: int, text: str) -> None:
        pass

    def validation_end(self, steps: int = 0, text: str = "") -> None:
        pass

    def run_progress(self, n: int, text: str) -> None:
        pass

    def train_end(self) -> None:
        pass
