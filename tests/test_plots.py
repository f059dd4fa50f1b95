"""LivePlot's PNG and plot_history's figures, from real training runs."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from PIL import Image

from kerasteach import LivePlot, plot_history
from kerasteach.plots.history import figure_size


def trained(epochs: int = 3, callbacks=(), seed: int = 0) -> keras.callbacks.History:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="softmax")]
    )
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy", "sparse_top_k_categorical_accuracy"],
    )
    rng = np.random.default_rng(seed)
    x, y = rng.random((60, 4)), rng.integers(0, 3, 60)
    return model.fit(
        x, y, epochs=epochs, validation_split=0.2, verbose=0, callbacks=list(callbacks)
    )


def curves(axes) -> dict[str, list[float]]:
    """Each line's label and values (the History's floats, drawn unchanged)."""
    return {
        line.get_label(): [float(v) for v in line.get_ydata()] for line in axes.lines
    }


def test_live_plot_writes_a_png_whose_panels_match_the_metrics(tmp_path) -> None:
    path = tmp_path / "out" / "curves.png"
    live = LivePlot(path, dpi=50)
    history = trained(callbacks=[live])
    titles = [axes.get_title() for axes in live.figure.axes]
    assert titles == ["loss", "accuracy", "sparse_top_k_categorical_accuracy"]
    for axes in live.figure.axes:
        name = axes.get_title()
        assert curves(axes) == (
            {
                "training": history.history[name],
                "validation": history.history[f"val_{name}"],
            }
        )
    with Image.open(path) as picture:  # a complete PNG of the figure's size
        picture.load()
        width, height = figure_size(3)
        assert picture.size == (round(width * 50), round(height * 50))
    assert sorted(p.name for p in path.parent.iterdir()) == ["curves.png"]


def test_live_plot_redraws_every_n_epochs_and_always_at_the_end(tmp_path) -> None:
    path = tmp_path / "curves.png"
    live = LivePlot(path, every=2, metrics=["loss"])
    trained(epochs=3, callbacks=[live])
    assert [axes.get_title() for axes in live.figure.axes] == ["loss"]
    assert len(live.figure.axes[0].lines[0].get_xdata()) == 3  # the last epoch too
    figure = live.figure
    trained(epochs=2, callbacks=[live])  # a new fit: a new run, the same figure
    assert live.figure is figure and live.epochs == [1, 2]


def test_live_plot_default_path_outside_jupyter(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    trained(epochs=1, callbacks=[LivePlot()])
    assert (tmp_path / "training_curves.png").stat().st_size > 0
    assert "training_curves.png" in capsys.readouterr().err


def test_plot_history_of_one_run() -> None:
    history = trained()
    figure = plot_history(history)
    assert [axes.get_title() for axes in figure.axes] == [
        "loss",
        "accuracy",
        "sparse_top_k_categorical_accuracy",
    ]
    loss = figure.axes[0]
    assert curves(loss) == (
        {"training": history.history["loss"], "validation": history.history["val_loss"]}
    )
    assert list(loss.lines[0].get_xdata()) == [1, 2, 3]
    assert loss.get_xlabel() == "epoch"


def test_plot_history_compares_runs_side_by_side() -> None:
    small, big = trained(epochs=2, seed=1), trained(epochs=4, seed=2)
    figure = plot_history({"small": small, "big": big}, metrics=["accuracy"])
    (axes,) = figure.axes
    assert curves(axes) == (
        {
            "small training": small.history["accuracy"],
            "small validation": small.history["val_accuracy"],
            "big training": big.history["accuracy"],
            "big validation": big.history["val_accuracy"],
        }
    )
    listed = plot_history([small, big], labels=["A", "B"], metrics=["loss"])
    assert [line.get_label() for line in listed.axes[0].lines][::2] == [
        "A training",
        "B training",
    ]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda h: plot_history(h, metrics=["f1"]), ValueError, "no metric named f1"),
        (lambda h: plot_history([h, h], labels=["one"]), ValueError, "2 histories"),
        (lambda h: plot_history(42), TypeError, "what model.fit returns"),
        (lambda h: LivePlot(every=0), ValueError, "every must be a positive"),
    ],
)
def test_bad_input_says_what_to_pass(call, error, message) -> None:
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}
    with pytest.raises(error, match=message):
        call(history)
