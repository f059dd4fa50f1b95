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
- Pickles (CIFAR's python batches): at most ``16 * (train + test) + 65,536``
  operations in each, or 4 million without counts. A pickle's memory grows
  with its operations, not its bytes (a one-byte ``EMPTY_LIST`` builds a
  64-byte list), so the count is what keeps 1 MB from growing to gigabytes;
  CIFAR's own batches take about 4 operations an example.

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
_PICKLE_OPS_PER_EXAMPLE = 16
_PICKLE_OPS_SPARE = 65_536
_FALLBACK_PICKLE_OPS = 4_000_000


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


def pickle_operations(card: Card) -> int:
    """The most operations one pickle of ``card``'s files may hold.

    >>> from kerasteach.datasets.cards import read_card
    >>> pickle_operations(read_card("cifar10"))
    1025536
    """
    train, test = card.counts.get("train"), card.counts.get("test")
    if isinstance(train, int) and isinstance(test, int):
        return _PICKLE_OPS_PER_EXAMPLE * (train + test) + _PICKLE_OPS_SPARE
    return _FALLBACK_PICKLE_OPS
