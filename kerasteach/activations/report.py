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
from kerasteach._processes import is_chief
from kerasteach.activations.extract import (
    ActivationError,
    LayerChoice,
    choose_layers,
    output_keys,
    picture_outputs,
)
from kerasteach.activations.tiles import maps_png, normalize, to_png


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


# Why the default choice leaves a layer out, by the layer's class
_LEFT_OUT_BECAUSE = {
    "Flatten": "only rearranges the numbers",
    "Reshape": "only rearranges the numbers",
    "Permute": "only rearranges the numbers",
    "RepeatVector": "only repeats the numbers",
    "Dropout": "does nothing when predicting",
    "SpatialDropout1D": "does nothing when predicting",
    "SpatialDropout2D": "does nothing when predicting",
    "SpatialDropout3D": "does nothing when predicting",
    "GaussianNoise": "does nothing when predicting",
    "GaussianDropout": "does nothing when predicting",
    "AlphaDropout": "does nothing when predicting",
}


def left_out(model: keras.Model, chosen: Sequence[str]) -> list[tuple[str, str]]:
    """The model's steps a default report does not show, each with the reason.

    >>> model = keras.Sequential([keras.Input((4, 4, 1)),
    ...     keras.layers.Conv2D(2, 3, name="conv"), keras.layers.Flatten(name="flat"),
    ...     keras.layers.Dropout(0.5, name="drop"), keras.layers.Dense(2, name="out")])
    >>> left_out(model, ["conv", "out"])
    [('flat', 'only rearranges the numbers'), ('drop', 'does nothing when predicting')]
    """
    everything = choose_layers(model, "all")
    missing = [name for name in everything if name not in chosen]
    reasons = []
    for name in missing:
        try:
            layer = model.get_layer(name.split("@")[0].split(":")[0])
            kind = type(layer).__name__
        except ValueError:  # a keras.ops step of a functional model
            kind = ""
        reasons.append(
            (name, _LEFT_OUT_BECAUSE.get(kind, "shown through the step after it"))
        )
    return reasons


def brightness_legend(width: int = 160, height: int = 10) -> bytes:
    """A dark-to-bright strip: how to read the grey pictures."""
    return to_png(np.tile(np.linspace(0, 1, width, dtype="float32"), (height, 1)))


def label_name(label: Any, class_names: Sequence[str] | None) -> str:
    """One label (a class number or a one-hot row) as the class's name."""
    array = np.asarray(label)
    index = int(array.argmax()) if array.ndim >= 1 and array.size > 1 else int(array)
    if class_names is not None and 0 <= index < len(class_names):
        return str(class_names[index])
    return str(index)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def activation_report(
    model: keras.Model,
    x: Any,
    path: str | os.PathLike,
    class_names: Sequence[str] | None = None,
    *,
    labels: Any = None,
    layers: LayerChoice = None,
    max_inputs: int = 8,
    max_channels: int = 32,
    top: int = 3,
) -> Path:
    """Write one self-contained HTML page of ``model``'s activations for ``x``.

    For each input (at most ``max_inputs``): the image, enlarged; its true
    label when ``labels`` are given (class numbers or one-hot rows); the top
    predictions; and every chosen layer's output as one grey picture (each map
    scaled on its own: dark is its lowest value, bright its highest), the
    output layer as bars named by ``class_names``. A line names the layers the
    default choice leaves out, and why. Returns the path. In a job of several
    processes every process computes the page (its share of the job's work)
    and process 0 writes it.

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
    count = len(keras.tree.flatten(shown)[0])
    if labels is not None and len(labels) < count:
        raise ActivationError(
            f"{len(labels)} labels for {count} inputs: give one label per input"
        )
    chosen = choose_layers(model, layers)
    output_name = output_keys(model)[0]
    extra = [output_name] if output_name not in chosen else []
    # one forward pass; only the output's numbers and the maps' 8-bit pixels
    # come from where the model runs
    paths = chosen + extra
    arrays, shapes = picture_outputs(
        model, shown, paths, max_channels, exact=[output_name]
    )
    found = dict(zip(paths, arrays, strict=True))
    whole_shapes = dict(zip(paths, shapes, strict=True))
    scores = found.pop(output_name) if extra else found[output_name]
    images = keras.tree.flatten(shown)[0]
    names = list(class_names) if class_names is not None else None
    inputs = []
    for index in range(len(images)):
        thumbnail = image_thumbnail(images[index])
        large = image_thumbnail(images[index], size=192)
        inputs.append(
            {
                "image": _data_uri(thumbnail) if thumbnail else None,
                "large": _data_uri(large) if large else None,
                "label": None
                if labels is None
                else label_name(labels[index], class_names),
                "predictions": top_predictions(scores[index], class_names, top),
                "layers": [
                    None
                    if name == output_name and _is_class_scores(array)
                    else _data_uri(maps_png(array[index], max_channels))
                    for name, array in found.items()
                ],
                "scores": [round(float(v), 4) for v in np.ravel(scores[index])]
                if _is_class_scores(scores)
                else None,
            }
        )
    layer_rows = [
        {
            "name": name,
            "shape": str(whole_shapes[name]),
            "note": _maps_note(whole_shapes[name], max_channels),
            "bars": name == output_name and _is_class_scores(array),
        }
        for name, array in found.items()
    ]
    skipped = left_out(model, chosen + extra) if layers is None else []
    data = {
        "layers": layer_rows,
        "inputs": inputs,
        "class_names": names or [str(i) for i in range(int(np.shape(scores)[-1]))],
        "legend": _data_uri(brightness_legend()),
        "left_out": [f"{name} ({why})" for name, why in skipped],
    }
    page = _PAGE.format(
        title=html.escape(f"What {model.name} sees"),
        data=json.dumps(data).replace("</", "<\\/"),
    )
    target = Path(path)
    if is_chief():  # in a job of several processes, process 0 writes the page
        with atomic_writer(target) as stream:
            stream.write(page.encode("utf-8"))
    return target


def _is_class_scores(array: Any) -> bool:
    """A (batch, classes) output of at most 100 classes: drawn as named bars."""
    shape = np.shape(array)
    return len(shape) == 2 and 1 < shape[1] <= 100


def _maps_note(shape: tuple[int, ...], max_channels: int) -> str:
    """'16 of 32 maps' when a layer (one input's ``shape``) has more feature
    maps than are shown."""
    if len(shape) == 3 and shape[-1] > max_channels:
        return f"{max_channels} of {shape[-1]} maps"
    return ""


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
             background: white; padding: 2px; cursor: pointer; font-size: .8rem;
             text-align: center; }}
nav button span {{ display: block; }}
nav button .wrong {{ color: #b91c1c; font-weight: 600; }}
nav button .right {{ color: #15803d; }}
.summary {{ color: #374151; }}
nav button.chosen {{ border-color: #2563eb; }}
main {{ padding: 1rem 2rem; flex: 1; }}
.layer {{ margin: 1.5rem 0; }}
.layer img {{ image-rendering: pixelated; max-width: 100%; border: 1px solid #ddd; }}
ol.predictions li {{ font-size: 1.1rem; }}
h2 small {{ color: #6b7280; font-weight: normal; }}
.input img.large {{ image-rendering: pixelated; border: 1px solid #ddd; }}
.label.right {{ color: #15803d; }} .label.wrong {{ color: #b91c1c; }}
.legend {{ color: #374151; font-size: .9rem; }}
.legend img {{ vertical-align: middle; border: 1px solid #ddd; margin: 0 .3rem; }}
.left-out {{ color: #6b7280; font-size: .9rem; }}
table.bars td {{ padding: 1px .4rem; font-size: .9rem; }}
table.bars .bar {{ background: #2563eb; height: .8rem; }}
</style>
</head>
<body>
<nav id="inputs"><h3>Inputs</h3></nav>
<main>
<h1>{title}</h1>
<p id="summary" class="summary"></p>
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
  const top = document.createElement("div");
  top.className = "input";
  if (input.large) {{
    const large = document.createElement("img");
    large.src = input.large; large.className = "large"; large.alt = "input " + index;
    top.append(large);
  }}
  chosen.append(top);
  if (input.label !== null) {{
    const right = input.predictions.length && input.predictions[0][0] === input.label;
    const label = text("p", "True label: " + input.label +
                       (right ? " (predicted right)" : " (predicted wrong)"));
    label.className = "label " + (right ? "right" : "wrong");
    chosen.append(label);
  }}
  const list = document.createElement("ol");
  list.className = "predictions";
  for (const [label, score] of input.predictions) {{
    list.append(text("li", label + ": " + (100 * score).toFixed(1) + "%"));
  }}
  chosen.append(text("h3", "Top predictions"), list);
  const legend = text("p", "Reading the pictures: dark");
  legend.className = "legend";
  const strip = document.createElement("img");
  strip.src = data.legend; strip.alt = "dark to bright";
  legend.append(strip, document.createTextNode(
    "bright. Each map is scaled on its own: dark is its lowest value, " +
    "bright its highest."));
  chosen.append(legend);
  data.layers.forEach((layer, k) => {{
    const block = document.createElement("div");
    block.className = "layer"; block.id = "layer-" + k;
    const title = text("h2", layer.name + " ");
    title.append(text("small", layer.shape + (layer.note ? " · " + layer.note : "")));
    block.append(title);
    if (layer.bars && input.scores) {{
      const table = document.createElement("table");
      table.className = "bars";
      input.scores.forEach((score, c) => {{
        const row = document.createElement("tr");
        const bar = document.createElement("div");
        bar.className = "bar";
        bar.style.width = Math.max(0, Math.min(1, score)) * 12 + "rem";
        const cell = document.createElement("td");
        cell.append(bar);
        row.append(text("td", data.class_names[c]), cell,
                   text("td", (100 * score).toFixed(1) + "%"));
        table.append(row);
      }});
      block.append(table);
    }} else {{
      const image = document.createElement("img");
      image.src = input.layers[k]; image.alt = layer.name;
      block.append(image);
    }}
    chosen.append(block);
  }});
  if (data.left_out.length) {{
    const note = text("p", "Not shown: " + data.left_out.join("; ") + ".");
    note.className = "left-out";
    chosen.append(note);
  }}
}}
function isRight(input) {{
  return input.label !== null && input.predictions.length > 0 &&
         input.predictions[0][0] === input.label;
}}
data.inputs.forEach((input, index) => {{
  const button = document.createElement("button");
  button.title = "Input " + index;
  if (input.image) {{
    const image = document.createElement("img");
    image.src = input.image; image.alt = "input " + index;
    button.append(image);
  }} else {{
    button.append(text("span", "Input " + index));
  }}
  // each thumbnail says what it is and what the model made of it
  const predicted = input.predictions.length ? input.predictions[0][0] : "?";
  if (input.label === null) {{
    button.append(text("span", "predicted " + predicted));
  }} else {{
    const right = isRight(input);
    const caption = text("span", (right ? "✓ " : "✗ ") + "true " + input.label +
                         (right ? "" : ", predicted " + predicted));
    caption.className = right ? "right" : "wrong";
    button.append(caption);
  }}
  button.addEventListener("click", () => show(index));
  nav.append(button);
}});
// Start on an input the model got right; say how many it got wrong and where
// they are, so a learner meets a mistake as a mistake.
const labelled = data.inputs.filter((input) => input.label !== null);
const mistakes = labelled.filter((input) => !isRight(input)).length;
if (labelled.length) {{
  document.getElementById("summary").textContent =
    `The model got ${{labelled.length - mistakes}} of these ${{labelled.length}} ` +
    "inputs right" + (mistakes ? `; the ${{mistakes === 1 ? "one" : mistakes}} ` +
    `it got wrong ${{mistakes === 1 ? "is" : "are"}} marked ✗ in the list on the ` +
    "left: click one to see where it went astray." : ".");
}}
const firstRight = data.inputs.findIndex(isRight);
if (data.inputs.length) show(firstRight >= 0 ? firstRight : 0);
</script>
</body>
</html>
"""
