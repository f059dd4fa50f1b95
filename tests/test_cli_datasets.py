"""``kerasteach datasets`` run as the real console script."""

from __future__ import annotations

import hashlib
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
