"""A JupyterHub's read-only dataset folder, a full disk, and ``check`` on a
damaged cache: real mounts (a read-only bind mount, a small tmpfs grown
again), real MNIST served by a real HTTP server, the real console script."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, console_script, run_command, skip_unless
from fixture_server import serving
from mounts import grow, read_only, tmpfs

from kerasteach.datasets import CacheNotWritableError, load

SHARED = ROOT.parent / "shared" / "datasets"
IDX = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@pytest.fixture(scope="module")
def mnist_files() -> dict[str, bytes]:
    skip_unless((SHARED / "mnist").is_dir(), "no real MNIST in ../shared/datasets")
    return {name: (SHARED / "mnist" / name).read_bytes() for name in IDX}


@pytest.fixture(scope="module")
def mnist_arrays(mnist_files, tmp_path_factory) -> dict[str, np.ndarray]:
    """MNIST loaded once from the shared folder: what every load must return."""
    cache = tmp_path_factory.mktemp("reference")
    data = load("mnist", cache_dir=cache, mirror=SHARED, download=False, progress=False)
    return {"x_train": data.x_train, "y_train": data.y_train, "x_test": data.x_test}


@pytest.fixture
def isolated(monkeypatch, tmp_path: Path) -> Path:
    """No mirror, an empty Keras cache, no shared cache: only what a test sets."""
    monkeypatch.setenv("KERASTEACH_MIRROR", "")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("KERASTEACH_SHARED_DATA", raising=False)
    return tmp_path


def same_as(data, arrays: dict[str, np.ndarray]) -> bool:
    return all(np.array_equal(getattr(data, key), arrays[key]) for key in arrays)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def cli_env(cache: Path, mirror: str, isolated: Path) -> dict[str, str]:
    """What the console script sees: this cache and mirror, no Keras cache."""
    return {
        "KERASTEACH_DATA": str(cache),
        "KERASTEACH_MIRROR": mirror,
        "KERAS_HOME": str(isolated / "keras"),
    }


def datasets_command(*args: str, env: dict[str, str]):
    return run_command(console_script(), "datasets", *args, env=env)


# -- a hub's shared folder, mounted read-only --------------------------------------


def test_a_read_only_shared_cache_is_read_and_never_written(
    isolated: Path, mnist_files, mnist_arrays, monkeypatch
) -> None:
    """The teacher filled the hub's folder (files and decoded arrays); mounted
    read-only as KERASTEACH_SHARED_DATA it loads offline, a damaged copy in it
    is skipped (not moved: it cannot be), and what must be written (the fresh
    copy from the mirror) goes to the student's own cache."""
    filled = isolated / "teacher"
    with serving() as server:  # the teacher fills it as docs/datasets.md says
        server.publish("mnist", mnist_files)
        env = cli_env(filled, server.url, isolated)
        result = datasets_command("download", "mnist", env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (filled / "mnist").glob("*.gz")) == sorted(IDX)
    assert len(list((filled / "mnist").glob("decoded-*.npz"))) == 1
    with read_only(filled, isolated / "hub") as hub:
        before = snapshot(hub)
        monkeypatch.setenv("KERASTEACH_SHARED_DATA", str(hub))
        own = isolated / "own"
        data = load("mnist", cache_dir=own, download=False, progress=False)
        assert same_as(data, mnist_arrays)
        assert not own.exists() or not list(own.rglob("*.npz"))  # read, not copied
        assert snapshot(hub) == before
    # a damaged file and no decoded arrays in the shared folder: the good copy
    # comes from the mirror into the student's own cache
    bad = filled / "mnist" / IDX[1]
    bad.write_bytes(b"\0" * len(mnist_files[IDX[1]]))
    for decoded in (filled / "mnist").glob("decoded-*"):
        decoded.unlink()
    with read_only(filled, isolated / "hub") as hub, serving() as server:
        before = snapshot(hub)
        server.publish("mnist", mnist_files)
        data = load("mnist", cache_dir=own, mirror=server.url, progress=False)
        assert same_as(data, mnist_arrays)
        assert snapshot(hub) == before
        assert (own / "mnist" / IDX[1]).read_bytes() == mnist_files[IDX[1]]
        assert [path for path, _ in server.requests if path.endswith(IDX[1])] == [
            f"/mnist/{IDX[1]}"
        ]
        assert list((own / "mnist").glob("decoded-*.npz"))


def test_a_read_only_cache_as_the_only_cache_names_the_settings(
    isolated: Path, mnist_files, capsys
) -> None:
    """KERASTEACH_DATA pointed at the read-only mount itself: a damaged file with
    a good mirror folder still loads; an empty one with only a URL mirror is
    refused with the folder and the two settings that fix it, in the API and
    in the console script (no traceback, exit 1), and check and list answer."""
    source = isolated / "source"
    (source / "mnist").mkdir(parents=True)
    (source / "mnist" / IDX[0]).write_bytes(b"not MNIST at all")
    with read_only(source, isolated / "ro") as ro:
        data = load("mnist", cache_dir=ro, mirror=SHARED, progress=False)
        assert len(data.y_train) == 60_000
        said = capsys.readouterr().err
        assert "the decoded arrays were not kept" in said
        assert "cannot write to the dataset cache" in said
        assert (ro / "mnist" / IDX[0]).read_bytes() == b"not MNIST at all"
    empty = isolated / "empty"
    empty.mkdir()
    with read_only(empty, isolated / "ro-empty") as ro, serving() as server:
        server.publish("mnist", mnist_files)
        with pytest.raises(CacheNotWritableError) as error:
            load("mnist", cache_dir=ro, mirror=server.url, progress=False)
        message = str(error.value)
        assert f"cannot write to the dataset cache {ro / 'mnist'}" in message
        assert (
            f"KERASTEACH_SHARED_DATA={ro}" in message and "KERASTEACH_DATA" in message
        )
        assert server.requests == []  # refused before anything was fetched
        env = cli_env(ro, server.url, isolated)
        result = datasets_command("download", "mnist", env=env)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "cannot write to the dataset cache" in result.stderr
        listing = datasets_command("list", env=env)
        assert listing.returncode == 0 and "Traceback" not in listing.stderr
        assert listing.stdout.split("\nmnist ")[1].split()[3] == "no"
        check = run_command(
            console_script(), "check", "--no-training", "--json", env=env
        )
        assert "Traceback" not in check.stderr
        rows = {row["name"]: row for row in json.loads(check.stdout)["checks"]}
        assert rows["mnist"]["status"] == "missing"


# -- a full disk -------------------------------------------------------------------


def test_a_full_disk_is_named_before_and_during_a_download_and_recovers(
    isolated: Path, mnist_files, mnist_arrays
) -> None:
    """An 8 MB home: the 9.9 MB file is refused before any byte is written,
    with what is needed and what is free (the npz the mirror lacks needs no
    room: its 404 comes first). Grown to 16 MB, the disk fills
    while the file arrives: the message names the folder and the kept part;
    grown again, the same command resumes where it stopped."""
    with tmpfs(isolated / "home", "8m") as home, serving() as server:
        server.publish("mnist", mnist_files)
        env = cli_env(home / "cache", server.url, isolated)
        result = datasets_command("download", "mnist", env=env)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        folder = home / "cache" / "mnist"
        assert f"no room for {IDX[0]} in {folder}: it needs 9.9 MB more" in (
            " ".join(result.stderr.split())
        )
        assert "free some space on that disk, or set KERASTEACH_DATA" in result.stderr
        assert not list(folder.glob("*.part*"))  # not one byte written

        grow(home, "16m")
        server.faults[f"/mnist/{IDX[0]}"] = "half-then-wait"
        part = folder / f"{IDX[0]}.part"
        filler = home / "notebook-checkpoints.bin"

        def fill_the_disk_once_half_is_here() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if (
                    part.exists()
                    and part.stat().st_size >= len(mnist_files[IDX[0]]) // 2
                ):
                    break
                time.sleep(0.05)
            free = shutil.disk_usage(home).free
            with open(filler, "wb") as stream:
                stream.write(b"\0" * (free - 64 * 1024))
            server.go_on.set()

        filling = threading.Thread(target=fill_the_disk_once_half_is_here)
        filling.start()
        result = datasets_command("download", "mnist", env=env)
        filling.join()
        assert result.returncode == 1 and "Traceback" not in result.stderr, (
            result.stderr
        )
        said = " ".join(result.stderr.split())
        assert f"no room for {IDX[0]} in {folder}" in said
        assert f"stay in {part}, so the download resumes from there" in said
        kept = part.stat().st_size
        assert kept >= len(mnist_files[IDX[0]]) // 2

        filler.unlink()
        grow(home, "32m")
        server.faults.clear()
        server.requests.clear()
        result = datasets_command("download", "mnist", env=env)
        assert result.returncode == 0, result.stderr
        assert (f"/mnist/{IDX[0]}", f"bytes={kept}-") in server.requests
        assert (folder / IDX[0]).read_bytes() == mnist_files[IDX[0]]
        # 32 MB holds the files but not the 55 MB of decoded arrays: the load
        # works and says why the next one decodes again
        result = run_command(
            "python", "-c",
            "from kerasteach.datasets import load; "
            "print(len(load('mnist', download=False, progress=False).y_train))",
            env=env,
        )  # fmt: skip
        assert result.stdout.strip() == "60000", result.stderr
        assert "the decoded arrays were not kept" in result.stderr
        assert "no room for decoded-idx-" in " ".join(result.stderr.split())
        assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


# -- check on a damaged cache --------------------------------------------------------


def test_check_names_what_it_set_aside_and_is_ready_from_decoded_arrays(
    isolated: Path, mnist_files, monkeypatch
) -> None:
    """Offline, three raw files damaged in a cache that also holds the decoded
    arrays: a load works, so check says ready, and names each file it moved
    aside, what was wrong and where it went, in the table and the JSON."""
    from kerasteach import readiness

    cache = isolated / "cache"
    load("mnist", cache_dir=cache, mirror=SHARED, progress=False)
    for name in IDX[:3]:
        (cache / "mnist" / name).write_bytes(mnist_files[name][:1000])
    monkeypatch.setenv("KERASTEACH_DATA", str(cache))
    checks = {c.name: c for c in readiness.dataset_checks()}
    mnist = checks["mnist"]
    assert mnist.status == "ok"
    assert mnist.detail.startswith("decoded arrays in the cache, verified")
    moved = mnist.as_dict()["set_aside"]
    assert [item["file"] for item in moved] == [
        str(cache / "mnist" / name) for name in IDX[:3]
    ]
    for item in moved:
        assert item["moved_to"] == item["file"] + ".bad"
        assert Path(item["moved_to"]).exists()
        assert item["problem"].startswith("wrong size (expected ")
    table = readiness.as_table(list(checks.values()), width=100)
    for name in IDX[:3]:
        assert name in table
    data = load("mnist", download=False, progress=False)  # the truth: it loads
    assert len(data.y_train) == 60_000
    assert os.environ["KERASTEACH_DATA"] == str(cache)
