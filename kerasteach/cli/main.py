"""Entry point of the ``kerasteach`` command.

Parsing stays free of Keras so ``kerasteach --help`` answers at once; each
subcommand imports what it needs only when it runs.

>>> from kerasteach.cli.main import main
>>> main(["--version"])  # doctest: +ELLIPSIS
kerasteach ...
0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kerasteach._printable import printable
from kerasteach._version import __version__
from kerasteach.cli import (
    check_command,
    datasets_command,
    demo_command,
    explore_command,
    summary_command,
    tensorboard_command,
)
from kerasteach.cli.errors import UsageError
from kerasteach.cli.native_noise import quiet_environment

SUBCOMMANDS = (
    demo_command,
    summary_command,
    datasets_command,
    explore_command,
    tensorboard_command,
    check_command,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kerasteach",
        description="See neural networks while you learn them (Keras 3 add-ons).",
        epilog="Run 'kerasteach COMMAND --help' for the options of one command.",
    )
    parser.add_argument(
        "--version", action="version", version=f"kerasteach {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 failure, 2 usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version and argparse's own usage errors
        return int(stop.code or 0)
    if args.command is None:
        parser.print_help()
        return 0
    quiet_environment()
    try:
        return int(args.run(args) or 0)
    except UsageError as error:
        # Messages may quote names read from a file: never raw control codes.
        print(f"kerasteach {args.command}: error: {printable(str(error))}",
              file=sys.stderr)  # fmt: skip
        return error.exit_code
    except KeyboardInterrupt:
        print(f"kerasteach {args.command}: interrupted", file=sys.stderr)
        return 130


def console_main() -> None:
    sys.exit(main())


if __name__ == "__main__":
    console_main()
