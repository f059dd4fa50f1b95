"""kerasteach's TensorBoard callbacks, each usable on its own.

They share a shape, after Keras' own callbacks: the model is checked in
``set_model`` (when ``fit`` starts, before any epoch), the run folder is
joined in ``on_train_begin``, and everything is written from epoch hooks only:
a batch hook would switch off Keras' background dispatch on JAX and PyTorch.
Writing goes through TensorFlow's summary writer, which works whichever
backend Keras runs on.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np

from kerasteach._processes import (
    is_chief,
    processes_holding_other,
    warn_if_unsupported_job,
)
from kerasteach.activations.tiles import drawn_as_bars, enlarged
from kerasteach.tensorboard import confusion as _confusion
from kerasteach.tensorboard.pictures import (
    activation_picture,
    as_rgb,
    bars_picture,
    confusion_picture,
    is_picture,
    labelled_grid,
)
from kerasteach.tensorboard.runs import RunFolder, TensorBoardError, as_run_folder
from kerasteach.tensorboard.writing import summary as _summary
from kerasteach.tensorboard.writing import write_images

LogDir = str | os.PathLike | RunFolder


class RunCallback(keras.callbacks.Callback):
    """Base: one run folder per fit, a summary writer in ``subfolder`` of it."""

    subfolder = "train"

    def __init__(self, logdir: LogDir = "logs") -> None:
        super().__init__()
        self.run = as_run_folder(logdir)
        self.writer = None

    @property
    def folder(self) -> Path | None:
        """The run folder of the current (or last) fit."""
        return self.run.folder or (self.run.folders[-1] if self.run.folders else None)

    def on_train_begin(self, logs=None):
        warn_if_unsupported_job()
        if is_chief():
            folder = self.run.join(self, self.model.name)
            self.writer = _summary().create_file_writer(str(folder / self.subfolder))
        else:
            # The other processes of a job compute what the chief does (their
            # part of the job's computations) but write nothing.
            self.writer = _summary().create_noop_writer()
        self.begin()

    def on_train_end(self, logs=None):
        self.end()
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if is_chief():
            self.run.leave(self)

    def begin(self) -> None:
        """Called once the writer is ready, at the start of each fit."""

    def end(self) -> None:
        """Called at the end of each fit, before the writer closes."""

    def due(self, epoch: int, every: int) -> bool:
        """Whether an every-``every``-epochs picture is due at ``epoch``; the last
        epoch always gets one, so the end of training is always shown."""
        last = self.params.get("epochs", 0) - 1 if self.params else -1
        return epoch % every == 0 or epoch == last


def _check_every(every: int) -> int:
    if not isinstance(every, int) or every < 1:
        raise TensorBoardError(
            f"every must be a whole number of epochs >= 1; got {every!r}"
        )
    return every


class ModelSummaryText(RunCallback):
    """The model's ASCII data-flow summary in TensorBoard's Text tab, once.

    >>> callback = ModelSummaryText(logdir="logs")
    """

    def __init__(self, logdir: LogDir = "logs", width: int = 100) -> None:
        super().__init__(logdir)
        self.width = width
        self._pending = False

    def begin(self) -> None:
        # A subclassed model is built by its first step: written after it.
        self._pending = not self._ready()
        if not self._pending:
            self._write()

    def on_epoch_end(self, epoch, logs=None):
        if self._pending and self._ready():
            self._pending = False
            self._write()

    def _ready(self) -> bool:
        from kerasteach.model_summary import built_through_its_layers

        return self.model.built or built_through_its_layers(self.model)

    def _write(self) -> None:
        from kerasteach.model_summary import summary

        text = summary(self.model, width=self.width).to_text()
        # Four spaces make a Markdown code block: the picture keeps its columns.
        markdown = "\n".join("    " + line for line in text.splitlines())
        with self.writer.as_default():
            _summary().text("model/summary", markdown, step=0)
        self.writer.flush()


def _batch_length(sample: Any) -> int:
    leaves = keras.tree.flatten(sample)
    return len(leaves[0]) if leaves else 0


def has_graph(model: keras.Model) -> bool:
    """True for a model with symbolic inputs and outputs (Sequential or
    functional); False for a subclassed one, which only has ``call``."""
    try:
        return bool(model.inputs) and bool(model.outputs)
    except (AttributeError, ValueError):
        return False


def needs_graph(model: keras.Model, what: str, instead: str) -> None:
    """Refuse, naming the fix, a picture the user asked for that needs the
    model's layers connected from its inputs (a subclassed model has none)."""
    if not has_graph(model):
        raise TensorBoardError(
            f"{what} needs a model whose layers are connected from its inputs "
            f"(Sequential or functional); {model.name} is a subclassed "
            f"{type(model).__name__}, whose layers Keras only meets inside "
            f"call(). {instead}, or build the model as keras.Model(inputs, "
            "outputs)."
        )


def check_inputs(model: keras.Model, x: Any, what: str) -> None:
    """Refuse inputs whose shapes the model cannot take, naming the shapes."""
    arrays = keras.tree.flatten(x)
    expected = [tuple(t.shape) for t in model.inputs]
    if len(arrays) != len(expected):
        raise TensorBoardError(
            f"{what} has {len(arrays)} input array(s); "
            f"{model.name} takes {len(expected)}"
        )
    for array, shape in zip(arrays, expected, strict=True):
        got = tuple(np.shape(array))
        fits = len(got) == len(shape) and all(
            want is None or want == have
            for want, have in zip(shape[1:], got[1:], strict=True)
        )
        if not fits:
            hint = (
                " (add the channel axis: x[..., None])"
                if len(got) + 1 == len(shape)
                else ""
            )
            raise TensorBoardError(
                f"{what} has shape {got}, but {model.name} takes {shape}{hint}"
            )


def check_same_on_every_process(arrays: Any, what: str, callback: str) -> None:
    """In a job of several processes, ``arrays`` must be the same on each: the
    pictures come from process 0, but every process computes them with it (its
    part of the job's computation), so a process with other arrays would be
    drawing something else, or waiting for a computation that never comes."""
    others = processes_holding_other(keras.tree.flatten(arrays))
    if others:
        which = ", ".join(str(i) for i in others)
        raise TensorBoardError(
            f"{callback}'s {what} differs between the processes of this job "
            f"(process {which} against process 0): pass the same arrays on every "
            "process, taken from the whole data set (e.g. x_val[:4]), not from "
            "the process's own share of it"
        )


class ActivationImages(RunCallback):
    """Feature maps of chosen layers for a few fixed inputs, every ``every``
    epochs, in the Images tab: scrub through the epochs to watch filters form.

    Args:
        sample: a few inputs, e.g. ``x_val[:4]`` (at most 16).
        layers: as for ``kerasteach.get_activations``; by default the layers a
            student looks at.
        every: epochs between pictures (the last epoch always gets one).
        max_channels: feature maps shown per layer.
        class_names: names of the output's bars; a vector layer of up to 64
            units is drawn as labelled bars, feature maps as tiled grey maps.

    In a job of several processes every process passes the same ``sample``
    (checked when ``fit`` starts); process 0 writes the pictures.

    >>> import numpy as np
    >>> callback = ActivationImages(np.zeros((3, 28, 28, 1)), logdir="logs")
    """

    MOST = 16

    def __init__(
        self,
        sample: Any,
        layers: Any = None,
        every: int = 1,
        logdir: LogDir = "logs",
        max_channels: int = 64,
        class_names: Sequence[str] | None = None,
    ) -> None:
        super().__init__(logdir)
        count = _batch_length(sample)
        if not 1 <= count <= self.MOST:
            raise TensorBoardError(
                f"sample has {count} inputs; pass a few "
                f"(1 to {self.MOST}), e.g. x_val[:4]"
            )
        self.sample = sample
        self.layers = layers
        self.every = _check_every(every)
        self.max_channels = max_channels
        self.class_names = class_names
        self.paths: list[str] = []
        self._bars: list[bool] = []  # per path: drawn as labelled bars
        self._names: list = []  # per path: the bars' names (None: unit numbers)
        self._forward = None

    def set_model(self, model: keras.Model) -> None:
        super().set_model(model)
        from kerasteach.activations.extract import ActivationError, choose_layers

        needs_graph(model, "sample= (feature maps of its layers)", "Leave sample out")
        check_inputs(model, self.sample, "sample")
        if self.class_names is not None:
            check_class_names(model, self.class_names)
        try:
            self.paths = choose_layers(model, self.layers)
        except ActivationError as error:
            raise TensorBoardError(str(error)) from None

    def begin(self) -> None:
        from kerasteach.activations.extract import (
            compiled_forward,
            extraction_model,
            output_keys,
        )

        check_same_on_every_process(self.sample, "sample", "ActivationImages")
        extractor = extraction_model(self.model, self.paths)
        self._bars = [drawn_as_bars(tuple(o.shape[1:])) for o in extractor.outputs]
        output = output_keys(self.model)[0]
        self._names = [
            self.class_names if path == output else None for path in self.paths
        ]
        # only the pixels of the shown maps (and the bars' numbers) leave the device
        maps = [k for k, bars in enumerate(self._bars) if not bars]
        self._forward = compiled_forward(extractor, pictures=(self.max_channels, maps))
        arrays = keras.tree.flatten(self.sample)
        if is_picture(np.shape(arrays[0])[1:]):
            inputs = [enlarged(as_rgb(image), width=128) for image in arrays[0]]
            with self.writer.as_default():
                write_images("activations/0_input", inputs, step=0)

    def on_epoch_end(self, epoch, logs=None):
        if not self.due(epoch, self.every):
            return
        from kerasteach.activations.tiles import picture

        outputs = self._forward(self.sample)
        with self.writer.as_default():
            for k, (path, output) in enumerate(zip(self.paths, outputs, strict=True)):
                if self._bars[k]:
                    images = [bars_picture(o, self._names[k]) for o in output]
                else:
                    images = [
                        activation_picture(picture(o, self.max_channels))
                        for o in output
                    ]
                write_images(
                    f"activations/{path}",
                    images,
                    step=epoch,
                    description=f"{path}: output shape {tuple(output.shape[1:])}, "
                    f"after epoch {epoch + 1} (TensorBoard counts steps from 0)",
                )
        self.writer.flush()


def _loss_name(model: keras.Model) -> str:
    loss = getattr(model, "loss", None)
    loss = keras.tree.flatten(loss)[0] if isinstance(loss, list | dict) else loss
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None) or loss
    return str(name or "")


def looks_like_classifier(model: keras.Model) -> bool:
    """A single output of shape ``(batch, classes)`` trained with a
    cross-entropy loss."""
    return (
        has_graph(model)
        and len(model.outputs) == 1
        and len(model.outputs[0].shape) == 2
        and "crossentropy" in _loss_name(model)
    )


def check_class_names(
    model: keras.Model, class_names: Sequence[str] | None
) -> list[str]:
    """The class names to show: as given (the count checked), or 0, 1, 2..."""
    classes = _confusion.class_count(model)
    if class_names is None:
        return [str(i) for i in range(classes)]
    names = [str(name) for name in class_names]
    if len(names) != classes:
        raise TensorBoardError(
            f"{len(names)} class names for {classes} classes of {model.name}: "
            f"pass {classes} names, in the order of the model's outputs"
        )
    return names


class ConfusionMatrix(RunCallback):
    """A confusion matrix of the validation data every ``every`` epochs, as an
    image in the Images tab and as a table of counts in the Text tab.

    The counts are gathered during Keras' own validation pass: no second
    ``predict`` over the validation data. Pass ``validation_data`` (or
    ``validation_split``) to ``fit``. With ``only_classifiers``, a model that
    does not look like a classifier (one ``(batch, classes)`` output and a
    cross-entropy loss) is skipped instead of refused. With ``auto`` (as
    ``tensorboard_callbacks`` chooses it), a subclassed model, which has no
    symbolic outputs to count from, is left out with one notice.

    >>> callback = ConfusionMatrix(class_names=["cat", "dog"], logdir="logs")
    """

    subfolder = "validation"

    def __init__(
        self,
        class_names: Sequence[str] | None = None,
        every: int = 1,
        logdir: LogDir = "logs",
        only_classifiers: bool = False,
        *,
        auto: bool = False,
    ) -> None:
        super().__init__(logdir)
        self.auto = auto
        self.class_names = class_names
        self.every = _check_every(every)
        self.only_classifiers = only_classifiers
        self.active = True
        self._told = False  # the notice for a subclassed model, said once
        self.names: list[str] = []
        self.counts: np.ndarray | None = None  # the last validation pass's
        self._counting = None
        self._validated = False

    def set_model(self, model: keras.Model) -> None:
        super().set_model(model)
        subclassed = not has_graph(model)
        self.active = not (self.auto and subclassed) and (
            not self.only_classifiers or looks_like_classifier(model)
        )
        if not self.active:
            if subclassed and not self._told:
                self._told = True  # once, as Keras' TensorBoard says its own
                warnings.warn(
                    f"kerasteach: no confusion matrix for {model.name}: a "
                    f"subclassed {type(model).__name__} has no symbolic outputs "
                    "to tell a classifier by; the other TensorBoard tabs are "
                    "written as usual.",
                    stacklevel=2,
                )
            return
        needs_graph(model, "a confusion matrix", "Pass confusion=False")
        if len(model.outputs) != 1 or len(model.outputs[0].shape) != 2:
            raise TensorBoardError(
                f"a confusion matrix needs a classifier with one output of shape "
                f"(batch, classes); {model.name} has "
                f"{[tuple(o.shape) for o in model.outputs]}"
            )
        self.names = check_class_names(model, self.class_names)

    def on_train_begin(self, logs=None):
        if self.active:
            super().on_train_begin(logs)

    def on_train_end(self, logs=None):
        if self.active:
            super().on_train_end(logs)

    def begin(self) -> None:
        self.counts = None
        self._validated = False
        self._counting = _confusion.install(self.model, len(self.names))

    def end(self) -> None:
        if self._counting is not None:
            _confusion.uninstall(self.model, self._counting)
            self._counting = None
        if not self._validated:
            warnings.warn(
                "ConfusionMatrix drew nothing: this fit had no validation pass. "
                "Pass validation_data= or validation_split= to fit.",
                stacklevel=2,
            )

    def on_test_end(self, logs=None):
        if self._counting is not None:  # a validation pass inside our fit
            self.counts = _confusion.read_counts(self._counting)
            self._validated = True

    def on_epoch_begin(self, epoch, logs=None):
        self.counts = None

    def on_epoch_end(self, epoch, logs=None):
        if not self.active:
            return
        if self.counts is None:  # no validation in this epoch (validation_freq)
            return
        if not self.due(epoch, self.every):
            return
        with self.writer.as_default():
            picture = confusion_picture(self.counts, self.names, epoch=epoch)
            write_images("confusion/matrix", [picture], step=epoch)
            _summary().text(
                "confusion/counts",
                _confusion.counts_table(self.counts, self.names),
                step=epoch,
            )
        self.writer.flush()


class MisclassifiedImages(RunCallback):
    """A grid of validation images the model gets wrong, with the true and the
    predicted label, every ``every`` epochs.

    Only the first ``examples`` validation images are looked at, through the
    compiled forward pass, so its cost stays small whatever the data's size.
    In a job of several processes every process passes the same
    ``validation_data`` (checked when ``fit`` starts); process 0 writes the grid.

    >>> import numpy as np
    >>> data = (np.zeros((10, 28, 28, 1)), np.zeros(10, dtype=int))
    >>> callback = MisclassifiedImages(data, logdir="logs")
    """

    subfolder = "validation"

    def __init__(
        self,
        validation_data: tuple[Any, Any],
        class_names: Sequence[str] | None = None,
        every: int = 1,
        logdir: LogDir = "logs",
        examples: int = 256,
        max_images: int = 24,
    ) -> None:
        super().__init__(logdir)
        if not isinstance(validation_data, tuple | list) or len(validation_data) < 2:
            raise TensorBoardError(
                "validation_data must be (x, y), as given to fit; "
                f"got {type(validation_data).__name__}"
            )
        x, y = validation_data[0], validation_data[1]
        self.x = keras.tree.map_structure(lambda a: np.asarray(a)[:examples], x)
        self.y = np.asarray(y)[:examples]
        self.class_names = class_names
        self.every = _check_every(every)
        self.max_images = max_images
        self.names: list[str] = []
        self._forward = None

    def set_model(self, model: keras.Model) -> None:
        super().set_model(model)
        needs_graph(
            model,
            "validation_data= (a grid of misclassified images)",
            "Leave validation_data out",
        )
        check_inputs(model, self.x, "validation_data's x")
        shape = np.shape(keras.tree.flatten(self.x)[0])[1:]
        if not is_picture(shape):
            raise TensorBoardError(
                f"a grid of misclassified images needs image inputs (height, width"
                f"[, 1 or 3 channels]); {model.name} takes {shape}"
            )
        self.names = check_class_names(model, self.class_names)
        if len(self.y) != _batch_length(self.x):
            raise TensorBoardError(
                f"validation_data has {_batch_length(self.x)} inputs but "
                f"{len(self.y)} labels"
            )

    def begin(self) -> None:
        from kerasteach.activations.extract import compiled_forward

        check_same_on_every_process(
            (self.x, self.y), "validation_data", "MisclassifiedImages"
        )
        self._forward = compiled_forward(self.model)

    def on_epoch_end(self, epoch, logs=None):
        if not self.due(epoch, self.every):
            return
        from keras import ops

        scores = self._forward(self.x)[0]
        true, predicted = (
            np.asarray(ops.convert_to_numpy(a))
            for a in _confusion.label_indices(
                ops.convert_to_tensor(self.y),
                ops.convert_to_tensor(scores),
                len(self.names),
            )
        )
        wrong = np.flatnonzero(true != predicted)[: self.max_images]
        images = keras.tree.flatten(self.x)[0]
        with self.writer.as_default():
            if len(wrong):
                grid = labelled_grid(
                    [images[i] for i in wrong],
                    [
                        (
                            f"true: {self.names[true[i]]}",
                            f"pred: {self.names[predicted[i]]}",
                        )
                        for i in wrong
                    ],
                )
                write_images("misclassified/examples", [grid], step=epoch)
        self.writer.flush()


class HParams(RunCallback):
    """Hyperparameters for TensorBoard's HParams tab, written once per run.

    >>> callback = HParams({"learning_rate": 0.001, "units": 64}, logdir="logs")
    """

    subfolder = "."

    def __init__(self, hparams: Mapping[str, Any], logdir: LogDir = "logs") -> None:
        super().__init__(logdir)
        allowed = (bool, int, float, str)
        bad = {k: v for k, v in hparams.items() if not isinstance(v, allowed)}
        if bad:
            raise TensorBoardError(
                f"hyperparameters must be numbers, strings or booleans; got {bad}"
            )
        self.hparams = dict(hparams)

    def begin(self) -> None:
        from tensorboard.plugins.hparams import api as hp

        with self.writer.as_default():
            hp.hparams(self.hparams, trial_id=self.folder.name)
        self.writer.flush()


class ClassroomTensorBoard(keras.callbacks.TensorBoard):
    """Keras' own ``TensorBoard`` callback, writing into a fresh run folder for
    every fit (Keras' writes every fit into the same folder).

    >>> callback = ClassroomTensorBoard(logdir="logs")
    """

    def __init__(self, logdir: LogDir = "logs", **options: Any) -> None:
        self._silent = False  # first: every hook lookup reads it
        self.run = as_run_folder(logdir)
        super().__init__(log_dir=str(self.run.logdir), **options)
        self._started = False

    def __getattribute__(self, name: str) -> Any:
        # In a job of several processes only the chief writes Keras' scalars:
        # on the others every hook is a no-op (Keras' writes nothing to share).
        if name.startswith("on_") and object.__getattribute__(self, "_silent"):
            return _nothing
        return super().__getattribute__(name)

    def set_model(self, model: keras.Model) -> None:
        # Decided once per fit (set_model comes first): the job, and with it
        # this process's number, is known by then.
        self._silent = not is_chief()
        # Keras writes the model graph here; wait until the run folder exists.
        self._model = model

    def _start(self) -> None:
        self.log_dir = str(self.run.join(self, self.model.name))
        super().set_model(self.model)
        self._started = True

    def on_train_begin(self, logs=None):
        self._start()
        self._first_rates, self._rate_moved = None, False  # each fit afresh
        super().on_train_begin(logs)

    def on_train_end(self, logs=None):
        super().on_train_end(logs)
        self.run.leave(self)
        self._started = False

    def _collect_learning_rate(self, logs):
        # A rate that never changes is a flat chart, and it would sit between
        # the accuracy and the loss a learner looks for: written only once it
        # has moved (a schedule, ReduceLROnPlateau), from then on.
        logs = super()._collect_learning_rate(logs)
        rates = {k: v for k, v in logs.items() if k.startswith("learning_rate")}
        if not rates:
            return logs
        if self._first_rates is None:
            self._first_rates = dict(rates)
        if rates == self._first_rates and not self._rate_moved:
            return {k: v for k, v in logs.items() if k not in rates}
        self._rate_moved = True
        return logs

    def on_test_begin(self, logs=None):
        if not self._started:  # evaluate() on its own: a run of its own
            self._start()
            self._evaluate_only = True
        super().on_test_begin(logs)

    def on_test_end(self, logs=None):
        super().on_test_end(logs)
        if getattr(self, "_evaluate_only", False):
            self._close_writers()
            self.run.leave(self)
            self._started = self._evaluate_only = False


def _nothing(*args: Any, **kwargs: Any) -> None:
    """A hook that does nothing (Keras' TensorBoard on a process other than 0)."""
