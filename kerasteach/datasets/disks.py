"""What a cache folder that cannot take a file says: read-only, or full.

A JupyterHub mounts the teacher's dataset folder read-only; a student's home
quota fills up. Either way the error names the folder, what was needed and
the setting that fixes it, instead of a bare ``OSError``.

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> check_room(folder, 1_000, "mnist.npz")  # plenty of room: no error
>>> check_room(folder, 10**18, "mnist.npz")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kerasteach.datasets.disks.NoRoomError: no room for mnist.npz in ...: it needs ...
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

# Left free beyond the file itself: its record, and the filesystem's blocks.
_SPARE_BYTES = 256 * 1024
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


class _DiskError(OSError):
    def __str__(self) -> str:  # the message alone, without "[Errno 28]"
        return self.strerror or super().__str__()


class CacheNotWritableError(_DiskError):
    """A file had to be written to a cache folder that cannot be written to."""


class NoRoomError(_DiskError):
    """The disk (or quota) of a cache folder has no room for a file."""


def megabytes(size: int) -> str:
    """A size as a learner reads it.

    >>> megabytes(11_490_434)
    '11.5 MB'
    """
    return f"{size / 1e6:,.1f} MB"


def free_bytes(folder: Path) -> int | None:
    """Free bytes on ``folder``'s disk (its nearest existing parent's); None
    when that cannot be asked."""
    for place in (folder, *folder.parents):
        try:
            return shutil.disk_usage(place).free
        except FileNotFoundError:
            continue
        except OSError:
            return None
    return None


def check_room(folder: Path, needed: int, what: str) -> None:
    """A ``NoRoomError`` before a download when ``folder``'s disk has less
    than ``needed`` bytes free (a quota it cannot see is caught as it writes)."""
    free = free_bytes(folder)
    if free is not None and free < needed + _SPARE_BYTES:
        raise NoRoomError(
            errno.ENOSPC, room_message(folder, what, needed, free), str(folder)
        )


def room_message(
    folder: Path, what: str, needed: int, free: int | None, kept: Path | None = None
) -> str:
    have = f" and the disk has {megabytes(free)} free" if free is not None else ""
    message = f"no room for {what} in {folder}: it needs {megabytes(needed)}"
    message += f" more{have}."
    size = kept.stat().st_size if kept is not None and kept.exists() else 0
    if size:
        message += (
            f" The {megabytes(size)} fetched so far stay in {kept}, so the "
            "download resumes from there once there is room (delete it to get "
            "that space back now)."
        )
    return (
        f"{message} To fix it, free some space on that disk, or set "
        "KERASTEACH_DATA to a folder on a disk with room."
    )


def not_writable_message(folder: Path, reason: str) -> str:
    """Why nothing can be written to a read-only cache, and the two settings."""
    cache = folder.parent  # <cache>/<dataset>: the setting names the cache
    return (
        f"cannot write to the dataset cache {folder} ({reason}). A read-only "
        "folder (a shared copy on a JupyterHub) can still be read: set "
        f"KERASTEACH_SHARED_DATA={cache} to read from it, and KERASTEACH_DATA to "
        "a folder of your own that can be written to (or leave it unset for "
        "~/.kerasteach/datasets)."
    )


def writable_folder(folder: Path) -> None:
    """Make ``folder`` (and its parents); a ``CacheNotWritableError`` that
    names the settings when it cannot be made or written to."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        explained = explain_write_error(error, folder, "a folder", 0)
        if explained is None:
            raise
        raise explained from None
    if not os.access(folder, os.W_OK):
        raise CacheNotWritableError(
            errno.EACCES, not_writable_message(folder, "it cannot be written to")
        )


def explain_write_error(
    error: OSError, folder: Path, what: str, needed: int, kept: Path | None = None
) -> OSError | None:
    """The error to raise for a failed write of ``what`` into ``folder``: a
    ``NoRoomError`` or ``CacheNotWritableError`` that says what to do, or None
    when ``error`` is neither (a real fault, raised as it is)."""
    if error.errno in _FULL:
        message = room_message(folder, what, needed, free_bytes(folder), kept)
        return NoRoomError(error.errno, message)
    if error.errno in _READ_ONLY:
        return CacheNotWritableError(
            error.errno, not_writable_message(folder, error.strerror or str(error))
        )
    return None
