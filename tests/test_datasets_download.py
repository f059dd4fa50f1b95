"""Downloads from a real HTTP server on 127.0.0.1: faults, resume, mirrors, caches."""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import run_command, skip_unless
from dataset_fixtures import mnist_card
from fixture_server import closed_port, serving

from kerasteach.datasets import NotAvailableError, load
from kerasteach.datasets.download import TLS_ADVICE, DownloadError, download


def fetch(card, tmp_path: Path, **options):
    options.setdefault("progress", False)
    return load(card, cache_dir=tmp_path / "cache", mirror="", **options)


def test_download_then_cached_load_needs_no_network(server, tmp_path: Path) -> None:
    card, _ = mnist_card(server)
    (x_train, y_train), (x_test, y_test) = fetch(card, tmp_path)
    assert x_train.shape == (50, 28, 28) and y_test.shape == (20,)
    assert (tmp_path / "cache" / "mnist" / "mnist.npz").is_file()
    served = len(server.requests)
    again = fetch(card, tmp_path)
    assert len(server.requests) == served
    np.testing.assert_array_equal(again.x_train, x_train)


def test_server_error_is_retried(server, tmp_path: Path) -> None:
    card, _ = mnist_card(server)
    server.faults["/mnist/mnist.npz"] = "500-once"
    fetch(card, tmp_path)
    assert len(server.requests) == 2


def test_connection_cut_halfway_resumes_with_range(server, tmp_path: Path) -> None:
    card, files = mnist_card(server)
    server.faults["/mnist/mnist.npz"] = "cut-once"
    fetch(card, tmp_path)
    ranges = [r for _, r in server.requests if r]
    assert ranges and ranges[0].startswith("bytes=")
    saved = (tmp_path / "cache" / "mnist" / "mnist.npz").read_bytes()
    assert saved == files["mnist.npz"]


@pytest.mark.parametrize(
    ("fault", "first_mirror_requests"),
    [("short-no-length", 3), ("wrong", 1)],  # a short body is retried, a bad hash not
)
def test_a_bad_first_mirror_hands_over_to_the_next(
    server, tmp_path: Path, fault: str, first_mirror_requests: int
) -> None:
    with serving() as second:
        card, files = mnist_card(server, server.url, second.url)
        second.publish("mnist", files)
        server.faults["/mnist/mnist.npz"] = fault
        fetch(card, tmp_path)
        assert len(server.requests) == first_mirror_requests
        assert second.requests
        assert (tmp_path / "cache/mnist/mnist.npz").read_bytes() == files["mnist.npz"]


def test_stalled_server_times_out_then_next_mirror(server, tmp_path: Path) -> None:
    # The stalled server sends its headers, then nothing until the test ends:
    # only the read timeout can end the wait.
    server.faults["/mnist/mnist.npz"] = "stall"
    card, files = mnist_card(server)
    spec = card.forms[0].files[0]
    failures: list[DownloadError] = []

    def alone() -> None:
        try:
            download(spec, spec.urls, tmp_path / "alone.npz", timeout=0.5,
                     attempts=1, progress=False)  # fmt: skip
        except DownloadError as error:
            failures.append(error)

    waiting = threading.Thread(target=alone, daemon=True)
    waiting.start()
    waiting.join(120)  # without a timeout it would wait until the server stops
    assert not waiting.is_alive(), "the download never gave up on a silent server"
    assert server.requests == [("/mnist/mnist.npz", None)]
    (problem,) = failures[0].problems
    assert problem.startswith(f"{server.url}/mnist/mnist.npz: ")
    assert problem.endswith("(nothing came for longer than the timeout)"), problem
    with serving() as second:
        card, files = mnist_card(server, server.url, second.url)
        second.publish("mnist", files)
        spec = card.forms[0].files[0]
        download(spec, spec.urls, tmp_path / "mnist.npz", timeout=0.5, attempts=1,
                 progress=False)  # fmt: skip
        assert len(server.requests) == 2  # asked, and left behind
        assert second.requests == [("/mnist/mnist.npz", None)]
    assert (tmp_path / "mnist.npz").read_bytes() == files["mnist.npz"]


def test_mirror_that_is_down_is_skipped(server, tmp_path: Path) -> None:
    card, _ = mnist_card(server, closed_port(), server.url)
    fetch(card, tmp_path)
    assert server.requests


def test_every_source_failing_names_the_file_and_the_fixes(tmp_path: Path) -> None:
    with serving() as server:
        card, _ = mnist_card(server, closed_port())
    with pytest.raises(NotAvailableError) as error:
        fetch(card, tmp_path)
    message = str(error.value)
    assert "mnist.npz" in message
    assert str(tmp_path / "cache" / "mnist" / "mnist.npz") in message
    assert "KERASTEACH_MIRROR" in message
    assert "kerasteach datasets download mnist" in message


def test_corrupt_cached_file_is_moved_aside_and_fetched_again(server, tmp_path) -> None:
    card, files = mnist_card(server)
    cached = tmp_path / "cache" / "mnist" / "mnist.npz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(files["mnist.npz"][:100])  # truncated
    fetch(card, tmp_path)
    assert cached.read_bytes() == files["mnist.npz"]
    assert (cached.parent / "mnist.npz.bad").read_bytes() == files["mnist.npz"][:100]


def test_file_in_keras_cache_is_used_without_downloading(
    server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card, files = mnist_card(server)
    keras_home = tmp_path / "keras_home"
    (keras_home / "datasets").mkdir(parents=True)
    (keras_home / "datasets" / "mnist.npz").write_bytes(files["mnist.npz"])
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    fetch(card, tmp_path)
    assert server.requests == []


def test_mirror_url_is_tried_first(server, tmp_path: Path) -> None:
    with serving() as mirror:
        card, files = mnist_card(server)
        mirror.publish("mnist", files)
        load(card, cache_dir=tmp_path, mirror=mirror.url, progress=False)
        assert mirror.requests and not server.requests


DOWNLOAD_SCRIPT = """
import sys
from pathlib import Path
from kerasteach.datasets.cards import FileSpec
from kerasteach.datasets.download import download
spec = FileSpec("big.bin", sys.argv[3], int(sys.argv[4]), (sys.argv[1],))
download(spec, spec.urls, Path(sys.argv[2]), progress=False, attempts=1)
"""


def test_download_killed_midway_leaves_no_file_then_resumes(server, tmp_path) -> None:
    import hashlib
    import subprocess

    data = np.random.default_rng(1).bytes(2_000_000)
    server.files["/big.bin"] = data
    server.faults["/big.bin"] = "half-then-stall"  # kill it while it waits
    target = tmp_path / "big.bin"
    part = tmp_path / "big.bin.part"
    sha = hashlib.sha256(data).hexdigest()
    command = [
        sys.executable,
        "-c",
        DOWNLOAD_SCRIPT,
        f"{server.url}/big.bin",
        str(target),
        sha,
        str(len(data)),
    ]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 60
    while (not part.exists() or part.stat().st_size < 1_000_000) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert server.requests == [("/big.bin", None)]  # it is downloading: now kill it
    process.kill()
    process.wait()
    assert part.stat().st_size == 1_000_000
    assert not target.exists()  # never a partial file under the real name
    server.faults.pop("/big.bin")
    result = run_command(*command)
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == data
    assert server.requests[-1][1] == "bytes=1000000-"
    assert server.if_range[-1] == f'"{hashlib.sha256(data).hexdigest()[:16]}"'
    assert not part.exists() and not (tmp_path / "big.bin.part.json").exists()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no system trusts, made with the openssl CLI."""
    skip_unless(shutil.which("openssl") is not None, "the openssl command is missing")
    cert, key = folder / "cert.pem", folder / "key.pem"
    made = run_command(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", str(key), "-out", str(cert),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return cert, key


def test_tls_failure_gives_advice_never_a_downgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate = self_signed_certificate(tmp_path)
    with serving(certificate) as https:
        card, _ = mnist_card(https)
        spec = card.forms[0].files[0]
        with pytest.raises(DownloadError) as error:
            download(spec, spec.urls, tmp_path / "x", attempts=1, progress=False)
        assert str(error.value) == TLS_ADVICE
        # Refused in the handshake: no request was sent, no retry over plain HTTP.
        assert https.requests == []
        assert not (tmp_path / "x").exists()
        # The advice works: trusting the certificate (as behind a proxy) succeeds.
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
        download(spec, spec.urls, tmp_path / "x", attempts=1, progress=False)
        assert (tmp_path / "x").stat().st_size == spec.size
        assert https.requests == [("/mnist/mnist.npz", None)]


def test_a_refused_resume_restarts_from_the_beginning(server, tmp_path) -> None:
    card, files = mnist_card(server)
    spec = card.forms[0].files[0]
    server.faults["/mnist/mnist.npz"] = "416-once"
    part = tmp_path / "mnist.npz.part"
    part.write_bytes(b"not a prefix of the file the server has now")
    record = {"url": spec.urls[0], "etag": None, "last_modified": None}
    (tmp_path / "mnist.npz.part.json").write_text(json.dumps(record))
    download(spec, spec.urls, tmp_path / "mnist.npz", backoff=0, progress=False)
    assert (tmp_path / "mnist.npz").read_bytes() == files["mnist.npz"]
    assert not part.exists()
    assert [r[1] for r in server.requests] == [
        f"bytes={len(b'not a prefix of the file the server has now')}-",
        None,
    ]


def test_a_mirror_with_a_password_is_used_and_the_password_never_shown(
    tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """``http://user:password@host/``: sent as HTTP Basic authentication to a
    real server that demands it; every message and every file on disk shows
    the URL with the password replaced."""
    with serving() as mirror:
        card, files = mnist_card(mirror, closed_port())  # only the mirror can give it
        mirror.password = ("class", "s3cret-word")
        host = mirror.url.split("://", 1)[1]
        load(card, cache_dir=tmp_path / "ok", mirror=f"http://class:s3cret-word@{host}",
             progress=False)  # fmt: skip
        assert mirror.requests
        assert all(a and a.startswith("Basic ") for a in mirror.authorizations)
        with pytest.raises(NotAvailableError) as refused:
            load(card, cache_dir=tmp_path / "no", progress=False,
                 mirror=f"http://class:wrong-word@{host}")  # fmt: skip
    message = str(refused.value)
    assert f"http://class:***@{host}/mnist/mnist.npz: HTTP 401" in message
    printed = capfd.readouterr()
    for text in (message, printed.out, printed.err):
        assert "wrong-word" not in text and "s3cret-word" not in text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"s3cret-word" not in data and b"wrong-word" not in data, path
    with pytest.raises(ValueError) as bad:
        load(card, cache_dir=tmp_path / "no", mirror="ftp://class:s3cret-word@host/")
    assert "ftp://class:***@host/" in str(bad.value)
    assert "s3cret-word" not in str(bad.value)
