"""Small files in each real dataset format, made here, and cards that describe them."""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import tarfile

import numpy as np

from kerasteach.datasets import Card

RNG = np.random.default_rng(0)


def images(count: int, shape: tuple[int, ...]) -> np.ndarray:
    return RNG.integers(0, 256, (count, *shape), dtype=np.uint8)


def labels(count: int, classes: int = 10) -> np.ndarray:
    return (np.arange(count) % classes).astype(np.uint8)


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    return gzip.compress(header + array.tobytes(), mtime=0)


def npz_bytes(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def tar_bytes(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buffer.getvalue()


def png_bytes(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def cifar_records(x: np.ndarray, *label_rows: np.ndarray) -> bytes:
    planes = x.transpose(0, 3, 1, 2).reshape(len(x), -1)
    table = np.concatenate([*(r[:, None] for r in label_rows), planes], axis=1)
    return table.astype(np.uint8).tobytes()


def cifar_python_batch(x: np.ndarray, **label_lists: list[int]) -> bytes:
    batch = {b"data": x.transpose(0, 3, 1, 2).reshape(len(x), -1)}
    batch.update({k.encode(): v for k, v in label_lists.items()})
    return pickle.dumps(batch, protocol=3)


def card_for(
    name: str, form: str, files: dict[str, bytes], base_urls: list[str], **options
) -> Card:
    """A card for fixture files served at ``<base>/<name>/<file>`` for each base."""
    return Card.from_dict(card_data(name, form, files, base_urls, **options))


def card_data(
    name: str,
    form: str,
    files: dict[str, bytes],
    base_urls: list[str],
    *,
    counts: dict,
    image_shape: tuple[int, ...],
    class_names: list[str] | None = None,
    root: str = "",
    download: bool = True,
    keras_cache_names: tuple[str, ...] = (),
) -> dict:
    """What ``card_for`` reads, as the JSON a card file holds."""
    specs = [
        {
            "name": file_name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "urls": [f"{base}/{name}/{file_name}" for base in base_urls],
            "keras_cache_names": list(keras_cache_names),
        }
        for file_name, data in files.items()
    ]
    return {
        "name": name,
        "title": f"fixture {name}",
        "description": "made by the tests",
        "homepage": "http://127.0.0.1/",
        "license": "test data",
        "citation": "none",
        "class_names": class_names or [str(i) for i in range(10)],
        "image_shape": list(image_shape),
        "max_value": 255,
        "counts": counts,
        "forms": [{"format": form, "files": specs, "download": download, "root": root}],
    }


def mnist_npz_files(train: int = 50, test: int = 20) -> dict[str, bytes]:
    return {
        "mnist.npz": npz_bytes(
            x_train=images(train, (28, 28)),
            y_train=labels(train),
            x_test=images(test, (28, 28)),
            y_test=labels(test),
        )
    }


def notmnist_files(per_letter: int = 3, empty: int = 1) -> dict[str, bytes]:
    members = {}
    for i, letter in enumerate("ABCDEFGHIJ"):
        for j in range(per_letter):
            members[f"notMNIST_small/{letter}/font{j}.png"] = png_bytes(
                np.full((28, 28), i * 20 + j, np.uint8)
            )
    for k in range(empty):
        members[f"notMNIST_small/A/empty{k}.png"] = b""
    return {"notMNIST_small.tar.gz": tar_bytes(members)}


def notmnist_card(files: dict[str, bytes], counts: dict, **options) -> Card:
    """A notMNIST-small card for ``files``, found locally (no URLs)."""
    return card_for(
        "notmnist_small",
        "notmnist_tar",
        files,
        [],
        counts=counts,
        image_shape=(28, 28),
        class_names=list("ABCDEFGHIJ"),
        root="notMNIST_small",
        **options,
    )


def mnist_card(server, *bases: str, files: dict[str, bytes] | None = None):
    """A fixture MNIST npz published on ``server``, and a card with ``bases``
    (default: the server) as its sources; returns (card, files)."""
    files = files or mnist_npz_files()
    server.publish("mnist", files)
    card = card_for(
        "mnist",
        "mnist_npz",
        files,
        list(bases) or [server.url],
        counts={"train": 50, "test": 20},
        image_shape=(28, 28),
    )
    return card, files
