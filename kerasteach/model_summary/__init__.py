"""The ASCII data-flow summary of any Keras 3 model.

>>> import keras, kerasteach
>>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
>>> s = kerasteach.summary(model, width=80)
>>> s.rows[-1].name, s.rows[-1].weights, s.total_weights
('out', 10, 10)
"""

from __future__ import annotations

import dataclasses
import math
import shutil
import sys
from collections.abc import Callable
from typing import IO, Any

from kerasteach import model_graph as _graph
from kerasteach._printable import printable
from kerasteach.model_summary import tables as _tables
from kerasteach.model_summary import text as _text
from kerasteach.model_summary.distributed import distribution_note
from kerasteach.model_summary.glyphs import DEFAULT, glyph_for
from kerasteach.model_summary.lanes import layout
from kerasteach.model_summary.rows import SummaryRow, Totals, build_rows, totals_of

__all__ = ["Summary", "SummaryRow", "keras2ascii", "summary"]

STYLES = tuple(_text.STYLES)
_FALLBACK_WIDTH = 100
_KERAS2_MODULES = (
    "tf_keras",
    "keras.engine",
    "keras.src.engine",
    "tensorflow.python.keras",
)


class Summary:
    """A model's data-flow summary, computed once and rendered on demand.

    ``print(s)`` shows the picture, ``str(s)`` is its text, ``s.to_markdown()`` a
    Markdown table, ``s.rows`` the data; in Jupyter it renders itself.
    """

    def __init__(
        self,
        title: str,
        rows: list[SummaryRow],
        totals: Totals,
        glyphs: dict[str, list[str]],
        notes: list[str],
        width: int | None,
        style: str,
        parts: list[Summary] | None = None,
    ) -> None:
        self.title = title
        self.rows = rows
        self.totals = totals
        self.notes = notes
        self.width = width
        self.style = style
        # A model without call(): the summaries of the models it holds.
        self.parts = parts or []
        self._glyphs = glyphs
        self._lanes = layout([list(row.sources) for row in rows])

    @property
    def total_weights(self) -> int:
        """Every weight of the model, trainable or not."""
        return self.totals.weights

    @property
    def trainable_weights(self) -> int:
        """The weights training changes."""
        return self.totals.trainable

    @property
    def non_trainable_weights(self) -> int:
        """The weights training leaves alone (batch-norm statistics, frozen layers)."""
        return self.totals.non_trainable

    @property
    def mult_adds(self) -> int:
        """Multiply-adds of one forward pass of one example."""
        return self.totals.mult_adds

    def to_text(
        self,
        width: int | None = None,
        style: str | None = None,
        *,
        header: bool = True,
        sparser: bool = False,
    ) -> str:
        """The picture as text, wrapped to ``width`` columns (default: terminal);
        ``header=False`` leaves out the column titles, ``sparser=True`` puts a
        blank line between steps (keras-sequential-ascii's options)."""
        style = _check_style(style or self.style)
        width = _check_width(width if width is not None else self.width)
        if self.parts:
            texts = [
                part.to_text(width, style, header=header, sparser=sparser)
                for part in self.parts
            ]
            return _text.holder(self.title, texts, self.totals, self.notes, width)
        return _text.render(
            self.rows,
            self._glyphs[style],
            self._lanes,
            self.totals,
            self.title,
            self.notes,
            width,
            _text.STYLES[style],
            header=header,
            sparser=sparser,
        )

    def simplified(self) -> Summary:
        """The same summary with each ``Activation`` layer folded into the
        step before it, when that step has no activation of its own and feeds
        only it (keras-sequential-ascii's ``simplify``)."""
        if self.parts:
            return self
        readers = [0] * len(self.rows)
        for row in self.rows:
            for source in row.sources:
                readers[source] += 1
        kept: list[SummaryRow] = []
        kept_glyphs: dict[str, list[str]] = {name: [] for name in self._glyphs}
        new_index: dict[int, int] = {}
        for row in self.rows:
            source = row.sources[0] if len(row.sources) == 1 else None
            folds = (
                row.operation == "Activation"
                and source is not None
                and kept
                and new_index.get(source) == len(kept) - 1
                and kept[-1].activation in ("", "linear")
                and readers[source] == 1
                and not kept[-1].model_outputs
                and not kept[-1].is_input
            )
            if folds:
                kept[-1] = dataclasses.replace(
                    kept[-1],
                    activation=row.activation,
                    output_shapes=row.output_shapes,
                    model_outputs=row.model_outputs,
                )
                new_index[row.index] = len(kept) - 1
                continue
            new_index[row.index] = len(kept)
            kept.append(
                dataclasses.replace(
                    row,
                    index=len(kept),
                    sources=tuple(new_index[s] for s in row.sources),
                )
            )
            for name, glyphs in self._glyphs.items():
                kept_glyphs[name].append(glyphs[row.index])
        return Summary(
            self.title, kept, self.totals, kept_glyphs, self.notes, self.width,
            self.style,
        )  # fmt: skip

    def to_markdown(self) -> str:
        """A Markdown table of every row, with the totals beneath."""
        if self.parts:
            return "\n".join(
                [_tables.markdown_title(self.title, self.notes)]
                + [part.to_markdown() for part in self.parts]
                + [_tables.totals_sentence(self.totals), ""]
            )
        return _tables.markdown(self.title, self.rows, self.totals)

    def print(
        self,
        file: IO[str] | None = None,
        print_fn: Callable[[str], Any] | None = None,
    ) -> None:
        """Print to ``file`` (default stdout), or hand each line to ``print_fn``."""
        text = self.to_text()
        if print_fn is not None:
            for line in text.splitlines():
                print_fn(line)
        else:
            (file or sys.stdout).write(text)

    def _repr_html_(self) -> str:
        return _tables.html_page(
            self.title,
            self.to_text(width=max(120, self.width or 0)),
            self.rows,
            self.totals,
        )

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()


def summary(
    model: Any,
    *,
    width: int | None = None,
    style: str = "ascii",
    expand_nested: bool | int = False,
) -> Summary:
    """Summarise how data flows through a built Keras 3 model.

    Args:
        model: a built ``keras.Model``: Sequential, functional or subclassed.
        width: columns to fit the picture in; default, the terminal's width.
        style: ``"ascii"`` (pure ASCII, prints anywhere) or ``"unicode"``.
        expand_nested: ``False`` draws a model inside the model as one row;
            ``True`` expands every level; a number expands that many levels.

    >>> import keras, kerasteach
    >>> model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4)])
    >>> kerasteach.summary(model).total_weights == model.count_params()
    True
    """
    _check_style(style)
    if width is not None:
        _check_width(width)
    depth = _check_depth(expand_nested)
    if _is_holder(model):
        return _holder_summary(model, width, style, depth)
    _check_model(model)
    traced = _graph.trace(model, expand_depth=depth)
    rows, totals = build_rows(model, traced.steps)
    operations = [step.operation for step in traced.steps]
    operations += [None] * (len(rows) - len(operations))
    glyphs = {
        name: [
            DEFAULT if i >= len(traced.steps) else glyph_for(op, name == "unicode")
            for i, op in enumerate(operations)
        ]
        for name in STYLES
    }
    notes = []
    if not traced.traced:
        notes.append(
            "Subclassed model: Keras records no graph of its calls, so its layers "
            "are listed in the order they were created, each drawn as feeding the next."
        )
    distributed = distribution_note(model)
    if distributed:
        notes.append(distributed)
    title = f'Model: "{printable(model.name)}" ({type(model).__name__})'
    return Summary(title, rows, totals, glyphs, notes, width, style)


def _is_holder(model: Any) -> bool:
    """A model class without call(), such as the keras.io GAN wrapper."""
    import keras

    return isinstance(model, keras.Model) and not _graph.has_own_call(model)


def _holder_summary(model: Any, width: int | None, style: str, depth: int) -> Summary:
    """As Keras does: a summary of each model it holds, with the totals."""
    import keras

    held = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    if not held:
        raise ValueError(
            f"The model {model.name!r} has no call() and holds no model, so there "
            "is no data flow to draw. Define call(), or summarise the models it "
            "uses one by one."
        )
    parts = [
        summary(part, width=width, style=style, expand_nested=depth) for part in held
    ]
    rows: list[SummaryRow] = []
    for held_model, part in zip(held, parts, strict=True):
        shift = len(rows)
        rows += [
            dataclasses.replace(
                row,
                index=row.index + shift,
                name=f"{held_model.name}/{row.name}",
                sources=tuple(s + shift for s in row.sources),
                depth=row.depth + 1,
            )
            for row in part.rows
        ]
    own = _holder_own_rows(model, held, len(rows))
    rows += own
    totals = totals_of(model.weights, sum(p.totals.mult_adds for p in parts),
                       any(p.totals.mult_adds_incomplete for p in parts))  # fmt: skip
    title = f'Model: "{printable(model.name)}" ({type(model).__name__})'
    notes = [
        f"{model.name} has no call(): no data flows through it as a whole. It "
        + (
            "holds one model, summarised below: "
            if len(held) == 1
            else f"holds {len(held)} models, each summarised below: "
        )  # fmt: skip
        + ", ".join(m.name for m in held)
        + "."
    ]
    if own:
        listed = ", ".join(
            f"{row.name} ({row.operation}, {row.weights:,} weights"
            + ("" if row.trainable_weights else ", not trained")
            + ")"
            for row in own
        )
        notes.append(f"Its own weights, outside those models: {listed}.")
    glyphs = {name: [g for p in parts for g in p._glyphs[name]] for name in STYLES}
    return Summary(title, rows, totals, glyphs, notes, width, style, parts)


def _holder_own_rows(model: Any, held: list, start: int) -> list[SummaryRow]:
    """A row for each weight-holding layer of a holder that is not one of its
    models (the diffusion example's Normalization), and one for weights of its
    own: the rows then add up to the totals."""
    inside = {id(v) for part in held for v in part.weights}
    rows: list[SummaryRow] = []
    groups = [
        (layer.name, type(layer).__name__, layer.weights)
        for layer in model.layers
        if not any(layer is part for part in held)
    ]
    grouped = {id(v) for _, _, weights in groups for v in weights}
    groups.append(
        ("(the model's own weights)", "Variables",
         [v for v in model.weights if id(v) not in grouped])
    )  # fmt: skip
    total = totals_of(model.weights, 0, False).weights
    for name, operation, weights in groups:
        new = [v for v in weights if id(v) not in inside]
        inside.update(id(v) for v in new)
        count = sum(math.prod(v.shape) for v in new)
        if not count:
            continue
        trainable = sum(math.prod(v.shape) for v in new if v.trainable)
        rows.append(
            SummaryRow(
                index=start + len(rows), name=name, operation=operation,
                activation="", output_shapes=(), weights=count,
                trainable_weights=trainable, mult_adds=None,
                mult_adds_unknown=False, sources=(), depth=0, call=0,
                is_input=False, model_outputs=(),
                share=100.0 * count / total if total else 0.0,
            )
        )  # fmt: skip
    return rows


def keras2ascii(
    model: Any,
    sparser: bool = False,
    simplify: bool = True,
    header: bool = True,
    *,
    width: int | None = None,
    style: str = "ascii",
    expand_nested: bool | int = False,
    file: IO[str] | None = None,
) -> None:
    """Print the data-flow picture: a drop-in for keras-sequential-ascii.

    Its three options keep their names, places and defaults: ``sparser`` (a
    blank line between steps), ``simplify`` (an ``Activation`` layer folded
    into the step before it) and ``header`` (the column titles).

    >>> import keras, kerasteach
    >>> layers = [keras.Input((3,)), keras.layers.Dense(2)]
    >>> model = keras.Sequential(layers, name="tiny")
    >>> kerasteach.keras2ascii(model, width=60)  # doctest: +NORMALIZE_WHITESPACE
    Model: "tiny" (Sequential)
    ...
    """
    found = summary(model, width=width, style=style, expand_nested=expand_nested)
    if simplify:
        found = found.simplified()
    text = found.to_text(header=bool(header), sparser=bool(sparser))
    print(text, end="", file=file if file is not None else sys.stdout)


def built_through_its_layers(model: Any) -> bool:
    """A subclassed model whose own call() never ran but whose layers all
    did: a GAN trained by its own train_step, which calls its generator and
    discriminator. Its layers are summarised as for any subclassed model."""
    import keras

    if _graph.graph_of(model) is not None or isinstance(model, keras.Sequential):
        return False
    layers = model.layers
    return bool(layers) and all(layer.built for layer in layers)


def _check_model(model: Any) -> None:
    import keras

    if isinstance(model, keras.Model):
        if not model.built and not built_through_its_layers(model):
            raise ValueError(
                f"The model {model.name!r} is not built yet, so its shapes and "
                "weights are not known. Build it first: model.build(input_shape), "
                "e.g. model.build((None, 28, 28, 1)), or call it once on a batch, "
                "e.g. model(x_train[:1]); a Sequential model can also start with "
                "keras.Input(shape=...)."
            )
        return
    module = type(model).__module__
    what = f"{type(model).__name__} (from {module})"
    if module.startswith(_KERAS2_MODULES):
        raise TypeError(
            f"kerasteach needs a Keras 3 model; got a Keras 2 / tf.keras model {what}. "
            "Build the model with `import keras` (Keras 3), not tf_keras."
        )
    if isinstance(model, keras.layers.Layer):
        raise TypeError(
            f"kerasteach.summary() needs a keras.Model; got the layer {what}. "
            "Wrap it in a model: keras.Sequential([keras.Input(shape), layer])."
        )
    raise TypeError(f"kerasteach.summary() needs a keras.Model; got {what}.")


def _check_style(style: str) -> str:
    if style not in _text.STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}; got {style!r}.")
    return style


def _check_width(width: int | None) -> int:
    if width is None:
        return shutil.get_terminal_size((_FALLBACK_WIDTH, 24)).columns
    if not isinstance(width, int) or isinstance(width, bool) or width < 1:
        raise ValueError(f"width must be a positive number of columns; got {width!r}.")
    return width


def _check_depth(expand_nested: bool | int) -> int:
    if expand_nested is True:
        return 10**6
    if expand_nested is False:
        return 0
    if isinstance(expand_nested, int) and expand_nested >= 0:
        return expand_nested
    raise ValueError(
        "expand_nested must be True, False or a number of levels (0, 1, 2, ...); "
        f"got {expand_nested!r}."
    )
