"""Where a local server listens: the same options for every server command."""

from __future__ import annotations

import argparse

from kerasteach.cli.errors import UsageError


def add_address_options(parser: argparse.ArgumentParser) -> None:
    """``--host`` (127.0.0.1 unless told) and ``--port`` (free unless told)."""
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only; "
        "0.0.0.0 shares it on the network)",
    )
    parser.add_argument("--port", type=int, default=0, help="default: a free port")


def check_port(port: int) -> None:
    """Refuse a port number that cannot exist.

    >>> check_port(70000)
    Traceback (most recent call last):
    kerasteach.cli.errors.UsageError: --port must be 0 to 65535; got 70000.
    """
    if not 0 <= port < 65536:
        raise UsageError(f"--port must be 0 to 65535; got {port}.")
