"""Real filesystems for the tests: a small tmpfs (a full disk) and a read-only
view of a folder (a JupyterHub's shared mount). Mounting needs root, as CI
has; elsewhere the tests that need it skip with the reason (and fail in CI)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from conftest import skip_unless


def _mount(*args: str) -> None:
    found = shutil.which("mount")
    skip_unless(found is not None and os.geteuid() == 0, "mounting needs root")
    done = subprocess.run(
        [found or "mount", *args], capture_output=True, text=True, check=False
    )
    skip_unless(done.returncode == 0, f"mount {' '.join(args)}: {done.stderr.strip()}")


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (like ``"8m"``) mounted at ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        _unmount(folder)


def grow(folder: Path, size: str) -> None:
    """Give the tmpfs at ``folder`` a new size, keeping its files."""
    _mount("-o", f"remount,size={size}", str(folder))


@contextlib.contextmanager
def read_only(source: Path, view: Path) -> Iterator[Path]:
    """``source`` seen read-only at ``view`` (a bind mount, then remounted ro)."""
    view.mkdir(parents=True, exist_ok=True)
    _mount("--bind", str(source), str(view))
    try:
        _mount("-o", "remount,bind,ro", str(view))
        yield view
    finally:
        _unmount(view)
