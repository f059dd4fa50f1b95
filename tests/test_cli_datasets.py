"""``kerasteach datasets`` run as the real console script."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, console_script, run_command, skip_unless

SHARED = ROOT.parent / "shared" / "datasets"


def datasets_command(*args: str, env: dict[str, str] | None = None):
    return run_command(console_script(), "datasets", *args, env=env)


def test_list_shows_every_card() -> None:
    result = datasets_command("list", env={"KERASTEACH_MIRROR": ""})
    assert result.returncode == 0, result.stderr
    for name in (
        "mnist",
        "fashion_mnist",
        "notmnist_small",
        "notmnist_large",
        "cifar10",
        "cifar100",
        "digits",
    ):
        assert f"\n{name} " in result.stdout
    assert "digits          none" in result.stdout


def test_pack_lays_out_a_mirror_of_verified_files(tmp_path: Path) -> None:
    skip_unless((SHARED / "mnist").is_dir(), "no real MNIST in ../shared/datasets")
    env = {"KERASTEACH_DATA": str(tmp_path / "cache"), "KERASTEACH_MIRROR": str(SHARED)}
    result = datasets_command("pack", str(tmp_path / "usb"), "mnist", env=env)
    assert result.returncode == 0, result.stderr
    for source in (SHARED / "mnist").glob("*.gz"):
        copy = tmp_path / "usb" / "mnist" / source.name
        assert (
            hashlib.sha256(copy.read_bytes()).digest()
            == hashlib.sha256(source.read_bytes()).digest()
        )
    assert not list((tmp_path / "usb").rglob("*.tmp"))


PACK_LOADER = """
import hashlib, sys
from kerasteach.datasets import load
(x, y), (x_test, y_test) = load("mnist", mirror=sys.argv[1], cache_dir=sys.argv[2])
digest = hashlib.sha256()
for array in (x, y, x_test, y_test):
    digest.update(array.tobytes())
print(digest.hexdigest())
"""


def test_a_pack_served_by_any_static_server_loads_in_eight_processes(
    tmp_path: Path,
) -> None:
    """The teacher packs MNIST (its four IDX files) and serves the folder with
    Python's own static server; eight students' processes load it at once
    into one empty cache: the mirror is asked for every form the card knows,
    each file crosses once, and all eight get MNIST."""
    skip_unless((SHARED / "mnist").is_dir(), "no real MNIST in ../shared/datasets")
    env = {
        "KERASTEACH_DATA": str(tmp_path / "teacher"),
        "KERASTEACH_MIRROR": str(SHARED),
    }
    packed = datasets_command("pack", str(tmp_path / "pack"), "mnist", env=env)
    assert packed.returncode == 0, packed.stderr
    assert not (tmp_path / "pack" / "mnist" / "mnist.npz").exists()  # IDX only
    static = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
         "--directory", str(tmp_path / "pack")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    students = []
    try:
        port = static.stdout.readline().split(" port ")[1].split()[0]
        mirror = f"http://127.0.0.1:{port}"
        offline = {**NO_NETWORK, "no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"}
        students = [
            subprocess.Popen(
                [sys.executable, "-c", PACK_LOADER, mirror, str(tmp_path / "class")],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, **offline},
            )  # fmt: skip
            for _ in range(8)
        ]
        results = [student.communicate(timeout=300) for student in students]
    finally:
        for process in [*students, static]:
            process.kill()
        served = static.communicate(timeout=10)[1]
    for student, (_, err) in zip(students, results, strict=True):
        assert student.returncode == 0, err[-2000:]
        assert "Traceback" not in err
    assert len({out.strip() for out, _ in results}) == 1  # the same MNIST, eight times
    requests = [line.split('"')[1] for line in served.splitlines() if '"GET' in line]
    for name in ("train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert requests.count(f"GET /mnist/{name} HTTP/1.1") == 1, requests
    assert requests.count("GET /mnist/mnist.npz HTTP/1.1") == 1  # 404: next form
    # and it is real MNIST: the first test labels, as the shared README lists them
    from kerasteach.datasets import load

    _, (_, y_test) = load("mnist", cache_dir=tmp_path / "class", download=False)
    assert y_test[:8].tolist() == [7, 2, 1, 0, 4, 1, 4, 9]


# Any attempt to reach the internet fails at once, whatever this machine has.
NO_NETWORK = {
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
}


def test_download_offline_explains_and_exits_non_zero(tmp_path: Path) -> None:
    env = {
        **NO_NETWORK,
        "KERASTEACH_DATA": str(tmp_path),
        "KERASTEACH_MIRROR": "http://127.0.0.1:9",
        "KERAS_HOME": str(tmp_path / "keras"),  # no copy in Keras' cache either
    }
    result = datasets_command("download", "notmnist_small", "--timeout", "2", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "kerasteach datasets download notmnist_small" in result.stderr
    assert not (tmp_path / "notmnist_small" / "notMNIST_small.tar.gz").exists()


def test_unknown_dataset_is_a_usage_error() -> None:
    result = datasets_command("download", "imagenet")
    assert result.returncode == 2
    assert "no dataset called 'imagenet'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["download", "mnist", "--timeout", "-5"], "not a number of seconds more"),
        (["download", "mnist", "--timeout", "nan"], "not a number of seconds more"),
        (["download", "mnist", "--timeout", "0"], "not a number of seconds more"),
        (["download", "mnist", "--mirror", "http://[::1"], "is not a valid URL"),
        (["download", "mnist", "--mirror", "ftp://school/m"], "starts with http://"),
        (["download", "mnist", "--mirror", "{tmp}/nowhere"], "no such folder"),
        (["download", "mnst"], "did you mean 'mnist'?"),
        (["download", "cifar"], "did you mean 'cifar10' or 'cifar100'?"),
        (["pack", "{tmp}/a-file", "mnist"], "a-file is a file; pack into a folder"),
        (["pack", "{tmp}/usb", "mnist"], "is a folder where the file goes"),
        (["download", "mnist", "--cache-dir", "{tmp}/a-file"], "is a file; give a"),
    ],
)
def test_mistakes_get_a_message_and_exit_2(
    args: list[str], message: str, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "usb" / "mnist" / "mnist.npz").mkdir(parents=True)
    env = {"KERASTEACH_DATA": str(tmp_path / "cache"), "KERASTEACH_MIRROR": ""}
    result = datasets_command(*(a.format(tmp=tmp_path) for a in args), env=env)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "cache").exists()  # refused before anything was made


def test_a_bad_mirror_setting_is_named_for_list() -> None:
    result = datasets_command("list", env={"KERASTEACH_MIRROR": "ftp://school/m"})
    assert result.returncode == 2
    assert "KERASTEACH_MIRROR 'ftp://school/m'" in result.stderr
