"""A real HTTP server on 127.0.0.1 that serves test files, with fault modes.

Faults, set per path: ``"500-once"`` (HTTP 500, then the file), ``"cut-once"``
(sends half with the full Content-Length, then closes; honours Range after),
``"short-no-length"`` (half the body, no Content-Length, every time),
``"wrong"`` (other bytes of the same size), ``"stall"`` (headers, then silence),
``"no-range"`` (ignores Range requests), ``"416-once"`` (refuses the first
Range request with HTTP 416, as a server whose file changed does).
``serving(certificate=(cert, key))`` speaks HTTPS instead.
"""

from __future__ import annotations

import contextlib
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

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path
        range_header = request.headers.get("Range")
        self.requests.append((path, range_header))
        body = self.files.get(path)
        if body is None:
            request.send_error(404)
            return
        fault = self.faults.get(path, "")
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
            time.sleep(5)
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
        request.wfile.write(part)


@contextlib.contextmanager
def serving(certificate: tuple[Path, Path] | None = None) -> Iterator[FileServer]:
    server = FileServer(certificate)
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
