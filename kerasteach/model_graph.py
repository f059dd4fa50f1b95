"""One walk of a built Keras 3 model: every call of every operation, in order.

The summary draws this walk, and the activations, the report, the explorer
and the TensorBoard images read their layers from it, so whatever the summary
draws can also be looked inside.

Keras 3 has no public API for "which call of which layer feeds which"; its own
``model.summary()`` and ``plot_model`` read the functional graph's nodes
(``_nodes_by_depth``, ``_inbound_nodes``, ``_keras_history``). Every such private
access is kept in this module so that a Keras change is mended in one place.

>>> import keras
>>> tower = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d")],
...                          name="tower")
>>> left, right = keras.Input((3,), name="left"), keras.Input((3,), name="right")
>>> model = keras.Model([left, right], keras.layers.Add(name="add")(
...     [tower(left), tower(right)]))
>>> [step.key for step in walk(model) if not step.is_input]
['tower/d@0', 'tower@0', 'tower/d@1', 'tower@1', 'add']
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

Shape = tuple  # a tuple of int | None, batch axis first

EVERY_LEVEL = 10**6


@dataclass
class Step:
    """One call of one operation (or a model input), in drawing order."""

    operation: Any
    name: str  # its path: "conv", or "tower/conv" inside the nested model tower
    parents: list[int]
    input_shapes: list[Shape]
    output_shapes: list[Shape]
    depth: int = 0
    is_input: bool = False
    call: int = 0  # 0 for the operation's first call in the walk, 1 for its second
    calls: int = 1  # how many calls of the operation the walk holds
    output_positions: list[int] = field(default_factory=list)
    # For a nested model drawn as one row: its own steps, fully expanded,
    # so its multiply-adds can be summed.
    inner_steps: list[Step] | None = None
    # The symbolic outputs of this call, in the graph that holds the call.
    outputs: list[Any] = field(default_factory=list)
    # The nested-model calls this call runs inside, outermost first, as
    # (nested model, the node of that call in the graph around it).
    enclosing: tuple = ()
    is_container: bool = False  # a nested model's call, its inner steps listed too

    @property
    def key(self) -> str:
        """The name that picks this very call: ``name``, or ``name@call`` when
        the walk holds several calls of the operation."""
        return f"{self.name}@{self.call}" if self.calls > 1 else self.name

    def output_keys(self) -> list[str]:
        """One name per output: ``key`` for the first, ``key:1``, ``key:2``..."""
        return [self.key] + [f"{self.key}:{i}" for i in range(1, len(self.outputs))]


@dataclass
class Trace:
    steps: list[Step]
    traced: bool  # False for subclassed models: connections were not traced


def is_keras_model(obj: Any) -> bool:
    import keras

    return isinstance(obj, keras.Model)


def graph_of(model: Any) -> Any | None:
    """The functional graph behind a Functional or built Sequential model."""
    if hasattr(model, "_nodes_by_depth") and hasattr(model, "_operations"):
        return model
    functional = getattr(model, "_functional", None)
    if functional is not None and hasattr(functional, "_nodes_by_depth"):
        return functional
    return None


def has_own_call(model: Any) -> bool:
    """False for a model class that never defines ``call`` (a GAN wrapper)."""
    import keras

    return graph_of(model) is not None or type(model).call is not keras.Model.call


def per_sample(shape: Any) -> Shape:
    """The shape with its batch axis shown as unknown: the picture is per sample."""
    dims = tuple(None if d is None else int(d) for d in shape)
    return (None, *dims[1:]) if dims else dims


def trace(model: Any, expand_depth: int) -> Trace:
    """The steps the summary draws: nested models expanded ``expand_depth`` levels."""
    graph = graph_of(model)
    if graph is None:
        return Trace(_trace_layer_list(model), traced=False)
    steps = _walk_graph(graph, expand_depth, containers=False)
    return Trace(steps, traced=True)


def walk(model: Any) -> list[Step]:
    """Every call in a functional or Sequential model, nested models expanded:
    each nested model's inner steps, then a step for its call as a whole.

    Steps at depth 0 form the top-level graph (their ``parents`` point to
    steps at depth 0); steps inside a nested model point to steps of their own
    call, or to the outer steps that feed it.
    """
    graph = graph_of(model)
    if graph is None:
        return []
    return _walk_graph(graph, EVERY_LEVEL, containers=True)


def _walk_graph(graph: Any, expand_depth: int, containers: bool) -> list[Step]:
    steps: list[Step] = []
    tensor_step: dict[int, int] = {}
    _walk(graph, steps, tensor_step, "", 0, expand_depth, (), containers)
    for position, tensor in enumerate(graph.outputs):
        index = tensor_step.get(id(tensor))
        if index is not None:
            steps[index].output_positions.append(position)
    _number_calls(steps)
    return steps


def _producer_node(tensor: Any) -> Any | None:
    history = getattr(tensor, "_keras_history", None)
    if history is None or history.operation is None:
        return None
    return history.operation._inbound_nodes[history.node_index]


def _nodes_in_order(graph: Any) -> list[Any]:
    """Topological order of the graph's nodes, as close to `model.layers` as allowed.

    Keras lists layers by depth; a shared layer's second call may sit at another
    depth than its layer, so the order is rebuilt from the edges (Kahn's algorithm)
    with the layer's position in `graph.operations` as the tie-break.
    """
    nodes = [node for level in graph._nodes_by_depth.values() for node in level]
    node_ids = {id(node) for node in nodes}
    op_rank = {id(op): rank for rank, op in enumerate(graph.operations)}

    def key(node: Any) -> tuple[int, int]:
        op = node.operation
        return (op_rank.get(id(op), len(op_rank)), op._inbound_nodes.index(node))

    children: dict[int, list[Any]] = {id(node): [] for node in nodes}
    waiting: dict[int, int] = {}
    for node in nodes:
        parents = {
            id(parent)
            for parent in map(_producer_node, node.input_tensors)
            if parent is not None and id(parent) in node_ids
        }
        waiting[id(node)] = len(parents)
        for parent_id in parents:
            children[parent_id].append(node)

    position = {id(node): i for i, node in enumerate(nodes)}
    ready = [(key(n), i, n) for i, n in enumerate(nodes) if waiting[id(n)] == 0]
    heapq.heapify(ready)
    ordered = []
    while ready:
        _, i, node = heapq.heappop(ready)
        ordered.append(node)
        for child in children[id(node)]:
            waiting[id(child)] -= 1
            if waiting[id(child)] == 0:
                heapq.heappush(ready, (key(child), position[id(child)], child))
    return ordered


def _walk(
    graph: Any,
    steps: list[Step],
    tensor_step: dict[int, int],
    prefix: str,
    depth: int,
    expand_depth: int,
    enclosing: tuple,
    containers: bool,
) -> None:
    for node in _nodes_in_order(graph):
        op = node.operation
        if node.is_input:
            if depth > 0:
                continue  # a nested model's inputs are the outer tensors
            parents: list[int] = []
        else:
            parents = _unique(
                tensor_step[id(t)] for t in node.input_tensors if id(t) in tensor_step
            )
        step = Step(
            operation=op,
            name=prefix + op.name,
            parents=parents,
            input_shapes=[per_sample(t.shape) for t in node.input_tensors],
            output_shapes=[per_sample(t.shape) for t in node.output_tensors],
            depth=depth,
            is_input=node.is_input,
            outputs=list(node.output_tensors),
            enclosing=enclosing,
        )
        inner = graph_of(op) if is_keras_model(op) else None
        if inner is not None and depth < expand_depth:
            # A nested model's call: its graph, entered from the outer tensors
            # (the same inner tensors serve each call, one call at a time).
            for inner_input, outer_input in zip(
                inner.inputs, node.input_tensors, strict=False
            ):
                if id(outer_input) in tensor_step:
                    tensor_step[id(inner_input)] = tensor_step[id(outer_input)]
            _walk(
                inner,
                steps,
                tensor_step,
                f"{prefix}{op.name}/",
                depth + 1,
                expand_depth,
                (*enclosing, (op, node)),
                containers,
            )
            if not containers:
                for outer_output, inner_output in zip(
                    node.output_tensors, inner.outputs, strict=False
                ):
                    if id(inner_output) in tensor_step:
                        tensor_step[id(outer_output)] = tensor_step[id(inner_output)]
                continue
            step.is_container = True
        elif containers:
            pass  # the activations' walk: no multiply-adds to count
        elif is_keras_model(op):
            step.inner_steps = trace(op, expand_depth=EVERY_LEVEL).steps
        elif is_custom_layer(op):
            step.inner_steps = recorded_calls(op, node)
        steps.append(step)
        for tensor in node.output_tensors:
            tensor_step[id(tensor)] = len(steps) - 1


def is_custom_layer(op: Any) -> bool:
    """A layer class written outside Keras, e.g. a TransformerBlock."""
    import keras

    return isinstance(op, keras.layers.Layer) and not type(op).__module__.startswith(
        "keras."
    )


def recorded_calls(layer: Any, node: Any) -> list[Step] | None:
    """The calls a custom layer makes of its own sublayers, with their shapes.

    Keras records no nodes inside a custom layer's ``call``, so it is run once
    more on the symbolic tensors it was called with: the sublayers then record
    their calls, which are read and removed again, leaving the model as it was.
    None when the call cannot run symbolically.
    """
    sublayers = [sub for sub in layer._flatten_layers(include_self=False)]
    if not sublayers:
        return []
    feeds = node.input_tensors
    touched = [*sublayers, *(t._keras_history.operation for t in feeds)]
    before = {
        id(op): (len(op._inbound_nodes), len(op._outbound_nodes)) for op in touched
    }
    try:
        outputs = layer.call(*node.arguments.args, **node.arguments.kwargs)
        import keras

        found = _nodes_back_to(keras.tree.flatten(outputs), {id(t) for t in feeds})
    except Exception:  # noqa: BLE001 - any failure means "not recorded"
        found = None
    finally:
        for op in touched:
            inbound, outbound = before[id(op)]
            del op._inbound_nodes[inbound:]
            del op._outbound_nodes[outbound:]
    if found is None:
        return None
    steps = []
    for inner in found:
        op = inner.operation
        step = Step(
            operation=op,
            name=getattr(op, "name", type(op).__name__),
            parents=[],
            input_shapes=[per_sample(t.shape) for t in inner.input_tensors],
            output_shapes=[per_sample(t.shape) for t in inner.output_tensors],
        )
        if is_keras_model(op):
            step.inner_steps = trace(op, expand_depth=EVERY_LEVEL).steps
        elif is_custom_layer(op):
            step.inner_steps = recorded_calls(op, inner)
        steps.append(step)
    return steps


def _nodes_back_to(outputs: list[Any], stop: set[int]) -> list[Any] | None:
    """The nodes that lead from the tensors ``stop`` to ``outputs``."""
    seen: dict[int, Any] = {}
    waiting = [t for t in outputs if id(t) not in stop]
    while waiting:
        tensor = waiting.pop()
        node = _producer_node(tensor)
        if node is None:
            return None  # not symbolic: the call did not record
        if id(node) in seen:
            continue
        seen[id(node)] = node
        waiting += [t for t in node.input_tensors if id(t) not in stop]
    return list(seen.values())[::-1]


def _trace_layer_list(model: Any) -> list[Step]:
    """Subclassed models: layers in the order they were created, one after another.

    Keras records no graph for eager calls, so shapes come from what each layer
    was built with.
    """
    steps: list[Step] = []
    build_shape = _build_input_shape(model)
    if build_shape is not None:
        steps.append(
            Step(
                operation=None,
                name="input",
                parents=[],
                input_shapes=[],
                output_shapes=[per_sample(build_shape)],
                is_input=True,
            )
        )
    for layer in model.layers:
        input_shape = _build_input_shape(layer)
        output_shapes = _output_shapes(layer, input_shape)
        step = Step(
            operation=layer,
            name=layer.name,
            parents=[len(steps) - 1] if steps else [],
            input_shapes=[] if input_shape is None else [per_sample(input_shape)],
            output_shapes=output_shapes,
        )
        if is_keras_model(layer):
            step.inner_steps = trace(layer, expand_depth=EVERY_LEVEL).steps
        steps.append(step)
    if steps:
        steps[-1].output_positions.append(0)
    return steps


def _build_input_shape(layer: Any) -> Shape | None:
    shapes = getattr(layer, "_build_shapes_dict", None) or {}
    for value in shapes.values():
        if isinstance(value, (tuple, list)) and all(
            d is None or isinstance(d, int) for d in value
        ):
            return tuple(value)
    return None


def _output_shapes(layer: Any, input_shape: Shape | None) -> list[Shape]:
    if input_shape is None:
        return []
    import keras

    try:
        spec = layer.compute_output_spec(keras.KerasTensor(input_shape))
    except Exception:  # a layer that cannot say its output shape is drawn without
        return []
    return [per_sample(t.shape) for t in keras.tree.flatten(spec)]


def _number_calls(steps: list[Step]) -> None:
    seen: dict[int, int] = {}
    for step in steps:
        if step.operation is None:
            continue
        step.call = seen.get(id(step.operation), 0)
        seen[id(step.operation)] = step.call + 1
    for step in steps:
        if step.operation is not None:
            step.calls = seen[id(step.operation)]


def connected(model: Any, steps: list[tuple[Step, int]]) -> list[Any]:
    """Each (step, output index)'s symbolic tensor, connected to ``model.inputs``.

    A call inside a nested model is reached through a view of that nested
    model (its inputs to the wanted inner tensors, the same weights) applied
    to the outer tensors of that very call; one view per call serves every
    tensor wanted inside it.
    """
    return _connect([(step.enclosing, step.outputs[index]) for step, index in steps])


def _connect(targets: list[tuple[tuple, Any]]) -> list[Any]:
    import keras

    found: list[Any] = [None] * len(targets)
    calls: dict[int, tuple[Any, Any, list[tuple[int, tuple, Any]]]] = {}
    for position, (enclosing, tensor) in enumerate(targets):
        if not enclosing:
            found[position] = tensor
            continue
        (nested, node), rest = enclosing[0], enclosing[1:]
        calls.setdefault(id(node), (nested, node, []))[2].append(
            (position, rest, tensor)
        )
    for nested, node, wanted in calls.values():
        inner = _connect([(rest, tensor) for _, rest, tensor in wanted])
        view = keras.Model(graph_of(nested).inputs, inner)
        feeds = list(node.input_tensors)
        outputs = keras.tree.flatten(view(feeds if len(feeds) > 1 else feeds[0]))
        for (position, _, _), output in zip(wanted, outputs, strict=True):
            found[position] = output
    return found


def _unique(values: Any) -> list[int]:
    out: list[int] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def input_structure(model: Any) -> Any:
    """The model's inputs as it was built with them: one tensor, a list or a dict."""
    graph = graph_of(model)
    structure = getattr(graph, "_inputs_struct", None)
    if structure is None:
        inputs = list(graph.inputs)
        return inputs[0] if len(inputs) == 1 else inputs
    return structure
