"""Compute a model's summary once, as rows of plain data that every renderer reads."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Any

from kerasteach import model_graph as _graph
from kerasteach.model_graph import Step
from kerasteach.model_summary import mult_adds as _mult_adds
from kerasteach.model_summary.glyphs import ACTIVATION_LAYERS

Shape = tuple  # ints and None (unknown), batch axis first


def format_shape(shapes: tuple) -> str:
    """'(?, 26, 26, 32)'; several outputs are joined with ', '."""
    if not shapes:
        return "?"
    return ", ".join(
        "(" + ", ".join("?" if d is None else str(d) for d in shape) + ")"
        for shape in shapes
    )


@dataclass(frozen=True)
class SummaryRow:
    """One step of the network: one call of one layer (or a model input).

    ``weights`` counts each variable once, in the first row that uses it, so a
    layer called twice shows its weights on its first call only and the rows
    add up to ``model.count_params()``.
    """

    index: int
    name: str
    operation: str
    activation: str
    output_shapes: tuple[Shape, ...]
    weights: int
    trainable_weights: int
    share: float  # percent of all the model's weights
    mult_adds: int | None  # per sample; None when not counted or unknown
    mult_adds_unknown: bool  # counted kind, but a dimension is unknown
    sources: tuple[int, ...]  # indices of the rows that feed this one
    depth: int  # 0 for the top model, 1 inside a nested model, ...
    call: int  # 0 for a layer's first call, 1 for its second, ...
    is_input: bool
    model_outputs: tuple[int, ...]  # positions among model.outputs

    @property
    def output_shape(self) -> Shape | tuple[Shape, ...]:
        """The single output shape, or a tuple of shapes for several outputs."""
        if len(self.output_shapes) == 1:
            return self.output_shapes[0]
        return self.output_shapes

    @property
    def shape_text(self) -> str:
        """The output shape as the summary writes it: ``(?, 8, 8, 8)``, where
        ``?`` is the batch, whose size is not fixed."""
        return format_shape(self.output_shapes)

    @property
    def non_trainable_weights(self) -> int:
        """This layer's weights that training leaves alone."""
        return self.weights - self.trainable_weights

    def as_dict(self) -> dict[str, Any]:
        """The row as a plain dict (for JSON, or a pandas DataFrame)."""
        return asdict(self)


@dataclass(frozen=True)
class Totals:
    weights: int
    trainable: int
    non_trainable: int
    weight_bytes: int
    mult_adds: int
    mult_adds_incomplete: bool  # some counted rows had unknown dimensions


def activation_name(operation: Any) -> str:
    """The activation applied by a layer, '' when it applies none (or 'linear')."""
    class_name = type(operation).__name__
    function = getattr(operation, "activation", None)
    name = getattr(function, "__name__", "") if function is not None else ""
    if not name and class_name in ACTIVATION_LAYERS and class_name != "Activation":
        name = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", class_name).lower()
    return "" if name == "linear" else name


def _variable_size(variable: Any) -> int:
    return math.prod(int(d) for d in variable.shape)


def _variable_bytes(variable: Any) -> int:
    bits = re.search(r"(\d+)$", str(getattr(variable, "dtype", "float32")))
    return _variable_size(variable) * (int(bits.group(1)) // 8 if bits else 1)


def _step_mult_adds(step: Step) -> int | None:
    """Per sample; None for plumbing, ``UNKNOWN`` for what could not be counted."""
    if step.inner_steps is not None:
        values = [_step_mult_adds(inner) for inner in step.inner_steps]
        counted = [v for v in values if v is not None]
        if _has_own_weights(step.operation):
            return _mult_adds.UNKNOWN  # a custom layer's own math is not known
        if not counted:
            return None
        return _mult_adds.UNKNOWN if _mult_adds.UNKNOWN in counted else sum(counted)
    value = _mult_adds.count(step.operation, step.input_shapes, step.output_shapes)
    if value is None and _graph.is_custom_layer(step.operation):
        # A custom layer whose calls were not recorded, or that owns weights:
        # it computes something that is not counted.
        return _mult_adds.UNKNOWN if step.operation.weights else None
    return value


def _has_own_weights(operation: Any) -> bool:
    """A custom layer with weights of its own, beyond those of its sublayers."""
    if not _graph.is_custom_layer(operation) or _graph.is_keras_model(operation):
        return False
    inside = {
        id(v)
        for sub in operation._flatten_layers(include_self=False)
        for v in sub.weights
    }
    return any(id(v) not in inside for v in operation.weights)


def build_rows(model: Any, steps: list[Step]) -> tuple[list[SummaryRow], Totals]:
    model_variables = {id(v): v for v in model.weights}
    total = sum(_variable_size(v) for v in model_variables.values())
    seen: set[int] = set()
    drafts: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        new = []
        for variable in getattr(step.operation, "weights", None) or []:
            if id(variable) not in seen:
                seen.add(id(variable))
                new.append(variable)
        mult_adds = _step_mult_adds(step)
        unknown = mult_adds == _mult_adds.UNKNOWN
        drafts.append(
            dict(
                index=index,
                name=step.name,
                operation="Input" if step.is_input else type(step.operation).__name__,
                activation="" if step.is_input else activation_name(step.operation),
                output_shapes=tuple(step.output_shapes),
                weights=sum(_variable_size(v) for v in new),
                trainable_weights=sum(_variable_size(v) for v in new if v.trainable),
                mult_adds=None if unknown else mult_adds,
                mult_adds_unknown=unknown,
                sources=tuple(step.parents),
                depth=step.depth,
                call=step.call,
                is_input=step.is_input,
                model_outputs=tuple(step.output_positions),
            )
        )
    _add_unattached_weights(drafts, model_variables, seen)
    rows = [
        SummaryRow(share=100.0 * d["weights"] / total if total else 0.0, **d)
        for d in drafts
    ]
    totals = totals_of(
        model.weights,
        sum(r.mult_adds or 0 for r in rows),
        any(r.mult_adds_unknown for r in rows),
    )
    return rows, totals


def totals_of(variables: list, mult_adds: int, incomplete: bool) -> Totals:
    """The totals of a set of variables, each counted once."""
    unique = {id(v): v for v in variables}.values()
    total = sum(_variable_size(v) for v in unique)
    trainable = sum(_variable_size(v) for v in unique if v.trainable)
    return Totals(
        weights=total,
        trainable=trainable,
        non_trainable=total - trainable,
        weight_bytes=sum(_variable_bytes(v) for v in unique),
        mult_adds=mult_adds,
        mult_adds_incomplete=incomplete,
    )


def _add_unattached_weights(
    drafts: list[dict[str, Any]], model_variables: dict[int, Any], seen: set[int]
) -> None:
    """A subclassed model may own variables outside any layer: give them a row,
    so the rows still add up to the model's total."""
    rest = [v for key, v in model_variables.items() if key not in seen]
    if not rest:
        return
    drafts.append(
        dict(
            index=len(drafts),
            name="(the model's own weights)",
            operation="Variables",
            activation="",
            output_shapes=(),
            weights=sum(_variable_size(v) for v in rest),
            trainable_weights=sum(_variable_size(v) for v in rest if v.trainable),
            mult_adds=None,
            mult_adds_unknown=False,
            sources=(),
            depth=0,
            call=0,
            is_input=False,
            model_outputs=(),
        )
    )
