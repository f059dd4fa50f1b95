"""Dataset cards: where each file comes from, its SHA-256 and size, and what it holds.

The cards are JSON files in the project's ``datasets/`` folder, installed inside
the wheel as ``kerasteach._cards``. Loaders read them; nothing about a dataset's
files is written in code.

>>> card = read_card("mnist")
>>> card.class_names[:3], card.forms[0].files[0].name
(('0', '1', '2'), 'mnist.npz')
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kerasteach._names import did_you_mean

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

_SHA256_LENGTH = 64
# A card's name becomes a folder in the cache: letters, digits, '_', '.' and '-'
# only, starting with a letter or digit, so it can never climb out ('../x').
_CARD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class CardError(ValueError):
    """A card that is missing or malformed."""


@dataclass(frozen=True)
class FileSpec:
    """One file of a dataset: name, checksum, size and sources (mirrors in order)."""

    name: str
    sha256: str
    size: int
    urls: tuple[str, ...]
    keras_cache_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    """One way the dataset is distributed (e.g. Keras' npz, or the IDX files)."""

    format: str
    files: tuple[FileSpec, ...]
    download: bool = True  # False: used when found locally, never fetched
    root: str = ""  # the top folder inside an archive, where it matters


@dataclass(frozen=True)
class Card:
    name: str
    title: str
    description: str
    homepage: str
    license: str
    citation: str
    class_names: tuple[str, ...]
    image_shape: tuple[int, ...]
    max_value: int
    counts: dict[str, Any]
    forms: tuple[Form, ...]
    coarse_class_names: tuple[str, ...] = ()

    @property
    def download_size(self) -> int:
        """Bytes of the first downloadable form: what a fresh load fetches."""
        for form in self.forms:
            if form.download:
                return sum(f.size for f in form.files)
        return 0

    def __post_init__(self) -> None:
        name = self.name
        if not isinstance(name, str) or not _CARD_NAME.fullmatch(name) or ".." in name:
            raise CardError(
                f"a card's name becomes a folder in the cache, so it is letters, "
                f"digits, '_', '.' and '-' (starting with a letter or digit, no "
                f"'..'), like 'my_digits'; got {name!r}"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Card:
        try:
            forms = tuple(
                Form(
                    format=form["format"],
                    files=tuple(_file_spec(f) for f in form["files"]),
                    download=bool(form.get("download", True)),
                    root=form.get("root", ""),
                )
                for form in data["forms"]
            )
            return cls(
                name=data["name"],
                title=data["title"],
                description=data["description"],
                homepage=data["homepage"],
                license=data["license"],
                citation=data["citation"],
                class_names=tuple(data["class_names"]),
                image_shape=tuple(data["image_shape"]),
                max_value=int(data["max_value"]),
                counts=dict(data["counts"]),
                forms=forms,
                coarse_class_names=tuple(data.get("coarse_class_names", ())),
            )
        except (KeyError, TypeError) as error:
            raise CardError(
                f"dataset card is missing or has a bad field: {error}"
            ) from error

    @classmethod
    def from_file(cls, path: str | Path) -> Card:
        """A card read from a JSON file (for a dataset of your own, or a test)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise CardError(f"cannot read the dataset card {path}: {error}") from None
        return cls.from_dict(data)


def _file_spec(data: dict[str, Any]) -> FileSpec:
    sha = str(data["sha256"]).lower()
    if len(sha) != _SHA256_LENGTH or any(c not in "0123456789abcdef" for c in sha):
        raise CardError(f"{data.get('name')}: sha256 must be 64 hex digits")
    name = str(data["name"])
    if "/" in name or "\\" in name or name in ("", ".", ".."):
        raise CardError(f"{name!r}: a file name on a card has no folders")
    return FileSpec(
        name=name,
        sha256=sha,
        size=int(data["size"]),
        urls=tuple(data["urls"]),
        keras_cache_names=tuple(data.get("keras_cache_names", ())),
    )


def cards_folder() -> Traversable:
    """Where the cards are: inside the installed package (``kerasteach._cards``),
    or the clone's ``datasets/`` folder when kerasteach is imported from its
    source tree (a Python prompt or notebook started in the clone's root)."""
    try:
        return files("kerasteach._cards")
    except ModuleNotFoundError:
        source = Path(__file__).resolve().parents[2] / "datasets"
        if (source / "mnist.json").is_file():
            return source
        raise CardError(
            "kerasteach's dataset cards are missing: reinstall it (pip install .)"
        ) from None


def card_names() -> list[str]:
    """The names of every dataset with a card, sorted."""
    folder = cards_folder()
    return sorted(
        p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json")
    )


def read_card(name: str) -> Card:
    """The card of the dataset ``name``; a ``ValueError`` lists the names there are.

    >>> read_card("mnst")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: no dataset called 'mnst'; did you mean 'mnist'? Choose one of: ...
    """
    if not isinstance(name, str):
        raise TypeError(
            f"a dataset is named by a string such as 'mnist' (or given as a Card); "
            f"got {name!r}. kerasteach.datasets.names() lists them."
        )
    resource = cards_folder() / f"{name}.json"
    if not name.isidentifier() or not resource.is_file():
        raise ValueError(unknown_name_message(name))
    return Card.from_dict(json.loads(resource.read_text(encoding="utf-8")))


def unknown_name_message(name: str) -> str:
    """'no dataset called ...', with the closest name when there is one."""
    known = card_names()
    hint = did_you_mean(name, known)
    return f"no dataset called {name!r};{hint} Choose one of: {', '.join(known)}."
