"""``kerasteach check`` run as the real console script: the readiness report."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, console_script, require_backend, run_command, skip_unless

SHARED = ROOT.parent / "shared" / "datasets"
OFFLINE = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}


def check(*args: str, env: dict[str, str]):
    return run_command(console_script(), "check", *args, env=env, timeout=600)


def rows(report: dict) -> dict[str, dict]:
    return {f"{c['section']}: {c['name']}": c for c in report["checks"]}


def test_a_ready_computer_reports_every_check_as_json(tmp_path: Path) -> None:
    require_backend("jax")
    require_backend("torch")
    skip_unless((SHARED / "mnist").is_dir(), "no real MNIST in ../shared/datasets")
    env = {
        **OFFLINE,
        "KERASTEACH_DATA": str(tmp_path / "cache"),
        "KERASTEACH_MIRROR": str(SHARED),
        "KERAS_HOME": str(tmp_path / "keras"),  # an empty Keras cache
        "KERAS_BACKEND": "tensorflow",
    }
    result = check("--json", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ready"] is True
    found = rows(report)
    assert found["python: Python"]["status"] == "ok"
    for backend in ("tensorflow (default)", "jax", "torch"):
        assert found[f"backends: {backend}"]["status"] == "ok", found
        assert "starts and computes" in found[f"backends: {backend}"]["detail"]
    assert found["datasets: mnist"] == {
        "section": "datasets",
        "name": "mnist",
        "status": "ok",
        "detail": "in the mirror, SHA-256 verified",
        "set_aside": [],
    }
    assert found["datasets: digits"]["detail"] == "comes with scikit-learn"
    missing = [c for c in report["checks"] if c["section"] == "datasets"]
    for row in missing:
        if row["status"] != "ok":
            assert row["detail"].startswith("needs a download of "), row
            assert f"kerasteach datasets download {row['name']}" in row["detail"]
    smoke = found["smoke test: training"]
    assert smoke["status"] == "ok", smoke
    assert "tensorflow backend" in smoke["detail"]
    assert found["tools: TensorBoard"]["status"] == "ok"
    assert "Traceback" not in result.stderr
    # MNIST is in the mirror; notMNIST and CIFAR-10 are not (../shared has none)
    assert report["ready_for_examples"] is False
    assert report["examples_need"] == ["notmnist_small", "cifar10"]
    assert report["verdicts"][0] == (
        "Ready for the demo and the handouts (they need no download)."
    )
    assert (
        "kerasteach datasets download notmnist_small cifar10" in (report["verdicts"][1])
    )


def test_ready_for_the_demo_is_not_ready_for_the_examples(tmp_path: Path) -> None:
    env = {
        **OFFLINE,
        "KERASTEACH_DATA": str(tmp_path / "cache"),  # an empty cache, no mirror
        "KERASTEACH_MIRROR": "",
        "KERAS_HOME": str(tmp_path / "keras"),
    }
    result = check("--no-training", env=env)
    assert result.returncode == 0, result.stdout + result.stderr  # the demo: yes
    closing = " ".join(result.stdout.split("\n\n")[-1].split())
    assert closing == (
        "Ready for the demo and the handouts (they need no download). Not yet "
        "ready for the worked examples: mnist (examples 01-03 and 07-09); "
        "notmnist_small (example 04); cifar10 (example 05) not on this computer. "
        "Fetch them with: kerasteach datasets download mnist notmnist_small "
        "cifar10 (or set KERASTEACH_MIRROR to the teacher's folder)."
    )
    strict = check("--no-training", "--examples", env=env)
    assert strict.returncode == 1 and "Traceback" not in strict.stderr


def test_a_wrong_mirror_copy_is_named_and_the_network_only_asked_for(
    tmp_path: Path,
) -> None:
    mirror = tmp_path / "usb"
    (mirror / "mnist").mkdir(parents=True)
    (mirror / "mnist" / "mnist.npz").write_bytes(b"not MNIST")
    env = {
        **OFFLINE,
        "KERASTEACH_DATA": str(tmp_path / "cache"),
        "KERASTEACH_MIRROR": str(mirror),
        "KERAS_HOME": str(tmp_path / "keras"),
    }
    result = check("--no-training", "--network", env=env)
    assert result.returncode == 0, result.stdout + result.stderr  # a warning only
    line = next(
        x for x in result.stdout.splitlines() if x.startswith("datasets: mnist")
    )
    assert "missing" in line
    text = " ".join(result.stdout.split())  # the table wraps long details
    assert f"mirror {mirror}/mnist/mnist.npz: wrong" in text
    assert "unreachable" in text  # --network asked, through a proxy that is down
    assert "smoke test" not in result.stdout
    assert "Ready for the demo and the handouts" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_broken_default_backend_fails_with_the_fix_and_no_traceback(
    tmp_path: Path,
) -> None:
    env = {**OFFLINE, "KERAS_BACKEND": "tensorfloww", "KERASTEACH_MIRROR": ""}
    result = check(env=env)
    assert result.returncode == 1
    text = " ".join(result.stdout.split())
    assert "backends: tensorfloww (default) FAILED" in text
    assert "set KERAS_BACKEND to tensorflow, jax or torch" in text
    assert "smoke test: training FAILED" in text
    assert text.endswith(
        "Not ready: fix the FAILED lines above, then run kerasteach check again."
    )
    assert "Traceback" not in result.stderr


HOLD_LOCK = """
import sys, time
from pathlib import Path
from kerasteach.datasets.locking import dataset_lock

with dataset_lock(Path(sys.argv[1]), "mnist", progress=False):
    print("held", flush=True)
    time.sleep(600)
"""


def test_a_dataset_another_process_is_loading_is_left_alone(tmp_path: Path) -> None:
    """check and datasets list verify files, and set a bad one aside: never
    under a loader that may be writing it."""
    import subprocess
    import sys

    cache = tmp_path / "cache"
    (cache / "mnist").mkdir(parents=True)
    (tmp_path / "usb").mkdir()
    loading = cache / "mnist" / "mnist.npz"
    loading.write_bytes(b"the first half of a download")
    env = {
        **OFFLINE,
        "KERASTEACH_DATA": str(cache),
        "KERASTEACH_MIRROR": str(tmp_path / "usb"),
        "KERAS_HOME": str(tmp_path / "keras"),
    }
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(cache / "mnist")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = check("--no-training", "--json", env=env)
        listing = run_command(console_script(), "datasets", "list", env=env)
        after_both = loading.read_bytes()
    finally:
        holder.kill()
        holder.communicate()
    row = rows(json.loads(result.stdout))["datasets: mnist"]
    assert row["status"] == "missing"
    assert row["detail"].startswith("another process is loading it right now")
    mnist = next(x for x in listing.stdout.splitlines() if x.startswith("mnist "))
    assert mnist.split()[4] == "busy", listing.stdout
    assert after_both == b"the first half of a download"  # untouched
    # once the loader is gone, the same look names the bad copy and sets it aside
    result = check("--no-training", "--json", env=env)
    row = rows(json.loads(result.stdout))["datasets: mnist"]
    assert row["detail"].startswith("needs a download of "), row
    assert not loading.exists()
    assert row["set_aside"] == [
        {
            "file": str(loading),
            "problem": row["set_aside"][0]["problem"],
            "moved_to": str(loading) + ".bad",
        }
    ]
    assert row["set_aside"][0]["problem"].startswith("wrong size (expected ")
    assert f"set aside {loading}: wrong size" in row["detail"]
    assert "it is now mnist.npz.bad" in row["detail"]
