"""Render summary rows as the data-flow picture, in ASCII or Unicode.

For every step an operation line (the operation, its glyph, its weights and
multiply-adds) and a data line (the activation applied and the data's shape
after the step), with the lanes of a branching network drawn on the left.
Columns shrink and wrap to fit the width; when even that is too narrow, the
numbers move to a line of their own. Nothing is ever cut off.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from kerasteach.model_summary.glyphs import DATA
from kerasteach.model_summary.lanes import Cell, LaneLayout, LaneRow
from kerasteach.model_summary.rows import SummaryRow, Totals

GAP = "  "
MIN_DATA = len("DATA DIMENSIONS")
MIN_NAME = 8
COMFORT_NAME = 20


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


def format_shape(shapes: tuple) -> str:
    """'(?, 26, 26, 32)'; several outputs are joined with ', '."""
    if not shapes:
        return "?"
    return ", ".join(
        "(" + ", ".join("?" if d is None else str(d) for d in shape) + ")"
        for shape in shapes
    )


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
    output_note: str
    is_input: bool


def _row_cells(row: SummaryRow, glyph: str, several_outputs: bool) -> _Cells:
    name = row.name
    if row.call:
        name += f" (call {row.call + 1})"
    # The note sits on the data line: it is the data that leaves the model.
    output_note = ", ".join(
        f"-> output {position + 1}" if several_outputs else "-> output"
        for position in row.model_outputs
    )
    if row.mult_adds_unknown:
        mult_adds = "?"
    else:
        mult_adds = "-" if row.mult_adds is None else f"{row.mult_adds:,}"
    shared = row.call > 0 and row.weights == 0
    return _Cells(
        op_label=row.operation,
        glyph=glyph,
        activation=row.activation,
        shape=format_shape(row.output_shapes),
        weights="shared" if shared else f"{row.weights:,}",
        share="" if shared else f"{row.share:.1f}%",
        mult_adds=mult_adds,
        name=name,
        output_note=output_note,
        is_input=row.is_input,
    )


def _wrap(text: str, width: int, *separators: str) -> list[str]:
    """Wrap at the first separator that helps, then the next; hard-break last.

    Never drops a character: a separator stays at the end of its line (spaces
    excepted), so the pieces read back as the whole.

    >>> _wrap("batch_normalization_12", 10, " ", "_")
    ['batch_', 'normalizat', 'ion_', '12']
    """
    if len(text) <= width:
        return [text]
    if not separators:
        return [text[i : i + width] for i in range(0, len(text), width)]
    separator, rest = separators[0], separators[1:]
    if separator not in text:
        return _wrap(text, width, *rest)
    lines, current = [], ""
    for part in text.split(separator):
        candidate = f"{current}{separator}{part}" if current else part
        if current and len(candidate) > width:
            lines.append(current + separator.rstrip())
            current = part
        else:
            current = candidate
    lines.append(current)
    return [piece for line in lines for piece in _wrap(line, width, *rest)]


def render(
    rows: list[SummaryRow],
    glyphs: list[str],
    lanes: LaneLayout,
    totals: Totals,
    title: str,
    notes: list[str],
    width: int,
    style: Style,
) -> str:
    several_outputs = sum(len(r.model_outputs) for r in rows) > 1
    cells = [
        _row_cells(r, g, several_outputs) for r, g in zip(rows, glyphs, strict=True)
    ]
    graph = 0 if lanes.is_chain else 2 * lanes.width - 1
    graph_part = graph + 1 if graph else 0
    label = max(
        [len("OPERATION")]
        + [len(c.op_label) for c in cells]
        + [len(c.activation) for c in cells]
        + [len("Input")]
    )
    w_weights = max([len("WEIGHTS(N)")] + [len(c.weights) for c in cells])
    w_share = len("WEIGHTS(%)")
    w_mult = max([len("MULT-ADDS")] + [len(c.mult_adds) for c in cells])
    data = max([MIN_DATA] + [len(c.shape) for c in cells])
    name = max(len(text) for c in cells for text in ("LAYER", c.name, c.output_note))
    left = graph_part + label + len(GAP) + 5 + len(GAP)
    numbers = w_weights + w_share + w_mult + 4 * len(GAP)

    wide = True
    overflow = left + data + numbers + name - width
    if overflow > 0:
        # Names shrink first, wrapping between words, but a word (a layer's
        # own name) is split only when the numbers go to their own line.
        words = [w for c in cells for t in (c.name, c.output_note) for w in t.split()]
        floor = min(max(map(len, words), default=0), COMFORT_NAME)
        name -= min(overflow, max(0, name - max(floor, len("LAYER"))))
        overflow = left + data + numbers + name - width
    if overflow > 0:
        data -= min(overflow, max(0, data - MIN_DATA))
        overflow = left + data + numbers + name - width
    if overflow > 0:
        # Not even the shrunk columns fit: the numbers get a line of their own.
        wide = False
        data = max([MIN_DATA] + [len(c.shape) for c in cells])
        name = max(
            len(text) for c in cells for text in ("LAYER", c.name, c.output_note)
        )
        room = max(MIN_DATA + MIN_NAME + len(GAP), width - left)
        name = max(MIN_NAME, min(name, room - len(GAP) - MIN_DATA))
        data = max(MIN_DATA, min(data, room - len(GAP) - name))

    def line(
        lane: str, lab: str, gly: str, dat: str, nums: tuple[str, str, str], nam: str
    ) -> str:
        text = lane.ljust(graph) + " " if graph else ""
        text += lab.rjust(label) + GAP + gly.ljust(5) + GAP + dat.ljust(data)
        if wide:
            text += GAP + nums[0].rjust(w_weights) + GAP + nums[1].rjust(w_share)
            text += GAP + nums[2].rjust(w_mult)
        return (text + GAP + nam).rstrip()

    blank = ("", "", "")
    out = [title, ""]
    heading = ("WEIGHTS(N)", "WEIGHTS(%)", "MULT-ADDS")
    out.append(line("", "OPERATION", "", "DATA DIMENSIONS", heading, "LAYER"))
    out.append("")
    for cell, row_lanes in zip(cells, lanes.steps, strict=True):
        if row_lanes.connector is not None:
            out.append(_lane_text(row_lanes.connector, style).rstrip())
        node, flow = (
            _lane_text(row_lanes.node, style),
            _lane_text(row_lanes.flow, style),
        )
        names = _wrap(cell.name, name, " ", "/", "_")
        if cell.is_input:
            names += _wrap(cell.output_note, name, " ") if cell.output_note else []
            shapes = _wrap(cell.shape, data, ", ")
            for i in range(max(len(shapes), len(names))):
                out.append(
                    line(
                        node if i == 0 else flow,
                        "Input" if i == 0 else "",
                        DATA if i == 0 else "",
                        _at(shapes, i),
                        blank,
                        _at(names, i),
                    )
                )
            continue
        nums = (cell.weights, cell.share, cell.mult_adds)
        for i, piece in enumerate(names):
            out.append(
                line(
                    node if i == 0 else flow,
                    cell.op_label if i == 0 else "",
                    cell.glyph if i == 0 else "",
                    style.dash * data if i == 0 else "",
                    nums if i == 0 else blank,
                    piece,
                )
            )
        if not wide:
            summary = _numbers_sentence(cell)
            pad = " " * (label + len(GAP) + 5 + len(GAP))
            for piece in _wrap(summary, max(data + len(GAP) + name, width - left), " "):
                lane = flow.ljust(graph) + " " if graph else ""
                out.append((lane + pad + piece).rstrip())
        if cell.shape != "?" or cell.activation:
            shapes = _wrap(cell.shape, data, ", ")
            outputs = _wrap(cell.output_note, name, " ") if cell.output_note else []
            for i in range(max(len(shapes), len(outputs))):
                out.append(
                    line(
                        flow,
                        cell.activation if i == 0 else "",
                        DATA if i == 0 else "",
                        _at(shapes, i),
                        blank,
                        _at(outputs, i),
                    )
                )
    out.append("")
    out.extend(_footer(totals, notes, max(width, 40)))
    return "\n".join(out) + "\n"


def _numbers_sentence(cell: _Cells) -> str:
    """The numbers of a row as words, for layouts too narrow for their columns."""
    if cell.weights == "0":
        parts = ["no weights"]
    elif cell.share:
        parts = [f"{cell.weights} weights ({cell.share})"]
    else:
        parts = [f"{cell.weights} weights"]
    if cell.mult_adds != "-":
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
            f"Mult-adds per sample: at least {mult}; rows with ? depend on a "
            "dimension known only when the model runs."
        )
    else:
        sentences.append(
            f"Mult-adds per sample: {mult} (dense, convolution, recurrent and "
            "attention layers)."
        )
    sentences.extend(notes)
    lines: list[str] = []
    for sentence in sentences:
        lines.extend(
            textwrap.wrap(
                sentence, width, break_on_hyphens=False, subsequent_indent="  "
            )
        )
    return lines
