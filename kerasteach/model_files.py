"""A ``.keras`` file checked before Keras opens it.

A learner runs ``kerasteach summary`` or ``kerasteach explore`` on any file
they are sent. A ``.keras`` file is a zip archive; Keras unpacks its
``config.json`` whole into memory, so a 1 MB file whose config expands to
1 GiB takes gigabytes before anything fails (Keras checks the weights' ratio,
not the config's, and older versions check less). The archive's own directory
says what each member unpacks to, and Python's zip reader never unpacks more
than that, so reading it first refuses such a file before any decompression.
A file cut short (a download interrupted) is named as such, not "not found".

Bounds: all members together at most ``KERASTEACH_MAX_MODEL_BYTES`` bytes
(default 4 GiB); a member of more than 1 MiB at most 100 times its
compressed size (weights compress about 1.1 times; a bomb, thousands).

>>> import tempfile, zipfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "bomb.keras")
>>> with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
...     archive.writestr("config.json", " " * 50_000_000)
>>> check_model_file(path)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kerasteach.model_files.ModelFileError: ...config.json would unpack ... a zip bomb...
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

DEFAULT_MAX_BYTES = 4 * 2**30
MAX_RATIO = 100  # unpacked / packed, for a member of more than RATIO_FLOOR bytes
RATIO_FLOOR = 2**20


class ModelFileError(ValueError):
    """The file is not a model kerasteach will hand to Keras; says why."""


def max_model_bytes() -> int:
    """The bound on a ``.keras`` file's unpacked size: ``KERASTEACH_MAX_MODEL_BYTES``
    (a whole number of bytes), else 4 GiB."""
    value = os.environ.get("KERASTEACH_MAX_MODEL_BYTES", "")
    if not value:
        return DEFAULT_MAX_BYTES
    if not value.isdigit() or int(value) < 1:
        raise ModelFileError(
            f"KERASTEACH_MAX_MODEL_BYTES is a number of bytes, like 8589934592 "
            f"(8 GiB); got {value!r}"
        )
    return int(value)


def check_model_file(path: str | os.PathLike) -> None:
    """Refuse a ``.keras`` file that is not a complete zip archive, or whose
    members would unpack past the bounds (see the module), before Keras reads
    any of it."""
    path = Path(path)
    if not zipfile.is_zipfile(path):
        raise ModelFileError(
            f"{path} is not a complete .keras file: a .keras file is a zip "
            f"archive, and this one ({path.stat().st_size:,} bytes) is cut short "
            "or damaged. Copy or download it again."
        )
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    limit = max_model_bytes()
    total = sum(member.file_size for member in members)
    if total > limit:
        raise ModelFileError(
            f"{path} would unpack to {total:,} bytes, more than the {limit:,} "
            "kerasteach opens; refused before unpacking anything. For a model "
            "that large, raise the bound: KERASTEACH_MAX_MODEL_BYTES=<bytes>."
        )
    for member in members:
        packed = max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * packed:
            raise ModelFileError(
                f"{path}: its {member.filename} would unpack {packed:,} bytes "
                f"into {member.file_size:,} ({member.file_size // packed:,} times): "
                "a zip bomb, not a model; refused before unpacking anything."
            )
