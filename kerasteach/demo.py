"""``kerasteach demo``: every add-on at work on one small network, offline.

It trains a small convolutional network on a dataset (by default
scikit-learn's 8x8 digits, which need no download) and writes into one
folder what each add-on shows: the ASCII data-flow summary, a live loss plot,
TensorBoard logs with feature maps and a confusion matrix, a picture of the
activations, an activation report to open in a browser, and the trained
model with a few test images sorted by class, for ``kerasteach explore``.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import keras
import numpy as np

import kerasteach
from kerasteach._files import atomic_writer
from kerasteach.datasets import load


@dataclass
class DemoResult:
    """What the demo made: its folder, each output's path, the test accuracy."""

    folder: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    test_accuracy: float = 0.0
    seconds: float = 0.0


def small_cnn(input_shape: tuple[int, ...], classes: int) -> keras.Model:
    """Two convolution blocks and a classifier, sized for the images.

    >>> small_cnn((8, 8, 1), 10).outputs[0].shape
    (None, 10)
    """
    layers = [
        keras.Input(input_shape),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1"),
        keras.layers.MaxPooling2D(name="pool1"),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2"),
    ]
    if min(input_shape[:2]) >= 16:  # 28x28 and 32x32 images: pool once more
        layers.append(keras.layers.MaxPooling2D(name="pool2"))
    layers += [
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dropout(0.25, name="dropout"),
        keras.layers.Dense(classes, activation="softmax", name="classes"),
    ]
    return keras.Sequential(layers, name="demo_cnn")


def run_demo(
    dataset: str = "digits",
    epochs: int = 15,
    output: str | os.PathLike = "kerasteach-demo",
    *,
    file: IO[str] | None = None,
) -> DemoResult:
    """Train the demo network and write every add-on's output into ``output``.

    >>> import tempfile
    >>> with open(os.devnull, "w") as quiet:
    ...     result = run_demo(epochs=1, output=tempfile.mkdtemp(), file=quiet)
    >>> sorted(result.outputs)  # doctest: +NORMALIZE_WHITESPACE
    ['activations', 'images', 'loss plot', 'model', 'report', 'summary',
     'tensorboard']
    """
    out = file or sys.stdout
    started = time.perf_counter()
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    data = load(dataset, normalize=True, channels="last", validation_split=0.1)
    (x_train, y_train), (x_test, y_test) = data
    x_val, y_val = data.validation
    names = [str(name) for name in data.class_names]
    keras.utils.set_random_seed(0)
    model = small_cnn(x_train.shape[1:], len(names))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    result = DemoResult(folder)

    total = sum(len(y) for y in (y_train, y_val, y_test))
    print(
        f"kerasteach demo: {data.card.title}, {total:,} images: trains on "
        f"{len(x_train):,}, checks each epoch on {len(x_val):,}, tests on "
        f"{len(x_test):,}",
        file=out,
    )
    summary = kerasteach.summary(model)
    summary.print(file=out)
    result.outputs["summary"] = folder / "summary.txt"
    with atomic_writer(result.outputs["summary"]) as stream:
        stream.write(summary.to_text(width=100).encode())

    result.outputs["loss plot"] = folder / "loss.png"
    result.outputs["tensorboard"] = folder / "logs"
    callbacks = [
        kerasteach.TqdmProgress(file=out),
        kerasteach.LivePlot(result.outputs["loss plot"]),
        *kerasteach.tensorboard_callbacks(
            result.outputs["tensorboard"],
            sample=x_test[:4],
            class_names=names,
            validation_data=(x_val, y_val),
        ),
    ]
    model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=32,
        callbacks=callbacks,
        verbose=0,
    )
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    result.test_accuracy = float(accuracy)

    result.outputs["activations"] = folder / "activations.png"
    figure = kerasteach.plot_activations(model, x_test, class_names=names)
    with atomic_writer(result.outputs["activations"]) as stream:
        figure.savefig(stream, format="png", dpi=100)
    result.outputs["report"] = folder / "report.html"
    kerasteach.activation_report(
        model, x_test[:8], result.outputs["report"], class_names=names, labels=y_test
    )
    result.outputs["model"] = folder / "model.keras"
    _save_model(model, result.outputs["model"])
    result.outputs["images"] = folder / "images"
    _save_images(x_test, y_test, names, folder / "images")
    result.seconds = time.perf_counter() - started
    _print_next_steps(result, dataset, out)
    return result


def _save_model(model: keras.Model, target: Path) -> None:
    """``model.save`` under a temporary name, renamed when complete."""
    temporary = target.with_name(f".{target.stem}.{os.getpid()}.tmp.keras")
    try:
        model.save(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _save_images(x: np.ndarray, y: np.ndarray, names: list[str], folder: Path) -> None:
    """Two test images of each class (pixels in [0, 1]) as PNG files in
    ``folder/<class name>/``, the layout the explorer reads true labels from."""
    from PIL import Image

    for label, name in enumerate(names):
        for number, index in enumerate(np.flatnonzero(y == label)[:2]):
            pixels = np.clip(x[index] * 255, 0, 255).astype(np.uint8)
            image = Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
            with atomic_writer(folder / _safe_name(name) / f"{number}.png") as stream:
                image.save(stream, format="png")


def _safe_name(name: str) -> str:
    """A class name usable as a folder name ("a/b" and ".." are not)."""
    cleaned = "".join(c if c.isalnum() or c in " -_" else "_" for c in name)
    return cleaned.strip() or "_"


def _print_next_steps(result: DemoResult, dataset: str, out: IO[str]) -> None:
    print(
        f"\nTest accuracy: {result.test_accuracy:.1%} "
        f"(trained in {result.seconds:.0f} s)\n",
        file=out,
    )
    print("What each add-on made:", file=out)
    what = {
        "summary": "the data-flow summary (kerasteach.summary)",
        "loss plot": "loss and accuracy, redrawn every epoch (kerasteach.LivePlot)",
        "tensorboard": "TensorBoard logs: curves, feature maps, confusion matrix",
        "activations": "what each layer makes of one test image",
        "report": "every layer's activations, to open in a browser",
        "model": "the trained model (keras.saving.load_model)",
        "images": "two test images of each class, for the explorer",
    }
    for name, path in result.outputs.items():
        print(f"  {str(path):<32} {what[name]}", file=out)
    report = result.outputs["report"].resolve().as_uri()
    print("\nNext, try:", file=out)
    print(
        f"  kerasteach explore {result.outputs['model']} --images "
        f"{result.outputs['images']}   (draw a digit, see every layer)",
        file=out,
    )
    print(f"  kerasteach tensorboard {result.outputs['tensorboard']}", file=out)
    print(f"  open {report} in your browser", file=out)
    if dataset == "digits":
        print("  kerasteach demo --dataset mnist   (the full MNIST; online)", file=out)
    if Path("examples", "01_first_network.py").is_file():  # in a clone, not a wheel
        print("  python examples/01_first_network.py --quick", file=out)
