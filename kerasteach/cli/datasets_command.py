"""``kerasteach datasets``: list the cards, fetch ahead of a workshop, pack a mirror."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from kerasteach.cli.errors import UsageError


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "datasets",
        help="list, download and pack the classroom datasets",
        description="The classroom datasets: list them, fetch them ahead of a "
        "workshop, or pack verified copies into a folder to share as a mirror.",
        epilog="examples:\n"
        "  kerasteach datasets list\n"
        "  kerasteach datasets download mnist cifar10\n"
        "  kerasteach datasets pack /media/usb/kerasteach-mirror mnist\n"
        "  KERASTEACH_MIRROR=/media/usb/kerasteach-mirror python train.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="show every dataset and whether it is cached")
    download = actions.add_parser(
        "download", help="fetch datasets into the cache, verified and decoded"
    )
    download.add_argument("names", nargs="+", metavar="NAME")
    pack = actions.add_parser(
        "pack", help="copy verified files into DIR, laid out as a mirror"
    )
    pack.add_argument("folder", metavar="DIR")
    pack.add_argument("names", nargs="*", metavar="NAME", help="default: all cached")
    for sub in (download, pack):
        sub.add_argument(
            "--cache-dir", help="default: KERASTEACH_DATA or ~/.kerasteach"
        )
        sub.add_argument("--mirror", help="a folder or URL to try first")
        sub.add_argument(
            "--timeout",
            type=seconds,
            default=30.0,
            metavar="SECONDS",
            help="how long to wait for a server that says nothing (default 30)",
        )
    parser.set_defaults(run=run)


def seconds(text: str) -> float:
    """argparse type: a number of seconds, more than 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds more than 0, like 30"
        )
    return value


def run(args: argparse.Namespace) -> int:
    from kerasteach import datasets
    from kerasteach.datasets import cards, sources

    try:
        mirror = sources.mirror_setting(getattr(args, "mirror", None))
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.action == "list":
        return _list(datasets, sources, mirror)
    local = args.mirror and not sources.is_url(args.mirror)
    if local and not Path(args.mirror).expanduser().is_dir():
        raise UsageError(f"--mirror {args.mirror}: no such folder")
    cache = Path(args.cache_dir or sources.cache_root(None)).expanduser()
    if cache.exists() and not cache.is_dir():
        raise UsageError(f"the cache {cache} is a file; give a folder (--cache-dir)")
    names = args.names or ([] if args.action == "download" else datasets.names())
    for name in names:
        if name not in datasets.names():
            raise UsageError(cards.unknown_name_message(name))
    if args.action == "pack":
        _check_pack_folder(Path(args.folder), [datasets.card(n) for n in names])
    failed = 0
    for name in names:
        card = datasets.card(name)
        if not any(form.files for form in card.forms):
            print(f"{name}: nothing to download (ships with a package)")
            continue
        try:
            found = _fetch(args, card, mirror)
        except (
            datasets.DownloadError,
            datasets.CacheNotWritableError,
            datasets.NoRoomError,
        ) as error:
            print(f"kerasteach datasets: {error}", file=sys.stderr)
            failed += 1
            continue
        if found is None:
            continue  # pack with no names: skip what is not here
        form, paths = found
        if args.action == "download":
            failed += not _decode_ahead(card, args, mirror)
            print(f"{name}: ready ({', '.join(str(p) for p in paths.values())})")
            continue
        folder = Path(args.folder) / name
        for spec in form.files:
            _copy(paths[spec.name], folder / spec.name, spec)
        print(f"{name}: packed {len(form.files)} file(s) into {folder}")
    return 1 if failed else 0


def _fetch(args: argparse.Namespace, card: Any, mirror: str | None) -> Any:
    """download: the downloadable form, reusing verified local copies; pack:
    whatever is here, fetched only for datasets named explicitly. Under the
    dataset's lock, so a notebook loading it at the same time waits."""
    from kerasteach.datasets import sources
    from kerasteach.datasets.locking import dataset_lock

    folder = sources.cache_root(args.cache_dir) / card.name
    with dataset_lock(folder, card.name):
        found = None
        if args.action == "pack":
            found = sources.locate_form(card, args.cache_dir, mirror)
        if found is None and (args.action == "download" or args.names):
            found = sources.fetch_form(
                card, args.cache_dir, mirror, timeout=args.timeout
            )
        return found


def _decode_ahead(card: Any, args: argparse.Namespace, mirror: str | None) -> bool:
    """Decode the files now, so the first load in class is a single read (and
    a shared cache filled this way serves decoded arrays); False when the
    files, though verified, cannot be read."""
    from kerasteach import datasets
    from kerasteach.datasets.load import decoded_arrays

    try:
        decoded_arrays(
            card,
            cache_dir=args.cache_dir,
            mirror=mirror,
            download=False,
            progress=False,
        )
    except datasets.DatasetFormatError as error:
        print(f"kerasteach datasets: {error}", file=sys.stderr)
        return False
    return True


def _check_pack_folder(folder: Path, cards: list[Any]) -> None:
    """Refuse, before any copying, a DIR that is a file or a file name taken by
    a folder: the copy would fail half-way."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; pack into a folder (new or existing)")
    for card in cards:
        dataset_folder = folder / card.name
        if dataset_folder.exists() and not dataset_folder.is_dir():
            raise UsageError(
                f"{dataset_folder} is a file; move it away or pack into another folder"
            )
        for form in card.forms:
            for spec in form.files:
                if (dataset_folder / spec.name).is_dir():
                    raise UsageError(
                        f"{dataset_folder / spec.name} is a folder where the file "
                        "goes; move it away or pack into another folder"
                    )


def _copy(source: Path, target: Path, spec: Any) -> None:
    from kerasteach.datasets import storage

    try:
        storage.copy_verified(source, target, spec)
    except OSError as error:
        raise UsageError(
            f"cannot write {target}: {error.strerror or error}; pack into a folder "
            "you can write to"
        ) from None


def _here(card: Any, sources: Any, mirror: str | None) -> str:
    """yes (a load would work offline), no, busy while another process loads
    it (then it is not verified: verifying may set a bad file aside under the
    loader), or unreadable (a cache that cannot be read)."""
    from kerasteach.datasets.locking import lock_if_free
    from kerasteach.datasets.presence import presence

    try:
        with lock_if_free(sources.cache_root(None) / card.name) as free:
            if not free:
                return "busy"
            found = presence(card, mirror)
    except OSError:
        return "unreadable"
    for item in found.set_aside:
        print(
            f"kerasteach datasets: set aside {item['file']} ({item['problem']}) "
            f"as {item['moved_to']}",
            file=sys.stderr,
        )
    return "yes" if found.where else "no"


def _list(datasets: Any, sources: Any, mirror: str | None) -> int:
    rows = [("NAME", "DOWNLOAD", "CLASSES", "HERE", "TITLE")]
    for name in datasets.names():
        card = datasets.card(name)
        size = card.download_size
        here = "yes" if not size else _here(card, sources, mirror)
        mb = f"{size / 1e6:,.1f} MB" if size else "none"
        rows.append((name, mb, str(len(card.class_names)), here, card.title))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        print("  ".join([*cells, row[4]]).rstrip())
    print(
        "\nCards (sources, SHA-256, license, citation): "
        "python -c \"import kerasteach.datasets as d; print(d.card('mnist'))\""
    )
    return 0
