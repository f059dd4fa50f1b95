"""Render summary rows as a Markdown table or as HTML for Jupyter."""

from __future__ import annotations

import html

from kerasteach._printable import printable
from kerasteach.model_summary.rows import SummaryRow, Totals, format_shape
from kerasteach.model_summary.text import format_bytes

_HEADER = (
    "#",
    "Layer",
    "Operation",
    "Activation",
    "Output shape",
    "Weights",
    "Trainable",
    "Share",
    "Mult-adds",
    "Fed by",
)


def _cells(row: SummaryRow, rows: list[SummaryRow]) -> tuple[str, ...]:
    if row.mult_adds_unknown:
        mult_adds = "?"
    else:
        mult_adds = "-" if row.mult_adds is None else f"{row.mult_adds:,}"
    name = row.name + (f" (call {row.call + 1})" if row.call else "")
    return (
        str(row.index),
        printable(name),
        printable(row.operation),
        printable(row.activation),
        format_shape(row.output_shapes),
        f"{row.weights:,}",
        f"{row.trainable_weights:,}",
        f"{row.share:.1f}%",
        mult_adds,
        ", ".join(printable(rows[s].name) for s in row.sources),
    )


def totals_sentence(totals: Totals) -> str:
    mult = f"{totals.mult_adds:,}"
    if totals.mult_adds_incomplete:
        mult = f"at least {mult}"
    return (
        f"Weights: {totals.weights:,} ({format_bytes(totals.weight_bytes)}); "
        f"trainable {totals.trainable:,}, non-trainable {totals.non_trainable:,}. "
        f"Mult-adds per sample: {mult}."
    )


def _escape(text: str) -> str:
    return printable(text).replace("|", "\\|")


def markdown_title(title: str, notes: list[str]) -> str:
    return "\n".join([f"**{_escape(title)}**", ""] + [_escape(n) for n in notes] + [""])


def markdown(title: str, rows: list[SummaryRow], totals: Totals) -> str:
    escape = _escape
    lines = [f"**{escape(title)}**", ""]
    lines.append("| " + " | ".join(_HEADER) + " |")
    lines.append(
        "|" + "|".join("---:" if h in _NUMERIC else "---" for h in _HEADER) + "|"
    )
    for row in rows:
        lines.append("| " + " | ".join(escape(c) for c in _cells(row, rows)) + " |")
    lines += ["", totals_sentence(totals), ""]
    return "\n".join(lines)


_NUMERIC = {"#", "Weights", "Trainable", "Share", "Mult-adds"}


def html_page(title: str, picture: str, rows: list[SummaryRow], totals: Totals) -> str:
    """The picture in a <pre>, with the full table folded beneath it."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in _HEADER)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="text-align:{"right" if h in _NUMERIC else "left"}">'
            f"{html.escape(c)}</td>"
            for h, c in zip(_HEADER, _cells(row, rows), strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return (
        '<div class="kerasteach-summary">'
        f'<pre style="line-height:1.2">{html.escape(printable(picture))}</pre>'
        f"<details><summary>Table of {len(rows)} rows</summary>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<p>{html.escape(totals_sentence(totals))}</p></details></div>"
    )
