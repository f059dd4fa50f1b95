"""Find a dataset's files: the cache, a mirror, Keras' cache, then the network.

Every source tried, local folders included, leaves a line in ``problems`` when it
cannot give a file, so the final error tells a teacher that the USB stick's
copy is bad rather than only that the network is down.
"""

from __future__ import annotations

import os
import sys
import urllib.parse
from pathlib import Path

from kerasteach.datasets.cards import Card, FileSpec, Form
from kerasteach.datasets.credentials import shown
from kerasteach.datasets.download import DownloadError, download
from kerasteach.datasets.storage import (
    Problem,
    cache_layers,
    cache_root,
    keras_cache_root,
    mismatch,
    quarantine,
)

_URL_SCHEMES = ("http", "https", "file")


class NotAvailableError(DownloadError):
    """A file is neither on this machine nor downloadable now."""


def mirror_setting(mirror: str | os.PathLike | None) -> str | None:
    """The mirror to use: the argument, else ``KERASTEACH_MIRROR``; checked.

    >>> mirror_setting("ftp://school/mirror")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: mirror 'ftp://school/mirror': a mirror is a folder, or a URL ...
    """
    if mirror is not None:
        value, where = str(mirror), "mirror"
    else:
        value, where = os.environ.get("KERASTEACH_MIRROR", ""), "KERASTEACH_MIRROR"
    if not value:
        return None
    check_mirror(value, where)
    return value


def check_mirror(value: str, where: str = "mirror") -> None:
    """A ``ValueError`` that names the fix when ``value`` cannot be a mirror
    (the value shown without its password)."""
    if "://" in value:
        where = f"{where} {shown(value)!r}"
        scheme = value.split("://", 1)[0].lower()
        if scheme not in _URL_SCHEMES:
            raise ValueError(
                f"{where}: a mirror is a folder, or a URL that starts "
                "with http://, https:// or file://; serve the folder over HTTP "
                "(python -m http.server) or copy it onto this machine."
            )
        try:
            parts = urllib.parse.urlsplit(value)
            parts.port  # noqa: B018 - parsing the port is the check
        except ValueError as error:
            raise ValueError(
                f"{where} is not a valid URL ({error}); a mirror URL "
                "looks like http://192.168.1.10:8000/mirror"
            ) from None
        if scheme != "file" and not parts.hostname:
            raise ValueError(
                f"{where} names no server; a mirror URL looks like "
                "http://192.168.1.10:8000/mirror"
            )
    elif Path(value).expanduser().is_file():
        raise ValueError(
            f"{where} {value!r} is a file; a mirror is a folder laid out as "
            "<dataset>/<file> (kerasteach datasets pack DIR makes one)"
        )


def is_url(location: str) -> bool:
    return location.startswith(tuple(f"{s}://" for s in _URL_SCHEMES))


def local_copy(
    card: Card,
    spec: FileSpec,
    cache_dir: str | os.PathLike | None,
    mirror: str | None,
    problems: list[str] | None = None,
    *,
    announce: bool = True,
) -> Path | None:
    """A verified copy already on this machine, or None. Checks the SHA-256 of each.

    The caches are read in order (the user's own, then the shared ones). A
    wrong copy in the user's own cache is set aside as ``.bad`` (said on
    stderr when ``announce``, and added to ``problems`` as a ``"set_aside"``
    line); one in a shared, read-only cache is only skipped. What is wrong
    with a copy in the mirror folder or Keras' cache is added to ``problems``;
    a copy missing from the mirror folder too.
    """
    own = cache_root(cache_dir)
    candidates: list[tuple[str, Path]] = []
    for layer in cache_layers(cache_dir):
        cached = layer / card.name / spec.name
        why = mismatch(cached, spec)
        if why is None:
            return cached
        if why.kind == "missing":
            continue
        if layer == own:
            _set_aside(cached, why, problems, announce)
        else:
            _note(problems, why.about(f"shared cache {cached}"))
    if mirror and not is_url(mirror):
        folder = Path(mirror).expanduser()
        if not folder.is_dir():
            unmounted = Problem("does not exist (not mounted?)", "unusable")
            _note(problems, unmounted.about(f"mirror folder {folder}"))
        else:
            candidates.append(("mirror", folder / card.name / spec.name))
    keras_root = keras_cache_root()
    candidates += [
        ("Keras' cache", keras_root / name)
        for name in (*spec.keras_cache_names, spec.name)
    ]
    for where, candidate in candidates:
        why = mismatch(candidate, spec)
        if why is None:
            return candidate
        if where == "mirror" or why.kind != "missing":
            _note(problems, why.about(f"{where} {candidate}"))
    return None


def _set_aside(
    cached: Path, why: Problem, problems: list[str] | None, announce: bool
) -> None:
    """Move a wrong copy out of the user's cache, and say so (or why not)."""
    try:
        aside = quarantine(cached)
    except OSError as error:  # a cache that cannot be written: only skip it
        line = Problem(
            f"{cached}: {why}; could not set it aside ({error.strerror or error})",
            "wrong",
        )
        _note(problems, line)  # said when the file is fetched instead
        return
    line = Problem(
        f"{cached}: {why} (corrupt or incomplete); moved it to {aside}",
        "set_aside",
        file=str(cached),
        problem=str(why),
        moved_to=str(aside),
    )
    _note(problems, line)
    if announce:
        print(f"kerasteach: {line}; will fetch it again.", file=sys.stderr)


def _note(problems: list[str] | None, line: str) -> None:
    if problems is not None and line not in problems:
        problems.append(line)


def locate_form(
    card: Card,
    cache_dir: str | os.PathLike | None,
    mirror: str | None,
    problems: list[str] | None = None,
    *,
    announce: bool = True,
) -> tuple[Form, dict[str, Path]] | None:
    """The first form whose files are all on this machine, verified.

    Wrong copies found on the way are added to ``problems`` (missing ones are
    not: most forms are missing from most machines), those set aside too.
    """
    for form in card.forms:
        found: dict[str, Path] = {}
        for spec in form.files:
            seen: list[str] = []
            path = local_copy(card, spec, cache_dir, mirror, seen, announce=announce)
            for line in seen:
                if line.kind != "missing":
                    _note(problems, line)
            if path is not None:  # the others are still looked at: all wrong
                found[spec.name] = path  # copies are named at once, not one a day
        if len(found) == len(form.files):
            return form, found
    return None


def fetch_form(
    card: Card,
    cache_dir: str | os.PathLike | None,
    mirror: str | None,
    *,
    progress: bool = True,
    timeout: float = 30.0,
    attempts: int = 3,
    problems: list[str] | None = None,
) -> tuple[Form, dict[str, Path]]:
    """Everything of one form, from local copies or the network.

    A mirror URL is asked first for every form the card knows, in order, as a
    mirror folder is (whatever ``kerasteach datasets pack`` wrote, any static
    server can serve); then the first downloadable form comes from its own
    sources. The final error lists every source tried, ``problems`` found
    earlier first.
    """
    if mirror and is_url(mirror):
        problems = problems if problems is not None else []
        found = _form_from_url_mirror(
            card, cache_dir, mirror, progress, timeout, attempts, problems
        )
        if found is not None:
            return found
    form = next((f for f in card.forms if f.download), None)
    if form is None:
        raise NotAvailableError(f"{card.name} has no form that can be downloaded")
    paths: dict[str, Path] = {}
    for spec in form.files:
        tried = list(problems or [])
        path = local_copy(card, spec, cache_dir, mirror, tried)
        if path is None:
            for line in tried:
                if getattr(line, "kind", None) == "wrong":  # a teacher should hear
                    print(f"kerasteach: {line}; skipped it.", file=sys.stderr)
            target = cache_root(cache_dir) / card.name / spec.name
            try:
                path = download(
                    spec,
                    list(spec.urls),  # the mirror was asked already
                    target,
                    timeout=timeout,
                    attempts=attempts,
                    progress=progress,
                )
            except DownloadError as error:
                tried += error.problems or [str(error)]
                raise NotAvailableError(
                    not_available(card, spec, target, tried), tried
                ) from None
        paths[spec.name] = path
    return form, paths


def _form_from_url_mirror(
    card: Card,
    cache_dir: str | os.PathLike | None,
    mirror: str,
    progress: bool,
    timeout: float,
    attempts: int,
    problems: list[str],
) -> tuple[Form, dict[str, Path]] | None:
    """The first form whose every file the mirror URL gives (or this machine
    already has, verified); None when none is whole there. What the mirror
    lacked goes quietly into ``problems``, for the final error."""
    base = mirror.rstrip("/")
    for form in card.forms:
        paths: dict[str, Path] = {}
        for spec in form.files:
            path = local_copy(card, spec, cache_dir, None)
            if path is None:
                target = cache_root(cache_dir) / card.name / spec.name
                url = f"{base}/{card.name}/{spec.name}"
                try:
                    path = download(
                        spec,
                        [url],
                        target,
                        timeout=timeout,
                        attempts=attempts,
                        progress=progress,
                    )
                except DownloadError as error:
                    for line in error.problems or [str(error)]:
                        _note(problems, line)
                    break
            paths[spec.name] = path
        else:
            return form, paths
    return None


def not_available(card: Card, spec: FileSpec, target: Path, tried: list[str]) -> str:
    """What was tried and the three ways out, for a file that cannot be had."""
    lines = "\n".join(f"  - {line}" for line in tried) or "  - no sources"
    return (
        f"{card.name}: {spec.name} is not on this machine and could not be "
        f"downloaded. Every source tried:\n{lines}\nTo fix it, do one of these:\n"
        f"  - put the file at {target}\n"
        f"  - set KERASTEACH_MIRROR to a folder or URL that holds "
        f"{card.name}/{spec.name} (a teacher makes one with: kerasteach datasets "
        f"pack DIR)\n"
        f"  - when online, fetch it ahead of time: kerasteach datasets download "
        f"{card.name}"
    )
