"""One loader at a time per dataset and cache: the others wait, then read its work.

Thirty students on one JupyterHub share a cache; a student runs two notebooks;
``kerasteach datasets download`` runs while a notebook loads. Whoever comes
first downloads and decodes, holding ``<cache>/<dataset>/.lock``; the others
wait (their progress line says so) and then read the same verified files.

The lock is an operating-system lock on an open file (``filelock``), so it is
released the moment its process ends, killed or not: a stale lock never blocks.

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> with dataset_lock(folder, "digits", progress=False):
...     print("only one process gets here at a time")
only one process gets here at a time
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = ".lock"
_POLL_SECONDS = 0.25


@contextlib.contextmanager
def dataset_lock(folder: Path, name: str, *, progress: bool = True) -> Iterator[None]:
    """Hold the lock of the dataset whose files live in ``folder``."""
    lock, free = _take(folder, create=True)
    if not free:
        _wait(lock, name, progress)
    try:
        yield
    finally:
        if lock is not None:
            lock.release()


@contextlib.contextmanager
def lock_if_free(folder: Path) -> Iterator[bool]:
    """Hold the dataset's lock when no other process does: yields True then,
    False (holding nothing) while another process is loading the dataset.

    For looking without waiting (``kerasteach check``, ``datasets list``):
    a look that verifies files may set a bad one aside, which must not
    happen under a loader that is writing them.

    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> with lock_if_free(folder) as free:
    ...     print(free)
    True
    """
    lock, free = _take(folder, create=False)
    try:
        yield free
    finally:
        if lock is not None and free:
            lock.release()


def _take(folder: Path, *, create: bool):
    """Try the lock once: (the lock, True) when taken, (the lock, False) when
    another process holds it, (None, True) when there is nothing to guard."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(folder / LOCK_NAME))
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            return None, True  # nothing cached yet: no loader is writing here
        lock.acquire(timeout=0)
    except Timeout:
        return lock, False
    except OSError:
        # A read-only cache (a teacher's shared copy): nothing here can be
        # written, so there is nothing to guard.
        return None, True
    return lock, True


def _wait(lock, name: str, progress: bool) -> None:
    from filelock import Timeout
    from tqdm.auto import tqdm

    with tqdm(
        desc=f"{name}: waiting for another process that is loading it",
        bar_format="{desc} ({elapsed})",
        disable=not progress,
        leave=False,
    ) as line:
        while True:
            try:
                lock.acquire(timeout=_POLL_SECONDS)
                return
            except Timeout:
                line.refresh()
