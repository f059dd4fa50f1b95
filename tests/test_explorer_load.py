"""The explorer under a classroom's load, as a laptop runs it (``ulimit -n
1024``): a thousand idle connections and 300 slow POST bodies held open
against the real ``kerasteach explore`` process, then a normal request."""

from __future__ import annotations

import resource
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import keras
import numpy as np
from conftest import console_script
from PIL import Image

IDLE = 1000
SLOW_BODIES = 300


def model_and_images(folder: Path) -> tuple[Path, Path]:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax", name="out"),
        ]
    )
    path = folder / "model.keras"
    model.save(path)
    images = folder / "images"
    images.mkdir()
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(images / "blank.png")
    return path, images


def with_file_limit(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    return apply


def threads_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("Threads:")[1].split()[0])


def closed_by_server(connection: socket.socket) -> bool:
    connection.settimeout(0.01)
    try:
        return connection.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def timed_get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as answer:
        assert answer.status == 200
        answer.read()
    return time.perf_counter() - start


def start_explorer(folder: Path, preexec_fn) -> tuple[subprocess.Popen, str]:
    """``kerasteach explore`` on a small model, started for real; its URL."""
    model, images = model_and_images(folder)
    process = subprocess.Popen(
        [console_script(), "explore", str(model), "--images", str(images)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
    )
    line = process.stdout.readline()
    while line and not line.startswith("kerasteach explorer:"):
        line = process.stdout.readline()
    if not line:
        process.kill()
        raise AssertionError(process.stderr.read())
    return process, line.split(": ", 1)[1].strip()


def test_a_thousand_idle_connections_and_slow_bodies_leave_it_answering(
    tmp_path: Path,
) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096 <= hard or hard == resource.RLIM_INFINITY:  # this side's sockets
        resource.setrlimit(resource.RLIMIT_NOFILE, (4096, hard))
    process, url = start_explorer(tmp_path, with_file_limit(1024))
    held: list[socket.socket] = []
    try:
        host, port = url.split("//")[1].rstrip("/").split(":")
        address = (host, int(port))
        quiet = timed_get(url + "api/images")
        threads_before = threads_of(process.pid)

        for number in range(IDLE):  # half send nothing, half half a request
            connection = socket.create_connection(address, timeout=5)
            if number % 2:
                connection.sendall(b"GET /api/images HTTP/1.1\r\nHost: 127.0.0.1")
            held.append(connection)
        slow = []
        for _ in range(SLOW_BODIES):
            connection = socket.create_connection(address, timeout=5)
            connection.sendall(
                b"POST /api/draw HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/octet-stream\r\n"
                b"Content-Length: 78400\r\n\r\n" + bytes(100)
            )
            slow.append(connection)
        held += slow
        time.sleep(1)  # let the server take them all in
        busy = timed_get(url + "api/images")
        threads_busy = threads_of(process.pid)

        # the slow bodies are dropped after the 10 s request timeout (counted
        # from when the server took each in, so allow it a little longer)
        started = time.monotonic()
        deadline = started + 25
        waiting = list(slow)
        while waiting and time.monotonic() < deadline:
            time.sleep(0.5)
            waiting = [c for c in waiting if not closed_by_server(c)]
        dropped = len(slow) - len(waiting)
        dropped_after = time.monotonic() - started + 1
        after = timed_get(url + "api/images")
        threads_after = threads_of(process.pid)
    finally:
        for connection in held:
            connection.close()
        process.terminate()
        _, errors = process.communicate(timeout=20)
    seen = (
        f"answer times: quiet {quiet * 1000:.0f} ms, with {IDLE} idle connections "
        f"and {SLOW_BODIES} slow bodies {busy * 1000:.0f} ms, after {after * 1000:.0f}"
        f" ms; threads {threads_before} -> {threads_busy} -> {threads_after}; "
        f"{dropped} slow bodies dropped within {dropped_after:.0f} s"
    )
    print(seen)
    assert dropped == SLOW_BODIES, seen
    # no thread per connection: the same few workers (started as needed)
    assert threads_busy <= threads_before + 4, seen
    assert threads_after <= threads_before + 4, seen
    # the file limit was never reached (asyncio would say so on stderr)
    assert "out of system resource" not in errors, errors[-2000:]
    assert "Too many open files" not in errors, errors[-2000:]


def test_ctrl_c_stops_it_at_once_without_a_traceback(tmp_path: Path) -> None:
    # SIGINT as a terminal delivers it (a script's background job ignores it)
    process, url = start_explorer(
        tmp_path, lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
    )
    timed_get(url + "api/model")
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors[-2000:]
    assert "Traceback" not in errors
