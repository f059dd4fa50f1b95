"""Datasets as a classroom uses them: captive portals, several loaders at once,
tampered caches, trickling links, bombs, bad mirror copies and every mistake.

Real processes and a real HTTP server on 127.0.0.1; nothing is mocked.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import os
import pickle
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, run_command, skip_unless
from dataset_fixtures import (
    card_data,
    card_for,
    images,
    mnist_card,
    mnist_npz_files,
    notmnist_card,
    notmnist_files,
)
from fixture_server import closed_port, serving

from kerasteach.datasets import (
    Card,
    DatasetFormatError,
    NotAvailableError,
    UnsafeArchiveError,
    load,
)
from kerasteach.datasets.decoded import content_sha256, decoded_path, record_path
from kerasteach.datasets.download import DownloadError, download

COUNTS = {"train": 50, "test": 20}


def served_arrays(files: dict[str, bytes]) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(files["mnist.npz"])) as data:
        return {key: data[key] for key in data.files}


def fetch(card: Card, cache: Path, **options):
    options.setdefault("progress", False)
    return load(card, cache_dir=cache, mirror="", **options)


# -- a captive portal or a broken mirror -----------------------------------------


def test_a_mirror_answering_with_a_login_page_does_not_poison_the_real_source(
    server, tmp_path: Path
) -> None:
    with serving() as portal:
        card, files = mnist_card(server)
        portal.files["/mnist/mnist.npz"] = b"anything"
        portal.faults["/mnist/mnist.npz"] = "portal"
        data = load(card, cache_dir=tmp_path, mirror=portal.url, progress=False)
        assert portal.requests  # the mirror was tried first ...
    # ... and the card's URL was asked for the whole file, not for bytes=59-
    assert server.requests == [("/mnist/mnist.npz", None)]
    np.testing.assert_array_equal(data.y_train, served_arrays(files)["y_train"])
    assert not list(tmp_path.rglob("*.part*"))


def test_a_login_page_is_refused_at_once_and_named(tmp_path: Path) -> None:
    with serving() as portal:
        card, _ = mnist_card(portal)
        portal.faults["/mnist/mnist.npz"] = "portal"
        with pytest.raises(NotAvailableError) as error:
            fetch(card, tmp_path)
        assert len(portal.requests) == 1  # not retried: a page is not a hiccup
    message = str(error.value)
    assert f'{portal.url}/mnist/mnist.npz: sent an HTML page ("Guest Wi-Fi")' in (
        message
    )
    assert "a Wi-Fi login page or a wrong mirror?" in message
    assert not list(tmp_path.rglob("*.part"))


def test_a_file_of_the_wrong_kind_is_refused_at_its_first_bytes(tmp_path) -> None:
    with serving() as wrong:
        card, files = mnist_card(wrong)
        wrong.files["/mnist/mnist.npz"] = b"\x1f\x8b" + files["mnist.npz"][2:]
        with pytest.raises(NotAvailableError, match="not a zip \\(npz\\) file"):
            fetch(card, tmp_path)


def test_a_part_left_by_another_source_is_started_again(server, tmp_path) -> None:
    card, files = mnist_card(server)
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / "mnist.npz.part").write_bytes(b"<html>from the mirror</html>")
    record = {"url": "http://mirror.example/mnist/mnist.npz", "etag": None}
    (folder / "mnist.npz.part.json").write_text(json.dumps(record))
    fetch(card, tmp_path)
    assert server.requests == [("/mnist/mnist.npz", None)]
    assert (folder / "mnist.npz").read_bytes() == files["mnist.npz"]


def test_a_changed_file_is_fetched_whole_when_its_etag_differs(
    server, tmp_path: Path
) -> None:
    card, files = mnist_card(server)
    spec = card.forms[0].files[0]
    part = tmp_path / "mnist.npz.part"
    part.write_bytes(b"PK" + bytes(500))  # an older version's first bytes
    record = {"url": spec.urls[0], "etag": '"an-older-version"'}
    (tmp_path / "mnist.npz.part.json").write_text(json.dumps(record))
    download(spec, spec.urls, tmp_path / "mnist.npz", progress=False)
    assert server.if_range == ['"an-older-version"']
    assert (tmp_path / "mnist.npz").read_bytes() == files["mnist.npz"]


# -- several loaders at once ------------------------------------------------------

LOADER = """
import hashlib, sys, time
from pathlib import Path
from kerasteach.datasets import Card, load
card = Card.from_file(sys.argv[1])
go = Path(sys.argv[3])
while not go.exists():
    time.sleep(0.01)
data = load(card, cache_dir=sys.argv[2], mirror="", progress=True, timeout=20)
digest = hashlib.sha256()
for array in (data.x_train, data.y_train, data.x_test, data.y_test):
    digest.update(array.tobytes())
print(digest.hexdigest())
"""


def write_card(server, folder: Path, files: dict[str, bytes], **counts) -> Path:
    data = card_data(
        "mnist",
        "mnist_npz",
        files,
        [server.url],
        counts=counts or COUNTS,
        image_shape=(28, 28),
    )
    path = folder / "mnist-card.json"
    path.write_text(json.dumps(data))
    return path


def start_loader(card: Path, cache: Path, go: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", LOADER, str(card), str(cache), str(go)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def test_four_processes_on_an_empty_cache_download_once_and_agree(
    server, tmp_path: Path
) -> None:
    files = mnist_npz_files(train=400, test=100)  # ~400 kB, sent slowly
    server.publish("mnist", files)
    server.faults["/mnist/mnist.npz"] = "slow"
    card = write_card(server, tmp_path, files, train=400, test=100)
    go = tmp_path / "go"
    loaders = [start_loader(card, tmp_path / "cache", go) for _ in range(4)]
    time.sleep(2)  # all four are started and waiting at the line
    go.touch()
    results = [loader.communicate(timeout=120) for loader in loaders]
    for loader, (_, err) in zip(loaders, results, strict=True):
        assert loader.returncode == 0, err
    digests = {out.strip() for out, _ in results}
    assert len(digests) == 1
    expected = hashlib.sha256()
    arrays = served_arrays(files)
    for key in ("x_train", "y_train", "x_test", "y_test"):
        expected.update(arrays[key].tobytes())
    assert digests == {expected.hexdigest()}
    assert server.requests == [("/mnist/mnist.npz", None)]  # one download
    waited = [err for _, err in results if "waiting for another process" in err]
    assert waited, "the others' progress lines say they wait"


def test_two_threads_in_one_process_download_once(server, tmp_path: Path) -> None:
    files = mnist_npz_files(train=400, test=100)
    server.publish("mnist", files)
    server.faults["/mnist/mnist.npz"] = "slow"
    card = card_for(
        "mnist",
        "mnist_npz",
        files,
        [server.url],
        counts={"train": 400, "test": 100},
        image_shape=(28, 28),
    )
    results: list = []
    threads = [
        threading.Thread(target=lambda: results.append(fetch(card, tmp_path)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 2
    np.testing.assert_array_equal(results[0].x_train, results[1].x_train)
    assert server.requests == [("/mnist/mnist.npz", None)]


def test_a_killed_loader_never_blocks_the_next(server, tmp_path: Path) -> None:
    files = mnist_npz_files(train=400, test=100)
    server.publish("mnist", files)
    server.faults["/mnist/mnist.npz"] = "half-then-stall"
    card = write_card(server, tmp_path, files, train=400, test=100)
    go = tmp_path / "go"
    go.touch()
    first = start_loader(card, tmp_path / "cache", go)
    part = tmp_path / "cache" / "mnist" / "mnist.npz.part"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        not part.exists() or part.stat().st_size < len(files["mnist.npz"]) // 2
    ):
        time.sleep(0.05)
    first.kill()  # holding the lock, half-way through the download
    first.communicate()
    server.faults.pop("/mnist/mnist.npz")
    second = start_loader(card, tmp_path / "cache", go)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    # it took over the lock at once, and the half the first one fetched
    assert server.requests[-1] == (
        "/mnist/mnist.npz",
        f"bytes={len(files['mnist.npz']) // 2}-",
    )


# -- the decoded cache -------------------------------------------------------------


def decoded_file(card: Card, cache: Path) -> Path:
    return decoded_path(cache / card.name, card.forms[0])


def test_edited_labels_in_the_decoded_cache_are_caught_and_rebuilt(
    server, tmp_path: Path, capsys
) -> None:
    card, files = mnist_card(server)
    fetch(card, tmp_path)
    path = decoded_file(card, tmp_path)
    with np.load(path) as stored:
        arrays = {key: stored[key] for key in stored.files}
    arrays["y_train"] = np.full_like(arrays["y_train"], 7)
    with open(path, "wb") as stream:
        np.savez(stream, **arrays)
    capsys.readouterr()
    data = fetch(card, tmp_path)
    np.testing.assert_array_equal(data.y_train, served_arrays(files)["y_train"])
    message = capsys.readouterr().err
    assert "changed since it was written" in message
    assert (path.parent / (path.name + ".bad")).exists()
    assert record_path(path).exists()  # rebuilt with a new record
    assert len(server.requests) == 1  # rebuilt from the verified raw file


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda data: data[: len(data) // 2], "truncated, emptied or replaced"),
        (lambda data: b"", "truncated, emptied or replaced"),
    ],
    ids=["truncated", "emptied"],
)
def test_a_truncated_or_emptied_decoded_cache_is_rebuilt(
    server, tmp_path: Path, capsys, damage, said: str
) -> None:
    card, files = mnist_card(server)
    fetch(card, tmp_path)
    path = decoded_file(card, tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    capsys.readouterr()
    data = fetch(card, tmp_path)
    np.testing.assert_array_equal(data.x_test, served_arrays(files)["x_test"])
    assert said in capsys.readouterr().err
    again = fetch(card, tmp_path)  # and the rebuilt file is trusted again
    np.testing.assert_array_equal(again.x_test, data.x_test)


def plant_arrays(path: Path) -> dict[str, np.ndarray]:
    """Arrays that fit no card (float64 3x3 images, labels 99 and -1) at ``path``."""
    planted = {
        "x_train": np.zeros((50, 3, 3)),
        "y_train": np.full(50, 99),
        "x_test": np.zeros((20, 3, 3)),
        "y_test": np.full(20, -1),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        np.savez(stream, **planted)
    return planted


def test_a_file_planted_in_an_empty_cache_is_never_used(
    server, tmp_path: Path, capsys
) -> None:
    card, files = mnist_card(server)
    plant_arrays(decoded_file(card, tmp_path))
    data = fetch(card, tmp_path)
    assert server.requests == [("/mnist/mnist.npz", None)]  # downloaded for real
    np.testing.assert_array_equal(data.y_train, served_arrays(files)["y_train"])
    assert data.source == str(tmp_path / "mnist" / "mnist.npz")
    assert "has no record" in capsys.readouterr().err


def test_a_planted_file_with_a_forged_record_fails_the_card_checks(
    server, tmp_path: Path, capsys
) -> None:
    card, files = mnist_card(server)
    path = decoded_file(card, tmp_path)
    planted = plant_arrays(path)
    # a record that matches (as a stale cache from another version might have)
    record = {"size": path.stat().st_size, "sha256": content_sha256(planted)}
    record_path(path).write_text(json.dumps(record))
    loaded = fetch(card, tmp_path, one_hot=True)
    assert loaded.y_train.shape == (50, 10)
    assert "do not fit the card" in capsys.readouterr().err


# -- a trickling link ----------------------------------------------------------------


def test_a_trickle_is_left_for_the_next_source(server, tmp_path: Path) -> None:
    with serving() as trickle:
        card, files = mnist_card(server, trickle.url, server.url)
        trickle.publish("mnist", files)
        trickle.faults["/mnist/mnist.npz"] = "trickle"
        trickle.trickle_seconds = 0.2  # 5 bytes/s, but never silent for 1 s
        spec = card.forms[0].files[0]
        with pytest.raises(DownloadError) as error:
            download(spec, spec.urls[:1], tmp_path / "a", timeout=1, progress=False)
        assert "too slow" in str(error.value) and "below the minimum" in str(
            error.value
        )
        data = fetch(card, tmp_path / "cache", timeout=1)
    assert server.requests == [("/mnist/mnist.npz", None)]
    np.testing.assert_array_equal(data.x_train, served_arrays(files)["x_train"])


# -- bombs -----------------------------------------------------------------------------

MEASURE = """
import json, sys
from kerasteach.datasets import Card, load
card = Card.from_file(sys.argv[1])
try:
    load(card, cache_dir=sys.argv[2], mirror="", progress=False)
    outcome = "loaded"
except Exception as error:
    outcome = f"{type(error).__name__}: {error}"
# VmHWM: this process's own peak (ru_maxrss would include the parent's, from
# before exec)
status = open("/proc/self/status").read()
peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
print(json.dumps({"outcome": outcome, "peak": peak}))
"""

BOMB_BYTES = 1 << 30  # 1 GiB of zeros, about 1 MB compressed


class Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


def gzip_of(prefix: bytes, zeros: int) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0) as stream:
        stream.write(prefix)
        reader = io.BufferedReader(Zeros(zeros), 1 << 20)
        while chunk := reader.read(1 << 20):
            stream.write(chunk)
    return out.getvalue()


def tar_gz_of(members: dict[str, tuple[int, io.RawIOBase | None]]) -> bytes:
    out = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0) as stream,
        tarfile.open(fileobj=stream, mode="w") as tar,
    ):
        for name, (size, source) in members.items():
            info = tarfile.TarInfo(name)
            info.size = size
            tar.addfile(info, io.BufferedReader(source) if source else None)
    return out.getvalue()


def load_measured(tmp_path: Path, data: dict) -> dict:
    skip_unless(Path("/proc/self/status").exists(), "peak memory is read from /proc")
    card = tmp_path / "card.json"
    card.write_text(json.dumps(data))
    result = run_command(sys.executable, "-c", MEASURE, str(card), str(tmp_path))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def plant(tmp_path: Path, name: str, files: dict[str, bytes]) -> None:
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, data in files.items():
        (folder / file_name).write_bytes(data)


def test_a_tar_bomb_under_a_custom_card_is_refused_in_little_memory(tmp_path) -> None:
    bomb = tar_gz_of({"notMNIST_small/A/bomb.png": (BOMB_BYTES, Zeros(BOMB_BYTES))})
    files = {"notMNIST_small.tar.gz": bomb}
    plant(tmp_path, "notmnist_small", files)
    data = dataclasses.asdict(notmnist_card(files, {"members": 31}))
    measured = load_measured(tmp_path, data)
    assert measured["outcome"].startswith("UnsafeArchiveError")
    assert "decompression bomb" in measured["outcome"]
    assert measured["peak"] < 300e6, measured


def test_an_idx_gzip_bomb_is_refused_in_little_memory(tmp_path: Path) -> None:
    header = bytes([0, 0, 8, 3]) + b"".join(
        n.to_bytes(4, "big") for n in (BOMB_BYTES // 784, 28, 28)
    )
    bomb = gzip_of(header, BOMB_BYTES)
    files = {
        "train-images-idx3-ubyte.gz": bomb,
        "train-labels-idx1-ubyte.gz": gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 0])),
        "t10k-images-idx3-ubyte.gz": bomb,
        "t10k-labels-idx1-ubyte.gz": gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 0])),
    }
    plant(tmp_path, "fashion", files)
    data = card_data("fashion", "idx", files, [], counts=COUNTS, image_shape=(28, 28))
    measured = load_measured(tmp_path, data)
    assert measured["outcome"].startswith("DatasetFormatError")
    assert "unpacks to more than the 39,216 bytes" in measured["outcome"]
    assert measured["peak"] < 300e6, measured


class Repeated(io.RawIOBase):
    """``head``, then ``body`` over and over up to ``size`` bytes, then ``tail``."""

    def __init__(self, head: bytes, body: bytes, tail: bytes, size: int) -> None:
        repeats = (size - len(head) - len(tail)) // len(body)
        self.parts = [head, *([body * 65536] * (repeats // 65536))]
        self.parts += [body * (repeats % 65536), tail]
        self.size = len(head) + len(tail) + repeats * len(body)
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending and self.parts:
            self.pending = self.parts.pop(0)
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count


def test_a_pickle_built_to_fill_memory_is_refused_before_it_grows(tmp_path) -> None:
    # 150 million one-byte EMPTY_LISTs in one list: 150 MB of pickle, about 10 GB
    # of lists if it were built. Random padding keeps the archive's ratio under
    # the 200 times a card without counts allows, so the pickle itself is read.
    bomb = Repeated(b"\x80\x02](", b"]", b"e.", 150_000_000)
    padding = os.urandom(1_000_000)
    small = pickle.dumps({b"data": images(1, (3072,)), b"labels": [0]}, protocol=2)
    root = "cifar-10-batches-py/"
    members: dict[str, tuple[int, io.RawIOBase | None]] = {
        f"{root}data_batch_1": (bomb.size, bomb),
        f"{root}padding": (len(padding), io.BytesIO(padding)),
    }
    for name in ("data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"):
        members[root + name] = (len(small), io.BytesIO(small))
    members[f"{root}test_batch"] = (len(small), io.BytesIO(small))
    files = {"cifar-10-python.tar.gz": tar_gz_of(members)}
    assert len(files["cifar-10-python.tar.gz"]) < 2_000_000  # under 2 MB
    plant(tmp_path, "cifar10", files)
    data = card_data(
        "cifar10", "cifar10_python", files, [], counts={}, image_shape=(32, 32, 3)
    )
    measured = load_measured(tmp_path, data)
    assert measured["outcome"].startswith("DatasetFormatError: data_batch_1: more ")
    assert "4,000,000 pickle operations" in measured["outcome"]
    assert measured["peak"] < 400e6, measured  # 196 MB: the 150 MB member, read once


def test_a_notmnist_card_with_one_image_a_class_is_an_error(tmp_path) -> None:
    files = notmnist_files(per_letter=1, empty=0)
    card = notmnist_card(files, {"members": 10})
    plant(tmp_path, "notmnist_small", files)
    with pytest.raises(DatasetFormatError) as error:
        fetch(card, tmp_path)
    assert "too few readable images to split" in str(error.value)
    assert "A (1), B (1)" in str(error.value)
    assert "each class needs at least 2" in str(error.value)


def test_an_archive_of_countless_members_is_refused(tmp_path: Path) -> None:
    members = {f"notMNIST_small/A/{i}.png": (0, None) for i in range(20_000)}
    files = {"notMNIST_small.tar.gz": tar_gz_of(members)}
    card = notmnist_card(files, {"members": 31, "unreadable": 1})
    plant(tmp_path, "notmnist_small", files)
    with pytest.raises(UnsafeArchiveError, match="more than the 57 members"):
        fetch(card, tmp_path)


def test_an_npz_declaring_more_than_its_card_allows_is_refused(tmp_path) -> None:
    files = mnist_npz_files(train=200, test=20)
    plant(tmp_path, "mnist", files)
    card = card_for(
        "mnist", "mnist_npz", files, [], counts=COUNTS, image_shape=(28, 28)
    )
    with pytest.raises(DatasetFormatError, match="more than the .* bytes its card"):
        fetch(card, tmp_path)


def test_a_damaged_archive_whose_hash_matches_says_so(tmp_path: Path) -> None:
    whole = notmnist_files()["notMNIST_small.tar.gz"]
    files = {"notMNIST_small.tar.gz": whole[: len(whole) // 2]}
    plant(tmp_path, "notmnist_small", files)
    card = notmnist_card(files, {})
    with pytest.raises(DatasetFormatError, match="matches the SHA-256 on its card"):
        fetch(card, tmp_path)


# -- local mirror folders in the final error ------------------------------------------


def test_a_wrong_file_in_a_mirror_folder_is_named(tmp_path: Path, capsys) -> None:
    with serving() as gone:
        card, files = mnist_card(gone, closed_port())
    mirror = tmp_path / "usb"
    (mirror / "mnist").mkdir(parents=True)
    bad = bytearray(files["mnist.npz"])
    bad[100] ^= 0xFF
    (mirror / "mnist" / "mnist.npz").write_bytes(bytes(bad))
    with pytest.raises(NotAvailableError) as error:
        load(card, cache_dir=tmp_path / "cache", mirror=mirror, progress=False)
    spec = card.forms[0].files[0]
    got = hashlib.sha256(bytes(bad)).hexdigest()
    assert (
        f"mirror {mirror / 'mnist' / 'mnist.npz'}: wrong SHA-256 "
        f"(expected {spec.sha256}, got {got})"
    ) in str(error.value)
    assert "the connection was refused" in str(error.value)
    warned = capsys.readouterr().err  # a bad copy is said as it is skipped
    assert (
        f"kerasteach: mirror {mirror / 'mnist' / 'mnist.npz'}: wrong SHA-256" in warned
    )
    assert warned.rstrip().endswith("; skipped it.")
    assert "Keras' cache" not in str(error.value)  # copies merely absent: unlisted


def test_a_missing_mirror_folder_is_named(tmp_path: Path) -> None:
    with serving() as gone:
        card, _ = mnist_card(gone, closed_port())
    with pytest.raises(NotAvailableError, match="mirror folder .*usb: does not exist"):
        load(card, cache_dir=tmp_path, mirror=tmp_path / "usb", progress=False)


# -- the package and the arguments ----------------------------------------------


def test_datasets_is_reachable_after_import_kerasteach_alone() -> None:
    script = (
        "import sys, kerasteach\n"
        "assert 'numpy' not in sys.modules and 'keras' not in sys.modules\n"
        "data = kerasteach.datasets.load('digits')\n"
        "print(data.x_train.shape, 'keras' in sys.modules)\n"
    )
    result = run_command(sys.executable, "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(1433, 8, 8) False"


@pytest.mark.parametrize(
    ("name", "options", "error", "message"),
    [
        (None, {}, TypeError, "a dataset is named by a string such as 'mnist'"),
        ("mnst", {}, ValueError, "did you mean 'mnist'?"),
        # a shortened name: the datasets it begins, not the nearest spelling
        (
            "notmnist",
            {},
            ValueError,
            "did you mean 'notmnist_large' or 'notmnist_small'?",
        ),
        ("digits", {"seed": -1}, ValueError, "seed is a whole number, 0 or more"),
        ("mnist", {"subset": 10**12}, ValueError, "more than the 60,000 training"),
        ("digits", {"validation_split": 0.9999}, ValueError, "leaves none of the"),
        ("digits", {"timeout": 0}, ValueError, "timeout is the seconds"),
        ("digits", {"timeout": float("nan")}, ValueError, "timeout is the seconds"),
        ("mnist", {"mirror": "http://[::1"}, ValueError, "is not a valid URL"),
        ("mnist", {"mirror": "ftp://school/m"}, ValueError, "starts with http://"),
    ],
)
def test_load_refuses_bad_arguments_before_the_network(
    name, options: dict, error: type, message: str, tmp_path: Path
) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace("?", r"\?")):
        load(name, cache_dir=tmp_path, progress=False, **options)
    assert not list(tmp_path.iterdir())  # nothing fetched, nothing made


def test_a_card_named_to_climb_out_of_the_cache_is_refused(tmp_path: Path) -> None:
    from kerasteach.datasets import CardError

    files = mnist_npz_files()
    with pytest.raises(CardError, match="letters, digits"):
        card_for("../../x", "mnist_npz", files, [], counts=COUNTS, image_shape=(28, 28))
