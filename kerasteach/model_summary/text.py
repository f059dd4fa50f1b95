"""Render summary rows as the data-flow picture, in ASCII or Unicode.

For every step an operation line (the operation, its glyph, its weights and
multiply-adds) and a data line (the activation applied and the data's shape
after the step), with the lanes of a branching network drawn on the left.

``width`` is a hard limit: no line is longer. As it shrinks, the layout gives
up, in this order: the WEIGHTS(%) column, the glyph column, the numbers'
columns (they move to a line of their own under the step), and last the
columns themselves (each step is stacked: operation and layer, then the data,
then the numbers). Only when even that does not fit without it are names
wrapped, at natural breaks (``_``, ``/``, ``.``, a capital letter). Lanes that
do not fit in half the width, or more than four lanes that would leave the
columns less room than numbered rows, are folded: the rows are numbered and
a step that does not read the row above says which rows it reads,
``(from #3, #7)``.
Nothing is ever cut off.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from kerasteach._printable import printable
from kerasteach.model_summary.glyphs import DATA
from kerasteach.model_summary.lanes import Cell, LaneLayout, LaneRow, StepLanes
from kerasteach.model_summary.rows import SummaryRow, Totals, format_shape

GAP = "  "
MIN_DATA = len("DATA DIMENSIONS")
NAME_FLOOR = 12  # a name column narrower than this wraps most names
GLYPH = 5
FEW_LANES = 4


@dataclass(frozen=True)
class Style:
    name: str
    dash: str
    node: str
    horizontal: str
    corners: dict[tuple[bool, bool, bool, bool], str]
    vertical: str


def _ascii_corner(up: bool, down: bool, left: bool, right: bool) -> str:
    if up and down:
        return "|" if not (left or right) else "+"
    if down:
        return "." if (left or right) else "|"
    if up:
        return "'" if (left or right) else "|"
    return "-" if (left or right) else " "


_KEYS = [
    (u, d, lt, rt) for u in (0, 1) for d in (0, 1) for lt in (0, 1) for rt in (0, 1)
]
_BOX = {
    (1, 1, 0, 0): "│",
    (0, 0, 1, 1): "─",
    (1, 1, 1, 1): "┼",
    (1, 1, 0, 1): "├",
    (1, 1, 1, 0): "┤",
    (0, 1, 0, 1): "╭",
    (0, 1, 1, 0): "╮",
    (1, 0, 0, 1): "╰",
    (1, 0, 1, 0): "╯",
    (0, 1, 1, 1): "┬",
    (1, 0, 1, 1): "┴",
    (1, 0, 0, 0): "│",
    (0, 1, 0, 0): "│",
    (0, 0, 1, 0): "─",
    (0, 0, 0, 1): "─",
    (0, 0, 0, 0): " ",
}

STYLES = {
    "ascii": Style(
        "ascii",
        "-",
        "*",
        "-",
        {k: _ascii_corner(*map(bool, k)) for k in _KEYS},
        "|",
    ),
    "unicode": Style("unicode", "─", "●", "─", {k: _BOX[k] for k in _KEYS}, "│"),
}


def _lane_text(row: LaneRow | None, style: Style) -> str:
    if row is None:
        return ""
    out = []
    for i, cell in enumerate(row.cells):
        out.append(_cell_char(cell, style))
        if i < len(row.gaps):
            out.append(style.horizontal if row.gaps[i] else " ")
    return "".join(out)


def _cell_char(cell: Cell, style: Style) -> str:
    if cell.node:
        return style.node
    if cell.bridge:
        return style.vertical
    return style.corners[
        (int(cell.up), int(cell.down), int(cell.left), int(cell.right))
    ]


def format_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class _Cells:
    """What one row shows, before it is laid out in columns."""

    op_label: str
    glyph: str
    activation: str
    shape: str
    weights: str
    share: str
    mult_adds: str
    name: str
    output_note: str  # on the data line: "-> output 2"
    sources_note: str  # "(from #3, #7)" when lanes are folded
    is_input: bool


def _row_cells(
    row: SummaryRow, glyph: str, several_outputs: bool, numbered: bool
) -> _Cells:
    name = printable(row.name)
    if row.call:
        name += f" (call {row.call + 1})"
    # The note sits on the data line: it is the data that leaves the model.
    output_note = ", ".join(
        f"-> output {position + 1}" if several_outputs else "-> output"
        for position in row.model_outputs
    )
    sources_note = ""
    if numbered and row.sources and list(row.sources) != [row.index - 1]:
        sources_note = "(from " + ", ".join(f"#{s}" for s in row.sources) + ")"
    if row.mult_adds_unknown:
        mult_adds = "?"
    else:
        mult_adds = "-" if row.mult_adds is None else f"{row.mult_adds:,}"
    shared = row.call > 0 and row.weights == 0
    return _Cells(
        op_label=printable(row.operation),
        glyph=glyph,
        activation=printable(row.activation),
        shape=format_shape(row.output_shapes),
        weights="shared" if shared else f"{row.weights:,}",
        share="" if shared else f"{row.share:.1f}%",
        mult_adds=mult_adds,
        name=name,
        output_note=output_note,
        sources_note=sources_note,
        is_input=row.is_input,
    )


# After _ / . - , before a capital that follows a small letter or a digit, and
# after a space (names such as "(the model's own weights)"), except the one in
# "(call 2)", which stays whole.
_NAME_BREAKS = re.compile(r"(?<=[_/.-])|(?<=[a-z0-9])(?=[A-Z])|(?<=\s)(?!\d)")
_LIST_BREAKS = re.compile(r"(?<=[,\s])")


def _pack(pieces: list[str], width: int) -> list[str]:
    """Join pieces into lines of at most ``width``; a piece too long is cut."""
    width = max(1, width)
    lines: list[str] = []
    current = ""
    for piece in pieces:
        if current and len((current + piece).rstrip()) > width:
            lines.append(current.rstrip())
            current = piece.lstrip()
        else:
            current += piece
        while len(current.rstrip()) > width:
            lines.append(current[:width])
            current = current[width:]
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def wrap_name(text: str, width: int) -> list[str]:
    """A name in lines of ``width``, broken after ``_ / . -`` or a space, or
    before a capital.

    >>> wrap_name("batch_normalization_12", 14)
    ['batch_', 'normalization_', '12']
    >>> wrap_name("HorizontalDistanceToFirePoints", 12)
    ['Horizontal', 'DistanceTo', 'FirePoints']
    >>> wrap_name("(the model's own weights)", 12)
    ["(the model's", 'own weights)']
    """
    return _pack([p for p in _NAME_BREAKS.split(text) if p], width)


def wrap_list(text: str, width: int) -> list[str]:
    """Words or a shape in lines of ``width``, broken after spaces and commas."""
    return _pack([p for p in _LIST_BREAKS.split(text) if p], width)


@dataclass(frozen=True)
class _Natural:
    """Each column's width when nothing wraps."""

    label: int
    weights: int
    share: int
    mult: int
    data: int
    name: int
    label_floor: int  # the longest word of an operation's name


def _natural(cells: list[_Cells]) -> _Natural:
    return _Natural(
        label=max(
            [len("OPERATION"), len("Input")]
            + [len(c.op_label) for c in cells]
            + [len(c.activation) for c in cells]
        ),
        weights=max([len("WEIGHTS(N)")] + [len(c.weights) for c in cells]),
        share=len("WEIGHTS(%)"),
        mult=max([len("MULT-ADDS")] + [len(c.mult_adds) for c in cells]),
        data=max([MIN_DATA] + [len(c.shape) for c in cells]),
        name=max(
            [len("LAYER")]
            + [len(c.name) for c in cells]
            + [len(c.output_note) for c in cells]
        ),
        label_floor=max(
            [len("OPERATION")]
            + [len(w) for c in cells for w in _NAME_BREAKS.split(c.op_label)]
            + [len(c.activation) for c in cells]
        ),
    )


@dataclass(frozen=True)
class _Columns:
    """One layout of the columns: which are shown and how wide."""

    glyph: bool
    share: bool
    numbers_inline: bool
    label: int
    data: int
    name: int


# The order in which columns are given up as the width shrinks.
_LEVELS = ((True, True, True), (True, False, True), (False, False, True),
           (False, False, False))  # fmt: skip


def _fit(nat: _Natural, left: int, width: int) -> tuple[int, _Columns | None]:
    """The first layout that fits, and its rank (lower is roomier).

    The numbers keep their columns as long as narrowing the operation, name
    and data columns (in that order: their text wraps) lets them; only then
    do they move to a line of their own. None: stack each step instead."""
    inline, own_line = _LEVELS[:-1], _LEVELS[-1:]
    tries = [(glyph, share, numbers, shrink)
             for levels, shrink in ((inline, False), (inline, True), (own_line, False),
                                    (own_line, True))
             for glyph, share, numbers in levels]  # fmt: skip
    for rank, (glyph, share, numbers_inline, shrink) in enumerate(tries):
        room = width - left - _fixed(nat, glyph, share, numbers_inline)
        label, data, name = nat.label, nat.data, nat.name
        if shrink:
            label = max(nat.label_floor, room - data - name)
            name = max(min(name, NAME_FLOOR), room - data - label)
            data = max(MIN_DATA, room - name - label)
        if label + data + name <= room:
            return rank, _Columns(glyph, share, numbers_inline, label, data, name)
    return len(tries), None  # stacked


def _fixed(nat: _Natural, glyph: bool, share: bool, numbers_inline: bool) -> int:
    """Columns taken by the gaps, the glyph and the numbers of a layout."""
    fixed = len(GAP) + len(GAP) + (GLYPH + len(GAP) if glyph else 0)
    if numbers_inline:
        fixed += 2 * len(GAP) + nat.weights + nat.mult
        fixed += len(GAP) + nat.share if share else 0
    return fixed


def render(
    rows: list[SummaryRow],
    glyphs: list[str],
    lanes: LaneLayout,
    totals: Totals,
    title: str,
    notes: list[str],
    width: int,
    style: Style,
    *,
    header: bool = True,
    sparser: bool = False,
) -> str:
    several_outputs = sum(len(r.model_outputs) for r in rows) > 1
    graph = 0 if lanes.is_chain else 2 * lanes.width - 1
    # (numbered, cells, left margin): lanes when they fit in half the width,
    # numbered rows for a branching network; each fitted once.
    options = []
    if not graph or graph + 1 <= width // 2:
        options.append((False, _cells(rows, glyphs, several_outputs, False),
                        graph + 1 if graph else 0))  # fmt: skip
    if graph:
        options.append((True, _cells(rows, glyphs, several_outputs, True),
                        len(f"#{len(rows) - 1}") + 1))  # fmt: skip
    fitted = [(*option, _natural(option[1])) for option in options]
    fitted = [(*f, *_fit(f[3], f[2], width)) for f in fitted]
    chosen = fitted[0]
    if len(fitted) == 2:
        # A few lanes are drawn whenever they fit; many only when numbering
        # the rows would not give a roomier layout.
        lanes_rank, lanes_columns = fitted[0][4], fitted[0][5]
        if fitted[1][4] < lanes_rank and (
            lanes.width > FEW_LANES or lanes_columns is None
        ):
            chosen = fitted[1]
    numbered, cells, left, natural, _, columns = chosen
    picture = _Picture(style, width, left, graph, numbered, columns, natural)
    out = textwrap.wrap(title, max(1, width)) + [""]
    if header:
        out += picture.header()
    for number, (cell, row, row_lanes) in enumerate(
        zip(cells, rows, lanes.steps, strict=True)
    ):
        if sparser and number:  # keras-sequential-ascii's airier picture
            # the lanes go on through the blank line as they left the step above
            lanes_above = out[-1][: picture.left] if graph and not numbered else ""
            out.append(lanes_above.replace(style.node, style.vertical).rstrip())
        out += picture.step(cell, row.index, row_lanes)
    out.append("")
    extra = []
    if numbered:
        extra.append(
            f"The branches are too many to draw as lanes in {width} columns: rows "
            "are numbered #0, #1, ..., and (from #3, #7) names the rows a step "
            "reads when it does not simply read the row above."
        )
    out.extend(_footer(totals, notes + extra, width))
    return "\n".join(out) + "\n"


def _cells(
    rows: list[SummaryRow], glyphs: list[str], several: bool, numbered: bool
) -> list[_Cells]:
    return [
        _row_cells(r, g, several, numbered) for r, g in zip(rows, glyphs, strict=True)
    ]


class _Picture:
    """Lays out the lines of each step for one chosen layout (or stacked)."""

    def __init__(
        self,
        style: Style,
        width: int,
        left: int,
        graph: int,
        numbered: bool,
        columns: _Columns | None,
        natural: _Natural,
    ) -> None:
        self.style = style
        self.width = width
        self.left = left
        self.graph = graph
        self.numbered = numbered
        self.columns = columns
        self.natural = natural

    def _lead(self, lanes: LaneRow | None, number: str = "") -> str:
        if self.numbered:
            return number.ljust(self.left)
        if not self.graph:
            return ""
        return _lane_text(lanes, self.style).ljust(self.graph) + " "

    def header(self) -> list[str]:
        if self.columns is None:
            text = (
                "Each step: its operation and layer; the data's shape after it, "
                "with the activation applied; its weights and multiply-adds."
            )
            return wrap_list(text, self.width) + [""]
        lead = "#".ljust(self.left) if self.numbered else " " * self.left
        heading = ("WEIGHTS(N)", "WEIGHTS(%)", "MULT-ADDS")
        return [
            self._line(lead, "OPERATION", "", "DATA DIMENSIONS", heading, "LAYER"),
            "",
        ]

    def _line(
        self,
        lead: str,
        label: str,
        glyph: str,
        data: str,
        numbers: tuple[str, str, str] | None,
        name: str,
    ) -> str:
        c, n = self.columns, self.natural
        assert c is not None
        text = lead + label.rjust(c.label) + GAP
        if c.glyph:
            text += glyph.ljust(GLYPH) + GAP
        text += data.ljust(c.data)
        if c.numbers_inline:
            weights, share, mult = numbers or ("", "", "")
            text += GAP + weights.rjust(n.weights)
            text += GAP + share.rjust(n.share) if c.share else ""
            text += GAP + mult.rjust(n.mult)
        return (text + GAP + name).rstrip()

    def step(self, cell: _Cells, index: int, lanes: StepLanes) -> list[str]:
        out = []
        if lanes.connector is not None and not self.numbered:
            out.append(_lane_text(lanes.connector, self.style).rstrip())
        node = self._lead(lanes.node, f"#{index}")
        flow = self._lead(lanes.flow)
        if self.columns is None:
            return out + self._stacked(cell, node, flow)
        return out + self._in_columns(cell, node, flow)

    def _name_room(self) -> int:
        """The name column is the last: its text may use all that is left."""
        c = self.columns
        assert c is not None
        start = self.left + c.label + c.data
        start += _fixed(self.natural, c.glyph, c.share, c.numbers_inline)
        return max(c.name, self.width - start)

    def _in_columns(self, cell: _Cells, node: str, flow: str) -> list[str]:
        c = self.columns
        assert c is not None
        room = self._name_room()
        names = wrap_name(cell.name, room)
        if cell.sources_note:
            names += wrap_list(cell.sources_note, room)
        shapes = wrap_list(cell.shape, c.data)
        outputs = wrap_list(cell.output_note, room) if cell.output_note else []
        out = []
        if cell.is_input:
            names += outputs
            for i in range(max(len(shapes), len(names))):
                out.append(self._line(node if i == 0 else flow,
                                      "Input" if i == 0 else "",
                                      DATA if i == 0 else "",
                                      _at(shapes, i), None, _at(names, i)))  # fmt: skip
            return out
        numbers = (cell.weights, cell.share, cell.mult_adds)
        labels = wrap_name(cell.op_label, c.label)
        for i in range(max(len(labels), len(names))):
            first = i == 0
            out.append(
                self._line(
                    node if first else flow,
                    _at(labels, i),
                    cell.glyph if first else "",
                    self.style.dash * c.data if first else "",
                    numbers if first else None,
                    _at(names, i),
                )
            )
        if not c.numbers_inline:
            indent = len(flow) + c.label + len(GAP)
            for piece in wrap_list(_numbers_sentence(cell), self.width - indent):
                out.append(
                    (
                        flow.ljust(len(flow)) + " " * (c.label + len(GAP)) + piece
                    ).rstrip()
                )
        if cell.shape != "?" or cell.activation:
            for i in range(max(len(shapes), len(outputs))):
                out.append(self._line(flow, cell.activation if i == 0 else "",
                                      DATA if i == 0 else "", _at(shapes, i),
                                      None, _at(outputs, i)))  # fmt: skip
        return out

    def _stacked(self, cell: _Cells, node: str, flow: str) -> list[str]:
        room = self.width - len(flow)
        indent = "  " if room >= 16 else ""
        inner = room - len(indent)
        label = "Input" if cell.is_input else cell.op_label
        first = wrap_name(label, room)
        if len(first[-1]) + 2 + len(cell.name) <= room:
            first[-1] += "  " + cell.name
        else:
            first += [indent + piece for piece in wrap_name(cell.name, inner)]
        lines = first
        if cell.sources_note:
            lines += [indent + p for p in wrap_list(cell.sources_note, inner)]
        data = " ".join(
            part for part in (cell.activation, cell.shape, cell.output_note) if part
        )
        if cell.shape != "?" or cell.activation or cell.output_note:
            lines += [indent + p for p in wrap_list(data, inner)]
        if not cell.is_input:
            lines += [indent + p for p in wrap_list(_numbers_sentence(cell), inner)]
        return [
            ((node if i == 0 else flow) + text).rstrip() for i, text in enumerate(lines)
        ]


def _numbers_sentence(cell: _Cells) -> str:
    """The numbers of a row as words, for layouts too narrow for their columns."""
    if cell.weights == "0":
        parts = ["no weights"]
    elif cell.share:
        parts = [f"{cell.weights} weights ({cell.share})"]
    else:
        parts = [f"{cell.weights} weights"]
    if cell.mult_adds == "?":
        parts.append("mult-adds not counted")
    elif cell.mult_adds != "-":
        parts.append(f"{cell.mult_adds} mult-adds")
    return ", ".join(parts)


def _at(items: list[str], index: int) -> str:
    return items[index] if index < len(items) else ""


def _footer(totals: Totals, notes: list[str], width: int) -> list[str]:
    sentences = [
        f"Weights: {totals.weights:,} ({format_bytes(totals.weight_bytes)}); "
        f"trainable {totals.trainable:,}, non-trainable {totals.non_trainable:,}.",
    ]
    mult = f"{totals.mult_adds:,}"
    if totals.mult_adds_incomplete:
        sentences.append(
            f"Mult-adds per sample: at least {mult}; rows with ? were not counted "
            "(a custom layer's own computation, or a dimension known only when "
            "the model runs)."
        )
    else:
        sentences.append(
            f"Mult-adds per sample: {mult} (dense, convolution, recurrent and "
            "attention layers)."
        )
    sentences.extend(printable(note) for note in notes)
    return _footer_lines(sentences, width)


def _footer_lines(sentences: list[str], width: int) -> list[str]:
    lines: list[str] = []
    indent = "  " if width > 8 else ""
    for sentence in sentences:
        lines.extend(
            textwrap.wrap(
                sentence,
                max(1, width),
                break_on_hyphens=False,
                subsequent_indent=indent,
            )
        )
    return lines


def holder(
    title: str, parts: list[str], totals: Totals, notes: list[str], width: int
) -> str:
    """A model without call(): each held model's picture, then the totals."""
    out = textwrap.wrap(title, max(1, width)) + [""]
    out += _footer_lines([printable(n) for n in notes], width) + [""]
    for part in parts:
        out += [part.rstrip("\n"), ""]
    out += _footer_lines(["All of them together:"], width)
    out += _footer(totals, [], width)
    return "\n".join(out) + "\n"
