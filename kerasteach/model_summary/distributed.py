"""One sentence for the summary on how a model is spread over devices.

Keras' distribution API (JAX) gives a data-parallel or sharded layout over a
mesh of devices, possibly across processes; on TensorFlow a model made in a
``tf.distribute`` strategy's scope is mirrored on its devices. A model on one
device gets no sentence.

>>> import keras
>>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
>>> distribution_note(model) is None
True
"""

from __future__ import annotations

from typing import Any

from kerasteach._processes import process_count


def distribution_note(model: Any) -> str | None:
    """How ``model`` is distributed, as a sentence; None on one device."""
    import keras

    distribution = keras.distribution.distribution()
    if distribution is not None:
        return _keras_distribution(model, distribution)
    if keras.backend.backend() == "tensorflow":
        return _tf_strategy(model)
    return None


def _keras_distribution(model: Any, distribution: Any) -> str:
    import keras

    mesh = distribution.device_mesh
    devices = int(mesh.devices.size)
    kind = type(distribution).__name__
    if isinstance(distribution, keras.distribution.DataParallel):
        text = (
            f"Distributed: data-parallel over {devices} device"
            f"{'s' if devices != 1 else ''} (keras.distribution.{kind}): each "
            "holds all the weights and a share of every batch"
        )
    else:
        split = sum(
            any(axis is not None for axis in distribution.get_variable_layout(w).axes)
            for w in model.weights
        )
        shape = "x".join(str(n) for n in mesh.shape)
        text = (
            f"Distributed: sharded over a {shape} mesh of {devices} devices "
            f"({', '.join(mesh.axis_names)}; keras.distribution.{kind}): {split} of "
            f"{len(model.weights)} weight tensors are split across devices, the "
            "others copied on each"
        )
    processes = process_count()
    if processes > 1:
        text += f", in a job of {processes} processes"
    return text + "."


def _tf_strategy(model: Any) -> str | None:
    strategy = getattr(model, "distribute_strategy", None)
    replicas = getattr(strategy, "num_replicas_in_sync", 1)
    if strategy is None or replicas <= 1:
        return None
    devices = [d.rsplit("/", 1)[-1] for d in strategy.extended.worker_devices]
    return (
        f"Distributed: tf.distribute.{type(strategy).__name__} over {replicas} "
        f"devices ({', '.join(devices)}): each holds all the weights and a share "
        "of every batch."
    )
