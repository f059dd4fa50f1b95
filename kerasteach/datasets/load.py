"""``kerasteach.datasets.load``: classroom datasets, verified, decoded once, cached."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import numpy as np

from kerasteach.datasets.cards import Card, Form, read_card
from kerasteach.datasets.dataset import Dataset, prepare
from kerasteach.datasets.formats import READERS, check_arrays
from kerasteach.datasets.sources import fetch_form, locate_form, mirror_setting
from kerasteach.datasets.storage import atomic_writer, cache_root

_ARRAY_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load(
    name: str | Card,
    *,
    normalize: bool = False,
    one_hot: bool = False,
    flatten: bool = False,
    channels: str | None = None,
    subset: int | None = None,
    validation_split: float = 0.0,
    label_mode: str = "fine",
    seed: int = 0,
    cache_dir: str | os.PathLike | None = None,
    mirror: str | os.PathLike | None = None,
    download: bool = True,
    progress: bool = True,
    timeout: float = 30.0,
) -> Dataset:
    """Load a dataset by name: ``(x_train, y_train), (x_test, y_test) = load("mnist")``.

    Args:
        name: ``mnist``, ``fashion_mnist``, ``notmnist_small``, ``notmnist_large``,
            ``cifar10``, ``cifar100``, or ``digits`` (offline: ships with
            scikit-learn); or a ``Card`` of your own.
        normalize: float32 pixels in [0, 1] instead of integers.
        one_hot: labels as one-hot float32 rows instead of class numbers.
        flatten: each image as one row of numbers (for dense networks).
        channels: ``"last"`` or ``"first"`` adds (or moves) the channel axis that
            convolutions expect; None leaves images as they are.
        subset: keep this many training examples (and the test set in the same
            proportion), every class in its share, chosen with ``seed``.
        validation_split: a stratified fraction of the training set kept apart as
            ``data.validation``.
        label_mode: CIFAR-100 only: ``"fine"`` (100 classes) or ``"coarse"`` (20).
        cache_dir: where files are kept (default ``KERASTEACH_DATA`` or
            ``~/.kerasteach/datasets``).
        mirror: a folder or URL laid out as ``<dataset>/<file>``, tried first
            (default ``KERASTEACH_MIRROR``).
        download: False never touches the network.

    >>> from kerasteach.datasets import load
    >>> data = load("digits", normalize=True, channels="last")
    >>> (x_train, y_train), (x_test, y_test) = data
    >>> x_train.shape, x_train.dtype.name, float(x_train.max()), data.class_names[:3]
    ((1433, 8, 8, 1), 'float32', 1.0, ('0', '1', '2'))
    """
    card = name if isinstance(name, Card) else read_card(name)
    _check_options(card, subset, validation_split, channels, label_mode)
    arrays, extra, source = decoded_arrays(
        card,
        cache_dir=cache_dir,
        mirror=mirror_setting(mirror),
        download=download,
        progress=progress,
        timeout=timeout,
    )
    class_names = card.class_names
    if label_mode == "coarse":
        arrays["y_train"], arrays["y_test"] = (
            extra["y_train_coarse"],
            extra["y_test_coarse"],
        )
        class_names = card.coarse_class_names
    ready = prepare(
        arrays,
        max_value=card.max_value,
        num_classes=len(class_names),
        normalize=normalize,
        one_hot=one_hot,
        flatten=flatten,
        channels=channels,
        subset=subset,
        validation_split=validation_split,
        seed=seed,
    )
    return Dataset(
        card.name,
        ready["x_train"],
        ready["y_train"],
        ready["x_test"],
        ready["y_test"],
        class_names=class_names,
        card=card,
        x_val=ready.get("x_val"),
        y_val=ready.get("y_val"),
        unreadable=tuple(extra.get("unreadable", ())),
        source=source,
    )


def decoded_arrays(
    card: Card,
    *,
    cache_dir: str | os.PathLike | None = None,
    mirror: str | None = None,
    download: bool = True,
    progress: bool = True,
    timeout: float = 30.0,
) -> tuple[dict[str, np.ndarray], dict, str]:
    """The dataset's arrays: decoded once from verified files, then from the cache."""
    folder = cache_root(cache_dir) / card.name
    for form in card.forms:
        if form.files:
            cached = _decoded_path(folder, form)
            if cached.is_file():
                return _read_decoded(cached)
    fileless = next((f for f in card.forms if not f.files), None)
    if fileless is not None:
        found: tuple[Form, dict[str, Path]] | None = (fileless, {})
    else:
        found = locate_form(card, cache_dir, mirror)
    if found is None:
        if not download:
            names = ", ".join(s.name for s in card.forms[0].files)
            raise FileNotFoundError(
                f"{card.name}: {names} not on this machine and download=False; "
                f"fetch it with: kerasteach datasets download {card.name}"
            )
        found = fetch_form(card, cache_dir, mirror, progress=progress, timeout=timeout)
    form, paths = found
    raw = READERS[form.format](paths, card, form)
    check_arrays(raw, card)
    arrays = dict(zip(_ARRAY_KEYS, raw[:4], strict=True))
    extra = raw[4]
    source = ", ".join(str(p) for p in paths.values()) or form.format
    if form.files:
        _write_decoded(_decoded_path(folder, form), arrays, extra, source)
    return arrays, extra, source


def _decoded_path(folder: Path, form: Form) -> Path:
    key = hashlib.sha256("|".join(f.sha256 for f in form.files).encode()).hexdigest()
    return folder / f"decoded-{form.format}-{key[:16]}.npz"


def _write_decoded(path: Path, arrays: dict, extra: dict, source: str) -> None:
    payload = {**arrays, **{k: v for k, v in extra.items() if k != "unreadable"}}
    payload["unreadable"] = np.asarray(extra.get("unreadable", []), dtype=str)
    payload["source"] = np.asarray(source)
    try:
        with atomic_writer(path) as stream:
            np.savez(stream, **payload)
    except OSError as error:  # a read-only cache still loads, only slower next time
        print(
            f"kerasteach: could not cache decoded arrays at {path}: {error}",
            file=sys.stderr,
        )


def _read_decoded(path: Path) -> tuple[dict[str, np.ndarray], dict, str]:
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in _ARRAY_KEYS}
        extra = {k: data[k] for k in data.files if k not in _ARRAY_KEYS}
    extra["unreadable"] = [str(n) for n in extra.get("unreadable", [])]
    return arrays, extra, str(extra.pop("source", path))


def _check_options(
    card: Card,
    subset: int | None,
    validation_split: float,
    channels: str | None,
    label_mode: str,
) -> None:
    if subset is not None and (
        isinstance(subset, bool)
        or not isinstance(subset, int)
        or subset < len(card.class_names)
    ):
        raise ValueError(
            f"subset must be a whole number of examples, at least one per class "
            f"({len(card.class_names)}); got {subset!r}."
        )
    if not 0 <= validation_split < 1:
        raise ValueError(
            f"validation_split is a fraction of the training set, 0 <= v < 1; "
            f"got {validation_split!r}."
        )
    if channels not in (None, "last", "first"):
        raise ValueError(f"channels must be None, 'last' or 'first'; got {channels!r}.")
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"label_mode must be 'fine' or 'coarse'; got {label_mode!r}.")
    if label_mode == "coarse" and not card.coarse_class_names:
        raise ValueError(
            f"{card.name} has no coarse labels; label_mode is for cifar100."
        )
