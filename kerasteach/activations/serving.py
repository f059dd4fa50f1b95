"""A small HTTP/1.1 server that stays up in a classroom: the explorer's.

The standard library's ``ThreadingHTTPServer`` gives every connection a thread
and waits on it forever, so a few hundred half-open connections (a classroom
behind one NAT, a tab left open on a sleeping laptop) use up threads and file
descriptors until a real request gets no answer. This one runs on ``asyncio``:

- a connection must send a whole request (headers and body) within
  ``request_timeout`` seconds, and a kept-alive one its next request within
  ``idle_timeout``: slow bodies and idle connections are dropped;
- the answers are computed in a fixed pool of ``workers`` threads; the event
  loop only reads and writes, so a thousand idle connections hold no thread;
- open connections stay under the process's file limit: when it is near, the
  connection that has waited longest without a whole request is closed, so a
  new request is always accepted;
- a body is read only when it is at most ``max_body`` bytes.

It listens where it is told (the explorer keeps 127.0.0.1 as its default) and
passes each request to one handler, which answers ``(status, type, body)``.

>>> import urllib.request
>>> def hello(request):
...     return 200, "text/plain", f"{request.method} {request.target}".encode()
>>> server = HttpServer(hello, "127.0.0.1", 0).start()
>>> with urllib.request.urlopen(server.url + "hi") as answer:
...     answer.read()
b'GET /hi'
>>> server.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus

LINE_LIMIT = 16 * 1024  # a request line or header longer than this is refused
MAX_HEADERS = 100
# File descriptors left for everything else the process opens (model files,
# images, Python's own) when the open connections are counted against the
# limit, and for the batch asyncio accepts at once (up to 100, its backlog)
# before the first of them can make room.
_SPARE_FILES = 192


@dataclass(frozen=True)
class Request:
    """One request: its body is None when it was not read (too long, or
    declared in a way this server does not read)."""

    method: str
    target: str
    version: str
    headers: dict[str, str]  # names in lower case
    length: int  # the declared Content-Length, 0 when none
    body: bytes | None


Response = tuple[int, str, bytes]  # status, Content-Type, body
Handler = Callable[[Request], Response]


class _Refusal(Exception):
    """A request this server answers itself (400, 414, 431) and then closes."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


def connection_limit() -> int:
    """How many connections may be open at once: the file limit, less what the
    process holds now, less a spare; between 32 and 4,096."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return 512  # Windows: no such limit on sockets
    # /proc/self/fd on Linux, /dev/fd on macOS: the descriptors held now
    if soft == resource.RLIM_INFINITY:
        return 4096
    try:
        held = len(os.listdir("/proc/self/fd" if os.path.isdir("/proc") else "/dev/fd"))
    except OSError:
        held = 64
    return max(32, min(4096, soft - held - _SPARE_FILES))


class HttpServer:
    """Serve ``handler`` on ``host``:``port`` (0: a free port).

    ``start()`` serves in a background thread (notebooks, tests) and
    ``close()`` stops; ``serve_forever()`` blocks until Ctrl-C. The socket is
    bound at once, so the address is known (and a taken port said) before
    anything is served.
    """

    def __init__(
        self,
        handler: Handler,
        host: str,
        port: int,
        *,
        max_body: int = 0,
        workers: int = 4,
        request_timeout: float = 10.0,
        idle_timeout: float = 5.0,
        write_timeout: float = 30.0,
        max_connections: int | None = None,
    ) -> None:
        self.handler = handler
        self.max_body = max_body
        self.request_timeout = request_timeout
        self.idle_timeout = idle_timeout
        self.write_timeout = write_timeout
        self.max_connections = max_connections or connection_limit()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family, backlog=512)
        self.server_address = self.socket.getsockname()
        self._workers = ThreadPoolExecutor(workers, thread_name_prefix="kerasteach")
        # connections waiting for (or reading) a request: the ones to drop
        # first when the file limit is near, oldest first (dicts keep order)
        self._waiting: dict[asyncio.StreamWriter, float] = {}
        self._open: set[asyncio.StreamWriter] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def serve_forever(self) -> None:
        """Serve until ``shutdown()`` (from another thread) or Ctrl-C."""
        try:
            asyncio.run(self._serve())
        finally:
            self._workers.shutdown(wait=False, cancel_futures=True)

    def start(self) -> HttpServer:
        """Serve in a background thread; returns self once it is serving."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def shutdown(self) -> None:
        """Stop serving (from another thread) and wait until it has."""
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has ended already
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def server_close(self) -> None:
        with contextlib.suppress(OSError):
            self.socket.close()

    def close(self) -> None:
        self.shutdown()
        self.server_close()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(
            self._connection, sock=self.socket, limit=LINE_LIMIT
        )
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            for writer in list(self._open):
                writer.transport.abort()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)

    async def _connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._open.add(writer)
        self._make_room()
        try:
            first = True
            while True:
                self._waiting[writer] = time.monotonic()
                timeout = self.request_timeout if first else self.idle_timeout
                try:
                    request = await asyncio.wait_for(
                        self._read(reader, writer), timeout
                    )
                except _Refusal as refusal:
                    phrase = HTTPStatus(refusal.status).phrase
                    kind, body = _text(f"{refusal.status} {phrase}: {refusal}\n")
                    await self._write(writer, "HTTP/1.0", refusal.status, kind, body)
                    return
                finally:
                    self._waiting.pop(writer, None)
                if request is None:
                    return  # closed, or nothing came in time
                first = False
                loop = asyncio.get_running_loop()
                try:
                    status, kind, body = await loop.run_in_executor(
                        self._workers, self.handler, request
                    )
                except Exception as error:  # a handler's bug must not stop the server
                    status, (kind, body) = 500, _text(f"{type(error).__name__}\n")
                # a body left unread would be taken for the next request; after
                # a refusal, the connection's client gets no second try
                keep = (
                    _keeps_alive(request) and request.body is not None and status < 400
                )
                await self._write(writer, request.version, status, kind, body, keep)
                if not keep:
                    return
        except (ConnectionError, asyncio.TimeoutError, OSError):
            return
        finally:
            self._open.discard(writer)
            self._waiting.pop(writer, None)
            writer.transport.abort()

    def _make_room(self) -> None:
        """Close the connections that have waited longest for a request while
        more are open than the file limit allows."""
        while len(self._open) > self.max_connections and self._waiting:
            oldest = next(iter(self._waiting))
            self._waiting.pop(oldest)
            oldest.transport.abort()

    async def _read(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> Request | None:
        try:
            line = await reader.readline()
            while line in (b"\r\n", b"\n"):  # blank lines before a request
                line = await reader.readline()
        except ValueError:  # longer than LINE_LIMIT
            raise _Refusal(414, "the request line is too long") from None
        except (ConnectionError, asyncio.IncompleteReadError):
            return None
        if not line:
            return None
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _Refusal(400, "not an HTTP/1.x request")
        method, target, version = parts
        headers = await self._headers(reader)
        length = _length(headers)
        body: bytes | None = None
        if "transfer-encoding" not in headers and length <= self.max_body:
            body = b""
            if length:
                # a client that asks first (curl does) waits for this
                if headers.get("expect", "").lower() == "100-continue":
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                body = await reader.readexactly(length)
        return Request(method, target, version, headers, length, body)

    async def _headers(self, reader: asyncio.StreamReader) -> dict[str, str]:
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS + 1):
            try:
                line = await reader.readline()
            except ValueError:
                raise _Refusal(431, "a header is too long") from None
            if line in (b"\r\n", b"\n", b""):
                return headers
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or not name.strip() or name != name.strip():
                raise _Refusal(400, "a malformed header")
            headers[name.lower()] = value.strip()
        raise _Refusal(431, f"more than {MAX_HEADERS} headers")

    async def _write(
        self,
        writer: asyncio.StreamWriter,
        version: str,
        status: int,
        kind: str,
        body: bytes,
        keep: bool = False,
    ) -> None:
        protocol = "HTTP/1.1" if version == "HTTP/1.1" else "HTTP/1.0"
        head = (
            f"{protocol} {status} {HTTPStatus(status).phrase}\r\n"
            f"Content-Type: {kind}\r\n"
            f"Content-Length: {len(body)}\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Cache-Control: no-store\r\n"
            f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n"
        )
        writer.write(head.encode("latin-1") + body)
        await asyncio.wait_for(writer.drain(), self.write_timeout)


def _text(message: str) -> tuple[str, bytes]:
    return "text/plain; charset=utf-8", message.encode()


def _length(headers: dict[str, str]) -> int:
    value = headers.get("content-length", "0")
    if not value.isdigit():
        raise _Refusal(400, "Content-Length is not a number")
    return int(value)


def _keeps_alive(request: Request) -> bool:
    wanted = request.headers.get("connection", "").lower()
    if request.version == "HTTP/1.1":
        return wanted != "close"
    return False
