"""Shared test helpers: the console script, subprocess runs and quiet TensorFlow."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest-xdist's workers set COLUMNS=80 and LINES=24; the commands the
    # tests start must see what a learner's piped command sees: no size.
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)

ROOT = Path(__file__).resolve().parents[1]


def console_script() -> str:
    """The installed ``kerasteach`` command of the interpreter running the tests."""
    beside = Path(sys.executable).with_name("kerasteach")
    found = str(beside) if beside.exists() else shutil.which("kerasteach")
    if found is None:
        pytest.fail("the kerasteach console script is not installed: pip install -e .")
    return found


def run_command(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run a real process, capturing text; the environment is inherited plus ``env``."""
    return subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def skip_unless(available: bool, reason: str) -> None:
    """Skip a test whose material is missing, except in CI, where it must be there.

    `.ci/run` sets KERASTEACH_CI=1: there the test extra installs every backend and
    ../shared/datasets is present, so a skip would only hide a broken setup.
    """
    if available:
        return
    if os.environ.get("KERASTEACH_CI") == "1":
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def require_backend(name: str) -> None:
    """Skip a test of another Keras backend where that backend is not
    installed (it is in CI: the test extra installs JAX and PyTorch)."""
    import importlib.util

    if name == "tensorflow" or importlib.util.find_spec(name) is not None:
        return
    skip_unless(False, f"the {name} backend is not installed (pip install {name})")


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 (tests/fixture_server.py)."""
    from fixture_server import serving

    with serving() as running:
        yield running


# A line of TensorFlow's start-up chatter, as a learner would see it
TENSORFLOW_NOISE = re.compile(r"^[IWE]\d{4} |absl::InitializeLog|cuInit")

NVIDIA_DRIVER_WITHOUT_GPU = r"""
int cuInit(unsigned int flags) { return 303; }  /* CUDA_ERROR_UNKNOWN-like */
int cuDriverGetVersion(int *version) { *version = 12080; return 0; }
"""


@pytest.fixture(scope="session")
def nvidia_driver_without_gpu(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The environment of a laptop with an NVIDIA driver but no usable GPU:
    LD_LIBRARY_PATH holds a libcuda.so.1 whose cuInit fails, so TensorFlow
    prints 'failed call to cuInit'. Built with gcc from two functions; an empty
    dict where gcc is missing."""
    if shutil.which("gcc") is None:
        return {}
    folder = tmp_path_factory.mktemp("nvidia-driver")
    (folder / "stub.c").write_text(NVIDIA_DRIVER_WITHOUT_GPU)
    built = run_command(
        "gcc", "-shared", "-fPIC", "-o", str(folder / "libcuda.so.1"),
        str(folder / "stub.c"),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (folder / "libcuda.so").symlink_to("libcuda.so.1")
    return {"LD_LIBRARY_PATH": str(folder), "TF_CPP_MIN_LOG_LEVEL": "0"}
