"""Which process of a multi-process job this is: the chief (0) draws and writes.

In a job of several processes (Keras' distribution API on JAX, one process per
machine or per group of devices), every process runs the same script and the
same callbacks. Progress bars, plots and log files from each would repeat one
another, so kerasteach's add-ons act on process 0 only unless told otherwise.

>>> process_index(), is_chief()
(0, True)
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import warnings
from typing import Any

_warned = False


def process_index() -> int:
    """This process's number in the job: 0 for the chief, and when alone.

    JAX's own count when Keras runs on JAX (set by
    ``keras.distribution.initialize``); on TensorFlow, the task in ``TF_CONFIG``
    (0 for the chief); otherwise 0.
    """
    jax = sys.modules.get("jax")
    if jax is not None and _backend() == "jax":
        return int(jax.process_index())
    task = _tf_config_task()
    if task is not None:
        kind, index = task
        if kind == "chief":
            return 0
        return index + (1 if _tf_config_has_chief() else 0)
    return 0


def process_count() -> int:
    """How many processes the job has (1 when alone)."""
    jax = sys.modules.get("jax")
    if jax is not None and _backend() == "jax":
        return int(jax.process_count())
    return 1


def is_chief() -> bool:
    return process_index() == 0


def processes_holding_other(arrays: Any) -> list[int]:
    """The processes of the job whose ``arrays`` differ from process 0's.

    Every process of a JAX job must call it (it is a collective: each sends a
    SHA-256 of its arrays' dtypes, shapes and bytes to all the others). Alone,
    or on a backend without several processes, the answer is ``[]``.

    >>> import numpy as np
    >>> processes_holding_other([np.zeros(3)])
    []
    """
    if process_count() == 1:
        return []
    import numpy as np
    from jax.experimental import multihost_utils

    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    mine = np.frombuffer(digest.digest(), dtype=np.uint8)
    everyone = np.asarray(multihost_utils.process_allgather(mine))
    return [
        i for i in range(len(everyone)) if not np.array_equal(everyone[i], everyone[0])
    ]


def _backend() -> str | None:
    keras = sys.modules.get("keras")
    return keras.backend.backend() if keras is not None else None


def _tf_config() -> dict:
    try:
        config = json.loads(os.environ.get("TF_CONFIG", "") or "{}")
    except ValueError:
        return {}
    return config if isinstance(config, dict) else {}


def _tf_config_task() -> tuple[str, int] | None:
    task = _tf_config().get("task")
    if not isinstance(task, dict) or "type" not in task:
        return None
    return str(task["type"]), int(task.get("index", 0))


def _tf_config_has_chief() -> bool:
    cluster = _tf_config().get("cluster", {})
    return isinstance(cluster, dict) and bool(cluster.get("chief"))


def warn_if_unsupported_job() -> None:
    """Say once, at the start of fit, when the job is one Keras cannot run as
    one: several processes started by PyTorch's ``torchrun`` (``WORLD_SIZE``)
    on Keras' PyTorch backend, which has no distribution API."""
    global _warned
    if _warned or _backend() != "torch":
        return
    try:
        world = int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        world = 1
    if world > 1:
        _warned = True
        warnings.warn(
            f"kerasteach: {world} processes (WORLD_SIZE) on Keras' PyTorch backend, "
            "which has no distribution API: each process trains its own copy of "
            "the model, and every one of them draws and writes. To train one model "
            "on several devices or machines, use the JAX backend "
            "(keras.distribution; see kerasteach's docs/scaling.md).",
            stacklevel=3,
        )
