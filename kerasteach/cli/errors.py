"""The error a subcommand raises for a user mistake: printed, never a traceback."""

from __future__ import annotations


class UsageError(Exception):
    """A mistake the user can fix; ``main`` prints the message and exits with 2."""

    exit_code = 2
