"""A real Jupyter kernel trains with TqdmProgress and LivePlot: widgets and images."""

from __future__ import annotations

import base64
import io
import os

import notebooks

SETUP = """
import numpy as np
import keras
from kerasteach import LivePlot, TqdmProgress, plot_history

keras.utils.set_random_seed(0)
model = keras.Sequential(
    [keras.Input((4,)), keras.layers.Dense(3, activation="softmax")]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
x = np.random.rand(200, 4)
y = np.random.randint(0, 3, 200)
"""

TRAIN = """
history = model.fit(x, y, epochs=3, batch_size=10, validation_split=0.2, verbose=0,
                    callbacks=[TqdmProgress(leave_inner=True), LivePlot()])
"""

AFTER = "plot_history(history)"


def widget_states(notebook) -> dict[str, dict]:
    widgets = notebook.metadata.get("widgets", {})
    stored = widgets.get("application/vnd.jupyter.widget-state+json", {})
    return {key: model["state"] for key, model in stored.get("state", {}).items()}


def tqdm_bars(states: dict[str, dict]) -> list[tuple[str, dict, str]]:
    """Each tqdm widget: its title, its progress bar's state and its count text."""
    found = []
    for state in states.values():
        if state.get("_model_name") != "HBoxModel":
            continue
        title, bar, count = (
            states[child.removeprefix("IPY_MODEL_")] for child in state["children"]
        )
        # tqdm pads its widget text with figure spaces (U+2007)
        text = count["value"].replace("\u2007", " ")
        found.append((title["value"].replace("\u2007", " "), bar, text))
    return found


def png_outputs(cell) -> list[bytes]:
    return [
        base64.b64decode(output["data"]["image/png"])
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]


def test_training_in_a_real_kernel_shows_widget_bars_and_a_live_plot(tmp_path):
    from PIL import Image

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    notebook = notebooks.execute([SETUP, TRAIN, AFTER], tmp_path)
    train = notebook.cells[1]
    kinds = [output.get("data", {}).keys() for output in train.outputs]
    assert any("application/vnd.jupyter.widget-view+json" in k for k in kinds)
    # tqdm's widgets: the epoch bar finished at 3 of 3, its text has the metrics.
    bars = tqdm_bars(widget_states(notebook))
    titles = [title for title, _, _ in bars]
    assert any(title.startswith("Training") for title in titles), titles
    for title, bar, count in bars:
        done = int(bar["max"])
        # The widget's end agrees with its text, also for the validation bar,
        # whose length is unknown until the first validation has run.
        assert bar["value"] == done and f" {done}/{done} " in count, (title, count)
    training = next(count for title, _, count in bars if title.startswith("Training"))
    assert " 3/3 " in training and "val_loss" in training
    # LivePlot: one picture, replaced in place each epoch, nothing saved to disk.
    (png,) = png_outputs(train)
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.format == "PNG" and picture.size[0] > picture.size[1]
    assert not (tmp_path / "training_curves.png").exists()
    # plot_history's Figure displays itself as a picture.
    assert len(png_outputs(notebook.cells[2])) == 1
