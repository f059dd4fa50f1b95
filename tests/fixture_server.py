"""A real HTTP server on 127.0.0.1 that serves test files, with fault modes.

Faults, set per path: ``"500-once"`` (HTTP 500, then the file), ``"cut-once"``
(sends half with the full Content-Length, then closes; honours Range after),
``"short-no-length"`` (half the body, no Content-Length, every time),
``"wrong"`` (other bytes of the same size), ``"stall"`` (headers, then silence
until the server stops: longer than any test waits),
``"no-range"`` (ignores Range requests), ``"416-once"`` (refuses the first
Range request with HTTP 416, as a server whose file changed does),
``"half-then-stall"`` (half the file, then silence until the server stops),
``"half-then-wait"`` (half the file, then the rest once ``go_on`` is set),
``"portal"`` (a captive portal: ``200 OK`` and a small login page, whatever
was asked), ``"trickle"`` (one byte every ``trickle_seconds``), ``"slow"``
(the file in small pieces with pauses, so that several clients overlap).
Every answer carries an ``ETag``; ``If-Range`` with another tag gets the whole file.
``serving(certificate=(cert, key))`` speaks HTTPS instead.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class FileServer:
    def __init__(self, certificate: tuple[Path, Path] | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.faults: dict[str, str] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.if_range: list[str | None] = []
        self.trickle_seconds = 0.3
        self.password: tuple[str, str] | None = None  # (user, password): Basic auth
        self.authorizations: list[str | None] = []  # each request's header
        self.stopping = threading.Event()  # set when the server stops: stalls end
        self.go_on = threading.Event()  # "half-then-wait" sends the rest when set
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if certificate is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def publish(self, name: str, files: dict[str, bytes]) -> None:
        """Serve each file at ``/<name>/<file>``: the mirror layout."""
        for file_name, data in files.items():
            self.files[f"/{name}/{file_name}"] = data

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path
        range_header = request.headers.get("Range")
        self.requests.append((path, range_header))
        given = request.headers.get("Authorization")
        self.authorizations.append(given)
        if self.password is not None:
            secret = base64.b64encode(":".join(self.password).encode()).decode()
            if given != f"Basic {secret}":
                request.send_response(401)
                request.send_header("WWW-Authenticate", 'Basic realm="mirror"')
                request.send_header("Content-Length", "0")
                request.end_headers()
                return
        self.if_range.append(request.headers.get("If-Range"))
        body = self.files.get(path)
        fault = self.faults.get(path, "")
        if fault == "portal":
            page = b"<!DOCTYPE html><html><title>Guest Wi-Fi</title>Log in</html>\n"
            request.send_response(200)
            request.send_header("Content-Type", "text/html")
            request.send_header("Content-Length", str(len(page)))
            request.end_headers()
            request.wfile.write(page)
            return
        if body is None:
            request.send_error(404)
            return
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if_range = request.headers.get("If-Range")
        if range_header and if_range is not None and if_range != etag:
            range_header = None  # the file changed: send all of it
        if fault == "500-once":
            self.faults.pop(path)
            request.send_error(500)
            return
        if fault == "wrong":
            body = bytes(255 - b for b in body)
        if fault == "stall":
            request.send_response(200)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            self.stopping.wait()
            return
        if fault == "trickle":
            request.send_response(200)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            try:
                for i in range(len(body)):
                    request.wfile.write(body[i : i + 1])
                    request.wfile.flush()
                    time.sleep(self.trickle_seconds)
            except OSError:  # the client left, as it should
                pass
            return
        if fault == "416-once" and range_header:
            self.faults.pop(path)
            request.send_error(416)
            return
        start = 0
        if range_header and fault != "no-range":
            start = int(range_header.split("=")[1].split("-")[0])
            request.send_response(206)
            request.send_header(
                "Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}"
            )
        else:
            request.send_response(200)
        request.send_header("ETag", etag)
        part = body[start:]
        if fault == "short-no-length":
            request.send_header("Connection", "close")
            request.end_headers()
            request.wfile.write(part[: len(part) // 2])
            request.close_connection = True
            return
        request.send_header("Content-Length", str(len(part)))
        request.end_headers()
        if fault == "cut-once":
            self.faults.pop(path)
            request.wfile.write(part[: len(part) // 2])
            request.wfile.flush()
            request.close_connection = True
            return
        if fault == "half-then-stall":
            request.wfile.write(part[: len(part) // 2])
            request.wfile.flush()
            self.stopping.wait()
            return
        if fault == "half-then-wait":
            try:
                request.wfile.write(part[: len(part) // 2])
                request.wfile.flush()
                self.go_on.wait(30)
                request.wfile.write(part[len(part) // 2 :])
            except OSError:
                pass
            return
        if fault == "slow":
            try:
                for i in range(0, len(part), 4096):
                    request.wfile.write(part[i : i + 4096])
                    request.wfile.flush()
                    time.sleep(0.02)
            except OSError:
                pass
            return
        request.wfile.write(part)


def closed_port() -> str:
    """The URL of a port on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@contextlib.contextmanager
def serving(certificate: tuple[Path, Path] | None = None) -> Iterator[FileServer]:
    server = FileServer(certificate)
    server.thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.go_on.set()
        server.httpd.shutdown()
        server.httpd.server_close()
