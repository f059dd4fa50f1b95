"""Find a dataset's files: the cache, a mirror, Keras' cache, then the network."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kerasteach.datasets.cards import Card, FileSpec, Form
from kerasteach.datasets.download import DownloadError, download
from kerasteach.datasets.storage import (
    cache_root,
    keras_cache_root,
    matches,
    quarantine,
)


class NotAvailableError(DownloadError):
    """A file is neither on this machine nor downloadable now."""


def mirror_setting(mirror: str | os.PathLike | None) -> str | None:
    value = mirror if mirror is not None else os.environ.get("KERASTEACH_MIRROR")
    return str(value) if value else None


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://", "file://"))


def local_copy(
    card: Card, spec: FileSpec, cache_dir: str | os.PathLike | None, mirror: str | None
) -> Path | None:
    """A verified copy already on this machine, or None. Checks the SHA-256 of each."""
    cached = cache_root(cache_dir) / card.name / spec.name
    if cached.exists():
        if matches(cached, spec):
            return cached
        aside = quarantine(cached)
        print(
            f"kerasteach: {cached} does not match its SHA-256 (corrupt or "
            f"incomplete); moved it to {aside} and will fetch it again.",
            file=sys.stderr,
        )
    candidates = []
    if mirror and not is_url(mirror):
        candidates.append(Path(mirror).expanduser() / card.name / spec.name)
    keras_root = keras_cache_root()
    candidates += [keras_root / name for name in (*spec.keras_cache_names, spec.name)]
    for candidate in candidates:
        if matches(candidate, spec):
            return candidate
    return None


def locate_form(
    card: Card, cache_dir: str | os.PathLike | None, mirror: str | None
) -> tuple[Form, dict[str, Path]] | None:
    """The first form whose files are all on this machine, verified."""
    for form in card.forms:
        found = {
            spec.name: local_copy(card, spec, cache_dir, mirror) for spec in form.files
        }
        if all(path is not None for path in found.values()):
            return form, {name: path for name, path in found.items() if path}
    return None


def fetch_form(
    card: Card,
    cache_dir: str | os.PathLike | None,
    mirror: str | None,
    *,
    progress: bool = True,
    timeout: float = 30.0,
    attempts: int = 3,
) -> tuple[Form, dict[str, Path]]:
    """Everything of the first downloadable form, from local copies or the network."""
    form = next((f for f in card.forms if f.download), None)
    if form is None:
        raise NotAvailableError(f"{card.name} has no form that can be downloaded")
    paths: dict[str, Path] = {}
    for spec in form.files:
        path = local_copy(card, spec, cache_dir, mirror)
        if path is None:
            target = cache_root(cache_dir) / card.name / spec.name
            urls = list(spec.urls)
            if mirror and is_url(mirror):
                urls.insert(0, f"{mirror.rstrip('/')}/{card.name}/{spec.name}")
            try:
                path = download(
                    spec,
                    urls,
                    target,
                    timeout=timeout,
                    attempts=attempts,
                    progress=progress,
                )
            except DownloadError as error:
                raise NotAvailableError(
                    _not_available(card, spec, target, error)
                ) from None
        paths[spec.name] = path
    return form, paths


def _not_available(card: Card, spec: FileSpec, target: Path, error: Exception) -> str:
    return (
        f"{card.name}: {spec.name} is not on this machine and could not be "
        f"downloaded.\n{error}\nTo fix it, do one of these:\n"
        f"  - put the file at {target}\n"
        f"  - set KERASTEACH_MIRROR to a folder or URL that holds "
        f"{card.name}/{spec.name} (a teacher makes one with: kerasteach datasets "
        f"pack DIR)\n"
        f"  - when online, fetch it ahead of time: kerasteach datasets download "
        f"{card.name}"
    )
