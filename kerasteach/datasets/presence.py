"""Is a dataset on this machine, as a load with ``download=False`` would find it?

What ``kerasteach check`` and ``kerasteach datasets list`` report. The answer
is the truth of a load: the verified files in any cache, the mirror folder or
Keras' cache, else the verified decoded arrays a load reads first (the files
themselves may be gone). Looking may set a wrong file in the user's own cache
aside, as a load would; every such move is returned, never done silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kerasteach.datasets.cards import Card
from kerasteach.datasets.load import first_decoded
from kerasteach.datasets.sources import is_url, locate_form
from kerasteach.datasets.storage import cache_layers, keras_cache_root


@dataclass
class Presence:
    """``where`` the dataset would load from offline (None: it would need a
    download), what is wrong with copies seen on the way (``problems``), and
    the files set aside as ``.bad`` (``set_aside``: file, problem, moved_to)."""

    where: str | None
    problems: list[str] = field(default_factory=list)
    set_aside: list[dict[str, str]] = field(default_factory=list)


def presence(card: Card, mirror: str | None) -> Presence:
    """Where ``card``'s dataset is on this machine, verified.

    >>> from kerasteach.datasets import card
    >>> presence(card("digits"), None).where
    'comes with scikit-learn'
    """
    if not any(form.files for form in card.forms):
        return Presence("comes with scikit-learn")
    problems: list[str] = []
    found = locate_form(card, None, mirror, problems, announce=False)
    moved = [dict(line.details) for line in problems if line.kind == "set_aside"]
    others = [line for line in problems if line.kind != "set_aside"]
    if found is not None:
        _, paths = found
        where = f"{_place(next(iter(paths.values())), mirror)}, SHA-256 verified"
        return Presence(where, others, moved)
    folders = [layer / card.name for layer in cache_layers()]
    decoded = first_decoded(card, folders, on_bad="skip")
    if decoded is not None:
        path, _ = decoded
        where = (
            f"decoded arrays {_place(path, mirror)}, verified (the downloaded "
            "files are missing or damaged; a load needs only these arrays)"
        )
        return Presence(where, others, moved)
    return Presence(None, others, moved)


def _place(path: Path, mirror: str | None) -> str:
    layers = cache_layers()
    if path.is_relative_to(layers[0]):
        return "in the cache"
    for shared in layers[1:]:
        if path.is_relative_to(shared):
            return f"in the shared cache {shared}"
    if mirror and not is_url(mirror) and path.is_relative_to(Path(mirror).expanduser()):
        return "in the mirror"
    if path.is_relative_to(keras_cache_root()):
        return "in Keras' cache"
    return f"at {path}"
