"""``get_activations``: what every chosen layer outputs, from one forward pass.

One extraction model (the user's inputs, the chosen layers' outputs) is built
per model and layer choice and kept for later calls; inputs go through it in
batches, each written into preallocated arrays, so memory holds the results
and one batch, never a second copy of everything. The user's model is only
read: it is never compiled, changed or called with ``training=True``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, MutableMapping, Sequence
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
from kerasteach.activations.transfer import HostResults, host_array, pinned_outputs

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


def eight_bit_maps(output: Any, max_channels: int | None = None) -> Any:
    """A layer's output as the pixels a picture of it shows, computed where the
    output is (``keras.ops``): the first ``max_channels`` feature maps, each
    map (or, for a sequence or a vector, each input's whole output) scaled from
    its lowest to its highest value onto 0-255, as ``uint8``. A quarter of the
    bytes of float32, fewer still when channels are left out: on a GPU, only
    these cross to the host. Outputs of rank 5 and more are left as they are.

    >>> keras.ops.convert_to_numpy(eight_bit_maps(np.array([[0.0, 1.0, 2.0]]))).tolist()
    [[0, 128, 255]]
    """
    ops = keras.ops
    rank = len(output.shape)
    if rank < 2 or rank > 4:
        return output
    if rank == 4 and max_channels is not None:
        output = output[..., :max_channels]
    axes = (1, 2) if rank >= 3 else (1,)
    values = ops.cast(output, "float32")
    low = ops.min(values, axis=axes, keepdims=True)
    span = ops.max(values, axis=axes, keepdims=True) - low
    scaled = ops.where(span > 0, (values - low) / ops.where(span > 0, span, 1.0), 0.0)
    return ops.cast(ops.floor(scaled * 255 + 0.5), "uint8")


def compiled_forward(
    extractor: keras.Model,
    dtype: str | None = None,
    to_host: bool = True,
    pictures: tuple[int | None, Sequence[int] | None] | None = None,
    pinned: bool = False,
) -> Callable[[Any], list[Any]]:
    """The extraction model's inference pass, compiled once, giving NumPy arrays
    (or, with ``to_host=False``, the backend's own arrays, where they were made).

    On TensorFlow a ``tf.function`` and on JAX a ``jax.jit`` of the model's
    stateless call (reading the weights' current values on every call); the
    arrays share the backend's CPU buffers instead of copying them. On PyTorch
    the model is called under ``torch.no_grad()``. With ``dtype`` the outputs
    are cast inside the pass, on the device, so the wider ones never cross to
    the host nor all exist at once. With ``pictures=(max_channels, indices)``
    the outputs at ``indices`` (all when None) become ``eight_bit_maps``
    inside the pass too. On a JAX device with page-locked host memory, results
    for the host (``to_host``, or ``pinned`` for JAX arrays still being
    written there) are written into it by the pass itself.
    """
    if pictures is not None and pictures[1] is not None:
        pictures = (pictures[0], tuple(pictures[1]))  # a key of the cache
    cached = _FORWARDS.setdefault(extractor, {})
    key = (dtype, to_host, pictures, pinned)
    if key in cached:
        return cached[key]
    backend = keras.backend.backend()

    def finish(outputs):
        outputs = list(outputs)
        if dtype:
            outputs = [keras.ops.cast(o, dtype) for o in outputs]
        if pictures is not None:
            channels, shown = pictures
            for index in range(len(outputs)) if shown is None else shown:
                outputs[index] = eight_bit_maps(outputs[index], channels)
        return outputs

    def call(batch):
        return finish(keras.tree.flatten(extractor(batch, training=False)))

    def delivered(outputs) -> list[Any]:
        return [host_array(o) for o in outputs] if to_host else list(outputs)

    if backend == "tensorflow":
        import tensorflow as tf

        graph = tf.function(call, reduce_retracing=True)

        def forward(batch):
            return delivered(graph(batch))
    elif backend == "jax":
        import jax

        def stateless(trainable, non_trainable, batch):
            outputs, _ = extractor.stateless_call(
                trainable, non_trainable, batch, training=False
            )
            return finish(keras.tree.flatten(outputs))

        # into page-locked host memory, by the pass, when it is for the host
        landing = pinned_outputs() if to_host or pinned else None
        jitted = jax.jit(stateless, out_shardings=landing)

        def forward(batch):
            return delivered(
                jitted(
                    [v.value for v in extractor.trainable_variables],
                    [v.value for v in extractor.non_trainable_variables],
                    batch,
                )
            )
    elif backend == "torch":
        import torch

        def forward(batch):
            with torch.no_grad():
                return delivered(call(batch))
    else:

        def forward(batch):
            outputs = keras.tree.flatten(extractor.predict_on_batch(batch))
            return delivered(finish(outputs))

    cached[key] = forward
    return forward


def picture_outputs(
    model: keras.Model,
    x: Any,
    paths: Sequence[str],
    max_channels: int | None,
    exact: Sequence[str] = (),
) -> tuple[list[np.ndarray], list[tuple[int, ...]]]:
    """Each path's output for ``x`` as a picture of it needs it, from one pass:
    ``eight_bit_maps`` made where the model runs (on a GPU only those pixels
    cross to the host), except the ``exact`` paths (drawn as bars), whole.
    Also gives each output's shape per input, with every channel counted.

    >>> model = keras.Sequential([keras.Input((4, 4, 1)),
    ...     keras.layers.Conv2D(8, 3, name="conv"), keras.layers.Flatten(),
    ...     keras.layers.Dense(2, name="out")])
    >>> arrays, shapes = picture_outputs(model, np.ones((1, 4, 4, 1)),
    ...                                  ["conv", "out"], 4, exact=["out"])
    >>> [(a.dtype.name, a.shape) for a in arrays], shapes
    ([('uint8', (1, 2, 2, 4)), ('float32', (1, 2))], [(2, 2, 8), (2,)])
    """
    check_inputs(model, graph_inputs(model), x, ActivationError)
    extractor = extraction_model(model, paths)
    shown = tuple(i for i, path in enumerate(paths) if path not in exact)
    arrays = compiled_forward(extractor, pictures=(max_channels, shown))(x)
    shapes = []
    for array, output in zip(arrays, extractor.outputs, strict=True):
        whole = tuple(array.shape[1:])
        if array.ndim == 4 and output.shape[-1]:  # channels left out
            whole = (*whole[:-1], output.shape[-1])
        shapes.append(whole)
    return arrays, shapes


class Activations(MutableMapping):
    """``{layer name: array}`` whose arrays cross to the host when first read.

    ``get_activations`` gives one: looking at three layers of a large model
    copies three layers' outputs from the GPU, not all of them. Reading an item
    gives a NumPy array (kept for the next read); ``on_device(name)`` gives the
    backend's array without copying it; ``copied`` names the layers read so far.
    Otherwise it is used as a dict (``pop``, ``del``, assignment all work).

    >>> found = Activations({"conv": keras.ops.zeros((2, 3))})
    >>> found.copied, found["conv"].shape, found.copied
    ((), (2, 3), ('conv',))
    """

    def __init__(self, arrays: dict[str, Any]) -> None:
        self._arrays = dict(arrays)  # a NumPy array once on the host

    def __getitem__(self, name: str) -> np.ndarray:
        array = self._arrays[name]
        if not isinstance(array, np.ndarray):
            # the host copy replaces the device's: never both in memory
            array = self._arrays[name] = host_array(array)
        return array

    def __setitem__(self, name: str, array: Any) -> None:
        self._arrays[name] = array

    def __delitem__(self, name: str) -> None:
        del self._arrays[name]

    def __iter__(self):
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k!r}: {tuple(v.shape)}" for k, v in self._arrays.items())
        return f"Activations({{{shapes}}})"

    def on_device(self, name: str) -> Any:
        """The layer's output as the backend made it, where it was made (once
        the layer has been read, its host copy)."""
        return self._arrays[name]

    @property
    def copied(self) -> tuple[str, ...]:
        """The layers whose outputs have been copied to the host so far."""
        return tuple(
            name
            for name, array in self._arrays.items()
            if isinstance(array, np.ndarray)
        )


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
    to_host: bool = True,
) -> Activations | dict[str, Any]:
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
            inside the compiled pass, on the device, so the float32 ones never
            all exist nor cross to the host).
        to_host: ``True`` (the default) gives NumPy arrays, each layer copied
            from the device the first time it is read (an ``Activations``
            mapping), through page-locked host memory where the backend
            offers it (JAX; PyTorch on CUDA); ``False`` gives the backend's
            own arrays, left where they were computed (on a GPU: on the GPU),
            in a dict.

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
    if dtype is not None:
        try:
            dtype = keras.backend.standardize_dtype(dtype)
        except ValueError:
            raise ActivationError(
                f"dtype {dtype!r} is not a Keras dtype: pass e.g. 'float16' (half "
                "the memory) or 'float32', or None for the layers' own"
            ) from None
    paths = choose_layers(model, layers)
    count = check_inputs(model, graph_inputs(model), x, ActivationError)
    extractor = extraction_model(model, paths)
    if count <= (batch_size or SINGLE_PASS):
        # One pass; each layer stays in the backend's buffer until it is read
        # (on the CPU, reading it shares that buffer: no copy at all).
        outputs = compiled_forward(extractor, dtype, to_host=False)(x)
        found = dict(zip(paths, outputs, strict=True))
        return Activations(found) if to_host else found
    batch_size = batch_size or automatic_batch_size(extractor)
    # backend arrays, still being computed when they come back (on a GPU)
    forward = compiled_forward(extractor, dtype, to_host=False, pinned=to_host)
    batches = (
        forward(keras.tree.map_structure(lambda a, rows=rows: a[rows], x))
        for rows in (
            slice(start, start + batch_size) for start in range(0, count, batch_size)
        )
    )
    if not to_host:  # joined where they were made
        parts = list(zip(*batches, strict=True))
        return {
            path: keras.ops.concatenate(list(part), axis=0)
            for path, part in zip(paths, parts, strict=True)
        }
    results = HostResults(count)  # the outputs come cast to dtype already
    for outputs in batches:
        results.add(outputs)  # copies this batch while the next one computes
    return Activations(dict(zip(paths, results.finish(), strict=True)))
