"""Read a tar archive's members into memory, refusing all but plain files.

Archives are read, never extracted: no path from an archive ever becomes a path
on disk. Still, a member with an absolute path, ``..``, a link or a device is a
sign of a hostile or broken archive, so it is refused loudly rather than skipped.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath


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


def read_members(archive: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every regular file, in archive order, after checking all.

    Every member is checked before any is read, so a hostile member late in the
    archive stops the load before its neighbours are used.
    """
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        for member in members:
            check_member(member, archive)
        for member in members:
            if member.isfile():
                stream = tar.extractfile(member)
                assert stream is not None
                yield member.name, stream.read()
