"""``kerasteach datasets``: list the cards, fetch ahead of a workshop, pack a mirror."""

from __future__ import annotations

import argparse
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
    download = actions.add_parser("download", help="fetch datasets into the cache")
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
        sub.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kerasteach import datasets
    from kerasteach.datasets import sources, storage

    if args.action == "list":
        return _list(datasets, sources)
    names = args.names or ([] if args.action == "download" else datasets.names())
    for name in names:
        if name not in datasets.names():
            choices = ", ".join(datasets.names())
            raise UsageError(f"no dataset called {name!r}; choose from: {choices}")
    mirror = sources.mirror_setting(args.mirror)
    failed = 0
    for name in names:
        card = datasets.card(name)
        if not any(form.files for form in card.forms):
            print(f"{name}: nothing to download (ships with a package)")
            continue
        try:
            # download: the downloadable form, reusing verified local copies;
            # pack: whatever is here, fetched only for datasets named explicitly
            found = None
            if args.action == "pack":
                found = sources.locate_form(card, args.cache_dir, mirror)
            if found is None and (args.action == "download" or args.names):
                found = sources.fetch_form(
                    card, args.cache_dir, mirror, timeout=args.timeout
                )
            if found is None:
                continue  # pack with no names: skip what is not here
        except datasets.DownloadError as error:
            print(f"kerasteach datasets: {error}", file=sys.stderr)
            failed += 1
            continue
        form, paths = found
        if args.action == "download":
            print(f"{name}: ready ({', '.join(str(p) for p in paths.values())})")
            continue
        folder = Path(args.folder) / name
        for spec in form.files:
            storage.copy_verified(paths[spec.name], folder / spec.name, spec)
        print(f"{name}: packed {len(form.files)} file(s) into {folder}")
    return 1 if failed else 0


def _list(datasets: Any, sources: Any) -> int:
    rows = [("NAME", "DOWNLOAD", "CLASSES", "HERE", "TITLE")]
    for name in datasets.names():
        card = datasets.card(name)
        size = card.download_size
        mirror = sources.mirror_setting(None)
        here = "yes" if not size or sources.locate_form(card, None, mirror) else "no"
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
