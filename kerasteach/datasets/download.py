"""Streamed, resumable, verified downloads with timeouts, retries and mirrors.

A file is fetched into ``<name>.part``, resumed with an HTTP Range request
after an interruption, checked against its card's size and SHA-256, flushed to
disk and only then renamed to its real name: the cache never holds a partial or
wrong file under a real name, even when the process is killed.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from kerasteach._version import __version__
from kerasteach.datasets.cards import FileSpec
from kerasteach.datasets.storage import sha256_of

_CHUNK = 1 << 16


class DownloadError(RuntimeError):
    """No source gave the right file; the message says what each source did."""


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


def download(
    spec: FileSpec,
    urls: Sequence[str],
    target: Path,
    *,
    timeout: float = 30.0,
    attempts: int = 3,
    backoff: float = 1.0,
    progress: bool = True,
) -> Path:
    """Fetch ``spec`` from the first of ``urls`` that gives the right bytes.

    Each source is tried ``attempts`` times, pausing ``backoff``, then twice as
    long, between tries; a wrong hash or a missing file moves on at once.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    problems: list[str] = []
    for url in urls:
        for attempt in range(attempts):
            try:
                _fetch_into(url, part, spec, timeout, progress)
            except _Retry as why:
                problems.append(f"{url}: {why}")
                if attempt + 1 < attempts:
                    time.sleep(backoff * 2**attempt)
                continue
            except _NextSource as why:
                problems.append(f"{url}: {why}")
                break
            if sha256_of(part) != spec.sha256:
                part.unlink()
                problems.append(f"{url}: the file's SHA-256 does not match its card")
                break
            os.replace(part, target)
            return target
    details = "\n  ".join(problems) or "no sources were given"
    raise DownloadError(f"could not download {spec.name}:\n  {details}")


def _fetch_into(
    url: str, part: Path, spec: FileSpec, timeout: float, progress: bool
) -> None:
    have = part.stat().st_size if part.exists() else 0
    if have > spec.size:
        part.unlink()
        have = 0
    if have == spec.size:
        return  # complete already: verified by the caller
    headers = {"User-Agent": f"kerasteach/{__version__}"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        response = urllib.request.urlopen(
            urllib.request.Request(url, headers=headers), timeout=timeout
        )
    except urllib.error.HTTPError as error:
        if error.code == 416:  # our partial file is not a prefix the server knows
            part.unlink(missing_ok=True)
            raise _Retry("the server refused to resume; starting again") from None
        if error.code >= 500 or error.code in (408, 429):
            raise _Retry(f"HTTP {error.code} {error.reason}") from None
        raise _NextSource(f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        _raise_for_network(error.reason)
    except (OSError, http.client.HTTPException) as error:
        _raise_for_network(error)
    with response:
        resuming = have > 0 and response.status == 206
        mode = "ab" if resuming else "wb"
        received = have if resuming else 0
        bar = _progress_bar(spec, received, progress)
        try:
            with open(part, mode) as out:
                while True:
                    try:
                        chunk = response.read(_CHUNK)
                    except (OSError, http.client.HTTPException) as error:
                        raise _Retry(
                            f"the connection broke after {received:,} of "
                            f"{spec.size:,} bytes ({error or type(error).__name__})"
                        ) from None
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
                    if received > spec.size:
                        raise _NextSource(
                            f"sent more than the {spec.size:,} bytes on the card"
                        )
                out.flush()
                os.fsync(out.fileno())
        finally:
            bar.close()
    if received < spec.size:
        raise _Retry(f"the server stopped after {received:,} of {spec.size:,} bytes")


def _raise_for_network(reason: object) -> None:
    if isinstance(reason, ssl.SSLCertVerificationError):
        raise DownloadError(TLS_ADVICE) from None
    if isinstance(reason, socket.gaierror):
        raise _NextSource(f"the host name could not be resolved ({reason})")
    if isinstance(reason, ConnectionRefusedError):
        raise _NextSource("the connection was refused (is the server down?)")
    if isinstance(reason, TimeoutError | socket.timeout):
        raise _Retry("the server did not answer in time")
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
