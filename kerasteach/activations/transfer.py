"""How a layer's output crosses from where it was computed into host memory.

On a GPU the copy, not the network, is what looking inside costs: into
ordinary (pageable) host memory it runs at a few GB/s, into page-locked
(pinned) memory at tens. So outputs go into pinned memory where the backend
offers it: PyTorch's ``pin_memory`` (from its caching host allocator, so the
same blocks serve call after call), JAX's ``pinned_host`` memory kind. And a
batch's copy is started as soon as it is computed and waited for only once
the next batch has been started, so copies and computation overlap. On a CPU
every path still runs: the copies are host memory copies (or none at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np


def in_device_memory(value: Any) -> bool:
    """Whether a JAX array lives in an accelerator's own memory: not on a
    CPU, nor already written into host memory by the pass.

    >>> import jax
    >>> in_device_memory(jax.numpy.zeros(3))  # on this CPU
    False
    """
    if value.sharding.memory_kind in ("pinned_host", "unpinned_host"):
        return False
    return any(d.platform != "cpu" for d in value.devices())


def host_array(value: Any) -> np.ndarray:
    """A backend's array as a NumPy array: no copy at all where it already is
    in host memory, else one copy into page-locked memory where the backend
    offers it (PyTorch on CUDA, JAX), else TensorFlow's own copy.

    >>> host_array(keras.ops.ones((2,))).tolist()
    [1.0, 1.0]
    """
    if isinstance(value, np.ndarray):
        return value
    backend = keras.backend.backend()
    if backend == "torch":
        value = value.detach()
        if value.device.type == "cuda":
            import torch

            pinned = torch.empty(value.shape, dtype=value.dtype, pin_memory=True)
            pinned.copy_(value)  # a blocking copy: done when it returns
            return pinned.numpy()
        return value.cpu().numpy()  # shares a CPU tensor's memory
    if backend == "jax" and in_device_memory(value):
        target = pinned_sharding(value.sharding)
        if target is not None:
            import jax

            value = jax.device_put(value, target)
    return np.asarray(value)  # TensorFlow and JAX share a host buffer


def pinned_sharding(sharding: Any) -> Any:
    """``sharding`` with JAX's ``pinned_host`` memory kind (None where the
    devices have no such memory)."""
    memories = {m.kind for d in sharding.device_set for m in d.addressable_memories()}
    if "pinned_host" not in memories:
        return None
    return sharding.with_memory_kind("pinned_host")


def pinned_outputs() -> Any:
    """The ``out_shardings`` that make a ``jax.jit`` on one device write its
    outputs into pinned host memory (None: not on JAX, under a
    ``keras.distribution``, or where the device has no pinned memory)."""
    if keras.backend.backend() != "jax" or keras.distribution.distribution():
        return None
    import jax

    device = jax.local_devices()[0]  # where Keras puts this process's work
    return pinned_sharding(jax.sharding.SingleDeviceSharding(device))


def start_copy(outputs: Sequence[Any]) -> None:
    """Start copying a batch's outputs to the host without waiting (JAX);
    elsewhere the copy starts when the batch is written."""
    if keras.backend.backend() != "jax":
        return
    for output in outputs:
        if in_device_memory(output):
            output.copy_to_host_async()


class HostResults:
    """Every input's outputs in host arrays, filled batch by batch.

    The arrays are allocated once, when the first batch gives the shapes: on
    PyTorch with CUDA, in pinned memory, into which each batch is copied on a
    stream of its own while the next batch computes. Elsewhere each batch's
    copy is started (``start_copy``) and written into the arrays only when the
    next batch has been started.

    >>> results = HostResults(count=3)
    >>> results.add([keras.ops.ones((2, 4))]); results.add([keras.ops.zeros((1, 4))])
    >>> [array.sum(axis=1).tolist() for array in results.finish()]
    [[4.0, 4.0, 0.0]]
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self._arrays: list[Any] = []
        self._filled = 0
        self._waiting: tuple[int, list[Any]] | None = None
        self._stream = None  # PyTorch's copy stream, on CUDA

    def add(self, outputs: Sequence[Any]) -> None:
        """Take one batch's outputs (the backend's arrays, maybe still being
        computed); the previous batch's are written now."""
        outputs = list(outputs)
        if not self._arrays:
            self._allocate(outputs)
        start, self._filled = self._filled, self._filled + len(outputs[0])
        if self._stream is not None:
            self._copy_on_stream(start, outputs)
            return
        start_copy(outputs)
        self._write_waiting()
        self._waiting = (start, outputs)

    def finish(self) -> list[np.ndarray]:
        """The filled arrays, every copy done."""
        self._write_waiting()
        if self._stream is not None:
            self._stream.synchronize()
            return [array.numpy() for array in self._arrays]
        return self._arrays

    def _allocate(self, outputs: list[Any]) -> None:
        first = outputs[0]
        if keras.backend.backend() == "torch" and first.device.type == "cuda":
            import torch

            self._stream = torch.cuda.Stream(device=first.device)
            self._arrays = [
                torch.empty((self.count, *o.shape[1:]), dtype=o.dtype, pin_memory=True)
                for o in outputs
            ]
            return
        self._arrays = [
            np.empty(
                (self.count, *o.shape[1:]), keras.backend.standardize_dtype(o.dtype)
            )
            for o in outputs
        ]

    def _copy_on_stream(self, start: int, outputs: list[Any]) -> None:
        import torch

        # the copy waits for the batch's computation, not for what follows it
        self._stream.wait_stream(torch.cuda.current_stream(outputs[0].device))
        with torch.cuda.stream(self._stream):
            for target, output in zip(self._arrays, outputs, strict=True):
                target[start : start + len(output)].copy_(output, non_blocking=True)
                # keep the output's memory from being reused before the copy
                output.record_stream(self._stream)

    def _write_waiting(self) -> None:
        if self._waiting is None:
            return
        start, outputs = self._waiting
        for target, output in zip(self._arrays, outputs, strict=True):
            target[start : start + len(output)] = host_array(output)
        self._waiting = None
