"""Run folders: one fresh, readable, timestamped folder per ``fit``.

Writing a second ``fit`` into the folder of the first makes TensorBoard's
curves zig-zag (steps 0, 1, 2, 0, 1, 2), so every fit gets its own folder and
an existing one is never written into. The callbacks of one
``tensorboard_callbacks`` call share a ``RunFolder``, so they all write into
the same run.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path


class TensorBoardError(ValueError):
    """A TensorBoard hook cannot work with what it was given; the message says
    what to change."""


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def run_name(run: str | None, model_name: str, now: float | None = None) -> str:
    """The folder name of a run: ``run`` itself, or the time and model name.

    >>> run_name(None, "mnist cnn", now=0.0).endswith("_mnist_cnn")
    True
    >>> run_name("baseline", "ignored")
    'baseline'
    """
    if run:
        name = run
    else:
        stamp = time.strftime("%Y-%m-%d_%H-%M-%S", time.localtime(now))
        name = f"{stamp}_{model_name}"
    return _UNSAFE.sub("_", name).strip("._") or "run"


def new_folder(logdir: Path, name: str) -> Path:
    """Create ``logdir/name``, or ``name-2``, ``name-3``... if it exists.

    ``mkdir`` fails on an existing folder, so two fits (or two processes)
    started in the same second still get folders of their own.
    """
    try:
        logdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _unwritable(logdir, error) from None
    for number in range(1, 10_000):
        folder = logdir / (name if number == 1 else f"{name}-{number}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError as error:
            raise _unwritable(logdir, error) from None
        if not os.access(folder, os.W_OK):
            raise _unwritable(logdir, PermissionError("not writable"))
        return folder
    raise TensorBoardError(f"{logdir} holds 9,999 runs named {name!r}: pick a run=")


def _unwritable(logdir: Path, error: OSError) -> TensorBoardError:
    reason = error.strerror or str(error)
    return TensorBoardError(
        f"cannot write TensorBoard logs into {str(logdir)!r} ({reason}); "
        "pass logdir= a folder you can write to"
    )


class RunFolder:
    """The run folder shared by several callbacks, new for every ``fit``.

    The first callback to start a fit creates the folder; the others of the
    same fit join it. A callback that starts again before the fit it joined
    ended (a new ``fit`` after an interrupted one) opens a new folder.

    >>> import tempfile
    >>> run = RunFolder(tempfile.mkdtemp(), run="demo")
    >>> a, b = object(), object()  # two callbacks
    >>> first = run.join(a, "model")
    >>> run.join(b, "model") == first
    True
    >>> run.leave(a); run.leave(b)
    >>> run.join(a, "model").name
    'demo-2'
    """

    def __init__(self, logdir: str | os.PathLike = "logs", run: str | None = None):
        self.logdir = Path(logdir)
        self.run = run
        self.folder: Path | None = None
        self.folders: list[Path] = []
        self._members: set[int] = set()

    def join(self, member: object, model_name: str) -> Path:
        """The folder of the fit ``member`` is starting; created if it is new."""
        key = id(member)
        if self.folder is None or key in self._members:
            self.folder = new_folder(self.logdir, run_name(self.run, model_name))
            self.folders.append(self.folder)
            self._members = set()
        self._members.add(key)
        return self.folder

    def leave(self, member: object) -> None:
        """``member``'s fit ended; when all have left, the next fit is new."""
        self._members.discard(id(member))
        if not self._members:
            self.folder = None


_SHARED: dict[tuple[str, str | None], RunFolder] = {}


def as_run_folder(
    logdir: str | os.PathLike | RunFolder, run: str | None = None
) -> RunFolder:
    """A ``RunFolder`` as given, or the one of ``logdir`` and ``run``: callbacks
    made apart but given the same folder write each fit into the same run.

    >>> as_run_folder("logs") is as_run_folder("./logs")
    True
    """
    if isinstance(logdir, RunFolder):
        return logdir
    key = (os.path.abspath(logdir), run)
    if key not in _SHARED:
        _SHARED[key] = RunFolder(logdir, run)
    return _SHARED[key]
