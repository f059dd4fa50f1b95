"""Confusion counts gathered inside Keras' own validation pass.

A second ``predict`` over the validation data would double its cost. Instead,
for the length of a ``fit``, the model's compiled metrics are wrapped in
``CountingMetrics``: a Keras metric that passes every update on unchanged and
also adds each batch's (true, predicted) pairs to a ``classes x classes``
table. Because it is a real metric, every backend's trainer carries its state
through the compiled step like any other metric (JAX's stateless steps too);
its result is the wrapped metrics' result, so the logs, progress bars and
History are unchanged. ``uninstall`` puts the original back.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops


def class_count(model: keras.Model) -> int:
    """Classes of a single-output classifier: its output width, 2 for a
    one-unit (sigmoid) output."""
    width = model.outputs[0].shape[-1]
    return 2 if width == 1 else int(width)


def label_indices(y_true: Any, y_pred: Any, classes: int) -> tuple[Any, Any]:
    """Integer true and predicted classes of a batch, for sparse or one-hot
    labels and softmax or single sigmoid outputs."""
    if y_pred.shape[-1] == 1:
        predicted = ops.cast(ops.reshape(y_pred, (-1,)) > 0.5, "int32")
    else:
        predicted = ops.argmax(ops.reshape(y_pred, (-1, classes)), axis=-1)
    one_hot = len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == classes
    if one_hot and classes > 1 and y_pred.shape[-1] != 1:
        true = ops.argmax(ops.reshape(y_true, (-1, classes)), axis=-1)
    elif y_pred.shape[-1] == 1:
        true = ops.cast(ops.reshape(y_true, (-1,)) > 0.5, "int32")
    else:
        true = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    return true, predicted


class CountingMetrics(keras.metrics.Metric):
    """The model's compiled metrics, plus a confusion table of every update."""

    def __init__(self, inner: keras.metrics.Metric | None, classes: int):
        super().__init__(name="compile_metrics")
        self.inner = inner  # tracked: its variables are part of ours
        self.classes = classes
        self.counts = self.add_variable(
            shape=(classes, classes), initializer="zeros", dtype="int32", name="counts"
        )
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.inner is not None:
            self.inner.update_state(y_true, y_pred, sample_weight)
        first_true = keras.tree.flatten(y_true)[0]
        first_pred = keras.tree.flatten(y_pred)[0]
        true, predicted = label_indices(first_true, first_pred, self.classes)
        # Out-of-range labels give all-zero one-hot rows and are not counted.
        table = ops.matmul(
            ops.transpose(ops.one_hot(true, self.classes)),
            ops.one_hot(predicted, self.classes),
        )
        self.counts.assign_add(ops.cast(table, "int32"))

    def reset_state(self):
        if self.inner is not None:
            self.inner.reset_state()
        self.counts.assign(ops.zeros((self.classes, self.classes), dtype="int32"))

    def result(self):
        return self.inner.result() if self.inner is not None else {}


def install(model: keras.Model, classes: int) -> CountingMetrics:
    """Wrap ``model``'s compiled metrics so that they also count confusions."""
    current = model._compile_metrics
    if isinstance(current, CountingMetrics):  # left by an interrupted fit
        current = current.inner
    counting = CountingMetrics(current, classes)
    # object.__setattr__: Keras' attribute tracking would list it twice.
    object.__setattr__(model, "_compile_metrics", counting)
    _retrace_test_step(model)
    return counting


def uninstall(model: keras.Model, counting: CountingMetrics) -> None:
    """Put back the metrics ``install`` wrapped."""
    if model._compile_metrics is counting:
        object.__setattr__(model, "_compile_metrics", counting.inner)
        _retrace_test_step(model)


def _retrace_test_step(model: keras.Model) -> None:
    # A test step compiled before (an earlier fit or evaluate) still calls the
    # metrics it was traced with; make the next validation pass trace afresh.
    if getattr(model, "test_function", None) is not None:
        model.make_test_function(force=True)
    # Under Keras' distribution API (JAX), fit has already fixed the layout of
    # every metric variable in its train step: rebuilt, it knows the table's.
    if (
        keras.distribution.distribution() is not None
        and getattr(model, "train_function", None) is not None
    ):
        model.make_train_function(force=True)


def read_counts(counting: CountingMetrics) -> np.ndarray:
    """The table as NumPy, rows true classes, columns predicted ones."""
    return np.asarray(ops.convert_to_numpy(counting.counts.value), dtype=np.int64)


def counts_table(counts: np.ndarray, class_names: list[str]) -> str:
    """The counts as a Markdown table (TensorBoard's Text tab renders it).

    >>> print(counts_table(np.array([[5, 1], [0, 6]]), ["cat", "dog"]))
    | true ↓ predicted → | cat | dog |
    |---|---:|---:|
    | cat | 5 | 1 |
    | dog | 0 | 6 |
    """
    header = "| true ↓ predicted → | " + " | ".join(class_names) + " |"
    rule = "|---|" + "---:|" * len(class_names)
    rows = [
        f"| {name} | " + " | ".join(str(int(c)) for c in row) + " |"
        for name, row in zip(class_names, counts, strict=True)
    ]
    return "\n".join([header, rule, *rows])
