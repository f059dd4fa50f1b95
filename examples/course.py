"""What every example shares: its options, its output folder, its data.

Each example runs as ``python examples/NN_name.py`` (``--quick`` for a check
in a minute: a small subset and one epoch) and opens as a notebook too; there
``KERASTEACH_QUICK=1`` in the environment does what ``--quick`` does.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kerasteach import datasets


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


def load_images(name: str, quick: bool, **options) -> datasets.Dataset | StandIn:
    """A dataset for an example: a stratified subset of 2,000 in quick mode.

    In quick mode only, a dataset that is not on this computer (and cannot be
    downloaded) is replaced by random images of the same shape and classes,
    so the code can still be checked; the accuracy then means nothing.
    """
    try:
        return datasets.load(name, subset=2000 if quick else None, **options)
    except (datasets.NotAvailableError, datasets.DownloadError) as error:
        if not quick:
            raise SystemExit(
                f"{error}\n{name}: not on this computer and could not be "
                "downloaded (--quick runs on stand-in data instead)"
            ) from None
        print(f"{name} is not on this computer: random stand-in images (--quick only)")
        return StandIn(datasets.card(name), **options)


def score(data: datasets.Dataset | StandIn, accuracy: float) -> str:
    """An accuracy as a result line shows it, saying so when it means nothing.

    >>> score(StandIn(datasets.card("digits")), 0.1)
    '10.00% on random stand-in images: not a real result'
    """
    if isinstance(data, StandIn):
        return f"{accuracy:.2%} on random stand-in images: not a real result"
    return f"{accuracy:.2%}"


class StandIn:
    """Random images shaped like a dataset, for ``--quick`` runs without it."""

    def __init__(
        self,
        card: datasets.Card,
        normalize=False,
        flatten=False,
        channels=None,
        validation_split=0.0,
        one_hot=False,
    ) -> None:
        rng = np.random.default_rng(0)
        shape = tuple(card.image_shape)
        classes = len(card.class_names)
        self.card, self.class_names = card, card.class_names

        def make(count):
            x = rng.integers(0, 256, (count, *shape)).astype("uint8")
            if normalize:
                x = x.astype("float32") / 255
            if channels == "last" and len(shape) == 2:
                x = x[..., None]
            if flatten:
                x = x.reshape(count, -1)
            return x, np.arange(count) % classes

        (self.x_train, self.y_train), (self.x_test, self.y_test) = make(400), make(100)
        self.validation = make(40) if validation_split else None

    def __iter__(self):
        return iter([(self.x_train, self.y_train), (self.x_test, self.y_test)])
