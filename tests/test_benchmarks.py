"""The benchmarks stay runnable (their figures are read by people, not asserted)."""

from __future__ import annotations

import sys

from conftest import ROOT, run_command


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
