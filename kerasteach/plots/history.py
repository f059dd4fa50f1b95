"""Training curves: one panel per metric, its validation twin beside it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
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


def draw_curves(
    figure: Figure, runs: Mapping[str, tuple[list[int], Logs]], metrics: list[str]
) -> None:
    """Draw ``runs`` (label -> epochs and logs) on ``figure``, one panel a metric."""
    from matplotlib.ticker import MaxNLocator

    columns = min(len(metrics), MAX_COLUMNS)
    rows = math.ceil(len(metrics) / columns)
    several = len(runs) > 1
    for index, metric in enumerate(metrics):
        axes = figure.add_subplot(rows, columns, index + 1)
        for number, (label, (epochs, logs)) in enumerate(runs.items()):
            colour = f"C{number}" if several else "C0"
            for name, style, kind in (
                (metric, "-", "training"),
                (f"val_{metric}", "--", "validation"),
            ):
                values = logs.get(name)
                if not values:
                    continue
                if not several and kind == "validation":
                    colour = "C1"
                axes.plot(
                    epochs[-len(values) :],
                    values,
                    style,
                    color=colour,
                    marker="o" if len(values) < 30 else None,
                    markersize=3,
                    label=f"{label} {kind}" if several else kind,
                )
        axes.set_title(metric)
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize="small")


def figure_size(count: int) -> tuple[float, float]:
    columns = min(count, MAX_COLUMNS)
    return PANEL_WIDTH * columns, PANEL_HEIGHT * math.ceil(count / columns)


def plot_history(
    history: Any,
    *,
    labels: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
) -> Figure:
    """Loss and metric curves of a finished training, or of several side by side.

    Args:
        history: what ``model.fit`` returns (or its ``.history`` dict); a list of
            them, or a dict ``{"label": history}`` to compare models.
        labels: names for a list of histories (default "run 1", "run 2", ...).
        metrics: the panels to draw (default: every metric, loss first).

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
    names = [name for _, logs in runs.values() for name in logs]
    chosen = panels(names, metrics)
    figure = new_figure(*figure_size(len(chosen)))
    draw_curves(figure, runs, chosen)
    return figure
