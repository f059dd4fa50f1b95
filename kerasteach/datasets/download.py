"""Streamed, resumable, verified downloads with timeouts, retries and mirrors.

A file is fetched into ``<name>.part``, checked against its card's size and
SHA-256, flushed to disk and only then renamed to its real name: the cache never
holds a partial or wrong file under a real name, even when the process is killed.

Once a source answers with the file, the target's disk is asked for room (a
``NoRoomError`` says what is needed and what is free); a write that fails for
room keeps the ``.part`` on purpose, so the download resumes once there is
room, and the message names it and its size for anyone who would rather
delete it.

A ``.part`` belongs to the source that wrote it. Beside it, ``<name>.part.json``
records that source's URL and the ``ETag`` or ``Last-Modified`` it sent; only
that source is asked to resume it (with ``Range`` and ``If-Range``), and moving
to another source starts from zero. So a mirror that sent a web page, or an
older copy, can never be glued to the front of a good file.

How long one source can hold a download up, with the defaults (``timeout`` 30 s,
3 attempts, ``MIN_RATE`` 1,000 bytes/s):

- refused, or its name cannot be resolved: left at once;
- says nothing for ``timeout`` seconds: tried 3 times, pausing 1 s and 2 s
  (at most about 93 s);
- sends a web page or the wrong kind of file: left at its first bytes;
- trickles below ``MIN_RATE`` over ``2 * timeout`` seconds: left at once
  (at most about 2 minutes);
- in every case, never longer than ``source_time_limit``:
  ``attempts * 3 * timeout + backoffs + size / MIN_RATE``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from kerasteach._files import atomic_writer
from kerasteach._version import __version__
from kerasteach.datasets.cards import FileSpec
from kerasteach.datasets.credentials import address, shown
from kerasteach.datasets.disks import check_room, explain_write_error, writable_folder
from kerasteach.datasets.sniff import SNIFF_BYTES, refusal
from kerasteach.datasets.storage import sha256_of

_CHUNK = 1 << 16
MIN_RATE = 1000.0  # bytes/s: far below any usable link, far above a trickle


class DownloadError(RuntimeError):
    """No source gave the right file; the message says what each source did.

    ``problems`` holds one line per source (and per kind of failure there).
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class _Retry(Exception):
    """Worth trying the same source again (after a pause)."""


class _NextSource(Exception):
    """This source cannot give the file: move on to the next mirror."""


TLS_ADVICE = (
    "The server's TLS certificate could not be verified. Behind a proxy that "
    "inspects HTTPS, point Python at its certificate (SSL_CERT_FILE=/path/to/ca.pem); "
    "or ask the teacher for a mirror (KERASTEACH_MIRROR). kerasteach never turns "
    "certificate checks off."
)


def source_time_limit(
    size: int, timeout: float, attempts: int, backoff: float, min_rate: float
) -> float:
    """The longest, in seconds, that one source may spend on a file of ``size``.

    >>> round(source_time_limit(11_490_434, 30.0, 3, 1.0, 1000.0))
    11763
    """
    pauses = backoff * (2 ** max(attempts - 1, 0) - 1)
    return attempts * 3 * timeout + pauses + size / min_rate


def download(
    spec: FileSpec,
    urls: Sequence[str],
    target: Path,
    *,
    timeout: float = 30.0,
    attempts: int = 3,
    backoff: float = 1.0,
    min_rate: float = MIN_RATE,
    progress: bool = True,
) -> Path:
    """Fetch ``spec`` from the first of ``urls`` that gives the right bytes.

    Each source is tried ``attempts`` times, pausing ``backoff``, then twice as
    long, between tries; a wrong hash, a web page, a missing file or a trickle
    below ``min_rate`` moves on at once.
    """
    writable_folder(target.parent)
    partial = _Partial(target)
    problems: list[str] = []
    for url in urls:
        partial.keep_only_from(url)
        deadline = time.monotonic() + source_time_limit(
            spec.size, timeout, attempts, backoff, min_rate
        )
        attempt = 0
        while attempt < attempts:
            attempt += 1
            try:
                resumed = _fetch_into(
                    url, partial, spec, timeout, min_rate, deadline, progress
                )
            except OSError as error:  # network faults are _Retry: this is the disk
                needed = spec.size - partial.size()
                explained = explain_write_error(
                    error, target.parent, spec.name, needed, kept=partial.path
                )
                if explained is None:
                    raise
                raise explained from None
            except _Retry as why:
                problems.append(f"{shown(url)}: {why}")
                pause = backoff * 2 ** (attempt - 1)
                if attempt < attempts and time.monotonic() + pause < deadline:
                    time.sleep(pause)
                    continue
                break
            except _NextSource as why:
                problems.append(f"{shown(url)}: {why}")
                break
            got = sha256_of(partial.path)
            if got != spec.sha256:
                partial.discard()
                if resumed:  # the older part may predate a change on the server
                    problems.append(
                        f"{shown(url)}: the resumed file was wrong; started again"
                    )
                    continue
                problems.append(
                    f"{shown(url)}: wrong SHA-256 (expected {spec.sha256}, got {got})"
                )
                break
            os.replace(partial.path, target)
            partial.forget()
            return target
    lines = "\n  ".join(_collapse(problems)) or "no sources were given"
    raise DownloadError(
        f"could not download {spec.name}:\n  {lines}", _collapse(problems)
    )


def _collapse(problems: list[str]) -> list[str]:
    """The same problem from several tries becomes one line: '... (3 tries)'."""
    lines: list[str] = []
    counts: list[int] = []
    for problem in problems:
        if lines and lines[-1] == problem:
            counts[-1] += 1
        else:
            lines.append(problem)
            counts.append(1)
    return [
        f"{p} ({n} tries)" if n > 1 else p for p, n in zip(lines, counts, strict=True)
    ]


class _Partial:
    """``<name>.part`` and the record of the source that wrote it."""

    def __init__(self, target: Path) -> None:
        self.path = target.with_name(target.name + ".part")
        self.record_path = target.with_name(target.name + ".part.json")

    def record(self) -> dict[str, Any]:
        try:
            record = json.loads(self.record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return record if isinstance(record, dict) else {}

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def keep_only_from(self, url: str) -> None:
        """Keep the part only when ``url`` wrote it; a part with no record goes."""
        if self.path.exists() and self.record().get("url") != shown(url):
            self.discard()

    def validator(self) -> str | None:
        """What ``If-Range`` sends: a strong ETag, else the Last-Modified date."""
        record = self.record()
        etag = record.get("etag")
        if isinstance(etag, str) and etag and not etag.startswith("W/"):
            return etag
        modified = record.get("last_modified")
        return modified if isinstance(modified, str) and modified else None

    def start(self, url: str, headers: http.client.HTTPMessage) -> IO[bytes]:
        """A new, empty part from ``url``; its record is written first."""
        record = {
            "url": shown(url),  # on disk, in a cache others may read
            "etag": headers.get("ETag"),
            "last_modified": headers.get("Last-Modified"),
        }
        with atomic_writer(self.record_path) as stream:
            stream.write(json.dumps(record).encode())
        return open(self.path, "wb")

    def append(self) -> IO[bytes]:
        return open(self.path, "ab")

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        self.record_path.unlink(missing_ok=True)

    def forget(self) -> None:
        self.record_path.unlink(missing_ok=True)


def _fetch_into(
    url: str,
    partial: _Partial,
    spec: FileSpec,
    timeout: float,
    min_rate: float,
    deadline: float,
    progress: bool,
) -> bool:
    """Fill the part from ``url``; True when it continued an earlier part."""
    have = partial.size()
    if have > spec.size:
        partial.discard()
        have = 0
    if have == spec.size:
        return True  # complete already: verified by the caller
    headers = {"User-Agent": f"kerasteach/{__version__}"}
    if have:
        headers["Range"] = f"bytes={have}-"
        validator = partial.validator()
        if validator:
            headers["If-Range"] = validator
    response = _open(url, headers, timeout, partial)
    with response:
        # asked once the source has the file: a mirror's 404 needs no room
        check_room(partial.path.parent, spec.size - have, spec.name)
        resuming = have > 0 and response.status == 206
        if resuming and _range_start(response) != have:
            partial.discard()
            raise _Retry("the server resumed at the wrong place; starting again")
        received = have if resuming else 0
        bar = _progress_bar(spec, received, progress)
        out: IO[bytes] | None = partial.append() if resuming else None
        start = bytearray()  # the first bytes, judged before anything is written
        window_start, window_bytes = time.monotonic(), received
        try:
            while True:
                chunk = _read_some(response, received, spec)
                received += len(chunk)
                bar.update(len(chunk))
                if out is None:
                    start += chunk
                    if len(start) >= min(SNIFF_BYTES, spec.size) or not chunk:
                        reason = refusal(bytes(start), spec.name)
                        if reason:
                            raise _NextSource(reason)
                        out = partial.start(url, response.headers)
                        out.write(start)
                elif chunk:
                    out.write(chunk)
                if not chunk:
                    break
                if received > spec.size:
                    raise _NextSource(
                        f"sent more than the {spec.size:,} bytes on the card"
                    )
                now = time.monotonic()
                if now > deadline:
                    raise _NextSource("took longer than this source is allowed")
                if now - window_start >= 2 * timeout:
                    rate = (received - window_bytes) / (now - window_start)
                    if rate < min_rate:
                        raise _NextSource(
                            f"too slow: {rate:,.0f} bytes/s over "
                            f"{now - window_start:.0f} s, below the minimum of "
                            f"{min_rate:,.0f} bytes/s"
                        )
                    window_start, window_bytes = now, received
            if out is not None:
                out.flush()
                os.fsync(out.fileno())
        finally:
            bar.close()
            if out is not None:
                out.close()
    if received < spec.size:
        raise _Retry(f"the server stopped after {received:,} of {spec.size:,} bytes")
    return resuming


def _open(url: str, headers: dict[str, str], timeout: float, partial: _Partial):
    bare, authorization = address(url)
    request = urllib.request.Request(bare, headers=headers)
    if authorization is not None:
        # not copied onto a redirect, which may lead to another host
        request.add_unredirected_header("Authorization", authorization)
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416:  # our partial file is not a prefix the server knows
            partial.discard()
            raise _Retry("the server refused to resume; starting again") from None
        if error.code >= 500 or error.code in (408, 429):
            raise _Retry(f"HTTP {error.code} {error.reason}") from None
        raise _NextSource(f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        _raise_for_network(error.reason)
    except (OSError, http.client.HTTPException, ValueError) as error:
        _raise_for_network(error)
    raise AssertionError("unreachable")


def _read_some(response: Any, received: int, spec: FileSpec) -> bytes:
    try:
        # read1: whatever one receive gives, so a trickle is seen as it trickles
        return response.read1(_CHUNK)
    except (OSError, http.client.HTTPException) as error:
        if isinstance(error, TimeoutError | socket.timeout):
            why = "nothing came for longer than the timeout"
        else:
            why = str(error) or type(error).__name__
        raise _Retry(
            f"the connection broke after {received:,} of {spec.size:,} bytes ({why})"
        ) from None


def _range_start(response: Any) -> int | None:
    """The first byte of a 206 answer, from ``Content-Range: bytes 5-9/10``."""
    value = response.headers.get("Content-Range", "")
    with contextlib.suppress(ValueError, IndexError):
        return int(value.split()[1].split("-")[0])
    return None


def _raise_for_network(reason: object) -> None:
    if isinstance(reason, ssl.SSLCertVerificationError):
        raise DownloadError(TLS_ADVICE) from None
    if isinstance(reason, socket.gaierror):
        raise _NextSource(f"the host name could not be resolved ({reason})")
    if isinstance(reason, ConnectionRefusedError):
        raise _NextSource("the connection was refused (is the server down?)")
    if isinstance(reason, TimeoutError | socket.timeout):
        raise _Retry("the server did not answer in time")
    if isinstance(reason, ValueError):
        raise _NextSource(f"not a URL that can be fetched ({reason})")
    raise _Retry(str(reason) or type(reason).__name__)


def _progress_bar(spec: FileSpec, received: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(
        total=spec.size,
        initial=received,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=spec.name,
        disable=not enabled,
        leave=False,
    )
