"""Where dataset files live, and how they get there without ever being half-written.

The cache folder is ``KERASTEACH_DATA`` (or an argument), else
``~/.kerasteach/datasets``; inside it, one folder per dataset. Shared caches
(``KERASTEACH_SHARED_DATA``: one folder, or several separated by ``:``, ``;``
on Windows) are read after it and never written: a JupyterHub's read-only
copy. A file is only ever used after its size and SHA-256 match its card.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from kerasteach._files import atomic_writer
from kerasteach.datasets.cards import FileSpec

_CHUNK = 1 << 20


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    """The cache: the argument, else ``KERASTEACH_DATA``, else ~/.kerasteach."""
    chosen = cache_dir or os.environ.get("KERASTEACH_DATA")
    if chosen:
        return Path(chosen).expanduser()
    return Path.home() / ".kerasteach" / "datasets"


SHARED_SETTING = "KERASTEACH_SHARED_DATA"


def shared_roots() -> list[Path]:
    """The read-only caches named by ``KERASTEACH_SHARED_DATA``, in order."""
    value = os.environ.get(SHARED_SETTING, "")
    return [Path(part).expanduser() for part in value.split(os.pathsep) if part]


def cache_layers(cache_dir: str | os.PathLike | None = None) -> list[Path]:
    """Every cache a load reads, in order: the user's own (written), then the
    shared ones (only read).

    >>> import os
    >>> os.environ["KERASTEACH_SHARED_DATA"] = "/srv/datasets"
    >>> [str(p) for p in cache_layers("/home/ada/cache")]
    ['/home/ada/cache', '/srv/datasets']
    >>> del os.environ["KERASTEACH_SHARED_DATA"]
    """
    own = cache_root(cache_dir)
    return [own, *(p for p in shared_roots() if p != own)]


def keras_cache_root() -> Path:
    """Keras' download folder: ``KERAS_HOME``/datasets, default ~/.keras/datasets."""
    home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(home).expanduser() / "datasets"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def matches(path: Path, spec: FileSpec) -> bool:
    """True when ``path`` is a regular file of the card's size and SHA-256."""
    return mismatch(path, spec) is None


class Problem(str):
    """A line saying what is wrong with a copy of a file, which reads as that
    line anywhere, and its ``kind``: ``"missing"``, ``"wrong"`` (size or
    SHA-256: a bad copy someone should hear about) or ``"unusable"`` (not a
    file, unreadable, a mirror folder that is not there).

    >>> found = Problem("mirror /usb/mnist/mnist.npz: not there", "missing")
    >>> found.kind, found.endswith("not there")
    ('missing', True)
    """

    kind: str
    details: dict[str, str]

    def __new__(cls, text: str, kind: str, **details: str) -> Problem:
        line = super().__new__(cls, text)
        line.kind = kind
        line.details = details
        return line

    def about(self, where: str) -> Problem:
        """The same problem, said of ``where`` ("mirror /usb/...: wrong size")."""
        return Problem(f"{where}: {self}", self.kind, **self.details)


def mismatch(path: Path, spec: FileSpec) -> Problem | None:
    """What is wrong with ``path`` as a copy of ``spec``; None when it is right."""
    try:
        if not path.exists():
            return Problem("not there", "missing")
        if not path.is_file():
            return Problem("not a file", "unusable")
        size = path.stat().st_size
        if size != spec.size:
            return Problem(
                f"wrong size (expected {spec.size:,} bytes, got {size:,})", "wrong"
            )
        got = sha256_of(path)
    except OSError as error:
        return Problem(f"cannot be read ({error.strerror or error})", "unusable")
    if got != spec.sha256:
        return Problem(f"wrong SHA-256 (expected {spec.sha256}, got {got})", "wrong")
    return None


def copy_verified(source: Path, target: Path, spec: FileSpec) -> None:
    """Copy ``source`` to ``target`` atomically, checking the copy's SHA-256."""
    digest = hashlib.sha256()
    with open(source, "rb") as reader, atomic_writer(target) as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
        if digest.hexdigest() != spec.sha256:
            raise ValueError(f"{source} changed while it was copied")


def quarantine(path: Path) -> Path:
    """Move a file that failed its check aside (never delete what a user put there)."""
    aside = path.with_name(path.name + ".bad")
    shutil.move(str(path), aside)
    return aside
