"""Read a tar archive's members into memory, refusing all but plain files.

Archives are read, never extracted: no path from an archive ever becomes a path
on disk, and what is read is bounded by the card (``limits.py``). Still, a
member with an absolute path, ``..``, a link or a device is a sign of a hostile
or broken archive, so it is refused loudly rather than skipped.
"""

from __future__ import annotations

import tarfile
from collections.abc import Collection, Iterator
from pathlib import Path, PurePosixPath

from kerasteach.datasets.limits import Unpacked


class UnsafeArchiveError(ValueError):
    """The archive holds a member that could write outside its folder."""


def check_member(member: tarfile.TarInfo, archive: Path) -> None:
    name = member.name
    path = PurePosixPath(name)
    if name.startswith(("/", "\\")) or path.is_absolute() or ":" in path.parts[0]:
        raise UnsafeArchiveError(
            f"{archive.name}: member {name!r} has an absolute path"
        )
    if ".." in path.parts or "\\" in name:
        raise UnsafeArchiveError(
            f"{archive.name}: member {name!r} climbs out with '..'"
        )
    if member.issym() or member.islnk():
        raise UnsafeArchiveError(
            f"{archive.name}: member {name!r} is a link to {member.linkname!r}"
        )
    if not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(f"{archive.name}: member {name!r} is a device or fifo")


def read_members(
    archive: Path, limits: Unpacked, wanted: Collection[str] | None = None
) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every regular file (or those ``wanted``), in archive order.

    Every member is checked, and the archive measured against ``limits``, before
    any is read: a hostile member late in the archive, or a bomb, stops the load
    before its neighbours are used. One member is held in memory at a time.
    """
    with tarfile.open(archive, "r:*") as tar:
        total = 0
        for count, member in enumerate(_each_member(tar), 1):
            check_member(member, archive)
            total += member.size if member.isfile() else 0
            if count > limits.members:
                raise UnsafeArchiveError(
                    f"{archive.name}: more than the {limits.members:,} members its "
                    "card allows: not the archive the card describes"
                )
            if member.size > limits.member or total > limits.total:
                raise UnsafeArchiveError(
                    f"{archive.name}: member {member.name!r} would unpack past the "
                    f"{min(limits.member, limits.total):,} bytes its card allows "
                    "(a decompression bomb, or not the archive the card describes)"
                )
    with tarfile.open(archive, "r:*") as tar:
        for member in _each_member(tar):
            if member.isfile() and (wanted is None or member.name in wanted):
                stream = tar.extractfile(member)
                assert stream is not None
                yield member.name, stream.read()


def _each_member(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """Members one by one, forgetting each: tarfile would keep them all."""
    while (member := tar.next()) is not None:
        yield member
        tar.members.clear()
