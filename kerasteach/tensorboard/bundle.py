"""``tensorboard_callbacks``: every TensorBoard hook a class needs, in one call."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import keras

from kerasteach.tensorboard.callbacks import (
    ActivationImages,
    ClassroomTensorBoard,
    ConfusionMatrix,
    HParams,
    MisclassifiedImages,
    ModelSummaryText,
)
from kerasteach.tensorboard.runs import as_run_folder


def tensorboard_callbacks(
    logdir: str | os.PathLike = "logs",
    run: str | None = None,
    sample: Any = None,
    class_names: Sequence[str] | None = None,
    *,
    validation_data: tuple[Any, Any] | None = None,
    layers: Any = None,
    every: int = 1,
    hparams: Mapping[str, Any] | None = None,
    confusion: bool | str = "auto",
    histogram_freq: int = 1,
) -> list[keras.callbacks.Callback]:
    """Callbacks for ``fit`` that fill TensorBoard with what a class wants to see.

    All write into one run folder under ``logdir``, new for every ``fit``
    (named ``run``, or the time and the model's name):

    - Keras' own ``TensorBoard``: loss, metric and learning-rate curves, the
      graph, and weight histograms every ``histogram_freq`` epochs;
    - the model's ASCII data-flow summary (Text tab);
    - with ``sample`` (a few inputs, e.g. ``x_val[:4]``): the feature maps of
      ``layers`` every ``every`` epochs (Images tab);
    - for a classifier: a confusion matrix of the validation data, gathered
      during Keras' own validation pass (Images and Text tabs);
    - with ``validation_data=(x_val, y_val)`` of images: a grid of the
      misclassified ones with true and predicted labels;
    - with ``hparams`` (a dict): the HParams tab.

    Args:
        class_names: labels of the classes, in the order of the outputs.
        confusion: ``"auto"`` (a single-output model trained with a
            cross-entropy loss; a subclassed model is left out with a
            notice), ``True`` or ``False``.

    >>> import numpy as np
    >>> callbacks = tensorboard_callbacks("logs", sample=np.zeros((3, 28, 28, 1)))
    >>> [type(c).__name__ for c in callbacks]  # doctest: +NORMALIZE_WHITESPACE
    ['ModelSummaryText', 'ActivationImages', 'ConfusionMatrix',
     'ClassroomTensorBoard']
    """
    folder = as_run_folder(logdir, run)
    callbacks: list[keras.callbacks.Callback] = [ModelSummaryText(folder)]
    if sample is not None:
        callbacks.append(
            ActivationImages(
                sample, layers, every, logdir=folder, class_names=class_names
            )
        )
    if confusion:
        only_classifiers = confusion == "auto" and class_names is None
        callbacks.append(
            ConfusionMatrix(
                class_names, every, folder, only_classifiers, auto=confusion == "auto"
            )
        )
    if validation_data is not None:
        callbacks.append(
            MisclassifiedImages(validation_data, class_names, every, logdir=folder)
        )
    if hparams:
        callbacks.append(HParams(hparams, logdir=folder))
    callbacks.append(ClassroomTensorBoard(folder, histogram_freq=histogram_freq))
    return callbacks
