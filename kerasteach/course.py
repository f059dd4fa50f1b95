"""What every worked example shares: its options, its output folder, its data.

Each example in kerasteach's ``examples/`` runs as ``python examples/NN_name.py``
(``--quick`` for a check in a minute: a small subset and one epoch) and as the
notebook beside it; there ``KERASTEACH_QUICK=1`` in the environment does what
``--quick`` does. It lives in the package so that a notebook opened anywhere
(Colab, a JupyterHub, a laptop) finds it once kerasteach is installed.

>>> digits_like(datasets.card("mnist"), normalize=True).x_train.shape
(1433, 28, 28)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from kerasteach import datasets
from kerasteach._notebook import in_jupyter


def options(
    description: str,
    epochs: int,
    more: Callable[[argparse.ArgumentParser], object] | None = None,
) -> argparse.Namespace:
    """The command-line options every example takes (``more`` adds its own)."""
    parser = argparse.ArgumentParser(description=description)
    if more is not None:
        more(parser)
    parser.add_argument(
        "--quick", action="store_true", help="a small subset and one epoch"
    )
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--output", default=None, help="folder for the outputs")
    # parse_known_args: inside Jupyter the kernel passes options of its own
    args, _ = parser.parse_known_args(
        sys.argv[1:] if "ipykernel" not in sys.modules else []
    )
    args.quick = args.quick or os.environ.get("KERASTEACH_QUICK") == "1"
    if args.quick:
        args.epochs = 1
    return args


def output_folder(args: argparse.Namespace, name: str) -> Path:
    """Where an example writes everything: ``--output`` or ``outputs/NAME``."""
    folder = Path(args.output or Path("outputs") / name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def show(figure: Any, path: str | os.PathLike) -> None:
    """Save a Matplotlib ``figure`` to ``path``, and in Jupyter also show it
    under the cell: a figure saved to a file is not a figure seen.

    >>> import matplotlib.figure, tempfile
    >>> show(matplotlib.figure.Figure(), Path(tempfile.mkdtemp()) / "empty.png")
    """
    figure.savefig(path)
    if in_jupyter():
        from IPython.display import Image, display

        display(Image(filename=str(path)))


def save_results(folder: Path, results: dict[str, float]) -> None:
    """Write an example's results to ``folder/results.json`` (returns nothing,
    so a notebook cell that ends with it shows no stray value)."""
    (folder / "results.json").write_text(json.dumps(results))


def load_images(name: str, quick: bool, **options) -> datasets.Dataset | StandIn:
    """A dataset for an example: a stratified subset of 2,000 in quick mode.

    When the dataset is not on this computer and cannot be downloaded, a quick
    run (or any run in a notebook) goes on with the demo digits (scikit-learn's
    8x8 digits, which need no download) enlarged to the dataset's image shape,
    so the code still runs offline; the accuracy then says so.
    """
    try:
        return datasets.load(name, subset=2000 if quick else None, **options)
    except (datasets.NotAvailableError, datasets.DownloadError) as error:
        if not (quick or "ipykernel" in sys.modules):
            raise SystemExit(
                f"{error}\n{name}: not on this computer and could not be "
                "downloaded (--quick runs on the demo digits instead)"
            ) from None
        print(
            f"{name} is not on this computer: the demo digits (8x8, enlarged to "
            f"{name}'s shape) stand in for it"
        )
        return digits_like(datasets.card(name), **options)


def score(data: datasets.Dataset | StandIn, accuracy: float) -> str:
    """An accuracy as a result line shows it, saying so when it means nothing.

    >>> score(digits_like(datasets.card("cifar10")), 0.9)
    '90.00% on the demo digits standing in for cifar10: not a real result'
    """
    if isinstance(data, StandIn):
        return (
            f"{accuracy:.2%} on the demo digits standing in for {data.card.name}: "
            "not a real result"
        )
    return f"{accuracy:.2%}"


class StandIn:
    """Arrays shaped like a dataset, for runs without it (see ``digits_like``)."""

    def __init__(self, card: datasets.Card, train, test, validation) -> None:
        self.card, self.class_names = card, card.class_names
        (self.x_train, self.y_train), (self.x_test, self.y_test) = train, test
        self.validation = validation

    def __iter__(self):
        return iter([(self.x_train, self.y_train), (self.x_test, self.y_test)])


def digits_like(
    card: datasets.Card,
    normalize: bool = False,
    flatten: bool = False,
    channels: str | None = None,
    validation_split: float = 0.0,
    one_hot: bool = False,
) -> StandIn:
    """The demo digits enlarged to ``card``'s image shape, as ``load`` would
    give that dataset (same options); labels 0-9 stand for its first classes."""
    digits = datasets.load("digits")
    shape = tuple(card.image_shape)
    classes = len(card.class_names)

    def make(x, y):
        height, width = shape[:2]
        scale = max(1, min(height // 8, width // 8))
        big = np.kron(x, np.ones((1, scale, scale), dtype=x.dtype))
        top, left = (height - big.shape[1]) // 2, (width - big.shape[2]) // 2
        out = np.zeros((len(x), height, width), dtype=np.uint8)
        out[:, top : top + big.shape[1], left : left + big.shape[2]] = (
            big.astype(np.uint16) * 255 // 16
        ).astype(np.uint8)
        if len(shape) == 3:
            out = np.repeat(out[..., None], shape[2], axis=-1)
        elif channels == "last":
            out = out[..., None]
        images = out.astype("float32") / 255 if normalize else out
        if flatten:
            images = images.reshape(len(images), -1)
        labels = y % classes
        if one_hot:
            labels = np.eye(classes, dtype="float32")[labels]
        return images, labels

    train = make(digits.x_train, digits.y_train)
    validation = None
    if validation_split:
        cut = int(len(train[0]) * (1 - validation_split))
        validation = (train[0][cut:], train[1][cut:])
        train = (train[0][:cut], train[1][:cut])
    test = make(digits.x_test, digits.y_test)
    return StandIn(card, train, test, validation)
