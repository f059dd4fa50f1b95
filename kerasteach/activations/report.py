"""``activation_report``: one HTML file to browse what every layer sees.

Everything is inside the file: pictures as data URIs, the style and a few
lines of script. It opens from a mail attachment or a USB stick with no network.
"""

from __future__ import annotations

import base64
import html
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np

from kerasteach._files import atomic_writer
from kerasteach.activations.extract import (
    ActivationError,
    LayerChoice,
    choose_layers,
    get_activations,
    output_keys,
)
from kerasteach.activations.tiles import enlarged, normalize, picture, to_png


def top_predictions(
    scores: np.ndarray, class_names: Sequence[str] | None, top: int = 3
) -> list[tuple[str, float]]:
    """The ``top`` classes of one output row, best first, with their scores.

    >>> top_predictions(np.array([0.1, 0.7, 0.2]), ["cat", "dog", "owl"], top=2)
    [('dog', 0.7), ('owl', 0.2)]
    """
    scores = np.asarray(scores, dtype=float).ravel()
    order = np.argsort(scores)[::-1][:top]
    names = list(class_names) if class_names is not None else None
    return [
        (names[i] if names else str(int(i)), round(float(scores[i]), 4)) for i in order
    ]


def check_class_names(model: keras.Model, class_names: Sequence[str] | None) -> None:
    """Refuse, before any work, class names that do not match the model's outputs."""
    width = model.outputs[0].shape[-1]
    if class_names is not None and len(class_names) != width:
        raise ActivationError(
            f"{len(class_names)} class names for {width} outputs of {model.name}"
        )


def image_thumbnail(image: np.ndarray, size: int = 96) -> bytes | None:
    """An input image as PNG, enlarged to about ``size`` pixels (None: no image)."""
    array = np.asarray(image, dtype="float32")
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] != 3):
        return None
    return to_png(
        normalize(array, axis=None), scale=max(1, size // max(array.shape[:2]))
    )


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def activation_report(
    model: keras.Model,
    x: Any,
    path: str | os.PathLike,
    class_names: Sequence[str] | None = None,
    *,
    layers: LayerChoice = None,
    max_inputs: int = 8,
    max_channels: int = 32,
    top: int = 3,
) -> Path:
    """Write one self-contained HTML page of ``model``'s activations for ``x``.

    For each input (at most ``max_inputs``): the image, the top predictions,
    and every chosen layer's output as one tiled picture. Returns the path.

    >>> import keras, numpy as np, tempfile, os
    >>> model = keras.Sequential([keras.Input((6, 6, 1)),
    ...                           keras.layers.Conv2D(4, 3, name="conv"),
    ...                           keras.layers.Flatten(),
    ...                           keras.layers.Dense(2, activation="softmax")])
    >>> page = activation_report(model, np.ones((2, 6, 6, 1)),
    ...                          os.path.join(tempfile.mkdtemp(), "report.html"),
    ...                          class_names=["left", "right"])
    >>> "conv" in page.read_text() and "right" in page.read_text()
    True
    """
    check_class_names(model, class_names)
    shown = keras.tree.map_structure(lambda a: np.asarray(a)[:max_inputs], x)
    chosen = choose_layers(model, layers)
    output_name = output_keys(model)[0]
    extra = [output_name] if output_name not in chosen else []
    found = get_activations(model, shown, chosen + extra)  # one forward pass
    scores = found.pop(output_name) if extra else found[output_name]
    images = keras.tree.flatten(shown)[0]
    inputs = []
    for index in range(len(images)):
        thumbnail = image_thumbnail(images[index])
        inputs.append(
            {
                "image": _data_uri(thumbnail) if thumbnail else None,
                "predictions": top_predictions(scores[index], class_names, top),
                "layers": [
                    _data_uri(to_png(enlarged(picture(array[index], max_channels))))
                    for array in found.values()
                ],
            }
        )
    layer_rows = [
        {"name": name, "shape": str(tuple(array.shape[1:]))}
        for name, array in found.items()
    ]
    page = _PAGE.format(
        title=html.escape(f"What {model.name} sees"),
        data=json.dumps({"layers": layer_rows, "inputs": inputs}).replace("</", "<\\/"),
    )
    target = Path(path)
    with atomic_writer(target) as stream:
        stream.write(page.encode("utf-8"))
    return target


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; display: flex; }}
nav {{ width: 11rem; padding: 1rem; background: #f3f4f6; height: 100vh;
      overflow-y: auto; position: sticky; top: 0; }}
nav button {{ display: block; margin: 0 0 .5rem; border: 2px solid transparent;
             background: white; padding: 2px; cursor: pointer; }}
nav button.chosen {{ border-color: #2563eb; }}
main {{ padding: 1rem 2rem; flex: 1; }}
.layer {{ margin: 1.5rem 0; }}
.layer img {{ image-rendering: pixelated; max-width: 100%; border: 1px solid #ddd; }}
ol.predictions li {{ font-size: 1.1rem; }}
h2 small {{ color: #6b7280; font-weight: normal; }}
</style>
</head>
<body>
<nav id="inputs"><h3>Inputs</h3></nav>
<main>
<h1>{title}</h1>
<section id="chosen"></section>
</main>
<script id="report-data" type="application/json">{data}</script>
<script>
const data = JSON.parse(document.getElementById("report-data").textContent);
const nav = document.getElementById("inputs");
const chosen = document.getElementById("chosen");
function text(tag, content) {{
  const node = document.createElement(tag); node.textContent = content; return node;
}}
function show(index) {{
  nav.querySelectorAll("button").forEach((b, i) =>
    b.classList.toggle("chosen", i === index));
  const input = data.inputs[index];
  chosen.replaceChildren(text("h2", "Input " + index));
  const list = document.createElement("ol");
  list.className = "predictions";
  for (const [label, score] of input.predictions) {{
    list.append(text("li", label + ": " + (100 * score).toFixed(1) + "%"));
  }}
  chosen.append(text("h3", "Top predictions"), list);
  data.layers.forEach((layer, k) => {{
    const block = document.createElement("div");
    block.className = "layer"; block.id = "layer-" + k;
    const title = text("h2", layer.name + " ");
    title.append(text("small", layer.shape));
    const image = document.createElement("img");
    image.src = input.layers[k]; image.alt = layer.name;
    block.append(title, image);
    chosen.append(block);
  }});
}}
data.inputs.forEach((input, index) => {{
  const button = document.createElement("button");
  button.title = "Input " + index;
  if (input.image) {{
    const image = document.createElement("img");
    image.src = input.image; image.alt = "input " + index;
    button.append(image);
  }} else {{
    button.textContent = "Input " + index;
  }}
  button.addEventListener("click", () => show(index));
  nav.append(button);
}});
if (data.inputs.length) show(0);
</script>
</body>
</html>
"""
