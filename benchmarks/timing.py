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


def interleaved_medians(
    works: dict[str, Callable[[], object]], repeat: int
) -> dict[str, float]:
    """The median wall time of each of ``works``, run in turn ``repeat`` rounds
    over: a slow moment of a shared machine then hits every side alike.

    >>> sorted(interleaved_medians({"a": lambda: None, "b": lambda: None}, 3))
    ['a', 'b']
    """
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeat):
        for name, work in works.items():
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(spent) for name, spent in times.items()}


# A name given to --backends -> (KERAS_BACKEND, extra environment). "jax-dp" is
# JAX with the model laid out data-parallel over two host devices.
BACKENDS = {
    "tensorflow": ("tensorflow", {}),
    "jax": ("jax", {}),
    "torch": ("torch", {}),
    "jax-dp": (
        "jax",
        {
            # a busy two-core machine can keep one device's thread waiting for
            # the other's at an all-reduce longer than XLA allows by default
            "XLA_FLAGS": "--xla_force_host_platform_device_count=2"
            " --xla_cpu_collective_call_terminate_timeout_seconds=600",
            "KERASTEACH_BENCH_DATA_PARALLEL": "1",
        },
    ),
}


def lay_out_data_parallel() -> None:
    """In a "jax-dp" worker: keras.distribution.DataParallel over the devices."""
    if os.environ.get("KERASTEACH_BENCH_DATA_PARALLEL") != "1":
        return
    import keras

    devices = keras.distribution.list_devices()
    assert len(devices) == 2, devices
    keras.distribution.set_distribution(
        keras.distribution.DataParallel(devices=devices)
    )


def run_backend(command: list[str], name: str):
    """run_worker for a --backends name (see BACKENDS)."""
    backend, environment = BACKENDS[name]
    return run_worker(command, backend, name, environment)


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
