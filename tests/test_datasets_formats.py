"""Each real format, hostile archives and pickles, options, real shared files."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, skip_unless
from dataset_fixtures import (
    card_for,
    cifar_python_batch,
    cifar_records,
    idx_bytes,
    images,
    labels,
    notmnist_card,
    notmnist_files,
    tar_bytes,
)

from kerasteach import datasets
from kerasteach.datasets import DatasetFormatError, UnsafeArchiveError, load

SHARED = ROOT.parent / "shared" / "datasets"


def load_local(card, folder: Path, files: dict[str, bytes], **options):
    """Put fixture files in a mirror folder and load them with no network."""
    mirror = folder / "mirror" / card.name
    mirror.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (mirror / name).write_bytes(data)
    return load(
        card,
        cache_dir=folder / "cache",
        mirror=folder / "mirror",
        download=False,
        progress=False,
        **options,
    )


@pytest.mark.quick
def test_idx_files(tmp_path: Path) -> None:
    x, y = images(30, (28, 28)), labels(30)
    xt, yt = images(10, (28, 28)), labels(10)
    files = {
        "train-images-idx3-ubyte.gz": idx_bytes(x),
        "train-labels-idx1-ubyte.gz": idx_bytes(y),
        "t10k-images-idx3-ubyte.gz": idx_bytes(xt),
        "t10k-labels-idx1-ubyte.gz": idx_bytes(yt),
    }
    card = card_for(
        "fashion_mnist",
        "idx",
        files,
        [],
        counts={"train": 30, "test": 10},
        image_shape=(28, 28),
    )
    (x_train, y_train), (x_test, y_test) = load_local(card, tmp_path, files)
    np.testing.assert_array_equal(x_train, x)
    np.testing.assert_array_equal(y_test, yt)


def cifar10_binary(x, y, xt, yt) -> bytes:
    members = {
        f"cifar-10-batches-bin/data_batch_{i}.bin": cifar_records(
            x[(i - 1) * 4 : i * 4], y[(i - 1) * 4 : i * 4]
        )
        for i in range(1, 6)
    }
    members["cifar-10-batches-bin/test_batch.bin"] = cifar_records(xt, yt)
    return tar_bytes(members)


def cifar10_python(x, y, xt, yt) -> bytes:
    members = {
        f"cifar-10-batches-py/data_batch_{i}": cifar_python_batch(
            x[(i - 1) * 4 : i * 4], labels=y[(i - 1) * 4 : i * 4].tolist()
        )
        for i in range(1, 6)
    }
    members["cifar-10-batches-py/test_batch"] = cifar_python_batch(
        xt, labels=yt.tolist()
    )
    return tar_bytes(members)


@pytest.mark.quick
def test_cifar10_binary_and_python_give_the_same_arrays(tmp_path: Path) -> None:
    x, y, xt, yt = (
        images(20, (32, 32, 3)),
        labels(20),
        images(5, (32, 32, 3)),
        labels(5),
    )
    counts = {"train": 20, "test": 5}
    binary = {"cifar-10-binary.tar.gz": cifar10_binary(x, y, xt, yt)}
    python = {"cifar-10-python.tar.gz": cifar10_python(x, y, xt, yt)}
    a = load_local(
        card_for(
            "cifar10",
            "cifar10_binary",
            binary,
            [],
            counts=counts,
            image_shape=(32, 32, 3),
        ),
        tmp_path / "a",
        binary,
    )
    b = load_local(
        card_for(
            "cifar10",
            "cifar10_python",
            python,
            [],
            counts=counts,
            image_shape=(32, 32, 3),
            download=False,
        ),
        tmp_path / "b",
        python,
    )
    np.testing.assert_array_equal(a.x_train, x)
    np.testing.assert_array_equal(b.x_train, x)
    np.testing.assert_array_equal(a.y_test, b.y_test)


def test_cifar10_archive_in_keras_cache_is_found_where_keras_puts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    import keras

    x, y, xt, yt = (
        images(20, (32, 32, 3)),
        labels(20),
        images(5, (32, 32, 3)),
        labels(5),
    )
    archive = tmp_path / "cifar-10-python.tar.gz"
    archive.write_bytes(cifar10_python(x, y, xt, yt))
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    keras_home = tmp_path / "keras_home"
    keras_home.mkdir()  # else Keras falls back to /tmp/.keras
    # Exactly the call keras.datasets.cifar10.load_data() makes, from a local origin.
    keras.utils.get_file(
        fname="cifar-10-batches-py-target",
        origin=archive.as_uri(),
        extract=True,
        file_hash=sha,
        cache_dir=str(keras_home),
    )
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    real = datasets.card("cifar10").forms[1].files[0]
    card = card_for(
        "cifar10",
        "cifar10_python",
        {archive.name: archive.read_bytes()},
        [],
        counts={"train": 20, "test": 5},
        image_shape=(32, 32, 3),
        download=False,
        keras_cache_names=real.keras_cache_names,
    )
    data = load(card, cache_dir=tmp_path / "cache", mirror="", download=False)
    np.testing.assert_array_equal(data.x_train, x)
    assert "keras_home" in data.source


def test_cifar100_fine_and_coarse_labels(tmp_path: Path) -> None:
    x, xt = images(6, (32, 32, 3)), images(2, (32, 32, 3))
    fine, coarse = np.arange(6) * 7 % 100, np.arange(6) % 20
    members = {
        "cifar-100-binary/train.bin": cifar_records(x, coarse, fine),
        "cifar-100-binary/test.bin": cifar_records(xt, coarse[:2], fine[:2]),
    }
    files = {"cifar-100-binary.tar.gz": tar_bytes(members)}
    real = datasets.card("cifar100")
    card = card_for(
        "cifar100",
        "cifar100_binary",
        files,
        [],
        counts={"train": 6, "test": 2},
        image_shape=(32, 32, 3),
        class_names=list(real.class_names),
    )
    card = type(card)(
        **{**card.__dict__, "coarse_class_names": real.coarse_class_names}
    )
    data = load_local(card, tmp_path, files)
    np.testing.assert_array_equal(data.y_train, fine)
    coarse_data = load_local(card, tmp_path, files, label_mode="coarse")
    np.testing.assert_array_equal(coarse_data.y_train, coarse)
    assert len(coarse_data.class_names) == 20


def test_notmnist_skips_and_counts_unreadable_images(tmp_path: Path) -> None:
    files = notmnist_files(per_letter=3, empty=1)
    card = notmnist_card(files, {"members": 31, "unreadable": 1, "test_fraction": 0.3})
    data = load_local(card, tmp_path, files)
    assert data.unreadable == ("notMNIST_small/A/empty0.png",)
    assert len(data.y_train) + len(data.y_test) == 30
    assert np.bincount(data.y_test).tolist() == [1] * 10
    again = load_local(card, tmp_path, files)  # from the decoded cache
    assert again.unreadable == data.unreadable


def test_notmnist_with_a_different_unreadable_count_is_the_wrong_archive(tmp_path):
    files = notmnist_files(per_letter=2, empty=3)
    card = notmnist_card(files, {"unreadable": 2})
    with pytest.raises(DatasetFormatError, match="not the archive"):
        load_local(card, tmp_path, files)


@pytest.mark.parametrize(
    ("members", "links", "message"),
    [
        ({"notMNIST_small/A/../../../evil.png": b"x"}, None, "climbs out"),
        ({"/tmp/evil.png": b"x"}, None, "absolute path"),
        ({}, {"notMNIST_small/A/link.png": "/etc/passwd"}, "is a link"),
    ],
)
def test_hostile_archive_members_are_refused(tmp_path, members, links, message):
    good = {"notMNIST_small/A/a.png": b""}
    files = {"notMNIST_small.tar.gz": tar_bytes({**good, **members}, links)}
    card = notmnist_card(files, {})
    before = set(tmp_path.parent.iterdir())
    with pytest.raises(UnsafeArchiveError, match=message):
        load_local(card, tmp_path, files)
    assert set(tmp_path.parent.iterdir()) == before
    assert not list(tmp_path.rglob("evil*"))
    assert not list((tmp_path / "cache").rglob("decoded-*"))


class RunsCode:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_a_pickle_that_would_run_code_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "code-ran"
    evil = pickle.dumps({b"data": RunsCode(marker), b"labels": [0]}, protocol=4)
    members = {f"cifar-10-batches-py/data_batch_{i}": evil for i in range(1, 6)}
    members["cifar-10-batches-py/test_batch"] = evil
    files = {"cifar-10-python.tar.gz": tar_bytes(members)}
    card = card_for(
        "cifar10",
        "cifar10_python",
        files,
        [],
        counts={},
        image_shape=(32, 32, 3),
        download=False,
    )
    with pytest.raises(DatasetFormatError, match="refused to load posix.mkdir"):
        load_local(card, tmp_path, files)
    assert not marker.exists()


@pytest.mark.quick
@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_restricted_unpickler_reads_batches_of_every_protocol(protocol: int) -> None:
    from kerasteach.datasets.formats import load_pickle_restricted

    batch = {b"data": images(3, (3072,)), b"labels": [1, 2, 3], b"name": b"\xff\x00"}
    loaded = load_pickle_restricted(pickle.dumps(batch, protocol=protocol))
    np.testing.assert_array_equal(loaded[b"data"], batch[b"data"])
    assert loaded[b"labels"] == [1, 2, 3] and loaded[b"name"] == b"\xff\x00"


def test_offline_digits_and_the_teacher_options() -> None:
    data = datasets.load("digits")
    (x_train, y_train), (x_test, y_test) = data
    assert x_train.dtype == np.uint8 and x_train.shape[1:] == (8, 8)
    assert (len(y_train), len(y_test)) == (1433, 364)
    assert data.card.license.startswith("CC BY 4.0")
    ready = datasets.load("digits", normalize=True, one_hot=True, flatten=True)
    assert ready.x_train.shape == (1433, 64) and ready.x_train.dtype == np.float32
    assert float(ready.x_train.max()) == 1.0
    assert ready.y_train.shape == (1433, 10)
    small = datasets.load("digits", subset=100, validation_split=0.2, channels="first")
    assert small.x_train.shape[1:] == (1, 8, 8)
    assert len(small.y_train) + len(small.y_val) == 100
    assert np.bincount(small.y_train, minlength=10).min() >= 7  # stratified
    again = datasets.load("digits", subset=100, validation_split=0.2, channels="first")
    np.testing.assert_array_equal(small.x_train, again.x_train)  # seeded


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"subset": 3}, "subset"),
        ({"validation_split": 1.0}, "validation_split"),
        ({"channels": "middle"}, "channels"),
        ({"label_mode": "coarse"}, "no coarse labels"),
    ],
)
def test_bad_options_say_what_is_allowed(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        datasets.load("digits", **options)


def test_unknown_dataset_lists_the_names() -> None:
    with pytest.raises(ValueError, match="Choose one of: cifar10, cifar100, digits"):
        datasets.load("imagenet")


@pytest.mark.parametrize(
    ("name", "train_counts"),
    [
        ("mnist", [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]),
        ("fashion_mnist", [6000] * 10),
    ],
)
def test_real_shared_files_load_as_a_user_would(
    name: str, train_counts: list[int], tmp_path: Path, monkeypatch
) -> None:
    skip_unless((SHARED / name).is_dir(), f"no real copy of {name} in {SHARED}")
    monkeypatch.setenv("KERASTEACH_MIRROR", str(SHARED))
    monkeypatch.setenv("KERASTEACH_DATA", str(tmp_path))
    data = datasets.load(name, download=False, progress=False)
    card = datasets.card(name)
    (x_train, y_train), (x_test, y_test) = data
    assert x_train.shape == (card.counts["train"], 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (card.counts["test"], 28, 28)
    assert np.bincount(y_train).tolist() == train_counts
    assert y_test.min() == 0 and y_test.max() == 9
    assert int(x_train.max()) == 255
    if name == "mnist":
        assert y_test[:8].tolist() == [7, 2, 1, 0, 4, 1, 4, 9]
    assert not any(p.name.startswith("decoded") for p in SHARED.rglob("*"))
