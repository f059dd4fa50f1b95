"""Text from a model file is shown, never obeyed: control characters escaped."""

from __future__ import annotations

import unicodedata

# C0 and C1 controls, DEL, and the format characters that reorder or hide
# text (bidirectional overrides, zero-width spaces).
_UNSAFE = ("Cc", "Cf", "Zl", "Zp")


def printable(text: str) -> str:
    """``text`` with every control character written as an escape.

    >>> print(printable("conv\\x1b]0;owned\\x07\\n2"))
    conv\\x1b]0;owned\\x07\\x0a2
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(
        _escape(ch) if unicodedata.category(ch) in _UNSAFE else ch for ch in text
    )


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
