"""How much a dataset's files may hold once unpacked, from what its card says.

A file whose SHA-256 matches a card (a custom card, say) can still be a
decompression bomb: 1.5 MB that expands to gigabytes. Every reader stops at the
bounds below, so memory stays near the size of the arrays the card promises.

- IDX ``.gz`` files: the header plus ``max(train, test)`` images of ``image_shape``.
- Keras' ``mnist.npz``: ``train + test`` images and labels, plus headers.
- CIFAR archives: ``train + test`` images with their labels, plus 5% and 1 MiB
  for the pickles' lists and the meta files.
- notMNIST archives: the card's ``members`` (plus a folder per class), each at
  most 64 KiB (far more than a 28x28 PNG needs).
- A card without counts: at most 200 times the file's size, and a million
  archive members.

>>> from kerasteach.datasets.cards import read_card
>>> card = read_card("mnist")
>>> unpacked_limits(card, card.forms[1], card.forms[1].files[0]).total
47040016
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kerasteach.datasets.cards import Card, FileSpec, Form

_MIB = 1 << 20
_FALLBACK_RATIO = 200
_FALLBACK_MEMBERS = 1_000_000
_PNG_BYTES = 64 * 1024  # a small grey PNG is well under this


@dataclass(frozen=True)
class Unpacked:
    """Bounds on one file's contents once decompressed."""

    total: int  # bytes, all members together
    members: int  # archive entries, folders included
    member: int  # bytes of the largest single member


def unpacked_limits(card: Card, form: Form, spec: FileSpec) -> Unpacked:
    """The most ``spec`` may unpack to, for the reader of ``form``."""
    pixels = math.prod(card.image_shape)
    counts = card.counts
    train, test = counts.get("train"), counts.get("test")
    if form.format == "idx" and train and test:
        header = 4 + 4 * (1 + len(card.image_shape))
        total = header + max(train, test) * pixels
        return Unpacked(total, 1, total)
    if form.format == "mnist_npz" and train and test:
        total = (train + test) * (pixels + 8) + 64 * 1024
        return Unpacked(total, 16, total)
    if form.format.startswith("cifar") and train and test:
        total = int((train + test) * (pixels + 2) * 1.05) + _MIB
        return Unpacked(total, 64, total)
    if form.format == "notmnist_tar" and counts.get("members"):
        members = int(counts["members"]) + len(card.class_names) + 16
        member = _PNG_BYTES
        return Unpacked(members * member, members, member)
    total = _FALLBACK_RATIO * spec.size + _MIB
    return Unpacked(total, _FALLBACK_MEMBERS, total)
