"""Is this computer ready for the workshop? What ``kerasteach check`` reports.

Each check gives one :class:`Check` (what, result, details); the command
renders them as a table or as JSON, and exits 1 when one has failed. Nothing
here touches the network unless ``network=True``, and no check raises: what
goes wrong is the check's result.

>>> rows = [python_version()]
>>> rows[0].status
'ok'
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import io
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

OK, MISSING, FAILED = "ok", "missing", "FAILED"
BACKENDS = ("tensorflow", "jax", "torch")
PACKAGES = ("kerasteach", "keras", "tensorflow", "numpy", "tqdm", "matplotlib")
OPTIONAL_PACKAGES = ("jax", "torch", "ipywidgets")
# One import of Keras and one operation, in a fresh process per backend: a
# backend that cannot start must not take this process with it.
BACKEND_PROBE = (
    "import keras, keras.ops as ops\n"
    "print(keras.__version__, float(ops.sum(ops.ones(3))))\n"
)


@dataclass(frozen=True)
class Check:
    """One line of the report: ``status`` is "ok", "missing" or "FAILED"."""

    section: str
    name: str
    status: str
    detail: str
    # files a dataset check moved aside: {"file", "problem", "moved_to"} each
    set_aside: tuple[dict[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The check as a plain dict (for ``--json``); ``set_aside`` only on
        the datasets' lines."""
        row = asdict(self)
        if self.section != "datasets":
            del row["set_aside"]
        else:
            row["set_aside"] = list(self.set_aside)
        return row


def python_version() -> Check:
    version = platform.python_version()
    good = sys.version_info >= (3, 10)
    return Check(
        "python",
        "Python",
        OK if good else FAILED,
        f"{version} ({sys.executable})"
        if good
        else f"{version}: kerasteach needs Python 3.10 or newer",
    )


def package_versions() -> list[Check]:
    checks = []
    for name in PACKAGES + OPTIONAL_PACKAGES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            needed = name in PACKAGES
            checks.append(
                Check(
                    "packages",
                    name,
                    FAILED if needed else MISSING,
                    f"not installed: pip install {name}"
                    if needed
                    else "not installed (optional)",
                )
            )
        else:
            checks.append(Check("packages", name, OK, version))
    return checks


def default_backend() -> str:
    """The backend Keras will use: KERAS_BACKEND, else ~/.keras/keras.json."""
    chosen = os.environ.get("KERAS_BACKEND")
    if chosen:
        return chosen
    import json

    home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
    try:
        return json.loads((home / "keras.json").read_text()).get(
            "backend", "tensorflow"
        )
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def backend_checks(timeout: float = 240) -> list[Check]:
    """Each Keras backend started in its own process, all at once."""
    default = default_backend()
    names = list(BACKENDS) + ([default] if default not in BACKENDS else [])

    def probe(name: str) -> Check:
        needed = name == default
        label = f"{name} (default)" if needed else name
        # each of Keras' backends is the package of the same name
        if name in BACKENDS and importlib.util.find_spec(name) is None:
            return Check(
                "backends",
                label,
                FAILED if needed else MISSING,
                f"not installed: pip install {name}",
            )
        try:
            done = subprocess.run(
                [sys.executable, "-c", BACKEND_PROBE],
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "KERAS_BACKEND": name, "TF_CPP_MIN_LOG_LEVEL": "3"},
            )
        except subprocess.TimeoutExpired:
            return Check("backends", label, FAILED, f"no answer in {timeout:.0f} s")
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["exited with an error"])[-1]
            fix = " (set KERAS_BACKEND to tensorflow, jax or torch)" if needed else ""
            return Check(
                "backends", label, FAILED if needed else MISSING, last[:200] + fix
            )
        keras_version = done.stdout.split()[0] if done.stdout.split() else "?"
        return Check(
            "backends", label, OK, f"Keras {keras_version} starts and computes"
        )

    with ThreadPoolExecutor(len(names)) as pool:
        return list(pool.map(probe, names))


BUSY = "another process is loading it right now; run the check again when that is done"


def dataset_checks(network: bool = False) -> list[Check]:
    """Each dataset: "ok" where a load would work offline (verified files, or
    the verified decoded arrays a load reads first), else what a download
    would take. Every file set aside on the way is named in the detail and in
    ``set_aside``; nothing here raises (a cache that cannot be read is a line)."""
    from kerasteach import datasets
    from kerasteach.datasets import sources

    try:
        mirror = sources.mirror_setting(None)
    except ValueError as error:
        return [Check("datasets", "KERASTEACH_MIRROR", FAILED, str(error))]
    checks = []
    for name in datasets.names():
        try:
            checks.append(_dataset_check(datasets.card(name), mirror, network))
        except Exception as error:  # the report says what broke, never a traceback
            reason = f"{type(error).__name__}: {error}"[:300]
            checks.append(Check("datasets", name, FAILED, f"could not look: {reason}"))
    return checks


def _dataset_check(card, mirror: str | None, network: bool) -> Check:
    from kerasteach.datasets.locking import lock_if_free
    from kerasteach.datasets.presence import presence
    from kerasteach.datasets.storage import cache_root

    with lock_if_free(cache_root() / card.name) as free:
        if not free:
            return Check("datasets", card.name, MISSING, BUSY)
        found = presence(card, mirror)
    moved = "".join(
        f"; set aside {item['file']}: {item['problem']}; it is now "
        f"{Path(item['moved_to']).name}"
        for item in found.set_aside
    )
    if found.where is not None:
        return Check(
            "datasets", card.name, OK, found.where + moved, tuple(found.set_aside)
        )
    detail = f"needs a download of {card.download_size / 1e6:,.1f} MB" + moved
    if found.problems:
        detail += "; " + "; ".join(found.problems)
    if network:
        detail += "; " + _reachable(card)
    detail += f" (or: kerasteach datasets download {card.name})"
    return Check("datasets", card.name, MISSING, detail, tuple(found.set_aside))


def _reachable(card, timeout: float = 5) -> str:
    url = card.forms[0].files[0].urls[0]
    try:
        request = urllib.request.Request(url, method="HEAD")
        with urllib.request.urlopen(request, timeout=timeout):
            return f"{url} answers"
    except Exception as error:  # any failure is the answer: unreachable
        return f"{url} unreachable ({type(error).__name__}: {error})"[:240]


def tool_checks() -> list[Check]:
    checks = []
    if importlib.util.find_spec("tensorboard") is None:
        checks.append(
            Check(
                "tools", "TensorBoard", FAILED, "not installed: pip install tensorboard"
            )
        )
    else:
        version = importlib.metadata.version("tensorboard")
        checks.append(Check("tools", "TensorBoard", OK, version))
    browser = _browser()
    checks.append(
        Check(
            "tools",
            "web browser",
            OK if browser else MISSING,
            browser
            or "none found: TensorBoard, the report and the explorer open in one",
        )
    )
    return checks


def _browser() -> str | None:
    import webbrowser

    try:
        chosen = webbrowser.get()
    except webbrowser.Error:
        chosen = None
    if chosen is not None and getattr(chosen, "name", ""):
        return str(chosen.name)
    for program in ("chromium", "google-chrome", "firefox", "microsoft-edge"):
        if shutil.which(program):
            return program
    return None


def smoke_test() -> Check:
    """A few seconds of training with the add-ons on, on the default backend."""
    start = time.perf_counter()
    try:
        # what the add-ons print (LivePlot's "saved to") is not the report's
        chatter = io.StringIO()
        with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
            backend = _train_with_every_add_on()
    except Exception as error:  # the report says what broke, never a traceback
        return Check(
            "smoke test", "training", FAILED, f"{type(error).__name__}: {error}"[:300]
        )
    seconds = time.perf_counter() - start
    return Check(
        "smoke test",
        "training",
        OK,
        f"a small CNN trained 2 epochs with progress bars, a live plot, "
        f"TensorBoard logs, summary and activations in {seconds:.1f} s ({backend})",
    )


def _train_with_every_add_on() -> str:
    import keras
    import numpy as np

    import kerasteach

    rng = np.random.default_rng(0)
    x = rng.random((256, 8, 8, 1), dtype=np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax", name="out"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    kerasteach.summary(model).to_text(width=80)
    with tempfile.TemporaryDirectory() as folder:
        callbacks = [
            kerasteach.TqdmProgress(file=io.StringIO()),
            kerasteach.LivePlot(Path(folder) / "curves.png"),
            *kerasteach.tensorboard_callbacks(
                Path(folder) / "logs", sample=x[:2], validation_data=(x[:64], y[:64])
            ),
        ]
        model.fit(
            x[64:], y[64:], epochs=2, batch_size=32, verbose=0,
            validation_data=(x[:64], y[:64]), callbacks=callbacks,
        )  # fmt: skip
        kerasteach.get_activations(model, x[:2])
    return f"Keras {keras.__version__}, {keras.backend.backend()} backend"


def run_checks(
    network: bool = False, progress: Callable[[str], object] | None = None
) -> list[Check]:
    """Every check but the smoke test (``smoke_test``, which imports Keras into
    this process), in the report's order; ``progress`` hears each section."""
    say = progress or (lambda text: None)
    checks = [python_version(), *package_versions()]
    say("starting each Keras backend")
    checks += backend_checks()
    say("looking for the datasets")
    checks += dataset_checks(network)
    checks += tool_checks()
    return checks


# What each part of the day reads: the demo and the handouts need nothing to
# download (scikit-learn's digits); the worked examples need these.
EXAMPLE_DATASETS = {
    "mnist": "examples 01-03 and 07-09",
    "notmnist_small": "example 04",
    "cifar10": "example 05",
}


def passed(checks: Iterable[Check]) -> bool:
    """True when no check failed ("missing" is a warning): ready for the demo
    and the handouts, which need no download."""
    return all(check.status != FAILED for check in checks)


def missing_for_examples(checks: Iterable[Check]) -> list[str]:
    """The datasets the worked examples need that are not on this computer.

    >>> missing_for_examples([Check("datasets", "mnist", OK, "in the cache")])
    ['notmnist_small', 'cifar10']
    """
    here = {c.name for c in checks if c.section == "datasets" and c.status == OK}
    return [name for name in EXAMPLE_DATASETS if name not in here]


def verdicts(checks: list[Check]) -> list[str]:
    """The report's last lines: ready for the demo and the handouts, and ready
    for the worked examples, each with what to do when not."""
    if not passed(checks):
        return [
            "Not ready: fix the FAILED lines above, then run kerasteach check again."
        ]
    lines = ["Ready for the demo and the handouts (they need no download)."]
    missing = missing_for_examples(checks)
    if not missing:
        lines.append("Ready for the worked examples: their datasets are here.")
        return lines
    needed = "; ".join(f"{name} ({EXAMPLE_DATASETS[name]})" for name in missing)
    lines.append(
        f"Not yet ready for the worked examples: {needed} not on this computer. "
        f"Fetch them with: kerasteach datasets download {' '.join(missing)} "
        "(or set KERASTEACH_MIRROR to the teacher's folder)."
    )
    return lines


def as_table(checks: list[Check], width: int = 100) -> str:
    """The report as aligned text: section, name, result, details (wrapped)."""
    import textwrap

    first = max(len(f"{c.section}: {c.name}") for c in checks)
    lines = []
    for check in checks:
        head = f"{check.section}: {check.name}".ljust(first)
        status = check.status.ljust(7)
        room = max(20, width - first - 11)
        wrapped = textwrap.wrap(
            check.detail, room, break_long_words=False, break_on_hyphens=False
        ) or [""]
        lines.append(f"{head}  {status}  {wrapped[0]}")
        lines += [" " * (first + 11) + more for more in wrapped[1:]]
    closing = [
        line
        for verdict in verdicts(checks)
        for line in textwrap.wrap(verdict, width, break_on_hyphens=False)
    ]
    return "\n".join([*lines, "", *closing])
