"""Timing shared by the benchmarks (run as scripts, so this folder is on sys.path)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from collections.abc import Callable


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``repeat`` calls of ``work``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_worker(command: list[str], backend: str, label: str, env: dict | None = None):
    """Run a benchmark's worker subprocess on a Keras backend; the JSON of its
    last line, or None (after printing why) when it failed."""
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), "KERAS_BACKEND": backend},
    )
    if done.returncode != 0:
        print(f"  {label}: failed\n{done.stderr[-2000:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])
