"""Classroom datasets: MNIST, Fashion-MNIST, notMNIST, CIFAR-10/100 and offline digits.

Every file is checked against the SHA-256 on its dataset card before it is
used, decoded once and cached, so the second load is fast and needs no network.

>>> from kerasteach import datasets
>>> "mnist" in datasets.names() and "digits" in datasets.names()
True
"""

from __future__ import annotations

from kerasteach.datasets.archives import UnsafeArchiveError
from kerasteach.datasets.cards import Card, CardError, card_names, read_card
from kerasteach.datasets.dataset import Dataset
from kerasteach.datasets.disks import CacheNotWritableError, NoRoomError
from kerasteach.datasets.download import DownloadError
from kerasteach.datasets.formats import DatasetFormatError
from kerasteach.datasets.load import load
from kerasteach.datasets.sources import NotAvailableError

__all__ = [
    "CacheNotWritableError",
    "Card",
    "CardError",
    "Dataset",
    "DatasetFormatError",
    "DownloadError",
    "NoRoomError",
    "NotAvailableError",
    "UnsafeArchiveError",
    "card",
    "load",
    "names",
]


def names() -> list[str]:
    """Every dataset kerasteach can load."""
    return card_names()


def card(name: str) -> Card:
    """The card of one dataset: sources, checksums, counts, classes, license."""
    return read_card(name)
