"""The summary pictures kept as golden texts in tests/golden/.

Run as a script to write every case into a folder; the backend tests run it in
a subprocess under JAX and PyTorch and compare the files byte for byte:

    python tests/golden_cases.py OUTPUT_FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import zoo

import kerasteach

GOLDEN = Path(__file__).with_name("golden")

# case name -> (zoo model, options of kerasteach.summary, renderer)
CASES: dict[str, tuple[str, dict[str, Any], str]] = {
    "mnist_cnn": ("mnist_cnn", {"width": 100}, "text"),
    "mnist_cnn-narrow": ("mnist_cnn", {"width": 60}, "text"),
    "mnist_cnn-unicode": ("mnist_cnn", {"width": 100, "style": "unicode"}, "text"),
    "mnist_cnn-markdown": ("mnist_cnn", {}, "markdown"),
    "residual_cnn": ("residual_cnn", {"width": 100}, "text"),
    "residual_cnn-unicode": (
        "residual_cnn",
        {"width": 100, "style": "unicode"},
        "text",
    ),
    "residual_cnn-narrow": ("residual_cnn", {"width": 64}, "text"),
    "two_inputs_two_outputs": ("two_inputs_two_outputs", {"width": 110}, "text"),
    "shared_layer": ("shared_layer", {"width": 100}, "text"),
    "nested": ("nested", {"width": 100}, "text"),
    "nested-expanded": ("nested", {"width": 100, "expand_nested": True}, "text"),
    "deeply_nested-depth1": (
        "deeply_nested",
        {"width": 100, "expand_nested": 1},
        "text",
    ),
    "lstm_text": ("lstm_text", {"width": 100}, "text"),
    "attention_block": ("attention_block", {"width": 100}, "text"),
    "subclassed": ("subclassed", {"width": 100}, "text"),
    "with_ops": ("with_ops", {"width": 100}, "text"),
    "no_weights": ("no_weights", {"width": 100}, "text"),
}


def render(case: str) -> str:
    model_name, options, renderer = CASES[case]
    picture = kerasteach.summary(zoo.build(model_name), **options)
    return picture.to_markdown() if renderer == "markdown" else picture.to_text()


def write_all(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        (folder / f"{case}.txt").write_text(render(case), encoding="utf-8")


if __name__ == "__main__":
    write_all(Path(sys.argv[1]))
