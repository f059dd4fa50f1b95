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


@pytest.mark.quick
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


def test_live_plot_from_a_hand_written_training_loop(tmp_path) -> None:
    """No fit(): a GradientTape-free loop on keras.ops, values as backend tensors."""
    path = tmp_path / "loop.png"
    live = LivePlot(path, dpi=40)
    rng = np.random.default_rng(0)
    x = rng.random((32, 2)).astype("float32")
    y = x @ np.array([2.0, -1.0], "float32")
    weights = np.zeros(2, "float32")
    for _ in range(4):  # plain gradient descent on the squared error
        error = x @ weights - y
        weights -= 0.5 * (x.T @ error) / len(x)
        loss = keras.ops.mean(keras.ops.square(keras.ops.convert_to_tensor(error)))
        live.update({"loss": loss, "val_loss": float(loss) * 1.1, "note": "skipped"})
    live.send()  # livelossplot's call after update: nothing more to draw
    assert live.epochs == [1, 2, 3, 4]
    losses = live.logs["loss"]
    assert losses == sorted(losses, reverse=True) and "note" not in live.logs
    (axes,) = live.figure.axes
    assert [t.get_text() for t in axes.get_xticklabels()] == ["1", "2", "3", "4"]
    assert path.stat().st_size > 0
    with pytest.raises(TypeError, match="takes a dict of metric values"):
        live.update([0.3])


def test_one_epoch_has_whole_epoch_ticks(tmp_path) -> None:
    live = LivePlot(tmp_path / "one.png")
    trained(epochs=1, callbacks=[live])
    for axes in live.figure.axes:
        assert [t.get_text() for t in axes.get_xticklabels()] == ["1"]


def test_groups_names_log_scale_size_columns_and_skip_first(tmp_path) -> None:
    live = LivePlot(
        tmp_path / "groups.png",
        groups={"log-loss": ["loss", "val_loss"], "accuracy": ["accuracy", "top5"]},
        metric_to_name={"accuracy": "Accuracy", "top5": "Top 5"},
        log_scale=["log-loss"],
        figsize=(6, 3),
        max_cols=1,
        skip_first=1,
        dpi=30,
    )
    model_logs = [
        {"loss": 1.0 / e, "val_loss": 1.2 / e, "accuracy": 0.5 + e / 10,
         "val_accuracy": 0.4 + e / 10, "top5": 0.9}
        for e in range(1, 5)
    ]  # fmt: skip
    for logs in model_logs:
        live.update(logs)
    loss_axes, accuracy_axes = live.figure.axes
    assert [a.get_title() for a in live.figure.axes] == ["log-loss", "Accuracy"]
    assert loss_axes.get_yscale() == "log" and accuracy_axes.get_yscale() == "linear"
    assert tuple(live.figure.get_size_inches()) == (6, 3)
    assert loss_axes.get_subplotspec().get_geometry()[:2] == (2, 1)  # one column
    assert sorted(curves(accuracy_axes)) == [
        "Accuracy training",
        "Accuracy validation",
        "Top 5 training",
    ]
    # skip_first=1: epoch 1 is left out of every line
    assert list(loss_axes.lines[0].get_xdata()) == [2, 3, 4]
    figure = plot_history(
        {"loss": [3.0, 1.0, 0.5], "val_loss": [3.1, 1.2, 0.7]}, log_scale=True
    )
    assert figure.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="no metric named f1"):
        LivePlot(groups={"x": ["f1"]}).update({"loss": 1.0})


@pytest.mark.quick
def test_livelossplots_names_and_options(tmp_path, capsys) -> None:
    """PlotLossesKeras as livelossplot's notebooks call it: outputs (the plot
    with its options, the extrema printer), mode, from_step, max_epoch,
    extra_plots and after_subplot."""
    from kerasteach import PlotLosses, PlotLossesKeras
    from kerasteach.plots import ExtremaPrinter, MatplotlibPlot

    restyled: list[tuple[str, str]] = []
    drawn: list[list[int]] = []

    def after_subplot(axes, title, x_label) -> None:
        restyled.append((title, x_label))
        axes.set_facecolor("#f4f4f4")

    def learning_rate(axes, logs) -> None:
        drawn.append(list(logs["epoch"]))
        axes.plot(logs["epoch"], [0.01 / e for e in logs["epoch"]])
        axes.set_title("learning rate")

    path = tmp_path / "curves.png"
    plot = MatplotlibPlot(
        figpath=str(path), max_epoch=6, extra_plots=[learning_rate],
        after_subplot=after_subplot, cell_size=(4, 3), max_cols=2,
    )  # fmt: skip
    callback = PlotLossesKeras(outputs=[plot, ExtremaPrinter()], mode="script")
    history = trained(epochs=3, callbacks=[callback])
    printed = capsys.readouterr().out
    assert "loss\n    training    (min: " in printed
    best = min(history.history["val_loss"])
    assert f"validation  (min: {best:.4f}" in printed
    titles = [axes.get_title() for axes in callback.figure.axes]
    assert titles == [
        "loss", "accuracy", "sparse_top_k_categorical_accuracy", "learning rate"
    ]  # fmt: skip
    assert ("loss", "epoch") in restyled and drawn[-1] == [1, 2, 3]
    assert callback.figure.axes[0].get_xlim() == (0.5, 6.5)  # room for 6 epochs
    assert tuple(callback.figure.get_size_inches()) == (8, 6)  # 2 x 2 cells of 4 x 3
    with Image.open(path) as picture:
        picture.load()
    # from_step: positive skips the first epochs, negative keeps the last ones
    last_two = PlotLosses(
        outputs=[MatplotlibPlot(figpath=str(tmp_path / "a.png"))], from_step=-2
    )
    first_skipped = PlotLosses(
        outputs=[MatplotlibPlot(figpath=str(tmp_path / "b.png"))], from_step=1
    )
    for epoch in range(1, 6):
        logs = {"loss": 1 / epoch, "val_loss": 1.1 / epoch}
        last_two.update(logs, current_step=epoch)
        first_skipped.update(logs)
    assert list(last_two.figure.axes[0].lines[0].get_xdata()) == [4, 5]
    assert list(first_skipped.figure.axes[0].lines[0].get_xdata()) == [2, 3, 4, 5]
    assert capsys.readouterr().out == ""  # no ExtremaPrinter asked for
    extrema_only = PlotLosses(outputs=["ExtremaPrinter"])
    extrema_only.update({"loss": 0.5})
    assert extrema_only.figure is None and "cur: 0.5000" in capsys.readouterr().out
    with pytest.raises(ValueError, match="outputs are 'MatplotlibPlot'"):
        PlotLosses(outputs=["BokehPlot"])
    with pytest.raises(ValueError, match="mode is 'notebook' or 'script'"):
        PlotLosses(mode="web")
