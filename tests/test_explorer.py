"""The explorer, started for real, used in headless chromium, and attacked."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import keras
import numpy as np
import pytest
from browser import headless_page
from conftest import ROOT, console_script, skip_unless
from PIL import Image

from kerasteach.activations.explorer import explore

CLASSES = ["circle", "square", "cross"]


def classifier() -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((16, 16, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.MaxPooling2D(name="pool"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(3, activation="softmax", name="out"),
        ]
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    images = tmp_path / "images"
    images.mkdir()
    rng = np.random.default_rng(0)
    for name in ("a.png", "b.jpg", "c.png"):
        pixels = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(images / name)
    (images / "broken.png").write_text("this is not a picture")
    (images / "square").mkdir()  # a subfolder per class: its images' true label
    pixels = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(images / "square" / "d.png")
    (images / "notes.txt").write_text("ignored: not an image name")
    return images


@pytest.fixture
def server(folder: Path):
    running = explore(classifier(), folder, class_names=CLASSES, top=2, block=False)
    yield running
    running.close()


def expected_best(folder: Path, name: str) -> str:
    with Image.open(folder / name) as image:
        pixels = np.asarray(image.convert("L").resize((16, 16)), "float32") / 255
    scores = classifier().predict(pixels[None, ..., None], verbose=0)[0]
    return CLASSES[int(scores.argmax())]


def test_the_explorer_in_a_real_browser(server, folder: Path, tmp_path: Path) -> None:
    with headless_page() as page:
        page.goto(server.url)
        images = page.locator("#images li")
        images.nth(4).wait_for()
        assert images.all_inner_texts() == [
            "a.png", "b.jpg", "broken.png", "c.png", "square/d.png",
        ]  # fmt: skip
        page.evaluate("window.scrollTo(0, 600)")
        images.nth(1).locator("button").click()
        names = page.locator("#scores .name")
        names.nth(2).wait_for()
        assert names.all_inner_texts() == CLASSES  # the output's bars, by class
        best = expected_best(folder, "b.jpg")
        assert page.locator("#scores .name.best").inner_text() == best
        assert page.locator("#image-label").inner_text() == f"Predicted: {best}"
        # the chosen image, large, at the top of the page, its answer beside it
        large = page.locator("#image-large").bounding_box()
        assert large["width"] >= 256 and large["y"] < 100
        assert page.evaluate("window.scrollY") == 0
        layers = page.locator("#layers button")
        assert layers.all_inner_texts() == [
            "conv (14, 14, 4)",
            "pool (7, 7, 4)",
            "out (3,)",
        ]
        # the first layer is shown at once, with its colour scale
        page.wait_for_function(
            "document.getElementById('layer-map').complete && "
            "document.getElementById('layer-map').naturalWidth > 0"
        )
        assert page.locator("#layer-name").inner_text() == "conv (14, 14, 4)"
        assert page.locator("#map-scale").is_visible()
        assert "black is its lowest value" in page.locator("#map-scale").inner_text()
        layers.nth(2).click()  # the output layer: bars named by class
        page.locator("#layer-bars .name").nth(2).wait_for()
        assert page.locator("#layer-bars .name").all_inner_texts() == CLASSES
        assert not page.locator("#map-scale").is_visible()
        page.screenshot(path=str(tmp_path / "explorer.png"))
        images.nth(4).locator("button").click()  # in the square/ subfolder
        page.wait_for_function(
            "document.getElementById('image-label').textContent.startsWith('True')"
        )
        label = page.locator("#image-label").inner_text()
        best = expected_best(folder / "square", "d.png")
        right = "right" if best == "square" else "wrong"
        assert label == f"True label: square · predicted: {best} ({right})"
        images.nth(2).locator("button").click()  # the file that is not an image
        page.locator("#error").wait_for()
        assert (
            "cannot read broken.png: not an image"
            in page.locator("#error").inner_text()
        )


def test_feature_maps_are_one_picture_per_layer_and_cached(server) -> None:
    with urllib.request.urlopen(server.url + "api/images/0/layers/0.png") as response:
        first = response.read()
        assert response.headers["Content-Type"] == "image/png"
    with urllib.request.urlopen(server.url + "api/images/0/layers/0.png") as response:
        assert response.read() == first
    assert list(server.explorer._computed) == [0]


def raw_request(server, data: bytes) -> bytes:
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(data)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


TRAVERSALS = [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/..%2f..%2fetc%2fpasswd",
    "//etc/passwd",
    "/etc/passwd",
    "/app.js/../index.html",
    "/api/images/0/../../../../etc/passwd",
    "/api/images/-1/thumbnail.png",
    "/api/images/99/thumbnail.png",
    "/api/images/0/layers/999.png",
    "/api/images/%30/thumbnail.png",
    "/explorer_assets/index.html",
    "/kerasteach/activations/explorer.py",
]


def test_traversal_and_malformed_requests_read_no_file(server) -> None:
    opened: list[str] = []
    recording = [False]

    def audit(event: str, args: tuple) -> None:
        if recording[0] and event == "open":
            opened.append(str(args[0]))

    sys.addaudithook(audit)
    recording[0] = True
    try:
        for path in TRAVERSALS:
            answer = raw_request(server, f"GET {path} HTTP/1.0\r\n\r\n".encode())
            assert answer.startswith(b"HTTP/1.0 404"), (path, answer[:80])
            assert b"root:" not in answer
        assert raw_request(server, b"NONSENSE\r\n\r\n").split(b" ")[1] == b"400"
        long_line = b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"
        assert raw_request(server, long_line).split(b" ")[1] == b"414"
        answer = raw_request(server, b"POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n")
        assert answer.split(b" ")[1] == b"405"
        evil = raw_request(server, b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n")
        assert evil.split(b" ")[1] == b"403"  # DNS rebinding
    finally:
        recording[0] = False
    assert opened == []


def test_only_loopback_and_no_permissive_cors(server) -> None:
    assert server.server_address[0] == "127.0.0.1"
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=5)
    connection.request("GET", "/api/images", headers={"Origin": "http://evil.example"})
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Access-Control-Allow-Origin") is None
    listing = json.loads(response.read())
    assert listing[2] == {
        "id": 2,
        "name": "broken.png",
        "error": "cannot read broken.png: not an image",
        "label": None,
    }


def serve_from_command_line(*args: str, env: dict[str, str]) -> tuple[list, dict]:
    """Runs ``kerasteach explore`` until it serves; its first lines and /api/model."""
    process = subprocess.Popen(
        [console_script(), "explore", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    try:
        lines: list = []
        while len(lines) < 6 and lines[-1:] != [""]:  # what it says, then its URL
            lines.append(process.stdout.readline())
            if lines[-1].startswith("kerasteach explorer:"):
                break
        serving = [line for line in lines if line.startswith("kerasteach explorer:")]
        assert serving, (lines, process.stderr.read() if process.poll() else "")
        assert serving[0].startswith("kerasteach explorer: http://127.0.0.1:")
        url = serving[0].split(": ", 1)[1].strip()
        with urllib.request.urlopen(url + "api/images") as response:
            names = [entry["name"] for entry in json.loads(response.read())]
        with urllib.request.urlopen(url + "api/model") as response:
            model = json.loads(response.read())
        return [*lines, names], model
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_command_line_example_is_trained_on_the_digits_without_mnist(
    folder: Path, tmp_path: Path
) -> None:
    empty = {"KERASTEACH_DATA": str(tmp_path / "cache"), "KERASTEACH_MIRROR": ""}
    lines, model = serve_from_command_line(
        "--example", "mnist-cnn", "--images", str(folder), env=empty
    )
    assert lines[0].startswith("MNIST is not on this computer")
    assert lines[-1] == ["a.png", "b.jpg", "broken.png", "c.png", "square/d.png"]
    about = re.fullmatch(
        r"The demo's digits CNN, trained on scikit-learn's 8x8 digits: "
        r"(\d+\.\d)% test accuracy\.",
        model["about"],
    )
    assert about and float(about.group(1)) > 80, model["about"]  # trained, not 10%
    assert (model["height"], model["drawing_like"]) == (8, "digits")


def test_command_line_example_is_trained_on_mnist_from_a_mirror(
    tmp_path: Path,
) -> None:
    shared = ROOT.parent / "shared" / "datasets"
    skip_unless((shared / "mnist").is_dir(), "no real MNIST in ../shared/datasets")
    mirror = {
        "KERASTEACH_DATA": str(tmp_path / "cache"),
        "KERASTEACH_MIRROR": str(shared),
    }
    lines, model = serve_from_command_line("--example", "mnist-cnn", env=mirror)
    about = re.fullmatch(
        r"mnist-cnn, trained on 12,000 MNIST images: (\d+\.\d)% test accuracy\.",
        model["about"],
    )
    assert about and float(about.group(1)) > 90, model["about"]
    assert (model["height"], model["drawing_like"]) == (28, "mnist")


def test_command_line_examples_that_cannot_be_trained_here_are_refused(
    tmp_path: Path,
) -> None:
    from conftest import run_command

    empty = {"KERASTEACH_DATA": str(tmp_path / "cache"), "KERASTEACH_MIRROR": ""}
    cifar = run_command(
        console_script(), "explore", "--example", "residual-cnn", env=empty
    )
    assert cifar.returncode == 2 and "Traceback" not in cifar.stderr
    assert "kerasteach datasets download cifar10" in cifar.stderr
    text = run_command(console_script(), "explore", "--example", "text-lstm", env=empty)
    assert text.returncode == 2 and "text-lstm does not read images" in text.stderr


def test_command_line_mistakes_get_a_message_and_exit_2(tmp_path: Path) -> None:
    from conftest import run_command

    missing = run_command(
        console_script(),
        "explore",
        "--example",
        "mnist-cnn",
        "--images",
        str(tmp_path / "x"),
    )
    assert missing.returncode == 2
    assert "is not a folder of images" in missing.stderr
    assert "Traceback" not in missing.stderr
    empty = run_command(
        console_script(), "explore", "--example", "mnist-cnn", "--images", str(tmp_path)
    )
    assert empty.returncode == 2 and "no images in" in empty.stderr


def test_wrong_class_names_are_refused_before_serving(folder: Path) -> None:
    from kerasteach.activations import ActivationError

    for port in (70000, -1, "8000"):
        with pytest.raises(ActivationError, match="port must be 0 .any free one. to"):
            explore(classifier(), folder, port=port, block=False)
    with pytest.raises(ActivationError, match="2 class names for 3 outputs"):
        explore(classifier(), folder, class_names=["a", "b"], block=False)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header says ``width`` x ``height``: a decompression bomb's
    first bytes, which is all an image library reads before refusing it."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def test_an_oversized_image_is_listed_with_its_error_and_the_server_runs_on(
    folder: Path,
) -> None:
    (folder / "huge.png").write_bytes(png_claiming(30000, 30000))
    server = explore(classifier(), folder, class_names=CLASSES, block=False)
    try:
        with urllib.request.urlopen(server.url + "api/images") as response:
            listing = json.loads(response.read())
        huge = next(entry for entry in listing if entry["name"] == "huge.png")
        assert huge["error"].startswith(
            "cannot read huge.png: too large to open safely"
        )
        good = next(entry for entry in listing if entry["name"] == "a.png")
        url = f"{server.url}api/images/{good['id']}/predictions"
        with urllib.request.urlopen(url) as response:
            assert len(json.loads(response.read())["predictions"]) == 3
    finally:
        server.close()


def test_a_burst_of_200_requests_is_all_answered(server) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def fetch(number: int) -> int:
        route = "api/images" if number % 2 else "api/images/0/thumbnail.png"
        with urllib.request.urlopen(server.url + route, timeout=60) as response:
            response.read()
            return response.status

    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(fetch, range(200)))
    assert statuses == [200] * 200


def test_ipv6_loopback_and_top_are_checked_like_the_command_line(folder) -> None:
    from kerasteach.activations import ActivationError

    with pytest.raises(ActivationError, match="top must be 1 or more"):
        explore(classifier(), folder, top=0, block=False)
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        ipv6 = True
    except OSError:
        ipv6 = False
    # skip_unless: skipped on a laptop without IPv6, a failure in CI (which has it)
    skip_unless(ipv6, "this machine has no IPv6 loopback")
    server = explore(classifier(), folder, host="::1", block=False)
    try:
        assert server.url.startswith("http://[::1]:")
        with urllib.request.urlopen(server.url + "api/images") as response:
            assert len(json.loads(response.read())) == 5
    finally:
        server.close()


def test_the_drawing_pad_answers_a_stroke_drawn_with_the_mouse(
    server, tmp_path: Path
) -> None:
    explorer = server.explorer
    with headless_page() as page:
        page.goto(server.url)
        page.locator("#pad").wait_for()
        box = page.locator("#canvas").bounding_box()
        left, top = box["x"], box["y"]
        page.mouse.move(left + 140, top + 50)
        page.mouse.down()
        for step in range(1, 11):  # a vertical stroke: a "1"
            page.mouse.move(left + 140, top + 50 + 18 * step)
        page.mouse.up()
        page.wait_for_function(
            "document.body.dataset.answered === document.body.dataset.drawn"
        )
        page.wait_for_timeout(400)  # let any last update arrive
        shown_updates = int(page.evaluate("document.body.dataset.drawings"))
        assert explorer.drawings == shown_updates  # one request per update
        drawing = np.frombuffer(explorer.last_drawing, np.uint8).reshape(16, 16)
        assert drawing.max() > 100 and drawing.min() == 0  # ink on black
        assert (drawing > 100).sum(axis=0).max() >= 8  # a tall vertical stroke
        scores = classifier().predict(drawing[None, ..., None] / 255, verbose=0)[0]
        names = page.locator("#pad-scores .name").all_inner_texts()
        assert names == CLASSES  # every class, named (3 of them: all shown)
        best = CLASSES[int(scores.argmax())]
        assert page.locator("#pad-scores .name.best").inner_text() == best
        assert page.locator("#pad-scores .value.best").inner_text() == (
            f"{100 * scores.max():.1f}%"
        )
        assert page.evaluate("document.getElementById('seen').naturalWidth") >= 150
        captions = page.locator("#pad-layers figcaption").all_inner_texts()
        assert captions == ["conv (14, 14, 4)", "pool (7, 7, 4)", "out (3,)"]
        assert page.evaluate(
            "Array.from(document.querySelectorAll('#pad-layers img'))"
            ".every(i => i.complete && i.naturalWidth > 0)"
        )
        page.screenshot(path=str(tmp_path / "pad.png"))
    # the POST takes exactly the drawing's bytes, and only that type
    request = urllib.request.Request(
        server.url + "api/draw", data=b"\0" * 10, method="POST",
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 400
    form = urllib.request.Request(
        server.url + "api/draw", data=b"\0" * 280 * 280, method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(form)
    assert refused.value.code == 400


def test_a_pad_only_explorer_for_small_grey_models(tmp_path: Path) -> None:
    from kerasteach.activations import ActivationError

    server = explore(classifier(), None, block=False)
    try:
        with urllib.request.urlopen(server.url + "api/model") as response:
            assert json.loads(response.read()) == {
                "drawing": True, "height": 16, "width": 16, "pad_side": 280,
                "drawing_like": "fit", "about": None,
                "prepared": "Prepared by fitting: the ink's box scaled to fill "
                "the frame and centred.",
            }  # fmt: skip
    finally:
        server.close()
    colour = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Flatten()])
    with pytest.raises(ActivationError, match="give a folder of images"):
        explore(colour, None, block=False)
