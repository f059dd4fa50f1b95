"""The benchmarks stay runnable (their figures are read by people, not asserted)."""

from __future__ import annotations

import re
import sys

from conftest import ROOT, require_backend, run_command


def test_summary_benchmark_runs_and_prints_ratios() -> None:
    result = run_command(
        sys.executable,
        str(ROOT / "benchmarks" / "bench_summary.py"),
        "--repeat",
        "1",
        "--models",
        "MobileNetV2",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ratio" in result.stdout
    assert "MobileNetV2" in result.stdout
    assert "kerasteach --help" in result.stdout


def test_datasets_benchmark_runs_and_prints_ratios() -> None:
    result = run_command(
        sys.executable,
        str(ROOT / "benchmarks" / "bench_datasets.py"),
        "--quick",
        "--repeat",
        "1",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    for task in ("MNIST, cached", "notMNIST small, first", "CIFAR-10, cached"):
        line = next(line for line in lines if line.startswith(task))
        # kerasteach's time, the other's time, their ratio
        assert re.search(r"\d\.\d{3}s +\d+\.\d{3}s +\d+\.\d\d ", line), line
    assert any(line.startswith("notMNIST small, cached") for line in lines)
    assert "Downloading" not in result.stdout


def test_progress_benchmark_runs_and_prints_ratios() -> None:
    require_backend("jax")
    result = run_command(
        sys.executable,
        str(ROOT / "benchmarks" / "bench_progress.py"),
        "--quick",
        "--rounds",
        "1",
        "--backends",
        "jax",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for hook in ("TqdmProgress", "tqdm TqdmCallback", "keras ProgbarLogger"):
        assert re.search(rf"{hook} +\d+\.\d\d µs", result.stdout), result.stdout
    assert "failed" not in result.stdout
    assert len(re.findall(r"steps/s .* ratio \d\.\d{3}", result.stdout)) == 8


def test_activations_benchmark_runs_and_prints_ratios() -> None:
    result = run_command(
        sys.executable,
        str(ROOT / "benchmarks" / "bench_activations.py"),
        "--quick",
        "--backends",
        "tensorflow",
        "--rounds",
        "1",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "failed" not in result.stdout
    ways = ("predict", "kerasteach default", "kerasteach all", "naive all")
    for way in (*ways, "kerasteach all float16"):
        # median time (min-max over the rounds), ratio to predict, peak memory
        assert re.search(
            rf"  {way} +\d+\.\d\d s \(\d+\.\d\d-\d+\.\d\d\) +\d+\.\d\dx +\d+ MB",
            result.stdout,
        ), result.stdout
    assert "sub-model per layer" in result.stdout
    # where it ran, and the copy limits for the results' bytes (no GPU here)
    assert re.search(
        r"  ran on /device:CPU:0; copying \d+ MB \(\"all\"'s results\) to the host: "
        r"pageable \d+\.\d GB/s, pinned none here \(no GPU\)",
        result.stdout,
    ), result.stdout


def test_tensorboard_benchmark_runs_and_prints_shares_and_ratios() -> None:
    result = run_command(
        sys.executable,
        str(ROOT / "benchmarks" / "bench_tensorboard.py"),
        "--quick",
        "--rounds",
        "1",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for backend in ("tensorflow:", "jax:", "jax-dp:"):  # jax-dp: data-parallel
        assert backend in result.stdout
    rows = [
        line for line in result.stdout.splitlines() if line.startswith("  kerasteach")
    ]
    assert len(rows) == 6
    for row in rows:
        # epoch median, min, max, ratio to Keras' TensorBoard, share in hooks
        assert re.search(
            r"\d\.\d{3}s +\d\.\d{3}s +\d\.\d{3}s +\d+\.\d\dx +\d+\.\d%", row
        )


def test_run_examples_runs_an_example_and_reports_it(tmp_path) -> None:
    result = run_command(
        sys.executable,
        str(ROOT / "benchmarks" / "run_examples.py"),
        "--only",
        "08",
        env={"KERASTEACH_DATA": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(
        r"08_baselines\.py +\d+\.\d s +logistic regression \d+\.\d\d%, random forest",
        result.stdout,
    ), result.stdout


def test_explorer_server_benchmark_runs_and_prints_a_ratio() -> None:
    result = run_command(
        sys.executable,
        str(ROOT / "benchmarks" / "bench_explorer_server.py"),
        "--idle",
        "200",
        "--slow",
        "50",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for server in ("kerasteach HttpServer", "http.server ThreadingHTTPServer"):
        assert re.search(rf"  {server} +quiet +\d+\.\d ms", result.stdout)
    threads = [int(n) for n in re.findall(r"threads (\d+)", result.stdout)]
    assert threads[0] <= 16 < threads[1]  # a few workers; a thread a connection
