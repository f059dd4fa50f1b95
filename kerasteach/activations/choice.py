"""Which layers a choice stands for, read from the one walk of the model.

A name picks every output of every call of a layer: ``"conv"``, or
``"tower/conv"`` inside the nested model ``tower``. A layer called more than
once is named per call, ``"tower/conv@0"``, ``"tower/conv@1"``; a layer with
several outputs names its first ``"lstm"`` and the others ``"lstm:1"``,
``"lstm:2"``. These names are the keys of ``get_activations``' result.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import keras

from kerasteach import model_graph
from kerasteach._names import near_misses

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

_WALKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class ActivationError(ValueError):
    """The model, the layer choice or the inputs cannot give activations; says
    what can."""


class LayerNotFoundError(ActivationError, KeyError):
    """No layer of that name: also a ``KeyError``, as keract users catch it."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


def graph_inputs(model: keras.Model) -> list:
    """The model's symbolic inputs, or an ``ActivationError`` that says why not."""
    if not model_graph.has_own_call(model):
        held = [name for name, value in vars(model).items() if _is_model(value)]
        raise ActivationError(
            f"{model.name} has no call(), so no data flows through it as a "
            "whole; look inside one of the models it holds"
            + (
                f" ({', '.join(held)}): get_activations(model.{held[0]}, x)"
                if held
                else ""
            )
        )
    try:
        inputs = model.inputs
    except AttributeError:
        inputs = None
    if not inputs or model_graph.graph_of(model) is None:
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


def model_walk(model: keras.Model) -> list[model_graph.Step]:
    """The model's calls (nested models expanded), walked once per model."""
    graph_inputs(model)
    graph = model_graph.graph_of(model)
    if graph not in _WALKS:
        _WALKS[graph] = model_graph.walk(model)
    return _WALKS[graph]


def _top(steps: list[model_graph.Step]) -> list[int]:
    return [i for i, step in enumerate(steps) if step.depth == 0]


def _kind(step: model_graph.Step) -> str:
    return type(step.operation).__name__


def _stage_end(steps: list[model_graph.Step], readers: dict[int, list[int]]):
    """Maps a step to the last of the normalization and activation steps that
    alone follow it (or to itself); to None when that stage only feeds merges,
    whose output (the block's) is the one shown."""

    def end(index: int) -> int | None:
        if not _kind(steps[index]).startswith(_STAGE_KINDS):
            return index
        while len(steps[index].outputs) == 1 and not steps[index].output_positions:
            following = readers[index]
            if len(following) != 1:
                break
            after = following[0]
            if _kind(steps[after]) not in _STAGE_FOLLOWERS:
                break
            index = after
        following = readers[index]
        only_merges = bool(following) and all(
            _kind(steps[r]) in _MERGES for r in following
        )
        merge = _kind(steps[index]) in _MERGES
        return None if only_merges and not merge else index

    return end


def output_keys(model: keras.Model) -> list[str]:
    """The names of the model's outputs, in the order of ``model.outputs``."""
    steps = model_walk(model)
    wanted = {
        id(t): position
        for position, t in enumerate(model_graph.graph_of(model).outputs)
    }
    found: dict[int, str] = {}
    for index in _top(steps):
        step = steps[index]
        for tensor, key in zip(step.outputs, step.output_keys(), strict=True):
            if id(tensor) in wanted:
                found.setdefault(wanted[id(tensor)], key)
    return [found[position] for position in sorted(found)]


def _default_choice(model: keras.Model, steps: list[model_graph.Step]) -> list[str]:
    top = _top(steps)
    readers: dict[int, list[int]] = {i: [] for i in top}
    for i in top:
        for parent in steps[i].parents:
            readers.setdefault(parent, []).append(i)
    end = _stage_end(steps, readers)
    chosen: list[str] = []
    for i in top:
        step = steps[i]
        if step.is_input:
            continue
        if (
            _kind(step) in _DEFAULT_KINDS
            or _is_model(step.operation)
            or model_graph.is_custom_layer(step.operation)
        ):
            shown = end(i)
            if shown is not None:
                chosen += steps[shown].output_keys()
    chosen += output_keys(model)
    return list(dict.fromkeys(chosen))


def choose_layers(model: keras.Model, layers: LayerChoice = None) -> list[str]:
    """The names a choice stands for, one per output, in model order.

    ``None``: the layers a student looks at (convolutions, pooling, dense,
    recurrent, merges that end a block, nested models) and the model's
    outputs; a convolution, dense layer or merge followed only by
    normalization and activation layers is shown after the last of them
    (``conv1_relu``, not ``conv1_conv``), as that is what the next layer
    reads; a stage read only by merges (a residual branch's last convolution)
    is shown through the merge, the block's output. ``"all"``: every step of
    the model, layers and ``keras.ops`` calls alike (a nested model as one).
    Otherwise names, indices into ``model.layers`` (negative counts from the
    end) or layer types (``keras.layers.Conv2D``), alone or in a list.

    Names: ``"block/conv"`` reaches into the nested model ``block``. A layer
    called more than once gives one name per call, ``"tower/conv@0"``,
    ``"tower/conv@1"`` (each may be asked for alone); a layer with several
    outputs gives ``"lstm"`` for its first, ``"lstm:1"``, ``"lstm:2"`` for the
    others.

    >>> import keras
    >>> tower = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")],
    ...                          name="tower")
    >>> a, b = keras.Input((4,)), keras.Input((4,))
    >>> model = keras.Model([a, b], keras.layers.Subtract(name="diff")(
    ...     [tower(a), tower(b)]))
    >>> choose_layers(model)
    ['tower@0', 'tower@1', 'diff']
    >>> choose_layers(model, "tower/d")
    ['tower/d@0', 'tower/d@1']
    """
    steps = model_walk(model)
    if layers is None:
        return _default_choice(model, steps)
    if isinstance(layers, str) and layers == "all":
        return [
            key
            for i in _top(steps)
            if not steps[i].is_input
            for key in steps[i].output_keys()
        ]
    if isinstance(layers, str | int | type):
        picks = [layers]
    elif isinstance(layers, list | tuple):
        picks = list(layers)
        if not picks:
            raise ActivationError(
                "layers is empty: name at least one layer, or pass None for the "
                'default choice or "all" for every layer'
            )
    else:
        raise ActivationError(
            'layers must be None, "all", a layer\'s name, index or type, or a '
            f"list of them; got {type(layers).__name__} {layers!r}"
        )
    chosen: list[str] = []
    for pick in picks:
        chosen += [key for key in _keys_of(model, steps, pick) if key not in chosen]
    return chosen


def _keys_of(model: keras.Model, steps: list[model_graph.Step], pick: Any) -> list[str]:
    if isinstance(pick, bool) or not isinstance(pick, str | int | type):
        raise ActivationError(
            "choose layers by name, index or type (or a list of them); got "
            f"{type(pick).__name__} {pick!r}"
        )
    if isinstance(pick, str):
        return _keys_named(model, steps, pick)
    if isinstance(pick, int):
        try:
            layer = model.layers[pick]
        except IndexError:
            raise ActivationError(
                f"layer index {pick} is out of range: {model.name} has "
                f"{len(model.layers)} layers"
            ) from None
        wanted = [steps[i] for i in _top(steps) if steps[i].operation is layer]
    else:
        wanted = [
            steps[i]
            for i in _top(steps)
            if isinstance(steps[i].operation, pick) and not steps[i].is_input
        ]
        if not wanted:
            raise ActivationError(f"{model.name} has no {pick.__name__} layer")
    return [key for step in wanted for key in step.output_keys()]


def _parse(name: str) -> tuple[str, int | None, int | None]:
    """'tower/conv@1:2' -> ('tower/conv', 1, 2)."""
    path, call, output = name, None, None
    head, colon, tail = path.rpartition(":")
    if colon and tail.isdigit():
        path, output = head, int(tail)
    head, at, tail = path.rpartition("@")
    if at and tail.isdigit():
        path, call = head, int(tail)
    return path, call, output


def _keys_named(
    model: keras.Model, steps: list[model_graph.Step], name: str
) -> list[str]:
    exact = [step for step in steps if step.name == name]
    path, call, output = (name, None, None) if exact else _parse(name)
    found = exact or [step for step in steps if step.name == path]
    if not found:
        _not_found(model, steps, path)
    if call is not None:
        calls = [step for step in found if step.call == call]
        if not calls:
            keys = ", ".join(step.key for step in found)
            raise ActivationError(f"{path!r} has no call {call}: its calls are {keys}")
        found = calls
    if output is None:
        return [key for step in found for key in step.output_keys()]
    keys = []
    for step in found:
        if output >= len(step.outputs):
            raise ActivationError(
                f"{step.key!r} has {len(step.outputs)} output(s): "
                + ", ".join(step.output_keys())
            )
        keys.append(step.output_keys()[output])
    return keys


def _not_found(model: keras.Model, steps: list[model_graph.Step], path: str) -> None:
    parts = path.split("/")
    for cut in range(len(parts) - 1, 0, -1):
        outer = "/".join(parts[:cut])
        holders = [step for step in steps if step.name == outer]
        if not holders:
            continue
        op = holders[0].operation
        inside = "/".join(parts[cut:])
        if _is_model(op):
            raise ActivationError(
                f"{outer!r} is a subclassed model: Keras records no graph of the "
                f"calls inside its call(), so {inside!r} cannot be reached. Ask "
                f"for {outer!r} (its output), or build it as a functional model "
                "to look inside it."
            )
        if model_graph.is_custom_layer(op) and op._flatten_layers(include_self=False):
            raise ActivationError(
                f"{outer!r} is a {type(op).__name__}, a layer that calls other "
                "layers inside its own call(); Keras records no graph of those "
                f"calls, so {inside!r} cannot be reached. Ask for {outer!r} (its "
                "output), or write the block as a functional keras.Model to look "
                "inside it."
            )
        raise ActivationError(f"{outer!r} is a {type(op).__name__}, not a model")
    names = list(dict.fromkeys(step.name for step in steps if not step.is_input))
    close = near_misses(path, names)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    top = [step.name for step in steps if step.depth == 0 and not step.is_input]
    top = list(dict.fromkeys(top))
    shown = ", ".join(top[:30]) + (
        f", ... ({len(top) - 30} more)" if len(top) > 30 else ""
    )
    raise LayerNotFoundError(
        f"no layer named {path!r} in {model.name}{hint}; its layers are: {shown}"
    )


def tensor_of(model: keras.Model, key: str) -> tuple[model_graph.Step, int]:
    steps = model_walk(model)
    for step in steps:
        keys = step.output_keys()
        if key in keys:
            return step, keys.index(key)
    keys = _keys_named(model, steps, key)  # raises for an unknown name
    if len(keys) != 1:
        raise ActivationError(
            f"{key!r} stands for {len(keys)} outputs ({', '.join(keys)}); name one"
        )
    return tensor_of(model, keys[0])


def output_of(model: keras.Model, key: str):
    """The symbolic output named ``key``, connected to ``model``'s inputs."""
    return model_graph.connected(model, [tensor_of(model, key)])[0]
