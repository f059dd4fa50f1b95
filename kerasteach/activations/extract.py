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

LayerChoice = str | int | type | Sequence[str | int | type] | None

# Layers a student looks at: what each stage computes, not the plumbing.
_DEFAULT_KINDS = (
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "SeparableConv1D",
    "SeparableConv2D",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "Dense",
    "Add",
    "Concatenate",
    "Multiply",
    "LSTM",
    "GRU",
    "SimpleRNN",
    "Bidirectional",
    "Embedding",
)

# A convolution, dense layer or merge followed only by these is shown after
# them: the stage's output, what the next layer reads. It is also cheaper,
# since XLA and Grappler keep the fused conv + norm + activation kernel.
_STAGE_KINDS = ("Conv", "Dense", "Add", "Concatenate", "Multiply")
_MERGES = (
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
)
_STAGE_FOLLOWERS = (
    "BatchNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "Activation",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "Softmax",
)

_EXTRACTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class ActivationError(ValueError):
    """The model or the layer choice cannot give activations; says what can."""


def graph_inputs(model: keras.Model) -> list:
    try:
        inputs = model.inputs
    except AttributeError:
        inputs = None
    if not inputs:
        raise ActivationError(
            f"{model.name} is a subclassed model (or was never built), so its "
            "layers have no graph to read outputs from. get_activations needs a "
            "Sequential or functional model; rebuild it with the functional API, "
            "or call the layers yourself inside call() and return what you need."
        )
    return list(inputs)


def _is_model(layer: Any) -> bool:
    return isinstance(layer, keras.Model)


def layer_names(model: keras.Model, *, nested: bool = True) -> list[str]:
    """Every layer's name in model order; a nested model's own layers as
    ``outer/inner`` paths after it (with ``nested=True``).

    >>> import keras
    >>> inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")],
    ...                          name="block")
    >>> model = keras.Sequential([keras.Input((4,)), inner], name="outer")
    >>> layer_names(model)
    ['block', 'block/d']
    """
    names = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        names.append(layer.name)
        if nested and _is_model(layer):
            names += [f"{layer.name}/{n}" for n in layer_names(layer, nested=True)]
    return names


def _find(model: keras.Model, path: str) -> keras.layers.Layer:
    head, _, rest = path.partition("/")
    try:
        layer = model.get_layer(head)
    except ValueError:
        known = ", ".join(layer_names(model, nested=False))
        raise ActivationError(
            f"no layer named {head!r} in {model.name}; its layers are: {known}"
        ) from None
    if not rest:
        return layer
    if not _is_model(layer):
        raise ActivationError(f"{head!r} is a {type(layer).__name__}, not a model")
    return _find(layer, rest)


def _called_once(layer: keras.layers.Layer) -> bool:
    # Keras 3 has no public call count; its nodes are the only record.
    return len(getattr(layer, "_inbound_nodes", ())) <= 1


def _stage_ends(model: keras.Model) -> Callable[[keras.layers.Layer], str | None]:
    """Maps a layer to the last of the normalization and activation layers
    that alone follow it (or to itself); to None when that stage only feeds
    merges, whose output (the block's) is the one shown."""
    readers: dict[int, list] = {}
    for layer in model.layers:
        try:
            feeds = keras.tree.flatten(layer.input)
        except (AttributeError, ValueError):  # never called, or shared
            continue
        for tensor in feeds:
            readers.setdefault(id(tensor), []).append(layer)

    def only_merges_read(layer: keras.layers.Layer) -> bool:
        try:
            following = readers.get(id(layer.output), [])
        except (AttributeError, ValueError):
            return False
        return bool(following) and all(
            type(after).__name__ in _MERGES for after in following
        )

    def end(layer: keras.layers.Layer) -> str | None:
        if not type(layer).__name__.startswith(_STAGE_KINDS):
            return layer.name
        while _called_once(layer):
            try:
                following = readers.get(id(layer.output), [])
            except (AttributeError, ValueError):
                break
            if len(following) != 1:
                break
            after = following[0]
            if type(after).__name__ not in _STAGE_FOLLOWERS or not _called_once(after):
                break
            layer = after
        merge = type(layer).__name__ in _MERGES
        return None if not merge and only_merges_read(layer) else layer.name

    return end


def choose_layers(model: keras.Model, layers: LayerChoice = None) -> list[str]:
    """The layer paths a choice stands for, in model order.

    ``None``: the layers a student looks at (convolutions, pooling, dense,
    recurrent, merges that end a block) and the output; a convolution, dense
    layer or merge followed only by normalization and activation layers is
    shown after the last of them (``conv1_relu``, not ``conv1_conv``), as
    that is what the next layer reads; a stage read only by merges (a
    residual branch's last convolution) is shown through the merge, the
    block's output. ``"all"``: every
    layer. Otherwise names (``"block/conv"`` reaches into a nested model),
    indices into ``model.layers`` (negative counts from the end) or layer
    types (``keras.layers.Conv2D``), alone or in a list.
    """
    every = layer_names(model, nested=False)
    if layers is None:
        end = _stage_ends(model)
        chosen = []
        for layer in model.layers:
            if type(layer).__name__ in _DEFAULT_KINDS or _is_model(layer):
                name = end(layer)
                chosen += [name] if name and name not in chosen else []
        last = model.layers[-1].name
        return chosen + ([last] if last not in chosen else [])
    if isinstance(layers, str) and layers == "all":
        return every
    picks = [layers] if isinstance(layers, str | int | type) else list(layers)
    chosen: list[str] = []
    for pick in picks:
        if isinstance(pick, bool):
            raise ActivationError(f"not a layer choice: {pick!r}")
        if isinstance(pick, int):
            try:
                names = [model.layers[pick].name]
            except IndexError:
                raise ActivationError(
                    f"layer index {pick} is out of range: {model.name} has "
                    f"{len(model.layers)} layers"
                ) from None
        elif isinstance(pick, type):
            names = [layer.name for layer in model.layers if isinstance(layer, pick)]
            if not names:
                raise ActivationError(f"{model.name} has no {pick.__name__} layer")
        elif isinstance(pick, str):
            _find(model, pick)
            names = [pick]
        else:
            raise ActivationError(
                f"choose layers by name, index or type; got {type(pick).__name__}"
            )
        chosen += [name for name in names if name not in chosen]
    return chosen


def output_of(model: keras.Model, path: str):
    """The symbolic output of ``path``, connected to ``model``'s inputs."""
    head, _, rest = path.partition("/")
    layer = _find(model, head)
    # Keras 3 answers layer.output with the first call's output even when a
    # layer is called twice; it has no public call count, so read its nodes.
    calls = len(getattr(layer, "_inbound_nodes", ())) or 1
    if not rest:
        try:
            if calls > 1:
                raise ValueError("shared")
            return layer.output
        except (AttributeError, ValueError):
            raise ActivationError(
                f"{path!r} is called more than once (shared within {model.name}, "
                "or used by another model too), so it has no single output to "
                "show; choose the layers around it"
            ) from None
    # A cut inside a nested model is not connected to the outer inputs.
    # Apply a multi-output view of the nested model to the tensor that feeds
    # it in the outer graph instead: the same weights, connected.
    try:
        if calls > 1:
            raise ValueError("shared")
        feed = layer.input
    except (AttributeError, ValueError):
        raise ActivationError(
            f"{head!r} is called more than once in {model.name}; the layers "
            "inside it have no single input to start from"
        ) from None
    view = keras.Model(layer.inputs, output_of(layer, rest))
    return view(feed)


def extraction_model(model: keras.Model, paths: Sequence[str]) -> keras.Model:
    """One model from ``model``'s inputs to every path's output, built once."""
    cache = _EXTRACTORS.setdefault(model, {})
    key = tuple(paths)
    if key not in cache:
        inputs = graph_inputs(model)
        inputs = inputs[0] if len(inputs) == 1 else inputs
        outputs = [output_of(model, path) for path in paths]
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


def _length(x: Any) -> int:
    leaves = keras.tree.flatten(x)
    if not leaves:
        raise ActivationError("x is empty: pass the input array(s) of the model")
    return len(leaves[0])


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
    extractor = extraction_model(model, paths)
    forward = compiled_forward(extractor, dtype)
    count = _length(x)
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
