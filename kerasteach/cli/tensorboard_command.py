"""``kerasteach tensorboard LOGDIR``: start TensorBoard on this computer."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from kerasteach.cli.address import add_address_options, check_port
from kerasteach.cli.errors import UsageError


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "tensorboard",
        help="start TensorBoard on a folder of training logs",
        description=(
            "Start a real TensorBoard on this computer, at a free port, and "
            "print its address. Stop it with Ctrl-C."
        ),
        epilog=(
            "examples:\n"
            "  kerasteach tensorboard logs\n"
            "  kerasteach tensorboard logs --port 6006"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "logdir",
        metavar="LOGDIR",
        help="the logdir given to kerasteach.tensorboard_callbacks (e.g. logs)",
    )
    add_address_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    logdir = Path(args.logdir)
    if not logdir.is_dir():
        raise UsageError(
            f"no folder {str(logdir)!r}: train with "
            f"kerasteach.tensorboard_callbacks(logdir={str(logdir)!r}) first, "
            "or give the folder that holds the runs"
        )
    check_port(args.port)
    from kerasteach.tensorboard.launch import launch_tensorboard
    from kerasteach.tensorboard.runs import TensorBoardError

    try:
        server = launch_tensorboard(
            logdir, host=args.host, port=args.port, inline=False
        )
    except TensorBoardError as error:  # it did not start: not the user's doing
        print(f"kerasteach tensorboard: error: {error}", file=sys.stderr)
        return 1
    print("Press Ctrl-C to stop it.", flush=True)
    # A plain kill (SIGTERM) must stop TensorBoard too, not leave it running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        return server.process.wait()
    finally:
        server.stop()
