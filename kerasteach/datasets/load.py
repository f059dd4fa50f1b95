"""``kerasteach.datasets.load``: classroom datasets, verified, decoded once, cached."""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tarfile
import zipfile
import zlib
from pathlib import Path

from kerasteach.datasets.archives import UnsafeArchiveError
from kerasteach.datasets.cards import Card, Form, read_card
from kerasteach.datasets.dataset import Dataset, prepare
from kerasteach.datasets.decoded import (
    ARRAY_KEYS,
    CacheProblem,
    Decoded,
    decoded_path,
    read_decoded,
    set_aside,
    write_decoded,
)
from kerasteach.datasets.disks import explain_write_error
from kerasteach.datasets.formats import READERS, DatasetFormatError, check_arrays
from kerasteach.datasets.locking import dataset_lock
from kerasteach.datasets.sources import fetch_form, locate_form, mirror_setting
from kerasteach.datasets.storage import cache_layers, cache_root


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
    _check_numbers(card, subset, validation_split, seed, timeout)
    _check_cache_dir(cache_dir)
    mirror = mirror_setting(mirror)
    arrays, extra, source = decoded_arrays(
        card,
        cache_dir=cache_dir,
        mirror=mirror,
        download=download,
        progress=progress,
        timeout=timeout,
    )
    _check_rows_left(len(arrays["y_train"]), subset, validation_split, card)
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
) -> Decoded:
    """The dataset's arrays: decoded once from verified files, then from the cache.

    A verified decoded cache is read without waiting for anyone. Otherwise the
    dataset's lock is taken, so that one process downloads and decodes while the
    others wait and then read what it wrote.
    """
    fileless = next((f for f in card.forms if not f.files), None)
    if fileless is not None:  # ships with a package: nothing to fetch or cache
        raw = _decode(card, fileless, {})
        return dict(zip(ARRAY_KEYS, raw[:4], strict=True)), raw[4], fileless.format
    folders = [layer / card.name for layer in cache_layers(cache_dir)]
    folder = folders[0]  # the user's own: the only one written
    with contextlib.suppress(CacheProblem):
        cached = cached_arrays(card, folders, on_bad="raise")
        if cached is not None:
            return cached
    with dataset_lock(folder, card.name, progress=progress):
        # another process may have made them; a bad file is dealt with now
        cached = cached_arrays(card, folders, on_bad="set_aside")
        if cached is not None:
            return cached
        problems: list[str] = []
        found = locate_form(card, cache_dir, mirror, problems)
        if found is None:
            if not download:
                names = ", ".join(s.name for s in card.forms[0].files)
                tried = "".join(f"\n  - {line}" for line in problems)
                raise FileNotFoundError(
                    f"{card.name}: {names} not on this machine and download=False; "
                    f"fetch it with: kerasteach datasets download {card.name}{tried}"
                )
            found = fetch_form(
                card,
                cache_dir,
                mirror,
                progress=progress,
                timeout=timeout,
                problems=problems,
            )
        form, paths = found
        raw = _decode(card, form, paths)
        arrays = dict(zip(ARRAY_KEYS, raw[:4], strict=True))
        source = ", ".join(str(p) for p in paths.values())
        _keep_decoded(decoded_path(folder, form), arrays, raw[4], source)
        return arrays, raw[4], source


def _keep_decoded(path: Path, arrays: dict, extra: dict, source: str) -> None:
    """Write the decoded arrays for the next load; a cache that is read-only or
    full only makes the next load decode again, so this load goes on."""
    try:
        write_decoded(path, arrays, extra, source)
    except OSError as error:
        size = sum(array.nbytes for array in arrays.values())
        explained = explain_write_error(error, path.parent, path.name, size)
        why = explained or f"{error.strerror or error}"
        print(
            f"kerasteach: the decoded arrays were not kept, so the next load "
            f"decodes the files again: {why}",
            file=sys.stderr,
        )


def cached_arrays(card: Card, folders: list[Path], *, on_bad: str) -> Decoded | None:
    """Verified decoded arrays from the first of ``folders`` that has them
    (``first_decoded``'s arrays)."""
    found = first_decoded(card, folders, on_bad=on_bad)
    return None if found is None else found[1]


def first_decoded(
    card: Card, folders: list[Path], *, on_bad: str
) -> tuple[Path, Decoded] | None:
    """The first verified decoded arrays file in ``folders``, and its arrays.

    A file that fails its checks raises ``CacheProblem`` (``on_bad="raise"``),
    or is reported and skipped, and set aside when it is in the user's own
    cache (``"set_aside"``: the first folder; the others are shared, only read),
    or skipped without a word (``"skip"``: for a look that must not write).
    """
    for index, folder in enumerate(folders):
        for form in card.forms:
            if not form.files:
                continue
            path = decoded_path(folder, form)
            try:
                cached = read_decoded(path, card)
            except CacheProblem as problem:
                if on_bad == "raise":
                    raise
                if on_bad == "set_aside":
                    _report_bad_decoded(path, problem, own=index == 0)
                continue
            if cached is not None:
                return path, cached
    return None


def _report_bad_decoded(path: Path, problem: CacheProblem, *, own: bool) -> None:
    done = "skipped it (a shared cache is only read)"
    if own:
        try:
            done = f"set it aside as {set_aside(path).name}"
        except OSError as error:  # a read-only cache: just never use it
            done = f"could not set it aside ({error.strerror or error})"
    print(
        f"kerasteach: {path} {problem}; {done} and rebuilding the arrays "
        "from the verified files.",
        file=sys.stderr,
    )


def _decode(card: Card, form: Form, paths: dict[str, Path]):
    """The reader's arrays, checked; a file that passed its hash but cannot be
    read is a ``DatasetFormatError`` that says so (never a bare EOFError)."""
    try:
        raw = READERS[form.format](paths, card, form)
    except (DatasetFormatError, UnsafeArchiveError):
        raise
    except (
        EOFError,
        OSError,
        ValueError,
        KeyError,
        IndexError,
        MemoryError,
        tarfile.TarError,
        zipfile.BadZipFile,
        zlib.error,
    ) as error:
        names = ", ".join(p.name for p in paths.values())
        raise DatasetFormatError(
            f"{card.name}: {names} matches the SHA-256 on its card but cannot be "
            f"read ({type(error).__name__}: {error}). The card describes a damaged "
            "file: give the card the SHA-256 of a good copy."
        ) from error
    check_arrays(raw, card)
    return raw


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
    if (
        isinstance(validation_split, bool)
        or not isinstance(validation_split, int | float)
        or not 0 <= validation_split < 1
    ):
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


def _check_numbers(
    card: Card,
    subset: int | None,
    validation_split: float,
    seed: int,
    timeout: float,
) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(
            f"seed is a whole number, 0 or more, like 0 or 42; got {seed!r}."
        )
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise ValueError(
            f"timeout is the seconds to wait for a server, more than 0 (default "
            f"30); got {timeout!r}."
        )
    train = card.counts.get("train")
    if isinstance(train, int):
        _check_rows_left(train, subset, validation_split, card)


def _check_rows_left(
    train: int, subset: int | None, validation_split: float, card: Card
) -> None:
    """Refuse a subset past the data, or a split that leaves nothing to train on."""
    if subset is not None and subset > train:
        raise ValueError(
            f"subset={subset:,} is more than the {train:,} training examples of "
            f"{card.name}; use at most {train:,}, or leave subset out for all."
        )
    rows = subset if subset is not None else train
    if validation_split and rows - max(1, round(validation_split * rows)) < 1:
        raise ValueError(
            f"validation_split={validation_split!r} leaves none of the {rows:,} "
            f"training examples to train on; use a smaller split, like 0.2."
        )


def _check_cache_dir(cache_dir: str | os.PathLike | None) -> None:
    if cache_dir is not None and not isinstance(cache_dir, str | os.PathLike):
        raise TypeError(
            f"cache_dir is a folder path (a string or a Path); got {cache_dir!r}."
        )
    chosen = cache_root(cache_dir)
    if chosen.exists() and not chosen.is_dir():
        raise ValueError(
            f"the dataset cache {chosen} is a file; give a folder as cache_dir "
            "(or KERASTEACH_DATA)."
        )
