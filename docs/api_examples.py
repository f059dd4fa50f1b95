"""A griffe extension for the API reference: docstrings' doctests as code.

kerasteach's docstrings end with a short doctest (``>>>`` lines, run by the
tests), not under a Google-style ``Examples:`` heading. Markdown would read
``>>>`` as nested quotes and ``[...]`` as links, so each run of doctest lines
is fenced as ``pycon`` code before mkdocstrings renders it.

>>> fenced(">>> 1 + 1\\n2\\n\\nMore text.")
'```pycon\\n>>> 1 + 1\\n2\\n```\\n\\nMore text.'
"""

from __future__ import annotations

from typing import Any

import griffe


def fenced(text: str) -> str:
    """``text`` with each doctest (``>>>`` to the next blank line) fenced."""
    lines, out, inside = text.splitlines(), [], False
    for line in lines:
        starts = line.lstrip().startswith(">>>")
        if starts and not inside:
            out.append("```pycon")
            inside = True
        elif inside and not line.strip():
            out.append("```")
            inside = False
        out.append(line)
    if inside:
        out.append("```")
    return "\n".join(out)


class DoctestsAsCode(griffe.Extension):
    """Fence the doctests of every object's docstring (see the module)."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fenced(obj.docstring.value)
