"""A real Jupyter kernel trains with TqdmProgress and LivePlot: widgets and images."""

from __future__ import annotations

import base64
import io
import os

from conftest import skip_unless

try:
    import nbclient
    import nbformat
except ImportError:  # the test extra installs them; CI must have them
    nbclient = nbformat = None

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
x = np.random.rand(100, 4)
y = np.random.randint(0, 3, 100)
"""

TRAIN = """
history = model.fit(x, y, epochs=3, batch_size=20, validation_split=0.2, verbose=0,
                    callbacks=[TqdmProgress(), LivePlot()])
"""

AFTER = "plot_history(history)"


def widget_states(notebook) -> list[dict]:
    widgets = notebook.metadata.get("widgets", {})
    stored = widgets.get("application/vnd.jupyter.widget-state+json", {})
    return [model["state"] for model in stored.get("state", {}).values()]


def png_outputs(cell) -> list[bytes]:
    return [
        base64.b64decode(output["data"]["image/png"])
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]


def test_training_in_a_real_kernel_shows_widget_bars_and_a_live_plot(tmp_path):
    from PIL import Image

    skip_unless(nbclient is not None, "nbclient and nbformat are not installed")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code) for code in (SETUP, TRAIN, AFTER)]
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    client.execute()
    train = notebook.cells[1]
    kinds = [output.get("data", {}).keys() for output in train.outputs]
    assert any("application/vnd.jupyter.widget-view+json" in k for k in kinds)
    # tqdm's widgets: the epoch bar finished at 3 of 3, its text has the metrics.
    states = widget_states(notebook)
    progress = [s for s in states if s.get("_model_name") == "FloatProgressModel"]
    assert any(s["value"] == 3 and s["max"] == 3 for s in progress), progress
    labels = " ".join(str(s.get("value", "")) for s in states)
    assert "Training" in labels and "val_loss" in labels
    # LivePlot: one picture, replaced in place each epoch, nothing saved to disk.
    (png,) = png_outputs(train)
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.format == "PNG" and picture.size[0] > picture.size[1]
    assert not (tmp_path / "training_curves.png").exists()
    # plot_history's Figure displays itself as a picture.
    assert len(png_outputs(notebook.cells[2])) == 1
