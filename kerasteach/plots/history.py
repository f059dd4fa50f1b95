"""Training curves: one panel per metric, its validation twin beside it."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kerasteach._figures import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Logs = dict[str, list[float]]
PANEL_WIDTH, PANEL_HEIGHT, MAX_COLUMNS = 4.2, 3.0, 3


def history_logs(history: Any) -> tuple[list[int], Logs]:
    """Epoch numbers (from 1) and per-metric values of a History or a dict of lists.

    >>> history_logs({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]})
    ([1, 2], {'loss': [0.9, 0.5], 'val_loss': [1.0, 0.7]})
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping) or not logs:
        raise TypeError(
            "expected a History (what model.fit returns) or a dict of metric "
            f"lists; got {type(history).__name__}"
        )
    logs = {name: [float(v) for v in values] for name, values in logs.items()}
    length = max(len(values) for values in logs.values())
    epochs = list(getattr(history, "epoch", None) or range(length))
    return [e + 1 for e in epochs[-length:]], logs


def panels(names: Iterable[str], only: Sequence[str] | None = None) -> list[str]:
    """The metrics that get a panel: loss first, each ``val_`` name joins its twin.

    >>> panels(["accuracy", "loss", "val_loss", "val_accuracy", "learning_rate"])
    ['loss', 'accuracy', 'learning_rate']
    """
    seen: list[str] = []
    for name in names:
        bare = name.removeprefix("val_")
        if bare not in seen:
            seen.append(bare)
    seen.sort(key=lambda name: name != "loss")
    if only is not None:
        unknown = [name for name in only if name not in seen]
        if unknown:
            raise ValueError(
                f"no metric named {', '.join(unknown)}; the history has "
                f"{', '.join(seen)}"
            )
        return list(only)
    return seen


@dataclass(frozen=True)
class Layout:
    """How the curves are laid out: livelossplot's options, checked once.

    groups: panel title -> the metrics drawn in it (``val_`` twins join by
        themselves); default one panel per metric.
    names: display names for panel titles, like ``{"acc": "Accuracy"}``.
    log_scale: True for every panel, or the panel titles drawn on a log axis.
    max_cols: panels per row. figsize: the whole figure, in inches.
    skip_first: epochs left out at the start (the first loss often dwarfs the rest).
    last: only the last this many epochs (livelossplot's negative ``from_step``).
    max_epoch: the epochs axis spans 1 to this from the start, so the curves
        grow into a fixed frame.
    after_subplot: called as ``after_subplot(axes, title, "epoch")`` once each
        panel is drawn (livelossplot's hook to restyle a panel).
    extra_plots: functions drawn in panels of their own after the metrics,
        each called as ``plot(axes, logs)`` with ``logs["epoch"]`` and every
        metric's values.
    cell_size: (width, height) of one panel in inches (figsize: the whole).
    """

    metrics: Sequence[str] | None = None
    groups: Mapping[str, Sequence[str]] | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    log_scale: bool | Sequence[str] = False
    max_cols: int = MAX_COLUMNS
    figsize: tuple[float, float] | None = None
    skip_first: int = 0
    last: int | None = None
    max_epoch: int | None = None
    after_subplot: Callable[[Any, str, str], None] | None = None
    extra_plots: Sequence[Callable[[Any, dict], None]] = ()
    cell_size: tuple[float, float] | None = None  # one panel, in inches

    def __post_init__(self) -> None:
        for name in ("last", "max_epoch"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(
                    f"{name} is a number of epochs, 1 or more; got {value!r}"
                )
        for hook in (self.after_subplot, *self.extra_plots):
            if hook is not None and not callable(hook):
                raise TypeError(
                    f"after_subplot and extra_plots take functions; got {hook!r}"
                )
        self._check_sizes()

    def _check_sizes(self) -> None:
        if (
            isinstance(self.max_cols, bool)
            or not isinstance(self.max_cols, int)
            or (self.max_cols < 1)
        ):
            raise ValueError(f"max_cols must be a positive int; got {self.max_cols!r}")
        if (
            isinstance(self.skip_first, bool)
            or not isinstance(self.skip_first, int)
            or (self.skip_first < 0)
        ):
            raise ValueError(
                f"skip_first is a number of epochs, 0 or more; got {self.skip_first!r}"
            )
        if self.figsize is not None and (
            len(self.figsize) != 2 or not all(v > 0 for v in self.figsize)
        ):
            raise ValueError(
                f"figsize is (width, height) in inches; got {self.figsize!r}"
            )
        if self.groups is not None and self.metrics is not None:
            raise ValueError("give metrics or groups, not both")
        if self.groups is not None and (
            not isinstance(self.groups, Mapping)
            or not all(isinstance(v, list | tuple) and v for v in self.groups.values())
        ):
            raise ValueError(
                "groups maps a panel title to a list of metric names, like "
                "{'accuracy': ['acc', 'val_acc']}"
            )

    def panels(self, names: Iterable[str]) -> list[tuple[str, list[str]]]:
        """(title, metrics) of each panel, for logs holding ``names``."""
        names = list(names)
        if self.groups is not None:
            unknown = [
                metric
                for metrics in self.groups.values()
                for metric in metrics
                if metric not in names and f"val_{metric}" not in names
            ]
            if unknown and names:
                raise ValueError(
                    f"no metric named {', '.join(unknown)}; the history has "
                    f"{', '.join(names)}"
                )
            return [(title, list(metrics)) for title, metrics in self.groups.items()]
        return [(metric, [metric]) for metric in panels(names, self.metrics)]

    def size(self, count: int) -> tuple[float, float]:
        count += len(self.extra_plots)
        if self.figsize is not None:
            return tuple(self.figsize)  # type: ignore[return-value]
        columns = min(count, self.max_cols)
        width, height = self.cell_size or (PANEL_WIDTH, PANEL_HEIGHT)
        return width * columns, height * math.ceil(count / columns)

    def on_log_axis(self, title: str) -> bool:
        if isinstance(self.log_scale, bool):
            return self.log_scale
        return title in self.log_scale


def draw_curves(
    figure: Figure,
    runs: Mapping[str, tuple[list[int], Logs]],
    metrics: list[str] | list[tuple[str, list[str]]],
    layout: Layout | None = None,
) -> None:
    """Draw ``runs`` (label -> epochs and logs) on ``figure``, one panel each."""
    layout = layout or Layout()
    chosen = [(m, [m]) if isinstance(m, str) else m for m in metrics]
    count = len(chosen) + len(layout.extra_plots)
    columns = min(count, layout.max_cols)
    rows = math.ceil(count / columns)
    several = len(runs) > 1
    shown_epochs: list[int] = []
    for index, (title, members) in enumerate(chosen):
        axes = figure.add_subplot(rows, columns, index + 1)
        # a listed "val_acc" is drawn as the twin of a listed "acc"
        members = [
            m for m in members if not (m.startswith("val_") and m[4:] in members)
        ]
        for number, (label, (epochs, logs)) in enumerate(runs.items()):
            for member_number, metric in enumerate(members):
                line_number = number if several else member_number
                lines = [
                    (metric, "-", "training"),
                    (f"val_{metric}", "--", "validation"),
                ]
                if metric.startswith("val_"):
                    lines = [(metric, "--", "validation")]
                for name, style, kind in lines:
                    values = logs.get(name)
                    if not values:
                        continue
                    xs = epochs[-len(values) :]
                    first = layout.skip_first
                    if layout.last is not None and epochs:
                        first = max(first, epochs[-1] - layout.last)
                    keep = [i for i, e in enumerate(xs) if e > first]
                    xs, values = [xs[i] for i in keep], [values[i] for i in keep]
                    if not values:
                        continue
                    shown_epochs += xs
                    colour = f"C{line_number}"
                    if not several and len(members) == 1 and kind == "validation":
                        colour = "C1"
                    who = layout.names.get(metric, metric) if len(members) > 1 else ""
                    parts = [p for p in (label if several else "", who, kind) if p]
                    few = len(values) <= 3  # after one epoch a line is one point
                    axes.plot(
                        xs,
                        values,
                        style,
                        color=colour,
                        marker="o" if len(values) < 30 else None,
                        markersize=7 if few else 3,
                        label=" ".join(parts),
                    )
                    if few:  # lone points read better with their values
                        for x, value in zip(xs, values, strict=True):
                            axes.annotate(
                                f"{value:.3g}",
                                (x, value),
                                xytext=(9, 0),
                                textcoords="offset points",
                                va="center",
                                color=colour,
                                fontsize="small",
                            )
        axes.set_title(layout.names.get(title, title))
        axes.set_xlabel("epoch")
        if layout.on_log_axis(title):
            axes.set_yscale("log")
        _integer_epochs(axes, shown_epochs, layout.max_epoch)
        axes.grid(True, alpha=0.3)
        if axes.lines:
            axes.legend(fontsize="small")
        if layout.after_subplot is not None:
            layout.after_subplot(axes, title, "epoch")
    if len(runs) == 1 and layout.extra_plots:
        epochs, logs = next(iter(runs.values()))
        for number, plot in enumerate(layout.extra_plots, len(chosen) + 1):
            axes = figure.add_subplot(rows, columns, number)
            # the same epochs axis as the curves; the function may change it
            axes.set_xlabel("epoch")
            _integer_epochs(axes, list(epochs), layout.max_epoch)
            axes.grid(True, alpha=0.3)
            plot(axes, {"epoch": epochs, **logs})


def _integer_epochs(axes: Any, epochs: list[int], max_epoch: int | None = None) -> None:
    """Epoch ticks are whole numbers, even for one or two epochs (matplotlib
    would put ticks at 0.95 ... 1.05 around a single point); with
    ``max_epoch`` the axis spans 1 to it from the first epoch."""
    from matplotlib.ticker import MaxNLocator

    if not epochs:
        return
    low, high = min(epochs), max(epochs)
    if max_epoch is not None:
        low, high = min(low, 1), max(high, max_epoch)
    if high - low < 10:
        axes.set_xticks(range(low, high + 1))
        axes.set_xlim(low - 0.5, high + 0.5)
    else:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))


def figure_size(count: int) -> tuple[float, float]:
    return Layout().size(count)


def plot_history(
    history: Any,
    *,
    labels: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    metric_to_name: Mapping[str, str] | None = None,
    log_scale: bool | Sequence[str] = False,
    figsize: tuple[float, float] | None = None,
    max_cols: int = 3,  # MAX_COLUMNS, written out for the API reference
    skip_first: int = 0,
) -> Figure:
    """Loss and metric curves of a finished training, or of several side by side.

    Args:
        history: what ``model.fit`` returns (or its ``.history`` dict); a list of
            them, or a dict ``{"label": history}`` to compare models.
        labels: names for a list of histories (default "run 1", "run 2", ...).
        metrics: the panels to draw (default: every metric, loss first).
        groups: several metrics in one panel: ``{"accuracy": ["acc", "top5"]}``.
        metric_to_name: display names, ``{"acc": "Accuracy"}``.
        log_scale: True, or the panels whose values axis is logarithmic.
        figsize: (width, height) in inches; max_cols: panels per row.
        skip_first: epochs left out at the start.

    Returns a matplotlib Figure (nothing is shown or saved: call
    ``figure.savefig("curves.png")``, or let Jupyter display it).

    >>> figure = plot_history({"small": {"loss": [0.9, 0.5], "val_loss": [1.0, 0.8]},
    ...                        "big": {"loss": [0.8, 0.3], "val_loss": [0.9, 0.6]}})
    >>> [axes.get_title() for axes in figure.axes]
    ['loss']
    >>> [line.get_label() for line in figure.axes[0].lines]
    ['small training', 'small validation', 'big training', 'big validation']
    """
    if (
        isinstance(history, Mapping)
        and history
        and all(not isinstance(v, list | tuple) for v in history.values())
    ):
        runs = {str(label): history_logs(h) for label, h in history.items()}
    elif isinstance(history, list | tuple):
        names = (
            list(labels) if labels else [f"run {i + 1}" for i in range(len(history))]
        )
        if len(names) != len(history):
            raise ValueError(f"{len(history)} histories but {len(names)} labels")
        runs = {name: history_logs(h) for name, h in zip(names, history, strict=True)}
    else:
        runs = {labels[0] if labels else "": history_logs(history)}
    layout = Layout(
        metrics=metrics,
        groups=groups,
        names=dict(metric_to_name or {}),
        log_scale=log_scale,
        max_cols=max_cols,
        figsize=figsize,
        skip_first=skip_first,
    )
    names = [name for _, logs in runs.values() for name in logs]
    chosen = layout.panels(names)
    figure = new_figure(*layout.size(len(chosen)))
    draw_curves(figure, runs, chosen, layout)
    return figure
