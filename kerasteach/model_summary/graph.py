"""Walk a built Keras 3 model into an ordered list of steps (one per layer call).

Keras 3 has no public API for "which call of which layer feeds which"; its own
`model.summary()` and `plot_model` read the functional graph's nodes
(`_nodes_by_depth`, `_inbound_nodes`, `_keras_history`). Every such private
access is kept in this module so a Keras change is mended in one place.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

Shape = tuple  # a tuple of int | None, batch axis first


@dataclass
class Step:
    """One call of one operation, in drawing order."""

    operation: Any
    name: str
    parents: list[int]
    input_shapes: list[Shape]
    output_shapes: list[Shape]
    depth: int = 0
    is_input: bool = False
    call: int = 0
    output_positions: list[int] = field(default_factory=list)
    # For a nested model drawn as one row: its own steps, fully expanded,
    # so its multiply-adds can be summed.
    inner_steps: list[Step] | None = None


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


def per_sample(shape: Any) -> Shape:
    """The shape with its batch axis shown as unknown: the picture is per sample."""
    dims = tuple(None if d is None else int(d) for d in shape)
    return (None, *dims[1:]) if dims else dims


def trace(model: Any, expand_depth: int) -> Trace:
    graph = graph_of(model)
    if graph is None:
        return Trace(_trace_layer_list(model), traced=False)
    steps: list[Step] = []
    tensor_step: dict[int, int] = {}
    _walk(graph, steps, tensor_step, prefix="", depth=0, expand_depth=expand_depth)
    for position, tensor in enumerate(graph.outputs):
        index = tensor_step.get(id(tensor))
        if index is not None:
            steps[index].output_positions.append(position)
    _number_calls(steps)
    return Trace(steps, traced=True)


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
        inner = graph_of(op) if is_keras_model(op) else None
        if inner is not None and depth < expand_depth:
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
            )
            for outer_output, inner_output in zip(
                node.output_tensors, inner.outputs, strict=False
            ):
                if id(inner_output) in tensor_step:
                    tensor_step[id(outer_output)] = tensor_step[id(inner_output)]
            continue
        step = Step(
            operation=op,
            name=prefix + op.name,
            parents=parents,
            input_shapes=[per_sample(t.shape) for t in node.input_tensors],
            output_shapes=[per_sample(t.shape) for t in node.output_tensors],
            depth=depth,
            is_input=node.is_input,
        )
        if is_keras_model(op):
            step.inner_steps = trace(op, expand_depth=10**6).steps
        steps.append(step)
        for tensor in node.output_tensors:
            tensor_step[id(tensor)] = len(steps) - 1


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
            step.inner_steps = trace(layer, expand_depth=10**6).steps
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


def _unique(values: Any) -> list[int]:
    out: list[int] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out
