"""kerasteach.datasets.load against the loaders a user would otherwise use.

    python benchmarks/bench_datasets.py [--repeat 5] [--quick] [--write-docs]

In one run, all in a temporary folder (nothing is written anywhere else):

- MNIST, cached: kerasteach's cached load (which verifies the decoded arrays'
  SHA-256, dtypes, shapes and labels) against ``keras.datasets.mnist``'s code
  path (``keras.utils.get_file`` with a hash, then ``np.load`` of
  ``mnist.npz``), on the same pixels. The real images come from
  ``../shared/datasets/mnist`` when it is there (the npz Keras reads is built
  from them in the temporary folder), else from random images of the real size.
  Then the dataset lock, taken and released, against one cached load: what the
  lock can add to a load that has to fetch or decode.
- notMNIST small: kerasteach's first load (verify, decode 18,726 PNGs, cache)
  and its cached load, against the usual notebook recipe (extract the tar, then
  read every PNG). The archive is a fixture of the real size and layout (glyphs
  drawn with Pillow, two empty files), since the real one cannot be downloaded
  here.
- CIFAR-10, cached: kerasteach against ``keras.datasets.cifar10``'s code path
  (``get_file(..., extract=True)`` re-hashes and re-extracts the archive on every
  call, then unpickles six batches), on a python-version archive of the real size
  (60,000 random images).

Keras' own ``load_data()`` only accepts the real files (it checks their
hashes), so the benchmark makes the same calls it makes, with the fixture's
hash, computed once outside the timing (theirs is written in their code). Times
are medians over ``--repeat`` rounds in which the two sides take turns; a ratio
is kerasteach's time over the alternative's (below 1: kerasteach is faster).
``--quick`` shrinks the fixtures for a smoke test; its figures mean little.
``--write-docs`` rewrites the table of docs/datasets.md with the run's figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import os
import pickle
import sys
import tarfile
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
from timing import interleaved_medians, median_seconds

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"
LETTERS = "ABCDEFGHIJ"


# What --write-docs puts into docs/datasets.md's table: a measured task ->
# (its row's name there, what the other side is).
DOCS_ROWS = {
    "MNIST, cached": (
        "MNIST, cached (with the cache check)",
        "Keras' `mnist.load_data()` path on the same pixels",
    ),
    "notMNIST small, first (18,726)": (
        "notMNIST small, first (18,726 PNGs)",
        "extract the tar, then read each PNG",
    ),
    "notMNIST small, cached": ("notMNIST small, cached", ""),
    "CIFAR-10, cached": (
        "CIFAR-10, cached",
        "Keras' `cifar10.load_data()` path (re-hashes and re-extracts every call)",
    ),
}
DOCS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "datasets.md"
MEASURED: dict[str, tuple[float, float | None]] = {}


def report(task: str, ours: float, theirs: float | None, alternative: str) -> None:
    MEASURED[task] = (ours, theirs)
    if theirs is None:
        print(f"{task:<34}{ours:>10.3f}s{'':>12}{'':>8}  {alternative}")
    else:
        print(
            f"{task:<34}{ours:>10.3f}s{theirs:>11.3f}s{ours / theirs:>8.2f}"
            f"  {alternative}"
        )


def fixture_card(name: str, form_format: str, archive: Path, **counts):
    """The real card of ``name`` with one form, describing the fixture file."""
    from kerasteach.datasets import card

    real = card(name)
    form = next(f for f in real.forms if f.format == form_format)
    spec = dataclasses.replace(
        form.files[0],
        sha256=sha256_hex(archive),
        size=archive.stat().st_size,
        urls=(),
    )
    form = dataclasses.replace(form, files=(spec,), download=False)
    return dataclasses.replace(real, forms=(form,), counts={**real.counts, **counts})


def sha256_hex(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def keras_get_file(
    archive: Path, file_hash: str, keras_home: Path, fname: str, extract: bool
):
    """The call Keras' loaders make, with the fixture's hash and a local origin.

    Keras' loaders pass a fixed hash, written in their code: ``file_hash`` is
    computed once, outside the timing, for the same reason."""
    import keras

    keras_home.mkdir(exist_ok=True)  # else Keras falls back to /tmp/.keras
    return keras.utils.get_file(
        fname=fname,
        origin=archive.as_uri(),
        extract=extract,
        file_hash=file_hash,
        cache_dir=str(keras_home),
    )


# -- MNIST ----------------------------------------------------------------------


def bench_mnist(folder: Path, repeat: int, quick: bool) -> None:
    from kerasteach.datasets import load

    if SHARED_MNIST.is_dir() and not quick:
        data = load(
            "mnist", cache_dir=folder / "cache", mirror=SHARED_MNIST.parent,
            download=False, progress=False,
        )  # fmt: skip
        arrays = dict(
            x_train=data.x_train, y_train=data.y_train,
            x_test=data.x_test, y_test=data.y_test,
        )  # fmt: skip
        origin = "real MNIST from ../shared/datasets"

        def ours():
            return load("mnist", cache_dir=folder / "cache", mirror="", download=False)
    else:
        size = (6000, 1000) if quick else (60000, 10000)
        rng = np.random.default_rng(0)
        arrays = dict(
            x_train=rng.integers(0, 256, (size[0], 28, 28), dtype=np.uint8),
            y_train=np.arange(size[0], dtype=np.uint8) % 10,
            x_test=rng.integers(0, 256, (size[1], 28, 28), dtype=np.uint8),
            y_test=np.arange(size[1], dtype=np.uint8) % 10,
        )
        origin = f"random images, {size[0]:,} + {size[1]:,}"
    npz = folder / "mnist" / "mnist.npz"  # the mirror layout: <dataset>/<file>
    npz.parent.mkdir()
    np.savez_compressed(npz, **arrays)
    if not SHARED_MNIST.is_dir() or quick:
        card = fixture_card(
            "mnist", "mnist_npz", npz, train=len(arrays["y_train"]),
            test=len(arrays["y_test"]),
        )  # fmt: skip
        load(card, cache_dir=folder / "cache", mirror=folder, progress=False)

        def ours():
            return load(card, cache_dir=folder / "cache", mirror="", download=False)

    keras_home = folder / "keras"
    npz_hash = sha256_hex(npz)

    def keras_mnist():
        path = keras_get_file(npz, npz_hash, keras_home, "mnist.npz", extract=False)
        with np.load(path, allow_pickle=False) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])

    keras_mnist(), ours()  # the first call copies into Keras' cache
    medians = interleaved_medians({"ours": ours, "keras": keras_mnist}, repeat)
    cached = medians["ours"]
    report(
        "MNIST, cached",
        cached,
        medians["keras"],
        f"keras.datasets.mnist path ({origin}); ours checks SHA-256 and the card",
    )
    from kerasteach.datasets.locking import dataset_lock

    def take_and_release_lock():
        with dataset_lock(folder / "cache" / "mnist", "mnist", progress=False):
            pass

    lock = median_seconds(take_and_release_lock, max(repeat, 20))
    report(
        "dataset lock, taken and released",
        lock,
        cached,
        f"one cached MNIST load; the lock took {lock * 1e6:.0f} µs (taken once by "
        "a load that fetches or decodes)",
    )


# -- notMNIST small ---------------------------------------------------------------


def glyph_pngs(count: int) -> list[tuple[str, bytes]]:
    """28x28 grey anti-aliased letters of varied size and place, like notMNIST's."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = np.random.default_rng(0)
    pngs = []
    for i in range(count):
        letter = LETTERS[i % 10]
        picture = Image.new("L", (28, 28), 0)
        font = ImageFont.load_default(size=int(rng.integers(14, 30)))
        ImageDraw.Draw(picture).text(
            (int(rng.integers(0, 8)), int(rng.integers(-6, 4))), letter, 255, font
        )
        picture = picture.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 1))))
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        pngs.append((f"notMNIST_small/{letter}/font{i:05d}.png", buffer.getvalue()))
    pngs[0] = (pngs[0][0].replace("font", "empty"), b"")  # as in the real archive
    pngs[1] = (pngs[1][0].replace("font", "empty"), b"")
    return pngs


def tar_gz(path: Path, members: list[tuple[str, bytes]]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def extract_then_read(archive: Path, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """The usual notebook recipe: extract the archive, then read PNG by PNG."""
    from PIL import Image, UnidentifiedImageError

    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    images, labels = [], []
    for label, letter in enumerate(LETTERS):
        for png in sorted((folder / "notMNIST_small" / letter).iterdir()):
            try:
                with Image.open(png) as picture:
                    images.append(np.asarray(picture, dtype=np.uint8))
            except (UnidentifiedImageError, OSError):
                continue
            labels.append(label)
    return np.stack(images), np.asarray(labels, np.uint8)


def bench_notmnist(folder: Path, repeat: int, quick: bool) -> None:
    from kerasteach.datasets import load

    count = 1872 if quick else 18726
    archive = folder / "mirror" / "notmnist_small" / "notMNIST_small.tar.gz"
    archive.parent.mkdir(parents=True)
    tar_gz(archive, glyph_pngs(count))
    card = fixture_card("notmnist_small", "notmnist_tar", archive, members=count)
    cache = folder / "notmnist-cache"
    runs = iter(range(repeat * 2))

    def first():
        return load(
            card, cache_dir=cache / str(next(runs)), mirror=folder / "mirror",
            download=False, progress=False,
        )  # fmt: skip

    def cached():
        return load(card, cache_dir=cache / "0", mirror="", download=False)

    extracted = iter(range(repeat * 2))

    def recipe():
        return extract_then_read(archive, folder / "extracted" / str(next(extracted)))

    medians = interleaved_medians({"first": first, "recipe": recipe}, repeat)
    task = f"notMNIST small, first ({count:,})"
    size = f"{archive.stat().st_size / 1e6:.1f} MB"
    report(task, medians["first"], medians["recipe"], f"extract + read ({size})")
    report("notMNIST small, cached", median_seconds(cached, repeat), None, "")
    assert len(cached().x_train) + len(cached().x_test) == count - 2


# -- CIFAR-10 ---------------------------------------------------------------------


def cifar10_python_archive(path: Path, per_batch: int) -> None:
    rng = np.random.default_rng(0)
    members = []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {
            b"batch_label": name.encode(),
            b"labels": (np.arange(per_batch) % 10).tolist(),
            b"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
            b"filenames": [f"{i}.png".encode() for i in range(per_batch)],
        }
        members.append((f"cifar-10-batches-py/{name}", pickle.dumps(batch, 4)))
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def bench_cifar10(folder: Path, repeat: int, quick: bool) -> None:
    from keras.src.datasets.cifar import load_batch  # what cifar10.load_data uses

    from kerasteach.datasets import load

    per_batch = 1000 if quick else 10000
    archive = folder / "mirror" / "cifar10" / "cifar-10-python.tar.gz"
    archive.parent.mkdir(parents=True)
    cifar10_python_archive(archive, per_batch)
    card = fixture_card(
        "cifar10", "cifar10_python", archive, train=5 * per_batch, test=per_batch
    )
    keras_home = folder / "keras"
    archive_hash = sha256_hex(archive)

    def keras_cifar10():
        path = keras_get_file(
            archive, archive_hash, keras_home, "cifar-10-batches-py-target", True
        )
        path = os.path.join(path, "cifar-10-batches-py")
        x_train = np.empty((5 * per_batch, 3, 32, 32), dtype="uint8")
        y_train = np.empty((5 * per_batch,), dtype="uint8")
        for i in range(1, 6):
            rows = slice((i - 1) * per_batch, i * per_batch)
            x_train[rows], y_train[rows] = load_batch(
                os.path.join(path, f"data_batch_{i}")
            )
        x_test, y_test = load_batch(os.path.join(path, "test_batch"))
        return (x_train.transpose(0, 2, 3, 1), y_train), (
            x_test.transpose(0, 2, 3, 1),
            np.asarray(y_test),
        )

    start = time.perf_counter()
    load(card, cache_dir=folder / "cache", mirror=folder / "mirror", progress=False)
    first = time.perf_counter() - start
    keras_cifar10()  # the first call copies the archive into Keras' cache

    def ours():
        return load(card, cache_dir=folder / "cache", mirror="", download=False)

    (xk, yk), _ = keras_cifar10()
    np.testing.assert_array_equal(ours().x_train, xk)  # the same arrays
    size = f"{archive.stat().st_size / 1e6:.0f} MB"
    report("CIFAR-10, first (once)", first, None, f"python version, {size}")
    medians = interleaved_medians({"ours": ours, "keras": keras_cifar10}, repeat)
    report(
        "CIFAR-10, cached",
        medians["ours"],
        medians["keras"],
        "keras.datasets.cifar10 path",
    )


def write_docs(repeat: int) -> None:
    """Rewrite the measured table of docs/datasets.md (between its markers)."""
    lines = [
        *textwrap.wrap(
            "Measured on a two-core machine with no GPU, with `python "
            f"benchmarks/bench_datasets.py --write-docs` (medians of {repeat}, the "
            "two sides taking turns; the ratio is kerasteach's time over the "
            "other's):",
            79,
        ),
        "",
        "| load | kerasteach | other | ratio | other is |",
        "|---|---|---|---|---|",
    ]
    for task, (name, other_is) in DOCS_ROWS.items():
        ours, theirs = MEASURED[task]
        if theirs is None:
            lines.append(f"| {name} | {ours:.3f} s | | | |")
        else:
            lines.append(
                f"| {name} | {ours:.3f} s | {theirs:.3f} s | {ours / theirs:.2f} "
                f"| {other_is} |"
            )
    lock, _ = MEASURED["dataset lock, taken and released"]
    lines += [
        "",
        *textwrap.wrap(
            f"The dataset lock took {lock * 1e3:.2f} ms to take and release in the "
            "same run; a load from a built cache does not take it at all.",
            79,
        ),
    ]
    start, end = "<!-- bench_datasets: start -->\n", "<!-- bench_datasets: end -->"
    page = DOCS_PAGE.read_text(encoding="utf-8")
    before, rest = page.split(start)
    _, after = rest.split(end)
    DOCS_PAGE.write_text(
        before + start + "\n".join(lines) + "\n" + end + after, encoding="utf-8"
    )
    print(f"wrote the table of {DOCS_PAGE}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="small fixtures")
    parser.add_argument(
        "--write-docs", action="store_true", help="rewrite docs/datasets.md's table"
    )
    options = parser.parse_args(argv)
    if options.write_docs and options.quick:
        parser.error("--write-docs takes the full run's figures, not --quick's")
    from kerasteach.cli.native_noise import native_stderr_filtered

    with native_stderr_filtered():  # TensorFlow's start-up chatter
        import keras
    keras.config.disable_interactive_logging()  # get_file's "Downloading" bar
    print(f"{'task':<34}{'kerasteach':>11}{'other':>12}{'ratio':>8}  other is")
    with tempfile.TemporaryDirectory(prefix="kerasteach-bench-") as temporary:
        folder = Path(temporary)
        for bench in (bench_mnist, bench_notmnist, bench_cifar10):
            part = folder / bench.__name__
            part.mkdir()
            bench(part, options.repeat, options.quick)
            sys.stdout.flush()
    if options.write_docs:
        write_docs(options.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
