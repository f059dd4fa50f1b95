"""Turn verified dataset files into NumPy arrays, one reader per file format.

Every reader returns ``(x_train, y_train, x_test, y_test, extra)`` and checks
what it read (magic numbers, shapes, dtypes, label ranges) against the card.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import importlib.util
import io
import pickle
import pickletools
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from kerasteach.datasets.archives import read_members
from kerasteach.datasets.cards import Card, Form
from kerasteach.datasets.limits import Unpacked, pickle_operations, unpacked_limits

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]


class DatasetFormatError(ValueError):
    """A file passed its hash but does not hold what its card promises."""


# -- MNIST and Fashion-MNIST ---------------------------------------------------


def read_idx(data: bytes, source: str = "IDX file") -> np.ndarray:
    """An IDX array (LeCun's format): magic, dimensions, then unsigned bytes.

    >>> read_idx(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9])).tolist()
    [7, 8, 9]
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DatasetFormatError(f"{source}: not an unsigned-byte IDX file")
    dims = data[3]
    header = 4 + 4 * dims
    shape = tuple(
        int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)
    )
    if len(data) != header + int(np.prod(shape)):
        raise DatasetFormatError(
            f"{source}: {len(data)} bytes do not fit shape {shape}"
        )
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def gunzip_bounded(path: Path, limit: int, source: str) -> bytes:
    """The decompressed bytes of ``path``, refused past ``limit`` bytes.

    Memory stays near the result: the stream stops at ``limit + 1`` bytes.
    """
    with gzip.open(path, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise DatasetFormatError(
            f"{source}: unpacks to more than the {limit:,} bytes its card allows "
            "(a decompression bomb, or not the file the card describes)"
        )
    return data


def _idx(paths: dict[str, Path], card: Card, form: Form) -> Arrays:
    def load(prefix: str, kind: str) -> np.ndarray:
        name = next(n for n in paths if n.startswith(prefix) and kind in n)
        spec = next(f for f in form.files if f.name == name)
        limit = unpacked_limits(card, form, spec).total
        return read_idx(gunzip_bounded(paths[name], limit, name), name)

    arrays = load("train", "images"), load("train", "labels")
    arrays += load("t10k", "images"), load("t10k", "labels")
    return (*arrays, {})


def _mnist_npz(paths: dict[str, Path], card: Card, form: Form) -> Arrays:
    path = next(iter(paths.values()))
    check_zip_sizes(path, unpacked_limits(card, form, form.files[0]))
    with np.load(path, allow_pickle=False) as data:
        return data["x_train"], data["y_train"], data["x_test"], data["y_test"], {}


def check_zip_sizes(path: Path, limits: Unpacked) -> None:
    """Refuse a zip (an npz) whose members would unpack past ``limits``.

    Python's zipfile never reads a member past the size its directory declares,
    so checking the declared sizes bounds what a load can unpack.
    """
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    if len(infos) > limits.members or total > limits.total:
        raise DatasetFormatError(
            f"{path.name}: {len(infos)} members holding {total:,} bytes, more than "
            f"the {limits.total:,} bytes its card allows (a decompression bomb, or "
            "not the file the card describes)"
        )


# -- CIFAR ---------------------------------------------------------------------


def _cifar_binary(records: list[bytes], label_bytes: int) -> tuple[np.ndarray, ...]:
    raw = np.frombuffer(b"".join(records), np.uint8)
    width = label_bytes + 3072
    if raw.size % width:
        raise DatasetFormatError("CIFAR binary batch is not a whole number of records")
    table = raw.reshape(-1, width)
    images = table[:, label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return (np.ascontiguousarray(images), *(table[:, i] for i in range(label_bytes)))


def _members(
    paths: dict[str, Path], card: Card, form: Form, wanted: list[str]
) -> dict[str, bytes]:
    """The ``wanted`` members of the form's one archive, within the card's bounds."""
    spec = form.files[0]
    archive = paths[spec.name]
    found = dict(read_members(archive, unpacked_limits(card, form, spec), wanted))
    missing = [name for name in wanted if name not in found]
    if missing:
        raise DatasetFormatError(
            f"{archive.name}: has no {', '.join(missing)}: not the archive the "
            "card describes"
        )
    return found


def _cifar10_binary(paths: dict[str, Path], card: Card, form: Form) -> Arrays:
    root = "cifar-10-batches-bin/"
    train = [f"{root}data_batch_{i}.bin" for i in range(1, 6)]
    members = _members(paths, card, form, [*train, f"{root}test_batch.bin"])
    x_train, y_train = _cifar_binary([members.pop(name) for name in train], 1)
    x_test, y_test = _cifar_binary([members[f"{root}test_batch.bin"]], 1)
    return x_train, y_train, x_test, y_test, {}


def _cifar100_binary(paths: dict[str, Path], card: Card, form: Form) -> Arrays:
    wanted = ["cifar-100-binary/train.bin", "cifar-100-binary/test.bin"]
    members = _members(paths, card, form, wanted)
    x_train, c_train, f_train = _cifar_binary(
        [members["cifar-100-binary/train.bin"]], 2
    )
    x_test, c_test, f_test = _cifar_binary([members["cifar-100-binary/test.bin"]], 2)
    coarse = {"y_train_coarse": c_train, "y_test_coarse": c_test}
    return x_train, f_train, x_test, f_test, coarse


@functools.cache  # asked once per global a pickle names, for every array
def numpy_module(module: str) -> str:
    """``module`` under the name this NumPy gives it: NumPy 2 renamed
    ``numpy.core`` to ``numpy._core``. NumPy 1.26 ships a partial
    ``numpy._core`` (no ``numeric``), so the name that exists is chosen, not
    the one a version would suggest.

    >>> numpy_module("numpy.core.multiarray") in (
    ...     "numpy.core.multiarray", "numpy._core.multiarray")
    True
    """
    if not module.startswith(("numpy.core", "numpy._core")):
        return module
    tail = module.split(".", 2)[2] if module.count(".") >= 2 else ""
    for package in ("numpy._core", "numpy.core"):
        candidate = f"{package}.{tail}" if tail else package
        with contextlib.suppress(ImportError, ValueError):
            if importlib.util.find_spec(candidate) is not None:
                return candidate
    return module


class RestrictedUnpickler(pickle.Unpickler):
    """Rebuilds only containers and NumPy arrays: what CIFAR's python batches hold.

    Any other global (``os.system``, ``builtins.eval``, ...) is refused, so a
    crafted pickle cannot run code while it is read.
    """

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"),  # arrays at protocol 5
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        # Python 3 writes bytes this way at protocol 2 (a batch re-pickled by a
        # mirror); it only turns a str into bytes.
        ("_codecs", "encode"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise DatasetFormatError(
                f"refused to load {module}.{name} from a pickle: CIFAR batches hold "
                "only lists, dicts, bytes and NumPy arrays"
            )
        return super().find_class(numpy_module(module), name)


def load_pickle_restricted(
    data: bytes, max_operations: int = 4_000_000, source: str = "pickle"
) -> Any:
    """The pickle's containers and arrays, refused before anything is built when
    it holds more than ``max_operations`` (see ``limits.pickle_operations``).

    >>> load_pickle_restricted(pickle.dumps({b"labels": [1, 2]}, protocol=2))
    {b'labels': [1, 2]}
    >>> load_pickle_restricted(pickle.dumps([[]] * 100), max_operations=50)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kerasteach.datasets.formats.DatasetFormatError: pickle: more than 50 pickle ...
    """
    # Counted by reading the opcodes only (pickletools builds no objects).
    for count, _ in enumerate(pickletools.genops(data), 1):
        if count > max_operations:
            raise DatasetFormatError(
                f"{source}: more than {max_operations:,} pickle operations, more "
                "than its card allows (a pickle built to fill memory, or not the "
                "file the card describes)"
            )
    return RestrictedUnpickler(io.BytesIO(data), encoding="bytes").load()


def _python_batch(
    data: bytes, label_key: bytes, source: str, card: Card
) -> tuple[np.ndarray, ...]:
    batch = load_pickle_restricted(data, pickle_operations(card), source)
    if not isinstance(batch, dict) or b"data" not in batch or label_key not in batch:
        raise DatasetFormatError(f"{source}: not a CIFAR python batch")
    images = np.asarray(batch[b"data"])
    if images.dtype != np.uint8 or images.ndim != 2 or images.shape[1] != 3072:
        raise DatasetFormatError(
            f"{source}: image array is {images.dtype} {images.shape}"
        )
    labels = np.asarray(batch[label_key], dtype=np.int64)
    if labels.shape != (images.shape[0],):
        raise DatasetFormatError(
            f"{source}: {labels.shape[0]} labels for {len(images)}"
        )
    x = images.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(x), labels.astype(np.uint8)


def _cifar10_python(paths: dict[str, Path], card: Card, form: Form) -> Arrays:
    root = "cifar-10-batches-py/"
    names = [f"{root}data_batch_{i}" for i in range(1, 6)] + [f"{root}test_batch"]
    members = _members(paths, card, form, names)
    parts = [
        _python_batch(
            members[f"{root}data_batch_{i}"], b"labels", f"data_batch_{i}", card
        )
        for i in range(1, 6)
    ]
    x_test, y_test = _python_batch(
        members[f"{root}test_batch"], b"labels", "test_batch", card
    )
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    return x_train, y_train, x_test, y_test, {}


def _cifar100_python(paths: dict[str, Path], card: Card, form: Form) -> Arrays:
    root = "cifar-100-python/"
    members = _members(paths, card, form, [f"{root}train", f"{root}test"])
    train, test = members[f"{root}train"], members[f"{root}test"]
    x_train, f_train = _python_batch(train, b"fine_labels", "train", card)
    _, c_train = _python_batch(train, b"coarse_labels", "train", card)
    x_test, f_test = _python_batch(test, b"fine_labels", "test", card)
    _, c_test = _python_batch(test, b"coarse_labels", "test", card)
    coarse = {"y_train_coarse": c_train, "y_test_coarse": c_test}
    return x_train, f_train, x_test, f_test, coarse


# -- notMNIST ------------------------------------------------------------------


def _notmnist(paths: dict[str, Path], card: Card, form: Form) -> Arrays:
    from PIL import Image, UnidentifiedImageError

    letters = {letter: i for i, letter in enumerate(card.class_names)}
    images, labels, unreadable = [], [], []
    spec = form.files[0]
    archive = paths[spec.name]
    for name, data in read_members(archive, unpacked_limits(card, form, spec)):
        parts = name.split("/")
        if len(parts) != 3 or parts[0] != form.root or parts[1] not in letters:
            continue
        try:
            with Image.open(io.BytesIO(data)) as picture:
                pixels = np.asarray(picture.convert("L"), dtype=np.uint8)
        except (UnidentifiedImageError, OSError, ValueError):
            unreadable.append(name)
            continue
        if pixels.shape != tuple(card.image_shape):
            unreadable.append(name)
            continue
        images.append(pixels)
        labels.append(letters[parts[1]])
    members = card.counts.get("members")
    if members is not None and len(images) + len(unreadable) != members:
        raise DatasetFormatError(
            f"{archive.name}: {len(images) + len(unreadable)} images where the card "
            f"expects {members}: this is not the archive the card describes"
        )
    expected = card.counts.get("unreadable")
    if expected is not None and len(unreadable) != expected:
        raise DatasetFormatError(
            f"{archive.name}: {len(unreadable)} unreadable images where the card "
            f"expects {expected}: this is not the archive the card describes"
        )
    x = np.stack(images) if images else np.zeros((0, *card.image_shape), np.uint8)
    y = np.asarray(labels, np.uint8)
    _check_two_per_class(y, card, archive.name)
    x_train, y_train, x_test, y_test = _stratified_split(
        x, y, card.counts.get("test_fraction", 0.2)
    )
    return x_train, y_train, x_test, y_test, {"unreadable": unreadable}


def _check_two_per_class(y: np.ndarray, card: Card, source: str) -> None:
    """The split keeps at least one image of each class for testing, so a class
    with fewer than two would leave the training set without it (or empty)."""
    per_class = np.bincount(y, minlength=len(card.class_names))
    short = [
        f"{name} ({count})"
        for name, count in zip(card.class_names, per_class, strict=True)
        if count < 2
    ]
    if short:
        raise DatasetFormatError(
            f"{source}: too few readable images to split into training and test "
            f"sets: {', '.join(short)} where each class needs at least 2; add "
            "images, or leave those classes out of the card's class_names"
        )


# -- scikit-learn's digits (no download) ---------------------------------------


def _sklearn_digits(paths: dict[str, Path], card: Card, form: Form) -> Arrays:
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = digits.images.astype(np.uint8)
    y = digits.target.astype(np.uint8)
    return (*_stratified_split(x, y, 0.2), {})


def _stratified_split(
    x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int = 0
) -> tuple[np.ndarray, ...]:
    """A seeded split that keeps every class's share in both parts."""
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        rng.shuffle(members)
        test.extend(members[: int(np.ceil(len(members) * test_fraction))])
    is_test = np.zeros(len(y), bool)
    is_test[test] = True
    return x[~is_test], y[~is_test], x[is_test], y[is_test]


READERS: dict[str, Callable[[dict[str, Path], Card, Form], Arrays]] = {
    "idx": _idx,
    "mnist_npz": _mnist_npz,
    "cifar10_binary": _cifar10_binary,
    "cifar100_binary": _cifar100_binary,
    "cifar10_python": _cifar10_python,
    "cifar100_python": _cifar100_python,
    "notmnist_tar": _notmnist,
    "sklearn_digits": _sklearn_digits,
}


def check_arrays(arrays: Arrays, card: Card) -> None:
    """Shapes, dtypes, label ranges and counts against the card."""
    x_train, y_train, x_test, y_test, _ = arrays
    shape = tuple(card.image_shape)
    for part, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if not len(x):
            raise DatasetFormatError(
                f"{card.name} {part}: no examples; the files hold no {part} set "
                "(not the files the card describes)"
            )
        if x.dtype != np.uint8 or x.shape[1:] != shape:
            raise DatasetFormatError(
                f"{card.name} {part}: images are {x.dtype} {x.shape[1:]}, expected "
                f"uint8 {shape}"
            )
        if y.ndim != 1 or y.dtype.kind not in "ui" or len(x) != len(y):
            raise DatasetFormatError(
                f"{card.name} {part}: {len(x)} images and labels of "
                f"{y.dtype} {y.shape}, expected one whole number per image"
            )
        if len(y) and (y.min() < 0 or y.max() >= len(card.class_names)):
            raise DatasetFormatError(
                f"{card.name} {part}: labels from {y.min()} to {y.max()}, outside "
                f"the {len(card.class_names)} classes"
            )
        coarse = arrays[4].get(f"y_{part}_coarse")
        if coarse is not None and (
            coarse.shape != y.shape
            or (
                len(coarse)
                and not 0 <= coarse.min() <= coarse.max() < len(card.coarse_class_names)
            )
        ):
            raise DatasetFormatError(f"{card.name} {part}: coarse labels do not fit")
        expected = card.counts.get(part)
        if expected is not None and len(y) != expected:
            raise DatasetFormatError(
                f"{card.name} {part}: {len(y)} examples where the card says {expected}"
            )
