"""The decoded arrays of a dataset, cached once and verified at every load.

After the first load, a dataset's arrays are kept in one uncompressed file,
``decoded-<format>-<key>.npz``, so later loads are a single read. Beside it,
``<that name>.json`` records the file's size and SHA-256 and where the arrays
came from; it is written (atomically) only after the arrays file is complete.

Each load checks the file's size against the record, reads it once, checks the
SHA-256 of the arrays it holds against the record, then their dtypes, shapes
and label ranges against the card. A file with
no record (one kerasteach did not write), a different hash (edited, truncated,
emptied) or arrays that do not fit the card is reported, set aside as ``.bad``
and rebuilt from the verified raw files.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from kerasteach._files import atomic_writer
from kerasteach._version import __version__
from kerasteach.datasets.cards import Card, Form
from kerasteach.datasets.formats import DatasetFormatError, check_arrays
from kerasteach.datasets.storage import quarantine

ARRAY_KEYS = ("x_train", "y_train", "x_test", "y_test")

Decoded = tuple[dict[str, np.ndarray], dict[str, Any], str]


class CacheProblem(Exception):
    """A decoded file that cannot be trusted; the message says why."""


def decoded_path(folder: Path, form: Form) -> Path:
    """Where the arrays decoded from ``form``'s files are kept."""
    key = hashlib.sha256("|".join(f.sha256 for f in form.files).encode()).hexdigest()
    return folder / f"decoded-{form.format}-{key[:16]}.npz"


def record_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def write_decoded(
    path: Path, arrays: dict[str, np.ndarray], extra: dict[str, Any], source: str
) -> None:
    """The arrays file, then its record: both written whole or not at all."""
    payload = {**arrays, **{k: v for k, v in extra.items() if k != "unreadable"}}
    payload["unreadable"] = np.asarray(extra.get("unreadable", []), dtype=str)
    with atomic_writer(path) as stream:
        np.savez(stream, **payload)
    record = {
        "size": path.stat().st_size,
        "sha256": content_sha256(payload),
        "source": source,
        "written_by": f"kerasteach {__version__}",
    }
    with atomic_writer(record_path(path)) as stream:
        stream.write(json.dumps(record, indent=1).encode())


def content_sha256(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 of every array's name, dtype, shape and bytes, in name order.

    The record holds this rather than the file's own hash so that a load reads
    the file once (into the arrays) and hashes what it will return: every byte
    a learner gets is covered, and the zip around them is checked by reading.
    """
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(memoryview(array).cast("B") if array.size else b"")
    return digest.hexdigest()


def read_decoded(path: Path, card: Card) -> Decoded | None:
    """The verified arrays in ``path``; None when there is no such file.

    Raises ``CacheProblem`` when the file is there but cannot be trusted.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CacheProblem(f"cannot be read ({error.strerror or error})") from None
    record = _record(path)
    if size != record.get("size"):
        raise CacheProblem(
            f"is {size:,} bytes where {record.get('size')} were written "
            "(truncated, emptied or replaced)"
        )
    try:
        with np.load(path, allow_pickle=False) as stored:
            everything = {key: stored[key] for key in stored.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise CacheProblem(f"cannot be read ({error})") from None
    if content_sha256(everything) != record.get("sha256"):
        raise CacheProblem("changed since it was written (its SHA-256 differs)")
    missing = [key for key in ARRAY_KEYS if key not in everything]
    if missing:
        raise CacheProblem(f"has no {', '.join(missing)}")
    arrays = {key: everything.pop(key) for key in ARRAY_KEYS}
    extra: dict[str, Any] = everything
    extra["unreadable"] = [str(n) for n in extra.get("unreadable", [])]
    try:
        check_arrays((*arrays.values(), extra), card)  # type: ignore[arg-type]
    except DatasetFormatError as error:
        raise CacheProblem(f"holds arrays that do not fit the card ({error})") from None
    return arrays, extra, str(record.get("source", path))


def _record(path: Path) -> dict[str, Any]:
    where = record_path(path)
    try:
        record = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CacheProblem(
            f"has no record ({where.name}): it was put there by hand, or written "
            "by an older kerasteach"
        ) from None
    except (OSError, ValueError) as error:
        raise CacheProblem(f"has an unreadable record {where.name} ({error})") from None
    if not isinstance(record, dict):
        raise CacheProblem(f"has an unreadable record {where.name}")
    return record


def set_aside(path: Path) -> Path:
    """Move a decoded file that failed its checks, and its record, out of the way."""
    aside = quarantine(path)
    record_path(path).unlink(missing_ok=True)
    return aside
