"""Built-in example models trained before they are shown: never a silent
untrained model in the explorer.

An untrained network answers about 10% for every class, which teaches
nothing. ``kerasteach explore --example NAME`` therefore trains the example
on the data this computer has, without the network: MNIST from the cache or
a mirror folder (``KERASTEACH_MIRROR``) for ``mnist-cnn``; without MNIST, the
demo's digits CNN on scikit-learn's 8x8 digits instead, and the page says so.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import IO, Any

# examples that take images, and the dataset each learns from
TRAINABLE = {"mnist-cnn": "mnist", "residual-cnn": "cifar10"}
_DATASET_WORDS = {"mnist": "MNIST", "cifar10": "CIFAR-10"}
TRAINING_IMAGES = 12_000  # about 20 s for mnist-cnn on two CPU cores, ~97%


class ExampleError(ValueError):
    """The example cannot be trained here; the message says what to do."""


@dataclass
class TrainedExample:
    """A trained model, its class names and one line on what it learned from."""

    model: Any
    class_names: list[str]
    about: str


def trained_example(name: str, *, file: IO[str] | None = None) -> TrainedExample:
    """The built-in example ``name``, trained on the data this computer has.

    Prints one line before and after training. Raises ``ExampleError`` for an
    example that is not an image model, or whose dataset is not here.

    >>> import os
    >>> with open(os.devnull, "w") as quiet:
    ...     trained_example("text-lstm", file=quiet)
    Traceback (most recent call last):
    ...
    kerasteach.trained_examples.ExampleError: text-lstm does not read images: ...
    """
    from kerasteach import model_zoo
    from kerasteach.datasets import load

    out = file or sys.stdout
    if name not in model_zoo.EXAMPLES:
        raise ExampleError(model_zoo.unknown_example(name))
    if name not in TRAINABLE:
        images = ", ".join(sorted(TRAINABLE))
        raise ExampleError(
            f"{name} does not read images: the explorer shows image models "
            f"({images}), or a saved model of your own."
        )
    dataset = TRAINABLE[name]
    try:
        data = load(
            dataset,
            normalize=True,
            channels="last",
            subset=TRAINING_IMAGES,
            download=False,
            progress=False,
        )
        build = model_zoo.EXAMPLES[name]
        (x_train, _), _ = data
        what = (name, f"{len(x_train):,} {_DATASET_WORDS[dataset]} images")
    except FileNotFoundError:
        if dataset != "mnist":
            raise ExampleError(
                f"{name} learns from {dataset}, which is not on this computer: "
                f"fetch it with `kerasteach datasets download {dataset}` (or set "
                "KERASTEACH_MIRROR to a teacher's folder), then run this again."
            ) from None
        print(
            "MNIST is not on this computer (`kerasteach datasets download mnist` "
            "fetches it): training the demo's digits CNN on scikit-learn's 8x8 "
            "digits instead.",
            file=out,
        )
        data = load("digits", normalize=True, channels="last")
        build = _demo_cnn
        what = ("The demo's digits CNN", "scikit-learn's 8x8 digits")
    return _train(build, data, what, out)


def _demo_cnn(classes: int) -> Any:
    from kerasteach.demo import small_cnn

    return small_cnn((8, 8, 1), classes)


def _train(
    build: Any, data: Any, what: tuple[str, str], out: IO[str]
) -> TrainedExample:
    """Trains ``build(classes)`` on ``data``; ``what`` names the model and data."""
    import keras

    (x_train, y_train), (x_test, y_test) = data
    names = [str(n) for n in data.class_names]
    keras.utils.set_random_seed(0)
    model = build(len(names))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    epochs = 15 if len(x_train) < 5_000 else 1  # the digits are few: more passes
    model_words, data_words = what
    plural = "s" * (epochs > 1)
    print(
        f"Training: {model_words} on {data_words}, {epochs} epoch{plural}...", file=out
    )
    started = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    about = f"{model_words}, trained on {data_words}: {accuracy:.1%} test accuracy."
    print(f"{about} ({time.perf_counter() - started:.0f} s)", file=out, flush=True)
    return TrainedExample(model, names, about)
