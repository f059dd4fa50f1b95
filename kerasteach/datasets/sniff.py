"""Tell from a response's first bytes whether it can be the file the card names.

A captive portal (a café's or a school's Wi-Fi login) or a mirror with a wrong
path answers ``200 OK`` with a web page. Caught at the first bytes, it is
refused before it is written anywhere, and the message says what came back.

>>> page = b"<!DOCTYPE html><title>Guest Wi-Fi</title>"
>>> print(refusal(page, "mnist.npz"))  # doctest: +ELLIPSIS
sent an HTML page ("Guest Wi-Fi") instead of mnist.npz: a Wi-Fi login page or ...
>>> refusal(bytes([0x1F, 0x8B, 8, 0]), "train-labels-idx1-ubyte.gz") is None
True
"""

from __future__ import annotations

import re

from kerasteach._printable import printable

# file ending -> (offset of the magic number, magic number, what it is called)
_MAGIC = {
    ".gz": (0, b"\x1f\x8b", "gzip"),
    ".tgz": (0, b"\x1f\x8b", "gzip"),
    ".npz": (0, b"PK", "zip (npz)"),
    ".zip": (0, b"PK", "zip"),
    ".tar": (257, b"ustar", "tar"),
    ".bz2": (0, b"BZh", "bzip2"),
    ".xz": (0, b"\xfd7zXZ\x00", "xz"),
}
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<!--")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)

# Enough bytes to see every magic number above (a tar's sits at 257).
SNIFF_BYTES = 512


def refusal(start: bytes, file_name: str) -> str | None:
    """Why ``start`` cannot begin ``file_name``, or None when it can."""
    if looks_like_html(start):
        match = _TITLE.search(start)
        title = ""
        if match:
            text = " ".join(match.group(1).decode("utf-8", "replace").split())
            title = f' ("{printable(text[:60])}")' if text else ""
        return (
            f"sent an HTML page{title} instead of {file_name}: a Wi-Fi login page "
            "or a wrong mirror?"
        )
    kind = next((v for k, v in _MAGIC.items() if file_name.endswith(k)), None)
    if kind is None:
        return None
    offset, magic, called = kind
    if len(start) >= offset + len(magic) and start[offset:][: len(magic)] != magic:
        return (
            f"sent something that is not a {called} file (it starts with "
            f"{start[:8].hex(' ')}) instead of {file_name}: a wrong mirror or a "
            "damaged copy?"
        )
    return None


def looks_like_html(start: bytes) -> bool:
    head = start.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_HTML_STARTS)
