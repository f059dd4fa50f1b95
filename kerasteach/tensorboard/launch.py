"""``launch_tensorboard``: a real TensorBoard on this computer, one line away.

TensorBoard runs in a process of its own (as ``tensorboard`` would from a
terminal) on 127.0.0.1 at a free port; its address is read from what it
prints, then it is asked until it answers.
"""

from __future__ import annotations

import atexit
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections import deque
from pathlib import Path

from kerasteach._notebook import in_jupyter
from kerasteach.tensorboard.runs import TensorBoardError

_ADDRESS = re.compile(r"TensorBoard \S+ at (http://\S+/) ")


class TensorBoardServer:
    """A running TensorBoard: its ``url``, ``pid`` and ``stop()``.

    In Jupyter it shows itself inline; ``with`` stops it at the end.
    """

    def __init__(self, process: subprocess.Popen, logdir: Path) -> None:
        self.process = process
        self.logdir = logdir
        self.url = ""
        self.output: deque[str] = deque(maxlen=200)  # its last lines, for errors
        self._found = threading.Event()
        # Read TensorBoard's output all along: a full pipe would stall it.
        threading.Thread(target=self._read_output, daemon=True).start()

    @property
    def pid(self) -> int:
        """The TensorBoard process's id."""
        return self.process.pid

    def _read_output(self) -> None:
        for line in self.process.stdout:
            self.output.append(line.rstrip())
            match = _ADDRESS.search(line)
            if match and not self.url:
                self.url = match.group(1)
                self._found.set()
        self._found.set()  # it ended

    def wait_until_ready(self, timeout: float) -> None:
        """Return once TensorBoard answers at its address; raise after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        self._found.wait(timeout)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.url:
                try:
                    with urllib.request.urlopen(self.url + "data/logdir", timeout=5):
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        self.stop()
        last = "\n".join(list(self.output)[-10:])
        raise TensorBoardError(
            f"TensorBoard did not start within {timeout:.0f} s. Its last words:\n{last}"
        )

    def stop(self, timeout: float = 10) -> None:
        """End TensorBoard (politely, then firmly)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> TensorBoardServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _repr_html_(self) -> str:
        return (
            f'<iframe src="{self.url}" width="100%" height="720" '
            f'frameborder="0"></iframe><p>TensorBoard: <a href="{self.url}" '
            f'target="_blank">{self.url}</a></p>'
        )

    def __repr__(self) -> str:
        return f"TensorBoardServer(url={self.url!r}, pid={self.pid})"


def launch_tensorboard(
    logdir: str | os.PathLike = "logs",
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 90,
    inline: bool | None = None,
) -> TensorBoardServer:
    """Start TensorBoard on ``logdir`` and return once it answers.

    It listens on ``host`` (this computer only, by default) at ``port`` (a free
    one by default) and prints its address; in Jupyter it is shown inline
    (``inline=False`` to not). Stop it with ``server.stop()``; it also stops
    when Python exits.

    >>> with launch_tensorboard("logs") as server:  # doctest: +SKIP
    ...     print(server.url)
    TensorBoard is at http://127.0.0.1:40617/
    http://127.0.0.1:40617/
    """
    folder = Path(logdir)
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "tensorboard.main", "--logdir", str(folder)]
    command += ["--host", host, "--port", str(port)]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    server = TensorBoardServer(process, folder)
    atexit.register(server.stop)
    server.wait_until_ready(timeout)
    print(f"TensorBoard is at {server.url}")
    if inline if inline is not None else in_jupyter():
        from IPython.display import display

        display(server)
    return server
