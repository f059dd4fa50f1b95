"""Metric logs as one short line: ``loss 0.213 · acc 0.941 · val_loss 0.250``."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

# Keras' long names, shortened so a line of metrics fits beside a bar.
SHORT_NAMES = {
    "accuracy": "acc",
    "sparse_categorical_accuracy": "acc",
    "categorical_accuracy": "acc",
    "binary_accuracy": "acc",
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "learning_rate": "lr",
}

DEFAULT_METRIC_FORMAT = "{name} {value:.3f}"


def short_name(name: str) -> str:
    """``val_accuracy`` -> ``val_acc``; names without a short form stay as they are.

    >>> short_name("val_sparse_categorical_accuracy"), short_name("loss")
    ('val_acc', 'loss')
    """
    prefix = "val_" if name.startswith("val_") else ""
    bare = name[len(prefix) :]
    return prefix + SHORT_NAMES.get(bare, bare)


def separator_for(stream: object, preferred: str = " · ") -> str:
    """``preferred`` if the stream's encoding can write it, else `` | ``.

    >>> import io
    >>> separator_for(io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    ' | '
    """
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        preferred.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return " | "
    return preferred


def format_metrics(
    logs: Mapping[str, object] | None,
    metric_format: str = DEFAULT_METRIC_FORMAT,
    separator: str = " · ",
    shorten: bool = True,
) -> str:
    """Each number in ``logs``, formatted: loss first, then validation's twins.

    Values are shown as they come: Keras' batch logs are already running
    averages over the epoch, and its epoch logs are the epoch's results.

    >>> format_metrics({"accuracy": 0.9412, "loss": 0.21349, "val_loss": 0.25})
    'loss 0.213 · acc 0.941 · val_loss 0.250'
    """
    if not logs:
        return ""
    parts = []
    for name, value in sorted(logs.items(), key=_reading_order):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            continue  # e.g. predict's "outputs", or a metric that returned a dict
        shown = short_name(name) if shorten else name
        parts.append(metric_format.format(name=shown, value=value))
    return separator.join(parts)


def _reading_order(item: tuple[str, object]) -> tuple[bool, bool]:
    # sorted() is stable: other metrics keep Keras' order within each group.
    name = item[0]
    validation = name.startswith("val_")
    return validation, name != ("val_loss" if validation else "loss")
