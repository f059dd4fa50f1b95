"""Real multi-device and multi-process Keras jobs for the tests, on this machine.

A job of several processes talks over 127.0.0.1 (JAX's distributed runtime
with gloo for CPU collectives), exactly as several machines would. Every
process is stopped in a ``finally``, whatever happens to the test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass

from conftest import ROOT

# The start of every job script: argv is [process id, process count, port].
JAX_JOB_PRELUDE = """
import os, sys
os.environ["KERAS_BACKEND"] = "jax"
PROCESS, PROCESSES, PORT = (int(a) for a in sys.argv[1:4])
import jax
jax.config.update("jax_cpu_collectives_implementation", "gloo")
import keras
keras.distribution.initialize(
    job_addresses=f"127.0.0.1:{PORT}", num_processes=PROCESSES, process_id=PROCESS
)
"""

# Two devices in one process: XLA's host platform split in two. On a busy
# two-core machine one device's thread can wait for the other's at an
# all-reduce longer than XLA allows by default, which ends the job: allow 10
# minutes (the test's own bound still applies).
TWO_HOST_DEVICES = {
    "XLA_FLAGS": "--xla_force_host_platform_device_count=2"
    " --xla_cpu_collective_call_terminate_timeout_seconds=600"
}

# TensorFlow with two logical CPUs, for MirroredStrategy (no GPU needed).
TF_TWO_CPUS_PRELUDE = """
import os, sys
os.environ["KERAS_BACKEND"] = "tensorflow"
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2
)
import keras
"""


@dataclass
class Finished:
    """One process of a job, after it ended."""

    process: int
    returncode: int
    stdout: str
    stderr: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_job(
    script: str,
    processes: int = 2,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 240,
) -> list[Finished]:
    """Run ``script`` as ``processes`` processes of one job; their results."""
    port = str(free_port())
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    started = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(i), str(processes), port],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
            cwd=ROOT,
        )
        for i in range(processes)
    ]
    try:
        outputs = [process.communicate(timeout=timeout) for process in started]
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.communicate()
    return [
        Finished(i, process.returncode, out, err)
        for i, (process, (out, err)) in enumerate(zip(started, outputs, strict=True))
    ]


def run_one(script: str, *, env: dict[str, str] | None = None, timeout: float = 240):
    """One process (several devices in it): its result."""
    (finished,) = run_job(script, 1, env=env, timeout=timeout)
    return finished
