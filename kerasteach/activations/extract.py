"""``get_activations``: what every chosen layer outputs, from one forward pass.

One extraction model (the user's inputs, the chosen layers' outputs) is built
per model and layer choice and kept for later calls; inputs go through it in
batches, each written into preallocated arrays, so memory holds the results
and one batch, never a second copy of everything. The user's model is only
read: it is never compiled, changed or called with ``training=True``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

from kerasteach import model_graph
from kerasteach.activations.choice import (  # noqa: F401 - the public names
    ActivationError,
    LayerChoice,
    LayerNotFoundError,
    choose_layers,
    graph_inputs,
    layer_names,
    output_keys,
    output_of,
    tensor_of,
)
from kerasteach.activations.inputs import check_inputs

_EXTRACTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def extraction_model(model: keras.Model, keys: Sequence[str]) -> keras.Model:
    """One model from ``model``'s inputs to every named output, built once."""
    cache = _EXTRACTORS.setdefault(model, {})
    key = tuple(keys)
    if key not in cache:
        inputs = model_graph.input_structure(model)
        outputs = model_graph.connected(model, [tensor_of(model, k) for k in keys])
        cache[key] = keras.Model(inputs, outputs, name=f"{model.name}_activations")
    return cache[key]


BATCH_BYTES = 256 * 2**20
SINGLE_PASS = 32  # up to this many inputs go through in one pass

_FORWARDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compiled_forward(
    extractor: keras.Model, dtype: str | None = None
) -> Callable[[Any], list[np.ndarray]]:
    """The extraction model's inference pass, compiled once, giving NumPy arrays.

    On TensorFlow a ``tf.function`` and on JAX a ``jax.jit`` of the model's
    stateless call (reading the weights' current values on every call); the
    arrays share the backend's CPU buffers instead of copying them. Elsewhere
    Keras' own ``predict_on_batch``. With ``dtype`` the outputs are cast inside
    the compiled pass, so the wider ones never all exist at once.
    """
    cached = _FORWARDS.setdefault(extractor, {})
    if dtype in cached:
        return cached[dtype]
    backend = keras.backend.backend()

    def call(batch):
        outputs = keras.tree.flatten(extractor(batch, training=False))
        return [keras.ops.cast(o, dtype) for o in outputs] if dtype else outputs

    if backend == "tensorflow":
        import tensorflow as tf

        graph = tf.function(call, reduce_retracing=True)

        def forward(batch):
            return [np.asarray(o) for o in graph(batch)]
    elif backend == "jax":
        import jax

        def stateless(trainable, non_trainable, batch):
            outputs, _ = extractor.stateless_call(
                trainable, non_trainable, batch, training=False
            )
            outputs = keras.tree.flatten(outputs)
            return [keras.ops.cast(o, dtype) for o in outputs] if dtype else outputs

        jitted = jax.jit(stateless)

        def forward(batch):
            outputs = jitted(
                [v.value for v in extractor.trainable_variables],
                [v.value for v in extractor.non_trainable_variables],
                batch,
            )
            return [np.asarray(o) for o in outputs]
    else:

        def forward(batch):
            outputs = keras.tree.flatten(extractor.predict_on_batch(batch))
            return [np.asarray(o, dtype=dtype) for o in outputs]

    cached[dtype] = forward
    return forward


def automatic_batch_size(extractor: keras.Model, most: int = 32) -> int:
    """Inputs per pass so that one batch of outputs stays under ``BATCH_BYTES``."""
    per_input = sum(
        int(np.prod([d or 1 for d in output.shape[1:]])) * 4
        for output in extractor.outputs
    )
    return max(1, min(most, BATCH_BYTES // max(per_input, 1)))


def get_activations(
    model: keras.Model,
    x: Any,
    layers: LayerChoice = None,
    *,
    batch_size: int | None = None,
    dtype: str | None = None,
) -> dict[str, np.ndarray]:
    """Each chosen layer's output for inputs ``x``: ``{layer name: array}``.

    Args:
        model: a Sequential or functional model (built).
        x: what ``model.predict`` takes: an array, or a list or dict of them.
        layers: ``None`` (the layers a student looks at), ``"all"``, or names
            (``"block/conv"`` inside a nested model), indices or layer types.
        batch_size: inputs per forward pass. By default up to 32 inputs go
            through in one pass, with no copy of the outputs; more go in
            batches small enough that one batch's outputs stay under 256 MB,
            each copied once into arrays allocated up front.
        dtype: e.g. ``"float16"`` halves the memory of the results (cast
            inside the compiled pass, so the float32 ones never all exist).

    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((6, 6, 1)),
    ...                           keras.layers.Conv2D(4, 3, name="conv"),
    ...                           keras.layers.Flatten(name="flat"),
    ...                           keras.layers.Dense(2, name="out")])
    >>> found = get_activations(model, np.ones((5, 6, 6, 1)), batch_size=2)
    >>> {name: array.shape for name, array in found.items()}
    {'conv': (5, 4, 4, 4), 'out': (5, 2)}
    """
    if not isinstance(model, keras.Model):
        raise ActivationError(f"expected a Keras model; got {type(model).__name__}")
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ActivationError(f"batch_size must be a positive int; got {batch_size!r}")
    paths = choose_layers(model, layers)
    count = check_inputs(model, graph_inputs(model), x, ActivationError)
    extractor = extraction_model(model, paths)
    forward = compiled_forward(extractor, dtype)
    if count <= (batch_size or SINGLE_PASS):
        # One pass, and the arrays are the backend's own buffers (no copy):
        # the least memory there is, and the fastest on TensorFlow and JAX.
        return dict(zip(paths, forward(x), strict=True))
    batch_size = batch_size or automatic_batch_size(extractor)
    results: list[np.ndarray] = []
    for start in range(0, count, batch_size):
        rows = slice(start, start + batch_size)
        outputs = forward(keras.tree.map_structure(lambda a, rows=rows: a[rows], x))
        if not results:  # now the shapes are known: allocate everything once
            results = [
                np.empty((count, *o.shape[1:]), dtype=dtype or o.dtype) for o in outputs
            ]
        for target, output in zip(results, outputs, strict=True):
            target[start : start + len(output)] = output
    return dict(zip(paths, results, strict=True))
