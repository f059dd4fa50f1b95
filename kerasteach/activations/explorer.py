"""``explore``: a small local web app, in quiver's spirit, to look inside a model.

It lists the images of a folder (with their true labels where the folder holds
one subfolder per class, as ``keras.utils.image_dataset_from_directory``
reads them), shows the chosen image large with the model's answer as bars
named by class, and every layer's feature maps as one tiled picture per layer.
For a model that reads small grey images (MNIST, digits, notMNIST) it also has
a drawing pad: draw a digit with the mouse or a finger, and the predictions
and every layer's maps follow the drawing, prepared the way the model's
training images were made (``kerasteach.activations.drawing``).

Safe by construction:

- it listens on 127.0.0.1 unless another host is asked for;
- it answers only a fixed set of routes, and never reads a file named by a
  request: its pages are read from the package once at start, the images
  once from the folder, and everything else is computed; the one POST (the
  drawing pad's canvas) takes exactly PAD_SIDE x PAD_SIDE bytes of
  ``application/octet-stream`` (a type a page elsewhere cannot send without
  the server's leave, which it never gives) and writes nothing;
- no permissive CORS header, and on loopback a request for another host name
  is refused (DNS rebinding).
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import keras
import numpy as np

from kerasteach.activations.drawing import (
    check_style,
    describe_style,
    drawing_style_for,
    prepare_drawing,
)
from kerasteach.activations.extract import (
    ActivationError,
    LayerChoice,
    choose_layers,
    compiled_forward,
    extraction_model,
    graph_inputs,
    output_keys,
)
from kerasteach.activations.report import (
    check_class_names,
    image_thumbnail,
    top_predictions,
)
from kerasteach.activations.serving import HttpServer, Request, Response
from kerasteach.activations.tiles import drawn_as_bars, enlarged, maps_png, to_png

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
}
_THUMBNAIL = re.compile(r"/api/images/(\d{1,6})/thumbnail\.png")
_PREDICTIONS = re.compile(r"/api/images/(\d{1,6})/predictions")
_IMAGE = re.compile(r"/api/images/(\d{1,6})/image\.png")
_LAYER_MAP = re.compile(r"/api/images/(\d{1,6})/layers/(\d{1,4})\.png")
_LAYER_BARS = re.compile(r"/api/images/(\d{1,6})/layers/(\d{1,4})\.json")
DRAWING_MAX_SIDE = 64  # a model whose grey input is at most this gets a drawing pad
PAD_SIDE = 280  # the drawing pad's canvas, in pixels, as the page sends it
SEEN_SIDE = 168  # "what the model sees", enlarged to about this many pixels


@dataclass
class ImageEntry:
    """One file of the folder: its pixels ready for the model, or why not."""

    name: str
    pixels: np.ndarray | None
    error: str | None = None
    label: str | None = None  # the subfolder it was in: its true class


def load_images(
    folder: str | os.PathLike, shape: tuple[int, int, int], scale: float
) -> list[ImageEntry]:
    """Every image file in ``folder`` and in its subfolders one level down
    (sorted), resized to ``shape``; a subfolder's name is its images' true
    label. A file that cannot be read (or is too large to open safely) is
    listed with why."""
    from PIL import Image, UnidentifiedImageError

    directory = Path(folder)
    if not directory.is_dir():
        raise ActivationError(f"{directory} is not a folder of images")
    height, width, channels = shape
    mode = {1: "L", 3: "RGB"}.get(channels)
    if mode is None:
        raise ActivationError(
            f"explore shows images with 1 or 3 channels; the model takes {channels}"
        )
    entries = []
    files = [(p, None) for p in directory.iterdir()]
    for sub in sorted(p for p in directory.iterdir() if p.is_dir()):
        files.extend((p, sub.name) for p in sub.iterdir())
    for path, label in sorted(files, key=lambda f: (f[1] or "", f[0].name)):
        if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
            continue
        name = f"{label}/{path.name}" if label is not None else path.name
        try:
            with Image.open(path) as image:
                image = image.convert(mode).resize((width, height))
                pixels = np.asarray(image, dtype="float32") * scale
        except Image.DecompressionBombError as error:
            reason = f"too large to open safely ({error})"
        except (UnidentifiedImageError, OSError, ValueError) as error:
            reason = (
                "not an image" if isinstance(error, UnidentifiedImageError) else error
            )
        else:
            reason = None
        if reason is not None:
            entries.append(
                ImageEntry(name, None, f"cannot read {name}: {reason}", label)
            )
            continue
        pixels = pixels.reshape(height, width, channels)
        entries.append(ImageEntry(name, pixels, label=label))
    if not entries:
        raise ActivationError(
            f"no images in {directory} (looked for {', '.join(IMAGE_SUFFIXES)})"
        )
    return entries


class Explorer:
    """The app's state and answers; the HTTP server only passes requests in."""

    def __init__(
        self,
        model: keras.Model,
        images: str | os.PathLike | None,
        *,
        class_names: Sequence[str] | None = None,
        layers: LayerChoice = None,
        top: int = 5,
        scale: float = 1 / 255,
        max_channels: int = 64,
        drawing_like: str | None = None,
        about: str | None = None,
    ) -> None:
        inputs = graph_inputs(model)
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            raise ActivationError(
                "explore is for image models: one input of shape "
                "(batch, height, width, channels)"
            )
        shape = tuple(inputs[0].shape[1:])
        if None in shape:
            raise ActivationError(f"the model's input size is not fixed: {shape}")
        check_class_names(model, class_names)
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise ActivationError(f"top must be 1 or more; got {top!r}")
        try:
            check_style(drawing_like)
        except ValueError as error:
            raise ActivationError(str(error)) from None
        self.model = model
        self.class_names = list(class_names) if class_names is not None else None
        self.top = top
        self.max_channels = max_channels
        self.shape = shape
        self.scale = scale
        self.about = about
        self.drawing = shape[2] == 1 and max(shape[:2]) <= DRAWING_MAX_SIDE
        self.drawing_style = drawing_like or drawing_style_for(shape)
        self.drawings = 0  # drawing-pad updates answered
        self.last_drawing: bytes | None = None  # what the model saw last
        if images is None and not self.drawing:
            raise ActivationError(
                "give a folder of images: the drawing pad is for models that read "
                f"small grey images (at most {DRAWING_MAX_SIDE}x{DRAWING_MAX_SIDE}x1)"
            )
        self.entries = load_images(images, shape, scale) if images is not None else []
        self.layers = choose_layers(model, layers)
        output = output_keys(model)[0]
        # the shown layers, then the output once more, whole, for predictions
        self._paths = [*self.layers, output]
        self._extractor = extraction_model(model, self._paths)
        self._shapes = [tuple(o.shape[1:]) for o in self._extractor.outputs]
        # a short vector (a dense layer, the class scores) is drawn as bars
        # with its numbers; everything else as a picture of 8-bit maps
        self._bars = [
            drawn_as_bars(shape) for shape in self._shapes[: len(self.layers)]
        ]
        self._bar_names = [
            self.class_names if name == output else None for name in self.layers
        ]
        pictured = [k for k, bars in enumerate(self._bars) if not bars]
        # only the pixels of the shown maps leave the device
        self._forward = compiled_forward(
            self._extractor, pictures=(self.max_channels, pictured)
        )
        self._lock = threading.Lock()  # one forward pass at a time
        self._computed: dict[int, tuple[list, list, list]] = {}
        self._assets = {
            route: (
                resources.files("kerasteach.activations")
                .joinpath("explorer_assets", name)
                .read_bytes(),
                kind,
            )
            for route, (name, kind) in _ASSETS.items()
        }

    def _answers(self, batch: np.ndarray) -> tuple[list, list, list]:
        """Every shown layer (a tiled PNG, or bars as ``[name, value]`` pairs),
        the top predictions and every class's score, for one input."""
        with self._lock:
            arrays = [o[0] for o in self._forward(batch)]
        layers: list = []
        for k, array in enumerate(arrays[: len(self.layers)]):
            if self._bars[k]:
                layers.append(_named_values(array, self._bar_names[k]))
            else:
                layers.append(maps_png(array, self.max_channels, width=480))
        scores = arrays[-1]
        best = top_predictions(scores, self.class_names, self.top)
        return layers, best, _named_values(scores, self.class_names)

    def _compute(self, index: int) -> tuple[list, list, list]:
        """``_answers`` for an image of the folder, cached per image."""
        if index not in self._computed:
            self._computed[index] = self._answers(self.entries[index].pixels[None])
        return self._computed[index]

    def _entry(self, number: str) -> tuple[int, ImageEntry] | None:
        index = int(number)
        return (index, self.entries[index]) if index < len(self.entries) else None

    def answer(self, path: str) -> tuple[int, str, bytes]:
        """Status, content type and body for a GET of ``path`` (no query)."""
        if path in self._assets:
            body, kind = self._assets[path]
            return 200, kind, body
        if path == "/api/images":
            listing = [
                {"id": i, "name": e.name, "error": e.error, "label": e.label}
                for i, e in enumerate(self.entries)
            ]
            return _json(listing)
        if path == "/api/model":
            height, width, _ = self.shape
            return _json(
                {
                    "drawing": self.drawing,
                    "height": height,
                    "width": width,
                    "pad_side": PAD_SIDE,
                    "drawing_like": self.drawing_style,
                    "prepared": describe_style(self.drawing_style, self.shape),
                    "about": self.about,
                }
            )
        if path == "/api/layers":
            listing = [
                {
                    "id": k,
                    "name": name,
                    "shape": str(self._shapes[k]),
                    "kind": "bars" if self._bars[k] else "maps",
                }
                for k, name in enumerate(self.layers)
            ]
            return _json(listing)
        for pattern, kind in (
            (_THUMBNAIL, "thumbnail"),
            (_IMAGE, "image"),
            (_PREDICTIONS, "predictions"),
            (_LAYER_MAP, "maps"),
            (_LAYER_BARS, "bars"),
        ):
            match = pattern.fullmatch(path)
            if match:
                return self._image_answer(kind, match.groups())
        return _not_found()

    def _image_answer(
        self, kind: str, numbers: tuple[str, ...]
    ) -> tuple[int, str, bytes]:
        found = self._entry(numbers[0])
        if found is None:
            return _not_found()
        index, entry = found
        if entry.pixels is None:
            if kind == "predictions":
                return _json({"error": entry.error}, status=422)
            return _not_found()
        if kind in ("thumbnail", "image"):
            size = 128 if kind == "thumbnail" else 256
            return 200, "image/png", image_thumbnail(entry.pixels, size) or b""
        layers, best, scores = self._compute(index)
        if kind == "predictions":
            return _json({"predictions": best, "scores": scores, "label": entry.label})
        layer = int(numbers[1])
        if layer >= len(layers) or self._bars[layer] != (kind == "bars"):
            return _not_found()
        if kind == "bars":
            return _json({"bars": layers[layer]})
        return 200, "image/png", layers[layer]

    def draw(self, data: bytes) -> tuple[int, str, bytes]:
        """Predictions and every layer's answer for the drawing pad's canvas:
        PAD_SIDE x PAD_SIDE grey bytes, 0 the background and 255 the ink,
        prepared by ``drawing_style``'s recipe before the model sees it."""
        if not self.drawing:
            return _not_found()
        if len(data) != PAD_SIDE * PAD_SIDE:
            return _json({"error": f"a drawing is {PAD_SIDE * PAD_SIDE} bytes"}, 400)
        height, width, _ = self.shape
        canvas = np.frombuffer(data, np.uint8).reshape(PAD_SIDE, PAD_SIDE)
        seen = prepare_drawing(canvas, (height, width), self.drawing_style)
        batch = (seen.astype("float32") * self.scale).reshape(1, height, width, 1)
        layers, best, scores = self._answers(batch)
        with self._lock:
            self.drawings += 1
            self.last_drawing = seen.tobytes()  # in memory only
        shown = [
            {"bars": layer} if self._bars[k] else {"image": _data_uri(layer)}
            for k, layer in enumerate(layers)
        ]
        seen_png = to_png(enlarged(seen / 255, width=SEEN_SIDE))
        return _json(
            {
                "predictions": best,
                "scores": scores,
                "layers": shown,
                "seen": _data_uri(seen_png),
            }
        )


def _named_values(
    values: np.ndarray, names: Sequence[str] | None
) -> list[tuple[str, float]]:
    """A vector's values beside their names (class names, else unit numbers)."""
    values = np.asarray(values, dtype=float).ravel()
    labels = names if names is not None else [str(i) for i in range(values.size)]
    return [
        (str(label), round(float(v), 4))
        for label, v in zip(labels, values, strict=True)
    ]


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _json(value: Any, status: int = 200) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(value).encode("utf-8")


def _not_found() -> tuple[int, str, bytes]:
    return 404, *_text("not found")


class ExplorerServer(HttpServer):
    """The explorer's server (``kerasteach.activations.serving``): answers
    from an ``Explorer``; ``url``, ``start()`` and ``close()``."""

    def __init__(self, explorer: Explorer, host: str, port: int) -> None:
        self.explorer = explorer
        self.host = host
        super().__init__(self.respond, host, port, max_body=PAD_SIDE * PAD_SIDE)

    def start(self) -> ExplorerServer:
        """Serve in a background thread (for notebooks and tests); returns self."""
        super().start()
        return self

    def respond(self, request: Request) -> Response:
        """The answer to one request: the fixed routes, GET and one POST."""
        if request.method not in ("GET", "POST"):
            return 405, *_text("the explorer only answers GET, and POST /api/draw")
        if not self._allowed_host(request):
            return 403, *_text("forbidden")
        path = request.target.split("?", 1)[0]
        try:
            if request.method == "GET":
                return self.explorer.answer(path)
            if path != "/api/draw":
                return 405, *_text("the explorer only answers GET, and POST /api/draw")
            return self._draw(request)
        except Exception as error:  # a bad image or drawing must not stop it
            return _json({"error": f"{type(error).__name__}: {error}"}, 500)

    def _allowed_host(self, request: Request) -> bool:
        """On loopback, only requests for a loopback name (DNS rebinding)."""
        if self.host not in LOOPBACK:
            return True
        given = request.headers.get("host")
        if not given:  # HTTP/1.0 without a Host: not a browser, so no rebinding
            return True
        return given.rsplit(":", 1)[0].strip("[]") in LOOPBACK

    def _draw(self, request: Request) -> Response:
        size = PAD_SIDE * PAD_SIDE
        kind = request.headers.get("content-type", "")
        if kind != "application/octet-stream" or request.length != size:
            return _json(
                {"error": f"send {size} bytes of application/octet-stream"}, 400
            )
        assert request.body is not None  # max_body is exactly this size
        return self.explorer.draw(request.body)


def _text(message: str) -> tuple[str, bytes]:
    return "text/plain; charset=utf-8", f"{message}\n".encode()


def explore(
    model: keras.Model,
    images: str | os.PathLike | None = None,
    *,
    class_names: Sequence[str] | None = None,
    layers: LayerChoice = None,
    top: int = 5,
    scale: float = 1 / 255,
    host: str = "127.0.0.1",
    port: int = 0,
    block: bool = True,
    drawing_like: str | None = None,
    about: str | None = None,
) -> ExplorerServer:
    """Start the explorer for the images in a folder and print its URL.

    Args:
        model: an image classifier (Sequential or functional).
        images: a folder of image files; each is resized to the model's input.
            None: only the drawing pad (for a model that reads small grey
            images, such as MNIST's 28x28x1).
        class_names: labels for the model's outputs.
        layers: which layers to show (as in ``get_activations``).
        scale: multiplies the 0-255 pixels (default: to [0, 1]).
        host: ``"127.0.0.1"``; another address shares it on the network.
        port: 0 picks a free one.
        block: serve until Ctrl-C; False returns the running server (in
            Jupyter or a test), to ``close()`` when done.
        drawing_like: how the drawing pad prepares a drawing for the model:
            ``"mnist"``, ``"digits"`` or ``"fit"`` (see
            ``kerasteach.activations.drawing``); None picks by the input's
            size (28x28: mnist, 8x8: digits, else fit). The page says which.
        about: one line the page shows about the model (what it was trained
            on, its test accuracy).

    >>> import keras, tempfile, numpy as np
    >>> from PIL import Image
    >>> folder = tempfile.mkdtemp()
    >>> Image.new("L", (8, 8), 128).save(folder + "/grey.png")
    >>> model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3),
    ...                           keras.layers.Flatten(), keras.layers.Dense(2)])
    >>> server = explore(model, folder, block=False)  # doctest: +ELLIPSIS
    kerasteach explorer: http://127.0.0.1:.../
    >>> server.close()
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port < 65536:
        raise ActivationError(f"port must be 0 (any free one) to 65535; got {port!r}")
    explorer = Explorer(
        model,
        images,
        class_names=class_names,
        layers=layers,
        top=top,
        scale=scale,
        drawing_like=drawing_like,
        about=about,
    )
    server = ExplorerServer(explorer, host, port)
    print(f"kerasteach explorer: {server.url}", flush=True)
    if host not in LOOPBACK:
        print(
            f"  listening on {host}: anyone who can reach this machine can see the "
            "images and the model's answers",
            file=sys.stderr,
        )
    if not block:
        return server.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return server
