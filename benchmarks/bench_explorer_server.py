"""The explorer's server under a classroom's load, against the standard
library's ThreadingHTTPServer (what the explorer used before), side by side.

    python benchmarks/bench_explorer_server.py [--idle 1000] [--slow 300]

Each server runs in a process of its own under a laptop's file limit
(``ulimit -n 1024``) and answers one route with a small body. With IDLE
connections that send nothing (or half a request) and SLOW POST bodies held
open, a normal request is timed (median of 5); then the server's threads are
counted. A request with no answer within 5 s counts as "no answer".
Both servers here answer a trivial route, without Keras loaded: the
difference is in threads (one per connection for the stdlib) and in what
happens once the file limit is reached (the real explorer, with TensorFlow's
files open, reaches it sooner: tests/test_explorer_load.py).
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SERVERS = {
    "kerasteach HttpServer": (
        "from kerasteach.activations.serving import HttpServer\n"
        "server = HttpServer(lambda r: (200, 'text/plain', b'ok'), '127.0.0.1', 0,"
        " max_body=78400)\n"
        "print(server.url, flush=True)\n"
        "server.serve_forever()\n"
    ),
    "http.server ThreadingHTTPServer": (
        "from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer\n"
        "class H(BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        self.send_response(200); self.send_header('Content-Length', '2')\n"
        "        self.end_headers(); self.wfile.write(b'ok')\n"
        "    do_POST = do_GET\n"
        "    def log_message(self, *a): pass\n"
        "server = ThreadingHTTPServer(('127.0.0.1', 0), H)\n"
        "server.daemon_threads = True\n"
        "print(f'http://127.0.0.1:{server.server_address[1]}/', flush=True)\n"
        "server.serve_forever()\n"
    ),
}


def laptop_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


def timed(url: str) -> float | None:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            answer.read()
    except OSError:
        return None
    return time.perf_counter() - start


def threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("Threads:")[1].split()[0])


def run(name: str, code: str, idle: int, slow: int) -> dict:
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the stdlib prints each dropped client
        text=True,
        preexec_fn=laptop_limit,
        cwd=Path(__file__).resolve().parents[1],
    )
    held = []
    try:
        url = process.stdout.readline().strip()
        host, port = url.split("//")[1].rstrip("/").split(":")
        quiet = [timed(url) for _ in range(5)]
        for number in range(idle):
            connection = socket.create_connection((host, int(port)), timeout=5)
            if number % 2:
                connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1")
            held.append(connection)
        for _ in range(slow):
            connection = socket.create_connection((host, int(port)), timeout=5)
            connection.sendall(
                b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 78400\r\n"
                b"Content-Type: application/octet-stream\r\n\r\n" + bytes(100)
            )
            held.append(connection)
        time.sleep(1)
        loaded = [timed(url) for _ in range(5)]
        return {
            "server": name,
            "quiet": quiet,
            "loaded": loaded,
            "threads": threads(process.pid),
        }
    finally:
        for connection in held:
            connection.close()
        process.kill()
        process.wait()


def shown(times: list[float | None]) -> str:
    answered = [t for t in times if t is not None]
    if len(answered) < len(times):
        return f"no answer in 5 s ({len(times) - len(answered)} of {len(times)})"
    return f"{statistics.median(answered) * 1000:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--slow", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.idle + args.slow + 256
    if soft < wanted and (hard == resource.RLIM_INFINITY or hard >= wanted):
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    results = [run(name, code, args.idle, args.slow) for name, code in SERVERS.items()]
    if args.json:
        print(json.dumps(results))
        return
    print(f"a normal request, with {args.idle} idle connections and {args.slow} "
          "slow POST bodies open, under ulimit -n 1024 (median of 5):")  # fmt: skip
    for result in results:
        print(
            f"  {result['server']:<33} quiet {shown(result['quiet'])}   "
            f"loaded {shown(result['loaded'])}   threads {result['threads']}"
        )
    ours, theirs = results[0], results[1]
    if all(t is not None for t in ours["loaded"] + theirs["loaded"]):
        ratio = statistics.median(ours["loaded"]) / statistics.median(theirs["loaded"])
        print(f"  ratio (kerasteach / stdlib), loaded: {ratio:.2f}")
    else:
        print("  ratio: the standard library's server gave no answer under load")


if __name__ == "__main__":
    main()
